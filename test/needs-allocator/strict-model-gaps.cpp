// Strict mode counts what allocsel cannot see as allocating, but not what it
// can tell: trivial constructors and destructors (no code), std::terminate,
// the standard exceptions' destructors and what(), C functions under names
// reserved to the implementation declared in a user header (glibc's
// __cxa_thread_atexit_impl), and virtual calls on objects whose dynamic type
// is known (a local object, a member object, a temporary).
// RUN: for c in 1 2 3 4 5; do %cxx -fsyntax-only -fplugin-arg-allocsel-strict -DCASE=$c %s || exit 1; done
// A virtual call through a reference is still unknown in strict mode.
// RUN: not %cxx -fsyntax-only -fplugin-arg-allocsel-strict -DCASE=6 %s 2>&1 | FileCheck %s

#include <allocsel/alloc.h>
#include <exception>
#include <new>
#include <optional>

extern "C" int __cxa_thread_atexit_impl(void (*)(void *), void *, void *);
struct Plain { int a; };
struct Shape {
  virtual ~Shape() = default;
  virtual int sides() const { return 0; }
};
struct Holder { Shape shape; };
Holder holder;
const Shape &some_shape = holder.shape;

struct A {
  void *alloc(allocsel::Layout l) const noexcept {
#if CASE == 1
    std::optional<Plain> o;
    o.emplace(Plain{1});
#elif CASE == 2
    std::bad_alloc b;
    (void)b.what();
#elif CASE == 3
    if (l.align() > 4096)
      std::terminate();
#elif CASE == 4
    (void)__cxa_thread_atexit_impl(nullptr, nullptr, nullptr);
#elif CASE == 5
    Shape local;
    (void)local.sides();
    (void)holder.shape.sides();
    (void)Shape().sides();
#elif CASE == 6
    (void)some_shape.sides();
#endif
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A GLOBAL{};

// CHECK: error: {{.*}} it reaches a virtual call [allocsel-needs-allocator-cycle]
// CHECK: strict-model-gaps.cpp:45:22: note: 'A::alloc' makes a virtual call here
