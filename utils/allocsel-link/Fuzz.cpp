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
//===----------------------------------------------------------------------===//

#include "Check.h"
#include "Facts.h"
#include "Inputs.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *Data, std::size_t Size) {
  Guarded Input(Data, Size);
  llvm::StringRef Bytes = Input.bytes();

  link::Inputs In;
  link::readBuffer(llvm::MemoryBufferRef(Bytes, "fuzz-input"), link::Origin{"fuzz-input", ""}, In);
  link::CheckResult R = link::check(In);
  (void)link::explain(In);
  (void)R.exitCode();

  roundTrip(Bytes);
  roundTrip(facts::fromAssembly(Bytes));
  return 0;
}
