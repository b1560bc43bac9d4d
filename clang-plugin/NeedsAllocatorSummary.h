//===- NeedsAllocatorSummary.h - what the unit's record says ----*- C++ -*-===//
//
// For chains across units (docs/design.md, "The summary"): the functions
// other units can call, and what the unit's facts record says of each
// function that gets a summary, of the unit's marks and of its marked
// functions. allocsel-link reads it back.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_NEEDSALLOCATORSUMMARY_H
#define ALLOCSEL_PLUGIN_NEEDSALLOCATORSUMMARY_H

#include "Facts.h"
#include "NeedsAllocatorSearch.h"
#include "State.h"

#include "clang/AST/Mangle.h"

#include <memory>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class FunctionDecl;
} // namespace clang

namespace allocsel {

/// The functions the unit defines that other units can call (externally
/// visible, not an inline function every caller has), in source order; the
/// explicit instantiation definitions' members last. \p OwnOnly: see
/// topLevelDecls.
std::vector<const clang::FunctionDecl *> exportedFunctions(clang::ASTContext &Ctx, bool OwnOnly);

/// Whether this unit holds the external definition of \p FD that other
/// units call.
bool definesForOtherUnits(const clang::FunctionDecl *FD, const clang::ASTContext &Ctx);

class SummaryWriter {
public:
  SummaryWriter(clang::ASTContext &Ctx, const Graph &G, facts::UnitRecord &Rec)
      : Ctx(Ctx), G(G), Rec(Rec), Mangler(Ctx.createMangleContext()) {}

  /// Where a summary goes: the functions other units call by name, or the
  /// callbacks (address-taken functions and overrides they cannot call by
  /// name; written after all of the former).
  enum class List { Functions, Callbacks };
  /// Adds \p FD's summary, the chains \p F found from it, unless it is not
  /// a root and has nothing to say; returns whether it did. A call that
  /// leaves through a pointer is recorded as a facts::PointerCall, a
  /// virtual call as a facts::VirtualCall.
  bool summarize(const clang::FunctionDecl *FD, const Found &F, bool IsRoot,
                 List To = List::Functions);
  /// Records that the unit takes \p FD's address, first at \p Loc
  /// (facts::AddressTaken).
  void addressTaken(const clang::FunctionDecl *FD, CallThrough As, clang::SourceLocation Loc);
  /// Records that the unit defines \p FD, an override: once for each
  /// method it overrides that other units can call (facts::Override).
  void overrides(const clang::FunctionDecl *FD);
  /// Records what a call passes to a function-pointer parameter
  /// (facts::ParameterBinding).
  void binding(const Binding &B);
  /// Records the unit's marks and its [[allocsel::needs_allocator]]
  /// functions.
  void marks(const UnitState &State);

private:
  std::string symbol(const clang::FunctionDecl *FD);
  facts::Location location(clang::SourceLocation Loc) const;
  std::vector<facts::Step> steps(const std::vector<Call> &Chain) const;
  /// The type key of a pointer to a function of type \p FnTy (a callType())
  /// that \p Through calls: its Itanium mangling, after an `M` for a
  /// pointer to member; `St11new_handler` for a std::new_handler.
  std::string typeKey(clang::QualType FnTy, CallThrough Through);

  clang::ASTContext &Ctx;
  const Graph &G;
  facts::UnitRecord &Rec;
  std::unique_ptr<clang::MangleContext> Mangler;
};

} // namespace allocsel

#endif
