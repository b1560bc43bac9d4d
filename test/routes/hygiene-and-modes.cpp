// The routes the plugin emits cannot be captured by the user's declarations
// (names like Layout, detail, route_new, size_t, alloc, arg0 in the user's
// namespaces and the global one), and they work at every optimisation level,
// with ThinLTO, debug info and AddressSanitizer (ASan lets a program replace
// its operators, so a selection keeps routing; see test/process/).
// RUN: %cxx -O0 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.O0 && %t.O0 | FileCheck %s
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.O2 && %t.O2 | FileCheck %s
// RUN: %cxx -O2 -g %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.g && %t.g | FileCheck %s
// RUN: %cxx -O2 -flto=thin -fuse-ld=lld %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.lto && %t.lto | FileCheck %s
// RUN: %cxx -O1 -g -fsanitize=address %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.asan && %t.asan | FileCheck %s

#include <allocsel/alloc.h>

#include <cstdio>
#include <vector>

struct Layout { int x; };
namespace detail {
void *route_new(unsigned long, unsigned long) { return nullptr; }
}
void *route_new(unsigned long, unsigned long) { return nullptr; }

namespace app {
using size_t = int;
struct Layout {};
namespace allocsel {
struct Layout {};
namespace detail {
template <class A> void *route_new(const A &, unsigned long, unsigned long) { return nullptr; }
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
[[global_allocator]] constinit Counting GLOBAL{};
} // namespace app

int main() {
  auto *v = new std::vector<int>(1000, 1);
  std::printf("allocations: %ld, size %zu\n", app::GLOBAL.allocs, v->size());
  delete v;
  auto who = allocsel::global_allocator_info();
  std::printf("%s %.*s\n", who.selected ? "selected" : "default", int(who.variable.size()),
              who.variable.data());
}
// CHECK: allocations: 2, size 1000
// CHECK: selected app::GLOBAL
