//===- CrashGuard.cpp - allocsel's failures never take the compile down ---===//

#include "CrashGuard.h"

#include "llvm/Support/CrashRecoveryContext.h"

#include <cstdlib>
#include <mutex>

namespace allocsel {

namespace {
// Recovery is enabled process-wide. Where units run on several threads at
// once (clangd, hosting the plugin for allocsel-clangd), one thread's guard
// ending must not disable another's: the guards count.
std::mutex EnableLock;
unsigned Enabled = 0;
} // namespace

bool runGuarded(llvm::function_ref<void()> Work) {
  // Inside a recovery context already (the driver's in-process cc1): nest.
  bool Nested = llvm::CrashRecoveryContext::GetCurrent() != nullptr;
  if (!Nested) {
    std::lock_guard<std::mutex> Guard(EnableLock);
    if (Enabled++ == 0)
      llvm::CrashRecoveryContext::Enable();
  }
  bool Ok;
  {
    llvm::CrashRecoveryContext CRC;
    Ok = CRC.RunSafely(Work);
  }
  if (!Nested) {
    std::lock_guard<std::mutex> Guard(EnableLock);
    if (--Enabled == 0)
      llvm::CrashRecoveryContext::Disable();
  }
  return Ok;
}

void crashForTesting() {
  // Read through a pointer the optimiser cannot see is null.
  static int *volatile Null = nullptr;
  *Null = 1;
  std::abort(); // not reached
}

} // namespace allocsel
