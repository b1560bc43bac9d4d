//===- InputFile.cpp - the one way allocsel-link opens a file -------------===//

#include "InputFile.h"
#include "LinkDiagnostics.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace allocsel::link {
namespace {

std::string systemReason(int Errno) {
  return std::error_code(Errno, std::generic_category()).message();
}

/// "is a FIFO, not a regular file", ...
std::string notRegular(mode_t Mode) {
  Msg Kind = S_ISDIR(Mode)    ? Msg::KindDirectory
             : S_ISFIFO(Mode) ? Msg::KindFifo
             : S_ISCHR(Mode)  ? Msg::KindCharDevice
             : S_ISBLK(Mode)  ? Msg::KindBlockDevice
             : S_ISSOCK(Mode) ? Msg::KindSocket
                              : Msg::KindUnknown;
  return message(Msg::NotRegularFile, info(Kind).Text);
}

/// Reads up to \p N bytes at \p Offset: fewer only at the end of the file.
/// The number read, or -1 with errno set.
ssize_t readAt(int FD, char *Buf, std::size_t N, std::uint64_t Offset) {
  std::size_t Got = 0;
  while (Got < N) {
    ssize_t R = ::pread(FD, Buf + Got, N - Got, static_cast<off_t>(Offset + Got));
    if (R < 0 && errno == EINTR)
      continue;
    if (R < 0)
      return -1;
    if (R == 0)
      break;
    Got += static_cast<std::size_t>(R);
  }
  return static_cast<ssize_t>(Got);
}

} // namespace

Contents::Contents(Contents &&Other)
    : Region(Other.Region), RegionSize(Other.RegionSize), Begin(Other.Begin), Size(Other.Size) {
  Other.Region = nullptr;
  Other.RegionSize = Other.Size = 0;
  Other.Begin = nullptr;
}

Contents &Contents::operator=(Contents &&Other) {
  if (this != &Other) {
    release();
    Region = Other.Region;
    RegionSize = Other.RegionSize;
    Begin = Other.Begin;
    Size = Other.Size;
    Other.Region = nullptr;
    Other.RegionSize = Other.Size = 0;
    Other.Begin = nullptr;
  }
  return *this;
}

Contents::~Contents() { release(); }

void Contents::release() {
  if (Region)
    ::munmap(Region, RegionSize);
  Region = nullptr;
}

std::optional<InputFile> InputFile::open(llvm::StringRef Path, std::string &Why) {
  std::string P = Path.str();
  // Looked at first, so that a device is not even opened when the path
  // names one (opening some has effects: a tape rewinds, a serial line
  // waits for a carrier). It decides nothing: fstat below does.
  struct stat St;
  if (::stat(P.c_str(), &St) == 0 && !S_ISREG(St.st_mode)) {
    Why = notRegular(St.st_mode);
    return std::nullopt;
  }
  // O_NONBLOCK: opening a FIFO without a writer, or a device, returns at
  // once. (It does not change reading a regular file.)
  int FD;
  do
    FD = ::open(P.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  while (FD < 0 && errno == EINTR);
  if (FD < 0) {
    Why = message(Msg::CannotRead, systemReason(errno));
    return std::nullopt;
  }
  // What is open, not what the path named a moment ago.
  if (::fstat(FD, &St) != 0) {
    Why = message(Msg::CannotRead, systemReason(errno));
    ::close(FD);
    return std::nullopt;
  }
  if (!S_ISREG(St.st_mode)) {
    Why = notRegular(St.st_mode);
    ::close(FD);
    return std::nullopt;
  }
  return InputFile(FD, static_cast<std::uint64_t>(St.st_size));
}

InputFile::~InputFile() {
  if (FD >= 0)
    ::close(FD);
}

std::optional<std::string> InputFile::head(std::string &Why) const {
  std::string Bytes(static_cast<std::size_t>(std::min<std::uint64_t>(Size, HeadSize)), '\0');
  ssize_t Got = readAt(FD, Bytes.data(), Bytes.size(), 0);
  if (Got < 0) {
    Why = message(Msg::CannotRead, systemReason(errno));
    return std::nullopt;
  }
  Bytes.resize(static_cast<std::size_t>(Got));
  return Bytes;
}

std::optional<Contents> InputFile::contents(std::string &Why) const {
  Contents C;
  if (Size == 0)
    return C;
  const std::size_t Page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  if (Size > SIZE_MAX - 2 * Page) {
    Why = message(Msg::CannotMap, Size, systemReason(ENOMEM));
    return std::nullopt;
  }
  const std::size_t Bytes = static_cast<std::size_t>(Size);
  const std::size_t Pages = (Bytes + Page - 1) / Page * Page;
  if (Size > ReadLimit) {
    // Mapped: one reservation a page longer than the file, inaccessible
    // (reserving commits no memory: MAP_NORESERVE), then exactly Size bytes
    // of the file over its start, read-only (the rest of the last page
    // reads as zeros; the page after it stays inaccessible).
    void *Region = ::mmap(nullptr, Pages + Page, PROT_NONE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (Region == MAP_FAILED) {
      Why = message(Msg::CannotMap, Size, systemReason(errno));
      return std::nullopt;
    }
    C.Region = static_cast<char *>(Region);
    C.RegionSize = Pages + Page;
    C.Size = Bytes;
    if (::mmap(C.Region, Bytes, PROT_READ, MAP_PRIVATE | MAP_FIXED, FD, 0) == MAP_FAILED) {
      Why = message(Msg::CannotMap, Size, systemReason(errno));
      return std::nullopt;
    }
    C.Begin = C.Region;
    return C;
  }
  // Read: into pages of their own, the bytes against a last page left
  // inaccessible. (Two system calls fewer than mapping: the fuzzer reads
  // thousands of small files a second.)
  void *Region = ::mmap(nullptr, Pages + Page, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (Region == MAP_FAILED) {
    Why = message(Msg::CannotMap, Size, systemReason(errno));
    return std::nullopt;
  }
  C.Region = static_cast<char *>(Region);
  C.RegionSize = Pages + Page;
  C.Size = Bytes;
  if (::mprotect(C.Region + Pages, Page, PROT_NONE) != 0) {
    Why = message(Msg::CannotMap, Size, systemReason(errno));
    return std::nullopt;
  }
  char *At = C.Region + Pages - Bytes;
  ssize_t Got = readAt(FD, At, Bytes, 0);
  if (Got < 0) {
    Why = message(Msg::CannotRead, systemReason(errno));
    return std::nullopt;
  }
  if (static_cast<std::size_t>(Got) != Bytes) {
    Why = message(Msg::Shrank, Size, Got);
    return std::nullopt;
  }
  C.Begin = At;
  return C;
}

} // namespace allocsel::link
