#!/usr/bin/env python3
"""Run allocsel's allocation benchmark and print the ratios.

    python3 bench/run.py                 # build the 3 binaries, run, print the tables
    python3 bench/run.py --markdown      # the same tables in Markdown (docs/performance.md)
    python3 bench/run.py --bin-dir build/bench   # take binaries built by CMake
                                                 # (-DALLOCSEL_BUILD_BENCH=ON)

The same source (bench/alloc_bench.cpp) is built three times:

    bench_allocsel_jemalloc  allocsel flags, the executable default (Jemalloc)
    bench_allocsel_system    allocsel flags with --default=system (System)
    bench_glibc              plain clang++: libstdc++'s operator new over glibc

Runs are interleaved finely: in each of --reps rounds, every case (fixed/8,
fixed/16, fixed/64, mixed) at every thread count (1, 2) runs in the three
binaries back to back, in an order that rotates, with a fixed
--benchmark_min_time; so the two sides of a ratio are measured seconds
apart. The throughput of a case is the median of its rounds'
items_per_second; a ratio is a quotient of two medians, and the "range"
column is the lowest and highest ratio of the same pair within one round.
Ratios are throughputs: above 1 means allocsel is faster.

Times on a shared machine are noisy. run.py measures how much CPU other
processes took during each run (from /proc/stat, less its own children's
time) and prints it; --wait-idle waits for a quiet machine before each run.
--insns adds instruction counts per item from callgrind (valgrind), which
do not depend on the load at all.

Needs an allocsel build (ninja -C build) for allocsel-config, the plugin and
the archives, clang++-19, and Google Benchmark (libbenchmark-dev); --insns
needs valgrind.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import tempfile
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "bench" / "alloc_bench.cpp"

BINARIES = {
    # name: (allocsel --default, expected allocsel_selection context)
    "bench_allocsel_jemalloc": ("jemalloc", "default allocsel::Jemalloc"),
    "bench_allocsel_system": ("system", "default allocsel::System"),
    "bench_glibc": (None, "none (libstdc++ operator new)"),
}
SHORT = {
    "bench_allocsel_jemalloc": "je",
    "bench_allocsel_system": "sys",
    "bench_glibc": "glibc",
}

CASES = ["fixed/8", "fixed/16", "fixed/64", "mixed"]
THREADS = [1, 2]

# (title, numerator (binary, path), denominator (binary, path), target,
#  threads the target applies to)
RATIOS = [
    ("allocsel(Jemalloc) new/delete vs direct mallocx/sdallocx, same binary",
     ("bench_allocsel_jemalloc", "new_delete"), ("bench_allocsel_jemalloc", "je_mallocx"),
     0.97, THREADS),
    # The same target against jemalloc's fastest entry points (malloc has the
    # fast path that mallocx lacks), so that the ratio measures the route
    # and not the choice of entry point.
    ("allocsel(Jemalloc) new/delete vs direct malloc/sdallocx, same binary",
     ("bench_allocsel_jemalloc", "new_delete"), ("bench_allocsel_jemalloc", "je_malloc"),
     0.97, THREADS),
    ("allocsel(System) new/delete vs libstdc++ new/delete on glibc",
     ("bench_allocsel_system", "new_delete"), ("bench_glibc", "new_delete"),
     0.97, THREADS),
    ("allocsel default executable (Jemalloc) new/delete vs libstdc++ new/delete on glibc",
     ("bench_allocsel_jemalloc", "new_delete"), ("bench_glibc", "new_delete"),
     1.5, [2]),
    # Not targets: the same glibc malloc/free in every binary, so these
    # should be 1.00; how far they stray is the noise of the run.
    ("noise check: malloc/free in bench_allocsel_jemalloc vs in bench_glibc",
     ("bench_allocsel_jemalloc", "malloc_free"), ("bench_glibc", "malloc_free"),
     None, []),
    ("noise check: malloc/free in bench_allocsel_system vs in bench_glibc",
     ("bench_allocsel_system", "malloc_free"), ("bench_glibc", "malloc_free"),
     None, []),
]


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, stdout=subprocess.PIPE, **kw).stdout.strip()


def config(build_dir, *args):
    return shlex.split(sh([str(build_dir / "bin" / "allocsel-config"), *args]))


def build(args, out_dir):
    """Build the three binaries with the documented allocsel-config line."""
    build_dir = args.build_dir
    cfg = build_dir / "bin" / "allocsel-config"
    lib = build_dir / "lib"
    needed = [cfg, lib / "allocsel.so", lib / "liballocsel.a", lib / "liballocsel_jemalloc.a",
              lib / "liballocsel_default_jemalloc.a", lib / "liballocsel_default_system.a"]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        sys.exit("run.py: build allocsel first (ninja -C %s); missing: %s"
                 % (build_dir, ", ".join(missing)))
    out_dir.mkdir(parents=True, exist_ok=True)
    common = [args.cxx, "-std=c++20", "-O2", "-DNDEBUG", "-fsized-deallocation"]
    inputs_mtime = max(p.stat().st_mtime for p in needed + [SOURCE, Path(__file__)])
    for name, (default, _) in BINARIES.items():
        exe = out_dir / name
        if default is None:
            cmd = common + [str(SOURCE), "-lbenchmark", "-lpthread", "-o", str(exe)]
        else:
            d = "--default=" + default
            cmd = (common + ["-DALLOCSEL_BENCH_ALLOCSEL=1"] + config(build_dir, "--cxxflags")
                   + config(build_dir, "--ldflags", d) + [str(SOURCE), "-lbenchmark", "-lpthread"]
                   + config(build_dir, "--libs", d) + ["-o", str(exe)])
        if exe.exists() and exe.stat().st_mtime >= inputs_mtime and not args.rebuild:
            continue
        print("+", " ".join(shlex.quote(c) for c in cmd), file=sys.stderr)
        subprocess.run(cmd, check=True)
    return out_dir


def parse_name(name):
    """new_delete/fixed/16/real_time/threads:2 -> ("new_delete", "fixed/16", 2)."""
    parts = name.split("/")
    threads = int(parts[-1].split(":")[1])
    parts = [p for p in parts[:-1] if p != "real_time"]
    return parts[0], "/".join(parts[1:]), threads


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_times():
    """(busy, steal) CPU-seconds of the whole machine since boot."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (v + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / CLK_TCK, steal / CLK_TCK


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def wait_idle(timeout, quiet=0.1):
    """Wait until other processes use under quiet of the machine for 0.5 s."""
    ncpu = os.cpu_count() or 1
    deadline = time.time() + timeout
    while True:
        b0, _ = cpu_times()
        time.sleep(0.5)
        b1, _ = cpu_times()
        share = (b1 - b0) / (0.5 * ncpu)
        if share < quiet:
            return share
        if time.time() > deadline:
            print("run.py: machine still %.0f%% busy after %d s; running anyway"
                  % (100 * share, timeout), file=sys.stderr)
            return share


