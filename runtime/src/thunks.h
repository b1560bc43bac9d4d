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

// Each operator is an alias of its implementation: the same address, so a
// call costs nothing more than the implementation. `.set` to a function of
// the same object gives the alias that function's section, offset, type and
// size (checked with ThinLTO too). The implementations are internal (local
// symbols: valgrind replaces an operator whose address also carries a global
// function symbol, and leaves a weak one alone) and `used`, so that LTO
// keeps them although only this assembly refers to them.
#define ALLOCSEL_THUNK(BINDING, M)                                              \
  BINDING " " #M "\n.type " #M ",@function\n.set " #M ", __allocsel_impl_" #M "\n"

// One operator stays a five-byte thunk, `jmp` to its implementation, so that
// the label __allocsel_own_new (no type, see above) can mark this object's
// definition of it: the aligned nothrow array new, which almost nothing
// calls.
#define ALLOCSEL_JUMP_THUNK(BINDING, M)                                         \
  ".pushsection .text,\"ax\",@progbits\n"                                     \
  ".p2align 4\n"                                                                \
  ".globl __allocsel_own_new\n.hidden __allocsel_own_new\n"                     \
  "__allocsel_own_new:\n"                                                       \
  BINDING " " #M "\n.type " #M ",@function\n" #M ":\n"                            \
  "jmp __allocsel_impl_" #M "\n.size " #M ",.-" #M "\n"                            \
  ".popsection\n"

#define ALLOCSEL_THUNKS_ASM ALLOCSEL_THUNKS(".weak")
#define ALLOCSEL_THUNKS_ASM_STRONG ALLOCSEL_THUNKS(".globl")

#define ALLOCSEL_THUNKS(B)                                                      \
  ALLOCSEL_THUNK(B, _Znwm)                                                         \
  ALLOCSEL_THUNK(B, _Znam)                                                         \
  ALLOCSEL_THUNK(B, _ZnwmRKSt9nothrow_t)                                           \
  ALLOCSEL_THUNK(B, _ZnamRKSt9nothrow_t)                                           \
  ALLOCSEL_THUNK(B, _ZnwmSt11align_val_t)                                          \
  ALLOCSEL_THUNK(B, _ZnamSt11align_val_t)                                          \
  ALLOCSEL_THUNK(B, _ZnwmSt11align_val_tRKSt9nothrow_t)                            \
  ALLOCSEL_JUMP_THUNK(B, _ZnamSt11align_val_tRKSt9nothrow_t)                       \
  ALLOCSEL_THUNK(B, _ZdlPv)                                                        \
  ALLOCSEL_THUNK(B, _ZdaPv)                                                        \
  ALLOCSEL_THUNK(B, _ZdlPvRKSt9nothrow_t)                                          \
  ALLOCSEL_THUNK(B, _ZdaPvRKSt9nothrow_t)                                          \
  ALLOCSEL_THUNK(B, _ZdlPvSt11align_val_t)                                         \
  ALLOCSEL_THUNK(B, _ZdaPvSt11align_val_t)                                         \
  ALLOCSEL_THUNK(B, _ZdlPvSt11align_val_tRKSt9nothrow_t)                           \
  ALLOCSEL_THUNK(B, _ZdaPvSt11align_val_tRKSt9nothrow_t)                           \
  ALLOCSEL_THUNK(B, _ZdlPvm)                                                       \
  ALLOCSEL_THUNK(B, _ZdaPvm)                                                       \
  ALLOCSEL_THUNK(B, _ZdlPvmSt11align_val_t)                                        \
  ALLOCSEL_THUNK(B, _ZdaPvmSt11align_val_t)

// The executables' default (default_jemalloc.cpp) decides between Jemalloc
// and System once, at the first allocation: its operators jump through a
// table of 20 function pointers that starts at a deciding stub and is then
// filled with the chosen allocator's operators, so that after the decision
// an operator costs what an alias does plus one indirect jump (what a call
// through the PLT to libjemalloc.so's operator costs), and no test.
#define ALLOCSEL_TABLE_THUNK(M, I, TABLE)                                       \
  ".weak " #M "\n.type " #M ",@function\n" #M ":\n"                              \
  "jmp *" TABLE "+8*" #I "(%rip)\n.size " #M ",.-" #M "\n"
