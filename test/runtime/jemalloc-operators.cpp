// The executable default and a selection of allocsel::Jemalloc use
// jemalloc's own operators for the forms without align_val_t (the fast path
// of its C++ operator new, its sized free), and allocsel's for the aligned
// forms; the default jumps through a table filled at the first allocation
// (Jemalloc, or System with ALLOCSEL_DEFAULT=system). Checked here:
//  - where blocks went: jemalloc's per-thread counter grows by exactly what
//    new asked (jemalloc rounds to its size class) in the Jemalloc modes and
//    not at all in System mode;
//  - every plain new form with every plain delete form, sizes 0 to 300, and
//    nothrow new freed by sized delete (the same size classes);
//  - alignment: at least what any object of the size needs (min(16, the
//    largest power of two dividing the size)), and align_val_t honoured;
//  - the new_handler loop: called until it removes itself, then
//    std::bad_alloc (nullptr from the nothrow forms); new[] of SIZE_MAX
//    throws std::bad_array_new_length without calling it;
//  - the operators are aliases of their implementations (a selection) or
//    jumps through the table (the default): nothing else on the path; the
//    default's table is read-only once filled.
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.default
// RUN: %t.default | FileCheck %s --check-prefixes=DEFAULT-TABLE,CHECK,JEMALLOC
// RUN: env ALLOCSEL_DEFAULT=system %t.default | FileCheck %s --check-prefixes=DEFAULT-TABLE,CHECK,SYSTEM
// RUN: %cxx -O2 -DSELECT_JEMALLOC %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.selected
// RUN: %t.selected | FileCheck %s --check-prefixes=CHECK,JEMALLOC
// RUN: %cxx -O0 -DSELECT_JEMALLOC %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.selected0
// RUN: %t.selected0 | FileCheck %s --check-prefixes=CHECK,JEMALLOC
// RUN: llvm-nm %t.selected | awk '$3 == "_Znwm" || $3 == "__allocsel_impl__Znwm" || $3 == "_ZdlPvm" || $3 == "__allocsel_impl__ZdlPvm" {print $3, $1}' | LC_ALL=C sort | awk '{a[NR] = $2} END {print (a[1] == a[3] && a[2] == a[4]) ? "aliases" : "not aliases"}' | FileCheck %s --check-prefix=ALIAS
// RUN: llvm-objdump -d --no-show-raw-insn %t.default | grep -A1 '^[0-9a-f]* <_Znwm>:' | FileCheck %s --check-prefix=TABLE
// ALIAS: aliases
// TABLE: jmpq *{{.*}}(%rip)

// DEFAULT-TABLE: table read-only: yes
// CHECK: pairs ok
// JEMALLOC: jemalloc counted every block: yes
// SYSTEM: jemalloc counted every block: none
// CHECK-NEXT: aligned ok
// CHECK-NEXT: handler calls 3, then bad_alloc
// CHECK-NEXT: nothrow: handler calls 3, then nullptr
// CHECK-NEXT: new[SIZE_MAX]: bad_array_new_length, handler calls 0
// CHECK-NEXT: nothrow new[SIZE_MAX]: nullptr, handler calls 0

#include <allocsel/alloc.h>

#include <cstdint>
#include <cstdio>
#include <new>

#include "Inputs/check.h"

#ifdef SELECT_JEMALLOC
[[global_allocator]] constinit allocsel::Jemalloc G{};
#else
// The executable default's operator table (default_jemalloc.cpp): hidden,
// but in this executable.
extern "C" __attribute__((visibility("hidden"))) void *__allocsel_default_operators[];

bool read_only(const void *p) {
  std::FILE *maps = std::fopen("/proc/self/maps", "r");
  if (!maps)
    return false;
  char line[512];
  bool ro = false;
  auto at = reinterpret_cast<std::uintptr_t>(p);
  while (std::fgets(line, sizeof line, maps)) {
    unsigned long lo, hi;
    char perms[5] = {};
    if (std::sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && lo <= at && at < hi)
      ro = perms[0] == 'r' && perms[1] == '-';
  }
  std::fclose(maps);
  return ro;
}
#endif

