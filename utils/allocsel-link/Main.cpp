//===- Main.cpp - allocsel-link: the whole-program check ------------------===//
//
//   allocsel-link check [--format=text|json|sarif] FILE...
//   allocsel-link explain FILE
//
// Exit status: 0 no violation, 1 violations, 2 unreadable or invalid input or
// bad usage.
//
//===----------------------------------------------------------------------===//

#include "Check.h"
#include "DiagnosticNames.h"
#include "Facts.h"
#include "Inputs.h"
#include "Report.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

using namespace allocsel::link;

namespace {

const char Usage[] =
    "usage: allocsel-link check [--format=text|json|sarif] [--strict] FILE...\n"
    "       allocsel-link explain FILE...\n"
    "\n"
    "check    reads the allocsel records of every FILE (ELF objects, archives,\n"
    "         executables, shared libraries, LLVM bitcode objects) and reports\n"
    "         a second global allocator anywhere among them, a selection\n"
    "         that a linked FILE does not contain, and an allocator that\n"
    "         reaches the global allocator through other units.\n"
    "         --strict: a call to a function no FILE defines counts as\n"
    "         allocating.\n"
    "         Exit 0: no violation; 1: violations; 2: bad input or usage.\n"
    "explain  says which allocator each FILE uses, and why, and the record\n"
    "         format of its records.\n";

int usageError(const std::string &Why) {
  llvm::errs() << "allocsel-link: " << Why << "\n" << Usage;
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
  std::vector<std::string> Args(argv + 1, argv + argc);
  if (Args.empty())
    return usageError("no command");
  std::string Command = Args.front();
  if (Command == "--help" || Command == "-h" || Command == "help") {
    llvm::outs() << Usage;
    return 0;
  }
  if (Command == "--version") {
    // The record format: what the plugin of this version writes, and which
    // records it reads (a newer minor adds only fields it skips).
    llvm::outs() << "allocsel-link " << ALLOCSEL_VERSION << " (record format "
                 << allocsel::facts::Version{}.str() << "; reads any "
                 << unsigned(allocsel::facts::Major) << ".x)\n";
    return 0;
  }

  Format Fmt = Format::Text;
  bool FormatGiven = false, StrictGiven = false;
  CheckOptions Opts;
  std::vector<std::string> Files;
  bool OptionsDone = false;
  for (size_t I = 1; I < Args.size(); ++I) {
    llvm::StringRef A = Args[I];
    if (!OptionsDone && A == "--") {
      OptionsDone = true;
    } else if (!OptionsDone && A.consume_front("--format=")) {
      FormatGiven = true;
      if (A == "text")
        Fmt = Format::Text;
      else if (A == "json")
        Fmt = Format::Json;
      else if (A == "sarif")
        Fmt = Format::Sarif;
      else
        return usageError("unknown format '" + A.str() + "' (text, json or sarif)");
    } else if (!OptionsDone && A == "--strict") {
      Opts.Strict = StrictGiven = true;
    } else if (!OptionsDone && A.starts_with("-") && A != "-") {
      return usageError("unknown option '" + A.str() + "'");
    } else {
      Files.push_back(A.str());
    }
  }
  if (Command != "check" && Command != "explain")
    return usageError("unknown command '" + Command + "'");
  if (Files.empty())
    return usageError("no input files");
  // explain writes text for people and checks nothing: an option of check's
  // given to it is a mistake to say, not to ignore.
  if (Command == "explain" && (FormatGiven || StrictGiven))
    return usageError(std::string("explain takes no ") + (FormatGiven ? "--format" : "--strict") +
                      " (it writes text; --format and --strict are check's)");

  Inputs In;
  In.WantSymbols = Opts.Strict;
  for (const std::string &F : Files)
    readFile(F, In);
  // The shared libraries the linked inputs load, as the loader finds them.
  readDependencies(In);
  CheckResult R = check(In, Opts);

  if (Command == "explain") {
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
  return R.exitCode();
}
