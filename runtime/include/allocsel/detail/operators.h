// allocsel/detail/operators.h - what the routing entry points and the
// replaceable operators do for an allocator A.
//
// Not part of allocsel's interface: included at the end of
// <allocsel/alloc.h>, which it needs complete (Layout, System, Jemalloc).
// The plugin's routes and allocsel's default libraries instantiate these
// templates; nothing else should.
#ifndef ALLOCSEL_DETAIL_OPERATORS_H
#define ALLOCSEL_DETAIL_OPERATORS_H

#ifndef ALLOCSEL_ALLOC_H
#error "include <allocsel/alloc.h>, not <allocsel/detail/operators.h>"
#endif

// Under AddressSanitizer (for this file only; undefined at its end).
#if defined(__SANITIZE_ADDRESS__)
#define ALLOCSEL_DETAIL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOCSEL_DETAIL_ASAN 1
#endif
#endif
// An assumption the optimizer may use (GCC, which may compile code that uses
// the header without the plugin, has no __builtin_assume). For this file only.
#if defined(__has_builtin)
#if __has_builtin(__builtin_assume)
#define ALLOCSEL_DETAIL_ASSUME(c) __builtin_assume(c)
#endif
#endif
#ifndef ALLOCSEL_DETAIL_ASSUME
#define ALLOCSEL_DETAIL_ASSUME(c) ((c) ? void(0) : __builtin_unreachable())
#endif

#ifdef ALLOCSEL_DETAIL_ASAN
extern "C" void __asan_unpoison_memory_region(void const volatile *addr, std::size_t size);
#endif

