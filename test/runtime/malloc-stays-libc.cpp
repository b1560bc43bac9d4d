// allocsel keeps its jemalloc private (docs/guide.md section 3): in a program that
// uses it, by default or as `[[global_allocator]] allocsel::Jemalloc`, the
// process's malloc family is still the C library's. Checked from inside
// (dlsym(RTLD_DEFAULT, ...) and dladdr(&malloc) name libc.so.6) and outside
// (the executable defines no malloc/free/calloc/realloc/... in its dynamic
// symbol table and needs no libjemalloc, while it does export the 20 C++
// operators, so the C++ library's own new/delete calls bind to allocsel's).
// allocsel::Jemalloc::mallctl reaches the private copy: "version" answers,
// and "stats.allocated" grows with Jemalloc allocations (and with new, which
// routes to it) but not with malloc.
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -ldl -o %t.default
// RUN: %t.default | FileCheck %s --check-prefixes=CHECK,DEFAULT
// RUN: nm -D --defined-only %t.default | FileCheck %s --check-prefix=NM
// RUN: nm -D --defined-only %t.default | awk '{print $NF}' | not grep -E '^(malloc|free|calloc|realloc|reallocarray|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|malloc_usable_size|mallocx|rallocx|xallocx|sallocx|dallocx|sdallocx|nallocx|mallctl.*|malloc_conf|malloc_stats_print|je_.*)$'
// RUN: readelf -d %t.default | not grep -i jemalloc
// ALLOCSEL_DEFAULT=system at run time sends the default to System: new is
// then malloc's, and jemalloc sees none of it.
// RUN: env ALLOCSEL_DEFAULT=system %t.default | FileCheck %s --check-prefixes=CHECK,ENVSYSTEM
// RUN: %cxx -O2 -DSELECT_JEMALLOC %s $(allocsel-config --ldflags) $(allocsel-config --libs) -ldl -o %t.selected
// RUN: %t.selected | FileCheck %s --check-prefixes=CHECK,SELECTED
// RUN: nm -D --defined-only %t.selected | FileCheck %s --check-prefix=NM
// RUN: nm -D --defined-only %t.selected | awk '{print $NF}' | not grep -E '^(malloc|free|calloc|realloc|reallocarray|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|malloc_usable_size|mallocx|rallocx|xallocx|sallocx|dallocx|sdallocx|nallocx|mallctl.*|malloc_conf|malloc_stats_print|je_.*)$'
// RUN: readelf -d %t.selected | not grep -i jemalloc

// nm sorts by name: the 20 operators, all defined in the executable (W: weak
// thunks, see runtime/src/thunks.h), then allocsel's exported routes (weak in the default, strong
// from the plugin).
// NM: W _ZdaPv
// NM-NEXT: W _ZdaPvRKSt9nothrow_t
// NM-NEXT: W _ZdaPvSt11align_val_t
// NM-NEXT: W _ZdaPvSt11align_val_tRKSt9nothrow_t
// NM-NEXT: W _ZdaPvm
// NM-NEXT: W _ZdaPvmSt11align_val_t
// NM-NEXT: W _ZdlPv
// NM-NEXT: W _ZdlPvRKSt9nothrow_t
// NM-NEXT: W _ZdlPvSt11align_val_t
// NM-NEXT: W _ZdlPvSt11align_val_tRKSt9nothrow_t
// NM-NEXT: W _ZdlPvm
// NM-NEXT: W _ZdlPvmSt11align_val_t
// NM-NEXT: W _Znam
// NM-NEXT: W _ZnamRKSt9nothrow_t
// NM-NEXT: W _ZnamSt11align_val_t
// NM-NEXT: W _ZnamSt11align_val_tRKSt9nothrow_t
// NM-NEXT: W _Znwm
// NM-NEXT: W _ZnwmRKSt9nothrow_t
// NM-NEXT: W _ZnwmSt11align_val_t
// NM-NEXT: W _ZnwmSt11align_val_tRKSt9nothrow_t
// NM-NEXT: {{[TW]}} __allocsel_alloc
// NM-NEXT: {{[TW]}} __allocsel_alloc_zeroed
// NM-NEXT: {{[TW]}} __allocsel_dealloc
// NM-NEXT: {{[TW]}} __allocsel_delete
// NM-NEXT: {{[TW]}} __allocsel_info
// NM-NEXT: {{[TW]}} __allocsel_new
// NM-NEXT: {{[TW]}} __allocsel_realloc

#include <allocsel/alloc.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

#include "Inputs/check.h"


#ifdef SELECT_JEMALLOC
[[global_allocator]] constinit allocsel::Jemalloc G{};
#endif

// The file name of the object that holds address p.
static const char *object_of(const void *p) {
  Dl_info info;
  CHECK(dladdr(p, &info) != 0);
  CHECK(info.dli_fname != nullptr);
  const char *slash = std::strrchr(info.dli_fname, '/');
  return slash ? slash + 1 : info.dli_fname;
}

