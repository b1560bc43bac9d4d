// Four threads churn through new/delete at once: 200k random-size
// allocations each (plain, array, over-aligned; sized and unsized frees),
// vector growth, blocks kept alive across iterations and checked for
// corruption, and blocks freed by another thread than the one that
// allocated them. With a selected Counting<Jemalloc> the counters balance
// exactly: after the churn allocs == deallocs and live bytes == the bytes of
// the blocks still held (allocated through allocsel::Global, whose layouts
// are exact), and both return to their start when those are freed. In both
// runs (selection, and -DNO_SELECTION where the default private jemalloc
// serves new) every thread's jemalloc counters (thread.allocated and
// thread.deallocated) moved by the same non-zero amount: the blocks really
// come from allocsel's jemalloc, and each was freed exactly once.
// RUN: %cxx -O2 -pthread %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t && %t | FileCheck %s --check-prefixes=CHECK,SELECTED
// RUN: %cxx -O2 -pthread -DNO_SELECTION %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.default && %t.default | FileCheck %s --check-prefixes=CHECK,DEFAULT

#include <allocsel/alloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>
#include <vector>

#include "Inputs/check.h"


#ifndef NO_SELECTION
[[global_allocator]] constinit allocsel::Counting<allocsel::Jemalloc> GLOBAL{};
#endif

namespace {

constexpr int n_threads = 4;
constexpr int iterations = 200000;
constexpr int ring_size = 64;
constexpr int held_per_thread = 16;

struct Slot {
  unsigned char *p;
  std::size_t size, align; // align 0: unaligned new
  unsigned char tag;
  bool array;
};

struct Held {
  void *p;
  std::size_t size, align;
  allocsel::Layout layout() const { return *allocsel::Layout::from_size_align(size, align); }
};

// What each thread leaves behind for main, in static storage (no allocation).
struct Result {
  Slot ring[ring_size];
  Held held[held_per_thread];
  std::uint64_t je_allocated, je_deallocated;
  std::size_t vector_growths;
};
Result results[n_threads];

struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

std::uint64_t je_counter(const char *name) {
  std::uint64_t v = 0;
  std::size_t len = sizeof v;
  CHECK(allocsel::Jemalloc::mallctl(name, &v, &len, nullptr, 0) == 0);
  return v;
}

// Marks the ends and the middle of a block.
void fill(Slot &s) {
  std::size_t edge = s.size < 64 ? s.size : 64;
  std::memset(s.p, s.tag, edge);
  std::memset(s.p + s.size - edge, s.tag, edge);
  s.p[s.size / 2] = s.tag;
}
void verify(const Slot &s) {
  std::size_t edge = s.size < 64 ? s.size : 64;
  for (std::size_t i = 0; i < edge; ++i)
    CHECK(s.p[i] == s.tag && s.p[s.size - 1 - i] == s.tag);
  CHECK(s.p[s.size / 2] == s.tag);
  if (s.align)
    CHECK(reinterpret_cast<std::uintptr_t>(s.p) % s.align == 0);
}

void allocate(Slot &s, Rng &rng) {
  std::uint64_t r = rng.next();
  unsigned pick = unsigned(r % 100);
  s.size = pick < 70 ? 1 + (r >> 8) % 128 : pick < 95 ? 129 + (r >> 8) % 3968 : 4097 + (r >> 8) % 28672;
  s.align = (r >> 40) % 10 == 0 ? std::size_t(32) << ((r >> 44) % 8) : 0; // 32..4096
  s.array = (r >> 50) & 1;
  s.tag = static_cast<unsigned char>(r >> 56) | 1;
  if (s.align)
    s.p = static_cast<unsigned char *>(s.array ? ::operator new[](s.size, std::align_val_t(s.align))
                                               : ::operator new(s.size, std::align_val_t(s.align)));
  else
    s.p = s.array ? new unsigned char[s.size] : static_cast<unsigned char *>(::operator new(s.size));
  escape(s.p);
  fill(s);
}

void release(Slot &s, Rng &rng) {
  verify(s);
  bool sized = rng.next() & 1;
  // if/else, not ?: : clang 19 emits both arms of a discarded
  // `c ? ::operator delete(...) : ::operator delete(...)` (a double free).
  if (s.align) {
    auto al = std::align_val_t(s.align);
    if (s.array) {
      if (sized)
        ::operator delete[](s.p, s.size, al);
      else
        ::operator delete[](s.p, al);
    } else {
      if (sized)
        ::operator delete(s.p, s.size, al);
      else
        ::operator delete(s.p, al);
    }
  } else if (s.array) {
    if (sized)
      ::operator delete[](s.p, s.size);
    else
      delete[] s.p;
  } else {
    if (sized)
      ::operator delete(s.p, s.size);
    else
      ::operator delete(s.p);
  }
  s.p = nullptr;
}

void churn(int id) {
  Rng rng{0x9E3779B97F4A7C15ull * std::uint64_t(id + 1)};
  Result &out = results[id];
  std::uint64_t a0 = je_counter("thread.allocated");
  std::uint64_t d0 = je_counter("thread.deallocated");

  Slot ring[ring_size] = {};
  for (int i = 0; i < iterations; ++i) {
    Slot &s = ring[rng.next() % ring_size];
    if (s.p)
      release(s, rng);
    allocate(s, rng);
    if (i % 2000 == 0) {
      std::vector<int> v;
      std::size_t n = 1 + rng.next() % 3000;
      for (std::size_t k = 0; k < n; ++k)
        v.push_back(int(k));
      escape(v.data());
      CHECK(v[n - 1] == int(n - 1));
      ++out.vector_growths;
    }
  }
  for (Slot &s : ring)
    if (s.p)
      release(s, rng);

  // Everything this thread allocated it freed: jemalloc's per-thread
  // counters moved by the same amount.
  out.je_allocated = je_counter("thread.allocated") - a0;
  out.je_deallocated = je_counter("thread.deallocated") - d0;

  // Blocks for main to free: new'd ones, and exact layouts through Global.
  for (Slot &s : out.ring)
    allocate(s, rng);
  for (Held &h : out.held) {
    std::size_t size = 1 + rng.next() % 5000;
    std::size_t align = std::size_t(1) << (rng.next() % 13);
    h.size = size;
    h.align = align;
    h.p = allocsel::Global{}.alloc(h.layout());
    CHECK(h.p != nullptr);
    CHECK(reinterpret_cast<std::uintptr_t>(h.p) % align == 0);
    std::memset(h.p, id, size);
  }
}

} // namespace

