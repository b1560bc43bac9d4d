// Without <allocsel/alloc.h> there is no allocsel::Layout to check against.
// RUN: %cxx -fsyntax-only -Xclang -verify %s

struct A {
  void *alloc(unsigned long) const noexcept;
  void dealloc(void *, unsigned long) const noexcept;
};
[[global_allocator]] constinit A Global{}; // expected-error {{cannot check global allocator 'Global': 'allocsel::Layout' is not declared; include <allocsel/alloc.h> [allocsel-not-alloc]}}
