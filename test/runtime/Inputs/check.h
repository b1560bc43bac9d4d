// Shared by the runtime tests: a check that aborts with its location and
// condition, and a way to make a pointer escape so the compiler cannot drop
// the allocation behind it (clang may elide a new/delete pair otherwise).
#pragma once
#include <cstdio>
#include <cstdlib>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                   #cond);                                                     \
      std::abort();                                                            \
    }                                                                          \
  } while (0)

template <class T> void escape(T *p) { asm volatile("" : : "g"(p) : "memory"); }
