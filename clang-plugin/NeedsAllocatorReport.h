//===- NeedsAllocatorReport.h - chains as the user reads them ---*- C++ -*-===//
//
// A root's chain to the global allocator as a compiler error: one note per
// call, as a template backtrace reads, and a last note that says why the
// chain's end allocates. How a chain is shown is shared with the summary.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_NEEDSALLOCATORREPORT_H
#define ALLOCSEL_PLUGIN_NEEDSALLOCATORREPORT_H

#include "NeedsAllocatorSearch.h"
#include "State.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
class DiagnosticsEngine;
class FunctionDecl;
class SourceManager;
class VarDecl;
} // namespace clang

namespace allocsel {

/// A function that must not reach the global allocator.
struct Root {
  const clang::FunctionDecl *FD; // canonical
  bool Member; // an Alloc member (else: defined in an allocator unit)
};

/// \p FD's name as diagnostics print it: qualified, with template arguments.
std::string displayName(const clang::ASTContext &Ctx, const clang::FunctionDecl *FD);

/// A run of calls inside system headers shows only its last call, in the
/// notes as in the summary: true for the calls left out.
bool isElided(const clang::SourceManager &SM, const std::vector<Call> &Chain, size_t I);

/// Reports \p R's chain \p F as an error with its notes: a long chain
/// shows its first and last calls and how many it left out, unless
/// \p FullChains. \p Selection is the unit's selection, for an Alloc
/// member. \p Also: other roots whose chains run through this one, named
/// in it instead of reported on their own. \p G made the chain (it knows
/// what its own nodes stand for).
void reportChain(clang::DiagnosticsEngine &Diags, const clang::ASTContext &Ctx,
                 const UnitState &State, const Graph &G, const Root &R, const Found &F,
                 const clang::VarDecl *Selection, bool FullChains,
                 const std::vector<const clang::FunctionDecl *> &Also);

} // namespace allocsel

#endif
