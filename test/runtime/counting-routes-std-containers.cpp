// A selected allocsel::Counting<allocsel::System> sees every allocation the
// standard containers make (std::vector, std::string, std::map), and their
// deallocations; calls made directly on System bypass the routing and are
// not counted; calls through allocsel::Global reach the selection and are.
// global_allocator_info() names the selected variable, its type and where it
// was selected.
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t && %t | FileCheck %s

#include <allocsel/alloc.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "Inputs/check.h"


// CHECK: selected: 1
// CHECK-NEXT: variable: app::GLOBAL
// CHECK-NEXT: type: allocsel::Counting<allocsel::System>
// CHECK-NEXT: location: {{.*}}counting-routes-std-containers.cpp:[[@LINE+2]]:69
namespace app {
[[global_allocator]] constinit allocsel::Counting<allocsel::System> GLOBAL{};
}
using app::GLOBAL;

using Stats = allocsel::Counting<allocsel::System>::Stats;

static void print_delta(const char *what, const Stats &a, const Stats &b) {
  std::printf("%s: allocs +%zu deallocs +%zu\n", what, b.allocs - a.allocs,
              b.deallocs - a.deallocs);
}

int main() {
  auto info = allocsel::global_allocator_info();
  std::printf("selected: %d\n", info.selected);
  std::printf("variable: %.*s\n", int(info.variable.size()), info.variable.data());
  std::printf("type: %.*s\n", int(info.type.size()), info.type.data());
  std::printf("location: %.*s\n", int(info.location.size()), info.location.data());
  std::fflush(stdout);

  // std::vector: one block of exactly the reserved size, then its release.
  {
    Stats before = GLOBAL.stats();
    Stats during;
    {
      std::vector<int> v;
      v.reserve(100);
      escape(v.data());
      during = GLOBAL.stats();
    }
    Stats after = GLOBAL.stats();
    CHECK(during.allocs == before.allocs + 1);
    CHECK(during.live_bytes >= before.live_bytes + 100 * sizeof(int));
    CHECK(after.deallocs == before.deallocs + 1);
    CHECK(after.live_bytes == before.live_bytes);
    // CHECK: vector: allocs +1 deallocs +1
    print_delta("vector", before, after);
  }

  // std::string beyond the small-string buffer.
  {
    Stats before = GLOBAL.stats();
    {
      std::string s(200, 'x');
      escape(s.data());
      CHECK(GLOBAL.stats().live_bytes >= before.live_bytes + 201);
    }
    Stats after = GLOBAL.stats();
    CHECK(after.live_bytes == before.live_bytes);
    // CHECK: string: allocs +1 deallocs +1
    print_delta("string", before, after);
  }

  // std::map: one node per element.
  {
    Stats before = GLOBAL.stats();
    {
      std::map<int, int> m;
      for (int i = 0; i < 10; ++i)
        m[i] = i;
      escape(&m);
      CHECK(GLOBAL.stats().allocs == before.allocs + 10);
    }
    Stats after = GLOBAL.stats();
    CHECK(after.live_bytes == before.live_bytes);
    // CHECK: map: allocs +10 deallocs +10
    print_delta("map", before, after);
  }

  // A growing vector: every reallocation is an alloc and a dealloc here.
  {
    Stats before = GLOBAL.stats();
    {
      std::vector<long> v;
      for (long i = 0; i < 1000; ++i)
        v.push_back(i);
      escape(v.data());
    }
    Stats after = GLOBAL.stats();
    CHECK(after.allocs - before.allocs >= 5);
    CHECK(after.allocs - before.allocs == after.deallocs - before.deallocs);
    CHECK(after.live_bytes == before.live_bytes);
    std::printf("growth balanced\n");
    // CHECK: growth balanced
  }

  // Direct calls on System do not pass through the routing.
  {
    Stats before = GLOBAL.stats();
    auto l = *allocsel::Layout::from_size_align(64, 16);
    void *p = allocsel::System{}.alloc(l);
    CHECK(p != nullptr);
    escape(p);
    allocsel::System{}.dealloc(p, l);
    Stats after = GLOBAL.stats();
    // CHECK: System direct: allocs +0 deallocs +0
    print_delta("System direct", before, after);
  }

  // Calls through Global reach the selection, with the exact layout.
  {
    Stats before = GLOBAL.stats();
    auto l = *allocsel::Layout::from_size_align(48, 8);
    void *p = allocsel::Global{}.alloc(l);
    CHECK(p != nullptr);
    escape(p);
    Stats during = GLOBAL.stats();
    CHECK(during.allocs == before.allocs + 1);
    CHECK(during.live_bytes == before.live_bytes + 48);
    allocsel::Global{}.dealloc(p, l);
    Stats after = GLOBAL.stats();
    CHECK(after.live_bytes == before.live_bytes);
    // CHECK: Global: allocs +1 deallocs +1
    print_delta("Global", before, after);

    // alloc_zeroed and realloc through Global too.
    before = GLOBAL.stats();
    auto *z = static_cast<unsigned char *>(allocsel::Global{}.alloc_zeroed(l));
    CHECK(z != nullptr);
    for (int i = 0; i < 48; ++i)
      CHECK(z[i] == 0);
    z[47] = 7;
    auto *r = static_cast<unsigned char *>(allocsel::Global{}.realloc(z, l, 4096));
    CHECK(r != nullptr && r[47] == 7);
    escape(r);
    Stats mid = GLOBAL.stats();
    CHECK(mid.allocs == before.allocs + 1);
    CHECK(mid.reallocs == before.reallocs + 1);
    CHECK(mid.live_bytes == before.live_bytes + 4096);
    allocsel::Global{}.dealloc(r, *allocsel::Layout::from_size_align(4096, 8));
    after = GLOBAL.stats();
    CHECK(after.deallocs == before.deallocs + 1);
    CHECK(after.live_bytes == before.live_bytes);
    std::printf("Global zeroed+realloc counted\n");
    // CHECK: Global zeroed+realloc counted
  }

  CHECK(GLOBAL.stats().failures == 0);
  std::printf("done\n");
  // CHECK: done
}
