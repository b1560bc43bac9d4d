// The 20 replaceable operators as allocsel links them: a weak alias per
// operator of its implementation __allocsel_impl_<mangled name>, placed in the
// object that defines the routes (the [[global_allocator]] unit, where the
// plugin emits this text as module assembly, or allocsel's default routes),
// next to the implementations (internal, in the same object:
// allocsel::detail::op_* compiled where the allocator's members inline).
//
// Why there: only an object with routes defines the operators, so a shared
// library without a selection links no operators and uses its process's
// (docs/guide.md, "One allocator per process"), while one with a selection exports them.
//
// Why weak: a sanitizer runtime's operators (strong in TSan, MSan and LSan,
// weak but earlier on the link line in ASan) win at link time, so its
// allocator serves new/delete and finds heap bugs. A weak definition in an
// executable still interposes on libstdc++.so's at run time: the dynamic
// linker does not look at weakness. One exception: a [[global_allocator]]
// unit compiled with -fsanitize=address gets strong thunks
// (ALLOCSEL_THUNKS_ASM_STRONG), because ASan lets a program replace its
// operators (they are weak for that), and a user's selection keeps routing
// wherever the sanitizer allows it. TSan, MSan and LSan do not allow it.
//
// __allocsel_own_new is a hidden label on this object's
// operator new[](size_t, align_val_t, const nothrow_t &): comparing it with
// the one the process binds tells whether this artifact's operators are the
// process's (operators.cpp; all 20 are bound together, by a sanitizer's
// runtime as by a provider).
//
// Included by the runtime and by the plugin (one text, two users).
#ifndef ALLOCSEL_RUNTIME_THUNKS_H
#define ALLOCSEL_RUNTIME_THUNKS_H

// The 20 operators, one line each: the list every text below, the plugin's
// implementations (RouteEmitter.cpp) and the default's table are made from.
// X(INDEX, MANGLED NAME, TEMPLATE, THUNK KIND, RETURN, (PARAMETERS),
// EXCEPTION SPECIFICATION, ARGUMENTS...): INDEX is the operator's slot in the
// executables' default table; TEMPLATE is the allocsel::detail template that
// implements it (the plugin and routes.h define __allocsel_impl_<name> as
// `return allocsel::detail::<template>(selection, arguments...);`); THUNK
// KIND is `alias`, or `own` for the one operator that carries the label
// __allocsel_own_new (see above). Users take the columns they need and end
// their parameter list with `...`.
#define ALLOCSEL_OPERATORS(X) \
  X(0, _Znwm, op_new, alias, void *, (std::size_t n), , n) \
  X(1, _Znam, op_new_array, alias, void *, (std::size_t n), , n) \
  X(2, _ZnwmRKSt9nothrow_t, op_new_nothrow, alias, void *, (std::size_t n, const std::nothrow_t &t), noexcept, n, t) \
  X(3, _ZnamRKSt9nothrow_t, op_new_array_nothrow, alias, void *, (std::size_t n, const std::nothrow_t &t), noexcept, n, t) \
  X(4, _ZnwmSt11align_val_t, op_new_aligned, alias, void *, (std::size_t n, ::allocsel::detail::align_arg al), , n, al) \
  X(5, _ZnamSt11align_val_t, op_new_array_aligned, alias, void *, (std::size_t n, ::allocsel::detail::align_arg al), , n, al) \
  X(6, _ZnwmSt11align_val_tRKSt9nothrow_t, op_new_aligned_nothrow, alias, void *, (std::size_t n, ::allocsel::detail::align_arg al, const std::nothrow_t &t), noexcept, n, al, t) \
  X(7, _ZnamSt11align_val_tRKSt9nothrow_t, op_new_array_aligned_nothrow, own, void *, (std::size_t n, ::allocsel::detail::align_arg al, const std::nothrow_t &t), noexcept, n, al, t) \
  X(8, _ZdlPv, op_delete, alias, void, (void *p), noexcept, p) \
  X(9, _ZdaPv, op_delete, alias, void, (void *p), noexcept, p) \
  X(10, _ZdlPvRKSt9nothrow_t, op_delete_nothrow, alias, void, (void *p, const std::nothrow_t &t), noexcept, p, t) \
  X(11, _ZdaPvRKSt9nothrow_t, op_delete_nothrow, alias, void, (void *p, const std::nothrow_t &t), noexcept, p, t) \
  X(12, _ZdlPvSt11align_val_t, op_delete_aligned, alias, void, (void *p, ::allocsel::detail::align_arg al), noexcept, p, al) \
  X(13, _ZdaPvSt11align_val_t, op_delete_aligned, alias, void, (void *p, ::allocsel::detail::align_arg al), noexcept, p, al) \
  X(14, _ZdlPvSt11align_val_tRKSt9nothrow_t, op_delete_aligned_nothrow, alias, void, (void *p, ::allocsel::detail::align_arg al, const std::nothrow_t &t), noexcept, p, al, t) \
  X(15, _ZdaPvSt11align_val_tRKSt9nothrow_t, op_delete_aligned_nothrow, alias, void, (void *p, ::allocsel::detail::align_arg al, const std::nothrow_t &t), noexcept, p, al, t) \
  X(16, _ZdlPvm, op_delete_sized, alias, void, (void *p, std::size_t n), noexcept, p, n) \
  X(17, _ZdaPvm, op_delete_sized, alias, void, (void *p, std::size_t n), noexcept, p, n) \
  X(18, _ZdlPvmSt11align_val_t, op_delete_sized_aligned, alias, void, (void *p, std::size_t n, ::allocsel::detail::align_arg al), noexcept, p, n, al) \
  X(19, _ZdaPvmSt11align_val_t, op_delete_sized_aligned, alias, void, (void *p, std::size_t n, ::allocsel::detail::align_arg al), noexcept, p, n, al)

