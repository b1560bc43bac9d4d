// Standard failure semantics of the replaced operators, over a selected
// allocator that returns nullptr for any block above a limit:
//  - the nothrow forms (plain, array, aligned) return nullptr;
//  - the throwing forms throw std::bad_alloc;
//  - an installed std::new_handler runs once per failed attempt, and when it
//    raises the limit the retried allocation succeeds, asking the allocator
//    for the same size and the same (over-)alignment as the first attempt;
//  - a handler that uninstalls itself ends the loop with std::bad_alloc
//    (nullptr for the nothrow forms), a handler that throws does too;
//  - sizes too large for any Layout fail the same way without reaching
//    the allocator.
// Run once with an allocator that has dealloc_unsized (blocks as asked) and
// once without it (blocks behind a size header).
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t && %t | FileCheck %s
// RUN: %cxx -O2 -DHEADER %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.header && %t.header | FileCheck %s

#include <allocsel/alloc.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "Inputs/check.h"


constexpr std::size_t small_limit = std::size_t(1) << 20;
constexpr std::size_t big = std::size_t(8) << 20;

std::atomic<std::size_t> limit{small_limit};

// Every attempt at a block of 1 MiB or more, as the allocator saw it.
struct Attempt {
  std::size_t size, align;
  bool failed;
};
Attempt attempts[64];
std::atomic<int> n_attempts{0};

