#!/usr/bin/env python3
"""allocsel-link check over N objects, and what the records cost in size.

usage: python3 bench/link_bench.py [--build build] [--sizes 1000,2500,5000,10000]
       python3 bench/link_bench.py --shapes chain,allocator-chain,... [--sizes 2000,20000]

1. Check time. One realistic unit (standard containers, a few functions) is
   compiled once with the plugin into a template object. The generator copies
   it N times, giving each copy its own unit name (same length, patched in the
   record and the symbol table), so every object is real compiler output with
   a real plugin record; one extra object selects a global allocator. The
   script times `allocsel-link check` on all of them (median of 5 runs) and
   fits time against N.

   With --shapes, the objects are bench/gen_link_graph.py's instead: calls
   that cross units in one shape (a chain through every unit, the same with
   every unit an allocator unit, a ring, a fan-in, a fan-out, calls through
   pointers, a clean chain). For each shape and size it prints the check's
   time (median of 3), its maximum resident memory, and its --stats work
   counts, so the slope shows: each must grow as N does.

2. Size. allocsel's own C++ sources (a real code base: plugin, link tool,
   runtime) are compiled with the same flags with and without the plugin, and
   the object sizes compared; the record section's own size is reported too.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLANGXX = "/usr/lib/llvm-19/bin/clang++"

UNIT = r"""
#include <map>
#include <string>
#include <vector>
namespace app {
std::string name_of(int i) { return "item-" + std::to_string(i); }
std::map<std::string, std::vector<int>> index_of(int n) {
  std::map<std::string, std::vector<int>> m;
  for (int i = 0; i < n; ++i) m[name_of(i)].assign(i % 7, i);
  return m;
}
int total(const std::vector<int> &v) { int t = 0; for (int x : v) t += x; return t; }
}
"""

SELECT = r"""
#include <allocsel/alloc.h>
[[global_allocator]] constinit allocsel::System GLOBAL{};
"""


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def config(build, *args):
    # One argument per line: a build tree under a path with spaces works.
    return run([os.path.join(build, "bin", "allocsel-config"), "--format=lines",
                *args]).stdout.splitlines()


def make_objects(build, work, n_max):
    cxxflags = config(build, "--cxxflags")
    name = "unit-000000.cpp"
    with open(os.path.join(work, name), "w") as f:
        f.write(UNIT)
    with open(os.path.join(work, "select.cpp"), "w") as f:
        f.write(SELECT)
    run([CLANGXX, "-std=c++20", "-O2", *cxxflags, "-c", name, "-o", "template.o"], cwd=work)
    run([CLANGXX, "-std=c++20", "-O2", *cxxflags, "-c", "select.cpp", "-o", "select.o"], cwd=work)
    template = open(os.path.join(work, "template.o"), "rb").read()
    key = name.encode()
    assert template.count(key) >= 1, "unit name not found in the template object"
    objdir = os.path.join(work, "objs")
    os.makedirs(objdir)
    paths = []
    for i in range(n_max):
        unit = f"unit-{i:06d}.cpp".encode()
        path = os.path.join(objdir, f"u{i:06d}.o")
        with open(path, "wb") as f:
            f.write(template.replace(key, unit))
        paths.append(path)
    return paths, os.path.join(work, "select.o")


def time_check(link, objects, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        r = subprocess.run([link, "check", *objects], capture_output=True)
        times.append(time.perf_counter() - start)
        if r.returncode != 0:
            sys.exit(f"allocsel-link check failed ({r.returncode}): {r.stderr.decode()[:500]}")
    return statistics.median(times)


def measure_shape(build, link, shape, n, work, runs=3):
    """(wall seconds, CPU seconds, max RSS in MB, stats line) of allocsel-link
    check --stats over `shape` at `n` objects (medians of `runs`). CPU time
    (user + system) is the firm number on a shared machine."""
    out = os.path.join(work, f"{shape}-{n}")
    objs = run([sys.executable, os.path.join(ROOT, "bench", "gen_link_graph.py"), "--build", build,
                shape, str(n), out]).stdout.split()
    times, cpus, rss, stats = [], [], 0, ""
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.Popen([link, "check", "--stats", *objs], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        err = p.stderr.read().decode()
        _, status, usage = os.wait4(p.pid, 0)
        times.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        rss = max(rss, usage.ru_maxrss / 1024)
        stats = next((l.split("stats: ", 1)[1] for l in err.splitlines() if "stats: " in l), "")
    shutil.rmtree(out, ignore_errors=True)
    return statistics.median(times), statistics.median(cpus), rss, stats


def section_size(path):
    out = run(["readelf", "-SW", path]).stdout
    for line in out.splitlines():
        if ".allocsel.facts" in line:
            # [Nr] Name Type Address Off Size ...
            fields = line.split("]", 1)[1].split()
            return int(fields[4], 16)
    return 0


def size_overhead(build, work):
    sources = []
    for d in ("clang-plugin", "utils/allocsel-link", "utils/facts", "runtime/src"):
        for f in sorted(os.listdir(os.path.join(ROOT, d))):
            if f.endswith(".cpp"):
                sources.append(os.path.join(ROOT, d, f))
    inc = ["-I" + os.path.join(ROOT, "utils", "facts"), "-I" + os.path.join(build, "include"),
           "-I/usr/lib/llvm-19/include", "-D_GNU_SOURCE", "-D__STDC_CONSTANT_MACROS",
           "-D__STDC_FORMAT_MACROS", "-D__STDC_LIMIT_MACROS", '-DALLOCSEL_VERSION="bench"']
    rows = []
    plugin = config(build, "--plugin")[0]
    for src in sources:
        base = os.path.splitext(os.path.basename(src))[0]
        sizes = []
        for variant, extra in (("plain", []), ("allocsel", ["-fplugin=" + plugin])):
            out = os.path.join(work, f"{base}.{variant}.o")
            run([CLANGXX, "-std=c++20", "-O2", "-g", "-fno-rtti", *inc, *extra, "-c", src, "-o", out])
            sizes.append(os.path.getsize(out))
        rows.append((os.path.relpath(src, ROOT), sizes[0], sizes[1],
                     section_size(os.path.join(work, f"{base}.allocsel.o"))))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--sizes", default=None)
    ap.add_argument("--shapes", default=None,
                    help="cross-unit shapes of bench/gen_link_graph.py, comma-separated")
    args = ap.parse_args()
    sizes = [int(s) for s in (args.sizes or ("2000,20000" if args.shapes else
                                             "1000,2500,5000,10000")).split(",")]
    link = os.path.join(args.build, "bin", "allocsel-link")
    work = tempfile.mkdtemp(prefix="allocsel-link-bench-")
    if args.shapes:
        try:
            print(f"{'shape':<16} {'N':>7} {'wall (s)':>9} {'CPU (s)':>8} {'max RSS (MB)':>13}  "
                  "work (--stats)")
            for shape in args.shapes.split(","):
                for n in sizes:
                    t, c, rss, stats = measure_shape(args.build, link, shape, n, work)
                    print(f"{shape:<16} {n:>7} {t:>9.3f} {c:>8.3f} {rss:>13.1f}  {stats}",
                          flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    try:
        objects, select = make_objects(args.build, work, max(sizes))
        obj_size = os.path.getsize(objects[0])
        print(f"objects: {obj_size} bytes each, record {section_size(objects[0])} bytes")
        print(f"{'N':>7} {'check (ms)':>11} {'us/object':>10}")
        points = []
        for n in sizes:
            t = time_check(link, objects[:n] + [select])
            points.append((n, t))
            print(f"{n:>7} {t * 1000:>11.1f} {t / n * 1e6:>10.1f}")
        # Least-squares line t = a + b*N, and how far the points are from it.
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        mx, my = statistics.mean(xs), statistics.mean(ys)
        b = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
        a = my - b * mx
        worst = max(abs(y - (a + b * x)) / y for x, y in points)
        print(f"fit: {a * 1000:.1f} ms + {b * 1e6:.2f} us * N; worst deviation {worst * 100:.1f}%")

        print("\nsize of allocsel's own objects, -O2 -g, without and with the plugin")
        rows = size_overhead(args.build, work)
        print(f"{'source':<40} {'plain':>9} {'allocsel':>9} {'record':>7} {'added':>7}")
        for src, plain, with_plugin, record in rows:
            print(f"{src:<40} {plain:>9} {with_plugin:>9} {record:>7} "
                  f"{(with_plugin - plain) / plain * 100:>6.2f}%")
        tp = sum(r[1] for r in rows)
        tw = sum(r[2] for r in rows)
        print(f"{'total':<40} {tp:>9} {tw:>9} {sum(r[3] for r in rows):>7} "
              f"{(tw - tp) / tp * 100:>6.2f}%")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
