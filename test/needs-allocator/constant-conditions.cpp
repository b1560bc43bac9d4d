// Code that never runs calls nothing: the branch of a plain `if` whose
// condition is a constant without side effects (a `static const bool`
// configuration flag, jemalloc's `config_debug`), and what follows a
// statement that always returns, unless a label or a `case` after it can be
// jumped to.
// RUN: %cxx -fsyntax-only -fplugin-arg-allocsel-strict %s
// RUN: not %cxx -fsyntax-only -DTRACE_ON %s 2>&1 | FileCheck %s --check-prefix=ON
// RUN: not %cxx -fsyntax-only -DJUMPS %s 2>&1 | FileCheck %s --check-prefix=JUMPS
// RUN: not %cxx -fsyntax-only -DRUNTIME_FLAG %s 2>&1 | FileCheck %s --check-prefix=RUNTIME
#pragma allocsel allocator
#include <cstdlib>
#include <string>
#include <vector>

#ifdef TRACE_ON
static const bool config_trace = true;
#else
static const bool config_trace = false;
#endif
#ifdef RUNTIME_FLAG
bool trace_enabled = false;
#define TRACING trace_enabled
#else
#define TRACING config_trace
#endif

extern void (*trace_hook)(const char *);
static std::string *last_trace;

static void trace(const char *what) {
  if (!TRACING)
    return;
  last_trace = new std::string(what);
  trace_hook(what);
}

void *slab_alloc(std::size_t n) noexcept {
  trace("alloc");
  if (TRACING) {
    std::vector<std::size_t> sizes;
    sizes.push_back(n);
  }
  return std::malloc(n);
}

#ifdef JUMPS
void *slab_retry(std::size_t n, int tries) noexcept {
  if (tries > 0)
    goto again;
  return nullptr;
again:
  return new (std::nothrow) char[n];
}
void *slab_pick(std::size_t n, int kind) noexcept {
  switch (kind) {
    return nullptr;
  case 1:
    return new (std::nothrow) char[n];
  }
  return nullptr;
}
#endif

// ON: constant-conditions.cpp:30:13: error: 'trace' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
// JUMPS: constant-conditions.cpp:47:7: error: 'slab_retry' is part of an allocator {{.*}} it reaches 'operator new[]' [allocsel-needs-allocator-cycle]
// JUMPS: constant-conditions.cpp:54:7: error: 'slab_pick' is part of an allocator {{.*}} it reaches 'operator new[]' [allocsel-needs-allocator-cycle]
// RUNTIME: error: 'trace' is part of an allocator {{.*}} [allocsel-needs-allocator-cycle]
