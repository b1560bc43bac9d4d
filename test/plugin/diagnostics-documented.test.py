import os
import re
import sys

root = sys.argv[1]


def read(*parts):
    with open(os.path.join(root, *parts), encoding="utf-8") as f:
        return f.read()


registry = re.findall(r'^ALLOCSEL_NAME\(\w+, "(allocsel-[a-z-]+)", \w+,\s*"((?:[^"\\]|\\.)*)"\)',
                      read("utils", "facts", "DiagnosticNames.def"), re.M)
names = [n for n, _ in registry]
problems = []

doc = read("docs", "diagnostics.md")
sections = re.findall(r"^## (allocsel-[a-z-]+)$", doc, re.M)
for n in names:
    if n not in sections:
        problems.append("%s: no section in docs/diagnostics.md" % n)
for s in sections:
    if s not in names:
        problems.append("%s: a section in docs/diagnostics.md, but not in the registry (stale)" % s)
rows = dict(re.findall(r"^\| \[`(allocsel-[a-z-]+)`\]\(#[a-z-]+\) \| (.*) \|$", doc, re.M))
for n, summary in registry:
    summary = summary.replace('\\"', '"')
    if rows.get(n) != summary:
        problems.append("%s: docs/diagnostics.md's index says %r, the registry %r" % (n, rows.get(n), summary))
for n in rows:
    if n not in names:
        problems.append("%s: in docs/diagnostics.md's index, not in the registry (stale)" % n)

# Every name has a test: a test file that names it (a CHECK line, an
# expected-error, a FileCheck pattern).
tests = []
for d, _, files in os.walk(os.path.join(root, "test")):
    for f in files:
        if f.endswith((".cpp", ".c", ".test", ".py", ".h", ".sh")):
            with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                tests.append(fh.read())
alltests = "\n".join(tests)
for n in names:
    if n not in alltests:
        problems.append("%s: no test names it" % n)

# The sources use only registered names.
sources = ["clang-plugin", "utils", "runtime"]
used = set()
for s in sources:
    for d, _, files in os.walk(os.path.join(root, s)):
        for f in files:
            if f.endswith((".cpp", ".h", ".def", ".in")):
                with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                    used |= set(re.findall(r"\[(allocsel-[a-z]+(?:-[a-z]+)*)\]", fh.read()))
for n in sorted(used - set(names)):
    problems.append("%s: used in the sources, not in the registry" % n)

# allocsel-link's messages (utils/allocsel-link/LinkDiagnostics.def): each
# error and note is shown in docs/diagnostics.md word for word ({0}, {1}, ...
# stand for any text), and each error names a registry entry that the link
# check reports.
link_where = {i: (n, w) for i, n, w in re.findall(
    r'^ALLOCSEL_NAME\((\w+), "(allocsel-[a-z-]+)", (\w+),',
    read("utils", "facts", "DiagnosticNames.def"), re.M)}
link_msgs = re.findall(
    r'^ALLOCSEL_LINK_(DIAG|NOTE|PART)\((\w+),(?:\s*(\w+),)?\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)',
    read("utils", "allocsel-link", "LinkDiagnostics.def"), re.M)
if not link_msgs:
    problems.append("LinkDiagnostics.def: no messages found (has its format changed?)")
doc_lines = doc.splitlines()
for kind, ident, name, text in link_msgs:
    text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text)).replace('\\"', '"')
    if kind == "DIAG" and link_where.get(name, ("", ""))[1] not in ("Link", "CompileAndLink"):
        problems.append("LinkDiagnostics.def: %s names %r, not a link diagnostic of the registry"
                        % (ident, name))
    if kind == "PART":  # shown inside an error
        continue
    pattern = re.compile("".join(".+" if re.fullmatch(r"\{\d+\}", part) else re.escape(part)
                                 for part in re.split(r"(\{\d+\})", text)))
    if not any(pattern.search(line) for line in doc_lines):
        problems.append("LinkDiagnostics.def: %s (%r) is not shown in docs/diagnostics.md"
                        % (ident, text))

for p in problems:
    print(p)
if problems:
    sys.exit(1)
print("%d diagnostic names: documented, indexed, tested" % len(names))
