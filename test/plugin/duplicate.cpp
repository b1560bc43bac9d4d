// Two selections in one unit: the second is rejected, with a note at the
// first, whatever the spelling and wherever the second one sits.
// RUN: %cxx -fsyntax-only -Xclang -verify %s
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s

#include "Inputs/allocators.h"

[[global_allocator]] constinit Counting A{}; // expected-note 5 {{previous global allocator selected here}}
// CHECK: duplicate.cpp:[[@LINE+1]]:51: error: cannot define multiple global allocators [allocsel-duplicate]
[[allocsel::global_allocator]] constinit Counting B{}; // expected-error {{cannot define multiple global allocators [allocsel-duplicate]}}
// CHECK: duplicate.cpp:[[@LINE-3]]:41: note: previous global allocator selected here

// One attribute, two declarators: two selections.
[[global_allocator]] constinit Counting C{}, D{}; // expected-error 2 {{[allocsel-duplicate]}}

void f() {
  [[global_allocator]] static constinit Counting Local{}; // expected-error {{[allocsel-duplicate]}}
}

// The same declaration marked twice is one selection, not two.
[[global_allocator, global_allocator]] constinit Counting E{}; // expected-error 1 {{[allocsel-duplicate]}}
