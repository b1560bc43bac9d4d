//===- Options.h - the allocsel plugin's options ----------------*- C++ -*-===//

#ifndef ALLOCSEL_PLUGIN_OPTIONS_H
#define ALLOCSEL_PLUGIN_OPTIONS_H

#include "clang/Basic/Diagnostic.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace allocsel {

struct Options {
  bool Help = false;
  /// needs_allocator: unknown code counts as allocating.
  bool Strict = false;
  /// needs_allocator: show every call of a long chain.
  bool FullChains = false;
  /// Print how much work the analysis did (to stderr).
  bool Stats = false;
  /// needs_allocator: build the summary even where no object is written.
  bool Summary = false;
  /// Not an option: the compile writes no object, so no record (set per
  /// unit from the frontend action, unless Summary).
  bool NoRecord = false;
  /// Not an option: the compile makes no code, only a named module's BMI
  /// (set per unit from the frontend action). Selections are checked and
  /// marked, and routed by the compile that makes the unit's object.
  bool NoCode = false;
  /// Where to write the unit's record as well (allocsel-clangd's runs).
  std::string RecordTo;
  /// The summary reads only the declarations this compile parsed (not those
  /// a PCH or a preamble holds: reading them in would cost more than the
  /// compile; the editor's PCH is of #include lines).
  bool ownDeclsOnly() const { return !RecordTo.empty(); }
  /// Set when compiling allocsel's default routes: the allocator they use.
  std::string DefaultRoutes;
  /// Test only: the analysis fails (a real crash) when it reads the body of
  /// the function with this qualified name.
  std::string TestCrashIn;

  /// Parses the arguments clang hands the plugin (the part after
  /// -fplugin-arg-allocsel-). Reports unknown ones; returns false if any.
  bool parse(const std::vector<std::string> &Args,
             clang::DiagnosticsEngine &Diags);

  static void printHelp(llvm::raw_ostream &OS);
};

} // namespace allocsel

#endif
