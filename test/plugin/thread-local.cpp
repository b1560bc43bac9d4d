// One allocator serves every thread: thread_local selections are rejected.
// RUN: %cxx -fsyntax-only -Xclang -verify %s
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s

#include "Inputs/allocators.h"

// CHECK: thread-local.cpp:[[@LINE+1]]:3: error: a global allocator cannot be 'thread_local': one allocator serves every thread [allocsel-thread-local]
[[global_allocator]] thread_local constinit Counting TL{}; // expected-error {{[allocsel-thread-local]}}
[[global_allocator]] static thread_local Counting STL{};  // expected-error {{[allocsel-thread-local]}}
__thread Counting GnuTLS [[global_allocator]];            // expected-error {{[allocsel-thread-local]}}

void f() {
  [[global_allocator]] static thread_local Counting Local{}; // expected-error {{[allocsel-thread-local]}}
}
