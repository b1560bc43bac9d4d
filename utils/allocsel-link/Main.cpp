//===- Main.cpp - allocsel-link: the whole-program check ------------------===//
//
//   allocsel-link check [--format=text|json|sarif] [--strict] [--full-chains] [--stats]
//                       [--] FILE...
//   allocsel-link check --link-line [--run|--link-failed] [OPTION...] -- DRIVER ARG...
//   allocsel-link explain [--] FILE...
//   allocsel-link --version
//
// llvm::cl parses the command line: a subcommand each, --help for each,
// response files (@FILE). Exit status: 0 no violation, 1 violations, 2
// unreadable or invalid input or bad usage.
//
//===----------------------------------------------------------------------===//

#include "Check.h"
#include "DiagnosticNames.h"
#include "Facts.h"
#include "InputFile.h"
#include "Inputs.h"
#include "LinkLine.h"
#include "Report.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <string>
#include <vector>

using namespace allocsel::link;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory Category("allocsel-link options");

cl::SubCommand CheckCmd("check",
                        "report a second global allocator among the FILEs, a selection a "
                        "linked FILE does not contain, an allocator that reaches the global "
                        "allocator through other units (exit 0: none; 1: violations; 2: bad "
                        "input or usage)");
cl::SubCommand ExplainCmd("explain", "say which allocator each FILE uses, and why, and the "
                                      "record format of its records");

/// cl's parser of the format's values, with an error that lists them.
class FormatParser : public cl::parser<Format> {
public:
  using cl::parser<Format>::parser;
  bool parse(cl::Option &O, llvm::StringRef Name, llvm::StringRef Arg, Format &V) {
    if (findOption(Arg) == getNumOptions())
      return O.error("unknown format '" + Arg + "' (text, json or sarif)");
    return cl::parser<Format>::parse(O, Name, Arg, V);
  }
};

cl::opt<Format, false, FormatParser> FormatOpt("format", cl::desc("the report's format"),
                          cl::values(clEnumValN(Format::Text, "text",
                                                "compiler-style lines on stderr (the default)"),
                                     clEnumValN(Format::Json, "json", "JSON on stdout"),
                                     clEnumValN(Format::Sarif, "sarif", "SARIF 2.1.0 on stdout")),
                          cl::init(Format::Text), cl::sub(CheckCmd), cl::cat(Category));
cl::opt<bool> Strict("strict",
                     cl::desc("count as allocating a call to a function no FILE defines, a "
                              "call through a pointer and a virtual call "
                              "(allocsel-needs-allocator-cycle), and make "
                              "allocsel-selection-yields an error (exit 1), not a warning"),
                     cl::sub(CheckCmd), cl::cat(Category));
cl::opt<bool> FullChains("full-chains",
                         cl::desc("show every function of a long needs_allocator chain (by "
                                  "default its first and last ones, and how many are left out)"),
                         cl::sub(CheckCmd), cl::cat(Category));
cl::opt<bool> Stats("stats",
                    cl::desc("print the needs_allocator search's work on stderr: functions "
                             "visited, calls read, steps tried (linear in the inputs)"),
                    cl::sub(CheckCmd), cl::cat(Category));
cl::opt<bool> LinkLineOpt(
    "link-line",
    cl::desc("the FILEs are a link command (a compiler driver and its arguments): check its "
             "output and the objects, archives and libraries it links (-l found in the -L "
             "directories, then the driver's)"),
    cl::sub(CheckCmd), cl::cat(Category));
cl::opt<bool> LinkFailed(
    "link-failed",
    cl::desc("with --link-line: the link command failed; check the files it links (not its "
             "output) and report only violations, which may be why (two selections)"),
    cl::sub(CheckCmd), cl::cat(Category));
cl::opt<bool> Run("run",
                  cl::desc("with --link-line: run the link command first (a linker launcher); "
                           "a violation removes its output"),
                  cl::sub(CheckCmd), cl::cat(Category));
// FILE: ELF objects, archives, executables, shared libraries, LLVM bitcode
// objects.
cl::list<std::string> CheckFiles(cl::Positional, cl::desc("FILE..."), cl::sub(CheckCmd),
                                 cl::cat(Category));
cl::list<std::string> ExplainFiles(cl::Positional, cl::desc("FILE..."), cl::sub(ExplainCmd),
                                   cl::cat(Category));
// explain writes text for people and checks nothing: an option of check's
// given to it is a mistake to say, not to ignore, and to say plainly (cl's
// own error would only call it unknown).
cl::opt<std::string> ExplainFormat("format", cl::ReallyHidden, cl::sub(ExplainCmd));
cl::opt<bool> ExplainStrict("strict", cl::ReallyHidden, cl::sub(ExplainCmd));
// Without a subcommand: a word that is none.
cl::list<std::string> NoCommand(cl::Positional, cl::ReallyHidden,
                                cl::sub(cl::SubCommand::getTopLevel()));

