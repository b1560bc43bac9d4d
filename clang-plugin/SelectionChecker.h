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

/// Reports each definition of the unit's own (not the plugin's) whose name
/// begins with "__allocsel_", at namespace scope or in an extern "C" block:
/// such names are allocsel's (its routes, runtime and link protocol), and
/// the unit selects \p V, so a definition would take the routing over or
/// collide with allocsel's at link time. Any signature, C or C++ linkage,
/// function or variable (allocsel-reserved-name). Returns how many.
unsigned reportReservedNames(clang::Sema &S, const clang::VarDecl *V);

} // namespace allocsel

#endif