#define ALLOCSEL_TABLE_THUNKS_ASM(TABLE)                                        \
  ".pushsection .text,\"ax\",@progbits\n"                                     \
  ".p2align 4\n"                                                                \
  ALLOCSEL_TABLE_THUNK(_Znwm, 0, TABLE)                                          \
  ALLOCSEL_TABLE_THUNK(_Znam, 1, TABLE)                                          \
  ALLOCSEL_TABLE_THUNK(_ZnwmRKSt9nothrow_t, 2, TABLE)                            \
  ALLOCSEL_TABLE_THUNK(_ZnamRKSt9nothrow_t, 3, TABLE)                            \
  ALLOCSEL_TABLE_THUNK(_ZnwmSt11align_val_t, 4, TABLE)                           \
  ALLOCSEL_TABLE_THUNK(_ZnamSt11align_val_t, 5, TABLE)                           \
  ALLOCSEL_TABLE_THUNK(_ZnwmSt11align_val_tRKSt9nothrow_t, 6, TABLE)             \
  ".globl __allocsel_own_new\n.hidden __allocsel_own_new\n"                     \
  "__allocsel_own_new:\n"                                                       \
  ALLOCSEL_TABLE_THUNK(_ZnamSt11align_val_tRKSt9nothrow_t, 7, TABLE)             \
  ALLOCSEL_TABLE_THUNK(_ZdlPv, 8, TABLE)                                         \
  ALLOCSEL_TABLE_THUNK(_ZdaPv, 9, TABLE)                                         \
  ALLOCSEL_TABLE_THUNK(_ZdlPvRKSt9nothrow_t, 10, TABLE)                          \
  ALLOCSEL_TABLE_THUNK(_ZdaPvRKSt9nothrow_t, 11, TABLE)                          \
  ALLOCSEL_TABLE_THUNK(_ZdlPvSt11align_val_t, 12, TABLE)                         \
  ALLOCSEL_TABLE_THUNK(_ZdaPvSt11align_val_t, 13, TABLE)                         \
  ALLOCSEL_TABLE_THUNK(_ZdlPvSt11align_val_tRKSt9nothrow_t, 14, TABLE)           \
  ALLOCSEL_TABLE_THUNK(_ZdaPvSt11align_val_tRKSt9nothrow_t, 15, TABLE)           \
  ALLOCSEL_TABLE_THUNK(_ZdlPvm, 16, TABLE)                                       \
  ALLOCSEL_TABLE_THUNK(_ZdaPvm, 17, TABLE)                                       \
  ALLOCSEL_TABLE_THUNK(_ZdlPvmSt11align_val_t, 18, TABLE)                        \
  ALLOCSEL_TABLE_THUNK(_ZdaPvmSt11align_val_t, 19, TABLE)                        \
  ".popsection\n"

// Each operator's mangled name and the allocsel::detail template that
// implements it: the plugin and routes.h define __allocsel_impl_<name> as
// `return allocsel::detail::<template>(selection, parameters...);`.
#define ALLOCSEL_OPERATORS(X)                                                   \
  X(_Znwm, op_new)                                                              \
  X(_Znam, op_new_array)                                                        \
  X(_ZnwmRKSt9nothrow_t, op_new_nothrow)                                        \
  X(_ZnamRKSt9nothrow_t, op_new_array_nothrow)                                  \
  X(_ZnwmSt11align_val_t, op_new_aligned)                                       \
  X(_ZnamSt11align_val_t, op_new_array_aligned)                                 \
  X(_ZnwmSt11align_val_tRKSt9nothrow_t, op_new_aligned_nothrow)                 \
  X(_ZnamSt11align_val_tRKSt9nothrow_t, op_new_array_aligned_nothrow)           \
  X(_ZdlPv, op_delete)                                                          \
  X(_ZdaPv, op_delete)                                                          \
  X(_ZdlPvRKSt9nothrow_t, op_delete_nothrow)                                    \
  X(_ZdaPvRKSt9nothrow_t, op_delete_nothrow)                                    \
  X(_ZdlPvSt11align_val_t, op_delete_aligned)                                   \
  X(_ZdaPvSt11align_val_t, op_delete_aligned)                                   \
  X(_ZdlPvSt11align_val_tRKSt9nothrow_t, op_delete_aligned_nothrow)             \
  X(_ZdaPvSt11align_val_tRKSt9nothrow_t, op_delete_aligned_nothrow)             \
  X(_ZdlPvm, op_delete_sized)                                                   \
  X(_ZdaPvm, op_delete_sized)                                                   \
  X(_ZdlPvmSt11align_val_t, op_delete_sized_aligned)                            \
  X(_ZdaPvmSt11align_val_t, op_delete_sized_aligned)

#endif
