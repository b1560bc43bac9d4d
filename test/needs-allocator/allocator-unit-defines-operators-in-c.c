// An allocator written in C that overrides the C++ operators by their
// symbols (mimalloc's alloc-override.c does): in an allocator unit, one
// allocsel error per operator, as for a C++ definition.
// RUN: not %cc -fsyntax-only %s 2>&1 | FileCheck %s --implicit-check-not=error:
#pragma allocsel allocator
#include <stdlib.h>

void *_Znwm(size_t n) { return malloc(n); }
void _ZdlPv(void *p) { free(p); }
void *fast_malloc(size_t n) { return malloc(n); }

// CHECK: allocator-unit-defines-operators-in-c.c:8:7: error: this allocator unit ('#pragma allocsel allocator') defines '_Znwm', one of the replaceable allocation functions {{.*}} [allocsel-defines-operator]
// CHECK: allocator-unit-defines-operators-in-c.c:9:6: error: this allocator unit {{.*}} defines '_ZdlPv', {{.*}} [allocsel-defines-operator]
