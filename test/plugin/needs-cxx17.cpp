// <allocsel/alloc.h> in C++14 (or C): one error saying C++17 is needed,
// instead of a page of errors from inside the header.
// RUN: not %clangxx -std=c++14 -fplugin=%plugin -I%allocsel_include -fsyntax-only %s 2>&1 | FileCheck %s
// RUN: not %clangxx -std=c++11 -I%allocsel_include -fsyntax-only %s 2>&1 | FileCheck %s
// CHECK: alloc.h:{{[0-9]+}}:2: error: "<allocsel/alloc.h> needs C++17 or later: compile with -std=c++17 or -std=c++20"
// CHECK-NOT: error:
// CHECK: 1 error generated.
#include <allocsel/alloc.h>
