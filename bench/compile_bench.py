#!/usr/bin/env python3
"""What the allocsel plugin costs a real build: compile time and object size.

usage: python3 bench/compile_bench.py [--build build] [--runs 5] [--opt -O2]
       python3 bench/compile_bench.py --cmake SOURCE_DIR [--runs 5] [--target T]
                                      [-- CMAKE_ARGS...]

--cmake: your own project, whole. SOURCE_DIR is configured twice with Clang
19 (Release unless CMAKE_ARGS say otherwise): once plainly, once with
allocsel's plugin and include directory on every compile
(CMAKE_CXX_FLAGS/CMAKE_C_FLAGS from allocsel-config --cxxflags; links are
left alone, so only the compile cost is measured). Then clean rebuilds
alternate between the two, --runs times each (the first of each is a
warm-up for the page cache and is not counted), and the script reports the
median CPU time (user + system of the build and all its children) each way
and their ratio, and the wall-clock medians. On a noisy machine only a
benchmark that alternates and repeats tells the two apart; the CPU ratio is
the number to quote.

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
import sys
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


def cpu_of(cmd, **kw):
    """(CPU seconds of `cmd` and its children, wall seconds)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err.decode()[-3000:]}")
    return usage.ru_utime + usage.ru_stime, wall


def whole_build(args, cmake_args):
    config = os.path.join(args.build, "bin", "allocsel-config")
    flags = subprocess.run([config, "--cxx=" + CLANGXX, "--cxxflags"], check=True,
                           capture_output=True, text=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="allocsel-whole-build-")
    dirs = {}
    for variant in ("plain", "allocsel"):
        d = dirs[variant] = os.path.join(work, variant)
        extra = [f"-DCMAKE_CXX_FLAGS={flags}", f"-DCMAKE_C_FLAGS={flags}"] \
            if variant == "allocsel" else []
        build_type = [] if any(a.startswith("-DCMAKE_BUILD_TYPE") for a in cmake_args) \
            else ["-DCMAKE_BUILD_TYPE=Release"]
        subprocess.run(["cmake", "-S", args.cmake, "-B", d, "-G", "Ninja",
                        f"-DCMAKE_CXX_COMPILER={CLANGXX}",
                        f"-DCMAKE_C_COMPILER={CLANGXX[:-2]}", *build_type, *extra, *cmake_args],
                       check=True, stdout=subprocess.DEVNULL)
    cpu = {"plain": [], "allocsel": []}
    wall = {"plain": [], "allocsel": []}
    target = [args.target] if args.target else []
    for run in range(args.runs + 1):
        for variant in ("plain", "allocsel") if run % 2 == 0 else ("allocsel", "plain"):
            d = dirs[variant]
            subprocess.run(["cmake", "--build", d, "--target", "clean"], check=True,
                           stdout=subprocess.DEVNULL)
            c, w = cpu_of(["cmake", "--build", d, "-j", str(os.cpu_count()), *(
                ["--target", *target] if target else [])])
            if run:  # the first round warms the caches
                cpu[variant].append(c)
                wall[variant].append(w)
            print(f"run {run} {variant}: CPU {c:.1f} s, wall {w:.1f} s", flush=True)
    p, a = statistics.median(cpu["plain"]), statistics.median(cpu["allocsel"])
    pw, aw = statistics.median(wall["plain"]), statistics.median(wall["allocsel"])
    print(f"{args.cmake}: {args.runs} clean rebuilds each way, alternating")
    print(f"CPU  plain {p:.1f} s, with the plugin {a:.1f} s: ratio {a / p:.3f}")
    print(f"wall plain {pw:.1f} s, with the plugin {aw:.1f} s: ratio {aw / pw:.3f}")
    if not args.keep:
        import shutil
        shutil.rmtree(work, ignore_errors=True)


def main():
    argv = sys.argv[1:]
    cmake_args = []
    if "--" in argv:
        cmake_args = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--opt", default="-O2")
    ap.add_argument("--cmake", help="a CMake project's source directory: its whole build")
    ap.add_argument("--target", help="with --cmake: build this target only")
    ap.add_argument("--keep", action="store_true", help="with --cmake: keep the build trees")
    args = ap.parse_args(argv)
    if args.cmake:
        return whole_build(args, cmake_args)
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
