// `[[global_allocator]] T G = G;` reads G before its lifetime begins. With
// state to copy that is not a constant initializer: allocsel-not-constinit,
// with the constant evaluator's reason. An allocator without state (an
// empty class) copies nothing, so the initialization is constant and the
// selection is accepted: it behaves exactly like `T G{};`.
// RUN: %cxx -fsyntax-only -Wno-uninitialized -Xclang -verify %s
// RUN: %cxx -fsyntax-only -Wno-uninitialized -DEMPTY %s
#include <allocsel/alloc.h>

#ifndef EMPTY
struct Stateful {
  int limit;
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] Stateful G = G; // expected-error {{global allocator 'G' must be constant-initialized: C++ code may allocate before any dynamic initializer runs [allocsel-not-constinit]}} expected-note {{read of object outside its lifetime}} expected-note {{in call to}}
#else
[[global_allocator]] allocsel::System G = G;
#endif
