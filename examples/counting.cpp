// A counting allocator, selected for the whole program.
#include <allocsel/alloc.h>

#include <atomic>
#include <cstdio>
#include <vector>

struct Counting {
  mutable std::atomic<long> live{0};

  void *alloc(allocsel::Layout l) const noexcept {
    live.fetch_add(1, std::memory_order_relaxed);
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept {
    live.fetch_sub(1, std::memory_order_relaxed);
    allocsel::System{}.dealloc(p, l);
  }
};

[[global_allocator]] constinit Counting GLOBAL{};

int main() {
  std::vector<int> v(100);
  std::printf("live blocks while a vector is alive: %ld\n", GLOBAL.live.load());
}
