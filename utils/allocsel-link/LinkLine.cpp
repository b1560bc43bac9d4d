//===- LinkLine.cpp - the inputs of a compiler driver's link command ------===//

#include "LinkLine.h"
#include "InputFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <optional>

namespace allocsel::link {
namespace {

using llvm::StringRef;

/// Driver options that stop the command before a link.
bool compilesOnly(StringRef A) {
  return llvm::StringSwitch<bool>(A)
      .Cases("-c", "-S", "-E", "-fsyntax-only", "-M", "-MM", true)
      .Cases("--precompile", "-emit-ast", "--analyze", "-emit-llvm-only", "--preprocess", true)
      .Cases("--compile", "--assemble", "-###", true)
      .Default(false);
}

/// Driver options whose value is the next argument (other than those read
/// below).
bool takesValue(StringRef A) {
  if (A.starts_with("-Xarch_") || A.starts_with("-Xopenmp-target="))
    return true;
  return llvm::StringSwitch<bool>(A)
      .Cases("-I", "-D", "-U", "-F", "-T", "-u", "-e", "-A", true)
      .Cases("-B", "-G", "-include", "-imacros", "-isystem", "-idirafter", "-iquote", true)
      .Cases("-iprefix", "-iwithprefix", "-iwithprefixbefore", "-isysroot", "-cxx-isystem", true)
      .Cases("-iframework", "-iframeworkwithsysroot", "-ivfsoverlay", "-iwithsysroot", true)
      .Cases("-isystem-after", "-MF", "-MT", "-MQ", "-MJ", "-Xclang", "-Xassembler", true)
      .Cases("-Xpreprocessor", "-Xanalyzer", "-Xcuda-fatbinary", "-Xcuda-ptxas", true)
      .Cases("-Xoffload-linker", "-mllvm", "-arch", "-target", "-dependency-file", true)
      .Cases("-dependency-dot", "-serialize-diagnostics", "--serialize-diagnostics", true)
      .Cases("-working-directory", "-module-dependency-dir", "--param", "--sysroot", true)
      .Cases("--include-directory", "--define-macro", "--undefine-macro", "--include", true)
      .Cases("--include-prefix", "--include-with-prefix", "--include-with-prefix-before", true)
      .Cases("--include-with-prefix-after", "--prefix", "--force-link", "-install_name", true)
      .Cases("-rpath", "-Xflang", "-include-pch", "-resource-dir", "-gcc-toolchain", true)
      .Cases("-mthread-model", "-z", true)
      .Default(false);
}

/// Linker options whose value is the next word.
bool linkerTakesValue(StringRef W) {
  return llvm::StringSwitch<bool>(W)
      .Cases("-o", "-rpath", "-rpath-link", "-soname", "-h", "-T", "-e", "-u", true)
      .Cases("-z", "-m", "-y", "-Map", "-F", "-f", "-a", "-A", true)
      .Cases("-b", "-R", "-G", "--version-script", "--dynamic-list", "-plugin", true)
      .Cases("--plugin-opt", "-Y", "--entry", "--undefined", "--soname", true)
      .Default(false);
}

/// A file the driver compiles (by its name; -x LANG makes every input one).
bool isSource(StringRef F) {
  if (F == "-")
    return true;
  StringRef Ext = llvm::sys::path::extension(F);
  return llvm::StringSwitch<bool>(Ext)
      .Cases(".c", ".C", ".cc", ".cp", ".cpp", ".CPP", ".cxx", ".c++", true)
      .Cases(".cppm", ".ccm", ".cxxm", ".c++m", ".ixx", ".i", ".ii", ".m", true)
      .Cases(".mm", ".M", ".mi", ".mii", ".s", ".S", ".sx", ".h", true)
      .Cases(".hh", ".hpp", ".hxx", ".H", ".h++", ".inc", ".cu", ".cuh", true)
      .Cases(".hip", ".cl", ".clcpp", ".ll", ".bc", ".ast", ".pcm", true)
      .Default(false);
}

/// A file allocsel-link reads: ELF, an archive, LLVM bitcode. Linker
/// scripts (libc.so is one) and anything else are not inputs to check.
/// (Opened as every input is, InputFile: a FIFO named on the command line
/// must not block the check.)
bool readable(StringRef Path) {
  std::string Why;
  std::optional<InputFile> F = InputFile::open(Path, Why);
  if (!F)
    return false;
  std::optional<std::string> Head = F->head(Why);
  if (!Head)
    return false;
  switch (llvm::identify_magic(*Head)) {
  case llvm::file_magic::elf_relocatable:
  case llvm::file_magic::elf_executable:
  case llvm::file_magic::elf_shared_object:
  case llvm::file_magic::archive:
  case llvm::file_magic::bitcode:
    return true;
  default:
    return false;
  }
}

/// The directories the driver gives the linker (its "libraries:" line of
/// -print-search-dirs), or none when it cannot say.
std::vector<std::string> driverSearchDirs(StringRef Driver) {
  std::vector<std::string> Dirs;
  llvm::ErrorOr<std::string> Program = llvm::sys::findProgramByName(Driver);
  if (!Program)
    return Dirs;
  llvm::SmallString<128> Out;
  if (llvm::sys::fs::createTemporaryFile("allocsel-link-search-dirs", "txt", Out))
    return Dirs;
  std::string OutPath(Out);
  std::optional<StringRef> Redirects[] = {StringRef(""), StringRef(OutPath), StringRef("")};
  StringRef Args[] = {Driver, "-print-search-dirs"};
  int Status = llvm::sys::ExecuteAndWait(*Program, Args, std::nullopt, Redirects);
  std::string Why;
  std::optional<InputFile> F = InputFile::open(OutPath, Why);
  std::optional<Contents> Text;
  if (F)
    Text = F->contents(Why);
  llvm::sys::fs::remove(OutPath);
  if (Status != 0 || !Text)
    return Dirs;
  llvm::SmallVector<StringRef> Lines;
  Text->bytes().split(Lines, '\n');
  for (StringRef L : Lines)
    if (L.consume_front("libraries: =")) {
      llvm::SmallVector<StringRef> Parts;
      L.split(Parts, ':', -1, /*KeepEmpty=*/false);
      for (StringRef P : Parts)
        Dirs.push_back(P.str());
    }
  return Dirs;
}

/// An -l library as the linker finds it: "NAME" (lib NAME .so, else .a;
/// only .a while linking statically) or ":FILE".
struct Library {
  std::string Name;
  bool Static;
};

class Reader {
public:
  explicit Reader(llvm::ArrayRef<std::string> Command) : Command(Command) {}

