#!/usr/bin/env python3
"""How the needs_allocator analysis scales: compile time of generated units
(bench/gen_graph.py) of N functions, with and without the plugin, and the
plugin's own work counts (-fplugin-arg-allocsel-stats).

  bench/graph_bench.py [--sizes 1000,10000,100000] [--shapes ...] [--kinds ...]

CPU time of each compile (user + system, from wait4), the best of --runs;
prints a Markdown table for docs/performance.md.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cpu(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read().decode()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{out[:2000]}")
    return usage.ru_utime + usage.ru_stime, out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clang", default="/usr/lib/llvm-19/bin/clang++")
    ap.add_argument("--plugin", default=os.path.join(ROOT, "build/lib/allocsel.so"))
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--shapes", default="chain,ring,static-ring,table")
    ap.add_argument("--kinds", default="pure,allocating,external")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    print("| shape | kind | N | plain (s) | plugin (s) | ratio | functions read | calls | search steps |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "unit.cpp")
        for shape in args.shapes.split(","):
            for kind in args.kinds.split(","):
                for n in map(int, args.sizes.split(",")):
                    with open(src, "w") as f:
                        subprocess.run([sys.executable, os.path.join(HERE, "gen_graph.py"),
                                        shape, str(n), kind], stdout=f, check=True)
                    base = [args.clang, "-std=c++20", "-c", src, "-o", os.devnull]
                    plain = min(cpu(base)[0] for _ in range(args.runs))
                    runs = [cpu(base + [f"-fplugin={args.plugin}",
                                        "-fplugin-arg-allocsel-stats"])
                            for _ in range(args.runs)]
                    plugin = min(t for t, _ in runs)
                    m = re.search(r"(\d+) functions read, (\d+) calls, (\d+) search steps",
                                  runs[0][1])
                    fr, calls, steps = m.groups() if m else ("?", "?", "?")
                    print(f"| {shape} | {kind} | {n} | {plain:.2f} | {plugin:.2f} | "
                          f"{plugin / plain:.2f} | {fr} | {calls} | {steps} |", flush=True)


if __name__ == "__main__":
    main()
