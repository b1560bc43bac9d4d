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
//
// Contents, in order:
//   Layout                   the size and alignment of a block
//   Alloc                    the interface a [[global_allocator]] provides
//                            (a concept in C++20), new_header_bytes<A>,
//                            alloc_zeroed() and realloc() with defaults
//   System, Jemalloc         the allocators allocsel ships
//   Global                   the process's allocator, as an Alloc
//   global_allocator_info()  which allocator serves the process, and why
//   Counting<A>              an adapter that counts what passes through
// Macros: ALLOCSEL_PLUGIN (1 when the plugin is loaded); define
// ALLOCSEL_ALLOW_NO_PLUGIN to read the header without the plugin.
// Everything in allocsel::detail and <allocsel/detail/> is the routing's
// machinery, not part of the interface.
#ifndef ALLOCSEL_ALLOC_H
#define ALLOCSEL_ALLOC_H

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "<allocsel/alloc.h> needs C++17 or later: compile with -std=c++17 or -std=c++20"
#else

// A selection only the allocsel plugin reads: compiled without it (g++, or
// clang without -fplugin=allocsel.so) `[[global_allocator]]` would be an
// ignored attribute and the program would silently run on the default
// allocator. So, when the compiler does not know the attribute, the header
// turns each use into one clear error, in any spelling
// (<allocsel/detail/no_plugin.h>). ALLOCSEL_PLUGIN tells code whether the
// plugin is loaded (test it instead of __has_cpp_attribute after this
// header). Define ALLOCSEL_ALLOW_NO_PLUGIN to read the header without the
// plugin anyway (tools that cannot load it).
#if defined(__has_cpp_attribute) && __has_cpp_attribute(global_allocator)
#define ALLOCSEL_PLUGIN 1
#else
#define ALLOCSEL_PLUGIN 0
#if !defined(ALLOCSEL_ALLOW_NO_PLUGIN)
#include <allocsel/detail/no_plugin.h>
#endif
#endif

#if ALLOCSEL_PLUGIN
// [allocsel-no-plugin] A compile that stops here ("no member named
// 'plugin_loaded_here' in namespace 'allocsel::detail'") reads a unit that
// was preprocessed where the allocsel plugin was loaded, and does not load
// it: its selection would be ignored, and the program would run on the
// default allocator. (The #if above was decided where the unit was
// preprocessed: icecc in front of allocsel-clang++, say.) Compile it with
// the plugin; for icecream, ALLOCSEL_LAUNCHER=icecc
// (docs/distributed-builds.md). The plugin answers the pragma with
// allocsel::detail::plugin_loaded_here, wherever the unit is compiled.
namespace allocsel::detail {}
#pragma allocsel plugin_loaded
static_assert(allocsel::detail::plugin_loaded_here, "");
#endif

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
#include <concepts>
#endif

#include <allocsel/detail/entry_points.h>
#include <allocsel/detail/traits.h>

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
//   void  dealloc_unsized(void*, std::size_t align) const noexcept
//                                                               optional
//
// alloc returns memory fitting the layout, or nullptr. dealloc receives a
// pointer alloc returned and the same layout. realloc returns a block of
// new_size bytes with the old alignment holding the old contents, or
// nullptr leaving the old block untouched.
//
// dealloc_unsized is allocsel's extension for C++: it frees a block alloc
// returned without being told its size (C++ has unsized operator delete and
// delete[]). An allocator that can do that (malloc, jemalloc) gets every
// block from operator new exactly as asked. For an allocator without it, the
// routing keeps each block's size in a small header in front of the block,
// so that dealloc always receives exactly the layout alloc received.
// ---------------------------------------------------------------------------

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
     }) &&
    // dealloc_unsized: a member of that name (one function, so its address
    // can be taken) must be callable as the interface says; any callable
    // one must be noexcept and return void. Getting it wrong is not silent:
    // the blocks of operator new would carry a size header.
    ((!detail::has_dealloc_unsized<A>::value && !requires { &A::dealloc_unsized; }) ||
     requires(const A &a, void *p, std::size_t n) {
       { a.dealloc_unsized(p, n) } noexcept -> std::same_as<void>;
     });
#endif

