import re
import sys

doc = open(sys.argv[1]).read()
names = set()
for source in sys.argv[2:]:
    names |= set(re.findall(r'"(allocsel-[a-z-]+)"', open(source).read()))
sections = set(re.findall(r"^## (allocsel-[a-z-]+)$", doc, re.M))
undocumented = sorted(names - sections)
if undocumented:
    sys.exit("undocumented in docs/diagnostics.md: " + ", ".join(undocumented))
print(f"{len(names)} diagnostic names documented")
