// Every placement docs/guide.md section 1 allows for [[global_allocator]] really
// routes: a block-scope static (in main, and in a function first called from
// a dynamic initializer before main), a variable in a nested namespace, and a
// static data member with the attribute on its out-of-class definition. In
// each case a std::vector's allocations reach that very variable (its own
// counters move), and global_allocator_info() names it and its location.
// The type is accepted as written (the alias Counter) or spelled out; a
// block-scope static is accepted as named with or without its function.
// RUN: %cxx -O2 -DCASE=1 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t1 && %t1 | FileCheck %s --check-prefix=BLOCK
// RUN: %cxx -O2 -DCASE=2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t2 && %t2 | FileCheck %s --check-prefix=NS
// RUN: %cxx -O2 -DCASE=3 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t3 && %t3 | FileCheck %s --check-prefix=MEMBER
// RUN: %cxx -O2 -DCASE=4 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t4 && %t4 | FileCheck %s --check-prefix=STARTUP

#include <allocsel/alloc.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "Inputs/check.h"


using Counter = allocsel::Counting<allocsel::System>;

// A vector's allocations and deallocations all reach `a`.
[[gnu::noinline]] static void exercise(const Counter &a) {
  auto before = a.stats();
  {
    std::vector<int> v;
    for (int i = 0; i < 1000; ++i)
      v.push_back(i);
    escape(v.data());
    CHECK(a.stats().allocs > before.allocs);
  }
  auto after = a.stats();
  CHECK(after.allocs - before.allocs >= 5);
  CHECK(after.deallocs - before.deallocs == after.allocs - before.allocs);
  CHECK(after.live_bytes == before.live_bytes);
  std::printf("vector routed to the selection\n");
}

static void report() {
  auto info = allocsel::global_allocator_info();
  std::printf("selected: %d\n", info.selected);
  std::printf("variable: %.*s\n", int(info.variable.size()), info.variable.data());
  std::printf("type: %.*s\n", int(info.type.size()), info.type.data());
  std::printf("location: %.*s\n", int(info.location.size()), info.location.data());
}

#if CASE == 1 // block-scope static inside main
// BLOCK: selected: 1
// BLOCK-NEXT: variable: main()::GLOBAL{{$}}
// BLOCK-NEXT: type: {{Counter|allocsel::Counting<allocsel::System>}}{{$}}
// BLOCK-NEXT: location: {{.*}}selection-placements.cpp:[[#@LINE+4]]:{{[0-9]+$}}
// BLOCK-NEXT: vector routed to the selection
int main() {
  report();
  [[global_allocator]] static constinit Counter GLOBAL{};
  exercise(GLOBAL);
}

#elif CASE == 2 // nested namespace
// NS: selected: 1
// NS-NEXT: variable: app::memory::GLOBAL{{$}}
// NS-NEXT: type: {{Counter|allocsel::Counting<allocsel::System>}}{{$}}
// NS-NEXT: location: {{.*}}selection-placements.cpp:[[#@LINE+3]]:{{[0-9]+$}}
// NS-NEXT: vector routed to the selection
namespace app::memory {
[[global_allocator]] constinit Counter GLOBAL{};
}
int main() {
  report();
  exercise(app::memory::GLOBAL);
}

#elif CASE == 3 // static data member, attribute on the out-of-class definition
// MEMBER: selected: 1
// MEMBER-NEXT: variable: app::Holder::GLOBAL{{$}}
// MEMBER-NEXT: type: {{Counter|allocsel::Counting<allocsel::System>}}{{$}}
// MEMBER-NEXT: location: {{.*}}selection-placements.cpp:[[#@LINE+6]]:{{[0-9]+$}}
// MEMBER-NEXT: vector routed to the selection
namespace app {
struct Holder {
  static const Counter GLOBAL;
};
[[global_allocator]] constinit const Counter Holder::GLOBAL{};
} // namespace app
int main() {
  report();
  exercise(app::Holder::GLOBAL);
}

#elif CASE == 4 // block-scope static in a function first called before main
// STARTUP: selected: 1
// STARTUP-NEXT: variable: app::allocator()::GLOBAL{{$}}
// STARTUP-NEXT: type: {{Counter|allocsel::Counting<allocsel::System>}}{{$}}
// STARTUP-NEXT: location: {{.*}}selection-placements.cpp:[[#@LINE+4]]:{{[0-9]+$}}
// STARTUP-NEXT: vector routed to the selection
namespace app {
const Counter &allocator() {
  [[global_allocator]] static constinit Counter GLOBAL{};
  return GLOBAL;
}
} // namespace app
// A dynamic initializer allocates through the selection before main runs.
static std::size_t startup_allocs = [] {
  std::vector<int> *v = new std::vector<int>(100);
  escape(v->data());
  std::size_t n = app::allocator().stats().allocs;
  delete v;
  return n;
}();
int main() {
  CHECK(startup_allocs >= 2); // the vector object and its buffer
  report();
  exercise(app::allocator());
}
#endif
