//===- Inputs.h - reading allocsel facts out of build artifacts -*- C++ -*-===//
//
// allocsel-link reads the `.allocsel.facts` records of ELF relocatable
// objects, archives (member by member), ELF executables and shared
// libraries, and LLVM bitcode objects (where the records are module asm).
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_LINK_INPUTS_H
#define ALLOCSEL_LINK_INPUTS_H

#include "Facts.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <string>
#include <vector>

namespace allocsel::link {

/// Where something was read: a file, or a member of an archive.
struct Origin {
  std::string File;
  std::string Member; // empty unless inside an archive

  /// "libfoo.a(select.o)" or "main.o".
  std::string str() const;
};

/// One object, bitcode module, executable or shared library.
struct Artifact {
  enum Kind { Object, Bitcode, Executable, SharedLibrary };
  Origin Where;
  Kind K = Object;
  std::vector<facts::UnitRecord> Records;
  /// Functions it defines (read only when Inputs::WantSymbols).
  std::vector<std::string> Defined;

  bool isLinked() const { return K == Executable || K == SharedLibrary; }
};

/// A file that could not be read, and why.
struct InputError {
  Origin Where;
  std::string Message;
  bool Incompatible = false; // records of another plugin version
};

struct Inputs {
  std::vector<Artifact> Artifacts;
  std::vector<InputError> Errors;
  /// Read the functions each ELF input defines (for check --strict).
  bool WantSymbols = false;
};

/// Reads \p Path (any supported kind) into \p In.
void readFile(llvm::StringRef Path, Inputs &In);

/// Reads an in-memory file; \p Where names it in reports.
void readBuffer(llvm::MemoryBufferRef Buffer, const Origin &Where, Inputs &In);

} // namespace allocsel::link

#endif
