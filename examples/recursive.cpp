// The classic mistake: an allocator that records what it does in a
// std::vector. At run time it recurses into itself; allocsel rejects it at
// compile time and shows the chain.
#include <allocsel/alloc.h>

#include <vector>

static void remember(std::size_t size) {
  static std::vector<std::size_t> sizes;
  sizes.push_back(size);
}

struct Recording {
  void *alloc(allocsel::Layout l) const noexcept {
    remember(l.size());
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};

[[global_allocator]] constinit Recording GLOBAL{};
