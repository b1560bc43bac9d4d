// The routes the plugin emits cannot be captured by the user's declarations
// (names like Layout, detail, route_new, size_t, alloc, arg0 in the user's
// namespaces and the global one), and they work at every optimisation level,
// with ThinLTO and full LTO, debug info and AddressSanitizer (ASan lets a
// program replace its operators, so a selection keeps routing; see
// test/process/). The operators are compiled in the selecting unit, so its
// flags matter too: C++17, -fno-exceptions (the new_handler loop and the
// exceptions stay in liballocsel.a), -fno-sized-deallocation and
// -fno-aligned-allocation (the unit's <new> then declares fewer operators;
// allocsel still defines all 20).
// RUN: %cxx -O0 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.O0 && %t.O0 | FileCheck %s
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.O2 && %t.O2 | FileCheck %s
// RUN: %cxx -O2 -g %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.g && %t.g | FileCheck %s
// RUN: %cxx -O2 -flto=thin -fuse-ld=lld %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.lto && %t.lto | FileCheck %s
// RUN: %cxx -O2 -flto -fuse-ld=lld %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.fulllto && %t.fulllto | FileCheck %s
// RUN: %cxx -O2 -std=c++17 -fno-exceptions %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.noexc && %t.noexc | FileCheck %s
// RUN: %cxx -O2 -fno-sized-deallocation -fno-aligned-allocation %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.nosized && %t.nosized | FileCheck %s
// RUN: %cxx -O1 -g -fsanitize=address %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.asan && %t.asan | FileCheck %s

#include <allocsel/alloc.h>

#include <cstdio>
#include <vector>

struct Layout { int x; };
namespace detail {
void *route_new(unsigned long, unsigned long) { return nullptr; }
void *op_new(unsigned long) { return nullptr; }
}
void *route_new(unsigned long, unsigned long) { return nullptr; }
void *op_new(unsigned long) { return nullptr; }
void op_delete_sized(void *, unsigned long) {}

namespace app {
using size_t = int;
struct Layout {};
namespace allocsel {
struct Layout {};
namespace detail {
template <class A> void *route_new(const A &, unsigned long, unsigned long) { return nullptr; }
template <class A> void *op_new(const A &, unsigned long) { return nullptr; }
} // namespace detail
} // namespace allocsel
namespace detail {}
int arg0, arg1;
void alloc();

struct Counting {
  mutable long allocs = 0;
  void *alloc(::allocsel::Layout l) const noexcept {
    ++allocs;
    return ::allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, ::allocsel::Layout l) const noexcept { ::allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] Counting GLOBAL{}; // constant-initialized (no constinit: C++17 too)
} // namespace app

int main() {
  // volatile: without exceptions clang may otherwise elide the pair.
  std::vector<int> *volatile v = new std::vector<int>(1000, 1);
  std::printf("allocations: %ld, size %zu\n", app::GLOBAL.allocs, v->size());
  delete v;
  auto who = allocsel::global_allocator_info();
  std::printf("%s %.*s\n", who.selected ? "selected" : "default", int(who.variable.size()),
              who.variable.data());
}
// CHECK: allocations: 2, size 1000
// CHECK: selected app::GLOBAL
