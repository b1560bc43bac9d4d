// allocsel/detail/entry_points.h - the C entry points behind <allocsel/alloc.h>.
//
// Not part of allocsel's interface: include <allocsel/alloc.h>. Everything
// here is an implementation detail that may change in any release.
#ifndef ALLOCSEL_DETAIL_ENTRY_POINTS_H
#define ALLOCSEL_DETAIL_ENTRY_POINTS_H

#include <cstddef>

// The entry points' names are reserved identifiers on purpose (they are the
// implementation's): -Wreserved-identifier (in -Weverything) would report
// each declaration in the user's unit.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wreserved-identifier"
#endif

namespace allocsel {
namespace detail {

// What global_allocator_info() reports, as the routes hand it over:
// variable is "" unless a [[global_allocator]] was selected; location is
// "file.cpp:12:41" for a selection, or why the allocator applies otherwise.
struct RouteInfo {
  const char *variable;
  const char *type;
  const char *location;
};

// What global_allocator_info() says where allocsel's routes do not serve the
// process: no routes at all, or routes whose operators yielded. Hidden: each
// artifact has its own.
[[gnu::visibility("hidden")]] inline constexpr RouteInfo process_not_routed = {
    "", "allocsel::System",
    "the process does not route with allocsel: new/delete are the C++ library's own (or "
    "another replacement's), allocsel::Global uses System"};
[[gnu::visibility("hidden")]] inline constexpr RouteInfo process_yielded = {
    "", "allocsel::System",
    "allocsel's operators yielded: the process binds another operator new (a sanitizer's, "
    "or one bound before this library was loaded); allocsel::Global uses System"};

} // namespace detail
} // namespace allocsel

extern "C" {

// ---------------------------------------------------------------------------
// The routing entry points (routes.def). The unit that holds the
// [[global_allocator]] defines them (the plugin emits them); without a
// selection, allocsel's default library does, in an executable. They are
// the process's, like the operators (docs/guide.md, "One allocator per
// process"): an executable exports them (allocsel-config --ldflags), a
// shared library that selects exports them, and every reference in the
// process binds to the first definition, as for operator new. They are weak: a shared library
// without a selection defines none, and its allocsel::Global finds its
// process's at load time, or none in a process that does not route with
// allocsel (then Global uses System, the heap of the C++ library's own
// operator new).
// ---------------------------------------------------------------------------
#define ALLOCSEL_ROUTE(NAME, RETURN, PARAMETERS, ...)                          \
  __attribute__((weak, visibility("default"))) RETURN __allocsel_##NAME PARAMETERS noexcept;
#include <allocsel/detail/routes.def>

// Defined next to the operators (liballocsel.a), which every object with
// routes links: true when this artifact's operators are not the ones the
// process calls (a sanitizer's won the link, or this shared library was
// loaded after another operator new was bound).
__attribute__((visibility("hidden"))) bool __allocsel_operators_yielded() noexcept;

// The std::new_handler loop after a failed attempt: handler, attempt, until
// a block (returned), no handler (std::bad_alloc) or an exception. In
// liballocsel.a, off the hot path, compiled with exceptions.
__attribute__((visibility("hidden"))) void *
__allocsel_new_handler_loop(void *(*attempt)(const void *, std::size_t, std::size_t),
                            const void *allocator, std::size_t size, std::size_t align);
// The same for the nothrow forms: nullptr instead of std::bad_alloc.
__attribute__((visibility("hidden"))) void *
__allocsel_new_handler_loop_nothrow(void *(*attempt)(const void *, std::size_t, std::size_t),
                                    const void *allocator, std::size_t size,
                                    std::size_t align) noexcept;
[[noreturn]] __attribute__((visibility("hidden"))) void __allocsel_bad_array_new_length();

// allocsel's private jemalloc (liballocsel_jemalloc.a): every other symbol of
// that copy is local, so it never becomes the process's malloc.
void *allocsel_je_malloc(std::size_t size) noexcept;
void *allocsel_je_mallocx(std::size_t size, int flags) noexcept;
void *allocsel_je_rallocx(void *p, std::size_t size, int flags) noexcept;
void allocsel_je_dallocx(void *p, int flags) noexcept;
void allocsel_je_free(void *p) noexcept;
// jemalloc's own C++ operator new(size_t) and the sized free its sized
// delete calls (Jemalloc's operators, operators.h).
void *allocsel_je_cpp__Znwm(std::size_t size);
void allocsel_je_sdallocx_noflags(void *p, std::size_t size) noexcept;
void allocsel_je_sdallocx(void *p, std::size_t size, int flags) noexcept;
int allocsel_je_mallctl(const char *name, void *oldp, std::size_t *oldlenp, void *newp,
                        std::size_t newlen) noexcept;

} // extern "C"

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#endif // ALLOCSEL_DETAIL_ENTRY_POINTS_H
