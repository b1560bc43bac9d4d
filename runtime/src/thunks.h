// The 20 replaceable operators as allocsel links them: a five-byte weak
// thunk per operator, `jmp __allocsel_impl_<mangled name>`, placed in the
// object that defines the routes (the [[global_allocator]] unit, where the
// plugin emits this text as module assembly, or allocsel's default routes).
//
// Why thunks: the implementations (operators.cpp, in liballocsel.a) are named
// __allocsel_impl_*, so an object that merely calls operator new never pulls
// them out of the archive. Only an object with routes does, through its
// thunks. A shared library without a selection therefore links no operators
// and uses its process's (SPEC.md section 3), while one with a selection
// exports them.
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
// __allocsel_own_new is a hidden label on this object's operator new(size_t):
// comparing it with the operator new the process binds tells whether this
// artifact's operators are the process's (operators.cpp).
//
// Included by the runtime and by the plugin (one text, two users).
#ifndef ALLOCSEL_RUNTIME_THUNKS_H
#define ALLOCSEL_RUNTIME_THUNKS_H

#define ALLOCSEL_THUNK(BINDING, M)                                              \
  BINDING " " #M "\n.type " #M ",@function\n" #M ":\n"                             \
  "jmp __allocsel_impl_" #M "\n.size " #M ",.-" #M "\n"

#define ALLOCSEL_THUNKS_ASM ALLOCSEL_THUNKS(".weak")
#define ALLOCSEL_THUNKS_ASM_STRONG ALLOCSEL_THUNKS(".globl")

// _Znwm comes first: __allocsel_own_new labels it.
#define ALLOCSEL_THUNKS(B)                                                      \
  ".pushsection .text,\"ax\",@progbits\n"                                       \
  ".p2align 4\n"                                                                \
  ".globl __allocsel_own_new\n.hidden __allocsel_own_new\n"                     \
  "__allocsel_own_new:\n"                                                       \
  ALLOCSEL_THUNK(B, _Znwm)                                                         \
  ALLOCSEL_THUNK(B, _Znam)                                                         \
  ALLOCSEL_THUNK(B, _ZnwmRKSt9nothrow_t)                                           \
  ALLOCSEL_THUNK(B, _ZnamRKSt9nothrow_t)                                           \
  ALLOCSEL_THUNK(B, _ZnwmSt11align_val_t)                                          \
  ALLOCSEL_THUNK(B, _ZnamSt11align_val_t)                                          \
  ALLOCSEL_THUNK(B, _ZnwmSt11align_val_tRKSt9nothrow_t)                            \
  ALLOCSEL_THUNK(B, _ZnamSt11align_val_tRKSt9nothrow_t)                            \
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
  ALLOCSEL_THUNK(B, _ZdaPvmSt11align_val_t)                                        \
  ".popsection\n"

#endif
