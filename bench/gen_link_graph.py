#!/usr/bin/env python3
"""Generates N objects whose calls cross units in one shape, for measuring
and testing how allocsel-link check scales with the program (not the unit).

  gen_link_graph.py [--build build] [--cxx CLANG++] [--cache DIR] SHAPE N OUTDIR

Each shape's units are real compiler output with real plugin records: a
template unit is compiled once per role with the plugin, and each of the N
objects is a copy whose names (functions, unit, file) are patched to its
number: the names are the same length in every copy, so the records and
symbol tables stay valid. OUTDIR gets u000000.o ... and sel.o, the unit that
selects a global allocator whose `alloc` starts the shape (and one that
allocates, where the shape needs it). The objects to check are printed, one
per line. With --cache, a unit compiled before with the same source,
compiler, plugin and flags is copied from DIR instead (several sizes of one
shape share their templates).

Shapes:
  chain      unit k's first function calls unit k-1's last; unit 0
             allocates; alloc calls unit N-1: one chain through every unit
  ring       unit k calls unit (k+1) mod N; unit 0 also allocates
  fan-out    alloc calls a dispatcher that calls every unit; only the last
             allocates
  fan-in     every unit calls one hub that allocates; alloc calls unit 0
  allocator-chain
             the chain, every unit '#pragma allocsel allocator' (each of its
             functions is a root: N x 2 roots, one chain)
  pointers   each unit takes the address of its own callback of one type and
             calls through a pointer of that type; one callback allocates;
             alloc calls unit 0
  virtual    each unit defines and constructs an override of one virtual
             method, which calls a function of another unit that allocates
             (every override reaches the allocation), makes a virtual call
             of the method, takes its address as a pointer to member and
             calls through one; one more unit's override allocates itself;
             alloc calls unit 0
  clean      the chain without the allocation (nothing to report)
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SELF, PREV, NEXT = "QQQQQQ", "PPPPPP", "RRRRRR"

# The templates by shape: (the source of unit k, the source of the unit whose
# alloc starts it). SELF, PREV and NEXT are the numbers of unit k, k-1, k+1.
CHAIN = f"""
void c_{PREV}_last();
void c_{SELF}_first() {{ c_{PREV}_last(); }}
void c_{SELF}_last() {{ c_{SELF}_first(); }}
"""
CHAIN_BOTTOM = """
int *g_bottom;
void c_{0}_last() {{ g_bottom = new int(1); }}
"""
RING = f"""
void r_{NEXT}_entry();
void r_{SELF}_entry() {{ r_{NEXT}_entry(); }}
"""
FAN_OUT = f"""
void f_{SELF}_leaf() {{}}
"""
FAN_OUT_LAST = """
int *g_leaf;
void f_{0}_leaf() {{ g_leaf = new int(1); }}
"""
FAN_IN = f"""
void hub();
void h_{SELF}_spoke() {{ hub(); }}
"""
HUB = """
int *g_hub;
void hub() { g_hub = new int(1); }
"""
POINTERS = f"""
typedef void (*callback)(int);
static void p_{SELF}_cb(int) {{}}
callback p_{SELF}_hook = &p_{SELF}_cb;
void p_{SELF}_run(callback f) {{ f(1); }}
void p_{SELF}_call();
void p_{SELF}_call() {{ callback g = p_{SELF}_hook; g(2); }}
"""
POINTERS_ALLOC = """
typedef void (*callback)(int);
int *g_cb;
static void alloc_cb(int n) { g_cb = new int(n); }
callback alloc_hook = &alloc_cb;
"""

VIRTUAL = f"""
struct Sink {{ virtual void put(int n) = 0; }};
void v_note(int n);
struct V_{SELF} : Sink {{ void put(int n) override {{ v_note(n); }} }};
static V_{SELF} v_{SELF}_obj;
Sink *v_{SELF}_sink = &v_{SELF}_obj;
void (Sink::*v_{SELF}_pm)(int) = &Sink::put;
void v_{SELF}_call() {{ v_{SELF}_sink->put(1); }}
void v_{SELF}_mcall() {{ (v_{SELF}_sink->*v_{SELF}_pm)(2); }}
"""
VIRTUAL_ALLOC = """
struct Sink { virtual void put(int n) = 0; };
int *g_note;
void v_note(int n) { g_note = new int(n); }
struct VAlloc : Sink { int *p = nullptr; void put(int n) override { p = new int(n); } };
static VAlloc valloc_obj;
Sink *valloc_sink = &valloc_obj;
"""

SELECT = """#include <allocsel/alloc.h>
{decls}
struct A {{
  void *alloc(allocsel::Layout l) const noexcept {{ {calls} return allocsel::System{{}}.alloc(l); }}
  void dealloc(void *p, allocsel::Layout l) const noexcept {{ allocsel::System{{}}.dealloc(p, l); }}
}};
[[global_allocator]] constinit A GLOBAL{{}};
"""


def num(k):
    return f"{k:06d}"


class Generator:
    def __init__(self, build, cxx, out, cache=None):
        self.build, self.cxx, self.out, self.cache = build, cxx, out, cache
        self.plugin = os.path.join(build, 'lib', 'allocsel.so')
        self.flags = ["-std=c++20", "-O1", f"-fplugin={self.plugin}",
                      f"-I{os.path.join(build, 'include')}"]
        self.templates = {}

    def compile(self, source, name):
        """OUTDIR/NAME.o, compiled from source (NAME.cpp), or copied from the
        cache, where it was compiled as DIR/KEY/NAME.cpp."""
        path = os.path.join(self.out, name)
        if not self.cache:
            self.compile_to(source, path)
            return path + ".o"
        plugin = os.stat(self.plugin)
        key = hashlib.sha1("\0".join([self.cxx, *self.flags, str(plugin.st_size),
                                       str(plugin.st_mtime_ns), name, source]).encode())
        cached = os.path.join(self.cache, key.hexdigest()[:20], name)
        if not os.path.exists(cached + ".o"):
            os.makedirs(os.path.dirname(cached), exist_ok=True)
            self.compile_to(source, cached)
        shutil.copyfile(cached + ".o", path + ".o")
        return path + ".o"

    def compile_to(self, source, path):
        with open(path + ".cpp", "w") as f:
            f.write(source)
        subprocess.run([self.cxx, *self.flags, "-c", path + ".cpp", "-o", path + ".o.tmp"],
                       check=True)
        os.replace(path + ".o.tmp", path + ".o")
        os.remove(path + ".cpp")

    def copies(self, source, n, prefix=""):
        """Unit k (0 <= k < n) of `source`, patched from one compile."""
        tmpl = self.compile(prefix + source, f"t{SELF}")
        data = open(tmpl, "rb").read()
        os.remove(tmpl)
        pattern = re.compile(("|".join((SELF, PREV, NEXT))).encode())
        paths = []
        for k in range(n):
            values = {SELF.encode(): num(k).encode(), PREV.encode(): num(k - 1 if k else n).encode(),
                      NEXT.encode(): num((k + 1) % n).encode()}
            path = os.path.join(self.out, f"u{num(k)}.o")
            with open(path, "wb") as f:
                f.write(pattern.sub(lambda m: values[m.group(0)], data))
            paths.append(path)
        return paths

    def select(self, decls, calls):
        return self.compile(SELECT.format(decls=decls, calls=calls), "sel")


def generate(shape, n, g):
    if shape in ("chain", "clean", "allocator-chain"):
        prefix = "#pragma allocsel allocator\n" if shape == "allocator-chain" else ""
        objs = g.copies(CHAIN, n, prefix)
        # Unit 0's first calls "unit n" (PREV of 0): the bottom.
        bottom = CHAIN_BOTTOM if shape != "clean" else "void c_{0}_last() {{}}\n"
        objs.append(g.compile(bottom.format(num(n)), "bottom"))
        top = f"c_{num(n - 1)}_last"
        objs.append(g.select(f"void {top}();", f"{top}();"))
    elif shape == "ring":
        objs = g.copies(RING, n)
        objs.append(g.compile(HUB, "hub"))
        objs.append(g.select("void r_000000_entry(); void hub();", "r_000000_entry(); hub();"))
    elif shape == "fan-out":
        objs = g.copies(FAN_OUT, n - 1)
        objs.append(g.compile(FAN_OUT_LAST.format(num(n - 1)), "last"))
        decls = "".join(f"void f_{num(k)}_leaf();" for k in range(n))
        objs.append(g.compile(decls + "void dispatch() {" +
                              "".join(f"f_{num(k)}_leaf();" for k in range(n)) + "}\n", "dispatch"))
        objs.append(g.select("void dispatch();", "dispatch();"))
    elif shape == "fan-in":
        objs = g.copies(FAN_IN, n)
        objs.append(g.compile(HUB, "hub"))
        objs.append(g.select("void h_000000_spoke();", "h_000000_spoke();"))
    elif shape == "pointers":
        objs = g.copies(POINTERS, n)
        objs.append(g.compile(POINTERS_ALLOC, "alloc_cb"))
        objs.append(g.select("void p_000000_call();", "p_000000_call();"))
    elif shape == "virtual":
        objs = g.copies(VIRTUAL, n)
        objs.append(g.compile(VIRTUAL_ALLOC, "valloc"))
        objs.append(g.select("void v_000000_call(); void v_000000_mcall();",
                             "v_000000_call(); v_000000_mcall();"))
    else:
        sys.exit(f"gen_link_graph.py: unknown shape '{shape}'")
    return objs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--cxx", default="/usr/lib/llvm-19/bin/clang++")
    ap.add_argument("--cache", help="a directory of units compiled before (kept between runs)")
    ap.add_argument("shape")
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for p in generate(a.shape, a.n, Generator(a.build, a.cxx, a.out, a.cache)):
        print(p)


if __name__ == "__main__":
    main()
