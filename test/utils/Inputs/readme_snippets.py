"""Compiles and runs the C++ snippets of a Markdown file as a user would.

    readme_snippets.py FILE.md ALLOCSEL_BIN

Every ```cpp block is written to its own file and compiled with the flags
allocsel-config gives (a block with main() is linked and run, one without is
checked with -fsyntax-only). A ```sh block right after a C++ block is run
as written, in a directory holding that C++ block as the file the shell
block names, with `build/bin/` meaning ALLOCSEL_BIN (a line for a compiler
that is not installed is skipped, and said so). Prints what each printed."""

import os
import re
import shlex
import shutil
import subprocess
import sys

text = open(sys.argv[1], encoding="utf-8").read()
bindir = os.path.abspath(sys.argv[2])
blocks = re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)
config = os.path.join(bindir, "allocsel-config")


# As a reader types them: allocsel-config would take a compiler from CXX
# (the suite sets it to the compiler under test), the snippets name theirs.
ENV = {k: v for k, v in os.environ.items() if k not in ("CXX", "CC")}


def sh(cmd, cwd):
    r = subprocess.run(["bash", "-c", cmd], cwd=cwd, capture_output=True, text=True, env=ENV)
    sys.stdout.write(r.stdout + r.stderr)
    if r.returncode:
        print("FAILED (%d): %s" % (r.returncode, cmd))
    return r.returncode


status = 0
for i, (lang, body) in enumerate(blocks):
    if lang != "cpp":
        continue
    work = os.path.abspath("snippet%d" % i)
    os.makedirs(work, exist_ok=True)
    follow = blocks[i + 1] if i + 1 < len(blocks) else None
    names = re.findall(r"(\S+\.cpp)\b", follow[1]) if follow and follow[0] == "sh" else []
    src = os.path.join(work, names[0] if names else "snippet.cpp")
    with open(src, "w", encoding="utf-8") as f:
        f.write(body)
    print("== snippet %d (%s)" % (i, os.path.basename(src)))
    if names:
        # One shell for the block (its variables carry over), each line
        # echoed before it runs.
        script = ["set -e"]
        for line in follow[1].splitlines():
            cmd = line.split("#")[0].strip()
            if not cmd:
                continue
            compiler = cmd.split()[0]
            if compiler.startswith("clang") and not shutil.which(compiler):
                print("skipped (no %s): %s" % (compiler, cmd))
                continue
            script.append("echo %s" % shlex.quote("$ " + line))
            script.append(line.replace("build/bin/", bindir + "/"))
        status |= sh("\n".join(script), work)
    else:
        flags = "$(%s --cxxflags)" % config
        if "int main" in body:
            cmd = "clang++-19 -std=c++20 %s $(%s --ldflags) %s $(%s --libs) -o prog && ./prog" % (
                flags, config, os.path.basename(src), config)
        else:
            cmd = "clang++-19 -std=c++20 %s -fsyntax-only %s" % (flags, os.path.basename(src))
        status |= sh(cmd, work)
print("exit", status)
