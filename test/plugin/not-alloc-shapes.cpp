// Selections whose shape the routing cannot use get allocsel-not-alloc at
// the user's code, never a raw clang error inside <allocsel/alloc.h>: a
// volatile variable, a consteval member, a member taking Layout&& (the
// routing passes an lvalue).
// RUN: %cxx -fsyntax-only -Xclang -verify -DCASE=1 %s
// RUN: %cxx -fsyntax-only -Xclang -verify -DCASE=2 %s
// RUN: %cxx -fsyntax-only -Xclang -verify -DCASE=3 %s
#include <allocsel/alloc.h>

#if CASE == 1
[[global_allocator]] constinit volatile allocsel::System G{}; // expected-error {{global allocator 'G' cannot be 'volatile': the routing calls its members on a const object; remove 'volatile' [allocsel-not-alloc]}}
#elif CASE == 2
struct C {
  consteval void *alloc(allocsel::Layout) const noexcept { return nullptr; } // expected-note {{'alloc' declared here}}
  void dealloc(void *, allocsel::Layout) const noexcept {}
};
[[global_allocator]] constinit C G{}; // expected-error {{member 'alloc' of 'C' (global allocator 'G') is 'consteval': the routing calls it at run time, for every allocation; expected 'void *alloc(allocsel::Layout) const noexcept' [allocsel-not-alloc]}}
#elif CASE == 3
struct C {
  void *alloc(allocsel::Layout &&l) const noexcept { return allocsel::System{}.alloc(l); } // expected-note {{candidate 'alloc' of type 'void *(allocsel::Layout &&) const noexcept' declared here}}
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit C G{}; // expected-error {{member 'alloc' of 'C' (global allocator 'G') cannot be called as 'void *alloc(allocsel::Layout) const noexcept' [allocsel-not-alloc]}}
#endif
