//===- Fuzz.cpp - libFuzzer target for allocsel-link's readers ------------===//
//
// Feeds arbitrary bytes to everything allocsel-link does with an input file:
// identify it, read it as an object, archive, executable or bitcode module,
// decode the records, check and explain. Any crash, hang or sanitizer report
// is a bug: bad input must end in an allocsel-bad-input report.
//
// The same bytes also go straight to the record decoder and the module-asm
// parser, so mutations of a facts section reach them without having to keep
// an ELF file valid.
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *Data, std::size_t Size) {
  Guarded Input(Data, Size);
  llvm::StringRef Bytes = Input.bytes();

  link::Inputs In;
  link::readBuffer(llvm::MemoryBufferRef(Bytes, "fuzz-input"), link::Origin{"fuzz-input", ""}, In);
  link::CheckResult R = link::check(In);
  (void)link::explain(In);
  (void)R.exitCode();

  std::vector<facts::UnitRecord> Records;
  (void)facts::decode(Bytes, Records);
  (void)facts::decode(facts::fromAssembly(Bytes), Records);
  // What decodes must encode again and decode to the same thing.
  for (const facts::UnitRecord &Rec : Records) {
    std::vector<facts::UnitRecord> Again;
    if (facts::decode(facts::encode(Rec), Again) || Again.size() != 1 ||
        Again[0].Unit != Rec.Unit || Again[0].Producer != Rec.Producer ||
        Again[0].Selected.has_value() != Rec.Selected.has_value())
      __builtin_trap();
  }
  return 0;
}
