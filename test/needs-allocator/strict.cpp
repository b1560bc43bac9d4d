// -fplugin-arg-allocsel-strict: what allocsel cannot see counts as
// allocating: an indirect call, a virtual call that is not devirtualized, a
// standard library function without a body that the model does not know
// (here the throw helper behind std::array::at). Without the option the
// same code is accepted (no-false-positives.cpp).
// RUN: %cxx -fsyntax-only -DCASE=1 %s
// RUN: not %cxx -fsyntax-only -fplugin-arg-allocsel-strict -DCASE=1 %s 2>&1 | FileCheck %s --check-prefix=INDIRECT
// RUN: not %cxx -fsyntax-only -fplugin-arg-allocsel-strict -DCASE=2 %s 2>&1 | FileCheck %s --check-prefix=VIRTUAL
// RUN: not %cxx -fsyntax-only -fplugin-arg-allocsel-strict -DCASE=3 %s 2>&1 | FileCheck %s --check-prefix=THROW

#include <allocsel/alloc.h>
#include <array>

std::size_t (*transform)(std::size_t);
struct Policy {
  virtual ~Policy() = default;
  virtual std::size_t adjust(std::size_t n) const { return n; }
};
const Policy *policy;
std::array<std::size_t, 4> recent;

struct A {
  void *alloc(allocsel::Layout l) const noexcept {
#if CASE == 1
    (void)transform(l.size());
#elif CASE == 2
    (void)policy->adjust(l.size());
#else
    recent.at(l.size() % 4) = 1;
#endif
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit A GLOBAL{};

// INDIRECT: error: 'A::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches an indirect call [allocsel-needs-allocator-cycle]
// INDIRECT: strict.cpp:25:11: note: 'A::alloc' makes an indirect call here, which strict mode counts as reaching the global allocator
// VIRTUAL: error: {{.*}} it reaches a virtual call [allocsel-needs-allocator-cycle]
// VIRTUAL: strict.cpp:27:19: note: 'A::alloc' makes a virtual call here, which strict mode counts as reaching the global allocator
// THROW: error: {{.*}} it reaches 'std::__throw_out_of_range_fmt' [allocsel-needs-allocator-cycle]
// THROW: note: 'std::__throw_out_of_range_fmt' has no body in this unit and allocsel's model does not know it: strict mode counts it as allocating
