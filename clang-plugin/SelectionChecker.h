//===- SelectionChecker.h - checks on a [[global_allocator]] ---*- C++ -*-===//
//
// Once a marked variable's declaration is complete (initializer included),
// the checker decides whether it is a valid selection: placement, the Alloc
// interface, constant initialization, trivial destruction, uniqueness.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_SELECTIONCHECKER_H
#define ALLOCSEL_PLUGIN_SELECTIONCHECKER_H

#include "State.h"

namespace clang {
class Sema;
class VarDecl;
} // namespace clang

namespace allocsel {

class SelectionChecker {
public:
  SelectionChecker(clang::Sema &S, UnitState &State) : S(S), State(State) {}

  /// Checks \p M and, if its placement is valid, records it as a selection
  /// of the unit. Returns true if the selection is valid in every respect.
  bool check(const Marked &M);

private:
  bool checkPlacement(const Marked &M);
  bool checkInterface(clang::VarDecl *V);
  bool checkConstantInit(clang::VarDecl *V);
  bool checkDestructor(clang::VarDecl *V);

  clang::Sema &S;
  UnitState &State;
};

} // namespace allocsel

#endif
