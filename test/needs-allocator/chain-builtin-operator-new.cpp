// libstdc++'s std::allocator allocates through __builtin_operator_new (in
// C++17 nothing else on the path names ::operator new): an allocator whose
// alloc pushes to a std::vector is a chain in every standard. So are a direct
// __builtin_operator_new, std::__new_allocator (__gnu_cxx::new_allocator),
// and a constructor inherited with `using Base::Base` that allocates.
// RUN: not %clangxx -std=c++17 -fplugin=%plugin -I%allocsel_include -fsyntax-only -DCASE=1 %s 2>&1 | FileCheck %s --check-prefix=VECTOR17
// RUN: not %cxx -fsyntax-only -DCASE=1 %s 2>&1 | FileCheck %s --check-prefix=VECTOR20
// RUN: not %clangxx -std=c++17 -fplugin=%plugin -I%allocsel_include -fsyntax-only -DCASE=2 %s 2>&1 | FileCheck %s --check-prefix=BUILTIN
// RUN: not %clangxx -std=c++17 -fplugin=%plugin -I%allocsel_include -fsyntax-only -DCASE=3 %s 2>&1 | FileCheck %s --check-prefix=NEWALLOC
// RUN: not %cxx -fsyntax-only -DCASE=3 %s 2>&1 | FileCheck %s --check-prefix=NEWALLOC
// RUN: not %clangxx -std=c++17 -fplugin=%plugin -I%allocsel_include -fsyntax-only -DCASE=4 %s 2>&1 | FileCheck %s --check-prefix=INHERITED

#include <allocsel/alloc.h>
#include <ext/new_allocator.h>
#include <vector>

struct Base {
  int *p;
  Base(int n) : p(new int(n)) {}
};
struct Derived : Base {
  using Base::Base;
};

struct A {
  void *alloc(allocsel::Layout l) const noexcept {
#if CASE == 1
    static std::vector<int> sizes;
    sizes.push_back(int(l.size()));
#elif CASE == 2
    void *q = __builtin_operator_new(8);
    (void)q;
#elif CASE == 3
    __gnu_cxx::new_allocator<int> a;
    (void)a.allocate(1);
#elif CASE == 4
    Derived d(3);
    (void)d;
#endif
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] A GLOBAL{};

// VECTOR17: chain-builtin-operator-new.cpp:26:9: error: 'A::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches '__builtin_operator_new' [allocsel-needs-allocator-cycle]
// VECTOR17: chain-builtin-operator-new.cpp:29:11: note: 'A::alloc' calls 'std::vector<int>::push_back' here
// VECTOR17: note: 'std::__new_allocator<int>::allocate' calls '__builtin_operator_new' here (after {{[0-9]+}} more calls inside system headers)
// VECTOR20: chain-builtin-operator-new.cpp:26:9: error: {{.*}} it reaches 'operator new' [allocsel-needs-allocator-cycle]
// BUILTIN: chain-builtin-operator-new.cpp:31:15: note: 'A::alloc' calls '__builtin_operator_new' here
// NEWALLOC: chain-builtin-operator-new.cpp:35:13: note: 'A::alloc' calls 'std::__new_allocator<int>::allocate' here
// NEWALLOC: note: 'std::__new_allocator<int>::allocate' calls '__builtin_operator_new' here
// INHERITED: chain-builtin-operator-new.cpp:37:13: note: 'A::alloc' calls 'Derived::Base' here
// INHERITED: chain-builtin-operator-new.cpp:22:15: note: 'Derived::Base' calls 'Base::Base' here
// INHERITED: chain-builtin-operator-new.cpp:19:19: note: 'Base::Base' calls 'operator new' here