// Bytes the private jemalloc has handed out (after refreshing its stats).
static std::size_t je_allocated() {
  std::uint64_t epoch = 1;
  std::size_t len = sizeof epoch;
  CHECK(allocsel::Jemalloc::mallctl("epoch", &epoch, &len, &epoch, sizeof epoch) == 0);
  std::size_t allocated = 0;
  len = sizeof allocated;
  CHECK(allocsel::Jemalloc::mallctl("stats.allocated", &allocated, &len, nullptr, 0) == 0);
  return allocated;
}

int main() {
  auto info = allocsel::global_allocator_info();
  std::printf("allocator: %d %.*s\n", info.selected, int(info.type.size()), info.type.data());
  // DEFAULT: allocator: 0 allocsel::Jemalloc
  // SELECTED: allocator: 1 allocsel::Jemalloc
  // ENVSYSTEM: allocator: 0 allocsel::System

  // The process's malloc family, looked up and by address, is libc's.
  for (const char *name : {"malloc", "free", "calloc", "realloc", "posix_memalign",
                           "aligned_alloc", "malloc_usable_size"}) {
    void *sym = dlsym(RTLD_DEFAULT, name);
    CHECK(sym != nullptr);
    std::printf("dlsym %s: %s\n", name, object_of(sym));
  }
  // CHECK: dlsym malloc: libc.so.6
  // CHECK-NEXT: dlsym free: libc.so.6
  // CHECK-NEXT: dlsym calloc: libc.so.6
  // CHECK-NEXT: dlsym realloc: libc.so.6
  // CHECK-NEXT: dlsym posix_memalign: libc.so.6
  // CHECK-NEXT: dlsym aligned_alloc: libc.so.6
  // CHECK-NEXT: dlsym malloc_usable_size: libc.so.6
  void *(*volatile m)(std::size_t) = &std::malloc;
  void (*volatile f)(void *) = &std::free;
  std::printf("&malloc: %s\n", object_of(reinterpret_cast<void *>(m)));
  std::printf("&free: %s\n", object_of(reinterpret_cast<void *>(f)));
  // CHECK-NEXT: &malloc: libc.so.6
  // CHECK-NEXT: &free: libc.so.6
  // No unprefixed jemalloc API anywhere in the process.
  std::printf("mallocx: %p, mallctl: %p\n", dlsym(RTLD_DEFAULT, "mallocx"),
              dlsym(RTLD_DEFAULT, "mallctl"));
  // CHECK-NEXT: mallocx: (nil), mallctl: (nil)

  // mallctl reaches allocsel's jemalloc.
  const char *version = nullptr;
  std::size_t len = sizeof version;
  CHECK(allocsel::Jemalloc::mallctl("version", &version, &len, nullptr, 0) == 0);
  CHECK(version != nullptr);
  std::printf("jemalloc version: %s\n", version);
  // CHECK-NEXT: jemalloc version: {{[0-9]+\.[0-9]+\.[0-9]+}}

  // Large blocks bypass jemalloc's thread cache: stats.allocated sees them.
  constexpr std::size_t big = std::size_t(4) << 20;
  std::size_t before = je_allocated();
  auto l = *allocsel::Layout::from_size_align(big, 64);
  void *j = allocsel::Jemalloc{}.alloc(l);
  CHECK(j != nullptr);
  escape(j);
  std::size_t with_j = je_allocated();
  CHECK(with_j >= before + big);
  allocsel::Jemalloc{}.dealloc(j, l);
  CHECK(je_allocated() < with_j);
  std::printf("Jemalloc allocation counted\n");
  // CHECK-NEXT: Jemalloc allocation counted

  // new routes to the private jemalloc (the default, or the selection).
  before = je_allocated();
  char *n = new char[big];
  escape(n);
  std::size_t with_n = je_allocated();
  if (info.type == "allocsel::System") {
    CHECK(with_n < before + big);
    delete[] n;
    std::printf("new not counted\n");
  } else {
    CHECK(with_n >= before + big);
    delete[] n;
    CHECK(je_allocated() < with_n);
    std::printf("new counted\n");
  }
  // DEFAULT-NEXT: new counted
  // SELECTED-NEXT: new counted
  // ENVSYSTEM-NEXT: new not counted

  // malloc is not jemalloc's.
  before = je_allocated();
  void *c = std::malloc(big);
  CHECK(c != nullptr);
  escape(c);
  std::memset(c, 1, big);
  std::size_t with_c = je_allocated();
  CHECK(with_c < before + big);
  std::printf("malloc not counted: %d\n", with_c == before);
  // CHECK-NEXT: malloc not counted: 1
  std::free(c);
}
