//===- State.h - what the plugin knows about one translation unit -*- C++ -*-===//
//
// The attribute handler runs inside Sema; the AST consumer runs when
// declarations are complete. They share this per-unit state, keyed by the
// unit's ASTContext, instead of marking declarations with AST attributes
// (an AnnotateAttr would leak into the IR as llvm.global.annotations).
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_STATE_H
#define ALLOCSEL_PLUGIN_STATE_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "llvm/ADT/SmallVector.h"

namespace allocsel {

/// A variable that carries [[global_allocator]], waiting for its
/// declaration (initializer included) to be complete.
struct Marked {
  clang::VarDecl *Var;
  clang::SourceLocation AttrLoc;
};

struct UnitState {
  /// Marked variables whose declaration is not complete yet.
  llvm::SmallVector<Marked, 2> Pending;
  /// Accepted selections (placement valid), in source order.
  llvm::SmallVector<Marked, 1> Selections;

  /// The state of the unit that owns \p Ctx, or null when the allocsel
  /// action does not run for it.
  static UnitState *get(const clang::ASTContext &Ctx);
  static void attach(const clang::ASTContext &Ctx, UnitState *S);
  static void detach(const clang::ASTContext &Ctx);
};

} // namespace allocsel

#endif
