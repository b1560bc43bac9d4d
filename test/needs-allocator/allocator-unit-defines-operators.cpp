// An allocator unit, or a unit that selects, defining a replaceable
// operator new/delete: one clear allocsel error per operator (it would
// otherwise fail to link with a bare "multiple definition", or take the
// routing over), not a chain from the operator to itself.
// RUN: not %cxx -fsyntax-only -DALLOCATOR_UNIT %s 2>&1 | FileCheck %s --check-prefix=UNIT --implicit-check-not=allocsel-needs-allocator-cycle
// RUN: not %cxx -fsyntax-only -DSELECTING %s 2>&1 | FileCheck %s --check-prefix=SELECTING
// Defined in a header the unit includes, or as an alias (tcmalloc's way):
// the unit defines them all the same.
// RUN: rm -rf %t && mkdir %t && printf 'void *operator new[](std::size_t n) { return std::malloc(n); }\n' > %t/override.h
// RUN: not %cxx -fsyntax-only -DALLOCATOR_UNIT -DHEADER -I%t %s 2>&1 | FileCheck %s --check-prefix=HEADER
// RUN: not %cxx -fsyntax-only -DALLOCATOR_UNIT -DALIAS %s 2>&1 | FileCheck %s --check-prefix=ALIAS
// Elsewhere (a unit that neither selects nor is part of an allocator) the
// plugin says nothing; the link check reports the operators if the program
// uses allocsel's (allocsel-operator-replaced, test/link/operator-replaced.test).
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
#ifdef HEADER
#include "override.h"
#endif
#ifdef ALIAS
extern "C" void *tc_new_nothrow(std::size_t n, const std::nothrow_t &) noexcept { return std::malloc(n); }
void *operator new(std::size_t n, const std::nothrow_t &) noexcept __attribute__((alias("tc_new_nothrow")));
#endif

// UNIT: allocator-unit-defines-operators.cpp:24:7: error: this allocator unit ('#pragma allocsel allocator') defines 'operator new', one of the replaceable allocation functions that allocsel defines for the whole program: route allocations with {{\[\[}}global_allocator{{\]\]}} instead of replacing the operator [allocsel-defines-operator]
// UNIT: allocator-unit-defines-operators.cpp:29:6: error: this allocator unit {{.*}} defines 'operator delete'
// SELECTING: allocator-unit-defines-operators.cpp:24:7: error: this unit, which selects the global allocator, defines 'operator new', {{.*}} [allocsel-defines-operator]
// HEADER: override.h:1:7: error: this allocator unit {{.*}} defines 'operator new[]', {{.*}} [allocsel-defines-operator]
// ALIAS: allocator-unit-defines-operators.cpp:39:7: error: this allocator unit {{.*}} defines 'operator new', {{.*}} [allocsel-defines-operator]
