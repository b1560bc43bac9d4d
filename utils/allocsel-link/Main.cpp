//===- Main.cpp - allocsel-link: the whole-program check ------------------===//
//
//   allocsel-link check [--format=text|json|sarif] [--strict] [--full-chains] [--stats]
//                       [--] FILE...
//   allocsel-link check --link-line [--run] [OPTION...] -- DRIVER ARG...
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
#include "Inputs.h"
#include "LinkLine.h"
#include "Report.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

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
                     cl::desc("a call to a function no FILE defines, a call through a "
                              "pointer and a virtual call count as allocating"),
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

} // namespace

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
  std::vector<const char *> Args(argv, argv + argc);
  if (Args.size() == 1)
    return usageError("no command");
  // The spellings of help before llvm::cl.
  if (llvm::StringRef(Args[1]) == "help" || llvm::StringRef(Args[1]) == "-h")
    Args[1] = "--help";
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
  std::string RunOutput; // --run: the output to remove on a violation
  if (LinkLineOpt) {
    if (Run) {
      llvm::ErrorOr<std::string> Program = llvm::sys::findProgramByName(Files.front());
      if (!Program) {
        llvm::errs() << "allocsel-link: cannot run '" << Files.front()
                     << "': " << Program.getError().message() << "\n";
        return 2;
      }
      std::vector<llvm::StringRef> Argv(Files.begin(), Files.end());
      std::string Why;
      int Status = llvm::sys::ExecuteAndWait(*Program, Argv, std::nullopt, {}, 0, 0, &Why);
      if (Status < 0) {
        llvm::errs() << "allocsel-link: " << Files.front() << ": " << Why << "\n";
        return 2;
      }
      if (Status != 0)
        return Status;
    }
    LinkLine L = readLinkLine(Files);
    // Nothing linked (a compile, a partial link, -o /dev/null): nothing to
    // check.
    if (!L.Links || !llvm::sys::fs::is_regular_file(L.Output))
      return 0;
    if (Run)
      RunOutput = L.Output;
    Files = {L.Output};
    Files.insert(Files.end(), L.Inputs.begin(), L.Inputs.end());
  }
  CheckOptions Opts;
  Opts.Strict = Strict;
  Opts.FullChains = FullChains;
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