int usageError(const std::string &Why) {
  llvm::errs() << "allocsel-link: " << Why << "\n"
               << "usage: allocsel-link check [--format=text|json|sarif] [--strict] [--full-chains] "
                  "[--stats] [--] FILE...\n"
               << "       allocsel-link check --link-line [--run] [--format=...] [--strict] -- "
                  "DRIVER ARG...\n"
               << "       allocsel-link explain [--] FILE...\n"
               << "       allocsel-link [check|explain] --help\n";
  return 2;
}

/// A response file's bytes, read through InputFile.
class ResponseFile : public llvm::vfs::File {
public:
  ResponseFile(std::string Name, Contents Bytes) : Name(std::move(Name)), Bytes(std::move(Bytes)) {}
  llvm::ErrorOr<llvm::vfs::Status> status() override {
    return llvm::vfs::Status(Name, llvm::sys::fs::UniqueID(), {}, 0, 0, Bytes.bytes().size(),
                             llvm::sys::fs::file_type::regular_file,
                             llvm::sys::fs::perms::all_read);
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> getBuffer(const llvm::Twine &N, int64_t,
                                                                bool, bool) override {
    return llvm::MemoryBuffer::getMemBufferCopy(Bytes.bytes(), N);
  }
  std::error_code close() override { return {}; }

private:
  std::string Name;
  Contents Bytes;
};

/// The file system cl expands response files (@FILE) from: the real one,
/// but every file opened as inputs are (InputFile), so that a response file
/// that is a FIFO or /dev/zero is refused instead of blocking cl or
/// exhausting memory. Remembers the first refusal, to report it.
class ResponseFileSystem
    : public llvm::RTTIExtends<ResponseFileSystem, llvm::vfs::ProxyFileSystem> {
public:
  static const char ID;
  ResponseFileSystem() : RTTIExtends(llvm::vfs::getRealFileSystem()) {}

  llvm::ErrorOr<std::unique_ptr<llvm::vfs::File>>
  openFileForRead(const llvm::Twine &Path) override {
    std::string P = Path.str(), Why;
    std::optional<InputFile> F = InputFile::open(P, Why);
    std::optional<Contents> C;
    if (F)
      C = F->contents(Why);
    if (!C) {
      if (!Refused)
        Refused = {P, Why};
      return std::make_error_code(std::errc::invalid_argument);
    }
    return std::make_unique<ResponseFile>(P, std::move(*C));
  }

  std::optional<std::pair<std::string, std::string>> Refused; // the file, why
};
const char ResponseFileSystem::ID = 0;

} // namespace

/// \p Text wrapped at 80 columns, each line after the first indented by
/// \p Indent.
static std::string wrap(llvm::StringRef Text, size_t Indent, size_t Column) {
  std::string Out;
  llvm::SmallVector<llvm::StringRef, 32> Words;
  Text.split(Words, ' ', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef W : Words) {
    if (Column > Indent && Column + 1 + W.size() > 80) {
      Out += "\n" + std::string(Indent, ' ');
      Column = Indent;
    } else if (Column > Indent) {
      Out += ' ';
      ++Column;
    }
    Out += W.str();
    Column += W.size();
  }
  return Out;
}

/// The end of --help: what check reports, one line per name, from the
/// registry of names (utils/facts/DiagnosticNames.def, the one list); and
/// response files. \p Check: the help of check or of allocsel-link itself
/// (explain reports only unreadable inputs).
static std::string moreHelp(bool Check) {
  std::string Out;
  if (Check) {
    Out += "\n" +
           wrap("FINDINGS (allocsel-link check; each ends with its name in brackets, and "
                "docs/diagnostics.md explains each name):",
                0, 0) +
           "\n";
    size_t Width = 0;
    for (const allocsel::DiagNameInfo &N : allocsel::DiagNames)
      if (N.Where == allocsel::DiagWhere::Link || N.Where == allocsel::DiagWhere::CompileAndLink)
        Width = std::max(Width, llvm::StringRef(N.Name).size());
    for (const allocsel::DiagNameInfo &N : allocsel::DiagNames) {
      if (N.Where != allocsel::DiagWhere::Link && N.Where != allocsel::DiagWhere::CompileAndLink)
        continue;
      std::string Summary(N.Summary);
      Summary.erase(std::remove(Summary.begin(), Summary.end(), '`'), Summary.end());
      std::string Name = "  " + std::string(N.Name);
      Name.resize(Width + 4, ' ');
      Out += Name + wrap(Summary, Width + 4, Width + 4) + "\n";
    }
  }
  Out += "\n" +
         wrap("@FILE: read more arguments from FILE (a response file: words separated as a "
              "shell would, quotes and backslashes as GNU tools read them; an @FILE in it "
              "is read relative to the working directory)",
              0, 0) +
         "\n";
  return Out;
}