  LinkLine read() {
    LinkLine L;
    bool CompileOnly = false, Relocatable = false;
    bool SourceLanguage = false; // -x LANG other than none
    for (std::size_t I = 1; I < Command.size(); ++I) {
      StringRef A = Command[I];
      auto Next = [&]() -> StringRef {
        return I + 1 < Command.size() ? StringRef(Command[++I]) : StringRef();
      };
      StringRef V = A;
      if (compilesOnly(A)) {
        CompileOnly = true;
      } else if (A == "-r" || A == "--relocatable") {
        Relocatable = true;
      } else if (A == "-static") {
        Static = true;
      } else if (A == "-o" || A == "--output") {
        L.Output = Next().str();
      } else if (V.consume_front("--output=") || (A.starts_with("-o") && !A.starts_with("-objc") &&
                                                   !A.starts_with("-object") &&
                                                   V.consume_front("-o"))) {
        L.Output = V.str();
      } else if (A == "-x" || A == "--language") {
        SourceLanguage = Next() != "none";
      } else if (V.consume_front("--language=") || V.consume_front("-x")) {
        SourceLanguage = V != "none";
      } else if (A == "-L" || A == "--library-directory") {
        Dirs.push_back(Next().str());
      } else if (V.consume_front("--library-directory=") || V.consume_front("-L")) {
        Dirs.push_back(V.str());
      } else if (A == "-l") {
        Libraries.push_back({Next().str(), Static});
      } else if (V.consume_front("-l")) {
        Libraries.push_back({V.str(), Static});
      } else if (V.consume_front("-Wl,")) {
        llvm::SmallVector<StringRef> Words;
        V.split(Words, ',');
        for (StringRef W : Words)
          linkerWord(W, Relocatable);
      } else if (A == "-Xlinker") {
        linkerWord(Next(), Relocatable);
      } else if (A == "-") {
        // Standard input: a source.
      } else if (A.starts_with("-")) {
        if (takesValue(A))
          Next();
      } else if (!SourceLanguage && !isSource(A)) {
        Named.push_back(A.str());
      }
    }
    L.Links = !CompileOnly && !Relocatable;
    if (!L.Links)
      return L;
    for (const std::string &F : Named)
      if (readable(F))
        L.Inputs.push_back(F);
    for (const Library &Lib : Libraries)
      if (std::optional<std::string> F = find(Lib); F && readable(*F))
        L.Inputs.push_back(*F);
    return L;
  }

private:
  /// One word the linker gets (-Wl,A,B or -Xlinker A).
  void linkerWord(StringRef W, bool &Relocatable) {
    if (LinkerValue) { // the value of the previous word
      LinkerValue = false;
      if (LinkerValueIsDir)
        Dirs.push_back(W.str());
      else if (LinkerValueIsLib)
        Libraries.push_back({W.str(), Static});
      LinkerValueIsDir = LinkerValueIsLib = false;
      return;
    }
    StringRef V = W;
    if (W == "-r" || W == "--relocatable" || W == "-i")
      Relocatable = true;
    else if (W == "-Bstatic" || W == "-dn" || W == "-non_shared" || W == "-static")
      Static = true;
    else if (W == "-Bdynamic" || W == "-dy" || W == "-call_shared")
      Static = false;
    else if (W == "-L" || W == "--library-path")
      LinkerValue = LinkerValueIsDir = true;
    else if (W == "-l" || W == "--library")
      LinkerValue = LinkerValueIsLib = true;
    else if (V.consume_front("--library-path=") || V.consume_front("-L"))
      Dirs.push_back(V.str());
    else if (V.consume_front("--library=") || V.consume_front("-l"))
      Libraries.push_back({V.str(), Static});
    else if (linkerTakesValue(W))
      LinkerValue = true;
    else if (!W.empty() && !W.starts_with("-"))
      Named.push_back(W.str());
  }

