// A counting allocator, selected for the whole program: every new and delete,
// including those inside the standard library, goes through it.
#include <allocsel/alloc.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

struct Counting {
  mutable std::atomic<long> allocs{0};
  mutable std::atomic<long> live{0};

  void *alloc(allocsel::Layout l) const noexcept {
    allocs.fetch_add(1, std::memory_order_relaxed);
    live.fetch_add(1, std::memory_order_relaxed);
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept {
    live.fetch_sub(1, std::memory_order_relaxed);
    allocsel::System{}.dealloc(p, l);
  }
  // Unsized deletes (delete[] of a char array, say). Without this member,
  // every block from operator new would carry a 16-byte size header so that
  // dealloc always gets its layout.
  void dealloc_unsized(void *p, std::size_t align) const noexcept {
    live.fetch_sub(1, std::memory_order_relaxed);
    allocsel::System{}.dealloc_unsized(p, align);
  }
};

[[global_allocator]] constinit Counting GLOBAL{};

int main() {
  auto who = allocsel::global_allocator_info();
  std::printf("global allocator: %.*s (type %.*s), selected at %.*s\n",
              int(who.variable.size()), who.variable.data(), int(who.type.size()),
              who.type.data(), int(who.location.size()), who.location.data());

  std::map<std::string, std::vector<int>> index;
  for (int i = 0; i < 100; ++i)
    index["key number " + std::to_string(i)].assign(i + 1, i);
  std::printf("after building a map of 100 vectors: %ld allocations, %ld blocks live\n",
              GLOBAL.allocs.load(), GLOBAL.live.load());
  index.clear();
  std::printf("after clearing it:                   %ld allocations, %ld blocks live\n",
              GLOBAL.allocs.load(), GLOBAL.live.load());
}
