// A logging allocator with two classic mistakes: its state needs a
// destructor, and alloc is not const.
#include <allocsel/alloc.h>

#include <string>

struct Logging {
  std::string prefix = "alloc: ";

  void *alloc(allocsel::Layout l) noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};

[[global_allocator]] Logging GLOBAL;
