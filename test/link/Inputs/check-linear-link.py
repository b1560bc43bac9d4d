"""For each shape: generate it at N, 4N and 16N objects (bench/gen_link_graph.py,
whose units compiled for one size serve the others: WORKDIR/cache),
run allocsel-link check --stats, and check that the work counts grow
linearly (16N's at most 17 times N's, plus a constant), that the findings
are the same at every size, and that the report's size does not grow.

  check-linear-link.py SRC_ROOT BUILD WORKDIR N SHAPE:ERRORS...
"""
import os
import re
import subprocess
import sys

src, build, work, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
STATS = re.compile(r"stats: (\d+) functions visited, (\d+) calls read, (\d+) steps tried")
ok = True
for spec in sys.argv[5:]:
    shape, errors = spec.split(":")
    counts, sizes = [], []
    for size in (n, 4 * n, 16 * n):
        out = os.path.join(work, f"{shape}-{size}")
        objs = subprocess.run([sys.executable, os.path.join(src, "bench", "gen_link_graph.py"),
                               "--build", build, "--cache", os.path.join(work, "cache"),
                               shape, str(size), out],
                              check=True, capture_output=True, text=True).stdout.split()
        r = subprocess.run([os.path.join(build, "bin", "allocsel-link"), "check", "--stats"] + objs,
                           capture_output=True, text=True)
        m = STATS.search(r.stderr)
        found = r.stderr.count(" error: ")
        counts.append([int(x) for x in m.groups()])
        sizes.append(len(r.stderr) - len(m.group(0)))
        print(f"{shape} {size}: exit {r.returncode}, {found} errors, work {counts[-1]}, "
              f"report {sizes[-1]} bytes")
        if found != int(errors) or r.returncode != (1 if int(errors) else 0):
            print(f"  FAIL: expected {errors} errors")
            ok = False
    for k in range(3):
        if counts[2][k] > 17 * counts[0][k] + 100:
            print(f"  FAIL: {shape}: count {k} grows faster than the inputs: {counts}")
            ok = False
    # Reports name the objects (longer numbers are not bigger names: fixed
    # width), so a bounded report has about the same size at every N.
    if sizes[2] > sizes[0] + 400:
        print(f"  FAIL: {shape}: the report grows with the inputs: {sizes}")
        ok = False
print("linear" if ok else "NOT LINEAR")
sys.exit(0 if ok else 1)
