//===- Options.cpp - the allocsel plugin's options ------------------------===//

#include "Options.h"

#include "Diagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Format.h"

namespace allocsel {
namespace {

struct OptionInfo {
  llvm::StringRef Name;
  llvm::StringRef Help;
};

constexpr OptionInfo AllOptions[] = {
#define ALLOCSEL_OPTION(Name, Help) {Name, Help},
#include "Options.def"
};

} // namespace

bool Options::parse(const std::vector<std::string> &Args,
                    clang::DiagnosticsEngine &Diags) {
  bool Ok = true;
  for (llvm::StringRef Arg : Args) {
    llvm::StringRef Name = Arg.split('=').first;
    if (Name == "help") {
      Help = true;
      continue;
    }
    if (Name == "strict" && !Arg.contains('=')) {
      Strict = true;
      continue;
    }
    if (Name == "stats" && !Arg.contains('=')) {
      Stats = true;
      continue;
    }
    if (Name == "default-routes" && Arg.contains('=')) {
      DefaultRoutes = Arg.split('=').second.str();
      continue;
    }
    if (Name == "test-crash-in" && Arg.contains('=')) {
      TestCrashIn = Arg.split('=').second.str();
      continue;
    }
    report(Diags, clang::SourceLocation(), Diag::UnknownOption) << Arg;
    Ok = false;
  }
  return Ok;
}

void Options::printHelp(llvm::raw_ostream &OS) {
  OS << "allocsel plugin options (-fplugin-arg-allocsel-<name>[=<value>]):\n";
  for (const OptionInfo &O : AllOptions)
    OS << "  " << llvm::left_justify(O.Name, 20) << O.Help << "\n";
}

} // namespace allocsel
