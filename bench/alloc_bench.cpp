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
// The allocsel builds define ALLOCSEL_BENCH_ALLOCSEL=1, which adds direct
// calls to allocsel's private jemalloc as baselines in the same binary:
// allocsel_je_mallocx + allocsel_je_sdallocx (je_mallocx) and
// allocsel_je_malloc + allocsel_je_sdallocx (je_malloc).
//
// Every case exists in two workloads:
//
//   fixed/N   a batch of kBatch (64) blocks of N bytes is allocated, then
//             freed in a shuffled order (the thread cache's hit path)
//   mixed     the same with pseudo-random sizes in [8, 4096] (log-uniform,
//             from a precomputed table), so that every batch mixes size
//             classes
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
#include <cstdio>
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
// The baseline.
struct JeMallocx {
  static void *alloc(std::size_t n) { return allocsel_je_mallocx(n, 0); }
  static void free(void *p, std::size_t n) noexcept { allocsel_je_sdallocx(p, n, 0); }
};
// The same jemalloc through its fastest entry points: malloc has the
// thread-cache fast path that mallocx (jemalloc 5.3) lacks; sdallocx with
// no flags has its free fast path.
struct JeMalloc {
  static void *alloc(std::size_t n) { return allocsel_je_malloc(n); }
  static void free(void *p, std::size_t n) noexcept { allocsel_je_sdallocx(p, n, 0); }
};
#endif

// ---------------------------------------------------------------------------
// The workload: kBatch blocks allocated, then freed in a shuffled order.
//
// Not a single allocate/free pair in a loop: that reuses one block forever,
// and with jemalloc 5.3 that block is the first of a fresh slab, hence
// page-aligned, and sdallocx sends every page-aligned pointer down its slow
// path (free_fastpath refuses them, as they may be sampled objects). A batch
// holds blocks across the slab, as a real program does.
// ---------------------------------------------------------------------------

// One round: allocate kBatch blocks with sizes[base..], free them in the
// order free_order[order], move on in both tables.
template <class Path>
inline void one_round(const std::uint32_t *sizes, std::size_t table_size, std::size_t &base,
                      std::size_t &order, void **live) {
  const std::uint32_t *sz = &sizes[base];
  for (std::size_t i = 0; i < kBatch; ++i) {
    live[i] = Path::alloc(sz[i]);
    benchmark::DoNotOptimize(live[i]);
  }
  benchmark::ClobberMemory();
  const auto &o = tables().free_order[order];
  for (std::size_t i = 0; i < kBatch; ++i) {
    std::size_t k = o[i];
    Path::free(live[k], sz[k]);
  }
  benchmark::ClobberMemory();
  base = (base + kBatch) % table_size;
  order = (order + 1) % kOrders;
}

template <class Path>
void batch(benchmark::State &state, const std::uint32_t *sizes, std::size_t table_size) {
  // Each thread starts at a different place in the tables.
  std::size_t base = (static_cast<std::size_t>(state.thread_index()) * 7 * kBatch) % table_size;
  std::size_t order = static_cast<std::size_t>(state.thread_index()) * 5 % kOrders;
  void *live[kBatch];
  for (auto _ : state)
    one_round<Path>(sizes, table_size, base, order, live);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBatch));
}

// fixed/N: every block N bytes.
template <class Path> void fixed(benchmark::State &state) {
  std::uint32_t sizes[kBatch];
  std::fill(std::begin(sizes), std::end(sizes), static_cast<std::uint32_t>(state.range(0)));
  batch<Path>(state, sizes, kBatch);
}

// mixed: sizes from the log-uniform table.
template <class Path> void mixed(benchmark::State &state) {
  batch<Path>(state, tables().sizes.data(), kTableSize);
}

// A new-expression and a delete-expression of a 64-byte class, in the
// fixed/64 workload: checks that the explicit calls of NewDelete are what the
// compiler emits for real C++ (operator new(64), operator delete(p, 64)).
struct Obj64 {
  unsigned char bytes[64];
};
static_assert(sizeof(Obj64) == 64);

struct NewExpr64 {
  static void *alloc(std::size_t) { return new Obj64; }
  static void free(void *p, std::size_t) noexcept { delete static_cast<Obj64 *>(p); }
};

// ---------------------------------------------------------------------------
// Instruction counts: --insns=<path>/<case> runs kInsnRounds rounds of one
// workload on one thread inside measured_rounds(), without Google Benchmark,
// for valgrind --tool=callgrind --toggle-collect='*measured_rounds*'
// (bench/run.py --insns). Deterministic, unlike times on a shared machine.
// ---------------------------------------------------------------------------

constexpr std::size_t kInsnRounds = 2000;

template <class Path>
[[gnu::noinline]] void measured_rounds(const std::uint32_t *sizes, std::size_t table_size,
                                       std::size_t rounds) {
  std::size_t base = 0, order = 0;
  void *live[kBatch];
  for (std::size_t r = 0; r < rounds; ++r)
    one_round<Path>(sizes, table_size, base, order, live);
}

template <class Path> int insns(const std::string &workload) {
  std::uint32_t fixed_sizes[kBatch];
  const std::uint32_t *sizes = tables().sizes.data();
  std::size_t table_size = kTableSize;
  if (workload.rfind("fixed/", 0) == 0) {
    std::fill(std::begin(fixed_sizes), std::end(fixed_sizes),
              static_cast<std::uint32_t>(std::stoul(workload.substr(6))));
    sizes = fixed_sizes;
    table_size = kBatch;
  } else if (workload != "mixed") {
    return 2;
  }
  // Warm up (thread cache filled, slabs in place), then the measured rounds.
  // Both start at the same place in the tables.
  {
    std::size_t base = 0, order = 0;
    void *live[kBatch];
    for (std::size_t r = 0; r < kTableSize / kBatch * kOrders; ++r)
      one_round<Path>(sizes, table_size, base, order, live);
  }
  measured_rounds<Path>(sizes, table_size, kInsnRounds);
  std::printf("%zu items\n", kInsnRounds * kBatch);
  return 0;
}

int insns_main(const std::string &what) {
  std::size_t slash = what.find('/');
  std::string path = what.substr(0, slash);
  std::string workload = slash == std::string::npos ? "" : what.substr(slash + 1);
  if (path == "new_delete")
    return insns<NewDelete>(workload);
  if (path == "malloc_free")
    return insns<Malloc>(workload);
#if ALLOCSEL_BENCH_ALLOCSEL
  if (path == "je_mallocx")
    return insns<JeMallocx>(workload);
  if (path == "je_malloc")
    return insns<JeMalloc>(workload);
#endif
  if (path == "new_expr" && workload == "fixed/64")
    return insns<NewExpr64>(workload);
  std::fprintf(stderr, "alloc_bench: unknown --insns=%s\n", what.c_str());
  return 2;
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
  if (argc == 2 && std::string(argv[1]).rfind("--insns=", 0) == 0)
    return insns_main(std::string(argv[1]).substr(8));
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
  register_path<JeMallocx>("je_mallocx");
  register_path<JeMalloc>("je_malloc");
#endif
  for (int threads : {1, 2})
    benchmark::RegisterBenchmark("new_expr/fixed", fixed<NewExpr64>)
        ->Arg(64)
        ->Threads(threads)
        ->UseRealTime();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
