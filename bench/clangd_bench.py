#!/usr/bin/env python3
"""allocsel-clangd's costs in an editor (docs/performance.md).

    python3 bench/clangd_bench.py [--build build] [--edits 20] [--opens 5] [--requests 40]
        [--file UNIT --flags FLAGS]... [--hosted-off] [--parallel] [--no-preambles]

1. Open and edit to diagnostics: a generated 2,000-line file that includes
   <vector>, <string>, <map> and <memory> and selects an allocator lacking
   'dealloc' (and, with --file, real projects' units in place) is opened
   --opens times, by fresh servers in turn (clangd alone, then
   allocsel-clangd in each mode: the ratios compare servers that ran under
   the same load), then opened once more and edited (a comment line
   inserted in its body, after the preamble). Measured for each open and
   edit: to clangd's diagnostics of that version (the publish carrying it,
   as it arrives), and to allocsel's first verdict on it (the time
   allocsel-clangd's log gives for its publish of that version with
   allocsel's fresh diagnostics, from clangd's own parse where it runs
   allocsel's checks, else from allocsel's run: diagnostics moved with an
   edit are not a verdict). Edits are sequential: the next one once both
   arrived and the server has been quiet for a second. The same in clangd
   alone (clangd-19 directly). Ratios: allocsel's to clangd alone's, the
   goal is 1.2 or less, and allocsel's to clangd's through allocsel-clangd;
   --hosted-off, --parallel and --no-preambles add those modes.

2. The proxy's own cost: hover and completion requests at the same
   positions, alternately through allocsel-clangd and to clangd directly
   (both servers running, the file open in both, no edits in between).
   Ratio = median(direct) / median(through the proxy): 1.00 means no cost,
   0.95 means the proxy makes a round-trip 5% slower.
"""

import argparse
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "editor", "Inputs"))
from lspclient import Client  # noqa: E402

HEADER = """#include <allocsel/alloc.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

// Only half an allocator: allocsel-not-alloc.
struct OnlyAlloc {
  void *alloc(allocsel::Layout) const noexcept;
};
[[global_allocator]] constinit OnlyAlloc Missing{};
"""

FUNCTION = """
struct Record{i} {{
  std::string name;
  std::vector<int> values;
  std::map<std::string, std::unique_ptr<int>> index;
}};
int process{i}(Record{i} &r, const std::vector<std::string> &keys) {{
  int total = 0;
  for (const auto &k : keys) {{
    r.index[k] = std::make_unique<int>(static_cast<int>(k.size()));
    r.values.push_back(*r.index[k]);
    total += r.values.back();
  }}
  r.name = std::to_string(total) + r.name;
  return total + static_cast<int>(r.values.size());
}}
"""


def generate(path, lines=2000):
    text = HEADER
    i = 0
    while text.count("\n") + FUNCTION.count("\n") <= lines - 3:
        text += FUNCTION.format(i=i)
        i += 1
    text += "int use() { Record0 r; std::vector<std::string> k{\"a\"}; return process0(r, k); }\n"
    while text.count("\n") < lines:
        text += "// filler\n"
    with open(path, "w") as f:
        f.write(text)
    return text


def verdict_time(log, path, v, timeout=300):
    """When allocsel-clangd published its first verdict on version v of path
    (its log's time stamp: the merged publish with allocsel's fresh
    diagnostics, or with none; from clangd's parse, where clangd runs
    allocsel's checks, or from allocsel's own run)."""
    rx = re.compile(r"^(\S+) published %d %s(?: from clangd)?$" % (v, re.escape(path)), re.M)
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(log) as f:
            m = rx.search(f.read())
        if m:
            return float(m.group(1))
        time.sleep(0.01)
    raise TimeoutError("no verdict on version %d" % v)


