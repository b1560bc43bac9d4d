// new T[n] whose size computation overflows: clang passes SIZE_MAX to
// operator new[]. allocsel's array forms throw std::bad_array_new_length for
// that request, as the standard says the new-expression does (g++-compiled
// code checks before the call); the nothrow forms return nullptr. Plain
// operator new(SIZE_MAX) is an ordinary failed allocation: std::bad_alloc.
// The selection counts: no allocation reached it for any of these.
// RUN: %cxx -O0 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.O0 && %t.O0 | FileCheck %s
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.O2 && %t.O2 | FileCheck %s
// RUN: %cxx -O0 -DDEFAULT %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.default.O0 && %t.default.O0 | FileCheck %s
// RUN: %cxx -O2 -DDEFAULT %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.default.O2 && %t.default.O2 | FileCheck %s
// CHECK: new int[n]: bad_array_new_length
// CHECK-NEXT: new std::string[n]: bad_array_new_length
// CHECK-NEXT: aligned new[]: bad_array_new_length
// CHECK-NEXT: nothrow new int[n]: nullptr
// CHECK-NEXT: nothrow aligned new[]: nullptr
// CHECK-NEXT: operator new(SIZE_MAX): bad_alloc
// CHECK-NEXT: failed requests reached the allocator: {{0|no selection}}

#include <allocsel/alloc.h>

#include <cstdint>
#include <cstdio>
#include <new>
#include <string>

#ifndef DEFAULT
[[global_allocator]] constinit allocsel::Counting<allocsel::System> G{};
#endif

struct alignas(64) Wide { char c[64]; };

template <class F> void expect(const char *what, F f) {
  try {
    f();
    std::printf("%s: no exception\n", what);
  } catch (const std::bad_array_new_length &) {
    std::printf("%s: bad_array_new_length\n", what);
  } catch (const std::bad_alloc &) {
    std::printf("%s: bad_alloc\n", what);
  }
}

int main(int argc, char **) {
  volatile std::size_t n = SIZE_MAX / 2 + argc; // n * 4 overflows
#ifndef DEFAULT
  auto before = G.stats();
#endif
  // volatile: a new/delete pair whose block is not used may be elided.
  expect("new int[n]", [&] { int *volatile q = new int[n]; delete[] q; });
  expect("new std::string[n]", [&] { std::string *volatile q = new std::string[n]; delete[] q; });
  expect("aligned new[]", [&] { Wide *volatile q = new Wide[n]; delete[] q; });
  int *volatile p = new (std::nothrow) int[n];
  std::printf("nothrow new int[n]: %s\n", p ? "a block" : "nullptr");
  Wide *volatile w = new (std::nothrow) Wide[n];
  std::printf("nothrow aligned new[]: %s\n", w ? "a block" : "nullptr");
  expect("operator new(SIZE_MAX)", [] {
    void *volatile q = ::operator new(SIZE_MAX);
    ::operator delete(q);
  });
#ifndef DEFAULT
  auto after = G.stats();
  std::printf("failed requests reached the allocator: %zu\n", after.allocs - before.allocs);
#else
  std::printf("failed requests reached the allocator: no selection\n");
#endif
}
