// Four threads allocate and free through every path a program uses (strings,
// streams, containers, shared_ptr, arrays, over-aligned objects,
// allocsel::Global) and hand blocks to each other; then, with -DPLANT=..., one
// real bug that the tool under test must report. Prints where allocations
// went: the selection's counter (SELECT_USER) or the allocator in effect.
//
//   -DSELECT_USER      [[global_allocator]] Counting<System>
//   -DSELECT_JEMALLOC  [[global_allocator]] allocsel::Jemalloc
//   churn PLANT: after the churn, PLANT is overflow (p[10] on new char[10]),
//   use-after-free, leak, race (a data race) or ub (signed overflow)
#include <allocsel/alloc.h>

#include <atomic>
#include <cstring>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#if defined(SELECT_USER)
[[global_allocator]] constinit allocsel::Counting<allocsel::System> USER{};
#elif defined(SELECT_JEMALLOC)
[[global_allocator]] constinit allocsel::Jemalloc JE{};
#endif

struct alignas(64) Wide { char c[64]; };

std::atomic<std::string *> mailbox{nullptr};

void churn(int id) {
  for (int i = 0; i < 300; ++i) {
    std::ostringstream os;
    os << std::string(100 + i % 50, char('a' + id)) << i;
    std::vector<std::string> v(8, os.str());
    std::map<int, std::string> m{{i, v[3]}};
    auto sp = std::make_shared<std::vector<int>>(64, i);
    Wide *w = new Wide[3];
    w[2].c[63] = 1;
    delete[] w;
    std::string *names = new std::string[3]; // an array cookie
    names[2] = os.str();
    delete[] names;
    int *a = new int[i + 1];
    a[i] = i;
    delete[] a;
    allocsel::Global g;
    auto l = allocsel::Layout::from_size_align(48, 16).value();
    void *p = g.alloc(l);
    static_cast<char *>(p)[47] = 1;
    g.dealloc(p, l);
    // Blocks made on one thread, freed on another.
    if (std::string *s = mailbox.exchange(new std::string(os.str())))
      delete s;
  }
}

int racy;

int main(int argc, char **argv) {
  const char *plant = argc > 1 ? argv[1] : "";
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back(churn, t);
  for (auto &t : ts)
    t.join();
  delete mailbox.exchange(nullptr);
  auto info = allocsel::global_allocator_info();
  std::printf("churn done; allocator: %.*s\n", int(info.type.size()), info.type.data());
#if defined(SELECT_USER)
  std::printf("selection counted new: %s\n", USER.stats().allocs > 4 * 300 * 5 ? "yes" : "no");
#endif
  std::fflush(stdout);
  volatile int ten = 10;
  if (std::strcmp(plant, "overflow") == 0) {
    char *volatile p = new char[10]; // volatile: the pair is not optimised away
    p[ten] = 1;
    delete[] p;
  } else if (std::strcmp(plant, "use-after-free") == 0) {
    int *volatile q = new int(7);
    delete q;
    std::printf("%d\n", *q);
  } else if (std::strcmp(plant, "leak") == 0) {
    static std::string *volatile lost;
    lost = new std::string(300, 'l');
    lost = nullptr;
  } else if (std::strcmp(plant, "race") == 0) {
    std::thread a([] { racy++; }), b([] { racy++; });
    a.join();
    b.join();
  } else if (std::strcmp(plant, "ub") == 0) {
    int big = 0x7ffffff0 + ten;
    std::printf("%d\n", big + 10);
  }
  return 0;
}
