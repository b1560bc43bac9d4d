"""Compiles every C++ example of a Markdown page and compares what the
compiler prints with the output the page shows.

    docs_examples.py PAGE.md COMPILER [FLAG...]

The page's rules (docs/diagnostics.md says them to its readers): each
```cpp block is a whole file. The block right after it, if it is an
unlabelled ``` block, is that file's compile output; the file is named as
the output names it (`vec.cpp:9:9: error: ...`), else example.cpp. Without
such a block the file must compile without a word. The file is compiled
with COMPILER FLAG... -fno-caret-diagnostics -fno-color-diagnostics -c FILE
-o FILE.o, and its stderr is compared with the block line by line, after
two shortenings the page states: an absolute path is written `.../` and its
last two components, and the count clang prints at the end ("2 errors
generated.") is left out.

Prints, for each example, its page line and file, then `ok` or the
differences (expected and actual lines); exits 1 if any example differs."""

import os
import re
import subprocess
import sys

page, compiler = sys.argv[1], sys.argv[2:]
text = open(page, encoding="utf-8").read()
blocks = [(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1)
          for m in re.finditer(r"^```(\w*)\n(.*?)^```[ \t]*$", text, re.M | re.S)]


def shorten(line):
    # /usr/lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/allocator.h:185:31
    # -> .../bits/allocator.h:185:31
    return re.sub(r"(?<![\w.])/(?:[^\s:/]+/)*([^\s:/]+/[^\s:/]+?)(?=:\d|\s|$|')",
                  r".../\1", line)


def expected_name(output):
    m = re.search(r"^([\w.+-]+\.(?:cpp|c|h)):\d+:\d+: ", output or "", re.M)
    return m.group(1) if m else "example.cpp"


status = 0
count = 0
for i, (lang, body, line) in enumerate(blocks):
    if lang != "cpp":
        continue
    count += 1
    follow = blocks[i + 1] if i + 1 < len(blocks) else None
    shown = follow[1] if follow and follow[0] == "" and follow[2] <= line + body.count("\n") + 3 \
        else None
    name = expected_name(shown)
    work = os.path.abspath("example-%d" % line)
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, name), "w", encoding="utf-8") as f:
        f.write(body)
    r = subprocess.run(compiler + ["-fno-caret-diagnostics", "-fno-color-diagnostics", "-c",
                                   name, "-o", name + ".o"],
                       cwd=work, capture_output=True, text=True)
    actual = [shorten(l) for l in r.stderr.splitlines()
              if not re.match(r"^\d+ (warning|error)s? (and \d+ (warning|error)s? )?generated\.$", l)]
    wanted = shown.splitlines() if shown is not None else []
    print("== %s:%d %s" % (os.path.basename(page), line, name))
    if actual == wanted and (r.returncode != 0) == any(": error: " in l for l in wanted):
        print("ok")
        continue
    status = 1
    print("DIFFERS (exit %d)" % r.returncode)
    for w in wanted:
        print("  shown:  " + w)
    for a in actual:
        print("  actual: " + a)
print("%d examples" % count)
sys.exit(status)
