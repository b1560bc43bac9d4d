//===- Fuzz.cpp - libFuzzer target for allocsel-link's readers ------------===//
//
// Feeds arbitrary bytes to everything allocsel-link does with an input file:
// identify it, read it as an object, archive, executable or bitcode module,
// decode the records, check and explain. Any crash, hang or sanitizer report
// is a bug: bad input must end in an allocsel-bad-input report.
//
// The same bytes also go straight to the record decoder and the module-asm
// parser, so mutations of a facts section reach them without having to keep
// an ELF file valid; whatever they decode must survive a full round trip
// (decode, encode, decode: the same records; encode again: the same bytes).
//
// And the input is laid out as files, read as the command line reads them:
// what files hold and what they are reach the code that opens them (thin
// archives' members, the libraries DT_NEEDED names). The input is split at
// each "\n#file#\n": the first part is the file "in", given to readFile
// and readDependencies; part N after it is the file "fN" (N = 1 to 5), whose
// first byte says what it is (modulo 5): 0 a regular file (the rest of the
// part), 1 a FIFO, 2 a symbolic link to /dev/zero, 3 a directory, 4 nothing
// (a missing file). test/link/Inputs/fuzz-files.py writes such inputs. The
// files live in one private directory per process, emptied after each input
// and removed at exit.
//
//===----------------------------------------------------------------------===//

#include "Check.h"
#include "Facts.h"
#include "Inputs.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace allocsel;

