// An allocator whose alloc logs through a static helper that pushes to a
// std::vector: the error is at alloc, and the notes follow the chain call by
// call into the standard library, down to operator new.
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s

#include <allocsel/alloc.h>
#include <vector>

static void log_size(std::size_t n) {
  static std::vector<std::size_t> sizes;
  sizes.push_back(n); // CALL-PUSH
}

struct Logging {
  void *alloc(allocsel::Layout l) const noexcept {
    log_size(l.size());
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};

[[global_allocator]] constinit Logging GLOBAL{};

// CHECK: chain-static-helper-vector.cpp:15:9: error: 'Logging::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches 'operator new' [allocsel-needs-allocator-cycle]
// CHECK-NEXT: {{^}}   15 |
// CHECK: chain-static-helper-vector.cpp:22:40: note: 'GLOBAL' is selected as the global allocator here
// CHECK: chain-static-helper-vector.cpp:16:5: note: 'Logging::alloc' calls 'log_size' here
// CHECK: chain-static-helper-vector.cpp:11:9: note: 'log_size' calls 'std::vector<unsigned long>::push_back' here
// CHECK: allocator.h:{{[0-9]+}}:{{[0-9]+}}: note: 'std::allocator<unsigned long>::allocate' calls 'operator new' here (after {{[0-9]+}} more calls inside system headers)
// CHECK-NOT: error:
