// Blocks (-fblocks) in C++ and C: a call through a block pointer has no
// function type clang can compare with a function's; the analysis once
// crashed on it. A block's body is read where the block is written.
// RUN: %cxx -fblocks -O2 -Werror -c %s -o /dev/null 2>&1 | count 0
// RUN: %cxx -fblocks -O2 -Werror -fplugin-arg-allocsel-strict -c %s -o /dev/null 2>&1 | count 0
// RUN: %cc -fblocks -x c -O2 -Werror -c %s -o /dev/null 2>&1 | count 0
// A block that allocates, called from an allocator member, is a chain: its
// body is part of the member that writes it.
// RUN: not %cxx -fblocks -fsyntax-only -DSELECT %s 2>&1 | FileCheck %s

int apply(int (^f)(int), int x) { return f(x); }
int twice(int x) {
  int (^dbl)(int) = ^(int v) { return 2 * v; };
  return apply(dbl, x) + dbl(x) + (^{ return 1; })();
}

#ifdef SELECT
#include <allocsel/alloc.h>
struct A {
  void *alloc(allocsel::Layout l) const noexcept {
    void (^grab)(void) = ^{ (void)new int(1); };
    grab();
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A GLOBAL{};
// CHECK: blocks.cpp:[[@LINE-8]]:9: error: 'A::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches 'operator new' [allocsel-needs-allocator-cycle]
// CHECK: blocks.cpp:[[@LINE-8]]:35: note: 'A::alloc' calls 'operator new' here
#endif
