//===- NeedsAllocatorPolicy.h - what counts as allocating -------*- C++ -*-===//
//
// The needs_allocator rule's sinks, and what a call counts as where allocsel
// cannot see the code, in the default and the strict mode: the table of
// docs/design.md ("Where allocsel cannot see the code: the policy") in code.
// The call graph asks the policy; nothing else decides what allocates.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_NEEDSALLOCATORPOLICY_H
#define ALLOCSEL_PLUGIN_NEEDSALLOCATORPOLICY_H

#include "State.h"
#include "StdModel.h"

#include "llvm/ADT/DenseSet.h"

#include <optional>

namespace clang {
class FunctionDecl;
class SourceManager;
} // namespace clang

namespace allocsel {

/// Why a function counts as allocating through the global allocator.
enum class Sink {
  None,
  GlobalOperator,     // replaceable operator new/delete
  Route,              // allocsel's routes (allocsel::Global)
  Marked,             // [[allocsel::needs_allocator]]
  NeedsAllocatorUnit, // defined in a `#pragma allocsel needs_allocator` unit
  Library,            // the standard library model says so
  MemoryResource,     // a std::pmr resource that allocates with operator new
                      // (a node the graph makes for the call)
  UnknownLibrary,     // strict: a standard function the model does not know
  UnknownCall,        // strict: an indirect or unresolvable virtual call
};

/// How a function counts before its body is read.
struct FunctionKind {
  Sink K = Sink::None;
  /// A function of the user's without a body in the unit: another unit
  /// defines it, and the link check follows the call there.
  bool External = false;
  /// A function whose body is not read even where the unit has one: the
  /// model says what it is (libc++'s inline std::__throw_* helpers count as
  /// libstdc++'s out-of-line ones).
  bool Opaque = false;
};

/// What an indirect call calls through.
enum class CallThrough {
  FunctionPointer, // a pointer or reference to function
  NewHandler,      // a function pointer of type std::new_handler: what
                   // std::set_new_handler was given
  MemberPointer,   // a pointer to member function: `(o.*pm)()`, `(p->*pm)()`
  Block,           // a block (-fblocks): `^{...}()`
  Nothing,         // no function can be its target (a dependent type)
};

/// What a call reaches besides the function its code names, when that is
/// not the whole story (a virtual call that is not devirtualized, an
/// indirect call).
enum class CallTargets {
  None,     // nothing more
  Possible, // every function of the unit it can call (overrides, or the
            // address-taken functions of its type)
  Unknown,  // unknown code: counts as allocating
};

/// What a call that allocates from (or frees to) a std::pmr memory
/// resource reaches, by what the model says the resource is.
enum class ResourceTargets {
  None,      // nothing: null_memory_resource()
  Allocates, // the global allocator: new_delete_resource(), the default
             // resource, a resource the model cannot see
  Class,     // the do_allocate/do_deallocate of the resource's class (a
             // class of the user's), as a virtual call on it
  Given,     // what the unit gives its polymorphic allocators, each
};

/// The definition of \p FD the unit has (not a template's), or null.
const clang::FunctionDecl *definition(const clang::FunctionDecl *FD);

/// Whether \p FD's definition is this unit's own: in the main file, or in
/// a file it includes that is not a system header, as a definition no
/// other unit has (not inline, not a template's instantiation): a unity
/// build's sources (`#include "alloc.c"`), a header's non-inline function.
/// What a `#pragma allocsel` covers, and what the unit exports.
bool definedByUnit(const clang::FunctionDecl *FD, const clang::SourceManager &SM);

/// The unit's top-level declarations to walk for what it defines: all of
/// them, or with \p OwnOnly (Options::ownDeclsOnly) only those this compile
/// parsed, leaving a PCH's unread (an AST file's are not the main file's).
inline clang::DeclContext::decl_range topLevelDecls(const clang::ASTContext &Ctx,
                                                    bool OwnOnly) {
  const clang::TranslationUnitDecl *TU = Ctx.getTranslationUnitDecl();
  return OwnOnly ? TU->noload_decls() : TU->decls();
}

/// Walks the unit's top-level declarations (topLevelDecls) with a
/// RecursiveASTVisitor.
template <typename Visitor>
void traverseTopLevel(Visitor &V, const clang::ASTContext &Ctx, bool OwnOnly) {
  for (clang::Decl *D : topLevelDecls(Ctx, OwnOnly))
    V.TraverseDecl(D);
}

/// Whether \p FD is allocsel's own routing code: `__allocsel_*`, or in
/// `allocsel::detail` (<allocsel/detail/...>). The addresses it takes are
/// called by allocsel's runtime only, never by an allocator.
bool isAllocselMachinery(const clang::FunctionDecl *FD);

class Policy {
public:
  Policy(const clang::SourceManager &SM, const UnitState &State, bool Strict)
      : SM(SM), State(State), Strict(Strict) {}

  /// How \p FD (canonical) counts, before its body is read: a sink, a
  /// function whose body is read, a bodyless function of the library or of
  /// another unit.
  FunctionKind classify(const clang::FunctionDecl *FD);

  /// A virtual call that is not devirtualized: besides the method it names.
  CallTargets virtualCall() const;
  /// A call through a pointer, a reference or a block.
  CallTargets indirectCall(CallThrough Through) const;
  /// A call that allocates from or frees to the memory resource \p K.
  ResourceTargets memoryResource(Resource::Kind K) const;

private:
  Sink sink(const clang::FunctionDecl *FD);
  FunctionKind bodyless(const clang::FunctionDecl *FD) const;
  bool isMarked(const clang::FunctionDecl *FD);

  const clang::SourceManager &SM;
  const UnitState &State;
  bool Strict;
  /// State.NeedsAllocatorFns, canonical (made on first use).
  std::optional<llvm::DenseSet<const clang::FunctionDecl *>> MarkedFns;
};

} // namespace allocsel

#endif
