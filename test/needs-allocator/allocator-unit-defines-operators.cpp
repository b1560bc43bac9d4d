// An allocator unit, or a unit that selects, defining a replaceable
// operator new/delete: one clear allocsel error per operator (it would
// otherwise fail to link with a bare "multiple definition", or take the
// routing over), not a chain from the operator to itself.
// RUN: not %cxx -fsyntax-only -DALLOCATOR_UNIT %s 2>&1 | FileCheck %s --check-prefix=UNIT --implicit-check-not=allocsel-needs-allocator-cycle
// RUN: not %cxx -fsyntax-only -DSELECTING %s 2>&1 | FileCheck %s --check-prefix=SELECTING
// Elsewhere (a unit that neither selects nor is part of an allocator) the
// plugin says nothing: that is between the user and the linker.
// RUN: %cxx -fsyntax-only %s

#ifdef ALLOCATOR_UNIT
#pragma allocsel allocator
#endif
#include <allocsel/alloc.h>
#include <cstdlib>
#include <new>

void *operator new(std::size_t n) {
  if (void *p = std::malloc(n))
    return p;
  throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }

#ifdef SELECTING
[[global_allocator]] constinit allocsel::System GLOBAL{};
#endif

// UNIT: allocator-unit-defines-operators.cpp:18:7: error: this allocator unit ('#pragma allocsel allocator') defines 'operator new', one of the replaceable allocation functions that allocsel defines for the whole program: route allocations with {{\[\[}}global_allocator{{\]\]}} instead of replacing the operator [allocsel-defines-operator]
// UNIT: allocator-unit-defines-operators.cpp:23:6: error: this allocator unit {{.*}} defines 'operator delete'
// SELECTING: allocator-unit-defines-operators.cpp:18:7: error: this unit, which selects the global allocator, defines 'operator new', {{.*}} [allocsel-defines-operator]