int main() {
  auto info = allocsel::global_allocator_info();
  std::printf("selected: %d type: %.*s\n", info.selected, int(info.type.size()), info.type.data());
  // SELECTED: selected: 1 type: allocsel::Counting<allocsel::Jemalloc>
  // DEFAULT: selected: 0 type: allocsel::Jemalloc

#ifndef NO_SELECTION
  auto start = GLOBAL.stats();
#endif
  std::thread threads[n_threads];
  for (int id = 0; id < n_threads; ++id)
    threads[id] = std::thread(churn, id);
  for (std::thread &t : threads)
    t.join();

  for (const Result &r : results) {
    CHECK(r.je_allocated > 0);
    CHECK(r.je_allocated == r.je_deallocated);
    CHECK(r.vector_growths == iterations / 2000);
  }
  std::printf("per-thread jemalloc counters balanced\n");
  // CHECK: per-thread jemalloc counters balanced

  // Free the other threads' new'd blocks here.
  Rng rng{42};
  for (Result &r : results)
    for (Slot &s : r.ring)
      release(s, rng);

#ifndef NO_SELECTION
  std::size_t held_bytes = 0;
  for (const Result &r : results)
    for (const Held &h : r.held)
      held_bytes += h.size;
  auto mid = GLOBAL.stats();
  CHECK(mid.allocs - start.allocs > std::size_t(n_threads) * iterations);
  CHECK(mid.failures == start.failures);
  CHECK(mid.allocs - mid.deallocs == start.allocs - start.deallocs + n_threads * held_per_thread);
  CHECK(mid.live_bytes - start.live_bytes == held_bytes);
  std::printf("held: %zu blocks, live bytes match: %d\n",
              (mid.allocs - start.allocs) - (mid.deallocs - start.deallocs),
              mid.live_bytes - start.live_bytes == held_bytes);
  // SELECTED: held: 64 blocks, live bytes match: 1
#endif

  for (int id = 0; id < n_threads; ++id)
    for (const Held &h : results[id].held) {
      for (std::size_t i = 0; i < h.size; ++i)
        CHECK(static_cast<unsigned char *>(h.p)[i] == id);
      allocsel::Global{}.dealloc(h.p, h.layout());
    }

#ifndef NO_SELECTION
  auto end = GLOBAL.stats();
  CHECK(end.allocs - start.allocs == end.deallocs - start.deallocs);
  CHECK(end.live_bytes == start.live_bytes);
  std::printf("allocs == deallocs: %zu\n", end.allocs - start.allocs);
  // SELECTED: allocs == deallocs: {{[0-9]{6,}$}}
#endif
  std::printf("done\n");
  // CHECK: done
}
