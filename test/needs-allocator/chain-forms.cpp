// Chains through each kind of call: a new-expression, a constructor that
// allocates, a lambda, std::to_string, std::function, allocsel::Global, and a
// function pointer. One allocator per case (-DCASE), each member reported.
// RUN: not %cxx -fsyntax-only -DCASE=1 %s 2>&1 | FileCheck %s --check-prefix=NEW
// RUN: not %cxx -fsyntax-only -DCASE=2 %s 2>&1 | FileCheck %s --check-prefix=CTOR
// RUN: not %cxx -fsyntax-only -DCASE=3 %s 2>&1 | FileCheck %s --check-prefix=LAMBDA
// RUN: not %cxx -fsyntax-only -DCASE=4 %s 2>&1 | FileCheck %s --check-prefix=TOSTRING
// RUN: not %cxx -fsyntax-only -DCASE=5 %s 2>&1 | FileCheck %s --check-prefix=FUNCTION
// RUN: not %cxx -fsyntax-only -DCASE=6 %s 2>&1 | FileCheck %s --check-prefix=GLOBAL
// RUN: not %cxx -fsyntax-only -DCASE=7 %s 2>&1 | FileCheck %s --check-prefix=POINTER

#include <allocsel/alloc.h>
#include <functional>
#include <string>

struct Tracker {
  int *slot;
  Tracker() : slot(new int(0)) {}
};
void *(*hook)(std::size_t);
void *hook_impl(std::size_t n) { return ::operator new(n); }
void install() { hook = &hook_impl; }

struct A {
  void *alloc(allocsel::Layout l) const noexcept {
#if CASE == 1
    int *counter = new int(1);
    (void)counter;
#elif CASE == 2
    Tracker t;
    (void)t;
#elif CASE == 3
    auto remember = [&] { return new char[l.size()]; };
    (void)remember();
#elif CASE == 4
    std::string name = std::to_string(l.size());
#elif CASE == 5
    std::function<void()> f = [big = std::string(64, 'x')] { (void)big; };
#elif CASE == 6
    return allocsel::Global{}.alloc(l);
#elif CASE == 7
    (void)hook(l.size());
#endif
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A GLOBAL{};

// NEW: chain-forms.cpp:25:9: error: 'A::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches 'operator new' [allocsel-needs-allocator-cycle]
// NEW: chain-forms.cpp:27:20: note: 'A::alloc' calls 'operator new' here

// CTOR: error: 'A::alloc', {{.*}} it reaches 'operator new' [allocsel-needs-allocator-cycle]
// CTOR: chain-forms.cpp:30:13: note: 'A::alloc' calls 'Tracker::Tracker' here
// CTOR: chain-forms.cpp:18:20: note: 'Tracker::Tracker' calls 'operator new' here

// LAMBDA: error: 'A::alloc', {{.*}} it reaches 'operator new[]' [allocsel-needs-allocator-cycle]
// Clang 19 prints a lambda's class as '(anonymous class)', Clang 22 as '(lambda)'.
// LAMBDA: chain-forms.cpp:34:11: note: 'A::alloc' calls 'A::alloc(allocsel::Layout)::{{\(anonymous class\)|\(lambda\)}}::operator()' here
// LAMBDA: chain-forms.cpp:33:34: note: 'A::alloc(allocsel::Layout)::{{\(anonymous class\)|\(lambda\)}}::operator()' calls 'operator new[]' here

// TOSTRING: error: 'A::alloc', {{.*}} [allocsel-needs-allocator-cycle]
// TOSTRING: chain-forms.cpp:36:{{[0-9]+}}: note: 'A::alloc' calls 'std::{{.*}}' here

// FUNCTION: error: 'A::alloc', {{.*}} [allocsel-needs-allocator-cycle]
// FUNCTION: chain-forms.cpp:38:{{[0-9]+}}: note: 'A::alloc' calls

// GLOBAL: error: 'A::alloc', {{.*}} it reaches '__allocsel_alloc' [allocsel-needs-allocator-cycle]
// GLOBAL: note: 'allocsel::Global::alloc' calls '__allocsel_alloc' here
// GLOBAL: note: '__allocsel_alloc' is the global allocator's own entry point (allocsel::Global)

// POINTER: error: 'A::alloc', {{.*}} it reaches 'operator new' [allocsel-needs-allocator-cycle]
// POINTER: chain-forms.cpp:42:11: note: 'A::alloc' calls 'hook_impl' here
// POINTER: chain-forms.cpp:21:41: note: 'hook_impl' calls 'operator new' here
