// Calls through pointers to members, in a unit with no selection: the
// analysis that builds every unit's summary once crashed clang on the first
// one (ASTContext::hasSameFunctionTypeIgnoringExceptionSpec on the bound
// member's placeholder type). Each form the standard library uses, at -O0
// and -O2, compiled to an object; then linked and run.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cxx -O0 -Werror -c %s -o %t/o0.o 2>&1 | count 0
// RUN: %cxx -O2 -Werror -c %s -o %t/o2.o 2>&1 | count 0
// RUN: %cxx -O2 -Werror -fplugin-arg-allocsel-strict -c %s -o %t/strict.o 2>&1 | count 0
// RUN: %cxx -O2 -Werror -DSELECT -c %s -o %t/select.o 2>&1 | count 0
// RUN: %clangxx -O2 %t/select.o $(allocsel-config --ldflags --libs) -o %t/run
// RUN: %t/run | FileCheck %s
// CHECK: calls: 8

#include <functional>
#include <thread>
#include <cstdio>

#ifdef SELECT
#include <allocsel/alloc.h>
[[global_allocator]] constinit allocsel::System GLOBAL{};
#endif

struct S {
  int n = 0;
  void m() { ++n; }
  void c() const {}
  virtual void v() { ++n; }
  virtual ~S() = default;
};
void (S::*pm)() = &S::m;
void (S::*pv)() = &S::v;
void (S::*const pc)() const = &S::c;

void dot_star(S &o) { (o.*pm)(); }
void arrow_star(S *p) { (p->*pm)(); (p->*pv)(); (p->*pc)(); }
void through_function(S &s) { std::function<void(S &)> fn = &S::m; fn(s); }
void through_invoke(S &s) { std::invoke(&S::m, s); }
void through_bind(S &s) { auto b = std::bind(&S::m, &s); b(); }
void through_mem_fn(S &s) { auto f = std::mem_fn(&S::m); f(s); }
void through_thread(S *p) { std::thread t(&S::m, p); t.join(); }

int main() {
  S s;
  dot_star(s);
  arrow_star(&s);
  through_function(s);
  through_invoke(s);
  through_bind(s);
  through_mem_fn(s);
  through_thread(&s);
  std::printf("calls: %d\n", s.n);
}
