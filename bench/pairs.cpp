// pairs: steady-state new/delete pairs for instruction counts (callgrind) and
// times, the same source in every configuration bench/zero_cost.py builds.
//
//   pairs WORKLOAD ROUNDS [THREADS]   prints "ITEMS NANOSECONDS"
//   pairs rss COUNT                    prints the resident memory that COUNT
//                                      live 16-byte objects take, in KiB
//
// WORKLOAD:
//   sized/N    ::operator new(N) + sized ::operator delete(p, N), as a
//              new-expression and delete-expression of an N-byte class emit
//   array/N    delete[] new char[N]: clang emits operator new[] and the
//              UNSIZED operator delete[](void*)
//   vector     std::vector<int> grown by push_back to 1000 elements
//   map        std::map<int, std::string> insert/erase of 64 keys
//   string     string building: 64 appends of 24 characters
//   string/aged  the same after one live block of each capacity it grows
//              through was made (a heap with history)
//   threads    2 threads, producer/consumer: blocks made by one thread
//              are freed by the other (cross-thread frees)
//   json       a real parser: Boost.PropertyTree's read_json on a 200 KB
//              document (every node a std::string key and value in a list)
//
// THREADS (default 1) runs the workload in that many threads at once. A
// short warm-up runs first; the time covers the measured rounds only.
// A round makes a batch of 64 blocks, then frees them in a shuffled order
// (a pair loop reuses one page-aligned block forever, which jemalloc frees on
// its slow path; a batch covers the slab as a program does). The instruction
// cost of one pair is the difference of two runs with different ROUNDS
// divided by the difference of pairs, so start-up and tear-down cancel out.
//
// With ALLOCSEL_PAIRS_SELECT=<kind> the unit selects an allocator; with
// ALLOCSEL_PAIRS_DIRECT=<kind> it replaces the operators itself, the way a
// C++ programmer would without allocsel (the baseline for that allocator).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <thread>
#include <vector>

#if defined(ALLOCSEL_PAIRS_JSON)
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <sstream>
#endif

