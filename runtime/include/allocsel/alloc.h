// <allocsel/alloc.h> - select the allocator behind every new and delete.
//
//   #include <allocsel/alloc.h>
//
//   struct Counting {
//     void* alloc(allocsel::Layout l) const noexcept;
//     void dealloc(void* p, allocsel::Layout l) const noexcept;
//   };
//   [[global_allocator]] constinit Counting GLOBAL{};
//
// Compile with the allocsel plugin (allocsel-config --cxxflags). Everything
// here works in C++17; the Alloc concept needs C++20.
#ifndef ALLOCSEL_ALLOC_H
#define ALLOCSEL_ALLOC_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>
#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
#include <concepts>
#endif

namespace allocsel {

// ---------------------------------------------------------------------------
// Layout: the size and alignment of a block of memory.
// ---------------------------------------------------------------------------

// Invariants: align() is a power of two, and size() rounded up to align()
// does not exceed PTRDIFF_MAX. Every Layout obtained from the checked
// constructors satisfies them; the allocation functions rely on them.
class Layout {
public:
  // True if (size, align) can form a Layout.
  static constexpr bool is_valid(std::size_t size, std::size_t align) noexcept {
    return align != 0 && (align & (align - 1)) == 0 &&
           size <= static_cast<std::size_t>(PTRDIFF_MAX) - (align - 1);
  }

  // Checked construction: nullopt if align is not a power of two or the
  // size, rounded up to align, would exceed PTRDIFF_MAX.
  static constexpr std::optional<Layout>
  from_size_align(std::size_t size, std::size_t align) noexcept {
    if (!is_valid(size, align))
      return std::nullopt;
    return Layout(size, align);
  }

  // Unchecked construction: the caller guarantees is_valid(size, align).
  static constexpr Layout from_size_align_unchecked(std::size_t size,
                                                    std::size_t align) noexcept {
    return Layout(size, align);
  }

  // The layout of one T.
  template <class T> static constexpr Layout of() noexcept {
    static_assert(!std::is_void_v<T> && !std::is_function_v<T>,
                  "Layout::of needs an object type");
    return Layout(sizeof(T), alignof(T));
  }

  // The layout of n consecutive Ts; nullopt on overflow.
  template <class T>
  static constexpr std::optional<Layout> array(std::size_t n) noexcept {
    constexpr std::size_t max = static_cast<std::size_t>(PTRDIFF_MAX);
    if (n != 0 && sizeof(T) > max / n)
      return std::nullopt;
    return from_size_align(sizeof(T) * n, alignof(T));
  }

  constexpr std::size_t size() const noexcept { return size_; }
  constexpr std::size_t align() const noexcept { return align_; }

  // This layout with its alignment raised to at least align; nullopt if the
  // result is not a valid layout.
  constexpr std::optional<Layout> align_to(std::size_t align) const noexcept {
    return from_size_align(size_, align > align_ ? align : align_);
  }

  // The size rounded up to a multiple of the alignment.
  constexpr std::size_t padded_size() const noexcept {
    return (size_ + align_ - 1) & ~(align_ - 1);
  }

  friend constexpr bool operator==(Layout a, Layout b) noexcept {
    return a.size_ == b.size_ && a.align_ == b.align_;
  }
  friend constexpr bool operator!=(Layout a, Layout b) noexcept {
    return !(a == b);
  }

private:
  constexpr Layout(std::size_t size, std::size_t align) noexcept
      : size_(size), align_(align) {}

