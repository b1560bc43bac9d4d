//===- CrashGuard.cpp - allocsel's failures never take the compile down ---===//

#include "CrashGuard.h"

#include "llvm/Support/CrashRecoveryContext.h"

#include <cstdlib>

namespace allocsel {

bool runGuarded(llvm::function_ref<void()> Work) {
  // Inside a recovery context already (the driver's in-process cc1): nest.
  bool Nested = llvm::CrashRecoveryContext::GetCurrent() != nullptr;
  if (!Nested)
    llvm::CrashRecoveryContext::Enable();
  bool Ok;
  {
    llvm::CrashRecoveryContext CRC;
    Ok = CRC.RunSafely(Work);
  }
  if (!Nested)
    llvm::CrashRecoveryContext::Disable();
  return Ok;
}

void crashForTesting() {
  // Read through a pointer the optimiser cannot see is null.
  static int *volatile Null = nullptr;
  *Null = 1;
  std::abort(); // not reached
}

} // namespace allocsel
