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

for p in problems:
    print(p)
if problems:
    sys.exit(1)
print("%d diagnostic names: documented, indexed, tested" % len(names))