def run_once(exe, args, flt):
    cmd = [str(exe), "--benchmark_format=json", "--benchmark_min_time=%g" % args.min_time,
           "--benchmark_filter=" + flt]
    busy0, steal0 = cpu_times()
    own0 = children_cpu()
    t0 = time.time()
    data = json.loads(sh(cmd))
    wall = time.time() - t0
    busy1, steal1 = cpu_times()
    own1 = children_cpu()
    ncpu = os.cpu_count() or 1
    # Share of the machine that other processes took while this ran.
    other = max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall * ncpu)
    steal = (steal1 - steal0) / (wall * ncpu)
    return data, other, steal


def machine():
    info = {}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["cpus"] = os.cpu_count()
    info["kernel"] = platform.release()
    try:
        info["glibc"] = platform.libc_ver()[1]
    except Exception:
        pass
    try:
        info["compiler"] = sh([ARGS.cxx, "--version"]).splitlines()[0]
    except Exception:
        pass
    try:
        v = sh(["dpkg-query", "-W", "-f=${Version}", "libbenchmark-dev"])
        info["google-benchmark"] = v
    except Exception:
        pass
    try:
        v = sh(["dpkg-query", "-W", "-f=${Version}", "libjemalloc-dev"])
        info["jemalloc (private copy of)"] = v
    except Exception:
        pass
    try:
        hv = sh(["sh", "-c", "lscpu | sed -n 's/^Hypervisor vendor: *//p'"])
        if hv:
            info["hypervisor"] = hv
    except Exception:
        pass
    return info


def count_instructions(bin_dir):
    """Instructions per item of each path and case, from callgrind."""
    if not shutil.which("valgrind"):
        sys.exit("run.py: --insns needs valgrind (apt-get install valgrind)")
    todo = []
    for name in BINARIES:
        # The direct jemalloc paths only where they are a baseline.
        paths = ["new_delete", "malloc_free"] + (["je_mallocx", "je_malloc"]
                                                 if name == "bench_allocsel_jemalloc" else [])
        for p in paths:
            for case in CASES:
                todo.append((name, p, case))
        todo.append((name, "new_expr", "fixed/64"))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in BINARIES:
            # Valgrind 3.19 cannot read clang 19's DWARF 5: count on a copy
            # without debug information.
            exe = Path(tmp) / name
            shutil.copy(bin_dir / name, exe)
            subprocess.run(["strip", "--strip-debug", str(exe)], check=True)
        for name, p, case in todo:
            print("run.py: callgrind %s %s/%s" % (name, p, case), file=sys.stderr)
            out = Path(tmp) / "callgrind.out"
            # Under valgrind the executable default would use malloc, so
            # that memcheck sees every block: count jemalloc's path.
            r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=%s" % out,
                                "--toggle-collect=*measured_rounds*",
                                str(Path(tmp) / name), "--insns=%s/%s" % (p, case)],
                               text=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=dict(os.environ, ALLOCSEL_DEFAULT="jemalloc"))
            if r.returncode != 0:
                sys.exit("run.py: callgrind of %s --insns=%s/%s failed" % (name, p, case))
            items = int(r.stdout.split()[0])
            total = None
            for line in out.read_text().splitlines():
                if line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
            results[(name, p, case)] = total / items
    return results


