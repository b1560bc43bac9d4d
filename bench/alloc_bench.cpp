// alloc_bench: new/delete throughput through allocsel, and the baselines it
// is compared against, in one Google Benchmark program.
//
// The same source is built three times (see bench/CMakeLists.txt and
// bench/run.py):
//
//   bench_allocsel_jemalloc  allocsel flags, executable default: Jemalloc
//   bench_allocsel_system    allocsel flags, --default=system: System
//   bench_glibc              plain clang++, libstdc++'s operator new on glibc
//
// The allocsel builds define ALLOCSEL_BENCH_ALLOCSEL=1, which adds the
// direct calls to allocsel's private jemalloc (allocsel_je_mallocx and
// allocsel_je_sdallocx) as a baseline in the same binary.
//
// Every case exists in two workloads:
//
//   fixed/N   one block of N bytes allocated and freed per operation
//             (the allocator's thread cache hit path)
//   mixed     a batch of kBatch live blocks with pseudo-random sizes in
//             [8, 4096] (log-uniform, from a precomputed table) is
//             allocated, then freed in a shuffled order
//
// and each case runs at 1 and 2 threads. Throughput is reported as
// items_per_second, one item being one allocation plus its deallocation,
// summed over the threads (UseRealTime).
//
// The operator new/delete cases call ::operator new(n) and the sized
// ::operator delete(p, n) explicitly: that is what a new-expression and a
// delete-expression of an n-byte object call (sized deallocation is on in
// clang 19, and -fsized-deallocation is passed anyway). Explicit calls of the
// replaceable functions are never elided by clang, unlike new-expressions;
// every pointer also goes through benchmark::DoNotOptimize.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>

#if ALLOCSEL_BENCH_ALLOCSEL
#include <allocsel/alloc.h>
#endif

namespace {

// ---------------------------------------------------------------------------
// The workload tables. Deterministic: the same in every binary and run.
// ---------------------------------------------------------------------------

constexpr std::size_t kBatch = 64;        // live blocks in the mixed workload
constexpr std::size_t kTableSize = 4096;  // sizes; a multiple of kBatch
constexpr std::size_t kOrders = 16;       // distinct free orders
static_assert(kTableSize % kBatch == 0);

struct Tables {
  std::array<std::uint32_t, kTableSize> sizes;
  std::array<std::array<std::uint8_t, kBatch>, kOrders> free_order;

