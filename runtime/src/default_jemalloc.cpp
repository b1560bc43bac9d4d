// The default for executables: no [[global_allocator]] in the program.
//
// Jemalloc, unless, when the process first allocates, the environment says
// ALLOCSEL_DEFAULT=system, or (without ALLOCSEL_DEFAULT=jemalloc) a tool
// that watches malloc is in the process: a sanitizer runtime, or valgrind.
// Then System (malloc with exact sizes), so that the tool sees every block.
// A setuid, setgid or file-capability program ignores the environment
// (environment_switch below). The choice is made once, at the first
// allocation, and never changes: every block is freed by the allocator that
// made it.
#include "routes.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>

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

// The environment switches are read with secure_getenv: in a setuid,
// setgid or file-capability program (AT_SECURE), the environment belongs to
// whoever runs it, who must not choose the allocator of a program more
// privileged than they are; there the default decides as though neither
// variable were set. (The private jemalloc reads ALLOCSEL_JEMALLOC_CONF the
// same way, jemalloc_config.c.) secure_getenv neither allocates nor locks,
// and __libc_enable_secure, which it tests, is set before any constructor
// runs, so it is safe from the first operator new of the process.
const char *environment_switch(const char *name) noexcept { return ::secure_getenv(name); }

// valgrind preloads its tools' malloc replacements (vgpreload_memcheck.so,
// vgpreload_massif.so, ...) into the program it runs. (The dynamic loader
// clears LD_PRELOAD in a secure program anyway; valgrind cannot run one with
// its privileges.)
bool valgrind_present() noexcept {
  const char *preload = environment_switch("LD_PRELOAD");
  return preload != nullptr && std::strstr(preload, "/vgpreload_") != nullptr;
}

// ALLOCSEL_DEFAULT=system or jemalloc decides (not in a secure program, see
// environment_switch); without it, System where a tool watches malloc (a
// sanitizer runtime, valgrind), else Jemalloc.
[[gnu::noinline, gnu::cold]] int decide() noexcept {
  const char *env = environment_switch("ALLOCSEL_DEFAULT");
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

constexpr ExecutableDefault route_target{};
const char *route_type() noexcept { return system() ? "allocsel::System" : "allocsel::Jemalloc"; }
const char *route_reason() noexcept {
  return system() ? "the default for executables, System here (ALLOCSEL_DEFAULT=system, or a "
                    "sanitizer runtime or valgrind in the process): no [[global_allocator]] in "
                    "the program"
                  : "the default for executables: no [[global_allocator]] in the program";
}

} // namespace

#include "define_routes.inc"

// ---------------------------------------------------------------------------
// The operators: thunks that jump through a table (thunks.h). Each entry
// starts at a stub that makes the one decision and calls the chosen
// allocator's operator (Jemalloc's, or Exact's: System with exact sizes);
// the first stub to get there also fills the whole table with them, and
// then makes the table's page read-only (a writable table of code pointers
// is what an attacker looks for; the table has a page of its own for that).
// Before the decision and in both modes every block is freed by the
// allocator that made it: the decision is made before the first block
// exists and never changes. Threads that race in the stubs compute the same
// answer; only one writes.
// ---------------------------------------------------------------------------

constexpr std::size_t operator_page = 4096;
extern "C" __attribute__((visibility("hidden"))) void
    *__allocsel_default_operators[operator_page / sizeof(void *)];
// Its name is ALLOCSEL_OPERATOR_TABLE, which the thunks jump through.
asm(ALLOCSEL_TABLE_THUNKS_ASM);

namespace {

using allocsel::detail::align_arg;

void *const *chosen_operators() noexcept;
void fill_operators() noexcept;

// Three versions of each operator (thunks.h's list): Jemalloc's, System's
// with exact sizes, and the stub that decides.
#define ALLOCSEL_DEFAULT_OPERATOR(I, M, T, KIND, RET, PARAMS, NX, ...)                                 \
  RET jemalloc_##I PARAMS NX { return allocsel::detail::T(allocsel::Jemalloc{}, __VA_ARGS__); } \
  RET system_##I PARAMS NX { return allocsel::detail::T(Exact{}, __VA_ARGS__); }              \
  RET decide_##I PARAMS NX {                                                                 \
    fill_operators();                                                                        \
    return reinterpret_cast<RET(*) PARAMS NX>(chosen_operators()[I])(__VA_ARGS__);           \
  }
ALLOCSEL_OPERATORS(ALLOCSEL_DEFAULT_OPERATOR)
#undef ALLOCSEL_DEFAULT_OPERATOR

#define ALLOCSEL_ENTRY(I, PREFIX, ...) reinterpret_cast<void *>(&PREFIX##_##I),
// Jemalloc's operator new and unsized deletes go straight in the table:
// nothing between the thunk's jump and jemalloc's fast path.
#define ALLOCSEL_JEMALLOC_ENTRY(I, ...)                                                       \
  I == 0 ? reinterpret_cast<void *>(&allocsel_je_cpp__Znwm)                                 \
  : I == 8 || I == 9 ? reinterpret_cast<void *>(&allocsel_je_free)                          \
                     : reinterpret_cast<void *>(&jemalloc_##I),
void *const jemalloc_operators[20] = {ALLOCSEL_OPERATORS(ALLOCSEL_JEMALLOC_ENTRY)};
#define ALLOCSEL_SYSTEM_ENTRY(I, ...) ALLOCSEL_ENTRY(I, system)
void *const system_operators[20] = {ALLOCSEL_OPERATORS(ALLOCSEL_SYSTEM_ENTRY)};

void *const *chosen_operators() noexcept {
  return system() ? system_operators : jemalloc_operators;
}

enum : int { unfilled, filling, filled };
constinit std::atomic<int> table_state{unfilled};

void fill_operators() noexcept {
  int expected = unfilled;
  if (!table_state.compare_exchange_strong(expected, filling, std::memory_order_acq_rel))
    return; // another thread fills it; the caller uses chosen_operators()
  void *const *chosen = chosen_operators();
  for (int i = 0; i < 20; ++i)
    __atomic_store_n(&__allocsel_default_operators[i], chosen[i], __ATOMIC_RELAXED);
  // If mprotect fails the table stays writable, and correct.
  mprotect(__allocsel_default_operators, operator_page, PROT_READ);
  table_state.store(filled, std::memory_order_release);
}

} // namespace

// A page of its own (aligned to a page and as large), so that mprotect()
// touches nothing else.
#define ALLOCSEL_DECIDE_ENTRY(I, ...) ALLOCSEL_ENTRY(I, decide)
__attribute__((section(".data.allocsel_operators"), aligned(operator_page))) void
    *__allocsel_default_operators[operator_page / sizeof(void *)] = {
        ALLOCSEL_OPERATORS(ALLOCSEL_DECIDE_ENTRY)};
