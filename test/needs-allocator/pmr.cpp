// std::pmr: a memory resource is a virtual class, and what allocating from
// it does depends on the resource the code names. The model reads that
// expression: new_delete_resource() and the default resource allocate with
// operator new (the default is new_delete_resource() unless the program
// installs another); so does a resource whose type allocsel cannot see; a
// standard resource (monotonic_buffer_resource, the pools) allocates from
// its upstream; null_memory_resource() never allocates, and a resource of
// the user's runs its own do_allocate, which the analysis reads. Every
// function of an allocator unit is checked, each with its own chain.
// RUN: %cxx -fsyntax-only -Xclang -verify -DALLOCATES %s
// RUN: %cxx -std=c++17 -fsyntax-only -Xclang -verify -DALLOCATES %s
// RUN: %cxx -stdlib=libc++ -fsyntax-only -Xclang -verify -DALLOCATES %s
// What does not allocate through the global allocator is not reported, and
// in strict mode neither (but for the containers and polymorphic_allocator,
// which reach std::__throw_*, and is_equal, a virtual call):
// RUN: %cxx -fsyntax-only -Xclang -verify -DCLEAN %s
// RUN: %cxx -std=c++17 -fsyntax-only -Xclang -verify -DCLEAN %s
// RUN: %cxx -stdlib=libc++ -fsyntax-only -Xclang -verify -DCLEAN %s
// RUN: %cxx -fsyntax-only -fplugin-arg-allocsel-strict -Xclang -verify -DCLEAN -DSTRICT %s
// RUN: %cxx -stdlib=libc++ -fsyntax-only -fplugin-arg-allocsel-strict -Xclang -verify -DCLEAN -DSTRICT %s

#include <cstddef>
#include <cstdlib>
#include <memory_resource>
#include <string>
#include <vector>

#pragma allocsel allocator // #allocator-unit

// A resource of the user's: a bump allocator in static storage.
struct Arena final : std::pmr::memory_resource {
  alignas(16) char buf[1 << 16];
  std::size_t used = 0;
  void *do_allocate(std::size_t n, std::size_t a) override {
    std::size_t at = (used + a - 1) / a * a;
    if (at + n > sizeof buf)
      return nullptr;
    used = at + n;
    return buf + at;
  }
  void do_deallocate(void *, std::size_t, std::size_t) override {}
  bool do_is_equal(const std::pmr::memory_resource &o) const noexcept override { return this == &o; }
};
// One that is not final, over the C library.
struct MallocResource : std::pmr::memory_resource {
  void *do_allocate(std::size_t n, std::size_t) override { return std::malloc(n); }
  void do_deallocate(void *p, std::size_t, std::size_t) override { std::free(p); }
  bool do_is_equal(const std::pmr::memory_resource &o) const noexcept override { return this == &o; }
};

static Arena arena;
static MallocResource mres;

#ifdef ALLOCATES
// expected-note@#allocator-unit 1+ {{'#pragma allocsel allocator' is here}}

void *from_new_delete(std::size_t n) { // expected-error {{'from_new_delete' is part of an allocator (its unit is marked '#pragma allocsel allocator') but allocates through the global allocator: it reaches 'std::pmr::memory_resource::allocate' [allocsel-needs-allocator-cycle]}}
  return std::pmr::new_delete_resource()->allocate(n); // expected-note {{'from_new_delete' calls 'std::pmr::memory_resource::allocate' here}} \
    expected-note {{'std::pmr::memory_resource::allocate' allocates from std::pmr::new_delete_resource(): it allocates with the global operator new}}
}

void *from_default(std::size_t n) { // expected-error-re {{'from_default' is part of an allocator{{.*}} it reaches 'std::pmr::memory_resource::allocate' [allocsel-needs-allocator-cycle]}}
  // (The last note points where the code names the resource.)
  std::pmr::memory_resource *const r = std::pmr::get_default_resource(); // expected-note {{'std::pmr::memory_resource::allocate' allocates from the default memory resource (std::pmr::get_default_resource()): it is std::pmr::new_delete_resource() unless the program installs another, so allocsel counts it as allocating}}
  return r->allocate(n); // expected-note {{'from_default' calls 'std::pmr::memory_resource::allocate' here}}
}

void to_default(void *p, std::size_t n) { // expected-error-re {{'to_default' is part of an allocator{{.*}} it reaches 'std::pmr::memory_resource::deallocate' [allocsel-needs-allocator-cycle]}}
  std::pmr::get_default_resource()->deallocate(p, n); // expected-note {{'to_default' calls 'std::pmr::memory_resource::deallocate' here}} \
    expected-note {{'std::pmr::memory_resource::deallocate' frees to the default memory resource (std::pmr::get_default_resource()): it is std::pmr::new_delete_resource() unless the program installs another, so allocsel counts it as allocating}}
}

