// The 20 replaceable global allocation and deallocation functions of C++17/20,
// routed to the program's allocator through __allocsel_new/__allocsel_delete.
//
// Standard semantics: size 0 gets a unique block (of size 1); a failed
// allocation calls the new_handler and retries, with the same size and
// alignment, until it succeeds or there is no handler (then std::bad_alloc);
// the nothrow forms return nullptr instead of throwing; delete of nullptr does
// nothing. The unsized delete forms pass size 0, "unknown", and the route
// recovers the exact layout (see detail::route_delete in <allocsel/alloc.h>).
//
// Nothing here allocates, locks, or throws where noexcept is promised.

#include <allocsel/alloc.h>

#include <new>

// Linked into every executable and shared library that routes: allocsel-config
// --ldflags names it with -Wl,--undefined so this object is always linked.
extern "C" __attribute__((used)) const char __allocsel_operators = 1;

namespace {

constexpr std::size_t default_align = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

constexpr std::size_t align_of(std::align_val_t al) noexcept {
  auto a = static_cast<std::size_t>(al);
  return a < default_align ? default_align : a;
}

// The new_handler loop, off the fast path.
[[gnu::noinline, gnu::cold]] void *retry(std::size_t size, std::size_t align) {
  for (;;) {
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr)
      throw std::bad_alloc();
    handler();
    if (void *p = __allocsel_new(size, align))
      return p;
  }
}

inline void *allocate(std::size_t size, std::size_t align) {
  size += size == 0;
  if (void *p = __allocsel_new(size, align); __builtin_expect(p != nullptr, 1))
    return p;
  return retry(size, align);
}

inline void *allocate_nothrow(std::size_t size, std::size_t align) noexcept {
  size += size == 0;
  if (void *p = __allocsel_new(size, align); __builtin_expect(p != nullptr, 1))
    return p;
  try {
    return retry(size, align);
  } catch (...) {
    return nullptr;
  }
}

// size 0: an unsized form. A sized form's size is what new received, and new
// turned 0 into 1.
inline void release(void *p, std::size_t size, std::size_t align) noexcept {
  if (p != nullptr)
    __allocsel_delete(p, size, align);
}
inline std::size_t sized(std::size_t size) noexcept { return size + (size == 0); }

} // namespace

// Plain, array, nothrow, aligned: 8 allocation functions.
void *operator new(std::size_t n) { return allocate(n, default_align); }
void *operator new[](std::size_t n) { return allocate(n, default_align); }
void *operator new(std::size_t n, const std::nothrow_t &) noexcept {
  return allocate_nothrow(n, default_align);
}
void *operator new[](std::size_t n, const std::nothrow_t &) noexcept {
  return allocate_nothrow(n, default_align);
}
void *operator new(std::size_t n, std::align_val_t al) { return allocate(n, align_of(al)); }
void *operator new[](std::size_t n, std::align_val_t al) { return allocate(n, align_of(al)); }
void *operator new(std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
  return allocate_nothrow(n, align_of(al));
}
void *operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
  return allocate_nothrow(n, align_of(al));
}

// Unsized, nothrow, aligned, sized: 12 deallocation functions.
void operator delete(void *p) noexcept { release(p, 0, default_align); }
void operator delete[](void *p) noexcept { release(p, 0, default_align); }
void operator delete(void *p, const std::nothrow_t &) noexcept { release(p, 0, default_align); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { release(p, 0, default_align); }
void operator delete(void *p, std::align_val_t al) noexcept { release(p, 0, align_of(al)); }
void operator delete[](void *p, std::align_val_t al) noexcept { release(p, 0, align_of(al)); }
void operator delete(void *p, std::align_val_t al, const std::nothrow_t &) noexcept {
  release(p, 0, align_of(al));
}
void operator delete[](void *p, std::align_val_t al, const std::nothrow_t &) noexcept {
  release(p, 0, align_of(al));
}
void operator delete(void *p, std::size_t n) noexcept { release(p, sized(n), default_align); }
void operator delete[](void *p, std::size_t n) noexcept { release(p, sized(n), default_align); }
void operator delete(void *p, std::size_t n, std::align_val_t al) noexcept {
  release(p, sized(n), align_of(al));
}
void operator delete[](void *p, std::size_t n, std::align_val_t al) noexcept {
  release(p, sized(n), align_of(al));
}
