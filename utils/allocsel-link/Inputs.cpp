//===- Inputs.cpp - reading allocsel facts out of build artifacts ---------===//

#include "Inputs.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

namespace allocsel::link {

std::string Origin::str() const {
  return Member.empty() ? File : File + "(" + Member + ")";
}

namespace {

void fail(Inputs &In, const Origin &Where, std::string Message,
          bool Incompatible = false) {
  In.Errors.push_back({Where, std::move(Message), Incompatible});
}

/// Decodes a facts section into \p A, or reports why it cannot.
bool decodeInto(StringRef Section, Artifact &A, Inputs &In) {
  if (std::optional<facts::DecodeError> E = facts::decode(Section, A.Records)) {
    fail(In, A.Where,
         (E->K == facts::DecodeError::Incompatible ? "" : "corrupt allocsel records: ") +
             E->Message + " (at byte " + std::to_string(E->Offset) + " of " +
             facts::SectionName + ")",
         E->K == facts::DecodeError::Incompatible);
    return false;
  }
  return true;
}

template <class ELFT>
bool hasInterpreter(const object::ELFObjectFile<ELFT> &Obj) {
  auto Headers = Obj.getELFFile().program_headers();
  if (!Headers) {
    consumeError(Headers.takeError());
    return false;
  }
  for (const auto &P : *Headers)
    if (P.p_type == ELF::PT_INTERP)
      return true;
  return false;
}

void readELF(const object::ELFObjectFileBase &Obj, const Origin &Where, Inputs &In) {
  Artifact A;
  A.Where = Where;
  switch (Obj.getEType()) {
  case ELF::ET_REL:
    A.K = Artifact::Object;
    break;
  case ELF::ET_EXEC:
    A.K = Artifact::Executable;
    break;
  case ELF::ET_DYN: {
    // A position-independent executable is ET_DYN too; it has an
    // interpreter, a shared library does not.
    bool Interp = false;
    if (const auto *O = dyn_cast<object::ELF64LEObjectFile>(&Obj))
      Interp = hasInterpreter(*O);
    A.K = Interp ? Artifact::Executable : Artifact::SharedLibrary;
    break;
  }
  default:
    return fail(In, Where, "unsupported ELF file type (not an object, executable or shared library)");
  }
  for (const object::SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> Name = Sec.getName();
    if (!Name)
      return fail(In, Where, "cannot read section names: " + toString(Name.takeError()));
    if (*Name != facts::SectionName)
      continue;
    Expected<StringRef> Contents = Sec.getContents();
    if (!Contents)
      return fail(In, Where, std::string("cannot read section ") + facts::SectionName +
                                 ": " + toString(Contents.takeError()));
    if (!decodeInto(*Contents, A, In))
      return;
  }
  In.Artifacts.push_back(std::move(A));
}

void readBitcode(MemoryBufferRef Buffer, const Origin &Where, Inputs &In) {
  LLVMContext Ctx;
  // Lazy: only the module-level records are read, no function bodies.
  Expected<std::unique_ptr<Module>> M = getLazyBitcodeModule(Buffer, Ctx);
  if (!M)
    return fail(In, Where, "invalid LLVM bitcode: " + toString(M.takeError()));
  Artifact A;
  A.Where = Where;
  A.K = Artifact::Bitcode;
  std::string Section = facts::fromAssembly((*M)->getModuleInlineAsm());
  if (!decodeInto(Section, A, In))
    return;
  In.Artifacts.push_back(std::move(A));
}

void readArchive(const object::Archive &Ar, const Origin &Where, Inputs &In) {
  Error Err = Error::success();
  for (const object::Archive::Child &C : Ar.children(Err)) {
    Origin Member{Where.File, ""};
    Expected<StringRef> Name = C.getName();
    if (!Name)
      return fail(In, Where, "corrupt archive member name: " + toString(Name.takeError()));
    Member.Member = Name->str();
    Expected<MemoryBufferRef> Buf = C.getMemoryBufferRef();
    if (!Buf)
      return fail(In, Member, "cannot read archive member: " + toString(Buf.takeError()));
    // Archives hold objects and the archive's own symbol tables; members
    // that are not objects (a stray text file) carry no allocsel records.
    file_magic Magic = identify_magic(Buf->getBuffer());
    if (Magic == file_magic::elf_relocatable || Magic == file_magic::bitcode ||
        Magic == file_magic::elf_shared_object || Magic == file_magic::elf)
      readBuffer(*Buf, Member, In);
  }
  if (Err)
    fail(In, Where, "corrupt archive: " + toString(std::move(Err)));
}

} // namespace

void readBuffer(MemoryBufferRef Buffer, const Origin &Where, Inputs &In) {
  file_magic Magic = identify_magic(Buffer.getBuffer());
  if (Magic == file_magic::bitcode)
    return readBitcode(Buffer, Where, In);
  if (Magic != file_magic::archive && Magic != file_magic::elf_relocatable &&
      Magic != file_magic::elf_executable && Magic != file_magic::elf_shared_object &&
      Magic != file_magic::elf)
    return fail(In, Where, "not an ELF object, executable, shared library, archive or LLVM bitcode file");

  Expected<std::unique_ptr<object::Binary>> Bin = object::createBinary(Buffer);
  if (!Bin)
    return fail(In, Where, "invalid file: " + toString(Bin.takeError()));
  if (const auto *Ar = dyn_cast<object::Archive>(Bin->get()))
    return readArchive(*Ar, Where, In);
  if (const auto *Obj = dyn_cast<object::ELFObjectFileBase>(Bin->get()))
    return readELF(*Obj, Where, In);
  fail(In, Where, "not an ELF object, executable, shared library, archive or LLVM bitcode file");
}

void readFile(StringRef Path, Inputs &In) {
  Origin Where{Path.str(), ""};
  if (sys::fs::is_directory(Path))
    return fail(In, Where, "is a directory");
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buf =
      MemoryBuffer::getFile(Path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!Buf)
    return fail(In, Where, "cannot read: " + Buf.getError().message());
  readBuffer((*Buf)->getMemBufferRef(), Where, In);
}

} // namespace allocsel::link