// What selecting A costs in memory: the bytes of the size header in front of
// every block from operator new (of ordinary alignment; an over-aligned
// block's header is its alignment). 0 when A has dealloc_unsized.
// `static_assert(allocsel::new_header_bytes<MyAlloc> == 0);` keeps it so.
template <class A>
inline constexpr std::size_t new_header_bytes = detail::has_dealloc_unsized<A>::value ? 0 : 16;

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
    if (l.align() <= malloc_align)
      return std::malloc(at_least(l.size(), l.align()));
    return aligned(l);
  }

  void *alloc_zeroed(Layout l) const noexcept {
    if (l.align() <= malloc_align)
      return std::calloc(1, at_least(l.size(), l.align()));
    void *p = aligned(l);
    if (p != nullptr)
      std::memset(p, 0, l.size());
    return p;
  }

  void dealloc(void *p, Layout) const noexcept { std::free(p); }
  void dealloc_unsized(void *p, std::size_t) const noexcept { std::free(p); }

  void *realloc(void *p, Layout l, std::size_t new_size) const noexcept {
    if (!Layout::is_valid(new_size, l.align()))
      return nullptr;
    if (l.align() <= malloc_align)
      return std::realloc(p, at_least(new_size, l.align()));
    return allocsel::realloc(Fallback{}, p, l, new_size);
  }

