//===- InputFile.h - the one way allocsel-link opens a file -----*- C++ -*-===//
//
// Every file allocsel-link reads (an input, a thin archive's member, a
// shared library a linked input needs, a response file, the link line's
// candidates) is opened here, and only a regular file is read: a FIFO
// would block the check forever, a device such as /dev/zero never ends, a
// directory is no input. What the file is comes from fstat on the open
// descriptor, so the path cannot be swapped between the check and the read,
// and a read never goes past the size fstat gave.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_LINK_INPUTFILE_H
#define ALLOCSEL_LINK_INPUTFILE_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace allocsel::link {

/// A file's bytes, read or mapped: size() bytes, never more, ending against
/// an inaccessible page (LLVM's readers are not instrumented and take their
/// offsets from the file: a read past the end faults instead of reading
/// other memory, which the fuzzer relies on).
class Contents {
public:
  Contents() = default;
  Contents(Contents &&Other);
  Contents &operator=(Contents &&Other);
  Contents(const Contents &) = delete;
  Contents &operator=(const Contents &) = delete;
  ~Contents();

  llvm::StringRef bytes() const { return llvm::StringRef(Begin, Size); }

private:
  friend class InputFile;
  void release();

  char *Region = nullptr; // the whole reservation, guard page included
  std::size_t RegionSize = 0;
  const char *Begin = nullptr;
  std::size_t Size = 0;
};

/// A regular file open for reading. Without a value, the functions that
/// return std::optional put into \p Why the reason, as the text of a
/// LinkDiagnostics.def error ("is a FIFO, not a regular file", ...).
class InputFile {
public:
  /// Enough of a file to tell its kind (llvm::identify_magic).
  static constexpr std::size_t HeadSize = 64;
  /// Files up to this size are read; larger ones are mapped (which commits
  /// no memory: only the pages a reader touches are brought in).
  static constexpr std::uint64_t ReadLimit = 64 * 1024;

  /// Opens \p Path without blocking (O_NONBLOCK: a FIFO without a writer,
  /// a terminal) and keeps it only if it is a regular file.
  static std::optional<InputFile> open(llvm::StringRef Path, std::string &Why);

  InputFile(InputFile &&Other) : FD(Other.FD), Size(Other.Size) { Other.FD = -1; }
  InputFile &operator=(InputFile &&) = delete;
  InputFile(const InputFile &) = delete;
  ~InputFile();

  /// Its size when it was opened: what is read, whatever it grows to.
  std::uint64_t size() const { return Size; }

  /// Its first HeadSize bytes (all of a shorter file).
  std::optional<std::string> head(std::string &Why) const;

  /// All size() bytes: read when small, else mapped. A file that grows is
  /// read to its size at open; one that shrinks while read is bad input.
  std::optional<Contents> contents(std::string &Why) const;

private:
  InputFile(int FD, std::uint64_t Size) : FD(FD), Size(Size) {}

  int FD = -1;
  std::uint64_t Size = 0;
};

} // namespace allocsel::link

#endif
