//===- RouteEmitter.h - the selection's routing entry points ----*- C++ -*-===//

#ifndef ALLOCSEL_PLUGIN_ROUTEEMITTER_H
#define ALLOCSEL_PLUGIN_ROUTEEMITTER_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace clang {
class Sema;
class VarDecl;
struct PrintingPolicy;
} // namespace clang

namespace allocsel {

/// Defines the routing entry points of <allocsel/alloc.h> in the current
/// unit, routing to the selection \p V, and hands them to code generation.
/// Reports and returns false if the header lacks what the routes need.
/// Also emits the operators' weak thunks (emitThunks).
bool emitRoutes(clang::Sema &S, clang::VarDecl *V);

/// Emits the 20 operators' weak thunks (runtime/src/thunks.h) as module
/// assembly: the object that routes is the one that links the operators.
void emitThunks(clang::Sema &S);

/// Hands \p Asm to code generation as module-level asm of the unit (the
/// thunks, the facts record).
void emitModuleAsm(clang::Sema &S, llvm::StringRef Asm);

/// How a selection is named to users: "app::GLOBAL", "main()::GLOBAL".
/// True for the route that describes the selection (__allocsel_info), which
/// calls no allocator.
bool isInfoRoute(llvm::StringRef Symbol);

std::string describeVariable(const clang::VarDecl *V,
                             const clang::PrintingPolicy &Policy);

} // namespace allocsel

#endif