private:
  // malloc(n) is aligned for any object of fundamental alignment that fits
  // in n bytes: asking for at least `align` bytes gives any alignment up to
  // malloc_align, without posix_memalign's slow path.
  static constexpr std::size_t at_least(std::size_t size, std::size_t align) noexcept {
    return size < align ? align : size;
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

// ---------------------------------------------------------------------------
// Jemalloc: jemalloc, private to allocsel.
//
// allocsel links its own copy of jemalloc whose symbols are all local except
// the allocsel_je_* entry points (detail/entry_points.h): using Jemalloc never turns the
// process's malloc into jemalloc. Its options come from the environment
// variable ALLOCSEL_JEMALLOC_CONF (not MALLOC_CONF, which belongs to any
// other jemalloc in the process). Link with $(allocsel-config --libs).
// ---------------------------------------------------------------------------


struct Jemalloc {
  void *alloc(Layout l) const noexcept {
    // malloc has jemalloc's fast path (thread cache, no flag decoding);
    // mallocx does not.
    if (l.align() <= 16)
      return allocsel_je_malloc(size_for(l.size(), l.align()));
    return allocsel_je_mallocx(l.size() + (l.size() == 0), lg_align(l.align()));
  }
  void *alloc_zeroed(Layout l) const noexcept {
    return allocsel_je_mallocx(size_for(l.size(), l.align()), flags(l.align()) | zero_flag);
  }
  void dealloc(void *p, Layout l) const noexcept {
    allocsel_je_sdallocx(p, size_for(l.size(), l.align()), flags(l.align()));
  }
  // free, not dallocx: jemalloc 5.3's free has the thread-cache fast path,
  // dallocx does not. It frees a block of any alignment.
  void dealloc_unsized(void *p, std::size_t) const noexcept { allocsel_je_free(p); }
  void *realloc(void *p, Layout l, std::size_t new_size) const noexcept {
    if (!Layout::is_valid(new_size, l.align()))
      return nullptr;
    return allocsel_je_rallocx(p, size_for(new_size, l.align()), flags(l.align()));
  }

  // jemalloc's mallctl on allocsel's copy ("stats.allocated", "epoch", ...).
  static int mallctl(const char *name, void *oldp, std::size_t *oldlenp, void *newp,
                     std::size_t newlen) noexcept {
    return allocsel_je_mallctl(name, oldp, oldlenp, newp, newlen);
  }

private:
  // Every jemalloc size class is aligned to the largest power of two that
  // divides it, up to 16 at least: asking for max(size, align) bytes with no
  // flags gives any alignment up to 16, on the fast path, without
  // MALLOCX_LG_ALIGN (which sends small blocks down jemalloc's slow path).
  // Size 0 becomes 1: mallocx and sdallocx take no size 0.
  static constexpr std::size_t size_for(std::size_t size, std::size_t align) noexcept {
    std::size_t n = align <= 16 && size < align ? align : size;
    return n + (n == 0);
  }
  static constexpr int flags(std::size_t align) noexcept {
    return align <= 16 ? 0 : lg_align(align);
  }
  // MALLOCX_LG_ALIGN(la) is la itself.
  static constexpr int lg_align(std::size_t align) noexcept { return __builtin_ctzl(align); }
  static constexpr int zero_flag = 0x40; // MALLOCX_ZERO
};

// ---------------------------------------------------------------------------
// Global: whatever allocator the process uses (its selection or the
// default), as an Alloc. Calls through Global reach the selected allocator
// exactly as operator new does; calls on the selected variable itself do
// not pass through the routing. In a process that does not route with
// allocsel, Global is System.
// ---------------------------------------------------------------------------

// Hidden: an executable's inline copy must not be what a shared library's
// calls bind to (they are the same code, but each artifact keeps its own).
struct [[gnu::visibility("hidden")]] Global {
  void *alloc(Layout l) const noexcept {
    if (&__allocsel_alloc == nullptr)
      return System{}.alloc(l);
    return __allocsel_alloc(l.size(), l.align());
  }
  void dealloc(void *p, Layout l) const noexcept {
    if (&__allocsel_dealloc == nullptr)
      return System{}.dealloc(p, l);
    __allocsel_dealloc(p, l.size(), l.align());
  }
  void *alloc_zeroed(Layout l) const noexcept {
    if (&__allocsel_alloc_zeroed == nullptr)
      return System{}.alloc_zeroed(l);
    return __allocsel_alloc_zeroed(l.size(), l.align());
  }
  void *realloc(void *p, Layout l, std::size_t new_size) const noexcept {
    if (&__allocsel_realloc == nullptr)
      return System{}.realloc(p, l, new_size);
    return __allocsel_realloc(p, l.size(), l.align(), new_size);
  }
};

// ---------------------------------------------------------------------------
// Which allocator serves this process, and where it was chosen.
//
//   auto info = allocsel::global_allocator_info();
//   std::printf("%.*s\n", int(info.type.size()), info.type.data());
//
// selected: a [[global_allocator]] serves the process (variable, type and
//   location describe it); otherwise a default does, or allocsel's routes do
//   not serve the process at all (type is then System, which is the heap of
//   the C++ library's own operator new), and location says why.
// The strings are static: they stay valid for the life of the process.
// Usable from any thread, before main and after static destructors ran; it
// never calls the global allocator.
// ---------------------------------------------------------------------------

struct AllocatorInfo {
  bool selected;              // a [[global_allocator]], or else a default
  std::string_view variable;  // the selected variable ("app::GLOBAL"), or ""
  std::string_view type;      // its type ("Counting"), or the default's; System
                              // where allocsel's routes do not serve the process
  std::string_view location;  // "file.cpp:12:41", or why the default applies
};

// Hidden, like Global: each artifact asks the process's routes itself.
[[gnu::visibility("hidden")]] inline AllocatorInfo global_allocator_info() noexcept {
  detail::RouteInfo r =
      &__allocsel_info == nullptr ? detail::process_not_routed : __allocsel_info();
  return {*r.variable != '\0', r.variable, r.type, r.location};
}

// ---------------------------------------------------------------------------
// Adapters.
// ---------------------------------------------------------------------------

// Counts what passes through to another allocator. All counters are
// relaxed atomics: Counting<A> is usable as a [[global_allocator]] with
// constinit, from any thread.
//
// live_bytes is exact, so Counting needs the size of every block it frees:
// it has no dealloc_unsized, and as a selection its blocks from operator new
// carry the size header (new_header_bytes<Counting<A>> is 16). An allocator
// that counts blocks only can forward dealloc_unsized (examples/counting.cpp).
template <class A> class Counting {
public:
  constexpr Counting() noexcept = default;
  constexpr explicit Counting(A inner) noexcept : inner_(inner) {}

  void *alloc(Layout l) const noexcept { return note_alloc(inner_.alloc(l), l.size()); }
  void *alloc_zeroed(Layout l) const noexcept {
    return note_alloc(allocsel::alloc_zeroed(inner_, l), l.size());
  }
  void dealloc(void *p, Layout l) const noexcept {
    inner_.dealloc(p, l);
    deallocs_.fetch_add(1, std::memory_order_relaxed);
    live_bytes_.fetch_sub(l.size(), std::memory_order_relaxed);
  }
  void *realloc(void *p, Layout l, std::size_t new_size) const noexcept {
    void *q = allocsel::realloc(inner_, p, l, new_size);
    if (q != nullptr) {
      reallocs_.fetch_add(1, std::memory_order_relaxed);
      live_bytes_.fetch_add(new_size - l.size(), std::memory_order_relaxed);
    }
    return q;
  }

  struct Stats {
    std::size_t allocs, deallocs, reallocs, failures, live_bytes;
  };
  Stats stats() const noexcept {
    return {allocs_.load(std::memory_order_relaxed), deallocs_.load(std::memory_order_relaxed),
            reallocs_.load(std::memory_order_relaxed), failures_.load(std::memory_order_relaxed),
            live_bytes_.load(std::memory_order_relaxed)};
  }
  const A &inner() const noexcept { return inner_; }

private:
  void *note_alloc(void *p, std::size_t size) const noexcept {
    if (p == nullptr) {
      failures_.fetch_add(1, std::memory_order_relaxed);
    } else {
      allocs_.fetch_add(1, std::memory_order_relaxed);
      live_bytes_.fetch_add(size, std::memory_order_relaxed);
    }
    return p;
  }

  A inner_{};
  mutable std::atomic<std::size_t> allocs_{0}, deallocs_{0}, reallocs_{0}, failures_{0},
      live_bytes_{0};
};

} // namespace allocsel

#include <allocsel/detail/operators.h>

#endif // C++17
#endif // ALLOCSEL_ALLOC_H
