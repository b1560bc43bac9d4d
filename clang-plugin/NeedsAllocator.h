//===- NeedsAllocator.h - an allocator must not need itself -----*- C++ -*-===//
//
// The needs_allocator rule (docs/guide.md section 2): nothing reachable by calls from
// the selected type's Alloc members, or from a function defined in an
// allocator unit, may reach the global allocator (the replaceable operator
// new/delete, allocsel's routes, std::allocator and everything built on it,
// [[allocsel::needs_allocator]] functions, functions defined in a
// needs_allocator unit).
//
// In one unit the plugin follows calls through every body it has and reports
// chains that stay in the unit. For chains that leave it, it records a
// summary in the unit's facts record, and allocsel-link follows them.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_NEEDSALLOCATOR_H
#define ALLOCSEL_PLUGIN_NEEDSALLOCATOR_H

#include "Facts.h"
#include "Options.h"
#include "State.h"

namespace clang {
class FunctionDecl;
class Sema;
class VarDecl;
} // namespace clang

namespace allocsel {

/// What the analysis is working on, kept up to date so that an internal
/// failure can name it (see CrashGuard.h).
struct AnalysisProgress {
  /// The function whose body is being read, or null.
  const clang::FunctionDecl *Current = nullptr;
};

/// Runs the analysis at the end of the unit: reports chains inside the unit
/// (returns false if it reported any) and fills \p Rec's summary.
/// \p Selection is the unit's routed selection, or null.
bool checkNeedsAllocator(clang::Sema &S, const UnitState &State,
                         const clang::VarDecl *Selection, const Options &Opts,
                         facts::UnitRecord &Rec, AnalysisProgress &Progress);

} // namespace allocsel

#endif
