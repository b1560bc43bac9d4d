//===- RouteEmitter.h - the selection's routing entry points ----*- C++ -*-===//

#ifndef ALLOCSEL_PLUGIN_ROUTEEMITTER_H
#define ALLOCSEL_PLUGIN_ROUTEEMITTER_H

namespace clang {
class Sema;
class VarDecl;
} // namespace clang

namespace allocsel {

/// Defines the routing entry points of <allocsel/alloc.h> in the current
/// unit, routing to the selection \p V, and hands them to code generation.
/// Reports and returns false if the header lacks what the routes need.
bool emitRoutes(clang::Sema &S, clang::VarDecl *V);

} // namespace allocsel

#endif
