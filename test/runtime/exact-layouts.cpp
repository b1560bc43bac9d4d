// dealloc receives exactly the Layout alloc received, on every path from the
// 20 replaced operators (docs/guide.md section 3). The selected allocator records
// every live block (pointer -> Layout) in a fixed, lock-protected table that
// never allocates, and aborts when a block is freed that it does not know or
// with a layout that differs from its alloc's. Exercised:
//  - every legal pairing of the 8 operator new forms with the 12 operator
//    delete forms, called explicitly, over many sizes and alignments;
//  - new-expressions: trivially destructible arrays (clang calls the
//    UNSIZED operator delete[]), arrays with non-trivial destructors (sized
//    operator delete[] with an array cookie), over-aligned (alignas(64))
//    scalars and arrays of both kinds, explicit unsized ::operator delete(p)
//    of a block from ::operator new(n), polymorphic delete through a base
//    with a virtual destructor (plain and over-aligned derived classes);
//  - standard containers and smart pointers (vector, string, map,
//    unordered_map, list, deque, shared_ptr, make_shared, function);
//  - allocsel::Global's alloc, dealloc, alloc_zeroed and realloc.
// Without dealloc_unsized (the default RUNs) every free must arrive at dealloc
// (the size-header path). With -DWITH_UNSIZED the allocator provides
// dealloc_unsized: blocks from operator new must then be exactly the size and
// alignment asked for, the unsized deletes must arrive at dealloc_unsized with
// the block's alignment, and the sized ones at dealloc with the exact layout.
// A third RUN builds with -fno-sized-deallocation, where every delete is
// unsized: the header still gives dealloc the exact layout.
// At exit every block freed is gone from the table.
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t && %t | FileCheck %s --check-prefixes=CHECK,HEADER
// RUN: %cxx -O2 -fno-sized-deallocation %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.nosized && %t.nosized | FileCheck %s --check-prefixes=CHECK,HEADER
// RUN: %cxx -O2 -DWITH_UNSIZED %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.unsized && %t.unsized | FileCheck %s --check-prefixes=CHECK,UNSIZED

#include <allocsel/alloc.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include "Inputs/check.h"


// ---------------------------------------------------------------------------
// The checking allocator.
// ---------------------------------------------------------------------------
namespace {

// Open addressing with linear probing and backward-shift deletion.
constexpr std::size_t slots = std::size_t(1) << 16;
constexpr std::size_t mask = slots - 1;
struct Block {
  void *p;
  std::size_t size, align;
};
Block table[slots];
std::size_t live = 0;
std::atomic_flag lock = ATOMIC_FLAG_INIT;

// Statistics; read under the lock or from one thread.
std::size_t allocs = 0, sized_frees = 0, unsized_frees = 0;
allocsel::Layout last_alloc = allocsel::Layout::of<char>();

[[noreturn]] void fail(const char *what, void *p, std::size_t size, std::size_t align,
                       const Block *known) {
  char buf[256];
  int n = known ? std::snprintf(buf, sizeof buf,
                                "exact-layouts: %s: %p freed as (%zu, %zu), allocated as "
                                "(%zu, %zu)\n",
                                what, p, size, align, known->size, known->align)
                : std::snprintf(buf, sizeof buf, "exact-layouts: %s: %p freed as (%zu, %zu)\n",
                                what, p, size, align);
  ssize_t r = write(2, buf, n > 0 ? std::size_t(n) : 0);
  (void)r;
  std::abort();
}

struct Guard {
  Guard() {
    while (lock.test_and_set(std::memory_order_acquire)) {
    }
  }
  ~Guard() { lock.clear(std::memory_order_release); }
};

std::size_t home(const void *p) {
  return (reinterpret_cast<std::uintptr_t>(p) * 0x9E3779B97F4A7C15ull) >> (64 - 16);
}

void insert(void *p, allocsel::Layout l) {
  if (live + 1 >= slots)
    fail("table full", p, l.size(), l.align(), nullptr);
  std::size_t i = home(p);
  while (table[i].p != nullptr) {
    if (table[i].p == p)
      fail("alloc returned a live block", p, l.size(), l.align(), &table[i]);
    i = (i + 1) & mask;
  }
  table[i] = {p, l.size(), l.align()};
  ++live;
}

Block *lookup(void *p) {
  for (std::size_t i = home(p); table[i].p != nullptr; i = (i + 1) & mask)
    if (table[i].p == p)
      return &table[i];
  return nullptr;
}

void erase(Block *b) {
  std::size_t i = std::size_t(b - table);
  table[i].p = nullptr;
  for (std::size_t j = (i + 1) & mask; table[j].p != nullptr; j = (j + 1) & mask) {
    std::size_t k = home(table[j].p);
    // The entry at j may stay if its home lies cyclically in (i, j].
    bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays)
      continue;
    table[i] = table[j];
    table[j].p = nullptr;
    i = j;
  }
  --live;
}

} // namespace

