// The 20 replaceable global allocation and deallocation functions of C++17/20,
// routed to the program's allocator through __allocsel_new/__allocsel_delete.
//
// They are defined here as __allocsel_impl_<mangled name>, and reached through
// the weak thunks of thunks.h, which only an object with routes defines: see
// that file for why. Each implementation is what its operator does.
//
// Standard semantics: size 0 gets a unique block (of size 1); a failed
// allocation calls the new_handler and retries, with the same size and
// alignment, until it succeeds or there is no handler (then std::bad_alloc);
// the nothrow forms return nullptr instead of throwing; delete of nullptr does
// nothing. The unsized delete forms pass size 0, "unknown", and the route
// recovers the exact layout (see detail::route_delete in <allocsel/alloc.h>).
// new T[n] whose size overflows reaches operator new[] as SIZE_MAX (clang's
// convention): the array forms throw std::bad_array_new_length for it, as
// the standard says the new-expression does; the nothrow ones return nullptr.
//
// Nothing here allocates, locks, or throws where noexcept is promised.

#include <allocsel/alloc.h>

#include <cstdint>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <new>
#include <sys/auxv.h>
#include <unistd.h>

#define ALLOCSEL_IMPL(M) __asm__("__allocsel_impl_" #M) __attribute__((visibility("hidden"), used))

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

[[noreturn, gnu::noinline, gnu::cold]] void bad_length() { throw std::bad_array_new_length(); }

inline void *allocate(std::size_t size, std::size_t align) {
  size += size == 0;
  if (void *p = __allocsel_new(size, align); __builtin_expect(p != nullptr, 1))
    return p;
  return retry(size, align);
}