namespace {

std::uint64_t thread_allocated() {
  // Refresh jemalloc's counters, then read this thread's total.
  std::uint64_t epoch = 1, v = 0;
  std::size_t len = sizeof epoch;
  allocsel::Jemalloc::mallctl("epoch", &epoch, &len, &epoch, len);
  len = sizeof v;
  if (allocsel::Jemalloc::mallctl("thread.allocated", &v, &len, nullptr, 0) != 0)
    return 0;
  return v;
}

bool aligned_for(void *p, std::size_t size) {
  std::size_t need = 1;
  while (need < 16 && size % (need * 2) == 0 && need * 2 <= size)
    need *= 2;
  return reinterpret_cast<std::uintptr_t>(p) % need == 0;
}

int handler_calls = 0;
void give_up_after_three() {
  if (++handler_calls == 3)
    std::set_new_handler(nullptr);
}

} // namespace

int main() {
  void *warm = ::operator new(8); // the default decides here
  ::operator delete(warm, 8);
#ifndef SELECT_JEMALLOC
  std::printf("table read-only: %s\n", read_only(__allocsel_default_operators) ? "yes" : "no");
#endif

  std::uint64_t before = thread_allocated();
  std::uint64_t asked = 0;
  for (std::size_t n = 0; n <= 300; ++n) {
    void *a = ::operator new(n);
    void *b = ::operator new[](n);
    void *c = ::operator new(n, std::nothrow);
    void *d = ::operator new[](n, std::nothrow);
    CHECK(a && b && c && d);
    CHECK(aligned_for(a, n) && aligned_for(b, n) && aligned_for(c, n) && aligned_for(d, n));
    escape(a), escape(b), escape(c), escape(d);
    asked += 4 * (n == 0 ? 1 : n);
    ::operator delete(a, n);   // sized
    ::operator delete[](b);    // unsized
    ::operator delete(c, n);   // nothrow new, sized delete
    ::operator delete[](d, n); // sized array
  }
  std::printf("pairs ok\n");
  std::uint64_t counted = thread_allocated() - before;
  if (counted == 0)
    std::printf("jemalloc counted every block: none\n");
  else
    std::printf("jemalloc counted every block: %s\n", counted >= asked ? "yes" : "no");

  for (std::size_t al : {16, 32, 64, 4096}) {
    for (std::size_t n : {1, 8, 24, 100, 5000}) {
      void *p = ::operator new(n, std::align_val_t(al));
      void *q = ::operator new[](n, std::align_val_t(al), std::nothrow);
      CHECK(p && q);
      CHECK(reinterpret_cast<std::uintptr_t>(p) % al == 0);
      CHECK(reinterpret_cast<std::uintptr_t>(q) % al == 0);
      escape(p), escape(q);
      ::operator delete(p, n, std::align_val_t(al));
      ::operator delete[](q, std::align_val_t(al));
    }
  }
  std::printf("aligned ok\n");

  // Far beyond any size class: jemalloc fails at once, without mapping.
  const std::size_t huge = std::size_t{1} << 62;
  std::set_new_handler(give_up_after_three);
  try {
    void *p = ::operator new(huge);
    escape(p);
    std::printf("no exception\n");
  } catch (const std::bad_alloc &) {
    std::printf("handler calls %d, then bad_alloc\n", handler_calls);
  }
  handler_calls = 0;
  std::set_new_handler(give_up_after_three);
  void *p = ::operator new(huge, std::nothrow);
  std::printf("nothrow: handler calls %d, then %s\n", handler_calls, p ? "a block" : "nullptr");

  handler_calls = 0;
  std::set_new_handler(give_up_after_three);
  try {
    void *q = ::operator new[](SIZE_MAX);
    escape(q);
  } catch (const std::bad_array_new_length &) {
    std::printf("new[SIZE_MAX]: bad_array_new_length, handler calls %d\n", handler_calls);
  } catch (const std::bad_alloc &) {
    std::printf("new[SIZE_MAX]: bad_alloc, handler calls %d\n", handler_calls);
  }
  void *r = ::operator new[](SIZE_MAX, std::nothrow);
  std::printf("nothrow new[SIZE_MAX]: %s, handler calls %d\n", r ? "a block" : "nullptr",
              handler_calls);
  std::set_new_handler(nullptr);
  return 0;
}
