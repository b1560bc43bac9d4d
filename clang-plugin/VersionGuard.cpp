//===- VersionGuard.cpp - allocsel.so refuses a Clang it was not built for ===//
//
// A plugin is compiled against one Clang's C++ API, which has no stable ABI
// across major versions. Loaded by another major version, its first call
// into Clang (registering a diagnostic) crashes the compiler. So the first
// thing allocsel.so does when it is loaded, before any of its registrations
// (a constructor with a priority runs before every ordinary static
// initializer of the library) and before it calls any function of Clang or
// LLVM, is to ask the loading compiler's version through interfaces that are
// the same in every version:
//   - LLVMGetVersion, LLVM's C API (stable, LLVM 16 and later), or else
//   - the name of the libLLVM shared library the process has loaded
//     (Debian: libLLVM-14.so.1, libLLVM.so.19.1).
// Each plugin (allocsel-19.so, allocsel-22.so) is compiled against its
// version's llvm-config.h and accepts exactly that LLVM_VERSION_MAJOR.
// On a mismatch it prints one error naming both versions and what to do, and
// ends the compile with status 1: a clear failure, never a crash and never a
// compile that silently skips allocsel's checks.
//
//===----------------------------------------------------------------------===//

#include "llvm/Config/llvm-config.h"

#include "DiagnosticNames.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

namespace {

/// The loading LLVM's major version, or 0 when it cannot be told.
unsigned loadedLLVMMajor() {
  using GetVersionFn = void (*)(unsigned *, unsigned *, unsigned *);
  if (auto *Get = reinterpret_cast<GetVersionFn>(dlsym(RTLD_DEFAULT, "LLVMGetVersion"))) {
    unsigned Major = 0, Minor = 0, Patch = 0;
    Get(&Major, &Minor, &Patch);
    return Major;
  }
  unsigned Major = 0;
  dl_iterate_phdr(
      [](dl_phdr_info *Info, size_t, void *Out) {
        const char *Name = Info->dlpi_name ? std::strrchr(Info->dlpi_name, '/') : nullptr;
        Name = Name ? Name + 1 : Info->dlpi_name;
        if (!Name)
          return 0;
        unsigned V = 0;
        if (std::sscanf(Name, "libLLVM-%u.so", &V) == 1 ||
            std::sscanf(Name, "libLLVM.so.%u", &V) == 1) {
          *static_cast<unsigned *>(Out) = V;
          return 1;
        }
        return 0;
      },
      &Major);
  return Major;
}

__attribute__((constructor(101))) void refuseOtherClang() {
  unsigned Major = loadedLLVMMajor();
  if (Major == LLVM_VERSION_MAJOR)
    return;
  char Loaded[32] = "an unknown version";
  if (Major)
    std::snprintf(Loaded, sizeof Loaded, "%u", Major);
#define ALLOCSEL_LOAD_ERROR(Id, Name, Text)                                    \
  std::fprintf(stderr, "error: " Text " [%s]\n", LLVM_VERSION_MAJOR,             \
               ALLOCSEL_VERSION, LLVM_VERSION_MAJOR, Loaded, ALLOCSEL_CLANG_MAJORS, \
               allocsel::nameOf(allocsel::DiagName::Name));
#include "Diagnostics.def"
  // Nothing of the compiler has run that needs cleaning up, and the dynamic
  // loader's lock is held: leave at once.
  _exit(1);
}

} // namespace