void *from_replaced_default(std::size_t n) { // expected-error-re {{'from_replaced_default' is part of an allocator{{.*}} [allocsel-needs-allocator-cycle]}}
  // set_default_resource() returns the default it replaces.
  return std::pmr::set_default_resource(&arena)->allocate(n); // expected-note {{'from_replaced_default' calls 'std::pmr::memory_resource::allocate' here}} \
    expected-note {{allocates from the default memory resource}}
}

void *from_parameter(std::pmr::memory_resource *r, std::size_t n) { // expected-error-re {{'from_parameter' is part of an allocator{{.*}} [allocsel-needs-allocator-cycle]}}
  return r->allocate(n); // expected-note {{'from_parameter' calls 'std::pmr::memory_resource::allocate' here}} \
    expected-note {{'std::pmr::memory_resource::allocate' allocates from a memory resource whose type allocsel cannot see: allocsel counts it as allocating, as the default resource does; a resource of a class whose do_allocate allocsel can see, or std::pmr::null_memory_resource(), is followed instead}}
}

void *from_monotonic_with_default_upstream(std::size_t n) { // expected-error-re {{'from_monotonic_with_default_upstream' is part of an allocator{{.*}} it reaches 'std::pmr::memory_resource::allocate' [allocsel-needs-allocator-cycle]}}
  char buf[256];
  std::pmr::monotonic_buffer_resource mono{buf, sizeof buf}; // expected-note {{'std::pmr::memory_resource::allocate' allocates from and frees to the default memory resource (std::pmr::get_default_resource()) through 'std::pmr::monotonic_buffer_resource', whose upstream it is: it is std::pmr::new_delete_resource() unless the program installs another}}
  return mono.allocate(n); // expected-note {{'from_monotonic_with_default_upstream' calls 'std::pmr::memory_resource::allocate' here}}
}

void *from_monotonic_over_new_delete(std::size_t n) { // expected-error-re {{'from_monotonic_over_new_delete' is part of an allocator{{.*}} [allocsel-needs-allocator-cycle]}}
  static std::pmr::monotonic_buffer_resource mono{std::pmr::new_delete_resource()}; // expected-note {{allocates from and frees to std::pmr::new_delete_resource() through 'std::pmr::monotonic_buffer_resource', whose upstream it is: it allocates with the global operator new}}
  return mono.allocate(n); // expected-note {{'from_monotonic_over_new_delete' calls 'std::pmr::memory_resource::allocate' here}}
}

void *from_pool(std::size_t n) { // expected-error-re {{'from_pool' is part of an allocator{{.*}} it reaches 'std::pmr::unsynchronized_pool_resource::unsynchronized_pool_resource' [allocsel-needs-allocator-cycle]}}
  // A pool's constructor already allocates from its upstream.
  std::pmr::unsynchronized_pool_resource pool; // expected-note {{'from_pool' calls 'std::pmr::unsynchronized_pool_resource::unsynchronized_pool_resource' here}} \
    expected-note {{'std::pmr::unsynchronized_pool_resource::unsynchronized_pool_resource' allocates from and frees to the default memory resource}}
  return pool.allocate(n);
}

void push_to_pmr_vector() { // expected-error-re {{'push_to_pmr_vector' is part of an allocator{{.*}} [allocsel-needs-allocator-cycle]}}
  std::pmr::vector<int> v; // expected-note {{'push_to_pmr_vector' calls}}
  v.push_back(1);
}
// The vector's polymorphic_allocator calls its resource (in the header),
// which its default constructor makes the default resource (there too).
// expected-note-re@*:* {{'std::pmr::polymorphic_allocator<int>::{{allocate|deallocate}}' calls 'std::pmr::memory_resource::{{allocate|deallocate}}' here}}
// expected-note-re@*:* 3 {{'std::pmr::memory_resource::{{allocate|deallocate}}' {{allocates from|frees to}} the default memory resource (std::pmr::get_default_resource()) (what a std::pmr::polymorphic_allocator of this unit is given here)}}

std::size_t pmr_string(const char *s) { // expected-error-re {{'pmr_string' is part of an allocator{{.*}} [allocsel-needs-allocator-cycle]}}
  std::pmr::string str{s}; // expected-note {{'pmr_string' calls}}
  return str.size();
}
// expected-note-re@*:* 2 {{'std::pmr::polymorphic_allocator<char>::{{allocate|deallocate}}' calls 'std::pmr::memory_resource::{{allocate|deallocate}}' here}}

