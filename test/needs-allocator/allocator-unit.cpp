// '#pragma allocsel allocator': every function the unit defines is part of
// an allocator and is checked, not only the selected type's members.
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s

#pragma allocsel allocator

#include <cstdlib>
#include <string>

void *arena_grow(std::size_t n) { return std::malloc(n); } // fine: the C library
std::string arena_name() { return "arena"; }              // allocates
static int arena_pages(int n) { return n * 4096; }        // fine

// CHECK: allocator-unit.cpp:11:13: error: 'arena_name' is part of an allocator (its unit is marked '#pragma allocsel allocator') but allocates through the global allocator: it reaches 'operator new' [allocsel-needs-allocator-cycle]
// CHECK-NEXT: {{^}}   11 |
// CHECK: allocator-unit.cpp:5:18: note: '#pragma allocsel allocator' is here
// CHECK-NOT: error:
// CHECK: 1 error generated.
int use() { return arena_pages(1); }
