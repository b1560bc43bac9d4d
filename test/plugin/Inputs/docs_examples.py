"""Checks every output a Markdown page shows against the real output: it
compiles the page's C++ examples, builds its programs and runs its
transcripts, and compares what they print with the page's text.

    docs_examples.py PAGE.md COMPILER [FLAG...]

The page's notation (docs/diagnostics.md states it to its readers, under
"The examples"):

- A ```cpp block whose first line is not a comment naming a file is a
  whole file on its own. The block right after it, if it is an unlabelled
  ``` block, is that file's compile output; the file is named as the output
  names it (`vec.cpp:9:9: error: ...`), else example.cpp. Without such a
  block the file must compile without a word. It is compiled with COMPILER
  FLAG... -fno-caret-diagnostics -fno-color-diagnostics -c FILE -o FILE.o.
- A ```cpp block whose first line is a comment naming a file (`// a.cpp`)
  is a program: one or more files, each from the line that names it (that
  line is the file's line 1) to the next such line. Its files are written
  to a directory of their own.
- An unlabelled block whose first line starts with `$ ` is a transcript:
  each `$ ` line is a command, run by bash in the directory of the last
  program shown before it in the same `## ` section (an empty directory if
  there is none), and the lines after it are what it prints (stdout and
  stderr). `clang++` is COMPILER's first word, without the flags; the rest
  comes from PATH (allocsel's build first, as lit sets it). A command
  fails (exits non-zero) exactly when it prints an `error: ` line.
- A ```template block lists the forms a message takes: `<file>` and the
  like stand for any text. Each of its lines must be the whole of, or end,
  a line that some example of the page printed, or else be a message of
  allocsel-link's list (utils/allocsel-link/LinkDiagnostics.def, with its
  registered name in brackets for an error): such lines are listed.
- A ```text block is not an output; such blocks are counted and listed.

Any other block (an unlabelled block that is neither a compile output nor
a transcript, another label) is an error.

Outputs are compared line by line, after the shortenings the page states:
a path in the example's directory is written relative to it, any other
absolute path as `.../` and its last two components, the count clang
prints at the end ("2 errors generated.") and the source lines a compiler
quotes under a message (`  4 | code`, `    |   ^`) are left out.

Prints, for each block, its page line and what it is, then `ok` or the
differences; exits 1 if any block differs or is not accounted for."""

import os
import re
import subprocess
import sys

FENCE = re.compile(r"^```(\w*)\n(.*?)^```[ \t]*$", re.M | re.S)
SECTION = re.compile(r"^## (.+)$", re.M)
FILE_NAME = re.compile(r"^// ([\w.+-]+\.(?:cpp|cc|c|h|hpp))$")
ERROR_COUNT = re.compile(r"^\d+ (warning|error)s? (and \d+ (warning|error)s? )?generated\.$")
QUOTED_SOURCE = re.compile(r"^ *\d* \| ")
PLACEHOLDER = re.compile(r"<[^<>\s][^<>]*>")
TIMEOUT = 300  # seconds for one command (a compile, a link, a check)
KINDS = ["examples", "programs", "transcripts", "templates", "text blocks (not outputs)"]


class Block:
    def __init__(self, lang, body, line, section):
        self.lang, self.body, self.line, self.section = lang, body, line, section
        self.lines = body.splitlines()

    def names_a_file(self):
        return self.lang == "cpp" and bool(self.lines) and bool(FILE_NAME.match(self.lines[0]))

    def is_transcript(self):
        return self.lang == "" and bool(self.lines) and self.lines[0].startswith("$ ")


def read_blocks(text):
    sections = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in SECTION.finditer(text)]
    blocks = []
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        section = ([s for l, s in sections if l < line] or [""])[-1]
        blocks.append(Block(m.group(1), m.group(2), line, section))
    return blocks


def shorten(line, workdir=None):
    if workdir:
        line = line.replace(workdir + "/", "")
    # /usr/lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/allocator.h:185:31
    # -> .../bits/allocator.h:185:31
    return re.sub(r"(?<![\w.])/(?:[^\s:/]+/)*([^\s:/]+/[^\s:/]+?)(?=:\d|:?\s|:?$|'|\))",
                  r".../\1", line)


def shown_lines(output, workdir=None):
    return [shorten(l, workdir) for l in output.splitlines()
            if not ERROR_COUNT.match(l) and not QUOTED_SOURCE.match(l)]


def says_error(lines):
    return any("error: " in l for l in lines)