namespace {

/// The input placed so that it ends exactly at a PROT_NONE page: LLVM's
/// readers are not instrumented, so a read past the end of the input must
/// fault by itself to be found.
class Guarded {
public:
  Guarded(const std::uint8_t *Data, std::size_t Size) {
    std::size_t Page = sysconf(_SC_PAGESIZE);
    Pages = (Size + Page - 1) / Page * Page;
    Map = static_cast<char *>(
        mmap(nullptr, Pages + Page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    mprotect(Map + Pages, Page, PROT_NONE);
    Begin = Map + Pages - Size;
    std::memcpy(Begin, Data, Size);
    Len = Size;
    Total = Pages + Page;
  }
  ~Guarded() { munmap(Map, Total); }
  llvm::StringRef bytes() const { return llvm::StringRef(Begin, Len); }

private:
  char *Map, *Begin;
  std::size_t Pages, Total, Len;
};

/// What decodes must encode again and decode to the same records, and the
/// encoding is canonical: encoding those again gives the same bytes.
void roundTrip(llvm::StringRef Bytes) {
  std::vector<facts::UnitRecord> Records;
  if (facts::decode(Bytes, Records))
    return;
  std::string Encoded;
  for (const facts::UnitRecord &Rec : Records)
    Encoded += facts::encode(Rec);
  std::vector<facts::UnitRecord> Again;
  if (facts::decode(Encoded, Again) || Again.size() != Records.size())
    __builtin_trap();
  std::string EncodedAgain;
  for (std::size_t I = 0; I < Records.size(); ++I) {
    // encode() writes this version, whatever minor the input had.
    facts::UnitRecord Expected = Records[I];
    Expected.Format = facts::Version{};
    if (!(Again[I] == Expected))
      __builtin_trap();
    EncodedAgain += facts::encode(Again[I]);
  }
  if (EncodedAgain != Encoded)
    __builtin_trap();
}

/// The private directory an input is laid out in (see the top of the file).
class Scratch {
public:
  static constexpr llvm::StringLiteral Separator = "\n#file#\n";
  static constexpr std::size_t MaxParts = 5; // f1 to f5
  enum Kind { Regular, Fifo, DevZero, Directory, Missing, NumKinds };

  Scratch() {
    const char *Tmp = std::getenv("TMPDIR");
    std::string Template = std::string(Tmp && *Tmp ? Tmp : "/tmp") + "/allocsel-link-fuzz-XXXXXX";
    if (!mkdtemp(Template.data())) {
      std::perror("allocsel-link-fuzz: mkdtemp");
      std::abort();
    }
    Dir = Template;
  }
  ~Scratch() {
    clear();
    rmdir(Dir.c_str());
  }

  std::string path(llvm::StringRef Name) const { return Dir + "/" + Name.str(); }

  /// Lays \p Bytes out as "in", "f1", ...
  void layOut(llvm::StringRef Bytes) {
    llvm::SmallVector<llvm::StringRef, MaxParts + 1> Parts;
    Bytes.split(Parts, Separator, MaxParts, /*KeepEmpty=*/true);
    write("in", Parts[0]);
    for (std::size_t I = 1; I < Parts.size(); ++I) {
      std::string Name = "f" + std::to_string(I);
      llvm::StringRef Part = Parts[I];
      Kind K = Part.empty() ? Regular : static_cast<Kind>(static_cast<unsigned char>(Part[0]) % NumKinds);
      Part = Part.drop_front(Part.empty() ? 0 : 1);
      std::string P = path(Name);
      switch (K) {
      case Regular:
        write(Name, Part);
        break;
      case Fifo:
        if (mkfifo(P.c_str(), 0600) == 0)
          Made.push_back({P, false});
        break;
      case DevZero:
        if (symlink("/dev/zero", P.c_str()) == 0)
          Made.push_back({P, false});
        break;
      case Directory:
        if (mkdir(P.c_str(), 0700) == 0)
          Made.push_back({P, true});
        break;
      case Missing:
      case NumKinds:
        break;
      }
    }
  }

  /// Removes what layOut made.
  void clear() {
    for (const auto &[P, IsDir] : Made)
      IsDir ? rmdir(P.c_str()) : unlink(P.c_str());
    Made.clear();
  }

private:
  void write(const std::string &Name, llvm::StringRef Bytes) {
    std::string P = path(Name);
    int FD = open(P.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (FD < 0)
      return;
    Made.push_back({P, false});
    while (!Bytes.empty()) {
      ssize_t N = ::write(FD, Bytes.data(), Bytes.size());
      if (N <= 0)
        break;
      Bytes = Bytes.drop_front(static_cast<std::size_t>(N));
    }
    close(FD);
  }

  std::string Dir;
  std::vector<std::pair<std::string, bool>> Made; // path, is a directory
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *Data, std::size_t Size) {
  static Scratch Files; // one per process; its destructor runs at exit
  Guarded Input(Data, Size);
  llvm::StringRef Bytes = Input.bytes();
  // Laid out as files when that reaches more than the bytes in memory do:
  // the input has files after the first, is a thin archive (whose members
  // are files), or is a linked file (whose DT_NEEDED are). The others read
  // from a file just as from memory, and the fuzzer runs faster without.
  bool AsFiles = Bytes.contains(Scratch::Separator) || Bytes.starts_with("!<thin>\n");
  if (AsFiles)
    Files.layOut(Bytes);

  // The bytes as one in-memory file (named inside the scratch directory, so
  // that a thin archive's members are looked for there).
  link::Inputs In;
  std::string Name = Files.path("fuzz-input");
  link::readBuffer(llvm::MemoryBufferRef(Bytes, Name), link::Origin{Name, ""}, In);
  link::CheckResult R = link::check(In);
  (void)link::explain(In);
  (void)R.exitCode();

  if (!AsFiles && llvm::any_of(In.Artifacts, [](const link::Artifact &A) { return A.isLinked(); })) {
    AsFiles = true;
    Files.layOut(Bytes);
  }
  if (AsFiles) {
    // As files, read as the command line reads them; the input's size
    // picks --strict, which also reads every ELF input's functions.
    link::Inputs FromFiles;
    FromFiles.WantSymbols = Size % 2;
    link::readFile(Files.path("in"), FromFiles);
    std::vector<std::string> Missing;
    link::readDependencies(FromFiles, &Missing);
    link::CheckOptions Opts;
    Opts.Strict = FromFiles.WantSymbols;
    (void)link::check(FromFiles, Opts);
    (void)link::explain(FromFiles);
    Files.clear();
  }

  roundTrip(Bytes);
  roundTrip(facts::fromAssembly(Bytes));
  return 0;
}
