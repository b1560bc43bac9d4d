// What an allocator may do without being reported: arithmetic helpers,
// atomics, the C library (memcpy, snprintf into a stack buffer, write),
// placement new, System and Jemalloc directly, a function of another unit
// (the link check follows it), a virtual call whose overrides do not
// allocate, a function pointer to a function that does not allocate, and
// std::array::at (it allocates only to throw out_of_range: the default
// policy does not count that; the strict one does).
// RUN: %cxx -fsyntax-only -Wall -Wextra -Xclang -verify %s
// expected-no-diagnostics

#include <allocsel/alloc.h>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <new>
#include <unistd.h>

static std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }
std::size_t defined_elsewhere(std::size_t n);

struct Policy {
  virtual ~Policy() = default;
  virtual std::size_t adjust(std::size_t n) const { return n; }
};
struct Doubling final : Policy {
  std::size_t adjust(std::size_t n) const override { return 2 * n; }
};
constinit Doubling doubling;
const Policy *policy = &doubling;

static std::size_t identity(std::size_t n) { return n; }
std::size_t (*transform)(std::size_t) = &identity;

struct Header { std::size_t size; };

struct Careful {
  mutable std::atomic<std::size_t> bytes{0};
  mutable std::array<std::size_t, 4> recent{};

  void *alloc(allocsel::Layout l) const noexcept {
    std::size_t n = round_up(policy->adjust(transform(defined_elsewhere(l.size()))), 16);
    bytes.fetch_add(n, std::memory_order_relaxed);
    recent.at(n % 4) = n;
    char line[64];
    int len = std::snprintf(line, sizeof line, "alloc %zu\n", n);
    if (len > 0 && n > (1u << 30))
      (void)!write(2, line, static_cast<std::size_t>(len));
    void *p = l.align() > 16 ? allocsel::Jemalloc{}.alloc(l) : allocsel::System{}.alloc(l);
    if (p != nullptr && l.size() >= sizeof(Header)) {
      Header h{l.size()};
      std::memcpy(p, &h, sizeof h);
      new (p) Header{l.size()};
    }
    return p;
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept {
    bytes.fetch_sub(l.size(), std::memory_order_relaxed);
    if (l.align() > 16)
      allocsel::Jemalloc{}.dealloc(p, l);
    else
      allocsel::System{}.dealloc(p, l);
  }
};
[[global_allocator]] constinit Careful GLOBAL{};
