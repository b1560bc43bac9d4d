#pragma once
#include <allocsel/alloc.h>
struct Counting {
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