void *polymorphic_default(std::size_t n) { // expected-error-re {{'polymorphic_default' is part of an allocator{{.*}} [allocsel-needs-allocator-cycle]}}
  std::pmr::polymorphic_allocator<char> alloc;
  return alloc.allocate(n); // expected-note {{'polymorphic_default' calls 'std::pmr::polymorphic_allocator<char>::allocate' here}}
}

// A resource of the user's that forwards to an upstream it holds: allocsel
// cannot see which resource that is.
struct Forwarding final : std::pmr::memory_resource {
  std::pmr::memory_resource *upstream;
  explicit Forwarding(std::pmr::memory_resource *up) : upstream(up) {}
  void *do_allocate(std::size_t n, std::size_t a) override { // expected-error-re {{'Forwarding::do_allocate' is part of an allocator{{.*}}}}
    return upstream->allocate(n, a); // expected-note 2 {{'Forwarding::do_allocate' calls 'std::pmr::memory_resource::allocate' here}} \
      expected-note 2 {{allocates from a memory resource whose type allocsel cannot see}}
  }
  void do_deallocate(void *p, std::size_t n, std::size_t a) override { // expected-error-re {{'Forwarding::do_deallocate' is part of an allocator{{.*}}}}
    upstream->deallocate(p, n, a); // expected-note {{'Forwarding::do_deallocate' calls 'std::pmr::memory_resource::deallocate' here}} \
      expected-note {{frees to a memory resource whose type allocsel cannot see}}
  }
  bool do_is_equal(const std::pmr::memory_resource &o) const noexcept override { return this == &o; }
};
static Forwarding forwarding{&arena};
void *through_forwarding(std::size_t n) { // expected-error-re {{'through_forwarding' is part of an allocator{{.*}} [allocsel-needs-allocator-cycle]}}
  return forwarding.allocate(n); // expected-note {{'through_forwarding' calls 'Forwarding::do_allocate' here}}
}
#endif

#ifdef CLEAN
// expected-no-diagnostics
alignas(16) static char scratch[4096];
static std::pmr::monotonic_buffer_resource mono_null{scratch, sizeof scratch,
                                                     std::pmr::null_memory_resource()};
static std::pmr::monotonic_buffer_resource mono_arena{&arena};
static std::pmr::memory_resource *const fixed = &mres;

void *user_resource(std::size_t n) { return arena.allocate(n, 16); }
void user_resource_free(void *p, std::size_t n) { arena.deallocate(p, n, 16); }
void *const_pointer(std::size_t n) { return fixed->allocate(n); }
void *through_reference(std::size_t n) {
  std::pmr::memory_resource &r = mres;
  return r.allocate(n);
}
void *null_resource(std::size_t n) { return std::pmr::null_memory_resource()->allocate(n); }
void *monotonic_over_null(std::size_t n) { return mono_null.allocate(n); }
void monotonic_release() { mono_null.release(); }
void *monotonic_over_arena(std::size_t n) { return mono_arena.allocate(n); }
void *upstream_of_monotonic(std::size_t n) { return mono_null.upstream_resource()->allocate(n); }
#ifndef STRICT
std::size_t local_monotonic(std::size_t n) {
  char buf[512];
  std::pmr::monotonic_buffer_resource mono{buf, sizeof buf, std::pmr::null_memory_resource()};
  std::pmr::string s{"a string longer than the small string buffer", &mono};
  std::pmr::vector<std::size_t> v{&mono};
  v.push_back(n);
  return s.size() + v.size();
}
void *polymorphic_over_arena(std::size_t n) {
  std::pmr::polymorphic_allocator<char> alloc{&arena};
  return alloc.allocate(n);
}
#endif
void *pool_over_null(std::size_t n) {
  std::pmr::unsynchronized_pool_resource pool{std::pmr::null_memory_resource()};
  return pool.allocate(n);
}
void *synchronized_pool_over_malloc(std::size_t n) {
  static std::pmr::synchronized_pool_resource pool{&mres};
  return pool.allocate(n);
}
#ifndef STRICT
// Known by its static type only: its do_allocate and the overrides the
// unit defines (a virtual call, which strict mode counts).
MallocResource &malloc_resource() { return mres; }
void *static_type(std::size_t n) { return malloc_resource().allocate(n); }
bool same_resource() {
  return std::pmr::get_default_resource()->is_equal(*std::pmr::new_delete_resource());
}
#endif
#endif
