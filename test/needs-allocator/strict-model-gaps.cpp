// Strict mode counts what allocsel cannot see as allocating, but not what it
// can tell: trivial constructors and destructors (no code), std::terminate,
// the standard exceptions' destructors and what(), C functions under names
// reserved to the implementation declared in a user header (glibc's
// __cxa_thread_atexit_impl), virtual calls on objects whose dynamic type
// is known (a local object, a member object, a temporary), the new
// handler's accessors, and the node containers' out-of-line bookkeeping
// (std::set and std::list over an allocator that is not std::allocator).
// RUN: for c in 1 2 3 4 5 7 8; do %cxx -fsyntax-only -fplugin-arg-allocsel-strict -DCASE=$c %s || exit 1; done
// A virtual call through a reference is still unknown in strict mode.
// RUN: not %cxx -fsyntax-only -fplugin-arg-allocsel-strict -DCASE=6 %s 2>&1 | FileCheck %s

#include <allocsel/alloc.h>
#include <exception>
#include <new>
#include <cstdlib>
#include <list>
#include <optional>
#include <set>

template <class T> struct MallocAllocator {
  using value_type = T;
  MallocAllocator() = default;
  template <class U> MallocAllocator(const MallocAllocator<U> &) {}
  T *allocate(std::size_t n) { return static_cast<T *>(std::malloc(n * sizeof(T))); }
  void deallocate(T *p, std::size_t) { std::free(p); }
  template <class U> bool operator==(const MallocAllocator<U> &) const { return true; }
};

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
#elif CASE == 7
    if (std::new_handler h = std::get_new_handler())
      std::set_new_handler(h);
#elif CASE == 8
    std::set<std::size_t, std::less<std::size_t>, MallocAllocator<std::size_t>> sizes;
    sizes.insert(l.size());
    sizes.erase(sizes.begin());
    std::list<std::size_t, MallocAllocator<std::size_t>> order;
    order.push_back(l.size());
    order.pop_front();
#endif
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A GLOBAL{};

// CHECK: error: {{.*}} it reaches a virtual call [allocsel-needs-allocator-cycle]
// CHECK: strict-model-gaps.cpp:59:22: note: 'A::alloc' makes a virtual call here
