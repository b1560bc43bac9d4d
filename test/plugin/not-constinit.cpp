// A global allocator must be constant-initialized; the fix-it adds constinit
// and the constant evaluator's notes say why the initializer is not constant.
// RUN: %cxx -fsyntax-only -Xclang -verify %s
// RUN: not %cxx -fsyntax-only -fdiagnostics-parseable-fixits %s 2>&1 | FileCheck %s
// RUN: not %cxx -std=c++17 -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=CXX17

#include <allocsel/alloc.h>

int runtime_value();

struct Dynamic {
  explicit Dynamic(int) noexcept; // #DynamicCtor
  void *alloc(allocsel::Layout) const noexcept;
  void dealloc(void *, allocsel::Layout) const noexcept;
};

// CHECK: not-constinit.cpp:[[@LINE+3]]:30: error: global allocator 'Global' must be constant-initialized: C++ code may allocate before any dynamic initializer runs [allocsel-not-constinit]
// CHECK: fix-it:"{{.*}}not-constinit.cpp":{[[@LINE+2]]:22-[[@LINE+2]]:22}:"constinit "
// CXX17: note: add 'constinit' to require constant initialization, or make the initializer a constant expression
[[global_allocator]] Dynamic Global{runtime_value()}; // expected-error {{global allocator 'Global' must be constant-initialized: C++ code may allocate before any dynamic initializer runs [allocsel-not-constinit]}} \
  // expected-note {{non-constexpr constructor 'Dynamic' cannot be used in a constant expression}}
// expected-note@#DynamicCtor {{declared here}}
