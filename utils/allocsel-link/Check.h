//===- Check.h - whole-program checks over allocsel facts -------*- C++ -*-===//

#ifndef ALLOCSEL_LINK_CHECK_H
#define ALLOCSEL_LINK_CHECK_H

#include "Inputs.h"

#include <optional>
#include <string>
#include <vector>

namespace allocsel::link {

/// One finding, shaped like a compiler diagnostic: a primary location in the
/// user's source (if there is one), the artifact it came from, and notes.
struct Finding {
  struct Note {
    std::string Message;
    std::optional<facts::Location> Loc;
    Origin Where;
  };
  std::string Name;    // "allocsel-duplicate", ...
  std::string Message; // without the trailing " [name]"
  std::optional<facts::Location> Loc;
  Origin Where;
  std::vector<Note> Notes;
  bool Warning = false; // a warning (exit status 0), unless --strict made it an error
};

/// The needs_allocator search's work (--stats): linear in the functions
/// and calls read, whatever the shape of the graph (tested).
struct CheckStats {
  std::size_t Functions = 0; // functions the backward search visited
  std::size_t Calls = 0;     // calls it read
  std::size_t Steps = 0;     // times it tried to set a function's next step
};

struct CheckResult {
  std::vector<Finding> Findings;
  CheckStats Stats;
  bool BadInput = false;

  /// 0: clean (or warnings only), 1: violations, 2: unreadable or invalid
  /// input.
  int exitCode() const {
    if (BadInput)
      return 2;
    for (const Finding &F : Findings)
      if (!F.Warning)
        return 1;
    return 0;
  }
};

struct CheckOptions {
  /// needs_allocator: a call to a function defined in none of the inputs,
  /// a call through a pointer and a virtual call count as allocating.
  /// Also: a warning (a selection that yields) is an error.
  bool Strict = false;
  /// needs_allocator: show every function of a long chain, not its first
  /// and last ones.
  bool FullChains = false;
  /// The inputs are those of a link that succeeded (check --link-line): a
  /// thin archive's member whose file was not read is a warning
  /// (allocsel-member-not-checked), not bad input. The linker read the
  /// members it linked; the check goes on without this one, and says so.
  bool LinkSucceeded = false;
};

/// Everything allocsel-link check reports about \p In.
CheckResult check(const Inputs &In, const CheckOptions &Opts = {});

/// allocsel-link explain: which allocator the artifact uses and why.
std::string explain(const Inputs &In);

} // namespace allocsel::link

#endif
