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
};

struct CheckResult {
  std::vector<Finding> Findings;
  bool BadInput = false;

  /// 0: clean, 1: violations, 2: unreadable or invalid input.
  int exitCode() const { return BadInput ? 2 : Findings.empty() ? 0 : 1; }
};

struct CheckOptions {
  /// needs_allocator: a call to a function defined in none of the inputs
  /// counts as allocating.
  bool Strict = false;
};

/// Everything allocsel-link check reports about \p In.
CheckResult check(const Inputs &In, const CheckOptions &Opts = {});

/// allocsel-link explain: which allocator the artifact uses and why.
std::string explain(const Inputs &In);

} // namespace allocsel::link

#endif
