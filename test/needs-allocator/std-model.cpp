// libstdc++ declares std::string and the streams `extern template`: in C++17
// the non-inline members of std::string have no body in the unit, and the
// streams' constructors reach std::locale, which has none in any mode. The
// plugin still knows they allocate, from its model of the standard library,
// and says so in the last note.
// RUN: not %cxx -std=c++17 -fsyntax-only -DCASE=1 %s 2>&1 | FileCheck %s --check-prefix=STRING17
// RUN: not %cxx -fsyntax-only -DCASE=2 %s 2>&1 | FileCheck %s --check-prefix=STREAM

#include <allocsel/alloc.h>
#include <sstream>
#include <string>

std::string *journal;

struct A {
  void *alloc(allocsel::Layout l) const noexcept {
#if CASE == 1
    journal->reserve(l.size());
#else
    std::ostringstream out;
    out << l.size();
#endif
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] A GLOBAL{};

// STRING17: error: 'A::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches 'std::basic_string<char>::reserve' [allocsel-needs-allocator-cycle]
// STRING17: std-model.cpp:18:14: note: 'A::alloc' calls 'std::basic_string<char>::reserve' here
// STRING17: basic_string.h:{{[0-9]+}}:{{[0-9]+}}: note: 'std::basic_string<char>::reserve' has no body in this unit; allocsel's model of the standard library says it allocates

// STREAM: error: 'A::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches 'std::locale::~locale' [allocsel-needs-allocator-cycle]
// STREAM: std-model.cpp:20:24: note: 'A::alloc' calls 'std::basic_ostringstream<char>::basic_ostringstream' here
// STREAM: note: {{.*}}has no body in this unit; allocsel's model of the standard library says it allocates
