#!/usr/bin/env python3
"""Compiles real code with allocsel's plugin and compares with plain clang.

The corpus is real headers, each included alone in a unit compiled with -c:
  boost  Debian's libboost-dev: every public header, i.e. boost/*.hpp and
         boost/<library>/*.hpp outside detail/, impl/, aux_/ and preprocessed/
  std    every standard library header of libstdc++
in several standards (boost: C++17 and C++20; std: C++11 to C++2b) and two
plugin modes:
  default    the plugin as a build loads it (the analysis builds the unit's
             summary from every exported function)
  selection  -fplugin-arg-allocsel-strict and a one-line -include that
             selects allocsel::System, so the analysis also runs from a root
             (C++17 and later: <allocsel/alloc.h> needs C++17)
  strict     -fplugin-arg-allocsel-strict alone, for the units that cannot
             take a selection (the standard headers in C++11 and C++14)

A unit passes when the plugin's compile ends like the plain compile (same
exit status; a status of 0 is taken as the plain one, which is checked
whenever the plugin's compile fails or --measure is given) and prints
nothing that mentions allocsel. A crash (a signal, a status above 1, a clang
crash report) or a hang (--timeout) fails it.

  corpus.py --sample 60         a deterministic sample (CI)
  corpus.py --measure           the whole corpus, with plain-compile times
  corpus.py --slice 4000:       the units from the 4000th on, in the corpus's
                                order (the order progress lines count in)

Prints one line per failure (with the command that reproduces it) and a
summary; exits 1 if any unit failed.
"""

import argparse
import concurrent.futures
import hashlib
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time

BOOST_ROOT = "/usr/include/boost"
SKIPPED_DIRS = {"detail", "impl", "aux_", "preprocessed"}
STD_STANDARDS = ["c++11", "c++14", "c++17", "c++20", "c++2b"]
BOOST_STANDARDS = ["c++17", "c++20"]
ALLOCSEL_OUTPUT = re.compile(r"^.*(\[allocsel-[a-z-]+\]|^allocsel\b).*$", re.M)
SELECTION = (
    "#include <allocsel/alloc.h>\n"
    "[[global_allocator]] allocsel::System allocsel_corpus_selection{};  // C++17 and later\n"
)


def boost_headers():
    if not os.path.isdir(BOOST_ROOT):
        sys.exit(f"corpus.py: {BOOST_ROOT} is missing: install Debian's libboost-dev")
    out = []
    for name in sorted(os.listdir(BOOST_ROOT)):
        path = os.path.join(BOOST_ROOT, name)
        if name.endswith(".hpp"):
            out.append("boost/" + name)
        elif os.path.isdir(path) and name not in SKIPPED_DIRS:
            for sub in sorted(os.listdir(path)):
                if sub.endswith(".hpp"):
                    out.append(f"boost/{name}/{sub}")
    return out


def std_headers(clang):
    """The standard headers of the C++ library clang uses, by name."""
    probe = subprocess.run(
        [clang, "-x", "c++", "-E", "-v", "-", "-o", "/dev/null"],
        input="", capture_output=True, text=True)
    dirs, inside = [], False
    for line in probe.stderr.splitlines():
        if line.startswith("#include <...>"):
            inside = True
        elif line.startswith("End of search list"):
            break
        elif inside:
            dirs.append(line.strip())
    for d in dirs:  # the first directory that has <vector> is the C++ library
        if os.path.exists(os.path.join(d, "vector")):
            names = [n for n in sorted(os.listdir(d))
                     if os.path.isfile(os.path.join(d, n)) and "." not in n]
            return names
    sys.exit("corpus.py: cannot find the C++ standard library headers")


def units(args):
    out = []
    if args.corpus in ("boost", "all"):
        for h in boost_headers():
            for std in BOOST_STANDARDS:
                out += [(h, std, "default"), (h, std, "selection")]
    if args.corpus in ("std", "all"):
        for h in std_headers(args.clang):
            for std in STD_STANDARDS:
                out.append((h, std, "default"))
                out.append((h, std, "strict" if std in ("c++11", "c++14") else "selection"))
    return [u for u in out if u[2] in args.modes.split(",")]


def sample(all_units, n):
    """n units whatever the machine: the first n by a hash of their name."""
    key = lambda u: hashlib.sha1("|".join(u).encode()).hexdigest()
    return sorted(sorted(all_units, key=key)[:n])


