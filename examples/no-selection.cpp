// No [[global_allocator]]: an executable gets allocsel's private jemalloc,
// while malloc stays the C library's.
#include <allocsel/alloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <string>
#include <vector>

static std::size_t jemalloc_allocated() {
  std::uint64_t epoch = 1;
  std::size_t allocated = 0, size = sizeof allocated;
  allocsel::Jemalloc::mallctl("epoch", nullptr, nullptr, &epoch, sizeof epoch);
  allocsel::Jemalloc::mallctl("stats.allocated", &allocated, &size, nullptr, 0);
  return allocated;
}

int main() {
  auto who = allocsel::global_allocator_info();
  std::printf("global allocator: %.*s (%.*s)\n", int(who.type.size()), who.type.data(),
              int(who.location.size()), who.location.data());

  std::size_t before = jemalloc_allocated();
  std::vector<std::string> words(1000, std::string(200, 'w'));
  std::printf("1000 strings of 200 bytes: jemalloc holds %zu more bytes\n",
              jemalloc_allocated() - before);

  Dl_info info;
  dladdr(reinterpret_cast<void *>(&malloc), &info);
  std::printf("malloc still comes from %s\n", info.dli_fname);
}