struct Exact {
  void *alloc(allocsel::Layout l) const noexcept {
    void *p = allocsel::System{}.alloc(l);
    if (p == nullptr)
      return nullptr;
    if (reinterpret_cast<std::uintptr_t>(p) % l.align() != 0)
      fail("System returned a misaligned block", p, l.size(), l.align(), nullptr);
    Guard g;
    insert(p, l);
    ++allocs;
    last_alloc = l;
    return p;
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept {
    {
      Guard g;
      Block *b = lookup(p);
      if (b == nullptr)
        fail("dealloc of an unknown block", p, l.size(), l.align(), nullptr);
      if (b->size != l.size() || b->align != l.align())
        fail("dealloc with another layout", p, l.size(), l.align(), b);
      erase(b);
      ++sized_frees;
    }
    allocsel::System{}.dealloc(p, l);
  }
#ifdef WITH_UNSIZED
  void dealloc_unsized(void *p, std::size_t align) const noexcept {
    {
      Guard g;
      Block *b = lookup(p);
      if (b == nullptr)
        fail("dealloc_unsized of an unknown block", p, 0, align, nullptr);
      if (b->align != align)
        fail("dealloc_unsized with another alignment", p, 0, align, b);
      erase(b);
      ++unsized_frees;
    }
    allocsel::System{}.dealloc_unsized(p, align);
  }
#endif
};

[[global_allocator]] constinit Exact GLOBAL{};

// ---------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------
namespace {

struct Counts {
  std::size_t allocs, sized, unsized, live;
};
Counts counts() {
  Guard g;
  return {allocs, sized_frees, unsized_frees, live};
}

#ifdef WITH_UNSIZED
constexpr bool has_unsized = true;
#else
constexpr bool has_unsized = false;
#endif

constexpr std::size_t default_align = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

// What one operator new call must have asked of the allocator.
void check_new(void *p, std::size_t n, std::size_t align) {
  CHECK(p != nullptr);
  CHECK(reinterpret_cast<std::uintptr_t>(p) % align == 0);
  std::memset(p, 0xA5, n); // the whole block is the caller's
  escape(p);
  allocsel::Layout l = counts().allocs ? last_alloc : allocsel::Layout::of<char>();
  std::size_t want_align = align < default_align ? default_align : align;
  if (has_unsized) {
    // No header: exactly the size (0 becomes 1) and alignment asked for.
    CHECK(l.size() == (n ? n : 1));
    CHECK(l.align() == want_align);
  } else {
    CHECK(l.size() >= n);
    CHECK(l.align() >= want_align);
  }
}

// The sized forms, called explicitly; code built with
// -fno-sized-deallocation has only the unsized ones (<new> declares no sized
// form), and its deletes all arrive unsized.
void delete_sized(void *p, std::size_t n) {
#ifdef __cpp_sized_deallocation
  ::operator delete(p, n);
#else
  (void)n;
  ::operator delete(p);
#endif
}
void delete_sized_array(void *p, std::size_t n) {
#ifdef __cpp_sized_deallocation
  ::operator delete[](p, n);
#else
  (void)n;
  ::operator delete[](p);
#endif
}
void delete_sized(void *p, std::size_t n, std::align_val_t al) {
#ifdef __cpp_sized_deallocation
  ::operator delete(p, n, al);
#else
  (void)n;
  ::operator delete(p, al);
#endif
}
void delete_sized_array(void *p, std::size_t n, std::align_val_t al) {
#ifdef __cpp_sized_deallocation
  ::operator delete[](p, n, al);
#else
  (void)n;
  ::operator delete[](p, al);
#endif
}

enum class Path { Sized, Unsized };

// Runs a free and checks which member of the allocator it reached.
template <class F> void expect_free(Path path, F free) {
  Counts before = counts();
  free();
  Counts after = counts();
  CHECK(after.live == before.live - 1);
  if (has_unsized && path == Path::Unsized) {
    CHECK(after.unsized == before.unsized + 1);
    CHECK(after.sized == before.sized);
  } else {
    CHECK(after.sized == before.sized + 1);
    CHECK(after.unsized == before.unsized);
  }
}

// A new-expression's block and its delete-expression: exactly one block
// allocated and freed, arriving at the expected member.
template <class New, class Delete> void expect_pair(Path path, New make, Delete destroy) {
  Counts before = counts();
  auto *p = make();
  escape(p);
  CHECK(counts().allocs == before.allocs + 1);
  expect_free(path, [&] { destroy(p); });
}

constexpr std::size_t sizes[] = {0, 1, 7, 8, 15, 16, 17, 31, 100, 255, 4096, 4097, 100000};
constexpr std::size_t aligns[] = {1, 8, 16, 32, 64, 128, 256, 4096, 65536};

// ---------------------------------------------------------------------------
// 1. The 8 new forms against the 12 delete forms, explicitly.
// ---------------------------------------------------------------------------
void explicit_operators() {
  using std::nothrow;
  for (std::size_t n : sizes) {
    // Scalar, unaligned: new(n), new(n, nothrow) x delete(p), delete(p,
    // nothrow), delete(p, n).
    for (int which_new = 0; which_new < 2; ++which_new) {
      for (int which_delete = 0; which_delete < 3; ++which_delete) {
        void *p;
        if (which_new)
          p = ::operator new(n, nothrow);
        else
          p = ::operator new(n);
        check_new(p, n, default_align);
        switch (which_delete) {
        case 0: expect_free(Path::Unsized, [&] { ::operator delete(p); }); break;
        case 1: expect_free(Path::Unsized, [&] { ::operator delete(p, nothrow); }); break;
        case 2: expect_free(Path::Sized, [&] { delete_sized(p, n); }); break;
        }
      }
    }
    // Array, unaligned.
    for (int which_new = 0; which_new < 2; ++which_new) {
      for (int which_delete = 0; which_delete < 3; ++which_delete) {
        void *p;
        if (which_new)
          p = ::operator new[](n, nothrow);
        else
          p = ::operator new[](n);
        check_new(p, n, default_align);
        switch (which_delete) {
        case 0: expect_free(Path::Unsized, [&] { ::operator delete[](p); }); break;
        case 1: expect_free(Path::Unsized, [&] { ::operator delete[](p, nothrow); }); break;
        case 2: expect_free(Path::Sized, [&] { delete_sized_array(p, n); }); break;
        }
      }
    }
    for (std::size_t a : aligns) {
      auto al = std::align_val_t(a);
      // Scalar, aligned.
      for (int which_new = 0; which_new < 2; ++which_new) {
        for (int which_delete = 0; which_delete < 3; ++which_delete) {
          void *p;
          if (which_new)
            p = ::operator new(n, al, nothrow);
          else
            p = ::operator new(n, al);
          check_new(p, n, a);
          switch (which_delete) {
          case 0: expect_free(Path::Unsized, [&] { ::operator delete(p, al); }); break;
          case 1: expect_free(Path::Unsized, [&] { ::operator delete(p, al, nothrow); }); break;
          case 2: expect_free(Path::Sized, [&] { delete_sized(p, n, al); }); break;
          }
        }
      }
      // Array, aligned.
      for (int which_new = 0; which_new < 2; ++which_new) {
        for (int which_delete = 0; which_delete < 3; ++which_delete) {
          void *p;
          if (which_new)
            p = ::operator new[](n, al, nothrow);
          else
            p = ::operator new[](n, al);
          check_new(p, n, a);
          switch (which_delete) {
          case 0: expect_free(Path::Unsized, [&] { ::operator delete[](p, al); }); break;
          case 1: expect_free(Path::Unsized, [&] { ::operator delete[](p, al, nothrow); }); break;
          case 2: expect_free(Path::Sized, [&] { delete_sized_array(p, n, al); }); break;
          }
        }
      }
    }
  }
  // Several blocks alive at once, freed in another order than allocated.
  void *live_blocks[64];
  for (int i = 0; i < 64; ++i) {
    live_blocks[i] = ::operator new(std::size_t(i) * 24 + 1, std::align_val_t(std::size_t(1) << (i % 10)));
    escape(live_blocks[i]);
  }
  for (int i = 0; i < 64; ++i) {
    int j = (i * 37) % 64;
    if (j % 2)
      ::operator delete(live_blocks[j], std::align_val_t(std::size_t(1) << (j % 10)));
    else
      delete_sized(live_blocks[j], std::size_t(j) * 24 + 1,
                   std::align_val_t(std::size_t(1) << (j % 10)));
  }
  std::printf("explicit operators: every new/delete pairing checked\n");
}

// ---------------------------------------------------------------------------
// 2. New-expressions.
// ---------------------------------------------------------------------------
struct NonTrivial {
  int v = 1;
  ~NonTrivial() { escape(&v); }
};
struct alignas(64) Over {
  char c[40];
};
struct alignas(64) OverNonTrivial {
  char c[72];
  ~OverNonTrivial() { escape(c); }
};
struct Base {
  virtual ~Base() = default;
  int b = 0;
};
struct Derived : Base {
  char payload[200] = {};
};
struct alignas(128) OverDerived : Base {
  char payload[300] = {};
};

[[gnu::noinline]] std::size_t opaque(std::size_t n) {
  escape(&n);
  return n;
}

void new_expressions() {
  for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(3), std::size_t(50), std::size_t(1000)}) {
    n = opaque(n);
    // Trivially destructible arrays: no cookie, clang calls the unsized
    // operator delete[].
    expect_pair(Path::Unsized, [&] { return new char[n]; }, [](char *p) { delete[] p; });
    expect_pair(Path::Unsized, [&] { return new int[n](); }, [](int *p) { delete[] p; });
    expect_pair(Path::Unsized, [&] { return new (std::nothrow) double[n]; },
                [](double *p) { delete[] p; });
    // Over-aligned and trivially destructible: unsized aligned delete[].
    expect_pair(Path::Unsized, [&] { return new Over[n]; }, [](Over *p) {
      CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
      delete[] p;
    });
    // Non-trivial destructors: a cookie and the sized delete[].
    expect_pair(Path::Sized, [&] { return new NonTrivial[n]; }, [](NonTrivial *p) { delete[] p; });
    expect_pair(Path::Sized, [&] { return new OverNonTrivial[n]; }, [](OverNonTrivial *p) {
      CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
      delete[] p;
    });
  }
  // Scalars: sized delete, aligned for an over-aligned type.
  expect_pair(Path::Sized, [] { return new int(5); }, [](int *p) { delete p; });
  expect_pair(Path::Sized, [] { return new NonTrivial; }, [](NonTrivial *p) { delete p; });
  expect_pair(Path::Sized, [] { return new Over; }, [](Over *p) {
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 64 == 0);
    delete p;
  });
  expect_pair(Path::Sized, [] { return new (std::nothrow) OverNonTrivial; },
              [](OverNonTrivial *p) { delete p; });
  // Polymorphic delete: the deleting destructor frees with the most-derived
  // size (and alignment).
  expect_pair(Path::Sized, []() -> Base * { return new Derived; }, [](Base *p) { delete p; });
  expect_pair(Path::Sized, []() -> Base * { return new OverDerived; }, [](Base *p) {
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 128 == 0);
    delete p;
  });
  // Explicit unsized delete of a block from ::operator new(n).
  for (std::size_t n : {std::size_t(1), std::size_t(24), std::size_t(333), std::size_t(70000)}) {
    expect_pair(Path::Unsized, [&] { return ::operator new(opaque(n)); },
                [](void *p) { ::operator delete(p); });
    expect_pair(Path::Unsized, [&] { return ::operator new[](opaque(n), std::align_val_t(512)); },
                [](void *p) { ::operator delete[](p, std::align_val_t(512)); });
  }
  // unique_ptr<T[]> from make_unique: value-initialized, delete[] unsized.
  expect_pair(Path::Unsized, [] { return std::make_unique<long[]>(opaque(77)).release(); },
              [](long *p) { std::unique_ptr<long[]> owner(p); });
  std::printf("new-expressions checked\n");
}

