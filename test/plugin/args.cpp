// The attribute takes no arguments, not even an empty list.
// RUN: %cxx -fsyntax-only -Xclang -verify %s
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s

#include "Inputs/allocators.h"

// CHECK: args.cpp:[[@LINE+1]]:3: error: 'global_allocator' attribute takes no arguments [allocsel-args]
[[global_allocator(1)]] constinit Counting A{};                // expected-error {{[allocsel-args]}}
[[allocsel::global_allocator("System")]] constinit Counting B{}; // expected-error {{[allocsel-args]}}
[[global_allocator()]] constinit Counting C{};                 // expected-error {{[allocsel-args]}}
__attribute__((global_allocator(0))) constinit Counting D{};   // expected-error {{[allocsel-args]}}
__attribute__((global_allocator())) constinit Counting E{};    // expected-error {{[allocsel-args]}}