def fmt_ratio(r):
    return "—" if r is None else "%.2f" % r


def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", type=Path, default=REPO / "build",
                    help="allocsel build tree (default: %(default)s)")
    ap.add_argument("--bin-dir", type=Path,
                    help="take the three binaries from here instead of building them")
    ap.add_argument("--out-dir", type=Path,
                    help="where to build the binaries (default: BUILD_DIR/bench-run)")
    ap.add_argument("--cxx", default="clang++-19")
    ap.add_argument("--rebuild", action="store_true", help="rebuild even if up to date")
    ap.add_argument("--reps", type=int, default=3, help="runs of each binary (default 3)")
    ap.add_argument("--min-time", type=float, default=0.5,
                    help="--benchmark_min_time per case, seconds (default 0.5)")
    ap.add_argument("--cases", default=",".join(CASES),
                    help="comma-separated cases (default: %(default)s)")
    ap.add_argument("--threads", default=",".join(map(str, THREADS)),
                    help="comma-separated thread counts (default: %(default)s)")
    ap.add_argument("--json-out", type=Path, help="write all raw results here")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables")
    ap.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                    help="before each run, wait up to SECONDS for the machine to be idle")
    ap.add_argument("--max-interference", type=float, default=None, metavar="SHARE",
                    help="rerun (up to 3 times) a run during which other processes took more "
                         "than SHARE (0..1) of the machine")
    ap.add_argument("--insns", action="store_true",
                    help="also count instructions per item with callgrind (1 thread)")
    args = ap.parse_args()
    ARGS = args

    if args.bin_dir:
        bin_dir = args.bin_dir
        for name in BINARIES:
            if not (bin_dir / name).exists():
                sys.exit("run.py: no %s in %s" % (name, bin_dir))
    else:
        bin_dir = build(args, args.out_dir or args.build_dir / "bench-run")

    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        print("run.py: warning: load average %.2f before the run; other work on this "
              "machine skews the results" % load_before[0], file=sys.stderr)

    names = list(BINARIES)
    cases = args.cases.split(",")
    threads_list = [int(t) for t in args.threads.split(",")]
    groups = [(c, t) for c in cases for t in threads_list]
    # samples[(binary, path, case, threads)] = [items_per_second per round]
    samples = {}
    raw = []
    interference = []  # (other processes' share, steal share) per kept run
    reruns = 0
    start = time.time()
    # Interleaved finely: one case at one thread count at a time, in the three
    # binaries back to back (in an order that rotates), so that the two sides
    # of every ratio are measured seconds apart.
    n = 0
    for rep in range(args.reps):
        for case, threads in groups:
            order = names[n % len(names):] + names[:n % len(names)]
            n += 1
            flt = "^[a-z_0-9]+/%s/real_time/threads:%d$" % (case, threads)
            for name in order:
                for attempt in range(4):
                    if args.wait_idle:
                        wait_idle(args.wait_idle)
                    print("run.py: round %d/%d: %s %s threads:%d"
                          % (rep + 1, args.reps, name, case, threads), file=sys.stderr)
                    data, other, steal = run_once(bin_dir / name, args, flt)
                    if args.max_interference is None or other <= args.max_interference:
                        break
                    print("run.py: other processes took %.0f%% of the machine during that "
                          "run%s" % (100 * other, "; again" if attempt < 3 else "; keeping it"),
                          file=sys.stderr)
                    reruns += 1
                interference.append((other, steal))
                got = data["context"].get("allocsel_selection")
                if got != BINARIES[name][1]:
                    sys.exit("run.py: %s routes to %r, expected %r" % (name, got, BINARIES[name][1]))
                raw.append({"round": rep, "binary": name, "other_load": other, "steal": steal,
                            "result": data})
                for bm in data["benchmarks"]:
                    if bm.get("run_type", "iteration") != "iteration":
                        continue
                    path, c, t = parse_name(bm.get("run_name", bm["name"]))
                    samples.setdefault((name, path, c, t), []).append(bm["items_per_second"])
    elapsed = time.time() - start
    load_after = os.getloadavg()

    def median(key):
        v = samples.get(key)
        return statistics.median(v) if v else None

    def ratio(num, den, case, threads):
        a = median((num[0], num[1], case, threads))
        b = median((den[0], den[1], case, threads))
        if a is None or b is None:
            return None, None, None
        na = samples[(num[0], num[1], case, threads)]
        nb = samples[(den[0], den[1], case, threads)]
        per_round = [x / y for x, y in zip(na, nb)]
        return a / b, min(per_round), max(per_round)

    md = args.markdown
    out = []

    def table(header, rows):
        if md:
            out.append("| " + " | ".join(header) + " |")
            out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
            for r in rows:
                out.append("| " + " | ".join(r) + " |")
        else:
            widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
            out.append("  ".join(h.ljust(w) for h, w in zip(header, widths)))
            for r in rows:
                out.append("  ".join(str(c).rjust(w) if i else str(c).ljust(w)
                                     for i, (c, w) in enumerate(zip(r, widths))))
        out.append("")

    info = machine()
    meta = ["rounds: %d; in each, every case at every thread count runs in the three binaries "
            "back to back; --benchmark_min_time=%g; %.0f s in all"
            % (args.reps, args.min_time, elapsed),
            "load average (1 min): %.2f before, %.2f after" % (load_before[0], load_after[0]),
            "other processes' share of the machine during the runs: mean %.0f%%, max %.0f%% "
            "(steal: max %.0f%%); runs discarded for interference: %d"
            % (100 * statistics.mean(o for o, _ in interference),
               100 * max(o for o, _ in interference),
               100 * max(st for _, st in interference), reruns)]
    meta += ["%s: %s" % kv for kv in info.items()]
    for m in meta:
        out.append(("- " if md else "") + m)
    out.append("")

    for title, num, den, target, target_threads in RATIOS:
        out.append(("**%s**" if md else "== %s ==") % title)
        if target is not None:
            out.append("target: >= %.2fx%s" % (target, "" if target_threads == THREADS else
                                               " at %s thread(s)" % ",".join(map(str, target_threads))))
        out.append("")
        rows = []
        for case in CASES:
            for t in THREADS:
                r, lo, hi = ratio(num, den, case, t)
                if r is None:
                    continue
                verdict = ""
                if target is not None and t in target_threads:
                    verdict = "met" if r >= target else "MISSED"
                rows.append([case, str(t), fmt_ratio(r), "%s..%s" % (fmt_ratio(lo), fmt_ratio(hi)),
                             "%.1f" % (median((num[0], num[1], case, t)) / 1e6),
                             "%.1f" % (median((den[0], den[1], case, t)) / 1e6), verdict])
        table(["case", "threads", "ratio", "range", "%s %s M/s" % (SHORT[num[0]], num[1]),
               "%s %s M/s" % (SHORT[den[0]], den[1]), "target"], rows)

    # Every median, for reference.
    out.append(("**%s**" if md else "== %s ==") %
               "all medians, M items/s (item = one allocation + its deallocation)")
    out.append("")
    paths = ["new_delete", "new_expr", "je_mallocx", "je_malloc", "malloc_free"]
    header = ["case", "threads"]
    cols = []
    for name in names:
        for p in paths:
            if p.startswith("je_") and name != "bench_allocsel_jemalloc":
                continue
            if any(k[0] == name and k[1] == p for k in samples):
                cols.append((name, p))
                header.append("%s %s" % (SHORT[name], p))
    rows = []
    for case in CASES:
        for t in THREADS:
            row = [case, str(t)]
            have = False
            for name, p in cols:
                m = median((name, p, case, t))
                row.append("" if m is None else "%.1f" % (m / 1e6))
                have |= m is not None
            if have:
                rows.append(row)
    table(header, rows)

    insn_results = {}
    if args.insns:
        insn_results = count_instructions(bin_dir)
        out.append(("**%s**" if md else "== %s ==") %
                   "instructions per item (callgrind, 1 thread; item = one allocation + its "
                   "deallocation)")
        out.append("")
        header = ["case"]
        cols = []
        for name in names:
            for p in paths:
                if any(k[0] == name and k[1] == p for k in insn_results):
                    cols.append((name, p))
                    header.append("%s %s" % (SHORT[name], p))
        rows = []
        for case in CASES:
            row = [case]
            for name, p in cols:
                v = insn_results.get((name, p, case))
                row.append("" if v is None else "%.0f" % v)
            rows.append(row)
        table(header, rows)

    print("\n".join(out))
    if args.json_out:
        args.json_out.write_text(json.dumps(
            {"machine": info, "meta": meta, "runs": raw,
             "instructions": [{"binary": k[0], "path": k[1], "case": k[2], "per_item": v}
                              for k, v in insn_results.items()]}, indent=1))


if __name__ == "__main__":
    main()