// ---------------------------------------------------------------------------
// 3. Standard containers and smart pointers.
// ---------------------------------------------------------------------------
void containers() {
  Counts before = counts();
  {
    std::vector<int> v;
    for (int i = 0; i < 5000; ++i)
      v.push_back(i);
    std::vector<Over> ov(opaque(33));
    std::vector<std::string> vs;
    for (int i = 0; i < 200; ++i)
      vs.push_back("a string long enough to leave the SSO buffer, number " + std::to_string(i));
    vs.erase(vs.begin(), vs.begin() + 100);
    vs.shrink_to_fit();
    std::string s;
    for (int i = 0; i < 300; ++i)
      s += "grow ";
    std::map<std::string, std::vector<int>> m;
    for (int i = 0; i < 300; ++i)
      m["key number " + std::to_string(i)].assign(std::size_t(i) + 1, i);
    for (int i = 0; i < 300; i += 3)
      m.erase("key number " + std::to_string(i));
    std::unordered_map<int, std::string> um;
    for (int i = 0; i < 2000; ++i)
      um.emplace(i, std::string(std::size_t(i % 50), 'u'));
    for (int i = 0; i < 2000; i += 2)
      um.erase(i);
    um.rehash(10);
    std::list<OverNonTrivial> l(opaque(20));
    l.resize(5);
    std::deque<int> d;
    for (int i = 0; i < 10000; ++i)
      d.push_front(i);
    auto sp = std::make_shared<std::vector<double>>(100, 1.0);
    auto so = std::make_shared<Over>();
    CHECK(reinterpret_cast<std::uintptr_t>(so.get()) % 64 == 0);
    std::shared_ptr<Base> sb(new OverDerived);
    std::shared_ptr<int> si(new int[10], [](int *p) { delete[] p; });
    std::weak_ptr<Over> w = so;
    so.reset();
    CHECK(w.expired());
    char big[256] = {};
    std::function<int()> f = [big] { return int(big[0]) + 256; };
    std::function<int()> g = f;
    try {
      throw std::runtime_error(std::string(500, 'e'));
    } catch (const std::exception &e) {
      escape(e.what());
    }
    escape(&v);
    escape(&ov);
    escape(&vs);
    escape(&s);
    escape(&m);
    escape(&um);
    escape(&l);
    escape(&d);
    escape(&sp);
    escape(&sb);
    escape(&si);
    escape(&g);
  }
  Counts after = counts();
  CHECK(after.allocs - before.allocs > 1000);
  CHECK(after.live == before.live);
  std::printf("containers: %s\n", after.live == before.live ? "balanced" : "unbalanced");
}

