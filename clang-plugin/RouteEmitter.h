//===- RouteEmitter.h - the selection's routing entry points ----*- C++ -*-===//

#ifndef ALLOCSEL_PLUGIN_ROUTEEMITTER_H
#define ALLOCSEL_PLUGIN_ROUTEEMITTER_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace clang {
class ASTContext;
class Decl;
class Sema;
class VarDecl;
struct PrintingPolicy;
} // namespace clang

namespace allocsel {

/// Defines the routing entry points of <allocsel/alloc.h> in the current
/// unit, routing to the selection \p V, and hands them to code generation.
/// Reports and returns false if the header lacks what the routes need.
/// Also emits the operators' weak thunks (emitThunks). \p FromModuleFile:
/// the unit is compiled from its BMI, where the declarations of its own
/// global module fragment (the header's) are not visible to lookup.
bool emitRoutes(clang::Sema &S, clang::VarDecl *V, bool FromModuleFile = false);

/// Emits the 20 operators' weak thunks (runtime/src/thunks.h) as module
/// assembly: the object that routes is the one that links the operators.
void emitThunks(clang::Sema &S);

/// Hands \p Asm to code generation as module-level asm of the unit (the
/// thunks, the facts record).
void emitModuleAsm(clang::Sema &S, llvm::StringRef Asm);

/// C++20 named modules. A module unit's declarations reach its importers
/// through its BMI, and whatever the plugin adds to the AST there would be
/// emitted again by every importer. So in a named module unit the plugin
/// keeps its module assembly out of the AST (it goes to code generation
/// only), and marks the accepted selection on the variable itself
/// (serialized with it): the compile that makes the unit's object, from
/// source or from the BMI (clang -c x.pcm), routes to it there.
bool inNamedModuleUnit(const clang::ASTContext &Ctx);
void markModuleSelection(clang::ASTContext &Ctx, clang::VarDecl *V);
/// The selection marked so in the module unit being compiled from its BMI
/// (not one it imports), wherever it is declared; null if none.
clang::VarDecl *findModuleSelection(clang::ASTContext &Ctx);

/// How a selection is named to users: "app::GLOBAL", "main()::GLOBAL".
/// True for the route that describes the selection (__allocsel_info), which
/// calls no allocator.
bool isInfoRoute(llvm::StringRef Symbol);

std::string describeVariable(const clang::VarDecl *V,
                             const clang::PrintingPolicy &Policy);

} // namespace allocsel

#endif
