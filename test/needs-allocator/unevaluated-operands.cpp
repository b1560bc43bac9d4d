// What is never evaluated calls nothing: an allocation named only inside an
// unevaluated operand, a static_assert, a discarded `if constexpr` branch or a
// consteval call is not a chain, in default and in strict mode. The same
// allocation evaluated is one (CHECK).
// RUN: %cxx -fsyntax-only -Werror -Wno-unevaluated-expression -Wno-assume %s
// RUN: %cxx -fsyntax-only -Werror -Wno-unevaluated-expression -Wno-assume -fplugin-arg-allocsel-strict %s
// RUN: not %cxx -fsyntax-only -DEVALUATED %s 2>&1 | FileCheck %s

#include <allocsel/alloc.h>
#include <typeinfo>
#include <vector>

struct Plain { int x; };
consteval int folded() { return sizeof(std::vector<int>); }

struct Quiet {
  static constexpr bool kDebug = false;
  void *alloc(allocsel::Layout l) const noexcept {
    static_assert(sizeof(decltype(::operator new(1))) == sizeof(void *));
    static_assert(alignof(decltype(new int)) == alignof(int *));
    static_assert(noexcept(std::vector<int>(3)) == false);
    decltype(new int[2]) unused = nullptr;
    (void)unused;
    (void)typeid(Plain{*new int(1)});
    if (__builtin_constant_p(new int(2)))
      return nullptr;
    __builtin_assume(new int(3) != nullptr);
    if constexpr (kDebug) {
      std::vector<int> v(3);
    } else {
      (void)folded();
    }
    if constexpr (requires { new int; })
      (void)0;
#ifdef EVALUATED
    std::vector<int> v(3);
#endif
    return allocsel::System{}.alloc(l);
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit Quiet GLOBAL{};

// CHECK: error: 'Quiet::alloc', a member of global allocator 'GLOBAL', allocates through the global allocator it provides: it reaches {{.*}} [allocsel-needs-allocator-cycle]
// CHECK: unevaluated-operands.cpp:36:22: note: 'Quiet::alloc' calls 'std::vector<int>::~vector' here
