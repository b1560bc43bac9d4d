// The default for executables: no [[global_allocator]] in the program.
//
// Jemalloc, unless the environment says ALLOCSEL_DEFAULT=system when the
// process first allocates: then System, so that a memory debugger that
// watches malloc (valgrind's memcheck) sees every block. The choice is made
// once, at the first allocation, and never changes: every block is freed by
// the allocator that made it.
#include "routes.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace {

enum : int { undecided, use_jemalloc, use_system };
constinit std::atomic<int> choice{undecided};

[[gnu::noinline, gnu::cold]] int decide() noexcept {
  const char *env = std::getenv("ALLOCSEL_DEFAULT");
  int c = env != nullptr && std::strcmp(env, "system") == 0 ? use_system : use_jemalloc;
  // Two threads that race here compute the same answer.
  choice.store(c, std::memory_order_relaxed);
  return c;
}

inline bool system() noexcept {
  int c = choice.load(std::memory_order_relaxed);
  if (__builtin_expect(c == undecided, 0))
    c = decide();
  return c == use_system;
}

// Jemalloc or System, as decided. In the System case, a block of ordinary
// alignment is malloc(size) exactly, not rounded up to its alignment as
// System does for the C standard's sake: the C library's malloc (and
// memcheck's) aligns every block to 16 on x86-64, and a memory debugger then
// reports a write one past the end of `new char[10]`.
struct ExecutableDefault {
  void *alloc(allocsel::Layout l) const noexcept {
    if (system())
      return l.align() <= 16 ? std::malloc(l.size()) : allocsel::System{}.alloc(l);
    return allocsel::Jemalloc{}.alloc(l);
  }
  void *alloc_zeroed(allocsel::Layout l) const noexcept {
    return system() ? allocsel::System{}.alloc_zeroed(l) : allocsel::Jemalloc{}.alloc_zeroed(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept {
    system() ? allocsel::System{}.dealloc(p, l) : allocsel::Jemalloc{}.dealloc(p, l);
  }
  void dealloc_unsized(void *p, std::size_t align) const noexcept {
    system() ? allocsel::System{}.dealloc_unsized(p, align)
             : allocsel::Jemalloc{}.dealloc_unsized(p, align);
  }
  void *realloc(void *p, allocsel::Layout l, std::size_t new_size) const noexcept {
    if (system() && l.align() <= 16 && new_size != 0)
      return std::realloc(p, new_size);
    return system() ? allocsel::System{}.realloc(p, l, new_size)
                    : allocsel::Jemalloc{}.realloc(p, l, new_size);
  }
};

} // namespace

ALLOCSEL_DEFINE_ROUTES(ExecutableDefault,
                       system() ? "default||allocsel::System|the default for executables, "
                                  "set to System by ALLOCSEL_DEFAULT=system: no "
                                  "[[global_allocator]] in the program"
                                : "default||allocsel::Jemalloc|the default for executables: "
                                  "no [[global_allocator]] in the program")