def latencies(cmd, root, name, edits, log, edit_line, args=()):
    """Open, then `edits` edits (a comment line inserted at `edit_line`, in
    the body: the preamble stays): per event (to clangd's diagnostics of
    that version, to allocsel's verdict on it), in seconds from the
    didOpen or didChange; allocsel's None without a log (plain clangd)."""
    c = Client(list(cmd) + list(args), root, log=log)
    uri = c.uri(name)
    path = c.path(name)
    out = []
    for k in range(0, edits + 1):
        t0 = time.time()
        if k == 0:
            c.open(name)
            v = 1
        else:
            v = c.change(name, edits=[({"start": {"line": edit_line, "character": 0},
                                        "end": {"line": edit_line, "character": 0}},
                                       "// edit %d\n" % k)])
        seen = {}

        def done():
            if "clangd" not in seen and c.diag_versions.get(uri) == v:
                seen["clangd"] = time.time()
            return "clangd" in seen

        # Checked at every message: the time is the message's arrival.
        c.wait(done, 300, "clangd's diagnostics of version %d" % v)
        allocsel = verdict_time(log, path, v) - t0 if log else None
        out.append((seen["clangd"] - t0, allocsel))
        c.wait_quiet(1.0)
    c.finish()
    return out[0], out[1:]


def open_and_wait(cmd, root, name, log=None):
    c = Client(cmd, root, log=log)
    c.open(name)
    if log:
        c.settle(name, 1, quiet=1.0, timeout=300)
    else:
        c.wait(lambda: c.diag_versions.get(c.uri(name)) == 1, 300, "clangd")
        c.wait_quiet(1.0)
    return c


def round_trips(proxy_cmd, direct_cmd, root, name, n, rounds):
    """Per round, fresh servers (created in alternating order: two clangd
    instances differ by several percent on their own) and n requests of each
    kind, alternating sides. Returns {kind: [(median proxy, median direct)]}
    per round, and the same for a control pair of two direct clangds."""
    lines = open(os.path.join(root, name)).read().split("\n")
    # Hover on 'push_back', completion after 'r.' in the first function.
    hl = next(i for i, l in enumerate(lines) if "r.values.push_back" in l)
    hc = lines[hl].index("push_back") + 2
    cl = next(i for i, l in enumerate(lines) if "r.name = " in l)
    cc = lines[cl].index("r.name") + 2
    out = {}
    for label, first_cmd in (("proxy", proxy_cmd), ("control", direct_cmd)):
        res = {"hover": [], "completion": []}
        for r in range(rounds):
            log = os.path.join(root, "rt.log") if first_cmd is proxy_cmd else None
            if r % 2 == 0:
                a = open_and_wait(first_cmd, root, name, log)
                b = open_and_wait(direct_cmd, root, name)
            else:
                b = open_and_wait(direct_cmd, root, name)
                a = open_and_wait(first_cmd, root, name, log)
            times = {k: ([], []) for k in res}
            for i in range(n):
                for kind, method, pos in (("hover", "textDocument/hover", (hl, hc)),
                                          ("completion", "textDocument/completion", (cl, cc))):
                    order = [(0, a), (1, b)] if i % 2 == 0 else [(1, b), (0, a)]
                    for side, c in order:
                        params = {"textDocument": {"uri": c.uri(name)},
                                  "position": {"line": pos[0], "character": pos[1]}}
                        t0 = time.monotonic()
                        resp = c.request(method, params)
                        times[kind][side].append(time.monotonic() - t0)
                        assert resp.get("result"), (kind, resp)
            for k in res:
                res[k].append((statistics.median(times[k][0]), statistics.median(times[k][1])))
            a.finish()
            b.finish()
        out[label] = res
    return out


ECHO_SERVER = r"""
import json, os, sys
buf, fd = b"", sys.stdin.fileno()
while True:
    while b"\r\n\r\n" not in buf:
        c = os.read(fd, 65536)
        if not c:
            sys.exit(0)
        buf += c
    h, _, rest = buf.partition(b"\r\n\r\n")
    n = int(h.split(b":")[1])
    while len(rest) < n:
        rest += os.read(fd, 65536)
    m, buf = json.loads(rest[:n]), rest[n:]
    if "id" in m and "method" in m:
        r = {"capabilities": {}} if m["method"] == "initialize" else {"contents": "x"}
        b = json.dumps({"id": m["id"], "jsonrpc": "2.0", "result": r}).encode()
        os.write(1, b"Content-Length: %d\r\n\r\n" % len(b) + b)
    if m.get("method") == "exit":
        sys.exit(0)
"""