// ---------------------------------------------------------------------------
// 4. allocsel::Global: raw layouts, no header.
// ---------------------------------------------------------------------------
void global_alloc() {
  allocsel::Global g;
  for (std::size_t a : aligns) {
    for (std::size_t n : sizes) {
      auto l = *allocsel::Layout::from_size_align(n, a);
      void *p = g.alloc(l);
      CHECK(p != nullptr);
      CHECK(last_alloc == l);
      expect_free(Path::Sized, [&] { g.dealloc(p, l); });

      auto *z = static_cast<unsigned char *>(g.alloc_zeroed(l));
      CHECK(z != nullptr);
      CHECK(last_alloc == l);
      for (std::size_t i = 0; i < n; ++i)
        CHECK(z[i] == 0);
      // The default realloc: alloc the new layout, copy, dealloc the old one.
      auto *r = static_cast<unsigned char *>(g.realloc(z, l, n * 2 + 8));
      CHECK(r != nullptr);
      CHECK(reinterpret_cast<std::uintptr_t>(r) % a == 0);
      auto l2 = *allocsel::Layout::from_size_align(n * 2 + 8, a);
      CHECK(last_alloc == l2);
      expect_free(Path::Sized, [&] { g.dealloc(r, l2); });
    }
  }
  std::printf("Global checked\n");
}

} // namespace

int main() {
  Counts start = counts();
  explicit_operators();
  // CHECK: explicit operators: every new/delete pairing checked
  new_expressions();
  // CHECK: new-expressions checked
  containers();
  // CHECK: containers: balanced
  global_alloc();
  // CHECK: Global checked
  Counts end = counts();
  // Every block this test freed left the table; nothing it allocated stayed.
  CHECK(end.live == start.live);
  std::printf("checked deallocs: %zu\n", end.sized - start.sized + end.unsized - start.unsized);
  std::printf("unsized deallocs: %zu\n", end.unsized - start.unsized);
  std::printf("live blocks left by the test: %zu\n", end.live - start.live);
  // CHECK: checked deallocs: {{[1-9][0-9]{3,}$}}
  // HEADER: unsized deallocs: 0{{$}}
  // UNSIZED: unsized deallocs: {{[1-9][0-9]+$}}
  // CHECK: live blocks left by the test: 0{{$}}
}
