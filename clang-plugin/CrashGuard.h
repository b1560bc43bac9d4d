//===- CrashGuard.h - allocsel's failures never take the compile down -*- C++ -*-===//
//
// The plugin runs inside the user's compiler: a crash in it is a crash of
// every compile of the user's project. Work that only reads the AST (the
// needs_allocator analysis) runs under a guard: a signal (SIGSEGV, SIGBUS,
// SIGILL, SIGFPE), an abort (a failed assertion) or an LLVM fatal error
// inside it unwinds back to the guard, which returns false, and the caller
// reports one allocsel-internal error instead of a compiler crash.
//
// It is llvm::CrashRecoveryContext, the mechanism libclang and clang's own
// driver use. Under the driver's in-process cc1 (the default), crash recovery
// is already enabled and the guard nests inside the driver's context; under a
// bare `clang -cc1` it enables recovery for the guarded call only, so that
// the rest of the compile keeps clang's own crash handling.
//
// Recovery is sound for read-only work: nothing of clang's state is left
// half-updated, only the guarded work's own memory is leaked.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_CRASHGUARD_H
#define ALLOCSEL_PLUGIN_CRASHGUARD_H

#include "llvm/ADT/STLFunctionalExtras.h"

namespace allocsel {

/// Runs \p Work; returns false if it crashed (and was abandoned).
bool runGuarded(llvm::function_ref<void()> Work);

/// The test-only failure behind -fplugin-arg-allocsel-test-crash-in=NAME: a
/// real invalid memory access, as a bug in the plugin would make.
[[noreturn]] void crashForTesting();

} // namespace allocsel

#endif
