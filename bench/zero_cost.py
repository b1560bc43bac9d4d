#!/usr/bin/env python3
"""Zero-cost routing: allocsel against each allocator's direct C++ replacement.

    python3 bench/zero_cost.py            # build, measure, print markdown

Builds bench/pairs.cpp once per configuration into BUILD/bench-zero-cost/ and
measures, in one run:

  - instructions per item (callgrind; the difference of two runs with
    different round counts, so start-up and the warm-up cancel out): exact on
    a shared machine (not for the 2-thread producer/consumer, whose spinning
    callgrind would count);
  - time per item, single thread and 2 threads, every configuration run back
    to back in each round in a rotating order; the ratio of the medians over
    the rounds, and the median and quartiles of the per-round ratios (runs
    of one round were made under the same load);
  - resident memory of 1e6 live 16-byte objects.

Configurations: glibc (libstdc++'s operators), -ljemalloc, -lmimalloc and
-ltcmalloc_minimal (each library's own C++ operators, from Debian's
packages); jemalloc-static (Debian's libjemalloc_pic.a and its operators
linked into the executable, as allocsel's default links its private copy); allocsel with no selection (the executable default), with
Jemalloc, System, Counting<Jemalloc> and a user allocator over mimalloc's
API selected; and hand-written direct replacements ("direct-*": the
operators a C++ programmer writes for that allocator without allocsel, in
their own noinline functions) for System, Counting<Jemalloc> and the mimalloc
user allocator.

Needs clang++-19, valgrind, libjemalloc-dev, libmimalloc-dev,
libgoogle-perftools-dev, libboost-dev, and an allocsel build (BUILD, default
./build).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CXX = "/usr/lib/llvm-19/bin/clang++"

# Each workload: (callgrind rounds low, high), rounds for timing.
WORKLOADS = {
    "sized/16": ((200, 1200), 20000),
    "sized/64": ((200, 1200), 20000),
    "sized/256": ((200, 1200), 20000),
    "array/32": ((200, 1200), 20000),
    "vector": ((20, 120), 3000),
    "map": ((20, 120), 3000),
    # string: runs of 200,000 rounds (about 40 ms): at 40,000 the same
    # pair of programs measured anywhere from 0.91 to 1.05 between runs.
    "string": ((200, 1200), 200000),
    "string/aged": ((200, 1200), 200000),
    "threads": ((20, 120), 5000),
    "json": ((1, 3), 10),
}

# What each allocsel configuration is compared with: its allocator's best
# direct C++ replacement.
COMPARISONS = [
    ("allocsel-default", "ljemalloc", "default executable vs -ljemalloc"),
    ("allocsel-default", "jemalloc-static", "default executable vs static jemalloc"),
    ("allocsel-jemalloc", "ljemalloc", "Jemalloc selected vs -ljemalloc"),
    ("allocsel-system", "glibc", "System selected vs libstdc++ on glibc"),
    ("allocsel-system", "direct-system", "System selected vs direct System"),
    ("allocsel-counting", "direct-counting", "Counting<Jemalloc> selected vs direct"),
    ("allocsel-mimalloc", "direct-mimalloc", "mimalloc user type selected vs direct"),
    ("allocsel-mimalloc", "mimalloc", "mimalloc user type selected vs -lmimalloc"),
]


def configurations(build):
    bindir = os.path.join(build, "bin")
    config = os.path.join(bindir, "allocsel-config")

    def ac(*args):
        # One argument per line: a build tree under a path with spaces works.
        return subprocess.run([config, "--format=lines", *args], check=True,
                              capture_output=True, text=True).stdout.splitlines()

    base = ["-O2", "-g0", "-std=c++20", "-DALLOCSEL_PAIRS_JSON", "-pthread"]
    plain = [CXX, *base]
    sel = [CXX, *base, *ac("--cxxflags"), *ac("--ldflags")]
    libs = ac("--libs")
    nohdr = [CXX, *base, "-I" + ac("--includedir")[0], "-DALLOCSEL_ALLOW_NO_PLUGIN"]
    je = os.path.join(build, "lib", "liballocsel_jemalloc.a")
    mi = ["-DALLOCSEL_PAIRS_MIMALLOC_API"]
    return {
        "glibc": (plain, []),
        "ljemalloc": (plain, ["-ljemalloc"]),
        # The same jemalloc and its own operators, linked into the
        # executable as allocsel's default must link its private copy.
        "jemalloc-static": (plain, ["/usr/lib/x86_64-linux-gnu/libjemalloc_pic.a", "-ldl"]),
        "mimalloc": (plain, ["-lmimalloc"]),
        "tcmalloc": (plain, ["-ltcmalloc_minimal"]),
        "allocsel-default": (sel, libs),
        "allocsel-jemalloc": (sel + ["-DALLOCSEL_PAIRS_SELECT=allocsel::Jemalloc"], libs),
        "allocsel-system": (sel + ["-DALLOCSEL_PAIRS_SELECT=allocsel::System"], libs),
        "allocsel-counting": (
            sel + ["-DALLOCSEL_PAIRS_SELECT=allocsel::Counting<allocsel::Jemalloc>"], libs),
        "allocsel-mimalloc": (sel + mi + ["-DALLOCSEL_PAIRS_SELECT=Mimalloc"],
                              libs + ["-lmimalloc"]),
        "direct-system": (nohdr + ["-DALLOCSEL_PAIRS_DIRECT=allocsel::System"], []),
        "direct-counting": (
            nohdr + ["-DALLOCSEL_PAIRS_DIRECT=allocsel::Counting<allocsel::Jemalloc>"], [je]),
        "direct-mimalloc": (nohdr + mi + ["-DALLOCSEL_PAIRS_DIRECT=Mimalloc"], ["-lmimalloc"]),
    }


# By default every loop and function of pairs.cpp starts on a 64-byte
# boundary in every configuration, so that where the linker happens to place
# the benchmark's own loops (which differs between configurations that link
# different code) does not decide a workload's time: unaligned, the vector
# workload's push_back loop alone moves its time by 20% between programs
# whose allocation paths are the same (docs/performance.md).
# --no-align-code shows that.
ALIGN_CODE = ["-falign-loops=64", "-mllvm", "-align-all-functions=6"]


def build_all(build, out, only=None, extra=()):
    os.makedirs(out, exist_ok=True)
    src = os.path.join(HERE, "pairs.cpp")
    built = []
    for name, (cmd, libs) in configurations(build).items():
        if only and name not in only:
            continue
        exe = os.path.join(out, name)
        r = subprocess.run([*cmd, *extra, src, *libs, "-o", exe], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"building {name} failed:\n{r.stderr}")
        built.append(name)
    return built


def env_for(name):
    env = dict(os.environ)
    # Keep the default on Jemalloc under valgrind (it would take System).
    env["ALLOCSEL_DEFAULT"] = "jemalloc"
    return env


def run(exe, args, env, tool=None):
    cmd = [exe, *args]
    if tool:
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stderr[-2000:]}")
    return r


def instructions(out, names, workloads):
    table = {}
    for w in workloads:
        if w == "threads":
            # valgrind runs one thread at a time: the consumer's spinning
            # would be counted. Times only.
            for n in names:
                table[(n, w)] = float("nan")
            continue
        (lo, hi), _ = WORKLOADS[w]
        for n in names:
            exe = os.path.join(out, n)
            vals = []
            for rounds in (lo, hi):
                r = run(exe, [w, str(rounds)], env_for(n), tool="callgrind")
                m = re.search(r"Collected : (\d+)", r.stderr)
                items = int(r.stdout.split()[0])
                vals.append((int(m.group(1)), items))
            (i1, n1), (i2, n2) = vals
            table[(n, w)] = (i2 - i1) / (n2 - n1)
            print(f"  insns {n} {w}: {table[(n, w)]:.1f}", file=sys.stderr, flush=True)
    return table


def shared_libraries(exe):
    """The shared libraries `exe` loads (ldd), by soname: path. Not the
    dynamic loader, which LD_LIBRARY_PATH cannot replace."""
    r = subprocess.run(["ldd", exe], capture_output=True, text=True, check=True)
    libs = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if m and "ld-linux" not in m.group(1):
            libs[m.group(1)] = m.group(2)
    return libs


def make_copies(out, names, count):
    """COUNT copies of each configuration's program and of the shared
    libraries it loads (libjemalloc.so.2 for -ljemalloc, libstdc++ and libc
    for all), made interleaved, each a new file with page-cache pages of its
    own. The same bytes run at different speeds from different files: where
    the kernel happens to put a file's pages decides up to 30% of a
    workload's time here (docs/performance.md, "Run from several copies"),
    and a file keeps its pages from run to run. Round r runs copy r % COUNT
    (copies/R/NAME with LD_LIBRARY_PATH=copies/R/lib), so every
    configuration's median is over several placements of its code, not one.
    Returns NAME -> [(program, library directory)]."""
    copies = {n: [] for n in names}
    libs = {n: shared_libraries(os.path.join(out, n)) for n in names}
    for i in range(count):
        d = os.path.join(out, "copies", str(i))
        shutil.rmtree(d, ignore_errors=True)  # new files, not old pages
        os.makedirs(os.path.join(d, "lib"))
        for n in names:
            shutil.copy2(os.path.join(out, n), os.path.join(d, n))
            for soname, path in libs[n].items():
                dst = os.path.join(d, "lib", soname)
                if not os.path.exists(dst):
                    shutil.copy2(path, dst)
            copies[n].append((os.path.join(d, n), os.path.join(d, "lib")))
    return copies


def times(out, names, workloads, threads, rounds_count, copies_count):
    samples = {}  # (name, workload, threads) -> [ns per item per round]
    copies = make_copies(out, names, copies_count)
    for r in range(rounds_count):
        for w in workloads:
            _, rounds = WORKLOADS[w]
            for t in threads:
                if w == "threads" and t != 1:
                    continue  # two threads by construction
                order = names[r % len(names):] + names[:r % len(names)]
                for n in order:
                    exe, libdir = copies[n][r % copies_count]
                    env = env_for(n)
                    env["LD_LIBRARY_PATH"] = libdir
                    res = run(exe, [w, str(rounds), str(t)], env)
                    items, ns = map(int, res.stdout.split())
                    samples.setdefault((n, w, t), []).append(ns / items)
        print(f"  time round {r + 1}/{rounds_count} done", file=sys.stderr, flush=True)
    return samples


def rss(out, names):
    result = {}
    for n in names:
        r = run(os.path.join(out, n), ["rss", "1000000"], env_for(n))
        result[n] = int(r.stdout.strip())
    return result


def fmt(x, digits=1):
    return f"{x:.{digits}f}"


def report(names, workloads, insns, samples, mem, threads, args):
    print("## Instructions per item (callgrind)\n")
    print("| workload | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for w in workloads:
        print(f"| {w} | " + " | ".join(fmt(insns[(n, w)]) for n in names) + " |")
    print("\n## allocsel against the direct replacement: instructions per item, difference\n")
    print("| comparison | " + " | ".join(workloads) + " |")
    print("|---|" + "---:|" * len(workloads))
    for a, b, label in COMPARISONS:
        if a in names and b in names:
            print(f"| {label} | " + " | ".join(
                f"{insns[(a, w)] - insns[(b, w)]:+.1f}" for w in workloads) + " |")
    if samples:
        print("\n## Time: throughput ratio allocsel / direct (ratio of the medians over "
              "rounds; then the median of the per-round ratios and their middle half, "
              "first..third quartile; above 1 = allocsel faster)\n")
        cols = [(w, t) for w in workloads for t in threads if not (w == "threads" and t != 1)]
        print("| comparison | " + " | ".join(
            f"{w}" + ("" if w == "threads" else f" {t}t") for w, t in cols) + " |")
        print("|---|" + "---:|" * len(cols))
        for a, b, label in COMPARISONS:
            if a not in names or b not in names:
                continue
            cells = []
            for w, t in cols:
                sa, sb = samples[(a, w, t)], samples[(b, w, t)]
                ratio = statistics.median(sb) / statistics.median(sa)
                # Each round runs every configuration back to back: the
                # per-round ratio pairs runs made under the same load.
                per = [y / x for x, y in zip(sa, sb)]
                q1, q2, q3 = statistics.quantiles(per, n=4) if len(per) > 1 else per * 3
                cells.append(f"{ratio:.2f} [{q2:.2f}: {q1:.2f}..{q3:.2f}]")
            print(f"| {label} | " + " | ".join(cells) + " |")
        print("\n## Time per item, ns (median)\n")
        print("| workload | " + " | ".join(names) + " |")
        print("|---|" + "---:|" * len(names))
        for w, t in cols:
            label = w if w == "threads" else f"{w} {t}t"
            print(f"| {label} | " + " | ".join(
                fmt(statistics.median(samples[(n, w, t)])) for n in names) + " |")
    if mem:
        print("\n## Resident memory of 1e6 live 16-byte objects\n")
        print("| configuration | KiB | bytes per object |")
        print("|---|---:|---:|")
        for n in names:
            print(f"| {n} | {mem[n]} | {mem[n] * 1024 / 1e6:.1f} |")
    print(f"\n(rounds: {args.rounds}; copies of each program: {args.copies}; load average before: {args.load_before}, after: "
          f"{open('/proc/loadavg').read().split()[0]}; cpus: {os.cpu_count()})")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rounds", type=int, default=5, help="timing rounds (default 5)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--configs", default=None, help="comma-separated subset")
    ap.add_argument("--no-insns", action="store_true")
    ap.add_argument("--no-times", action="store_true")
    ap.add_argument("--no-rss", action="store_true")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--copies", type=int, default=8,
                    help="copies of each program the timing rounds rotate through (default 8)")
    ap.add_argument("--no-align-code", dest="align_code", action="store_false",
                    help="leave the benchmark's loops where the linker puts them (by default "
                         "every loop and function of pairs.cpp is aligned to 64 bytes in every "
                         "configuration)")
    args = ap.parse_args()
    args.load_before = open("/proc/loadavg").read().split()[0]
    out = os.path.join(args.build, "bench-zero-cost")
    names = build_all(args.build, out, args.configs.split(",") if args.configs else None,
                      ALIGN_CODE if args.align_code else ())
    workloads = args.workloads.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    insns = {} if args.no_insns else instructions(out, names, workloads)
    samples = {} if args.no_times else times(out, names, workloads, threads, args.rounds,
                                                max(1, args.copies))
    mem = {} if args.no_rss else rss(out, names)
    if args.no_insns:
        insns = {(n, w): float("nan") for n in names for w in workloads}
    report(names, workloads, insns, samples, mem, threads, args)


if __name__ == "__main__":
    main()
