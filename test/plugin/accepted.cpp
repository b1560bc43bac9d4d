// Every valid form of selection compiles without a single diagnostic, even
// under -Wall -Wextra -Werror. One selection per unit, chosen with -DCASE.
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=1 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=2 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=3 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=4 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=5 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=6 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=7 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=8 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=9 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=10 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=11 %s
// RUN: %cxx -std=c++17 -fsyntax-only -Wall -Wextra -Werror -DCASE=12 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=13 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -Wno-ignored-qualifiers -DCASE=14 %s
// RUN: %cxx -fsyntax-only -Wall -Wextra -Werror -DCASE=15 %s
// RUN: %cxx -c -Wall -Wextra -Werror -DCASE=15 %s -o %t.o && llvm-nm %t.o | FileCheck %s --check-prefix=ROUTED
// ROUTED: {{[TW]}} __allocsel_new

#include <allocsel/alloc.h>

struct Counting {
  void *alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};

#if CASE == 1 // namespace scope
[[global_allocator]] constinit Counting GLOBAL{};
#elif CASE == 2 // nested namespace, scoped spelling
namespace app::memory {
[[allocsel::global_allocator]] constinit Counting GLOBAL{};
}
#elif CASE == 3 // static data member, attribute on the out-of-class definition
struct Holder { static const Counting GLOBAL; };
[[global_allocator]] constinit const Counting Holder::GLOBAL{};
#elif CASE == 4 // block-scope static, as Rust allows a static in a function body
int main() {
  [[global_allocator]] static constinit Counting GLOBAL{};
}
#elif CASE == 5 // GNU spelling; constexpr is constant initialization too
__attribute__((global_allocator)) constexpr Counting GLOBAL{};
#elif CASE == 6 // no initializer: zero-initialization is static
[[global_allocator]] Counting GLOBAL;
#elif CASE == 7 // static member functions, and members inherited from a base
struct Base {
  static void *alloc(allocsel::Layout l) noexcept { return allocsel::System{}.alloc(l); }
};
struct Derived : Base {
  static void dealloc(void *p, allocsel::Layout l) noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit Derived GLOBAL{};
#elif CASE == 8 // overloads and templates resolve as a call would
struct Flexible {
  template <class L> void *alloc(L l) const noexcept { return allocsel::System{}.alloc(l); }
  void *alloc(allocsel::Layout, int) const noexcept;
  void dealloc(void *p, const allocsel::Layout &l) const noexcept { allocsel::System{}.dealloc(p, l); }
  void dealloc(void *, int) const;
  void *alloc_zeroed(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc_zeroed(l); }
  void *realloc(void *p, allocsel::Layout l, std::size_t n) const noexcept {
    return allocsel::System{}.realloc(p, l, n);
  }
};
[[global_allocator]] constinit Flexible GLOBAL{};
#elif CASE == 9 // the library's own allocators, internal linkage
[[global_allocator]] static constinit allocsel::System GLOBAL{};
#elif CASE == 10 // a constexpr constructor with state
class Arena {
public:
  constexpr explicit Arena(std::size_t limit) : limit_(limit) {}
  void *alloc(allocsel::Layout l) const noexcept {
    return l.size() <= limit_ ? allocsel::System{}.alloc(l) : nullptr;
  }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
private:
  std::size_t limit_;
};
[[global_allocator]] constinit Arena GLOBAL{1 << 20};
#elif CASE == 11 // a static in a lambda in an ordinary function, anonymous namespace
namespace {
void install() {
  auto f = [] { [[global_allocator]] static constinit Counting GLOBAL{}; };
  f();
}
} // namespace
int main() { install(); }
#elif CASE == 12 // C++17: a constant initializer without constinit
[[global_allocator]] Counting GLOBAL{};
#elif CASE == 13 // a redeclaration before the marked definition
extern const Counting GLOBAL;
[[global_allocator]] constinit const Counting GLOBAL{};
#elif CASE == 14 // a const-qualified pointer return: the call is a void *
struct ConstReturn {
  void *const alloc(allocsel::Layout l) const noexcept { return allocsel::System{}.alloc(l); }
  void dealloc(void *p, allocsel::Layout l) const noexcept { allocsel::System{}.dealloc(p, l); }
};
[[global_allocator]] constinit ConstReturn GLOBAL{};
#elif CASE == 15 // the reserved-name spelling, scoped
[[allocsel::__global_allocator__]] constinit Counting GLOBAL{};
#endif
