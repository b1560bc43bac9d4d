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

#include "llvm/ADT/ArrayRef.h"
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

/// One object, bitcode module, executable or shared library; or a unit's
/// record alone, as the plugin writes it with -fplugin-arg-allocsel-record-to
/// (allocsel-clangd's unsaved buffers).
struct Artifact {
  enum Kind { Object, Bitcode, Executable, SharedLibrary, Record };
  Origin Where;
  Kind K = Object;
  std::vector<facts::UnitRecord> Records;
  /// Functions it defines (read only when Inputs::WantSymbols).
  std::vector<std::string> Defined;
  /// The replaceable operators it defines with a strong (global) binding, by
  /// symbol, in the order of runtime/src/thunks.h; allocsel's own are weak
  /// (but in ASan builds, whose object also has the label
  /// __allocsel_own_new: OwnOperators).
  std::vector<std::string> StrongOperators;
  bool OwnOperators = false;

  // Linked files only: what the dynamic loader sees.
  std::vector<std::string> Needed; // DT_NEEDED, in order
  std::string RPath, RunPath;      // DT_RPATH, DT_RUNPATH
  bool ExportsOperators = false;   // defines operator new(size_t) in .dynsym
  /// Its operators are not allocsel's (.symtab's __allocsel_own_new labels
  /// neither its operator new nor its aligned nothrow operator new[]): a
  /// sanitizer's won the link. Unknown when stripped.
  bool OperatorsYielded = false;
  std::string Sanitizer; // "AddressSanitizer", ... when its runtime is linked in
  /// Read because a linked input needs it (DT_NEEDED, transitively), not
  /// named on the command line; NeededBy is the file that needs it.
  bool Dependency = false;
  std::string NeededBy;

  bool isLinked() const { return K == Executable || K == SharedLibrary; }
};

/// The symbols of the 20 replaceable allocation and deallocation functions,
/// in the order of runtime/src/thunks.h's list ("_Znwm", ...).
llvm::ArrayRef<llvm::StringRef> replaceableOperators();
bool isReplaceableOperator(llvm::StringRef Symbol);

/// A file that could not be read, and why.
struct InputError {
  Origin Where;
  std::string Message;
  bool Incompatible = false; // records of another plugin version
  /// A thin archive's member whose file was not read (not a regular file,
  /// missing, unreadable): bad input, or after a link that succeeded a
  /// warning (CheckOptions::LinkSucceeded).
  bool UnreadMember = false;
};

struct Inputs {
  std::vector<Artifact> Artifacts;
  std::vector<InputError> Errors;
  /// Read the functions each ELF input defines (for check --strict).
  bool WantSymbols = false;
};

/// Reads the shared libraries that the linked inputs need (DT_NEEDED,
/// transitively), found as the dynamic loader finds them: DT_RPATH (when
/// there is no DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, then the system's
/// directories; $ORIGIN is the needing file's directory. They are appended
/// to In.Artifacts with Dependency set, in the loader's breadth-first order.
/// A library that cannot be found is listed in \p Missing as
/// "NAME (needed by FILE)".
void readDependencies(Inputs &In, std::vector<std::string> *Missing = nullptr);

/// Reads \p Path (any supported kind) into \p In. Only a regular file is
/// read, and no more of it than its size when opened (InputFile.h).
void readFile(llvm::StringRef Path, Inputs &In);

/// Reads an in-memory file; \p Where names it in reports. A thin archive's
/// members are files, found relative to the directory of Where.File.
void readBuffer(llvm::MemoryBufferRef Buffer, const Origin &Where, Inputs &In);

} // namespace allocsel::link

#endif
