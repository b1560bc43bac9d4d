//===- Options.cpp - the allocsel plugin's options ------------------------===//

#include "Options.h"

#include "Diagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Format.h"

namespace allocsel {
namespace {

struct OptionInfo {
  llvm::StringRef Name;
  llvm::StringRef Meta;                 // empty for a flag
  bool Options::*Flag = nullptr;        // set by a flag
  std::string Options::*Value = nullptr; // set by a value
  llvm::StringRef Help;
};

const OptionInfo AllOptions[] = {
#define ALLOCSEL_FLAG(Name, Field, Help) {Name, "", &Options::Field, nullptr, Help},
#define ALLOCSEL_VALUE(Name, Meta, Field, Help) {Name, Meta, nullptr, &Options::Field, Help},
#include "Options.def"
};

} // namespace

bool Options::parse(const std::vector<std::string> &Args,
                    clang::DiagnosticsEngine &Diags) {
  bool Ok = true;
  for (llvm::StringRef Arg : Args) {
    auto [Name, Value] = Arg.split('=');
    bool HasValue = Arg.contains('=');
    bool Known = false;
    for (const OptionInfo &O : AllOptions) {
      if (O.Name != Name || HasValue != (O.Value != nullptr))
        continue;
      if (O.Flag)
        this->*O.Flag = true;
      else
        this->*O.Value = Value.str();
      Known = true;
      break;
    }
    if (!Known) {
      report(Diags, clang::SourceLocation(), Diag::UnknownOption) << Arg;
      Ok = false;
    }
  }
  return Ok;
}

void Options::printHelp(llvm::raw_ostream &OS) {
  OS << "allocsel plugin options (-fplugin-arg-allocsel-<name>[=<value>]):\n";
  for (const OptionInfo &O : AllOptions) {
    std::string Shown = O.Name.str();
    if (!O.Meta.empty())
      Shown += "=" + O.Meta.str();
    OS << "  " << llvm::left_justify(Shown, 26) << O.Help << "\n";
  }
}

} // namespace allocsel