  std::optional<std::string> find(const Library &Lib) {
    std::vector<std::string> Names;
    if (StringRef(Lib.Name).starts_with(":")) {
      Names.push_back(Lib.Name.substr(1));
    } else {
      if (!Lib.Static)
        Names.push_back("lib" + Lib.Name + ".so");
      Names.push_back("lib" + Lib.Name + ".a");
    }
    auto In = [&](const std::vector<std::string> &Where) -> std::optional<std::string> {
      for (const std::string &D : Where)
        for (const std::string &N : Names) {
          llvm::SmallString<256> P(D);
          llvm::sys::path::append(P, N);
          if (llvm::sys::fs::exists(P))
            return std::string(P);
        }
      return std::nullopt;
    };
    if (std::optional<std::string> F = In(Dirs))
      return F;
    if (!DriverDirs) // asked once, and only when needed
      DriverDirs = driverSearchDirs(Command.front());
    return In(*DriverDirs);
  }

  llvm::ArrayRef<std::string> Command;
  std::vector<std::string> Named; // files named by path
  std::vector<std::string> Dirs;  // -L
  std::vector<Library> Libraries; // -l
  std::optional<std::vector<std::string>> DriverDirs;
  bool Static = false;
  bool LinkerValue = false, LinkerValueIsDir = false, LinkerValueIsLib = false;
};

} // namespace

LinkLine readLinkLine(llvm::ArrayRef<std::string> Command) {
  if (Command.empty())
    return {};
  return Reader(Command).read();
}

} // namespace allocsel::link