def run(cmd, source, timeout):
    """(exit status or None on timeout, output, CPU seconds of the compile)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as src:
        src.write(source.encode())
        src.seek(0)
        p = subprocess.Popen(cmd, stdin=src, stdout=out, stderr=subprocess.STDOUT)
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            p.kill()
        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)  # the child's own CPU time
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode(errors="replace")
    if timed_out.is_set():
        return None, output, usage.ru_utime + usage.ru_stime
    return p.returncode, output, usage.ru_utime + usage.ru_stime


def check(unit, args, selection_file):
    header, std, mode = unit
    source = f"#include <{header}>\n"
    base = [args.clang, f"-std={std}", "-O0", "-c", "-x", "c++", "-", "-o", "/dev/null",
            f"-I{args.include}"]
    plugin = base + [f"-fplugin={args.plugin}"]
    if mode in ("selection", "strict"):
        plugin += ["-fplugin-arg-allocsel-strict"]
    if mode == "selection":
        plugin += ["-include", selection_file]
    status, output, seconds = run(plugin, source, args.timeout)
    result = {"unit": unit, "seconds": seconds, "plain_seconds": None, "problem": None,
              "command": f"echo '#include <{header}>' | " + shlex.join(plugin)}
    if status is None:
        result["problem"] = f"hang (more than {args.timeout} s)"
        return result
    if status < 0 or status > 1 or "PLEASE submit a bug report" in output:
        result["problem"] = f"crash (exit status {status})"
        return result
    # An allocsel diagnostic carries its name; the plugin's other messages
    # start with "allocsel". (Clang's own errors may name allocsel's
    # namespace in a typo correction when the selection header is included.)
    noise = ALLOCSEL_OUTPUT.search(output)
    if noise:
        line = noise.group(0)
        result["problem"] = f"allocsel output: {line[:200]}"
        return result
    if status != 0 or args.measure:
        plain_status, _, plain_seconds = run(base, source, args.timeout)
        result["plain_seconds"] = plain_seconds
        if plain_status != status:
            result["problem"] = f"exit status {status}, without the plugin {plain_status}"
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clang", default="clang++-19")
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--include", required=True, help="where <allocsel/alloc.h> is")
    ap.add_argument("--corpus", choices=["boost", "std", "all"], default="all")
    ap.add_argument("--sample", type=int, help="check only this many units")
    ap.add_argument("--slice", metavar="START:END",
                    help="check only units START to END-1 of the corpus's order (either may be "
                         "left out): to resume a whole run, or split it")
    ap.add_argument("--modes", default="default,selection,strict",
                    help="plugin modes to run (default,selection,strict)")
    ap.add_argument("--measure", action="store_true",
                    help="also time every plain compile (for the time ratio)")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    todo = units(args)
    total = len(todo)
    if args.slice:
        start, _, end = args.slice.partition(":")
        todo = todo[int(start or 0):int(end) if end else None]
    if args.sample:
        todo = sample(todo, args.sample)
    print(f"corpus: {len(todo)} of {total} units "
          f"(headers x standards x modes), {args.jobs} jobs", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        selection_file = os.path.join(tmp, "selection.h")
        with open(selection_file, "w") as f:
            f.write(SELECTION)
        results, started = [], time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(check, u, args, selection_file) for u in todo]
            for i, fut in enumerate(concurrent.futures.as_completed(futures), 1):
                r = fut.result()
                results.append(r)
                if r["problem"]:
                    print(f"FAIL {' '.join(r['unit'])}: {r['problem']}\n  {r['command']}",
                          flush=True)
                if i % 250 == 0:
                    print(f"corpus: {i}/{len(todo)} done", flush=True)

    kinds = {"crash": 0, "hang": 0, "allocsel output": 0, "exit status": 0}
    for r in results:
        for k in kinds:
            if r["problem"] and r["problem"].startswith(k):
                kinds[k] += 1
    timed = [r for r in results if r["plain_seconds"]]
    ratio = ""
    if timed:
        with_plugin = sum(r["seconds"] for r in timed if r["unit"][2] == "default")
        plain = sum(r["plain_seconds"] for r in timed if r["unit"][2] == "default")
        if plain:
            ratio = (f", CPU time with/without the plugin {with_plugin / plain:.3f} "
                     f"({len(timed)} units timed)")
    print(f"corpus: {len(results)} units, {kinds['crash']} crashes, {kinds['hang']} hangs, "
          f"{kinds['allocsel output']} with allocsel output, "
          f"{kinds['exit status']} exit-status mismatches{ratio}; "
          f"{time.monotonic() - started:.0f} s")
    return 1 if any(r["problem"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
