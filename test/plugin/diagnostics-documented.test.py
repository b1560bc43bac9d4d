import re
import sys

defs, doc = (open(p).read() for p in sys.argv[1:3])
names = set(re.findall(r'"(allocsel-[a-z-]+)"', defs))
sections = set(re.findall(r"^## (allocsel-[a-z-]+)$", doc, re.M))
undocumented = sorted(names - sections)
if undocumented:
    sys.exit("undocumented in docs/diagnostics.md: " + ", ".join(undocumented))
print(f"{len(names)} diagnostic names documented")