// The list's mangled names as string literals, for users that look the
// operators up by symbol: {ALLOCSEL_OPERATORS(ALLOCSEL_OPERATOR_SYMBOL)}.
#define ALLOCSEL_OPERATOR_SYMBOL(I, M, ...) #M,

// The label on this object's own operator (see above).
#define ALLOCSEL_OWN_NEW_LABEL                                                  \
  ".globl __allocsel_own_new\n.hidden __allocsel_own_new\n"                     \
  "__allocsel_own_new:\n"

// Each operator is an alias of its implementation: the same address, so a
// call costs nothing more than the implementation. `.set` to a function of
// the same object gives the alias that function's section, offset, type and
// size (checked with ThinLTO too). The implementations are internal (local
// symbols: valgrind replaces an operator whose address also carries a global
// function symbol, and leaves a weak one alone) and `used`, so that LTO
// keeps them although only this assembly refers to them.
#define ALLOCSEL_THUNK_alias(BINDING, M)                                        \
  BINDING " " #M "\n.type " #M ",@function\n.set " #M ", __allocsel_impl_" #M "\n"

// One operator stays a five-byte thunk, `jmp` to its implementation, so that
// the label __allocsel_own_new (no type, see above) can mark this object's
// definition of it: the aligned nothrow array new, which almost nothing
// calls.
#define ALLOCSEL_THUNK_own(BINDING, M)                                          \
  ".pushsection .text,\"ax\",@progbits\n"                                     \
  ".p2align 4\n"                                                                \
  ALLOCSEL_OWN_NEW_LABEL                                                        \
  BINDING " " #M "\n.type " #M ",@function\n" #M ":\n"                            \
  "jmp __allocsel_impl_" #M "\n.size " #M ",.-" #M "\n"                            \
  ".popsection\n"

#define ALLOCSEL_WEAK_THUNK(I, M, T, KIND, ...) ALLOCSEL_THUNK_##KIND(".weak", M)
#define ALLOCSEL_STRONG_THUNK(I, M, T, KIND, ...) ALLOCSEL_THUNK_##KIND(".globl", M)
#define ALLOCSEL_THUNKS_ASM ALLOCSEL_OPERATORS(ALLOCSEL_WEAK_THUNK)
#define ALLOCSEL_THUNKS_ASM_STRONG ALLOCSEL_OPERATORS(ALLOCSEL_STRONG_THUNK)

// The executables' default (default_jemalloc.cpp) decides between Jemalloc
// and System once, at the first allocation: its operators jump through a
// table of 20 function pointers (ALLOCSEL_OPERATOR_TABLE, slot INDEX) that
// starts at a deciding stub and is then filled with the chosen allocator's
// operators, so that after the decision an operator costs what an alias
// does plus one indirect jump (what a call through the PLT to
// libjemalloc.so's operator costs), and no test.
#define ALLOCSEL_OPERATOR_TABLE "__allocsel_default_operators"
#define ALLOCSEL_TABLE_THUNK_alias(M, I)                                        \
  ".weak " #M "\n.type " #M ",@function\n" #M ":\n"                              \
  "jmp *" ALLOCSEL_OPERATOR_TABLE "+8*" #I "(%rip)\n.size " #M ",.-" #M "\n"
#define ALLOCSEL_TABLE_THUNK_own(M, I) ALLOCSEL_OWN_NEW_LABEL ALLOCSEL_TABLE_THUNK_alias(M, I)
#define ALLOCSEL_TABLE_THUNK(I, M, T, KIND, ...) ALLOCSEL_TABLE_THUNK_##KIND(M, I)
#define ALLOCSEL_TABLE_THUNKS_ASM                                               \
  ".pushsection .text,\"ax\",@progbits\n"                                     \
  ".p2align 4\n"                                                                \
  ALLOCSEL_OPERATORS(ALLOCSEL_TABLE_THUNK)                                      \
  ".popsection\n"

#endif
