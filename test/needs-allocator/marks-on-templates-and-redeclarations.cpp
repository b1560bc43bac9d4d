// [[allocsel::needs_allocator]] counts wherever it is written: on a function
// template (every instantiation is marked), on an explicit specialization, on
// a member of a class template, and on a redeclaration after an unmarked
// first declaration.
// RUN: not %cxx -fsyntax-only -DCASE=1 %s 2>&1 | FileCheck %s --check-prefix=TEMPLATE
// RUN: not %cxx -fsyntax-only -DCASE=2 %s 2>&1 | FileCheck %s --check-prefix=SPECIALIZATION
// RUN: not %cxx -fsyntax-only -DCASE=3 %s 2>&1 | FileCheck %s --check-prefix=MEMBER
// RUN: not %cxx -fsyntax-only -DCASE=4 %s 2>&1 | FileCheck %s --check-prefix=REDECLARATION
// RUN: not %cxx -fsyntax-only -DCASE=6 %s 2>&1 | FileCheck %s --check-prefix=UNDERSCORES
// An unmarked specialization of another template is not marked.
// RUN: %cxx -fsyntax-only -DCASE=5 %s

#include <allocsel/alloc.h>

template <class T> [[allocsel::needs_allocator]] void tmpl(T);
template <class T> void spec(T);
template <> [[allocsel::needs_allocator]] void spec<int>(int);
template <class T> struct Box {
  [[allocsel::needs_allocator]] void put(T);
};
void later();
[[allocsel::needs_allocator]] void later();
[[allocsel::__needs_allocator__]] void underscores();

struct A {
  void *alloc(allocsel::Layout l) const noexcept {
#if CASE == 1
    tmpl(1);
#elif CASE == 2
    spec(1);
#elif CASE == 3
    Box<int>{}.put(1);
#elif CASE == 4
    later();
#elif CASE == 5
    spec(1.0);
#elif CASE == 6
    underscores();
#endif
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A GLOBAL{};

// TEMPLATE: error: {{.*}} it reaches 'tmpl<int>' [allocsel-needs-allocator-cycle]
// TEMPLATE: note: 'tmpl<int>' is marked {{\[\[}}allocsel::needs_allocator{{\]\]}}
// SPECIALIZATION: error: {{.*}} it reaches 'spec<int>' [allocsel-needs-allocator-cycle]
// MEMBER: error: {{.*}} it reaches 'Box<int>::put' [allocsel-needs-allocator-cycle]
// REDECLARATION: error: {{.*}} it reaches 'later' [allocsel-needs-allocator-cycle]
// UNDERSCORES: error: {{.*}} it reaches 'underscores' [allocsel-needs-allocator-cycle]
