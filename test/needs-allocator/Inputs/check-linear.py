"""Reads the plugin's -fplugin-arg-allocsel-stats line and checks that the
analysis did work linear in the unit's size: at most FACTOR steps of each
kind per function of the generated unit.

  check-linear.py N FACTOR < compiler-output
"""
import re
import sys

n, factor = int(sys.argv[1]), float(sys.argv[2])
text = sys.stdin.read()
m = re.search(r"allocsel: needs_allocator analysis: (\d+) functions read, (\d+) calls, "
              r"(\d+) search steps", text)
if not m:
    sys.exit("no statistics line in:\n" + text[:2000])
functions, calls, steps = map(int, m.groups())
print(f"functions {functions}, calls {calls}, search steps {steps} for N={n}")
for name, value in (("functions", functions), ("calls", calls), ("search steps", steps)):
    if value > factor * n:
        sys.exit(f"{name}: {value} > {factor} x {n}: not linear")
