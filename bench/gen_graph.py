#!/usr/bin/env python3
"""Generates a translation unit shaped like generated code, for measuring how
the needs_allocator analysis scales with the size of a unit's call graph.

  gen_graph.py SHAPE N [pure|allocating|external]   prints the unit on stdout

With "allocating", the bottom of the graph allocates (f_0, or each h_i, calls
operator new), so every function reaches the global allocator; with
"external", it calls a function defined in another unit instead, so every
summary lists a call out of the unit. Both make every summary say something.

Shapes (N functions each):
  chain    f_i calls f_{i-1}; every function exported
  ring     f_i calls f_{(i+1) mod N}; every function exported
  static-ring  the same ring of static functions, each also called from an
           exported entry point e_i (N entry points share one big component)
  table    a table of N function pointers and N exported functions that each
           call through it (generated dispatch code)
"""
import sys

def main():
    shape, n = sys.argv[1], int(sys.argv[2])
    kind = sys.argv[3] if len(sys.argv) > 3 else "pure"
    leaf = {"pure": "", "allocating": "delete new int(x); ", "external": "ext(x); "}[kind]
    out = ["int ext(int);"]
    w = out.append
    if shape == "chain":
        w(f"int f_0(int x) {{ {leaf}return x; }}")
        for i in range(1, n):
            w(f"int f_{i}(int x) {{ return f_{i-1}(x) + 1; }}")
    elif shape in ("ring", "static-ring"):
        storage = "static " if shape == "static-ring" else ""
        for i in range(n):
            w(f"{storage}int f_{i}(int x);")
        for i in range(n):
            w(f"{storage}int f_{i}(int x) {{ {leaf if i == 0 else ''}"
              f"return x > 0 ? f_{(i + 1) % n}(x - 1) : 0; }}")
        if shape == "static-ring":
            for i in range(n):
                w(f"int e_{i}(int x) {{ return f_{i}(x); }}")
    elif shape == "table":
        for i in range(n):
            w(f"static int h_{i}(int x) {{ {leaf}return x + {i}; }}")
        w("int (*const table[])(int) = {")
        w(",\n".join(f"  h_{i}" for i in range(n)))
        w("};")
        for i in range(n):
            w(f"int d_{i}(int x) {{ return table[(x + {i}) % {n}](x); }}")
    else:
        sys.exit(f"unknown shape {shape}")
    print("\n".join(out))

main()
