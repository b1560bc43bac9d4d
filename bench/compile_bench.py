#!/usr/bin/env python3
"""What the allocsel plugin costs a real build: compile time and object size.

usage: python3 bench/compile_bench.py [--build build] [--runs 5] [--opt -O2]

The real project is allocsel itself: its plugin, link tool, facts library
and runtime sources, compiled as its own build compiles them (C++17/20, LLVM
and Clang headers, -g). Each source is compiled with and without the plugin,
alternating, --runs times; the script reports the median time of the whole
build each way, their ratio, and the object sizes. The plugin's cost here is
all of it: the selection checks, the routes, the facts record and the
needs_allocator analysis with its call-graph summary, so it bounds what the
analysis alone adds.
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLANGXX = "/usr/lib/llvm-19/bin/clang++"


def sources():
    out = []
    for d in ("clang-plugin", "utils/allocsel-link", "utils/facts", "runtime/src"):
        for f in sorted(os.listdir(os.path.join(ROOT, d))):
            if f.endswith(".cpp"):
                out.append(os.path.join(ROOT, d, f))
    return out


def flags(build, src):
    inc = ["-I" + os.path.join(ROOT, "utils", "facts"), "-I" + os.path.join(build, "include"),
           "-I/usr/lib/llvm-19/include", "-D_GNU_SOURCE", "-D__STDC_CONSTANT_MACROS",
           "-D__STDC_FORMAT_MACROS", "-D__STDC_LIMIT_MACROS", '-DALLOCSEL_VERSION="bench"']
    std = "-std=c++20" if "runtime" in src else "-std=c++17"
    return [std, "-g", "-fno-rtti", *inc]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--opt", default="-O2")
    args = ap.parse_args()
    plugin = os.path.join(args.build, "lib", "allocsel.so")
    srcs = sources()
    work = tempfile.mkdtemp(prefix="allocsel-compile-bench-")
    times = {"plain": [], "allocsel": []}
    sizes = {}
    for run in range(args.runs):
        for variant in ("plain", "allocsel") if run % 2 == 0 else ("allocsel", "plain"):
            extra = ["-fplugin=" + plugin] if variant == "allocsel" else []
            total = 0.0
            for src in srcs:
                out = os.path.join(work, os.path.basename(src) + "." + variant + ".o")
                start = time.perf_counter()
                subprocess.run([CLANGXX, args.opt, *flags(args.build, src), *extra, "-c", src,
                                "-o", out], check=True)
                total += time.perf_counter() - start
                sizes[(src, variant)] = os.path.getsize(out)
            times[variant].append(total)
    plain, withp = statistics.median(times["plain"]), statistics.median(times["allocsel"])
    print(f"{len(srcs)} sources, {args.opt} -g, {args.runs} alternating runs each way")
    print(f"build time without the plugin: {plain:.2f} s (runs: "
          + ", ".join(f"{t:.2f}" for t in times["plain"]) + ")")
    print(f"build time with the plugin:    {withp:.2f} s (runs: "
          + ", ".join(f"{t:.2f}" for t in times["allocsel"]) + ")")
    print(f"time added: {(withp - plain) / plain * 100:+.2f}%")
    sp = sum(v for (s, k), v in sizes.items() if k == "plain")
    sw = sum(v for (s, k), v in sizes.items() if k == "allocsel")
    print(f"object bytes: {sp} without, {sw} with: {(sw - sp) / sp * 100:+.3f}%")
    worst = max(((sizes[(s, 'allocsel')] - sizes[(s, 'plain')]) / sizes[(s, 'plain')], s)
                for s in srcs)
    print(f"largest relative growth: {worst[0] * 100:.2f}% ({os.path.relpath(worst[1], ROOT)})")


if __name__ == "__main__":
    main()
