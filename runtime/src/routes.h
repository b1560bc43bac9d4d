// Defines the routing entry points of <allocsel/alloc.h> for one allocator,
// and the operators' thunks (thunks.h). allocsel's default libraries use
// this; a [[global_allocator]] unit gets the same definitions from the plugin.
#ifndef ALLOCSEL_RUNTIME_ROUTES_H
#define ALLOCSEL_RUNTIME_ROUTES_H

#include <allocsel/alloc.h>

#include "thunks.h"

#define ALLOCSEL_DEFINE_ROUTES(ALLOCATOR, SELECTION)                                \
  asm(ALLOCSEL_THUNKS_ASM);                                                         \
  namespace {                                                                       \
  constexpr ALLOCATOR route_target{};                                              \
  }                                                                                 \
  void *__allocsel_alloc(std::size_t size, std::size_t align) noexcept {           \
    return allocsel::detail::route_alloc(route_target, size, align);               \
  }                                                                                 \
  void __allocsel_dealloc(void *p, std::size_t size, std::size_t align) noexcept { \
    allocsel::detail::route_dealloc(route_target, p, size, align);                 \
  }                                                                                 \
  void *__allocsel_alloc_zeroed(std::size_t size, std::size_t align) noexcept {    \
    return allocsel::detail::route_alloc_zeroed(route_target, size, align);        \
  }                                                                                 \
  void *__allocsel_realloc(void *p, std::size_t size, std::size_t align,           \
                           std::size_t new_size) noexcept {                         \
    return allocsel::detail::route_realloc(route_target, p, size, align, new_size);\
  }                                                                                 \
  void *__allocsel_new(std::size_t size, std::size_t align) noexcept {             \
    return allocsel::detail::route_new(route_target, size, align);                 \
  }                                                                                 \
  void __allocsel_delete(void *p, std::size_t size, std::size_t align) noexcept {  \
    allocsel::detail::route_delete(route_target, p, size, align);                  \
  }                                                                                 \
  const char *__allocsel_selection() noexcept {                                    \
    return allocsel::detail::route_selection(SELECTION);                           \
  }

#endif
