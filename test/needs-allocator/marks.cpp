// [[allocsel::needs_allocator]] on a declaration whose body allocsel never
// sees: calling it allocates. The last note points at the mark.
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s

#include <allocsel/alloc.h>

[[allocsel::needs_allocator]] void log_event(const char *what);
void log_twice(const char *what) { log_event(what); log_event(what); }

struct A {
  void *alloc(allocsel::Layout l) const noexcept {
    log_twice("alloc");
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A GLOBAL{};

// CHECK: marks.cpp:11:9: error: 'A::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches 'log_event' [allocsel-needs-allocator-cycle]
// CHECK: marks.cpp:12:5: note: 'A::alloc' calls 'log_twice' here
// CHECK: marks.cpp:8:36: note: 'log_twice' calls 'log_event' here
// CHECK: marks.cpp:7:36: note: 'log_event' is marked {{\[\[}}allocsel::needs_allocator{{\]\]}}