def echo_overhead(proxy_cmd, root, n=1000):
    """The proxy alone: a server that answers at once, direct vs through."""
    srv = os.path.join(root, "echo-server")
    with open(srv + ".py", "w") as f:
        f.write(ECHO_SERVER)
    with open(srv, "w") as f:
        f.write("#!/bin/sh\nexec %s %s.py\n" % (sys.executable, srv))
    os.chmod(srv, 0o755)
    p = Client(proxy_cmd + ["--clangd=" + srv], root)
    d = Client([srv], root)
    res = ([], [])
    for i in range(n):
        for side, c in ([(0, p), (1, d)] if i % 2 else [(1, d), (0, p)]):
            t0 = time.monotonic()
            c.request("textDocument/hover", {"textDocument": {"uri": "file:///x.cpp"},
                                             "position": {"line": 0, "character": 0}})
            res[side].append(time.monotonic() - t0)
    p.finish()
    d.finish()
    return statistics.median(res[0]), statistics.median(res[1])


def ms(x):
    return "%.0f ms" % (x * 1000) if x >= 0.01 else "%.2f ms" % (x * 1000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--clangd", default="clangd-19")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--skip-edits", action="store_true")
    ap.add_argument("--parallel", action="store_true",
                    help="also measure with ALLOCSEL_CLANGD_AFTER_CLANGD=0")
    ap.add_argument("--no-preambles", action="store_true",
                    help="also measure with ALLOCSEL_CLANGD_PREAMBLES=0")
    ap.add_argument("--opens", type=int, default=5,
                    help="rounds of opens (fresh servers, clangd alone and each mode in turn)")
    ap.add_argument("--hosted-off", action="store_true",
                    help="also ALLOCSEL_CLANGD_HOSTED=0 (allocsel's checks outside clangd's parse)")
    ap.add_argument("--file", action="append", default=[],
                    help="also a real project's unit (measured in place; may be repeated)")
    ap.add_argument("--flags", action="append", default=[],
                    help="the compile flags of the --file of the same rank")
    ap.add_argument("--skip-requests", action="store_true")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    proxy = [os.path.join(build, "bin", "allocsel-clangd")]
    direct = [args.clangd]
    root = tempfile.mkdtemp(prefix="allocsel-clangd-bench-")
    name = "big.cpp"
    text = generate(os.path.join(root, name))
    with open(os.path.join(root, "compile_flags.txt"), "w") as f:
        f.write("-std=c++20\n-I%s\n" % os.path.join(build, "include"))
    print("machine: %s, %d cores; file: %d lines" % (platform.processor() or platform.machine(),
                                                     os.cpu_count(), text.count("\n")))

    if not args.skip_edits:
        units = [(root, name, [], 200)]
        for i, f in enumerate(args.file):
            # A real project's unit, in place, with its flags: a compile
            # database in a directory of the benchmark's.
            f = os.path.abspath(f)
            cdb = os.path.join(root, "real%d" % i)
            os.makedirs(cdb, exist_ok=True)
            with open(os.path.join(cdb, "compile_commands.json"), "w") as out:
                json.dump([{"directory": os.path.dirname(f), "file": f, "arguments":
                            ["clang++", "-std=c++20"] +
                            shlex.split(args.flags[i] if i < len(args.flags) else "") +
                            ["-c", f]}], out)
            body = next(n for n, l in enumerate(open(f).read().split("\n"))
                        if l.strip() and not l.lstrip().startswith(("#", "//")))
            units.append((os.path.dirname(f), os.path.basename(f),
                          ["--compile-commands-dir=" + cdb], body + 1))
        modes = [("default", {})]
        if args.parallel:
            modes.append(("ALLOCSEL_CLANGD_AFTER_CLANGD=0", {"ALLOCSEL_CLANGD_AFTER_CLANGD": "0"}))
        if args.no_preambles:
            modes.append(("ALLOCSEL_CLANGD_PREAMBLES=0", {"ALLOCSEL_CLANGD_PREAMBLES": "0"}))
        if args.hosted_off:
            modes.append(("ALLOCSEL_CLANGD_HOSTED=0", {"ALLOCSEL_CLANGD_HOSTED": "0"}))
        for where, unit, extra, line in units:
            print("\n%s: open, then %d edits (a line inserted at line %d), medians:"
                  % (os.path.join(where, unit), args.edits, line + 1))
            # Opens: fresh servers, clangd alone and each mode in turn (the
            # machine's load changes between rounds, not within one).
            opens = {"alone": []}
            for _ in range(args.opens):
                (o, _), _ = latencies(direct, where, unit, 0, None, line, extra)
                opens["alone"].append(o)
                for label, env in modes:
                    saved = dict(os.environ)
                    os.environ.update(env)
                    try:
                        log = os.path.join(root, "opens.log")
                        (o, a), _ = latencies(proxy, where, unit, 0, log, line, extra)
                    finally:
                        os.environ.clear()
                        os.environ.update(saved)
                    opens.setdefault(label, []).append((o, a))
            d_open = statistics.median(opens["alone"])
            print("  open, median of %d rounds (fresh servers, in turn):" % args.opens)
            print("    clangd alone: clangd's diagnostics %s" % ms(d_open))
            for label, _ in modes:
                c_o = statistics.median(o for o, _ in opens[label])
                a_o = statistics.median(a for _, a in opens[label])
                print("    allocsel-clangd, %s: clangd's %s, allocsel's %s: %.2f of clangd alone "
                      "(allocsel's / clangd's through it %.2f)" % (label, ms(c_o), ms(a_o),
                                                                   a_o / d_open, a_o / c_o))
            (d_open1, _), d_edits = latencies(direct, where, unit, args.edits, None, line, extra)
            print("  clangd alone:            edit %s" % ms(statistics.median(c for c, _ in d_edits)))
            for label, env in modes:
                saved = dict(os.environ)
                os.environ.update(env)
                try:
                    log = os.path.join(root, "edits.log")
                    (c_open, a_open), p_edits = latencies(proxy, where, unit, args.edits, log,
                                                          line, extra)
                finally:
                    os.environ.clear()
                    os.environ.update(saved)
                c_edit = statistics.median(c for c, _ in p_edits)
                a_edit = statistics.median(a for _, a in p_edits)
                d_edit = statistics.median(c for c, _ in d_edits)
                print("  allocsel-clangd, %s:" % label)
                print("    edit: clangd's %s, allocsel's %s: ratio %.2f (median of per-edit "
                      "ratios %.2f; %.2f of clangd alone)" % (
                          ms(c_edit), ms(a_edit), a_edit / c_edit,
                          statistics.median(a / c for c, a in p_edits), a_edit / d_edit))

    if args.skip_requests:
        return
    ep, ed = echo_overhead(proxy, root)
    print("\nthe proxy alone (a server that answers at once), median of 1000:")
    print("  through allocsel-clangd %s, directly %s: %.0f us added per round trip"
          % (ms(ep), ms(ed), (ep - ed) * 1e6))

    res = round_trips(proxy, direct, root, name, args.requests, args.rounds)
    print("\nround trips on the 2,000-line file, %d rounds of %d requests of each kind;"
          " ratio = median(direct) / median(other), median over rounds:" % (args.rounds, args.requests))
    for kind in ("hover", "completion"):
        for label, title in (("proxy", "allocsel-clangd vs clangd"),
                             ("control", "clangd vs clangd (control)")):
            rounds = res[label][kind]
            ratios = [d / p for p, d in rounds]
            print("  %-10s %-28s %s vs %s, ratio %.3f (rounds: %s)" % (
                kind, title, ms(statistics.median(p for p, _ in rounds)),
                ms(statistics.median(d for _, d in rounds)), statistics.median(ratios),
                " ".join("%.2f" % x for x in ratios)))


if __name__ == "__main__":
    main()
