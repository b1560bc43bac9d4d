// The operators' implementations and their thunks (thunks.h) for one
// allocator, as allocsel's default libraries define them; define_routes.inc
// defines the routing entry points. A [[global_allocator]] unit gets the
// same definitions from the plugin.
#ifndef ALLOCSEL_RUNTIME_ROUTES_H
#define ALLOCSEL_RUNTIME_ROUTES_H

#include <allocsel/alloc.h>

#include "thunks.h"

// The operators' implementations over allocsel::detail::op_* (thunks.h's
// list) for the allocator route_target, which the includer declares (as for
// define_routes.inc):
// internal functions under their symbol names, used (only the thunks' module
// assembly names them).
#define ALLOCSEL_IMPL(I, M, T, KIND, RET, PARAMS, NOEXCEPT, ...)                      \
  [[gnu::used]] static RET allocsel_impl_##M PARAMS NOEXCEPT __asm__("__allocsel_impl_" #M); \
  static RET allocsel_impl_##M PARAMS NOEXCEPT {                                    \
    return allocsel::detail::T(route_target, __VA_ARGS__);                          \
  }
#define ALLOCSEL_DEFINE_OPERATORS ALLOCSEL_OPERATORS(ALLOCSEL_IMPL)

#endif
