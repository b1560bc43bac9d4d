// The operators' implementations and their thunks (thunks.h) for one
// allocator, as allocsel's default libraries define them; define_routes.inc
// defines the routing entry points. A [[global_allocator]] unit gets the
// same definitions from the plugin.
#ifndef ALLOCSEL_RUNTIME_ROUTES_H
#define ALLOCSEL_RUNTIME_ROUTES_H

#include <allocsel/alloc.h>

#include "thunks.h"

// The operators' implementations over allocsel::detail::op_* (thunks.h):
// internal functions under their symbol names, used (only the thunks' module
// assembly names them).
#define ALLOCSEL_IMPL(M, RET, PARAMS, NOEXCEPT, ...)                                \
  [[gnu::used]] static RET allocsel_impl_##M PARAMS NOEXCEPT __asm__("__allocsel_impl_" #M); \
  static RET allocsel_impl_##M PARAMS NOEXCEPT { __VA_ARGS__; }

#define ALLOCSEL_DEFINE_OPERATORS(A)                                                \
  ALLOCSEL_IMPL(_Znwm, void *, (std::size_t n), ,                                   \
                return allocsel::detail::op_new(A, n))                              \
  ALLOCSEL_IMPL(_Znam, void *, (std::size_t n), ,                                   \
                return allocsel::detail::op_new_array(A, n))                        \
  ALLOCSEL_IMPL(_ZnwmRKSt9nothrow_t, void *, (std::size_t n, const std::nothrow_t &t), \
                noexcept, return allocsel::detail::op_new_nothrow(A, n, t))         \
  ALLOCSEL_IMPL(_ZnamRKSt9nothrow_t, void *, (std::size_t n, const std::nothrow_t &t), \
                noexcept, return allocsel::detail::op_new_array_nothrow(A, n, t))   \
  ALLOCSEL_IMPL(_ZnwmSt11align_val_t, void *, (std::size_t n, std::align_val_t al), , \
                return allocsel::detail::op_new_aligned(A, n, al))                  \
  ALLOCSEL_IMPL(_ZnamSt11align_val_t, void *, (std::size_t n, std::align_val_t al), , \
                return allocsel::detail::op_new_array_aligned(A, n, al))            \
  ALLOCSEL_IMPL(_ZnwmSt11align_val_tRKSt9nothrow_t, void *,                         \
                (std::size_t n, std::align_val_t al, const std::nothrow_t &t), noexcept, \
                return allocsel::detail::op_new_aligned_nothrow(A, n, al, t))       \
  ALLOCSEL_IMPL(_ZnamSt11align_val_tRKSt9nothrow_t, void *,                         \
                (std::size_t n, std::align_val_t al, const std::nothrow_t &t), noexcept, \
                return allocsel::detail::op_new_array_aligned_nothrow(A, n, al, t)) \
  ALLOCSEL_IMPL(_ZdlPv, void, (void *p), noexcept, allocsel::detail::op_delete(A, p)) \
  ALLOCSEL_IMPL(_ZdaPv, void, (void *p), noexcept, allocsel::detail::op_delete(A, p)) \
  ALLOCSEL_IMPL(_ZdlPvRKSt9nothrow_t, void, (void *p, const std::nothrow_t &t), noexcept, \
                allocsel::detail::op_delete_nothrow(A, p, t))                       \
  ALLOCSEL_IMPL(_ZdaPvRKSt9nothrow_t, void, (void *p, const std::nothrow_t &t), noexcept, \
                allocsel::detail::op_delete_nothrow(A, p, t))                       \
  ALLOCSEL_IMPL(_ZdlPvSt11align_val_t, void, (void *p, std::align_val_t al), noexcept, \
                allocsel::detail::op_delete_aligned(A, p, al))                      \
  ALLOCSEL_IMPL(_ZdaPvSt11align_val_t, void, (void *p, std::align_val_t al), noexcept, \
                allocsel::detail::op_delete_aligned(A, p, al))                      \
  ALLOCSEL_IMPL(_ZdlPvSt11align_val_tRKSt9nothrow_t, void,                          \
                (void *p, std::align_val_t al, const std::nothrow_t &t), noexcept,  \
                allocsel::detail::op_delete_aligned_nothrow(A, p, al, t))           \
  ALLOCSEL_IMPL(_ZdaPvSt11align_val_tRKSt9nothrow_t, void,                          \
                (void *p, std::align_val_t al, const std::nothrow_t &t), noexcept,  \
                allocsel::detail::op_delete_aligned_nothrow(A, p, al, t))           \
  ALLOCSEL_IMPL(_ZdlPvm, void, (void *p, std::size_t n), noexcept,                  \
                allocsel::detail::op_delete_sized(A, p, n))                         \
  ALLOCSEL_IMPL(_ZdaPvm, void, (void *p, std::size_t n), noexcept,                  \
                allocsel::detail::op_delete_sized(A, p, n))                         \
  ALLOCSEL_IMPL(_ZdlPvmSt11align_val_t, void, (void *p, std::size_t n, std::align_val_t al), \
                noexcept, allocsel::detail::op_delete_sized_aligned(A, p, n, al))   \
  ALLOCSEL_IMPL(_ZdaPvmSt11align_val_t, void, (void *p, std::size_t n, std::align_val_t al), \
                noexcept, allocsel::detail::op_delete_sized_aligned(A, p, n, al))

#endif