  std::size_t size_;
  std::size_t align_;
};

// ---------------------------------------------------------------------------
// The Alloc interface.
//
//   void* alloc(Layout) const noexcept                          required
//   void  dealloc(void*, Layout) const noexcept                 required
//   void* alloc_zeroed(Layout) const noexcept                   optional
//   void* realloc(void*, Layout, std::size_t) const noexcept    optional
//
// alloc returns memory fitting the layout, or nullptr. dealloc receives a
// pointer alloc returned and the same layout. realloc returns a block of
// new_size bytes with the old alignment holding the old contents, or
// nullptr leaving the old block untouched.
// ---------------------------------------------------------------------------

namespace detail {
template <class A, class = void>
struct has_alloc_zeroed : std::false_type {};
template <class A>
struct has_alloc_zeroed<A, std::void_t<decltype(std::declval<const A &>()
                                                    .alloc_zeroed(std::declval<Layout>()))>>
    : std::true_type {};

template <class A, class = void> struct has_realloc : std::false_type {};
template <class A>
struct has_realloc<A, std::void_t<decltype(std::declval<const A &>().realloc(
                          std::declval<void *>(), std::declval<Layout>(),
                          std::declval<std::size_t>()))>> : std::true_type {};
} // namespace detail

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
// The same interface the plugin checks for [[global_allocator]], as a
// concept. Optional members are checked when they can be called.
template <class A>
concept Alloc =
    requires(const A &a, Layout l, void *p, std::size_t n) {
      { a.alloc(l) } noexcept -> std::same_as<void *>;
      { a.dealloc(p, l) } noexcept -> std::same_as<void>;
    } &&
    (!detail::has_alloc_zeroed<A>::value ||
     requires(const A &a, Layout l) {
       { a.alloc_zeroed(l) } noexcept -> std::same_as<void *>;
     }) &&
    (!detail::has_realloc<A>::value ||
     requires(const A &a, void *p, Layout l, std::size_t n) {
       { a.realloc(p, l, n) } noexcept -> std::same_as<void *>;
     });
#endif

// alloc_zeroed and realloc through the allocator's own member when it has
// one, and through the interface's defaults otherwise.
template <class A>
void *alloc_zeroed(const A &a, Layout layout) noexcept {
  if constexpr (detail::has_alloc_zeroed<A>::value) {
    return a.alloc_zeroed(layout);
  } else {
    void *p = a.alloc(layout);
    if (p != nullptr)
      std::memset(p, 0, layout.size());
    return p;
  }
}

template <class A>
void *realloc(const A &a, void *p, Layout layout, std::size_t new_size) noexcept {
  if constexpr (detail::has_realloc<A>::value) {
    return a.realloc(p, layout, new_size);
  } else {
    if (!Layout::is_valid(new_size, layout.align()))
      return nullptr;
    void *q = a.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
    if (q == nullptr)
      return nullptr; // the old block stays untouched
    std::memcpy(q, p, layout.size() < new_size ? layout.size() : new_size);
    a.dealloc(p, layout);
    return q;
  }
}

// ---------------------------------------------------------------------------
// System: the C library's allocator (malloc and friends).
//
// Always the C library's, even in a program whose global allocator is
// Jemalloc: allocsel keeps jemalloc private.
// ---------------------------------------------------------------------------

struct System {
  // malloc's guaranteed alignment.
  static constexpr std::size_t malloc_align = alignof(std::max_align_t);

  void *alloc(Layout l) const noexcept {
    if (fits_malloc(l.size(), l.align()))
      return std::malloc(l.size());
    return aligned(l);
  }

  void *alloc_zeroed(Layout l) const noexcept {
    if (fits_malloc(l.size(), l.align()))
      return std::calloc(1, l.size());
    void *p = aligned(l);
    if (p != nullptr)
      std::memset(p, 0, l.size());
    return p;
  }

  void dealloc(void *p, Layout) const noexcept { std::free(p); }

  void *realloc(void *p, Layout l, std::size_t new_size) const noexcept {
    if (fits_malloc(new_size, l.align()))
      return std::realloc(p, new_size);
    return allocsel::realloc(Fallback{}, p, l, new_size);
  }

private:
  // malloc's result is aligned for any object that fits in the block.
  static constexpr bool fits_malloc(std::size_t size, std::size_t align) noexcept {
    return align <= malloc_align && align <= size;
  }
  static void *aligned(Layout l) noexcept {
    void *p = nullptr;
    std::size_t align = l.align() < sizeof(void *) ? sizeof(void *) : l.align();
    return posix_memalign(&p, align, l.size()) == 0 ? p : nullptr;
  }
  // The generic realloc (allocate, copy, free) over System's own members.
  struct Fallback {
    void *alloc(Layout l) const noexcept { return System{}.alloc(l); }
    void dealloc(void *p, Layout l) const noexcept { System{}.dealloc(p, l); }
  };
};

} // namespace allocsel

#endif // ALLOCSEL_ALLOC_H
