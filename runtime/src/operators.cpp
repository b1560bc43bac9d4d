// The cold half of the 20 replaceable global allocation and deallocation
// functions of C++17/20, and the check that tells whether this artifact's
// operators are the process's.
//
// The operators themselves are compiled where the allocator is visible: the
// [[global_allocator]] unit (the plugin emits them) or allocsel's default
// routes, as __allocsel_impl_<mangled name> over allocsel::detail::op_* in
// <allocsel/alloc.h>, reached through the weak thunks of thunks.h. Their hot
// path is the allocator's own code; what is rare lives here, compiled with
// exceptions whatever the selecting unit uses: the std::new_handler loop, and
// std::bad_alloc and std::bad_array_new_length.
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

using Attempt = void *(*)(const void *, std::size_t, std::size_t);

// After a failed attempt: call the handler, try again, with the same size
// and alignment, until a block comes or there is no handler.
extern "C" void *__allocsel_new_handler_loop(Attempt attempt, const void *allocator,
                                             std::size_t size, std::size_t align) {
  for (;;) {
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr)
      throw std::bad_alloc();
    handler();
    if (void *p = attempt(allocator, size, align))
      return p;
  }
}

// The nothrow forms: a handler that throws std::bad_alloc (or none) ends the
// loop with nullptr; the standard lets the nothrow forms call the throwing
// ones and catch.
extern "C" void *__allocsel_new_handler_loop_nothrow(Attempt attempt, const void *allocator,
                                                     std::size_t size,
                                                     std::size_t align) noexcept {
  try {
    return __allocsel_new_handler_loop(attempt, allocator, size, align);
  } catch (...) {
    return nullptr;
  }
}

extern "C" [[noreturn]] void __allocsel_bad_array_new_length() {
  throw std::bad_array_new_length();
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
// The operator that carries __allocsel_own_new (thunks.h).
void *bound_operator_new() noexcept {
  void *(*bound)(std::size_t, std::align_val_t, const std::nothrow_t &) noexcept =
      &::operator new[];
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