  Tables() {
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    auto next = [&x] { // xorshift64*
      x ^= x >> 12;
      x ^= x << 25;
      x ^= x >> 27;
      return x * 0x2545f4914f6cdd1dull;
    };
    // log-uniform in [8, 4096]: 8 << (9 * u), plus a uniform offset inside
    // the power-of-two range, so that every size class is visited.
    for (auto &s : sizes) {
      unsigned lg = static_cast<unsigned>(next() % 9);  // 0..8
      std::size_t lo = std::size_t{8} << lg;            // 8..2048
      s = static_cast<std::uint32_t>(lo + next() % (lo + 1));  // lo..2*lo
    }
    for (auto &order : free_order) {
      for (std::size_t i = 0; i < kBatch; ++i)
        order[i] = static_cast<std::uint8_t>(i);
      for (std::size_t i = kBatch - 1; i > 0; --i) // Fisher-Yates
        std::swap(order[i], order[next() % (i + 1)]);
    }
  }
};

const Tables &tables() {
  static const Tables t;
  return t;
}

// ---------------------------------------------------------------------------
// The allocation paths under test. Each is a pair of always-inlined calls,
// so that the loop around them is the same for every path.
// ---------------------------------------------------------------------------

// operator new/delete: whatever this binary's operator new is (allocsel's
// routing, or libstdc++'s).
struct NewDelete {
  static void *alloc(std::size_t n) { return ::operator new(n); }
  static void free(void *p, std::size_t n) noexcept { ::operator delete(p, n); }
};

// The C library's malloc and free, called directly. glibc's in every build
// (allocsel keeps its jemalloc private), so it doubles as a noise check
// across the binaries.
struct Malloc {
  static void *alloc(std::size_t n) { return std::malloc(n); }
  static void free(void *p, std::size_t) noexcept { std::free(p); }
};

#if ALLOCSEL_BENCH_ALLOCSEL
// allocsel's private jemalloc, called directly the way a C++ programmer
// would call jemalloc's sized API for a default-aligned block: no flags.
struct JeDirect {
  static void *alloc(std::size_t n) { return allocsel_je_mallocx(n, 0); }
  static void free(void *p, std::size_t n) noexcept { allocsel_je_sdallocx(p, n, 0); }
};
#endif

// ---------------------------------------------------------------------------
// The two workloads.
// ---------------------------------------------------------------------------

template <class Path> void fixed(benchmark::State &state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void *p = Path::alloc(n);
    benchmark::DoNotOptimize(p);
    Path::free(p, n);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

template <class Path> void mixed(benchmark::State &state) {
  const Tables &t = tables();
  // Each thread starts at a different place in the tables.
  std::size_t base = (static_cast<std::size_t>(state.thread_index()) * 7 * kBatch) % kTableSize;
  std::size_t order = static_cast<std::size_t>(state.thread_index()) * 5 % kOrders;
  void *live[kBatch];
  for (auto _ : state) {
    const std::uint32_t *sz = &t.sizes[base];
    for (std::size_t i = 0; i < kBatch; ++i) {
      live[i] = Path::alloc(sz[i]);
      benchmark::DoNotOptimize(live[i]);
    }
    benchmark::ClobberMemory();
    const auto &o = t.free_order[order];
    for (std::size_t i = 0; i < kBatch; ++i) {
      std::size_t k = o[i];
      Path::free(live[k], sz[k]);
    }
    benchmark::ClobberMemory();
    base = (base + kBatch) % kTableSize;
    order = (order + 1) % kOrders;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBatch));
}

// A new-expression and a delete-expression of a 64-byte class: checks that
// the explicit calls above are what the compiler emits for real C++.
struct alignas(16) Obj64 {
  unsigned char bytes[64];
};
static_assert(sizeof(Obj64) == 64);

void new_expr64(benchmark::State &state) {
  for (auto _ : state) {
    Obj64 *p = new Obj64;
    benchmark::DoNotOptimize(p);
    delete p;
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

// ---------------------------------------------------------------------------
// Registration. Names: <path>/fixed/<N>/threads:<T>, <path>/mixed/threads:<T>.
// ---------------------------------------------------------------------------

constexpr int kFixedSizes[] = {8, 16, 64};

template <class Path> void register_path(const char *name) {
  for (int threads : {1, 2}) {
    for (int n : kFixedSizes)
      benchmark::RegisterBenchmark((std::string(name) + "/fixed").c_str(), fixed<Path>)
          ->Arg(n)
          ->Threads(threads)
          ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(name) + "/mixed").c_str(), mixed<Path>)
        ->Threads(threads)
        ->UseRealTime();
  }
}

} // namespace

int main(int argc, char **argv) {
  (void)tables(); // built before any timing
#if ALLOCSEL_BENCH_ALLOCSEL
  auto info = allocsel::global_allocator_info();
  benchmark::AddCustomContext("allocsel_selection",
                              std::string(info.selected ? "selected " : "default ") +
                                  std::string(info.type));
#else
  benchmark::AddCustomContext("allocsel_selection", "none (libstdc++ operator new)");
#endif

  register_path<NewDelete>("new_delete");
  register_path<Malloc>("malloc_free");
#if ALLOCSEL_BENCH_ALLOCSEL
  register_path<JeDirect>("je_direct");
#endif
  for (int threads : {1, 2})
    benchmark::RegisterBenchmark("new_expr/obj64", new_expr64)->Threads(threads)->UseRealTime();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
