// allocsel::Layout is a constexpr value type with checked construction; the
// header compiles cleanly in C++17 and C++20, and System and the default
// members (alloc_zeroed, realloc) keep the contract.
// RUN: %clangxx -std=c++20 -Wall -Wextra -pedantic -Werror -I%allocsel_include %s -o %t20 && %t20
// RUN: %clangxx -std=c++17 -Wall -Wextra -pedantic -Werror -I%allocsel_include %s -o %t17 && %t17

#include <allocsel/alloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using allocsel::Layout;

// Checked construction.
static_assert(Layout::from_size_align(16, 8)->size() == 16);
static_assert(Layout::from_size_align(16, 8)->align() == 8);
static_assert(Layout::from_size_align(0, 1).has_value());
static_assert(!Layout::from_size_align(16, 0).has_value());  // align 0
static_assert(!Layout::from_size_align(16, 24).has_value()); // not a power of two
static_assert(Layout::from_size_align(PTRDIFF_MAX, 1).has_value());
static_assert(!Layout::from_size_align(PTRDIFF_MAX, 2).has_value()); // rounds past PTRDIFF_MAX
static_assert(!Layout::from_size_align(SIZE_MAX, 1).has_value());
static_assert(Layout::from_size_align(PTRDIFF_MAX - 63, 64).has_value());
static_assert(!Layout::from_size_align(PTRDIFF_MAX - 62, 64).has_value());

// Layout::of and array.
struct alignas(32) Wide { char c[40]; };
static_assert(Layout::of<Wide>() == *Layout::from_size_align(64, 32));
static_assert(Layout::of<char>() == *Layout::from_size_align(1, 1));
static_assert(Layout::array<int>(10)->size() == 40);
static_assert(!Layout::array<int>(SIZE_MAX / 2).has_value());
static_assert(Layout::array<int>(0)->size() == 0);

// Derived layouts.
static_assert(Layout::from_size_align(10, 8)->padded_size() == 16);
static_assert(Layout::from_size_align(10, 2)->align_to(16)->align() == 16);
static_assert(Layout::from_size_align(10, 32)->align_to(16)->align() == 32);
static_assert(Layout::from_size_align(1, 1) != Layout::from_size_align(1, 2));

#if __cplusplus >= 202002L
static_assert(allocsel::Alloc<allocsel::System>);
struct NotConst {
  void *alloc(Layout) noexcept;
  void dealloc(void *, Layout) const noexcept;
};
static_assert(!allocsel::Alloc<NotConst>);
struct BadZeroed {
  void *alloc(Layout) const noexcept;
  void dealloc(void *, Layout) const noexcept;
  void *alloc_zeroed(Layout) const; // may throw
};
static_assert(!allocsel::Alloc<BadZeroed>);
static_assert(!allocsel::Alloc<long>);
// dealloc_unsized is checked like the other optional members: present and
// wrong is not an Alloc (it would silently cost a size header per block).
static_assert(allocsel::Alloc<allocsel::Jemalloc>);
static_assert(allocsel::Alloc<allocsel::Counting<allocsel::System>>);
struct Unsized {
  void *alloc(Layout) const noexcept;
  void dealloc(void *, Layout) const noexcept;
  void dealloc_unsized(void *, std::size_t) const noexcept;
};
static_assert(allocsel::Alloc<Unsized>);
struct UnsizedNoAlign {
  void *alloc(Layout) const noexcept;
  void dealloc(void *, Layout) const noexcept;
  void dealloc_unsized(void *) const noexcept; // the alignment is missing
};
static_assert(!allocsel::Alloc<UnsizedNoAlign>);
struct UnsizedThrows {
  void *alloc(Layout) const noexcept;
  void dealloc(void *, Layout) const noexcept;
  void dealloc_unsized(void *, std::size_t) const;
};
static_assert(!allocsel::Alloc<UnsizedThrows>);
struct UnsizedReturns {
  void *alloc(Layout) const noexcept;
  void dealloc(void *, Layout) const noexcept;
  bool dealloc_unsized(void *, std::size_t) const noexcept;
};
static_assert(!allocsel::Alloc<UnsizedReturns>);
struct UnsizedNotConst {
  void *alloc(Layout) const noexcept;
  void dealloc(void *, Layout) const noexcept;
  void dealloc_unsized(void *, std::size_t) noexcept;
};
static_assert(!allocsel::Alloc<UnsizedNotConst>);
// The memory cost is visible where the allocator is chosen.
static_assert(allocsel::new_header_bytes<allocsel::System> == 0);
static_assert(allocsel::new_header_bytes<allocsel::Jemalloc> == 0);
static_assert(allocsel::new_header_bytes<Unsized> == 0);
static_assert(allocsel::new_header_bytes<allocsel::Counting<allocsel::System>> == 16);
#endif

#include "Inputs/check.h"

// Only alloc and dealloc: the defaults provide alloc_zeroed and realloc.
struct Minimal {
  void *alloc(Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};

template <class A> void exercise(const A &a) {
  for (std::size_t align : {1, 8, 16, 64, 4096}) {
    Layout l = *Layout::from_size_align(100, align);
    auto *p = static_cast<unsigned char *>(allocsel::alloc_zeroed(a, l));
    CHECK(p != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % align == 0);
    for (int i = 0; i < 100; ++i)
      CHECK(p[i] == 0);
    for (int i = 0; i < 100; ++i)
      p[i] = static_cast<unsigned char>(i);
    auto *q = static_cast<unsigned char *>(allocsel::realloc(a, p, l, 5000));
    CHECK(q != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(q) % align == 0);
    for (int i = 0; i < 100; ++i)
      CHECK(q[i] == i);
    a.dealloc(q, *Layout::from_size_align(5000, align));
  }
  // A realloc that cannot form a layout fails and leaves the block alone.
  Layout l = *Layout::from_size_align(8, 8);
  void *p = a.alloc(l);
  CHECK(allocsel::realloc(a, p, l, SIZE_MAX) == nullptr);
  a.dealloc(p, l);
}

int main() {
  exercise(allocsel::System{});
  exercise(Minimal{});
  std::puts("ok");
}