/// docs/diagnostics.md as installed next to this tool
/// (PREFIX/share/doc/allocsel, which the build tree mirrors), as a file: URI.
static std::string docsUri(const char *Argv0) {
  std::string Exe = llvm::sys::fs::getMainExecutable(Argv0, (void *)&docsUri);
  llvm::SmallString<256> Path(llvm::sys::path::parent_path(llvm::sys::path::parent_path(Exe)));
  llvm::sys::path::append(Path, "share", "doc", "allocsel", allocsel::DiagDocsPage);
  if (Exe.empty() || !llvm::sys::fs::exists(Path))
    return "";
  return "file://" + std::string(Path);
}

int main(int argc, char **argv) {
  // The record format: what the plugin of this version writes, and which
  // records it reads (a newer minor adds only fields it skips).
  cl::SetVersionPrinter([](llvm::raw_ostream &OS) {
    OS << "allocsel-link " << ALLOCSEL_VERSION << " (record format "
       << allocsel::facts::Version{}.str() << "; reads any " << unsigned(allocsel::facts::Major)
       << ".x)\n";
  });
  // LLVM's own options (the shared library registers them) are not ours.
  cl::HideUnrelatedOptions(Category);
  // Response files, expanded here as cl would (GNU quoting, nested files
  // relative to the working directory), from files opened as inputs are;
  // cl finds none left to open (an @FILE that does not exist stays a word).
  llvm::BumpPtrAllocator Saved;
  llvm::SmallVector<const char *, 32> Expanded(argv, argv + argc);
  ResponseFileSystem ResponseFiles;
  if (llvm::Error E = cl::ExpansionContext(Saved, cl::TokenizeGNUCommandLine)
                          .setVFS(&ResponseFiles)
                          .expandResponseFiles(Expanded)) {
    if (!ResponseFiles.Refused) {
      llvm::errs() << "allocsel-link: " << llvm::toString(std::move(E)) << "\n";
      return 2;
    }
    llvm::consumeError(std::move(E));
    CheckResult Bad;
    Bad.BadInput = true;
    Bad.Findings.push_back({allocsel::nameOf(allocsel::DiagName::BadInput),
                            ResponseFiles.Refused->second, std::nullopt,
                            Origin{ResponseFiles.Refused->first, ""}, {}});
    report(Bad, {}, Format::Text, llvm::errs());
    return 2;
  }
  std::vector<const char *> Args(Expanded.begin(), Expanded.end());
  if (Args.size() == 1)
    return usageError("no command");
  // The spellings of help before llvm::cl.
  if (llvm::StringRef(Args[1]) == "help" || llvm::StringRef(Args[1]) == "-h")
    Args[1] = "--help";
  // The findings and @FILE after the options, in every --help but
  // explain's (which reports no finding).
  std::string More = moreHelp(llvm::StringRef(Args[1]) != "explain");
  cl::extrahelp MoreHelp(More);
  std::string Errors;
  llvm::raw_string_ostream ErrorStream(Errors);
  if (!cl::ParseCommandLineOptions(Args.size(), Args.data(),
                                   "allocsel: the whole-program check of a global allocator\n",
                                   &ErrorStream)) {
    llvm::errs() << Errors;
    return 2;
  }
  if (!CheckCmd && !ExplainCmd)
    return usageError(NoCommand.empty() ? "no command"
                                        : "unknown command '" + NoCommand.front() + "'");
  bool Explain = bool(ExplainCmd);
  if (Explain && (ExplainFormat.getNumOccurrences() || ExplainStrict.getNumOccurrences()))
    return usageError(std::string("explain takes no ") +
                      (ExplainFormat.getNumOccurrences() ? "--format" : "--strict") +
                      " (it writes text; --format and --strict are check's)");
  std::vector<std::string> Files(Explain ? ExplainFiles.begin() : CheckFiles.begin(),
                                 Explain ? ExplainFiles.end() : CheckFiles.end());
  if (Files.empty())
    return usageError("no input files");
  if (Run && !LinkLineOpt)
    return usageError("--run runs a link command: it needs --link-line");
  if (LinkFailed && !LinkLineOpt)
    return usageError("--link-failed is about a link command: it needs --link-line");
  std::string RunOutput; // --run: the output to remove on a violation
  // --run: what the link printed on stderr, and its status when it failed.
  std::string LinkErrors;
  int LinkStatus = 0;
  bool Failed = LinkFailed;
  bool LinkSucceeded = false; // --link-line, and the link succeeded
  if (LinkLineOpt) {
    if (Run) {
      llvm::ErrorOr<std::string> Program = llvm::sys::findProgramByName(Files.front());
      if (!Program) {
        llvm::errs() << "allocsel-link: cannot run '" << Files.front()
                     << "': " << Program.getError().message() << "\n";
        return 2;
      }
      // The link's stderr is held back: if it fails, allocsel's report of
      // why (two selections) comes before the linker's symbol errors.
      llvm::SmallString<128> ErrPath;
      if (std::error_code EC =
              llvm::sys::fs::createTemporaryFile("allocsel-link", "stderr", ErrPath)) {
        llvm::errs() << "allocsel-link: cannot make a temporary file: " << EC.message() << "\n";
        return 2;
      }
      std::vector<llvm::StringRef> Argv(Files.begin(), Files.end());
      std::optional<llvm::StringRef> Redirects[] = {std::nullopt, std::nullopt,
                                                    llvm::StringRef(ErrPath)};
      std::string Why;
      int Status = llvm::sys::ExecuteAndWait(*Program, Argv, std::nullopt, Redirects, 0, 0, &Why);
      if (auto Buf = llvm::MemoryBuffer::getFile(ErrPath, /*IsText=*/false,
                                                 /*RequiresNullTerminator=*/false))
        LinkErrors = (*Buf)->getBuffer().str();
      llvm::sys::fs::remove(ErrPath);
      if (Status < 0) {
        llvm::errs() << LinkErrors << "allocsel-link: " << Files.front() << ": " << Why << "\n";
        return 2;
      }
      if (Status != 0) {
        Failed = true;
        LinkStatus = Status;
      } else {
        llvm::errs() << LinkErrors;
        LinkErrors.clear();
      }
    }
    LinkLine L = readLinkLine(Files);
    if (Failed) {
      // The link failed: its inputs may say why. Only violations are
      // reported; an input the check cannot read the linker has named.
      Inputs In;
      for (const std::string &F : L.Inputs)
        if (llvm::sys::fs::is_regular_file(F))
          readFile(F, In);
      CheckOptions Opts;
      Opts.Strict = Strict;
      Opts.FullChains = FullChains;
      CheckResult R = check(In, Opts);
      CheckResult Violations;
      for (Finding &F : R.Findings)
        if (F.Name != allocsel::nameOf(allocsel::DiagName::BadInput))
          Violations.Findings.push_back(std::move(F));
      if (!Violations.Findings.empty()) {
        report(Violations, L.Inputs, FormatOpt,
               FormatOpt == Format::Text ? llvm::errs() : llvm::outs(), docsUri(argv[0]));
        llvm::errs() << "allocsel-link: the link failed; the violations above are why, or part "
                        "of it (the linker's own messages follow)\n";
      }
      llvm::errs() << LinkErrors;
      return Run ? LinkStatus : Violations.Findings.empty() ? 0 : 1;
    }
    // Nothing linked (a compile, a partial link, -o /dev/null): nothing to
    // check.
    if (!L.Links || !llvm::sys::fs::is_regular_file(L.Output))
      return 0;
    if (Run)
      RunOutput = L.Output;
    LinkSucceeded = true;
    Files = {L.Output};
    Files.insert(Files.end(), L.Inputs.begin(), L.Inputs.end());
  }
  CheckOptions Opts;
  Opts.Strict = Strict;
  Opts.FullChains = FullChains;
  Opts.LinkSucceeded = LinkSucceeded;
  Format Fmt = FormatOpt;

  Inputs In;
  In.WantSymbols = Opts.Strict;
  for (const std::string &F : Files)
    readFile(F, In);
  // The shared libraries the linked inputs load, as the loader finds them.
  readDependencies(In);
  CheckResult R = check(In, Opts);

  if (Explain) {
    // Inputs that cannot be read are reported as check reports them.
    CheckResult Bad;
    for (const Finding &F : R.Findings)
      if (F.Name == allocsel::nameOf(allocsel::DiagName::BadInput))
        Bad.Findings.push_back(F);
    Bad.BadInput = R.BadInput;
    report(Bad, Files, Format::Text, llvm::errs());
    llvm::outs() << explain(In);
    return R.BadInput ? 2 : 0;
  }
  report(R, Files, Fmt, Fmt == Format::Text ? llvm::errs() : llvm::outs(), docsUri(argv[0]));
  if (Stats)
    llvm::errs() << "allocsel-link: stats: " << R.Stats.Functions << " functions visited, "
                 << R.Stats.Calls << " calls read, " << R.Stats.Steps << " steps tried\n";
  // As a linker removes a failed output: the next build links and checks
  // again instead of taking it for up to date.
  if (R.exitCode() != 0 && !RunOutput.empty()) {
    llvm::sys::fs::remove(RunOutput);
    llvm::errs() << "allocsel: removed " << RunOutput << ": allocsel-link check failed\n";
  }
  return R.exitCode();
}
