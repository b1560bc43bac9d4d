// Size-0 allocations through every allocation form (plain, array, nothrow,
// aligned, and new-expressions of zero-length arrays) return non-null,
// suitably aligned pointers that are all distinct while alive, and each can
// be freed by its matching delete, including the sized forms with size 0.
// Run against the default (private jemalloc), a selected
// Counting<System> (whose counters must balance), and a selected checking
// allocator that aborts on a dealloc whose layout differs from the alloc's,
// with and without dealloc_unsized.
// RUN: %cxx -O2 -DNO_SELECTION %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.default && %t.default | FileCheck %s
// RUN: %cxx -O2 -DCOUNTING %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.counting && %t.counting | FileCheck %s
// RUN: %cxx -O2 -DCHECKED %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.checked && %t.checked | FileCheck %s --check-prefixes=CHECK,CHECKED
// RUN: %cxx -O2 -DCHECKED -DWITH_UNSIZED %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.unsized && %t.unsized | FileCheck %s --check-prefixes=CHECK,CHECKED

#include <allocsel/alloc.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <unistd.h>

#include "Inputs/check.h"


#if defined(COUNTING)
[[global_allocator]] constinit allocsel::Counting<allocsel::System> GLOBAL{};
#elif defined(CHECKED)
// Remembers the layout of every live block (a small table, no allocation)
// and aborts when a block is freed with another layout, or is unknown.
namespace {
constexpr int slots = 1024;
struct Block {
  void *p;
  std::size_t size, align;
};
Block blocks[slots];
std::atomic_flag lock = ATOMIC_FLAG_INIT;
std::atomic<long> checked{0};

[[noreturn]] void fail(const char *msg) {
  ssize_t r = write(2, msg, __builtin_strlen(msg));
  (void)r;
  std::abort();
}
struct Guard {
  Guard() { while (lock.test_and_set(std::memory_order_acquire)) {} }
  ~Guard() { lock.clear(std::memory_order_release); }
};
Block *find(void *p) {
  for (Block &b : blocks)
    if (b.p == p)
      return &b;
  return nullptr;
}
} // namespace

struct Checked {
  void *alloc(allocsel::Layout l) const noexcept {
    void *p = allocsel::System{}.alloc(l);
    if (p == nullptr)
      return nullptr;
    Guard g;
    Block *b = find(nullptr);
    if (b == nullptr)
      fail("Checked: table full\n");
    *b = {p, l.size(), l.align()};
    return p;
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept {
    {
      Guard g;
      Block *b = find(p);
      if (b == nullptr)
        fail("Checked: dealloc of an unknown block\n");
      if (b->size != l.size() || b->align != l.align())
        fail("Checked: dealloc with a layout that differs from alloc's\n");
      b->p = nullptr;
      checked.fetch_add(1);
    }
    allocsel::System{}.dealloc(p, l);
  }
#ifdef WITH_UNSIZED
  void dealloc_unsized(void *p, std::size_t align) const noexcept {
    {
      Guard g;
      Block *b = find(p);
      if (b == nullptr)
        fail("Checked: dealloc_unsized of an unknown block\n");
      if (b->align != align)
        fail("Checked: dealloc_unsized with an alignment that differs from alloc's\n");
      b->p = nullptr;
      checked.fetch_add(1);
    }
    allocsel::System{}.dealloc_unsized(p, align);
  }
#endif
};
[[global_allocator]] constinit Checked GLOBAL{};
#endif

struct alignas(64) Over {
  char c[64];
};

constexpr int rounds = 16;
constexpr int forms = 11;

int main() {
#ifdef COUNTING
  auto before = GLOBAL.stats();
#endif
  constexpr auto al = std::align_val_t(64);
  void *p[rounds][forms];
  for (int r = 0; r < rounds; ++r) {
    p[r][0] = ::operator new(0);
    p[r][1] = ::operator new[](0);
    p[r][2] = new char[0];
    p[r][3] = ::operator new(0, al);
    p[r][4] = ::operator new[](0, al);
    p[r][5] = new Over[0];
    p[r][6] = ::operator new(0, std::nothrow);
    p[r][7] = ::operator new[](0, std::nothrow);
    p[r][8] = ::operator new(0, al, std::nothrow);
    p[r][9] = ::operator new[](0, al, std::nothrow);
    p[r][10] = new (std::nothrow) char[0];
    for (int f = 0; f < forms; ++f) {
      escape(p[r][f]);
      CHECK(p[r][f] != nullptr);
    }
    for (int f : {3, 4, 5, 8, 9})
      CHECK(reinterpret_cast<std::uintptr_t>(p[r][f]) % 64 == 0);
  }
  // All distinct while alive.
  for (int i = 0; i < rounds * forms; ++i)
    for (int j = i + 1; j < rounds * forms; ++j)
      CHECK((&p[0][0])[i] != (&p[0][0])[j]);
  std::printf("%d zero-size blocks, all distinct\n", rounds * forms);
  // CHECK: 176 zero-size blocks, all distinct

#ifdef COUNTING
  auto during = GLOBAL.stats();
  CHECK(during.allocs - before.allocs == rounds * forms);
#endif

  // Every matching delete, unsized and sized (size 0) in turn.
  for (int r = 0; r < rounds; ++r) {
    if (r % 2 == 0) {
      ::operator delete(p[r][0]);
      ::operator delete[](p[r][1]);
      ::operator delete(p[r][3], al);
      ::operator delete[](p[r][4], al);
      ::operator delete(p[r][6], std::nothrow);
      ::operator delete[](p[r][7], std::nothrow);
      ::operator delete(p[r][8], al, std::nothrow);
      ::operator delete[](p[r][9], al, std::nothrow);
    } else {
      ::operator delete(p[r][0], std::size_t(0));
      ::operator delete[](p[r][1], std::size_t(0));
      ::operator delete(p[r][3], std::size_t(0), al);
      ::operator delete[](p[r][4], std::size_t(0), al);
      ::operator delete(p[r][6], std::size_t(0));
      ::operator delete[](p[r][7], std::size_t(0));
      ::operator delete(p[r][8], std::size_t(0), al);
      ::operator delete[](p[r][9], std::size_t(0), al);
    }
    delete[] static_cast<char *>(p[r][2]);
    delete[] static_cast<Over *>(p[r][5]);
    delete[] static_cast<char *>(p[r][10]);
  }
  std::printf("all freed\n");
  // CHECK: all freed

#ifdef COUNTING
  auto after = GLOBAL.stats();
  CHECK(after.deallocs - before.deallocs == rounds * forms);
  CHECK(after.live_bytes == before.live_bytes);
#endif
#ifdef CHECKED
  CHECK(checked.load() >= rounds * forms); // every free reached Checked
  std::printf("checked deallocs: %ld\n", checked.load());
  // CHECKED: checked deallocs: {{(17[6-9]|1[8-9][0-9]|[2-9][0-9][0-9]|[0-9]{4,})$}}
#endif
}
