// After clang has reported errors in a unit, the plugin adds no crash and no
// noise: where clang rejected what a check depends on (the selection's type,
// a member, its initializer, a header), the plugin's output and exit status
// are exactly those of the same compile without it. Where the unit has an
// unrelated error, allocsel's own findings about a valid selection are still
// reported (an editor keeps showing them while the user types).
// RUN: rm -rf %t && mkdir -p %t
// RUN: for c in 2 3 4 5 6 7 8 9 10 11 12 14 16 17 18; do \
// RUN:   %clangxx -std=c++20 -I%allocsel_include -DALLOCSEL_ALLOW_NO_PLUGIN -Wno-unknown-attributes -Wno-unknown-pragmas -DCASE=$c -c %s -o %t/plain.o > %t/plain-$c.txt 2>&1; echo "exit $?" >> %t/plain-$c.txt; \
// RUN:   %cxx -Wno-unknown-attributes -Wno-unknown-pragmas -DCASE=$c -c %s -o %t/plugin.o > %t/plugin-$c.txt 2>&1; echo "exit $?" >> %t/plugin-$c.txt; \
// RUN:   diff %t/plain-$c.txt %t/plugin-$c.txt || exit 1; \
// RUN:   grep -q 'exit 1' %t/plugin-$c.txt || exit 1; \
// RUN: done
// RUN: not %cxx -DCASE=1 -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=UNRELATED
// RUN: not %cxx -DCASE=13 -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=DUPLICATE
// A member template that does not compile for the selected type: the routing
// calls it, so it is instantiated (as a direct call of G.alloc would), and
// clang's error says where the request came from.
// RUN: not %cxx -DCASE=15 -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=ROUTED
// ROUTED: error: type 'int' cannot be used prior to '::'
// ROUTED: note: in instantiation of member function 'A<int>::alloc' requested here
// ROUTED-NOT: allocsel-
// UNRELATED: error: expected expression
// UNRELATED: error: type 'A' of global allocator 'G' has no member 'dealloc' {{.*}}[allocsel-not-alloc]
// DUPLICATE: error: cannot define multiple global allocators [allocsel-duplicate]
// DUPLICATE: error: cannot initialize a variable of type 'int'

#include <allocsel/alloc.h>
#if CASE == 1
void broken() { int x = ; }
struct A { void *alloc(allocsel::Layout l) const noexcept; };
[[global_allocator]] constinit A G{};
#elif CASE == 2
struct X;
[[global_allocator]] X G;
#elif CASE == 3
[[global_allocator]] constinit Undeclared G{};
#elif CASE == 4
struct A {
  void *alloc(allocsel::Layot l) const noexcept { return nullptr; }
  void dealloc(void *p, allocsel::Layout l) const noexcept {}
};
[[global_allocator]] constinit A G{};
#elif CASE == 5
template <int N> struct R { static constexpr int v = R<N + 1>::v; };
int x = R<0>::v;
struct A {
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A G{};
#elif CASE == 6
struct A {
  void *alloc(allocsel::Layout l) const noexcept { return undeclared_fn(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A G{};
#elif CASE == 7
struct A {
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A G{undeclared_value};
#elif CASE == 8
struct A : Missing {
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A G{};
#elif CASE == 9
struct A {
  Missing m;
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A G{};
#elif CASE == 10
#pragma allocsel allocator
[[allocsel::needs_allocator]] void f(Missing);
void g() { f(1); }
#elif CASE == 11
#include "does-not-exist.h"
struct A { };
[[global_allocator]] constinit A G{};
#elif CASE == 12
struct A {
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
}
[[global_allocator]] constinit A G{};
#elif CASE == 13
struct A {
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A G{};
[[global_allocator]] constinit A H{};
void h() { int y = "s"; }
#elif CASE == 14
struct S { void m(); };
void (S::*pm)() = &S::m;
void f() { S o; (o.*pm)(); undeclared(); }
#elif CASE == 15
template <class T> struct A {
  void *alloc(allocsel::Layout l) const noexcept { return T::nope(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { }
};
[[global_allocator]] constinit A<int> G{};
#elif CASE == 16
struct A {
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
  A() { }
};
[[global_allocator]] constinit A G;
int z = undeclared;
#elif CASE == 17
auto f() -> decltype(undeclared()) ;
[[global_allocator]] constinit auto G = f();
#elif CASE == 18
struct A {
  void *alloc(allocsel::Layout l) const noexcept
#endif