class Checker:
    def __init__(self, page, compiler):
        self.page, self.compiler = page, compiler
        self.status = 0
        self.produced = []  # every line the examples printed, shortened
        self.counts = dict.fromkeys(KINDS, 0)
        self.programs = {}  # section -> directory of its last program
        self.env = dict(os.environ)
        shim = os.path.abspath("bin")
        os.makedirs(shim, exist_ok=True)
        if not os.path.lexists(os.path.join(shim, "clang++")):
            os.symlink(compiler[0], os.path.join(shim, "clang++"))
        self.env["PATH"] = shim + os.pathsep + self.env["PATH"]

    def count(self, kind):
        self.counts[kind] += 1

    def header(self, block, what):
        print("== %s:%d %s" % (os.path.basename(self.page), block.line, what))

    def differs(self, why, pairs):
        self.status = 1
        print("DIFFERS (%s)" % why)
        for label, lines in pairs:
            for l in lines:
                print("  %s %s" % (label, l))

    def workdir(self, block):
        d = os.path.abspath("example-%d" % block.line)
        os.makedirs(d, exist_ok=True)
        return d

    # A ```cpp block without a file name, and its compile output.
    def compile_example(self, block, shown):
        m = re.search(r"^([\w.+-]+\.(?:cpp|c|h)):\d+:\d+: ", shown.body if shown else "", re.M)
        name = m.group(1) if m else "example.cpp"
        work = self.workdir(block)
        with open(os.path.join(work, name), "w", encoding="utf-8") as f:
            f.write(block.body)
        r = subprocess.run(self.compiler + ["-fno-caret-diagnostics", "-fno-color-diagnostics",
                                            "-c", name, "-o", name + ".o"],
                           cwd=work, capture_output=True, text=True, timeout=TIMEOUT)
        actual = shown_lines(r.stderr)
        self.produced += actual
        wanted = shown.lines if shown else []
        self.header(block, name)
        self.count("examples")
        if actual == wanted and (r.returncode != 0) == says_error(wanted):
            print("ok")
        else:
            self.differs("exit %d" % r.returncode, [("shown: ", wanted), ("actual:", actual)])

    # A ```cpp block naming its files: written to the section's directory.
    def write_program(self, block):
        work = self.workdir(block)
        files = []
        for l in block.lines:
            m = FILE_NAME.match(l)
            if m:
                files.append((m.group(1), []))
            files[-1][1].append(l)
        for name, lines in files:
            with open(os.path.join(work, name), "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
        self.programs[block.section] = work
        self.header(block, "program: " + " ".join(n for n, _ in files))
        self.count("programs")
        print("written")

    # An unlabelled block of `$ ` commands and what they print.
    def run_transcript(self, block):
        work = self.programs.get(block.section) or self.workdir(block)
        steps = []
        for l in block.lines:
            if l.startswith("$ "):
                steps.append((l[2:], []))
            else:
                steps[-1][1].append(l)
        self.header(block, "transcript in %s" % os.path.basename(work))
        self.count("transcripts")
        ok = True
        for command, wanted in steps:
            try:
                r = subprocess.run(["bash", "-c", command], cwd=work, env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, text=True, timeout=TIMEOUT)
                actual, rc = shown_lines(r.stdout, work), r.returncode
            except subprocess.TimeoutExpired:
                actual, rc = ["(no end after %d seconds)" % TIMEOUT], -1
            self.produced += actual
            if actual != wanted or (rc != 0) != says_error(wanted):
                ok = False
                self.differs("$ %s: exit %d" % (command, rc),
                             [("shown: ", wanted), ("actual:", actual)])
        if ok:
            print("ok")

    # A ```template block: each line a form of some real line.
    def check_template(self, block, messages):
        self.header(block, "template")
        self.count("templates")
        ok = True
        for l in block.lines:
            form = "".join(".+" if PLACEHOLDER.fullmatch(part) else re.escape(part)
                           for part in re.split("(%s)" % PLACEHOLDER.pattern, l))
            if any(re.fullmatch(r"(?:.*?: )?" + form, p) for p in self.produced):
                continue
            text = re.sub(r"^.*?\b(?:error|warning|note): ", "", l)
            if any(m.fullmatch(text) for m in messages):
                print("  printed by no example, a message of allocsel-link: " + l)
                continue
            ok = False
            self.differs("a form no example printed and no message of allocsel-link has",
                         [("form:", [l])])
        if ok:
            print("ok")

    def run(self):
        blocks = read_blocks(open(self.page, encoding="utf-8").read())
        messages = link_messages(os.path.join(os.path.dirname(os.path.abspath(self.page)), ".."))
        done = set()
        templates = []
        for i, block in enumerate(blocks):
            if i in done:
                continue
            follow = blocks[i + 1] if i + 1 < len(blocks) else None
            if block.lang == "cpp" and block.names_a_file():
                self.write_program(block)
            elif block.lang == "cpp":
                shown = follow if (follow and follow.lang == "" and not follow.is_transcript()
                                   and follow.line <= block.line + len(block.lines) + 3) else None
                if shown:
                    done.add(i + 1)
                self.compile_example(block, shown)
            elif block.is_transcript():
                self.run_transcript(block)
            elif block.lang == "template":
                templates.append(block)
            elif block.lang == "text":
                self.header(block, "text, not an output: " + (block.lines or [""])[0])
                self.count("text blocks (not outputs)")
            else:
                self.header(block, "```%s block" % block.lang)
                self.differs("an output that no example produces, or a block of an unknown kind"
                             " (cpp, template and text are known)", [("block:", block.lines[:3])])
        # Templates last: their forms are matched against everything printed.
        for block in templates:
            self.check_template(block, messages)
        print(", ".join("%d %s" % (self.counts[k], k) for k in KINDS))
        return self.status


def link_messages(root):
    """allocsel-link's errors and notes as patterns ({0} stands for any
    text; an error ends with its registered name in brackets)."""
    names = dict(re.findall(r'^ALLOCSEL_NAME\((\w+), "(allocsel-[a-z-]+)"',
                            open(os.path.join(root, "utils", "facts", "DiagnosticNames.def"),
                                 encoding="utf-8").read(), re.M))
    defs = open(os.path.join(root, "utils", "allocsel-link", "LinkDiagnostics.def"),
                encoding="utf-8").read()
    patterns = []
    for kind, name, text in re.findall(
            r'^ALLOCSEL_LINK_(DIAG|NOTE)\(\w+,(?:\s*(\w+),)?\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)',
            defs, re.M):
        text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text)).replace('\\"', '"')
        form = "".join(".+" if re.fullmatch(r"\{\d+\}", part) else re.escape(part)
                       for part in re.split(r"(\{\d+\})", text))
        if kind == "DIAG":
            form += re.escape(" [%s]" % names[name])
        patterns.append(re.compile(form))
    if not patterns:
        sys.exit("LinkDiagnostics.def: no messages found (has its format changed?)")
    return patterns


if __name__ == "__main__":
    sys.exit(Checker(sys.argv[1], sys.argv[2:]).run())