#if defined(ALLOCSEL_PAIRS_SELECT) || defined(ALLOCSEL_PAIRS_DIRECT)
#include <allocsel/alloc.h>
#endif
#if defined(ALLOCSEL_PAIRS_MIMALLOC_OVERRIDE)
#include <mimalloc-new-delete.h> // mimalloc's own C++ operators, in this unit
#endif
#if defined(ALLOCSEL_PAIRS_MIMALLOC_API)
#include <mimalloc.h>
// A user's allocator over mimalloc's API, with every member visible inline.
struct Mimalloc {
  void *alloc(allocsel::Layout l) const noexcept {
    return l.align() <= 16 ? mi_malloc(l.size()) : mi_malloc_aligned(l.size(), l.align());
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { mi_free_size(p, l.size()); }
  void dealloc_unsized(void *p, std::size_t) const noexcept { mi_free(p); }
};
#endif

#if defined(ALLOCSEL_PAIRS_SELECT)
[[global_allocator]] constinit ALLOCSEL_PAIRS_SELECT GLOBAL{};
#elif defined(ALLOCSEL_PAIRS_DIRECT)
// The direct replacement: what a C++ programmer writes for this allocator
// without allocsel, with every member inline. Standard semantics for the
// forms the workloads use (size 0, the new_handler loop, nullptr).
constinit ALLOCSEL_PAIRS_DIRECT DIRECT{};
namespace {
[[gnu::noinline, gnu::cold]] void *direct_retry(std::size_t n) {
  for (;;) {
    std::new_handler h = std::get_new_handler();
    if (!h)
      throw std::bad_alloc();
    h();
    if (void *p = DIRECT.alloc(allocsel::Layout::from_size_align_unchecked(n, 16)))
      return p;
  }
}
// An allocator without dealloc_unsized cannot free a block of unknown
// size: the replacement keeps the size in a 16-byte header, as allocsel does.
constexpr bool direct_unsized = allocsel::new_header_bytes<decltype(DIRECT)> == 0;
constexpr std::size_t direct_header = direct_unsized ? 0 : 16;
inline void *direct_new(std::size_t n) {
  n += n == 0;
  void *p = DIRECT.alloc(allocsel::Layout::from_size_align_unchecked(n + direct_header, 16));
  if (__builtin_expect(p == nullptr, 0))
    p = direct_retry(n + direct_header);
  if constexpr (!direct_unsized) {
    std::memcpy(static_cast<char *>(p) + 8, &n, sizeof n);
    return static_cast<char *>(p) + 16;
  }
  return p;
}
template <class D> inline void direct_delete_with(const D &d, void *p, std::size_t n) {
  if (!p)
    return;
  if constexpr (allocsel::new_header_bytes<D> == 0) {
    if (n == 0)
      d.dealloc_unsized(p, 16);
    else
      d.dealloc(p, allocsel::Layout::from_size_align_unchecked(n, 16));
  } else {
    auto *base = static_cast<char *>(p) - 16;
    std::memcpy(&n, base + 8, sizeof n);
    d.dealloc(base, allocsel::Layout::from_size_align_unchecked(n + 16, 16));
  }
}
inline void direct_delete(void *p, std::size_t n) { direct_delete_with(DIRECT, p, n); }
} // namespace
[[gnu::noinline]] void *operator new(std::size_t n) { return direct_new(n); }
[[gnu::noinline]] void *operator new[](std::size_t n) { return direct_new(n); }
[[gnu::noinline]] void operator delete(void *p) noexcept { direct_delete(p, 0); }
[[gnu::noinline]] void operator delete[](void *p) noexcept { direct_delete(p, 0); }
[[gnu::noinline]] void operator delete(void *p, std::size_t n) noexcept {
  direct_delete(p, n + (n == 0));
}
[[gnu::noinline]] void operator delete[](void *p, std::size_t n) noexcept {
  direct_delete(p, n + (n == 0));
}
#endif

namespace {

constexpr int kBatch = 64;
unsigned char order[16][kBatch];

void make_orders() {
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  for (auto &o : order) {
    for (int i = 0; i < kBatch; ++i)
      o[i] = static_cast<unsigned char>(i);
    for (int i = kBatch - 1; i > 0; --i) {
      x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
      int j = static_cast<int>((x * 0x2545f4914f6cdd1dull) % static_cast<unsigned>(i + 1));
      unsigned char t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
  }
}

template <class T> inline void keep(T &v) { asm volatile("" : : "r"(&v) : "memory"); }

// One pair = one allocation and its deallocation.
long sized(long rounds, std::size_t n) {
  void *live[kBatch];
  for (long r = 0; r < rounds; ++r) {
    for (int i = 0; i < kBatch; ++i) {
      void *p = ::operator new(n);
      keep(p);
      live[i] = p;
    }
    const unsigned char *o = order[r & 15];
    for (int i = 0; i < kBatch; ++i)
      ::operator delete(live[o[i]], n);
  }
  return rounds * kBatch;
}

long array(long rounds, std::size_t n) {
  char *live[kBatch];
  for (long r = 0; r < rounds; ++r) {
    for (int i = 0; i < kBatch; ++i) {
      char *p = new char[n];
      keep(p);
      live[i] = p;
    }
    const unsigned char *o = order[r & 15];
    for (int i = 0; i < kBatch; ++i)
      delete[] live[o[i]];
  }
  return rounds * kBatch;
}

long vector(long rounds) {
  for (long r = 0; r < rounds; ++r) {
    std::vector<int> v;
    for (int i = 0; i < 1000; ++i)
      v.push_back(i);
    keep(v);
  }
  return rounds;
}

long map(long rounds) {
  std::map<int, std::string> m;
  for (long r = 0; r < rounds; ++r) {
    for (int i = 0; i < kBatch; ++i)
      m.emplace(order[r & 15][i], "a value long enough to allocate");
    for (int i = 0; i < kBatch; ++i)
      m.erase(order[(r + 1) & 15][i]);
  }
  return rounds;
}

// aged: one live block of each capacity the string grows through is made
// first, so the loop's buffers are not each the first block of a fresh
// page, as they are in a process whose heap has no history (see
// docs/performance.md, "The string workload").
long string(long rounds, bool aged) {
  std::vector<std::string> history;
  if (aged)
    for (std::size_t capacity = 30; capacity <= 1920; capacity *= 2) {
      history.emplace_back();
      history.back().reserve(capacity);
    }
  long total = 0;
  for (long r = 0; r < rounds; ++r) {
    std::string s;
    for (int i = 0; i < kBatch; ++i)
      s += "twenty-four characters..";
    total += static_cast<long>(s.size());
    keep(s);
  }
  return total > 0 ? rounds : 0;
}

// Producer/consumer: the producer allocates 64-byte blocks and hands them over
// a single-producer single-consumer ring; the consumer frees them.
long threads(long rounds) {
  constexpr std::size_t kRing = 1024;
  static std::atomic<void *> ring[kRing];
  std::atomic<long> done{0};
  long items = rounds * kBatch;
  std::thread consumer([&] {
    std::size_t head = 0;
    for (long i = 0; i < items; ++i) {
      void *p;
      while ((p = ring[head].load(std::memory_order_acquire)) == nullptr)
        ;
      ring[head].store(nullptr, std::memory_order_relaxed);
      head = (head + 1) % kRing;
      ::operator delete(p, 64);
    }
    done.store(1, std::memory_order_release);
  });
  std::size_t tail = 0;
  for (long i = 0; i < items; ++i) {
    void *p = ::operator new(64);
    while (ring[tail].load(std::memory_order_acquire) != nullptr)
      ;
    ring[tail].store(p, std::memory_order_release);
    tail = (tail + 1) % kRing;
  }
  consumer.join();
  return items;
}

#if defined(ALLOCSEL_PAIRS_JSON)
// A 200 KB JSON document, the same in every run: 2000 records of strings,
// numbers and a nested list.
const std::string &json_document() {
  static const std::string doc = [] {
    std::string d = "{\"records\": [";
    for (int i = 0; i < 2000; ++i) {
      if (i)
        d += ",";
      d += "{\"id\": " + std::to_string(i) + ", \"name\": \"record number " +
           std::to_string(i) + "\", \"tags\": [\"alpha\", \"beta\", \"gamma" +
           std::to_string(i % 7) + "\"], \"score\": " + std::to_string(i * 37 % 1000) +
           ".5, \"note\": \"a longer text value that does not fit the small string\"}";
    }
    return d + "]}";
  }();
  return doc;
}
long json(long rounds) {
  const std::string &doc = json_document();
  long nodes = 0;
  for (long r = 0; r < rounds; ++r) {
    std::istringstream in(doc);
    boost::property_tree::ptree tree;
    boost::property_tree::read_json(in, tree);
    nodes += static_cast<long>(tree.get_child("records").size());
  }
  return nodes > 0 ? rounds : 0;
}
#endif

long run(const char *w, long rounds) {
  if (std::strncmp(w, "sized/", 6) == 0)
    return sized(rounds, std::strtoul(w + 6, nullptr, 10));
  if (std::strncmp(w, "array/", 6) == 0)
    return array(rounds, std::strtoul(w + 6, nullptr, 10));
  if (std::strcmp(w, "vector") == 0)
    return vector(rounds);
  if (std::strcmp(w, "map") == 0)
    return map(rounds);
  if (std::strcmp(w, "string") == 0)
    return string(rounds, false);
  if (std::strcmp(w, "string/aged") == 0)
    return string(rounds, true);
  if (std::strcmp(w, "threads") == 0)
    return threads(rounds);
#if defined(ALLOCSEL_PAIRS_JSON)
  if (std::strcmp(w, "json") == 0)
    return json(rounds);
#endif
  std::fprintf(stderr, "unknown workload %s\n", w);
  std::exit(2);
}

long resident_kib() {
  std::FILE *f = std::fopen("/proc/self/statm", "r");
  long pages = 0, resident = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
      resident = 0;
    std::fclose(f);
  }
  return resident * 4;
}

struct Small {
  char bytes[16];
};

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s sized/N|array/N|vector|map|string[/aged]|threads|json ROUNDS [THREADS]\n"
                 "       %s rss COUNT\n",
                 argv[0], argv[0]);
    return 2;
  }
  make_orders();
  const char *w = argv[1];
  long rounds = std::atol(argv[2]);
  if (std::strcmp(w, "rss") == 0) {
    // COUNT live 16-byte objects: what the allocator's size classes (and
    // allocsel's header, for a selection without dealloc_unsized) cost.
    std::vector<Small *> live(static_cast<std::size_t>(rounds)); // touched first
    long before = resident_kib();
    for (long i = 0; i < rounds; ++i) {
      Small *p = new Small;
      p->bytes[0] = static_cast<char>(i);
      live[static_cast<std::size_t>(i)] = p;
    }
    long after = resident_kib();
    std::printf("%ld\n", after - before);
    for (Small *p : live)
      delete p;
    return 0;
  }
  int nthreads = argc > 3 ? std::atoi(argv[3]) : 1;
  // Warm-up: the same in every run, so it cancels out of instruction counts.
  long warm = std::strcmp(w, "json") == 0 ? 2 : 50;
  run(w, warm);
  auto start = std::chrono::steady_clock::now();
  long items = 0;
  if (nthreads <= 1 || std::strcmp(w, "threads") == 0) {
    items = run(w, rounds);
  } else {
    std::vector<std::thread> ts;
    std::atomic<long> total{0};
    for (int t = 0; t < nthreads; ++t)
      ts.emplace_back([&] { total += run(w, rounds); });
    for (auto &t : ts)
      t.join();
    items = total;
  }
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::steady_clock::now() - start)
                .count();
  std::printf("%ld %lld\n", items, static_cast<long long>(ns));
  return 0;
}
