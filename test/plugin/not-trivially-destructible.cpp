// Code may allocate after static destructors ran: the allocator's type must
// be trivially destructible.
// RUN: %cxx -fsyntax-only -Xclang -verify %s
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s

#include <allocsel/alloc.h>

struct WithDestructor {
  void *alloc(allocsel::Layout) const noexcept;
  void dealloc(void *, allocsel::Layout) const noexcept;
  ~WithDestructor(); // #Dtor
};
// CHECK: not-trivially-destructible.cpp:[[@LINE+1]]:47: error: type 'WithDestructor' of global allocator 'A' must be trivially destructible: C++ code may allocate after static destructors ran [allocsel-not-trivially-destructible]
[[global_allocator]] constinit WithDestructor A{}; // #A expected-error {{[allocsel-not-trivially-destructible]}}
// expected-note@#Dtor {{non-trivial destructor of 'WithDestructor' declared here}}

struct Logger { ~Logger(); };
struct HoldsLogger {
  Logger log; // #Log
  void *alloc(allocsel::Layout) const noexcept;
  void dealloc(void *, allocsel::Layout) const noexcept;
};
// The destructor is implicit; the note points at the member that needs one.
[[global_allocator]] HoldsLogger B; // expected-error {{[allocsel-not-trivially-destructible]}} expected-error {{[allocsel-duplicate]}}
// expected-note@#Log {{member 'log' of type 'Logger' in 'HoldsLogger' has a non-trivial destructor}}
// expected-note@#A 2 {{previous global allocator selected here}}

struct FromBase : Logger { // #FromBase
  void *alloc(allocsel::Layout) const noexcept;
  void dealloc(void *, allocsel::Layout) const noexcept;
};
[[global_allocator]] FromBase C; // expected-error {{[allocsel-not-trivially-destructible]}} expected-error {{[allocsel-duplicate]}}
// expected-note@#FromBase {{base class 'Logger' of 'FromBase' has a non-trivial destructor}}
