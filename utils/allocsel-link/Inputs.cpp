//===- Inputs.cpp - reading allocsel facts out of build artifacts ---------===//

#include "Inputs.h"
#include "InputFile.h"
#include "LinkDiagnostics.h"
#include "thunks.h"

#include "llvm/BinaryFormat/ELF.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/LLVMBitCodes.h"
#include "llvm/Bitstream/BitstreamReader.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstdlib>
#include <cstring>

using namespace llvm;

namespace allocsel::link {

ArrayRef<StringRef> replaceableOperators() {
  static constexpr StringRef Symbols[] = {ALLOCSEL_OPERATORS(ALLOCSEL_OPERATOR_SYMBOL)};
  return Symbols;
}

bool isReplaceableOperator(StringRef Symbol) {
  return llvm::is_contained(replaceableOperators(), Symbol);
}

std::string Origin::str() const {
  return Member.empty() ? File : File + "(" + Member + ")";
}

namespace {

/// \p Where cannot be read: error \p M (LinkDiagnostics.def) with \p Args.
template <typename... Ts> void fail(Inputs &In, const Origin &Where, Msg M, Ts &&...Args) {
  In.Errors.push_back({Where, message(M, std::forward<Ts>(Args)...),
                       M == Msg::IncompatibleRecords});
}

/// The same with a message already made (InputFile's reasons).
void fail(Inputs &In, const Origin &Where, std::string Message) {
  In.Errors.push_back({Where, std::move(Message), false});
}

/// A thin archive's member whose file is not read: InputFile's reason.
void unreadMember(Inputs &In, const Origin &Where, std::string Message) {
  In.Errors.push_back({Where, std::move(Message), false, /*UnreadMember=*/true});
}

/// What an archive member can hold that has records: an object, a linked
/// ELF file, bitcode. (Anything else in an archive, a stray text file or an
/// archive, carries none and is passed over.)
bool isMemberKind(file_magic Magic) {
  return Magic == file_magic::elf_relocatable || Magic == file_magic::bitcode ||
         Magic == file_magic::elf_shared_object || Magic == file_magic::elf;
}

/// What readBuffer reads.
bool isInputKind(file_magic Magic) {
  return Magic == file_magic::archive || Magic == file_magic::elf_executable ||
         Magic == file_magic::bitcode || Magic == file_magic::elf_relocatable ||
         Magic == file_magic::elf_shared_object || Magic == file_magic::elf;
}

/// Decodes a facts section into \p A, or reports why it cannot.
bool decodeInto(StringRef Section, Artifact &A, Inputs &In) {
  if (std::optional<facts::DecodeError> E = facts::decode(Section, A.Records)) {
    fail(In, A.Where,
         E->K == facts::DecodeError::Incompatible ? Msg::IncompatibleRecords
                                                  : Msg::CorruptRecords,
         E->Message, E->Offset, facts::SectionName);
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

/// DT_NEEDED, DT_RPATH and DT_RUNPATH of a linked file, and from the
/// symbol tables: whose operator new it binds, the replaceable operators it
/// defines strongly, and (\p WantSymbols) the functions it defines.
template <class ELFT>
void readTables(const object::ELFObjectFile<ELFT> &Obj, Artifact &A, bool WantSymbols) {
  // Read by hand, every offset checked against the file: LLVM's helpers
  // describe a bad section in their errors by reading its name, which a
  // malformed file makes them read out of bounds (found by the fuzzer).
  const auto &File = Obj.getELFFile();
  StringRef Bytes(reinterpret_cast<const char *>(File.base()), File.getBufSize());
  auto Sections = File.sections();
  if (!Sections) {
    consumeError(Sections.takeError());
    return;
  }
  auto InFile = [&](uint64_t Off, uint64_t Size) {
    return Off <= Bytes.size() && Size <= Bytes.size() - Off;
  };
  for (const auto &Sec : *Sections) {
    if (Sec.sh_type != ELF::SHT_DYNAMIC || !InFile(Sec.sh_offset, Sec.sh_size) ||
        Sec.sh_link >= Sections->size())
      continue;
    const auto &StrSec = (*Sections)[Sec.sh_link];
    if (StrSec.sh_type != ELF::SHT_STRTAB || !InFile(StrSec.sh_offset, StrSec.sh_size))
      continue;
    StringRef Strings = Bytes.substr(StrSec.sh_offset, StrSec.sh_size);
    StringRef Dyn = Bytes.substr(Sec.sh_offset, Sec.sh_size);
    for (std::size_t At = 0; At + 16 <= Dyn.size(); At += 16) {
      uint64_t Tag, Val; // Elf64_Dyn, little-endian (ELF64LE only)
      std::memcpy(&Tag, Dyn.data() + At, 8);
      std::memcpy(&Val, Dyn.data() + At + 8, 8);
      if (Tag == ELF::DT_NULL)
        break;
      if (Tag != ELF::DT_NEEDED && Tag != ELF::DT_RPATH && Tag != ELF::DT_RUNPATH)
        continue;
      if (Val >= Strings.size())
        continue;
      StringRef Str = Strings.drop_front(Val).take_until([](char C) { return C == '\0'; });
      if (Tag == ELF::DT_NEEDED)
        A.Needed.push_back(Str.str());
      else if (Tag == ELF::DT_RPATH)
        A.RPath = Str.str();
      else
        A.RunPath = Str.str();
    }
  }
  // .dynsym and .symtab: where operator new(size_t) is, whether it is
  // allocsel's thunk, and which sanitizer runtime is linked in. (LLVM's
  // iterator trusts the section's size: a malformed one makes it run for
  // ages.)
  // __allocsel_own_new labels this artifact's own definition of
  // operator new[](size_t, align_val_t, const nothrow_t &) (runtime/src/thunks.h;
  // runtimes before it labelled operator new(size_t)).
  uint64_t NewAt = 0, MarkedAt = 0, OwnNewAt = 0;
  llvm::StringSet<> StrongOps;
  for (const auto &Sec : *Sections) {
    if ((Sec.sh_type != ELF::SHT_DYNSYM && Sec.sh_type != ELF::SHT_SYMTAB) ||
        !InFile(Sec.sh_offset, Sec.sh_size) || Sec.sh_link >= Sections->size())
      continue;
    const auto &StrSec = (*Sections)[Sec.sh_link];
    if (!InFile(StrSec.sh_offset, StrSec.sh_size))
      continue;
    StringRef Strings = Bytes.substr(StrSec.sh_offset, StrSec.sh_size);
    StringRef Syms = Bytes.substr(Sec.sh_offset, Sec.sh_size);
    for (std::size_t At = 0; At + 24 <= Syms.size(); At += 24) {
      uint32_t NameAt; // Elf64_Sym: st_name, st_info, st_other, st_shndx, st_value
      uint8_t Info;
      uint16_t Shndx;
      uint64_t Value;
      std::memcpy(&NameAt, Syms.data() + At, 4);
      Info = static_cast<uint8_t>(Syms[At + 4]);
      std::memcpy(&Shndx, Syms.data() + At + 6, 2);
      std::memcpy(&Value, Syms.data() + At + 8, 8);
      if (Shndx == ELF::SHN_UNDEF || NameAt >= Strings.size())
        continue;
      StringRef Name = Strings.drop_front(NameAt).take_until([](char C) { return C == '\0'; });
      unsigned Binding = Info >> 4, Type = Info & 0xf;
      bool Strong = Binding == ELF::STB_GLOBAL || Binding == ELF::STB_GNU_UNIQUE;
      if (WantSymbols && Type == ELF::STT_FUNC && (Strong || Binding == ELF::STB_WEAK))
        A.Defined.push_back(Name.str());
      if (Strong && isReplaceableOperator(Name))
        StrongOps.insert(Name);
      if (Name == "_Znwm") {
        NewAt = Value;
        if (Sec.sh_type == ELF::SHT_DYNSYM)
          A.ExportsOperators = true;
      } else if (Name == "_ZnamSt11align_val_tRKSt9nothrow_t") {
        MarkedAt = Value;
      } else if (Name == "__allocsel_own_new") {
        OwnNewAt = Value;
      } else if (Name == "__asan_init") {
        A.Sanitizer = "AddressSanitizer";
      } else if (Name == "__tsan_init") {
        A.Sanitizer = "ThreadSanitizer";
      } else if (Name == "__msan_init") {
        A.Sanitizer = "MemorySanitizer";
      } else if (Name == "__lsan_init" && A.Sanitizer.empty()) {
        A.Sanitizer = "LeakSanitizer";
      }
    }
  }
  A.OwnOperators = OwnNewAt != 0;
  for (StringRef Op : replaceableOperators())
    if (StrongOps.contains(Op))
      A.StrongOperators.push_back(Op.str());
  if (A.isLinked())
    A.OperatorsYielded =
        NewAt != 0 && OwnNewAt != 0 && NewAt != OwnNewAt && MarkedAt != OwnNewAt;
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
    return fail(In, Where, Msg::UnsupportedElfType);
  }
  for (const object::SectionRef &Sec : Obj.sections()) {
    Expected<StringRef> Name = Sec.getName();
    if (!Name)
      return fail(In, Where, Msg::SectionNames, toString(Name.takeError()));
    if (*Name != facts::SectionName)
      continue;
    Expected<StringRef> Contents = Sec.getContents();
    if (!Contents)
      return fail(In, Where, Msg::Section, facts::SectionName,
                  toString(Contents.takeError()));
    if (!decodeInto(*Contents, A, In))
      return;
  }
  // Every offset checked by hand (readTables): LLVM's symbol iterators
  // read out of bounds in malformed files (found by the fuzzer).
  if (const auto *O = dyn_cast<object::ELF64LEObjectFile>(&Obj))
    readTables(*O, A, In.WantSymbols);
  In.Artifacts.push_back(std::move(A));
}

/// The module-level inline asm of a bitcode file, read straight from the
/// bitstream: the MODULE_CODE_ASM record of the module block. LLVM's module
/// reader would parse everything else too, and it is not hardened against
/// malformed input (the fuzzer crashes it in the metadata loader); the
/// bitstream cursor checks every read.
Expected<std::string> moduleAsm(StringRef Bytes) {
  const auto *Begin = reinterpret_cast<const unsigned char *>(Bytes.begin());
  const auto *End = reinterpret_cast<const unsigned char *>(Bytes.end());
  if (isBitcodeWrapper(Begin, End) && SkipBitcodeWrapperHeader(Begin, End, true))
    return createStringError(inconvertibleErrorCode(), "invalid bitcode wrapper header");
  BitstreamCursor Stream(ArrayRef<uint8_t>(Begin, End));
  // 'B', 'C', then 0x0, 0xC, 0xE, 0xD in four bits each.
  static constexpr std::pair<unsigned, unsigned> MagicFields[] = {
      {'B', 8}, {'C', 8}, {0x0, 4}, {0xC, 4}, {0xE, 4}, {0xD, 4}};
  for (auto [Want, Bits] : MagicFields) {
    Expected<SimpleBitstreamCursor::word_t> Got = Stream.Read(Bits);
    if (!Got)
      return Got.takeError();
    if (*Got != Want)
      return createStringError(inconvertibleErrorCode(), "not a bitcode file (bad magic)");
  }
  auto Malformed = [] {
    return createStringError(inconvertibleErrorCode(), "malformed bitcode stream");
  };
  while (!Stream.AtEndOfStream()) {
    Expected<BitstreamEntry> Top = Stream.advance();
    if (!Top)
      return Top.takeError();
    if (Top->Kind != BitstreamEntry::SubBlock)
      return Malformed();
    if (Top->ID != bitc::MODULE_BLOCK_ID) {
      if (Error E = Stream.SkipBlock())
        return std::move(E);
      continue;
    }
    if (Error E = Stream.EnterSubBlock(bitc::MODULE_BLOCK_ID))
      return std::move(E);
    BitstreamBlockInfo BlockInfo;
    std::string Asm;
    for (;;) {
      Expected<BitstreamEntry> Entry = Stream.advance();
      if (!Entry)
        return Entry.takeError();
      switch (Entry->Kind) {
      case BitstreamEntry::Error:
        return Malformed();
      case BitstreamEntry::EndBlock:
        return Asm;
      case BitstreamEntry::SubBlock:
        if (Entry->ID == bitc::BLOCKINFO_BLOCK_ID) {
          Expected<std::optional<BitstreamBlockInfo>> Info = Stream.ReadBlockInfoBlock();
          if (!Info)
            return Info.takeError();
          if (!*Info)
            return Malformed();
          BlockInfo = std::move(**Info);
          Stream.setBlockInfo(&BlockInfo);
        } else if (Error E = Stream.SkipBlock()) {
          return std::move(E);
        }
        break;
      case BitstreamEntry::Record: {
        SmallVector<uint64_t, 64> Values;
        Expected<unsigned> Code = Stream.readRecord(Entry->ID, Values);
        if (!Code)
          return Code.takeError();
        if (*Code == bitc::MODULE_CODE_ASM)
          for (uint64_t C : Values)
            Asm.push_back(static_cast<char>(C));
        break;
      }
      }
    }
  }
  return std::string(); // no module block
}

void readBitcode(MemoryBufferRef Buffer, const Origin &Where, Inputs &In) {
  Expected<std::string> Asm = moduleAsm(Buffer.getBuffer());
  if (!Asm)
    return fail(In, Where, Msg::InvalidBitcode, toString(Asm.takeError()));
  Artifact A;
  A.Where = Where;
  A.K = Artifact::Bitcode;
  if (!decodeInto(facts::fromAssembly(*Asm), A, In))
    return;
  In.Artifacts.push_back(std::move(A));
}

void readArchive(const object::Archive &Ar, const Origin &Where, Inputs &In) {
  Error Err = Error::success();
  for (const object::Archive::Child &C : Ar.children(Err)) {
    Origin Member{Where.File, ""};
    Expected<StringRef> Name = C.getName();
    if (!Name)
      return fail(In, Where, Msg::ArchiveMemberName, toString(Name.takeError()));
    Member.Member = Name->str();
    Expected<MemoryBufferRef> Buf = C.getMemoryBufferRef();
    if (!Buf)
      return fail(In, Member, Msg::ArchiveMember, toString(Buf.takeError()));
    // LLVM hands out a member as large as its header claims and only checks
    // it against the archive when moving to the next one: a truncated
    // archive would be read past its end. (Thin archives never come here:
    // readThinArchive.)
    MemoryBufferRef Whole = Ar.getMemoryBufferRef();
    if (Buf->getBufferStart() < Whole.getBufferStart() ||
        Buf->getBufferEnd() > Whole.getBufferEnd())
      return fail(In, Member, Msg::ArchiveTruncated, Buf->getBufferSize(),
                  Whole.getBufferEnd() - Buf->getBufferStart());
    if (isMemberKind(identify_magic(Buf->getBuffer())))
      readBuffer(*Buf, Member, In);
  }
  if (Err)
    fail(In, Where, Msg::CorruptArchive, toString(std::move(Err)));
}

/// Reads \p F, opened for \p Where: its kind from its first bytes, so that
/// nothing else (a huge file of zeros) is mapped, then the whole of it.
void readOpened(const InputFile &F, const Origin &Where, Inputs &In) {
  std::string Why;
  std::optional<std::string> Head = F.head(Why);
  if (!Head)
    return fail(In, Where, std::move(Why));
  bool Record = StringRef(*Head).starts_with(StringRef(facts::Magic, sizeof facts::Magic));
  if (!Record && !isInputKind(identify_magic(*Head)))
    return fail(In, Where, Msg::UnknownKind);
  std::optional<Contents> C = F.contents(Why);
  if (!C)
    return fail(In, Where, std::move(Why));
  if (!Record)
    return readBuffer(MemoryBufferRef(C->bytes(), Where.File), Where, In);
  // A unit's record alone, named on the command line (never an archive's
  // member): the bytes a facts section holds.
  Artifact A;
  A.Where = Where;
  A.K = Artifact::Record;
  if (decodeInto(C->bytes(), A, In))
    In.Artifacts.push_back(std::move(A));
}

/// One member of a thin archive: the file \p Name (relative to the
/// archive's directory \p Dir, as the linker finds it), \p HeaderSize
/// bytes long by the archive's header.
void readThinMember(StringRef Dir, StringRef Name, uint64_t HeaderSize, const Origin &Member,
                    Inputs &In) {
  SmallString<256> Path;
  if (!sys::path::is_absolute(Name))
    Path = Dir;
  sys::path::append(Path, Name);
  std::string Why;
  std::optional<InputFile> F = InputFile::open(Path, Why);
  if (!F)
    return unreadMember(In, Member, std::move(Why));
  // The linker reads as many bytes as the header gives: another size means
  // the file is not the one archived, and neither reading is the link's.
  if (F->size() != HeaderSize)
    return fail(In, Member, Msg::ThinMemberSize, HeaderSize, Path.str(), F->size());
  std::optional<std::string> Head = F->head(Why);
  if (!Head)
    return unreadMember(In, Member, std::move(Why));
  if (!isMemberKind(identify_magic(*Head)))
    return;
  std::optional<Contents> C = F->contents(Why);
  if (!C)
    return unreadMember(In, Member, std::move(Why));
  readBuffer(MemoryBufferRef(C->bytes(), Path), Member, In);
}

/// A thin archive (`ar T`): GNU member headers without the members' bytes,
/// each naming a file of its own. Read here rather than by
/// llvm::object::Archive, which opens such files itself, unchecked (a FIFO
/// blocks it, /dev/zero exhausts memory), and even while it is being
/// created (a first member named __.SYMDEF is taken for a symbol table).
void readThinArchive(StringRef Bytes, const Origin &Where, Inputs &In) {
  constexpr std::size_t HeaderSize = 60; // name 16, dates and ids 32, size 10, "`\n"
  StringRef Dir = sys::path::parent_path(Where.File);
  StringRef Names; // the "//" member: the long names, each ending in "/\n"
  std::size_t At = 8; // after "!<thin>\n"
  while (At < Bytes.size()) {
    if (Bytes.size() - At < HeaderSize)
      return fail(In, Where, Msg::ThinHeader, At);
    StringRef Header = Bytes.substr(At, HeaderSize);
    uint64_t Size;
    if (Header.substr(58) != "`\n" || Header.substr(48, 10).rtrim(' ').getAsInteger(10, Size))
      return fail(In, Where, Msg::ThinHeader, At);
    StringRef RawName = Header.substr(0, 16).rtrim(' ');
    std::size_t HeaderAt = At;
    At += HeaderSize;
    // The symbol table and the name table are the archive's own bytes.
    if (RawName == "/" || RawName == "/SYM64/" || RawName == "//") {
      if (Size > Bytes.size() - At)
        return fail(In, Where, Msg::ArchiveTruncated, Size, Bytes.size() - At);
      if (RawName == "//")
        Names = Bytes.substr(At, Size);
      At += Size + (Size & 1); // members start at even offsets
      continue;
    }
    // "/N": the name at offset N of the name table; else "NAME/".
    StringRef Name;
    if (RawName.consume_front("/")) {
      std::size_t Offset, End;
      if (RawName.getAsInteger(10, Offset) || Offset >= Names.size() ||
          (End = Names.find('\n', Offset)) == StringRef::npos || End == Offset ||
          Names[End - 1] != '/')
        return fail(In, Where, Msg::ThinName, HeaderAt);
      Name = Names.slice(Offset, End - 1);
    } else {
      Name = RawName;
      Name.consume_back("/");
    }
    if (Name.empty())
      return fail(In, Where, Msg::ThinName, HeaderAt);
    readThinMember(Dir, Name, Size, Origin{Where.File, Name.str()}, In);
  }
}

} // namespace

void readBuffer(MemoryBufferRef Buffer, const Origin &Where, Inputs &In) {
  file_magic Magic = identify_magic(Buffer.getBuffer());
  if (Magic == file_magic::bitcode)
    return readBitcode(Buffer, Where, In);
  if (!isInputKind(Magic))
    return fail(In, Where, Msg::UnknownKind);
  // Never given to LLVM (see readThinArchive).
  if (Buffer.getBuffer().starts_with(object::ThinArchiveMagic))
    return readThinArchive(Buffer.getBuffer(), Where, In);

  Expected<std::unique_ptr<object::Binary>> Bin = object::createBinary(Buffer);
  if (!Bin)
    return fail(In, Where, Msg::InvalidFile, toString(Bin.takeError()));
  if (const auto *Ar = dyn_cast<object::Archive>(Bin->get()))
    return readArchive(*Ar, Where, In);
  if (const auto *Obj = dyn_cast<object::ELFObjectFileBase>(Bin->get()))
    return readELF(*Obj, Where, In);
  fail(In, Where, Msg::UnknownKind);
}

namespace {

/// "$ORIGIN/../lib:/opt/x" with $ORIGIN (or ${ORIGIN}) expanded.
std::vector<std::string> searchList(StringRef List, StringRef Origin) {
  std::vector<std::string> Dirs;
  SmallVector<StringRef, 8> Parts;
  List.split(Parts, ':', -1, /*KeepEmpty=*/false);
  for (StringRef P : Parts) {
    std::string D = P.str();
    for (StringRef Var : {"${ORIGIN}", "$ORIGIN"})
      for (std::size_t At; (At = D.find(Var.str())) != std::string::npos;)
        D.replace(At, Var.size(), Origin.str());
    Dirs.push_back(D);
  }
  return Dirs;
}

std::string originOf(StringRef File) {
  SmallString<256> Real;
  if (sys::fs::real_path(File, Real))
    Real = File;
  StringRef Dir = sys::path::parent_path(Real);
  return Dir.empty() ? "." : Dir.str();
}

/// \p Path opened, if it is a loadable x86-64 ELF shared object (the loader
/// skips other kinds, and so does the check: a FIFO or a device there is
/// not a library).
std::optional<InputFile> loadable(StringRef Path) {
  std::string Why;
  std::optional<InputFile> F = InputFile::open(Path, Why);
  if (!F)
    return std::nullopt;
  std::optional<std::string> Head = F->head(Why);
  if (!Head || Head->size() < 20)
    return std::nullopt;
  StringRef B = *Head;
  if (B.starts_with("\x7f" "ELF") && B[4] == ELF::ELFCLASS64 && B[5] == ELF::ELFDATA2LSB &&
      static_cast<uint8_t>(B[18]) == (ELF::EM_X86_64 & 0xff) && B[19] == 0)
    return F;
  return std::nullopt;
}

} // namespace

void readDependencies(Inputs &In, std::vector<std::string> *Missing) {
  static const char *const SystemDirs[] = {
      "/usr/local/lib/x86_64-linux-gnu", "/usr/local/lib", "/lib/x86_64-linux-gnu",
      "/usr/lib/x86_64-linux-gnu",       "/lib64",         "/usr/lib64",
      "/lib",                            "/usr/lib"};
  std::vector<std::string> LibraryPath;
  if (const char *Env = std::getenv("LD_LIBRARY_PATH"))
    LibraryPath = searchList(Env, ".");
  // Every file read (by real path), so that each is read once.
  StringSet<> Read;
  for (const Artifact &A : In.Artifacts)
    if (A.Where.Member.empty()) {
      SmallString<256> Real;
      if (!sys::fs::real_path(A.Where.File, Real))
        Read.insert(Real);
    }
  // The executable's DT_RPATH applies to everything it loads (when the
  // needing file has no DT_RUNPATH); a shared library's only to its own.
  std::string ExeRPath, ExeOrigin;
  for (const Artifact &A : In.Artifacts)
    if (A.K == Artifact::Executable && A.RunPath.empty()) {
      ExeRPath = A.RPath;
      ExeOrigin = originOf(A.Where.File);
      break;
    }
  // Breadth first, as the loader orders the global scope.
  for (std::size_t I = 0; I < In.Artifacts.size(); ++I) {
    if (!In.Artifacts[I].isLinked() || !In.Artifacts[I].Where.Member.empty())
      continue;
    // Copies: In.Artifacts grows below.
    std::vector<std::string> Needed = In.Artifacts[I].Needed;
    std::string File = In.Artifacts[I].Where.File;
    std::string RPath = In.Artifacts[I].RPath, RunPath = In.Artifacts[I].RunPath;
    std::string Origin = originOf(File);
    for (const std::string &Name : Needed) {
      std::vector<std::string> Candidates;
      if (StringRef(Name).contains('/')) {
        Candidates.push_back(Name);
      } else {
        std::vector<std::string> Dirs;
        if (RunPath.empty()) {
          Dirs = searchList(RPath, Origin);
          for (std::string &D : searchList(ExeRPath, ExeOrigin))
            Dirs.push_back(D);
        }
        for (const std::string &D : LibraryPath)
          Dirs.push_back(D);
        for (std::string &D : searchList(RunPath, Origin))
          Dirs.push_back(D);
        for (const char *D : SystemDirs)
          Dirs.push_back(D);
        for (const std::string &D : Dirs) {
          SmallString<256> C(D);
          sys::path::append(C, Name);
          sys::path::remove_dots(C, /*remove_dot_dot=*/true);
          Candidates.push_back(C.str().str());
        }
      }
      bool Found = false;
      for (const std::string &C : Candidates) {
        // Read from the descriptor that was checked, not opened again.
        std::optional<InputFile> F = loadable(C);
        if (!F)
          continue;
        Found = true;
        SmallString<256> Real;
        if (sys::fs::real_path(C, Real))
          Real = C;
        if (!Read.insert(Real).second)
          break;
        std::size_t Before = In.Artifacts.size(), Errors = In.Errors.size();
        readOpened(*F, link::Origin{C, ""}, In);
        // The loader's business, not the check's: a library it cannot
        // read is not an input the user named.
        In.Errors.resize(Errors);
        for (std::size_t J = Before; J < In.Artifacts.size(); ++J) {
          In.Artifacts[J].Dependency = true;
          In.Artifacts[J].NeededBy = File;
        }
        break;
      }
      if (!Found && Missing)
        Missing->push_back(Name + " (needed by " + File + ")");
    }
  }
}

void readFile(StringRef Path, Inputs &In) {
  Origin Where{Path.str(), ""};
  std::string Why;
  std::optional<InputFile> F = InputFile::open(Path, Why);
  if (!F)
    return fail(In, Where, std::move(Why));
  readOpened(*F, Where, In);
}

} // namespace allocsel::link
