// The default for executables: no [[global_allocator]] in the program.
//
// Jemalloc, unless, when the process first allocates, the environment says
// ALLOCSEL_DEFAULT=system, or (without ALLOCSEL_DEFAULT=jemalloc) a tool
// that watches malloc is in the process: a sanitizer runtime, or valgrind.
// Then System (malloc with exact sizes), so that the tool sees every block. The choice is made once, at the first allocation, and never
// changes: every block is freed by the allocator that made it.
#include "routes.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace {

enum : int { undecided, use_jemalloc, use_system };
constinit std::atomic<int> choice{undecided};

} // namespace

// A sanitizer runtime in the process. Linked statically (the usual way), its
// operators won the link and this default serves only allocsel::Global; but a
// shared runtime (-shared-libasan, or LD_PRELOAD) loses to the executable's
// operators at run time: then the default must yield to the sanitizer's
// malloc, or jemalloc would reuse memory the sanitizer poisoned and hide
// every heap bug.
extern "C" {
__attribute__((weak)) void __asan_init();
__attribute__((weak)) void __tsan_init();
__attribute__((weak)) void __msan_init();
__attribute__((weak)) void __lsan_init();
__attribute__((weak)) void __hwasan_init();
}

namespace {

bool sanitizer_present() noexcept {
  void (*const runtimes[])() = {__asan_init, __tsan_init, __msan_init, __lsan_init,
                                __hwasan_init};
  for (auto *init : runtimes) {
    auto *p = reinterpret_cast<void *>(init);
    asm("" : "+r"(p)); // weak: the compiler must not assume it is non-null
    if (p != nullptr)
      return true;
  }
  return false;
}

// valgrind preloads its tools' malloc replacements (vgpreload_memcheck.so,
// vgpreload_massif.so, ...) into the program it runs.
bool valgrind_present() noexcept {
  const char *preload = std::getenv("LD_PRELOAD");
  return preload != nullptr && std::strstr(preload, "/vgpreload_") != nullptr;
}

// ALLOCSEL_DEFAULT=system or jemalloc decides; without it, System where a
// tool watches malloc (a sanitizer runtime, valgrind), else Jemalloc.
[[gnu::noinline, gnu::cold]] int decide() noexcept {
  const char *env = std::getenv("ALLOCSEL_DEFAULT");
  bool sys = env != nullptr && std::strcmp(env, "system") == 0;
  if (env == nullptr || (!sys && std::strcmp(env, "jemalloc") != 0))
    sys = sanitizer_present() || valgrind_present();
  int c = sys ? use_system : use_jemalloc;
  // Two threads that race here compute the same answer.
  choice.store(c, std::memory_order_relaxed);
  return c;
}

bool system() noexcept {
  int c = choice.load(std::memory_order_relaxed);
  return (c == undecided ? decide() : c) == use_system;
}

inline bool jemalloc_decided() noexcept {
  return __builtin_expect(choice.load(std::memory_order_relaxed) == use_jemalloc, 1);
}

// System, with blocks of ordinary alignment as malloc(size) exactly, not
// rounded up to their alignment as System does for the C standard's sake:
// the C library's malloc (and memcheck's) aligns every block to 16 on
// x86-64, and a memory debugger then reports a write one past the end of
// `new char[10]`.
struct Exact {
  void *alloc(allocsel::Layout l) const noexcept {
    return l.align() <= 16 ? std::malloc(l.size()) : allocsel::System{}.alloc(l);
  }
  void *alloc_zeroed(allocsel::Layout l) const noexcept {
    return l.align() <= 16 ? std::calloc(1, l.size()) : allocsel::System{}.alloc_zeroed(l);
  }
  void dealloc(void *p, allocsel::Layout) const noexcept { std::free(p); }
  void dealloc_unsized(void *p, std::size_t) const noexcept { std::free(p); }
  void *realloc(void *p, allocsel::Layout l, std::size_t new_size) const noexcept {
    if (l.align() <= 16 && new_size != 0)
      return std::realloc(p, new_size);
    return allocsel::System{}.realloc(p, l, new_size);
  }
};

// The first allocation and the System mode: out of line, so that the
// decided-Jemalloc path is one load and a branch in front of Jemalloc's code
// (no call, no saved registers).
[[gnu::noinline]] void *alloc_other(allocsel::Layout l) noexcept {
  return system() ? Exact{}.alloc(l) : allocsel::Jemalloc{}.alloc(l);
}
[[gnu::noinline]] void *alloc_zeroed_other(allocsel::Layout l) noexcept {
  return system() ? Exact{}.alloc_zeroed(l) : allocsel::Jemalloc{}.alloc_zeroed(l);
}
[[gnu::noinline]] void dealloc_other(void *p, allocsel::Layout l) noexcept {
  system() ? Exact{}.dealloc(p, l) : allocsel::Jemalloc{}.dealloc(p, l);
}
[[gnu::noinline]] void dealloc_unsized_other(void *p, std::size_t align) noexcept {
  system() ? Exact{}.dealloc_unsized(p, align) : allocsel::Jemalloc{}.dealloc_unsized(p, align);
}
[[gnu::noinline]] void *realloc_other(void *p, allocsel::Layout l, std::size_t n) noexcept {
  return system() ? Exact{}.realloc(p, l, n) : allocsel::Jemalloc{}.realloc(p, l, n);
}

// Jemalloc or System (Exact), as decided.
struct ExecutableDefault {
  void *alloc(allocsel::Layout l) const noexcept {
    return jemalloc_decided() ? allocsel::Jemalloc{}.alloc(l) : alloc_other(l);
  }
  void *alloc_zeroed(allocsel::Layout l) const noexcept {
    return jemalloc_decided() ? allocsel::Jemalloc{}.alloc_zeroed(l) : alloc_zeroed_other(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept {
    jemalloc_decided() ? allocsel::Jemalloc{}.dealloc(p, l) : dealloc_other(p, l);
  }
  void dealloc_unsized(void *p, std::size_t align) const noexcept {
    jemalloc_decided() ? allocsel::Jemalloc{}.dealloc_unsized(p, align)
                       : dealloc_unsized_other(p, align);
  }
  void *realloc(void *p, allocsel::Layout l, std::size_t new_size) const noexcept {
    return jemalloc_decided() ? allocsel::Jemalloc{}.realloc(p, l, new_size)
                              : realloc_other(p, l, new_size);
  }
};

} // namespace

ALLOCSEL_DEFINE_ROUTES(ExecutableDefault,
                       system() ? "default||allocsel::System|the default for executables, "
                                  "System here (ALLOCSEL_DEFAULT=system, or a sanitizer "
                                  "runtime or valgrind in the process): no [[global_allocator]] in "
                                  "the program"
                                : "default||allocsel::Jemalloc|the default for executables: "
                                  "no [[global_allocator]] in the program")
