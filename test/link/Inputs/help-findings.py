"""Checks a --help text (stdin) against the registry of diagnostic names.

    help-findings.py DiagnosticNames.def

Every name allocsel-link check reports (Where: Link or CompileAndLink) must
be listed, as "  NAME  SUMMARY" with the registry's summary (its words, the
backticks left out, wrapped); no name of the plugin's alone may be. Prints
what is wrong, or how many findings the help lists."""

import re
import sys

registry = open(sys.argv[1], encoding="utf-8").read()
entries = re.findall(r'ALLOCSEL_NAME\(\w+,\s*"([^"]+)",\s*(\w+),\s*"((?:[^"\\]|\\.)*)"\)', registry)
help_text = sys.stdin.read()
words = " ".join(help_text.split())
bad = 0
listed = 0
for name, where, summary in entries:
    line = " ".join(("%s %s" % (name, summary.replace("`", ""))).split())
    if where in ("Link", "CompileAndLink"):
        listed += 1
        if line not in words:
            print("missing: %s" % name)
            bad = 1
    elif re.search(r"^\s+%s\s" % re.escape(name), help_text, re.M):
        print("listed, but not a finding of allocsel-link check: %s" % name)
        bad = 1
print("%d findings listed" % listed if not bad else "FAILED")
sys.exit(bad)
