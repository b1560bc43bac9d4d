// A call through a pointer to member reaches every non-static member
// function of the same type whose address the unit takes; in strict mode it
// is an unknown (indirect) call. Plain function pointers never reach member
// functions, nor member pointers free functions.
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s
// RUN: not %cxx -fsyntax-only -fplugin-arg-allocsel-strict %s 2>&1 | FileCheck %s --check-prefix=STRICT
// RUN: %cxx -fsyntax-only -DONLY_FREE_FUNCTION %s

#include <allocsel/alloc.h>

struct Pool {
  void grow() { slab = new char[4096]; }
  void keep() {}
  char *slab = nullptr;
};
void free_grow() { (void)new char[16]; } // same shape, not a member
void (*unrelated)() = &free_grow;
#ifndef ONLY_FREE_FUNCTION
void (Pool::*on_empty)() = &Pool::grow;
#else
void (Pool::*on_empty)() = &Pool::keep;
#endif
Pool pool;

struct A {
  void *alloc(allocsel::Layout l) const noexcept {
    (pool.*on_empty)();
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A GLOBAL{};

// CHECK: chain-member-pointer.cpp:[[@LINE-8]]:9: error: 'A::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches 'operator new[]' [allocsel-needs-allocator-cycle]
// CHECK: chain-member-pointer.cpp:[[@LINE-8]]:5: note: 'A::alloc' calls 'Pool::grow' here
// CHECK: chain-member-pointer.cpp:12:24: note: 'Pool::grow' calls 'operator new[]' here
// CHECK-NOT: free_grow
// STRICT: chain-member-pointer.cpp:[[@LINE-12]]:9: error: {{.*}} it reaches an indirect call [allocsel-needs-allocator-cycle]
// STRICT: chain-member-pointer.cpp:[[@LINE-12]]:5: note: 'A::alloc' makes an indirect call here
