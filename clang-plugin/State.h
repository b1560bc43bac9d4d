//===- State.h - what the plugin knows about one translation unit -*- C++ -*-===//
//
// The attribute handler runs inside Sema; the AST consumer runs when
// declarations are complete. They share this per-unit state, keyed by the
// unit's ASTContext, instead of marking declarations with AST attributes
// (an AnnotateAttr would leak into the IR as llvm.global.annotations).
// The exceptions are ASTs written for later units, which see the AST but
// not this state: a selection in a C++20 named module unit is marked on
// the variable, for the compile that makes the object from the BMI
// (RouteEmitter.h); and where the AST is written without code (a PCH,
// clangd's preamble, a module interface's BMI), a needs_allocator mark is
// kept on the function too (NeedsAllocatorMark).
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_STATE_H
#define ALLOCSEL_PLUGIN_STATE_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"

namespace allocsel {

/// The annotation that keeps [[allocsel::needs_allocator]] on a function in
/// an AST written for later units (UnitState::KeepMarksInAST).
inline constexpr llvm::StringLiteral NeedsAllocatorMark = "allocsel.needs_allocator";

/// Whether \p FD, or a redeclaration, carries NeedsAllocatorMark (from a
/// PCH, a preamble or a module).
bool hasNeedsAllocatorMark(const clang::FunctionDecl *FD);

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

  /// `#pragma allocsel needs_allocator`: where, if the unit has it.
  clang::SourceLocation NeedsAllocatorPragma;
  /// `#pragma allocsel allocator`: where, if the unit has it.
  clang::SourceLocation AllocatorPragma;
  /// Functions marked [[allocsel::needs_allocator]] (canonical declarations).
  llvm::SmallPtrSet<const clang::FunctionDecl *, 4> NeedsAllocatorFns;
  /// The unit writes its AST for later units, without code: marks are kept
  /// on the declarations as well.
  bool KeepMarksInAST = false;

  /// The state of the unit that owns \p Owner (its ASTContext or its
  /// Preprocessor), or null when the allocsel action does not run for it.
  static UnitState *get(const void *Owner);
  static void attach(const void *Owner, UnitState *S);
  static void detach(const void *Owner);
};

} // namespace allocsel

#endif
