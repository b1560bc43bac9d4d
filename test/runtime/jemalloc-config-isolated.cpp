// allocsel's private jemalloc reads its own configuration, never another
// jemalloc's: MALLOC_CONF=narenas:3 in the environment leaves its
// "opt.narenas" alone, ALLOCSEL_JEMALLOC_CONF=narenas:3 sets it, and a
// program that defines `allocsel_je_malloc_conf` (jemalloc's malloc_conf,
// renamed) configures it too, with the environment variable still taking
// precedence as MALLOC_CONF does over malloc_conf in jemalloc.
// The default number of arenas (4 per CPU) is never 3 or 5.
// RUN: %cxx -O2 %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t
// RUN: env -u MALLOC_CONF -u ALLOCSEL_JEMALLOC_CONF %t | FileCheck %s --check-prefix=DEFAULT
// RUN: env -u ALLOCSEL_JEMALLOC_CONF MALLOC_CONF=narenas:3 %t | FileCheck %s --check-prefix=DEFAULT
// RUN: env -u MALLOC_CONF ALLOCSEL_JEMALLOC_CONF=narenas:3 %t | FileCheck %s --check-prefix=THREE
// RUN: env MALLOC_CONF=narenas:5 ALLOCSEL_JEMALLOC_CONF=narenas:3 %t | FileCheck %s --check-prefix=THREE
// RUN: %cxx -O2 -DCONF_SYMBOL %s $(allocsel-config --ldflags) $(allocsel-config --libs) -o %t.symbol
// RUN: env -u MALLOC_CONF -u ALLOCSEL_JEMALLOC_CONF %t.symbol | FileCheck %s --check-prefix=FIVE
// RUN: env -u ALLOCSEL_JEMALLOC_CONF MALLOC_CONF=narenas:3 %t.symbol | FileCheck %s --check-prefix=FIVE
// RUN: env -u MALLOC_CONF ALLOCSEL_JEMALLOC_CONF=narenas:3 %t.symbol | FileCheck %s --check-prefix=THREE

// DEFAULT: opt.narenas: {{([0-24-9]|[0-9][0-9]+)$}}
// THREE: opt.narenas: 3{{$}}
// FIVE: opt.narenas: 5{{$}}

#include <allocsel/alloc.h>

#include <cstdio>
#include <cstdlib>

#include "Inputs/check.h"

#ifdef CONF_SYMBOL
extern "C" const char *allocsel_je_malloc_conf = "narenas:5";
#endif

static unsigned read_unsigned(const char *name) {
  unsigned v = 0;
  std::size_t len = sizeof v;
  CHECK(allocsel::Jemalloc::mallctl(name, &v, &len, nullptr, 0) == 0);
  CHECK(len == sizeof v);
  return v;
}

int main() {
  // The C++ runtime's first new already initialized the private jemalloc
  // (the executable's default allocator); these read what it configured.
  delete new int(1);
  unsigned opt = read_unsigned("opt.narenas");
  // The configured value is in force, not only recorded: jemalloc creates
  // that many automatic arenas (plus one for huge blocks, with its default
  // oversize_threshold).
  unsigned arenas = read_unsigned("arenas.narenas");
  CHECK(arenas == opt || arenas == opt + 1);
  std::printf("opt.narenas: %u\n", opt);
}