inline void *allocate_array(std::size_t size, std::size_t align) {
  if (__builtin_expect(size == SIZE_MAX, 0))
    bad_length();
  return allocate(size, align);
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

inline void *allocate_array_nothrow(std::size_t size, std::size_t align) noexcept {
  if (__builtin_expect(size == SIZE_MAX, 0))
    return nullptr;
  return allocate_nothrow(size, align);
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
void *op_new(std::size_t n) ALLOCSEL_IMPL(_Znwm);
void *op_new(std::size_t n) { return allocate(n, default_align); }
void *op_new_a(std::size_t n) ALLOCSEL_IMPL(_Znam);
void *op_new_a(std::size_t n) { return allocate_array(n, default_align); }
void *op_new_nt(std::size_t n, const std::nothrow_t &) noexcept ALLOCSEL_IMPL(_ZnwmRKSt9nothrow_t);
void *op_new_nt(std::size_t n, const std::nothrow_t &) noexcept {
  return allocate_nothrow(n, default_align);
}
void *op_new_a_nt(std::size_t n, const std::nothrow_t &) noexcept ALLOCSEL_IMPL(_ZnamRKSt9nothrow_t);
void *op_new_a_nt(std::size_t n, const std::nothrow_t &) noexcept {
  return allocate_array_nothrow(n, default_align);
}
void *op_new_al(std::size_t n, std::align_val_t al) ALLOCSEL_IMPL(_ZnwmSt11align_val_t);
void *op_new_al(std::size_t n, std::align_val_t al) { return allocate(n, align_of(al)); }
void *op_new_a_al(std::size_t n, std::align_val_t al) ALLOCSEL_IMPL(_ZnamSt11align_val_t);
void *op_new_a_al(std::size_t n, std::align_val_t al) { return allocate_array(n, align_of(al)); }
void *op_new_al_nt(std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept
    ALLOCSEL_IMPL(_ZnwmSt11align_val_tRKSt9nothrow_t);
void *op_new_al_nt(std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
  return allocate_nothrow(n, align_of(al));
}
void *op_new_a_al_nt(std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept
    ALLOCSEL_IMPL(_ZnamSt11align_val_tRKSt9nothrow_t);
void *op_new_a_al_nt(std::size_t n, std::align_val_t al, const std::nothrow_t &) noexcept {
  return allocate_array_nothrow(n, align_of(al));
}

// Unsized, nothrow, aligned, sized: 12 deallocation functions.
void op_del(void *p) noexcept ALLOCSEL_IMPL(_ZdlPv);
void op_del(void *p) noexcept { release(p, 0, default_align); }
void op_del_a(void *p) noexcept ALLOCSEL_IMPL(_ZdaPv);
void op_del_a(void *p) noexcept { release(p, 0, default_align); }
void op_del_nt(void *p, const std::nothrow_t &) noexcept ALLOCSEL_IMPL(_ZdlPvRKSt9nothrow_t);
void op_del_nt(void *p, const std::nothrow_t &) noexcept { release(p, 0, default_align); }
void op_del_a_nt(void *p, const std::nothrow_t &) noexcept ALLOCSEL_IMPL(_ZdaPvRKSt9nothrow_t);
void op_del_a_nt(void *p, const std::nothrow_t &) noexcept { release(p, 0, default_align); }
void op_del_al(void *p, std::align_val_t al) noexcept ALLOCSEL_IMPL(_ZdlPvSt11align_val_t);
void op_del_al(void *p, std::align_val_t al) noexcept { release(p, 0, align_of(al)); }
void op_del_a_al(void *p, std::align_val_t al) noexcept ALLOCSEL_IMPL(_ZdaPvSt11align_val_t);
void op_del_a_al(void *p, std::align_val_t al) noexcept { release(p, 0, align_of(al)); }
void op_del_al_nt(void *p, std::align_val_t al, const std::nothrow_t &) noexcept
    ALLOCSEL_IMPL(_ZdlPvSt11align_val_tRKSt9nothrow_t);
void op_del_al_nt(void *p, std::align_val_t al, const std::nothrow_t &) noexcept {
  release(p, 0, align_of(al));
}
void op_del_a_al_nt(void *p, std::align_val_t al, const std::nothrow_t &) noexcept
    ALLOCSEL_IMPL(_ZdaPvSt11align_val_tRKSt9nothrow_t);
void op_del_a_al_nt(void *p, std::align_val_t al, const std::nothrow_t &) noexcept {
  release(p, 0, align_of(al));
}
void op_del_sz(void *p, std::size_t n) noexcept ALLOCSEL_IMPL(_ZdlPvm);
void op_del_sz(void *p, std::size_t n) noexcept { release(p, sized(n), default_align); }
void op_del_a_sz(void *p, std::size_t n) noexcept ALLOCSEL_IMPL(_ZdaPvm);
void op_del_a_sz(void *p, std::size_t n) noexcept { release(p, sized(n), default_align); }
void op_del_sz_al(void *p, std::size_t n, std::align_val_t al) noexcept
    ALLOCSEL_IMPL(_ZdlPvmSt11align_val_t);
void op_del_sz_al(void *p, std::size_t n, std::align_val_t al) noexcept {
  release(p, sized(n), align_of(al));
}
void op_del_a_sz_al(void *p, std::size_t n, std::align_val_t al) noexcept
    ALLOCSEL_IMPL(_ZdaPvmSt11align_val_t);
void op_del_a_sz_al(void *p, std::size_t n, std::align_val_t al) noexcept {
  release(p, sized(n), align_of(al));
}

// ---------------------------------------------------------------------------
// Are this artifact's operators the process's?
//
// The dynamic linker binds every reference to operator new in the process to
// one definition: the executable's, else the first shared library's in load
// order. This artifact's operators are not the process's when a sanitizer's
// won the static link, or when this is a shared library loaded after another
// definition was bound (dlopen()ed late, or behind libstdc++ in load order).
// Both addresses are fixed once relocation is done, so the answer never
// changes while the process runs.
// ---------------------------------------------------------------------------

extern "C" __attribute__((visibility("hidden"))) void __allocsel_own_new();

namespace {
void *bound_operator_new() noexcept {
  void *(*bound)(std::size_t) = &::operator new;
  void *p = reinterpret_cast<void *>(bound);
  asm("" : "+r"(p)); // two symbols: the compiler must not assume they differ
  return p;
}
} // namespace

extern "C" __attribute__((visibility("hidden"))) bool __allocsel_operators_yielded() noexcept {
  return bound_operator_new() != reinterpret_cast<void *>(&__allocsel_own_new);
}

namespace {

struct Line {
  char buf[1024];
  std::size_t n = 0;
  Line &operator<<(const char *s) noexcept {
    for (; s && *s && n + 1 < sizeof buf; ++s)
      buf[n++] = *s;
    return *this;
  }
};

// A shared library whose operators are not the process's says so once, when
// it is loaded: its selection does not take effect. Its new/delete already
// reach the process's operators (the dynamic linker bound them there), and
// its allocsel::Global follows: to the process's routes when the process
// exports them, else its own routes send it to System (detail::route_alloc).
// The executable stays quiet: its operators yield only to a sanitizer's, as
// documented.
__attribute__((constructor(101))) void say_when_yielded() noexcept {
  if (!__allocsel_operators_yielded())
    return;
  Dl_info own{}, exe{}, bound{};
  if (dladdr(reinterpret_cast<void *>(&__allocsel_own_new), &own) == 0)
    return;
  auto *phdr = reinterpret_cast<void *>(getauxval(AT_PHDR));
  if (phdr != nullptr && dladdr(phdr, &exe) != 0 && exe.dli_fbase == own.dli_fbase)
    return;
  const char *where = "an earlier object";
  if (dladdr(bound_operator_new(), &bound) != 0 && bound.dli_fname && *bound.dli_fname)
    where = bound.dli_fname;
  if (exe.dli_fbase != nullptr && bound.dli_fbase == exe.dli_fbase)
    where = "the executable";
  Line line;
  line << "allocsel: " << (own.dli_fname ? own.dli_fname : "a shared library")
       << " provides a [[global_allocator]], but the process's operator new was already "
          "bound to "
       << where
       << ": the library uses the process's allocator, not its selection (link the library "
          "into the executable to make it the process's allocator) "
          "[allocsel-provider-not-bound]\n";
  ssize_t ignored = write(2, line.buf, line.n);
  (void)ignored;
  // Once per process: the library stays loaded after dlclose() (as allocator
  // libraries usually do, -z nodelete), so reopening it says nothing again.
  if (own.dli_fname != nullptr)
    dlopen(own.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

} // namespace