struct Limited {
  void *alloc(allocsel::Layout l) const noexcept {
    bool fail = l.size() > limit.load();
    if (l.size() >= small_limit) {
      int i = n_attempts.fetch_add(1);
      if (i < 64)
        attempts[i] = {l.size(), l.align(), fail};
    }
    return fail ? nullptr : allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
#ifndef HEADER
  void dealloc_unsized(void *p, std::size_t align) const noexcept {
    allocsel::System{}.dealloc_unsized(p, align);
  }
#endif
};

[[global_allocator]] constinit Limited GLOBAL{};

struct alignas(256) Huge {
  char bytes[big];
};

static int handler_calls = 0;
static int raise_after = 0; // raise the limit on this call; 0: never

// Raises the limit on its raise_after-th call.
static void raising_handler() {
  ++handler_calls;
  if (handler_calls == raise_after)
    limit.store(SIZE_MAX);
}
// Uninstalls itself on its second call.
static void giving_up_handler() {
  if (++handler_calls == 2)
    std::set_new_handler(nullptr);
}
static void throwing_handler() {
  ++handler_calls;
  throw std::bad_alloc();
}

static void reset(std::new_handler h, int raise = 0) {
  limit.store(small_limit);
  n_attempts.store(0);
  handler_calls = 0;
  raise_after = raise;
  std::set_new_handler(h);
}

// All recorded attempts asked for the same layout, aligned at least to align;
// all but a successful last one failed. Failures name the caller's line.
#define check_attempts(...) check_attempts_at(__LINE__, __VA_ARGS__)
static void check_attempts_at(int line, int n, std::size_t size, std::size_t align) {
#define ACHECK(cond)                                                           \
  do {                                                                         \
    if (!(cond))                                                               \
      std::fprintf(stderr, "check_attempts at line %d:\n", line);              \
    CHECK(cond);                                                               \
  } while (0)
  ACHECK(n_attempts.load() == n);
  for (int i = 0; i < n; ++i) {
    ACHECK(attempts[i].size >= size);
    ACHECK(attempts[i].size == attempts[0].size);
    ACHECK(attempts[i].align >= align);
    ACHECK(attempts[i].align == attempts[0].align);
    ACHECK(attempts[i].failed == (i + 1 < n || limit.load() == small_limit));
  }
#undef ACHECK
}

template <class F> static bool throws_bad_alloc(F f) {
  try {
    f();
  } catch (const std::bad_alloc &) {
    return true;
  }
  return false;
}

int main() {
  // No handler: nullptr from the nothrow forms, bad_alloc from the others.
  reset(nullptr);
  {
    char *p = new (std::nothrow) char[big];
    escape(p);
    CHECK(p == nullptr);
    check_attempts(1, big, 1);

    reset(nullptr);
    char *q = new (std::nothrow) char;
    escape(q);
    CHECK(q != nullptr); // small blocks still work
    delete q;

    reset(nullptr);
    void *r = ::operator new(big, std::nothrow);
    escape(r);
    CHECK(r == nullptr);
    check_attempts(1, big, 1);

    reset(nullptr);
    r = ::operator new[](big, std::align_val_t(256), std::nothrow);
    escape(r);
    CHECK(r == nullptr);
    check_attempts(1, big, 256);

    reset(nullptr);
    Huge *h = new (std::nothrow) Huge;
    escape(h);
    CHECK(h == nullptr);
    check_attempts(1, sizeof(Huge), 256);

    reset(nullptr);
    CHECK(throws_bad_alloc([] {
      char *p = new char[big];
      escape(p);
      delete[] p;
    }));
    check_attempts(1, big, 1);

    reset(nullptr);
    CHECK(throws_bad_alloc([] { escape(::operator new(big)); }));
    reset(nullptr);
    CHECK(throws_bad_alloc([] { escape(::operator new(big, std::align_val_t(4096))); }));
    check_attempts(1, big, 4096);
    reset(nullptr);
    CHECK(throws_bad_alloc([] {
      Huge *h = new Huge[2];
      escape(h);
      delete[] h;
    }));
    check_attempts(1, 2 * sizeof(Huge), 256);
    // Sizes no Layout can describe never reach the allocator.
    reset(nullptr);
    CHECK(throws_bad_alloc([] { escape(::operator new(SIZE_MAX)); }));
    CHECK(throws_bad_alloc([] { escape(::operator new[](PTRDIFF_MAX, std::align_val_t(64))); }));
    void *none = ::operator new(SIZE_MAX - 8, std::nothrow);
    escape(none);
    CHECK(none == nullptr);
    none = ::operator new[](std::size_t(PTRDIFF_MAX) - 100, std::align_val_t(4096), std::nothrow);
    escape(none);
    CHECK(none == nullptr);
    check_attempts(0, 0, 1);
    std::printf("no handler: nullptr and bad_alloc\n");
    // CHECK: no handler: nullptr and bad_alloc
  }

  // A handler that raises the limit on its third call: the fourth attempt
  // succeeds, with the alignment of the first.
  {
    reset(raising_handler, 3);
    Huge *h = new Huge;
    escape(h);
    CHECK(h != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(h) % 256 == 0);
    CHECK(handler_calls == 3);
    check_attempts(4, sizeof(Huge), 256);
    h->bytes[big - 1] = 1;
    delete h;
    std::printf("aligned retry: handler calls %d, attempts %d, align %zu\n", handler_calls,
                n_attempts.load(), attempts[3].align);
    // CHECK: aligned retry: handler calls 3, attempts 4, align 256

    reset(raising_handler, 1);
    void *p = ::operator new[](big, std::align_val_t(512));
    escape(p);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 512 == 0);
    CHECK(handler_calls == 1);
    check_attempts(2, big, 512);
    ::operator delete[](p, std::align_val_t(512));

    // The nothrow forms run the handler too.
    reset(raising_handler, 2);
    Huge *n = new (std::nothrow) Huge;
    escape(n);
    CHECK(n != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(n) % 256 == 0);
    CHECK(handler_calls == 2);
    check_attempts(3, sizeof(Huge), 256);
    delete n;

    reset(raising_handler, 1);
    char *c = new (std::nothrow) char[big];
    escape(c);
    CHECK(c != nullptr);
    CHECK(handler_calls == 1);
    check_attempts(2, big, 1);
    delete[] c;
    std::printf("handler raised the limit: retries succeeded\n");
    // CHECK: handler raised the limit: retries succeeded
  }

  // A handler that gives up (uninstalls itself) or throws.
  {
    reset(giving_up_handler);
    CHECK(throws_bad_alloc([] {
      char *p = new char[big];
      escape(p);
      delete[] p;
    }));
    CHECK(handler_calls == 2);
    check_attempts(3, big, 1);

    reset(giving_up_handler);
    void *p = ::operator new(big, std::align_val_t(256), std::nothrow);
    escape(p);
    CHECK(p == nullptr);
    CHECK(handler_calls == 2);
    check_attempts(3, big, 256);

    reset(throwing_handler);
    Huge *h = new (std::nothrow) Huge;
    escape(h);
    CHECK(h == nullptr);
    CHECK(handler_calls == 1);
    check_attempts(1, sizeof(Huge), 256); // the handler threw: no retry

    reset(throwing_handler);
    CHECK(throws_bad_alloc([] { escape(new Huge); }));
    CHECK(handler_calls == 1);
    check_attempts(1, sizeof(Huge), 256);
    std::printf("handler gave up: bad_alloc and nullptr\n");
    // CHECK: handler gave up: bad_alloc and nullptr
  }
  reset(nullptr);
}