namespace allocsel {
namespace detail {

// ---------------------------------------------------------------------------
// What the routing entry points do for an allocator A. The plugin's shims
// and allocsel's defaults instantiate these; nothing else should.
// ---------------------------------------------------------------------------

// A block an allocator hands out is the program's: under AddressSanitizer
// (a selection compiled with -fsanitize=address keeps routing, ASan lets a
// program replace its operators), memory that an allocator ASan does not
// know reuses may still carry poison from its last life, such as the array
// cookie ASan poisons after operator new[]. Unpoisoning the new block stops
// those false reports; a malloc-based allocator's blocks are unpoisoned
// already, so nothing ASan checks is lost.
#ifdef ALLOCSEL_DETAIL_ASAN
inline void *fresh(void *p, std::size_t size) noexcept {
  if (p != nullptr)
    __asan_unpoison_memory_region(p, size);
  return p;
}
#else
inline void *fresh(void *p, std::size_t) noexcept { return p; }
#endif

// The size header in front of blocks from operator new, for allocators
// without dealloc_unsized. It is as large as the block's alignment (at least
// 16 bytes), so the block stays aligned; its last word holds the size.
constexpr std::size_t header_size(std::size_t align) noexcept {
  return align < 16 ? 16 : align;
}

// allocsel::Global's routes. When this artifact's operators yielded (a
// sanitizer's serve new/delete, or this library was loaded after another
// operator new was bound), Global follows the process too and uses System,
// never a private allocator. The answer is fixed once the process is
// relocated, so a block is always freed by the allocator that made it.
template <class A> void *route_alloc(const A &a, std::size_t size, std::size_t align) noexcept {
  if (!Layout::is_valid(size, align))
    return nullptr;
  Layout l = Layout::from_size_align_unchecked(size, align);
  if (__allocsel_operators_yielded())
    return System{}.alloc(l);
  return fresh(a.alloc(l), size);
}

template <class A>
void route_dealloc(const A &a, void *p, std::size_t size, std::size_t align) noexcept {
  Layout l = Layout::from_size_align_unchecked(size, align);
  if (__allocsel_operators_yielded())
    return System{}.dealloc(p, l);
  a.dealloc(p, l);
}

template <class A>
void *route_alloc_zeroed(const A &a, std::size_t size, std::size_t align) noexcept {
  if (!Layout::is_valid(size, align))
    return nullptr;
  Layout l = Layout::from_size_align_unchecked(size, align);
  if (__allocsel_operators_yielded())
    return System{}.alloc_zeroed(l);
  return fresh(allocsel::alloc_zeroed(a, l), size);
}

template <class A>
void *route_realloc(const A &a, void *p, std::size_t size, std::size_t align,
                    std::size_t new_size) noexcept {
  Layout l = Layout::from_size_align_unchecked(size, align);
  if (__allocsel_operators_yielded())
    return System{}.realloc(p, l, new_size);
  return fresh(allocsel::realloc(a, p, l, new_size), new_size);
}

// __allocsel_info: the description of the selection (or of a default),
// unless the operators yielded.
inline RouteInfo route_info(const char *variable, const char *type,
                            const char *location) noexcept {
  return __allocsel_operators_yielded() ? process_yielded : RouteInfo{variable, type, location};
}

// ---------------------------------------------------------------------------
// Blocks for operator new and delete. Exact layouts: an allocator with
// dealloc_unsized gets every block exactly as asked; any other gets a size
// header in front of each block (see docs/design.md, "Exact layouts").
// ---------------------------------------------------------------------------

// A block of size bytes (not 0) aligned to align (a power of two, at least
// __STDCPP_DEFAULT_NEW_ALIGNMENT__), with Layout::is_valid(size, align); or
// nullptr.
template <class A> inline void *new_block(const A &a, std::size_t size, std::size_t align) noexcept {
  if constexpr (has_dealloc_unsized<A>::value) {
    return fresh(a.alloc(Layout::from_size_align_unchecked(size, align)), size);
  } else {
    std::size_t header = header_size(align);
    // Layout::is_valid(size + header, header), without overflow: one compare
    // (header is a power of two, at least 16).
    if (size > static_cast<std::size_t>(PTRDIFF_MAX) - 2 * header + 1)
      return nullptr;
    auto *base = static_cast<unsigned char *>(
        a.alloc(Layout::from_size_align_unchecked(size + header, header)));
    if (base == nullptr)
      return nullptr;
    fresh(base, size + header);
    unsigned char *p = base + header;
    std::memcpy(p - sizeof(std::size_t), &size, sizeof size);
    return p;
  }
}

// Frees a block of new_block (p not null): with size, what new_block
// received; unsized, for the forms that do not know it.
template <class A>
inline void delete_unsized_block(const A &a, void *p, std::size_t align) noexcept {
  if constexpr (has_dealloc_unsized<A>::value) {
    a.dealloc_unsized(p, align);
  } else {
    std::size_t header = header_size(align);
    auto *q = static_cast<unsigned char *>(p);
    std::size_t stored;
    std::memcpy(&stored, q - sizeof stored, sizeof stored);
    a.dealloc(q - header, Layout::from_size_align_unchecked(stored + header, header));
  }
}

template <class A>
inline void delete_sized_block(const A &a, void *p, std::size_t size, std::size_t align) noexcept {
  if constexpr (has_dealloc_unsized<A>::value) {
    a.dealloc(p, Layout::from_size_align_unchecked(size, align));
  } else {
    (void)size; // the header has it, and it is exact whatever the caller says
    delete_unsized_block(a, p, align);
  }
}
// Any size and alignment: size 0 becomes 1 (a unique block); nullptr when
// (size, align) is not a valid layout or the allocator has no memory.
template <class A>
inline void *new_checked(const A &a, std::size_t size, std::size_t align) noexcept {
  size += size == 0;
  if (!Layout::is_valid(size, align))
    return nullptr;
  return new_block(a, size, align);
}

// __allocsel_new and __allocsel_delete (the operators no longer call them;
// kept for the link protocol: -u __allocsel_new pulls a selection in).
template <class A> void *route_new(const A &a, std::size_t size, std::size_t align) noexcept {
  return new_checked(a, size, align);
}
template <class A>
void route_delete(const A &a, void *p, std::size_t size, std::size_t align) noexcept {
  if (p == nullptr)
    return;
  if (size == 0)
    delete_unsized_block(a, p, align);
  else
    delete_sized_block(a, p, size, align);
}

// ---------------------------------------------------------------------------
// The 20 replaceable operators for an allocator A, compiled where A's members
// are visible (the [[global_allocator]] unit, or allocsel's default routes)
// so that they inline. Standard semantics: size 0 gets a unique block; a
// failed allocation runs the std::new_handler loop, with the same size and
// alignment, until it succeeds or there is no handler (std::bad_alloc); the
// nothrow forms return nullptr instead; new[] of SIZE_MAX (clang's overflowed
// array size) throws std::bad_array_new_length, its nothrow form returns
// nullptr; delete of nullptr does nothing. Alignments below
// __STDCPP_DEFAULT_NEW_ALIGNMENT__ are raised to it.
//
// The hot path is the allocator's own code plus one compare for the size
// (0 and the invalid sizes, the handler loop and the exceptions are off it,
// in liballocsel.a, compiled with exceptions even when this unit is not).
// ---------------------------------------------------------------------------

inline constexpr std::size_t new_align = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

// std::align_val_t, also where the unit turns aligned allocation off (the
// operators exist anyway: same ABI, an enum over size_t).
#if defined(__cpp_aligned_new)
using align_arg = std::align_val_t;
#else
enum class align_arg : std::size_t {};
#endif

constexpr std::size_t new_align_of(align_arg al) noexcept {
  auto a = static_cast<std::size_t>(al);
  return a < new_align ? new_align : a;
}

// align <= size and Layout::is_valid(size, align), for align a power of two:
// one add and one signed compare. The common case: a size of at least the
// alignment lets an allocator that rounds small sizes up (Jemalloc, System)
// drop its rounding from the path.
constexpr bool usual_size(std::size_t size, std::size_t align) noexcept {
  return static_cast<std::ptrdiff_t>(size + (align - 1)) >
         static_cast<std::ptrdiff_t>(2 * align - 2);
}
// 0 < size < align: small, but still a fast path.
constexpr bool small_size(std::size_t size, std::size_t align) noexcept {
  return size - 1 < align - 1;
}

template <class A>
void *attempt_new(const void *a, std::size_t size, std::size_t align) noexcept {
  return new_checked(*static_cast<const A *>(a), size, align);
}


// The throwing forms (Nothrow false) and the nothrow forms share one body:
// they differ only in how they fail.
template <bool Nothrow>
inline void *handler_loop(void *(*attempt)(const void *, std::size_t, std::size_t),
                          const void *a, std::size_t size, std::size_t align) noexcept(Nothrow) {
  if constexpr (Nothrow)
    return __allocsel_new_handler_loop_nothrow(attempt, a, size, align);
  else
    return __allocsel_new_handler_loop(attempt, a, size, align);
}

// The unusual requests (size 0, an invalid size or alignment) and failures.
template <bool Nothrow, class A>
[[gnu::noinline, gnu::cold]] void *new_unusual(const A &a, std::size_t size, std::size_t align,
                                               bool array) noexcept(Nothrow) {
  if (array && size == SIZE_MAX) {
    if constexpr (Nothrow)
      return nullptr;
    else
      __allocsel_bad_array_new_length();
  }
  if (void *p = new_checked(a, size, align))
    return p;
  return handler_loop<Nothrow>(&attempt_new<A>, &a, size + (size == 0), align);
}

template <bool Nothrow, class A>
inline void *new_fast(const A &a, std::size_t size, std::size_t align,
                      bool array) noexcept(Nothrow) {
  void *p;
  if (__builtin_expect(usual_size(size, align), 1)) {
    ALLOCSEL_DETAIL_ASSUME(size >= align);
    p = new_block(a, size, align);
  } else if (small_size(size, align)) {
    p = new_block(a, size, align);
  } else {
    return new_unusual<Nothrow>(a, size, align, array);
  }
  if (__builtin_expect(p != nullptr, 1))
    return p;
  return handler_loop<Nothrow>(&attempt_new<A>, &a, size, align);
}
// align_val_t: any value may arrive; a power of two is the usual case.
constexpr bool pow2(std::size_t align) noexcept { return (align & (align - 1)) == 0; }
template <bool Nothrow, class A>
inline void *new_aligned(const A &a, std::size_t size, std::size_t align,
                         bool array) noexcept(Nothrow) {
  if (__builtin_expect(pow2(align), 1))
    return new_fast<Nothrow>(a, size, align, array);
  return new_unusual<Nothrow>(a, size, align, array);
}

// Jemalloc's operators without align_val_t are jemalloc's own: the fast path
// of its C++ operator new (inline, no call around it) and its fast sized
// free, as -ljemalloc links them. Blocks then have jemalloc's natural
// alignment, what the standard asks of operator new(n) (any object of n
// bytes: 8 for an 8-byte block, 16 from 16 bytes on) and what clang assumes,
// instead of at least 16 (which costs a compare on every new and delete). The
// nothrow forms use the same size classes, so every plain delete form frees
// any plain new form's block. The align_val_t forms go through Jemalloc's
// members like any allocator's. Not under AddressSanitizer, where every
// block must go through fresh().
#ifdef ALLOCSEL_DETAIL_ASAN
template <class A> inline constexpr bool jemalloc_operators = false;
#else
template <class A> inline constexpr bool jemalloc_operators = std::is_same_v<A, Jemalloc>;
#endif

inline void *jemalloc_attempt(const void *, std::size_t size, std::size_t) noexcept {
  return allocsel_je_malloc(size);
}
inline void *jemalloc_new_nothrow(std::size_t n) noexcept {
  if (void *p = allocsel_je_malloc(n); __builtin_expect(p != nullptr, 1))
    return p;
  return __allocsel_new_handler_loop_nothrow(&jemalloc_attempt, nullptr, n, new_align);
}

template <class A> inline void *op_new(const A &a, std::size_t n) {
  if constexpr (jemalloc_operators<A>)
    return allocsel_je_cpp__Znwm(n);
  else
    return new_fast<false>(a, n, new_align, false);
}
template <class A> inline void *op_new_array(const A &a, std::size_t n) {
  if constexpr (jemalloc_operators<A>) {
    if (__builtin_expect(n == SIZE_MAX, 0))
      __allocsel_bad_array_new_length();
    return allocsel_je_cpp__Znwm(n);
  } else {
    return new_fast<false>(a, n, new_align, true);
  }
}
template <class A> inline void *op_new_nothrow(const A &a, std::size_t n, const std::nothrow_t &) noexcept {
  if constexpr (jemalloc_operators<A>)
    return jemalloc_new_nothrow(n);
  else
    return new_fast<true>(a, n, new_align, false);
}
template <class A>
inline void *op_new_array_nothrow(const A &a, std::size_t n, const std::nothrow_t &) noexcept {
  if constexpr (jemalloc_operators<A>)
    return n == SIZE_MAX ? nullptr : jemalloc_new_nothrow(n);
  else
    return new_fast<true>(a, n, new_align, true);
}
template <class A> inline void *op_new_aligned(const A &a, std::size_t n, align_arg al) {
  return new_aligned<false>(a, n, new_align_of(al), false);
}
template <class A>
inline void *op_new_array_aligned(const A &a, std::size_t n, align_arg al) {
  return new_aligned<false>(a, n, new_align_of(al), true);
}
template <class A>
inline void *op_new_aligned_nothrow(const A &a, std::size_t n, align_arg al,
                                    const std::nothrow_t &) noexcept {
  return new_aligned<true>(a, n, new_align_of(al), false);
}
template <class A>
inline void *op_new_array_aligned_nothrow(const A &a, std::size_t n, align_arg al,
                                          const std::nothrow_t &) noexcept {
  return new_aligned<true>(a, n, new_align_of(al), true);
}

// Deletes. A sized form's size is what new received, and new made 0 into 1.
template <class A> inline void op_delete(const A &a, void *p) noexcept {
  if constexpr (jemalloc_operators<A>)
    allocsel_je_free(p); // free(nullptr) does nothing
  else if (p != nullptr)
    delete_unsized_block(a, p, new_align);
}
template <class A> inline void op_delete_nothrow(const A &a, void *p, const std::nothrow_t &) noexcept {
  op_delete(a, p);
}
template <class A> inline void op_delete_aligned(const A &a, void *p, align_arg al) noexcept {
  if (p != nullptr)
    delete_unsized_block(a, p, new_align_of(al));
}
template <class A>
inline void op_delete_aligned_nothrow(const A &a, void *p, align_arg al,
                                      const std::nothrow_t &) noexcept {
  op_delete_aligned(a, p, al);
}
// The common case, n >= align, tells an allocator that rounds small sizes up
// (Jemalloc) that it need not; for one that ignores the size (System) both
// branches are the same code and the compare goes.
template <class A>
inline void delete_sized(const A &a, void *p, std::size_t n, std::size_t align) noexcept {
  if (p == nullptr)
    return;
  if (__builtin_expect(n >= align, 1)) {
    ALLOCSEL_DETAIL_ASSUME(n >= align);
    delete_sized_block(a, p, n, align);
  } else {
    delete_sized_block(a, p, n + (n == 0), align);
  }
}
template <class A> inline void op_delete_sized(const A &a, void *p, std::size_t n) noexcept {
  if constexpr (jemalloc_operators<A>) {
    if (p != nullptr)
      allocsel_je_sdallocx_noflags(p, n);
  } else {
    delete_sized(a, p, n, new_align);
  }
}
template <class A>
inline void op_delete_sized_aligned(const A &a, void *p, std::size_t n, align_arg al) noexcept {
  delete_sized(a, p, n, new_align_of(al));
}

} // namespace detail
} // namespace allocsel
#undef ALLOCSEL_DETAIL_ASAN
#undef ALLOCSEL_DETAIL_ASSUME

#endif // ALLOCSEL_DETAIL_OPERATORS_H
