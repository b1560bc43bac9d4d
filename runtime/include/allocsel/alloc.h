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

#if !defined(__cplusplus) || __cplusplus < 201703L
#error "<allocsel/alloc.h> needs C++17 or later: compile with -std=c++17 or -std=c++20"
#else

// A selection only the allocsel plugin reads: compiled without it (g++, or
// clang without -fplugin=allocsel.so) `[[global_allocator]]` would be an
// ignored attribute and the program would silently run on the default
// allocator. So, when the compiler does not know the attribute, the header
// turns its use into one clear error: `[[global_allocator]] X G{};` becomes
// `[[global_allocator]]; static_assert(false, "..."); [[]] X G{};` (a macro
// is not expanded again inside itself), valid C++ everywhere a declaration
// may be, with any spelling (`[[allocsel::global_allocator]]` too), but for
// the assertion. ALLOCSEL_PLUGIN tells code
// whether the plugin is loaded (test it instead of __has_cpp_attribute
// after this header). Define ALLOCSEL_ALLOW_NO_PLUGIN to read the header
// without the plugin anyway (tools that cannot load it).
#if defined(__has_cpp_attribute) && __has_cpp_attribute(global_allocator)
#define ALLOCSEL_PLUGIN 1
#else
#define ALLOCSEL_PLUGIN 0
#if !defined(ALLOCSEL_ALLOW_NO_PLUGIN)
#define global_allocator                                                       \
  global_allocator ] ];                                                        \
  static_assert(false, "[[global_allocator]] is read only by the allocsel "    \
                       "plugin, which this compile does not load: without "    \
                       "it the program would silently use the default "        \
                       "allocator. Compile with $(allocsel-config --cxxflags) " \
                       "[allocsel-no-plugin]");                                \
  [ [
#endif
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

namespace detail {
template <class A, class = void>
struct has_alloc_zeroed : std::false_type {};
template <class A>
struct has_alloc_zeroed<A, std::void_t<decltype(std::declval<const A &>()
                                                    .alloc_zeroed(std::declval<Layout>()))>>
    : std::true_type {};

template <class A, class = void>
struct has_dealloc_unsized : std::false_type {};
template <class A>
struct has_dealloc_unsized<A, std::void_t<decltype(std::declval<const A &>().dealloc_unsized(
                                  std::declval<void *>(), std::declval<std::size_t>()))>>
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
// the allocsel_je_* entry points below: using Jemalloc never turns the
// process's malloc into jemalloc. Its options come from the environment
// variable ALLOCSEL_JEMALLOC_CONF (not MALLOC_CONF, which belongs to any
// other jemalloc in the process). Link with $(allocsel-config --libs).
// ---------------------------------------------------------------------------

} // namespace allocsel

extern "C" {
void *allocsel_je_malloc(std::size_t size) noexcept;
void *allocsel_je_mallocx(std::size_t size, int flags) noexcept;
void *allocsel_je_rallocx(void *p, std::size_t size, int flags) noexcept;
void allocsel_je_dallocx(void *p, int flags) noexcept;
void allocsel_je_free(void *p) noexcept;
// jemalloc's own C++ operator new(size_t) and the sized free its sized
// delete calls (see Jemalloc's operators below).
void *allocsel_je_cpp__Znwm(std::size_t size);
void allocsel_je_sdallocx_noflags(void *p, std::size_t size) noexcept;
void allocsel_je_sdallocx(void *p, std::size_t size, int flags) noexcept;
int allocsel_je_mallctl(const char *name, void *oldp, std::size_t *oldlenp,
                        void *newp, std::size_t newlen) noexcept;
}

namespace allocsel {

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
// Routing entry points.
//
// The unit that holds the [[global_allocator]] defines these (the plugin
// emits them); without a selection, allocsel's default library does, in an
// executable. They are the process's, like the operators (docs/guide.md section
// 3): an executable exports them (allocsel-config --ldflags), a shared
// library that selects exports them, and every reference in the process
// binds to the first definition, as for operator new. They are declared weak:
// a shared library without a selection defines none, and its allocsel::Global
// finds its process's at load time, or none in a process that does not route
// with allocsel (then Global uses System, the heap of the C++ library's own
// operator new).
// ---------------------------------------------------------------------------

} // namespace allocsel

#define ALLOCSEL_ROUTE extern "C" __attribute__((weak, visibility("default")))
ALLOCSEL_ROUTE void *__allocsel_alloc(std::size_t size, std::size_t align) noexcept;
ALLOCSEL_ROUTE void __allocsel_dealloc(void *p, std::size_t size, std::size_t align) noexcept;
ALLOCSEL_ROUTE void *__allocsel_alloc_zeroed(std::size_t size, std::size_t align) noexcept;
ALLOCSEL_ROUTE void *__allocsel_realloc(void *p, std::size_t size, std::size_t align,
                                        std::size_t new_size) noexcept;
ALLOCSEL_ROUTE void *__allocsel_new(std::size_t size, std::size_t align) noexcept;
ALLOCSEL_ROUTE void __allocsel_delete(void *p, std::size_t size, std::size_t align) noexcept;
ALLOCSEL_ROUTE const char *__allocsel_selection() noexcept;
#undef ALLOCSEL_ROUTE

// Defined next to the operators (liballocsel.a), which every object with
// routes links: true when this artifact's operators are not the ones the
// process calls (a sanitizer's won the link, or this shared library was
// loaded after another operator new was bound).
extern "C" __attribute__((visibility("hidden"))) bool __allocsel_operators_yielded() noexcept;

namespace allocsel {

// ---------------------------------------------------------------------------
// Global: whatever allocator the process uses (its selection or the
// default), as an Alloc. Calls through Global reach the selected allocator
// exactly as operator new does; calls on the selected variable itself do
// not pass through the routing. In a process that does not route with
// allocsel, Global is System.
// ---------------------------------------------------------------------------

// Hidden: an executable's inline copy must not be what a shared library's
// calls bind to (they are the same code, but each artifact keeps its own).
#define ALLOCSEL_LOCAL __attribute__((visibility("hidden")))

struct ALLOCSEL_LOCAL Global {
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
// ---------------------------------------------------------------------------

struct AllocatorInfo {
  bool selected;              // a [[global_allocator]], or else a default
  std::string_view variable;  // the selected variable ("app::GLOBAL"), or ""
  std::string_view type;      // its type ("Counting"), or the default's; System
                              // where allocsel's routes do not serve the process
  std::string_view location;  // "file.cpp:12:41", or why the default applies
};

namespace detail {
// What global_allocator_info() says where allocsel's routes do not serve the
// process: no routes at all, or routes whose operators yielded.
ALLOCSEL_LOCAL inline constexpr const char process_not_routed[] =
    "process||allocsel::System|the process does not route with allocsel: new/delete "
    "are the C++ library's own (or another replacement's), allocsel::Global uses System";
ALLOCSEL_LOCAL inline constexpr const char process_yielded[] =
    "process||allocsel::System|allocsel's operators yielded: the process binds another "
    "operator new (a sanitizer's, or one bound before this library was loaded); "
    "allocsel::Global uses System";
} // namespace detail

ALLOCSEL_LOCAL inline AllocatorInfo global_allocator_info() noexcept {
  // "selected|variable|type|location", "default||type|reason" or
  // "process||type|reason"
  std::string_view s = &__allocsel_selection == nullptr ? detail::process_not_routed
                                                        : __allocsel_selection();
  std::string_view f[4];
  for (int i = 0; i < 3; ++i) {
    std::size_t bar = s.find('|');
    f[i] = s.substr(0, bar);
    s = bar == std::string_view::npos ? std::string_view() : s.substr(bar + 1);
  }
  f[3] = s;
  return {f[0] == "selected", f[1], f[2], f[3]};
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
#if defined(__SANITIZE_ADDRESS__)
#define ALLOCSEL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOCSEL_ASAN 1
#endif
#endif
#ifdef ALLOCSEL_ASAN
} // namespace detail
} // namespace allocsel
extern "C" void __asan_unpoison_memory_region(void const volatile *addr, std::size_t size);
namespace allocsel {
namespace detail {
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

// __allocsel_selection: the selection's description, unless the operators
// yielded.
inline const char *route_selection(const char *selection) noexcept {
  return __allocsel_operators_yielded() ? process_yielded : selection;
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

} // namespace detail
} // namespace allocsel

// liballocsel.a, off the hot path.
extern "C" {
// The std::new_handler loop after a failed attempt: handler, attempt, until
// a block (returned), no handler (std::bad_alloc) or an exception.
__attribute__((visibility("hidden"))) void *
__allocsel_new_handler_loop(void *(*attempt)(const void *, std::size_t, std::size_t),
                            const void *allocator, std::size_t size, std::size_t align);
// The same for the nothrow forms: nullptr instead of std::bad_alloc.
__attribute__((visibility("hidden"))) void *
__allocsel_new_handler_loop_nothrow(void *(*attempt)(const void *, std::size_t, std::size_t),
                                    const void *allocator, std::size_t size,
                                    std::size_t align) noexcept;
[[noreturn]] __attribute__((visibility("hidden"))) void __allocsel_bad_array_new_length();
}

namespace allocsel {
namespace detail {

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
    __builtin_assume(size >= align);
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
#ifdef ALLOCSEL_ASAN
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
    __builtin_assume(n >= align);
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

#endif // C++17
#endif // ALLOCSEL_ALLOC_H
