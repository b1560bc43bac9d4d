//===- NeedsAllocatorPolicy.cpp - what counts as allocating ---------------===//
//
// The sinks (docs/design.md, "Roots and sinks"), then the table of
// docs/design.md, "Where allocsel cannot see the code: the policy", row by
// row: a change here is a change of that table.
//
//===----------------------------------------------------------------------===//

#include "NeedsAllocatorPolicy.h"

#include "RouteEmitter.h"
#include "StdModel.h"

#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;

namespace allocsel {

const FunctionDecl *definition(const FunctionDecl *FD) {
  const FunctionDecl *Def = nullptr;
  if (!FD->hasBody(Def) || Def->isDependentContext())
    return nullptr;
  return Def;
}

bool definedByUnit(const FunctionDecl *FD, const SourceManager &SM) {
  const FunctionDecl *Def = definition(FD);
  if (!Def)
    return false;
  SourceLocation Loc = SM.getExpansionLoc(Def->getLocation());
  if (SM.isInMainFile(Loc))
    return true;
  return !SM.isInSystemHeader(Loc) && !Def->isInlined() &&
         Def->getTemplateSpecializationKind() != TSK_ImplicitInstantiation &&
         !Def->isTemplateInstantiation();
}

bool isAllocselMachinery(const FunctionDecl *FD) {
  if (FD->getDeclName().isIdentifier() && FD->getName().starts_with("__allocsel_"))
    return true;
  for (const DeclContext *DC = FD->getDeclContext(); DC; DC = DC->getParent())
    if (const auto *NS = dyn_cast<NamespaceDecl>(DC); NS && NS->getName() == "detail")
      if (const auto *Outer = dyn_cast<NamespaceDecl>(NS->getParent()))
        if (Outer->getName() == "allocsel" && Outer->getParent()->isTranslationUnit())
          return true;
  return false;
}

//===----------------------------------------------------------------------===//
// The sinks: what allocating through the global allocator means.
//===----------------------------------------------------------------------===//

Sink Policy::sink(const FunctionDecl *FD) {
  // allocsel's routes, but the one that describes the selection.
  if (FD->isExternC() && FD->getDeclName().isIdentifier()) {
    llvm::StringRef Name = FD->getName();
    if (Name.starts_with("__allocsel_"))
      return isInfoRoute(Name) ? Sink::None : Sink::Route;
  }
  // The replaceable operator new/delete (not the placement forms), and the
  // builtins through which libstdc++'s std::allocator calls them.
  if (FD->isReplaceableGlobalAllocationFunction())
    return Sink::GlobalOperator;
  switch (FD->getBuiltinID()) {
  case Builtin::BI__builtin_operator_new:
  case Builtin::BI__builtin_operator_delete:
    return Sink::GlobalOperator;
  default:
    break;
  }
  if (isMarked(FD))
    return Sink::Marked;
  if (State.NeedsAllocatorPragma.isValid() && definedByUnit(FD, SM))
    return Sink::NeedsAllocatorUnit;
  return Sink::None;
}

/// [[allocsel::needs_allocator]] on \p FD, on any of its declarations, or on
/// what it was instantiated from (a function template, a member of a class
/// template).
bool Policy::isMarked(const FunctionDecl *FD) {
  if (!MarkedFns) {
    // The attribute's handler runs before clang links a redeclaration to
    // the first declaration: make the set canonical now.
    MarkedFns.emplace();
    for (const FunctionDecl *M : State.NeedsAllocatorFns)
      MarkedFns->insert(M->getCanonicalDecl());
  }
  auto Has = [&](const FunctionDecl *D) {
    return D && (MarkedFns->contains(D->getCanonicalDecl()) || hasNeedsAllocatorMark(D));
  };
  if (Has(FD))
    return true;
  if (const FunctionTemplateDecl *T = FD->getPrimaryTemplate())
    if (Has(T->getTemplatedDecl()))
      return true;
  return Has(FD->getInstantiatedFromMemberFunction()) ||
         Has(FD->getTemplateInstantiationPattern());
}

FunctionKind Policy::classify(const FunctionDecl *FD) {
  if (Sink K = sink(FD); K != Sink::None)
    return {K};
  // (libc++ defines its std::__throw_* helpers inline: they count as
  // libstdc++'s, which have no body, do.)
  if (isThrowHelper(FD)) {
    FunctionKind K = bodyless(FD);
    K.Opaque = true;
    return K;
  }
  if (definition(FD))
    return {}; // its calls are read
  return bodyless(FD);
}

//===----------------------------------------------------------------------===//
// The table: where allocsel cannot see the code.
//===----------------------------------------------------------------------===//

// | virtual call | the method and every override the unit defines; at the
//   link check, also those other units define | allocates |
// (Devirtualized calls, the graph's to tell, reach the method only. The
// graph adds the node the link check joins: Graph::elsewhere().)
CallTargets Policy::virtualCall() const {
  return Strict ? CallTargets::Unknown : CallTargets::Possible;
}

CallTargets Policy::indirectCall(CallThrough Through) const {
  if (Strict)
    return CallTargets::Unknown; // every row: allocates
  switch (Through) {
  // | call through a function pointer or reference | every function of the
  //   same type (exception specification aside) whose address the unit
  //   takes, other than non-static members; at the link check, also those
  //   whose address another unit takes | allocates |
  // | call through a pointer to member | every non-static member function of
  //   the same type whose address the unit takes (a virtual one: and its
  //   overrides, as a virtual call); at the link check, also those another
  //   unit takes | allocates |
  // | call through a std::new_handler | every function the unit passes to
  //   std::set_new_handler; at the link check, also those another unit
  //   passes | allocates |
  // (The graph adds the node the link check joins: Graph::elsewhere().)
  case CallThrough::FunctionPointer:
  case CallThrough::NewHandler:
  case CallThrough::MemberPointer:
    return CallTargets::Possible;
  // | call of a block | nothing more: the block's body counts where it is
  //   written | allocates |
  case CallThrough::Block:
    return CallTargets::None;
  case CallThrough::Nothing:
    return CallTargets::None;
  }
  return CallTargets::None;
}

// | allocate/deallocate on a std::pmr memory resource (and a standard
//   resource's members that use its upstream) | by the resource the call
//   names (the model): null_memory_resource() nothing; an object of a class
//   of the user's its do_allocate, as a virtual call on it; what the unit
//   gives its polymorphic_allocators, each; anything else allocates
//   (new_delete_resource(), the default resource, a resource whose type
//   is not visible) | same |
ResourceTargets Policy::memoryResource(Resource::Kind K) const {
  switch (K) {
  case Resource::Null:
    return ResourceTargets::None;
  case Resource::User:
    return ResourceTargets::Class;
  case Resource::Polymorphic:
    return ResourceTargets::Given;
  case Resource::NewDelete:
  case Resource::Default:
  case Resource::Unknown:
    return ResourceTargets::Allocates;
  }
  return ResourceTargets::Allocates;
}

FunctionKind Policy::bodyless(const FunctionDecl *FD) const {
  // | compiler builtin | does not allocate | does not allocate |
  if (FD->getBuiltinID())
    return {};
  // | trivial constructor, destructor or assignment (no code) | does not
  //   allocate | does not allocate |
  if (FD->isTrivial())
    return {};
  // | pure virtual method without a body | nothing: what runs is an
  //   override (the virtual call row) | same |
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD); MD && MD->isPureVirtual())
    return {};
  switch (classifyLibraryFunction(FD)) {
  // | standard library function without a body | the model | the model;
  //   what it does not know allocates, std::__throw_* too |
  case LibraryKind::Allocates:
    return {Sink::Library};
  // (the model's members that only read, and libstdc++'s out-of-line
  //   bookkeeping: | ... | does not allocate | does not allocate |)
  case LibraryKind::DoesNotAllocate:
    return {};
  case LibraryKind::ThrowHelper:
  case LibraryKind::Unknown:
    return {Strict ? Sink::UnknownLibrary : Sink::None};
  // | C library function | does not allocate | does not allocate |
  case LibraryKind::CLibrary:
    return {};
  // | std::terminate, abort, quick_exit; the standard exceptions'
  //   destructors, what(), code() | does not allocate | does not allocate |
  case LibraryKind::EndsProgram:
  case LibraryKind::ExceptionMember:
    return {};
  // | a function of the user's without a body in the unit | recorded; the
  //   link check follows it into the unit that defines it | same |
  // (... defined in none of the inputs of the link check: allocsel-link's
  // --strict, utils/allocsel-link/Check.cpp.) allocsel's private jemalloc
  // is the runtime's, and what the unit alone can see is no other unit's.
  case LibraryKind::NotLibrary: {
    bool PrivateJemalloc = FD->isExternC() && FD->getDeclName().isIdentifier() &&
                           FD->getName().starts_with("allocsel_je_");
    return {Sink::None, !PrivateJemalloc && FD->isExternallyVisible()};
  }
  }
  return {};
}

} // namespace allocsel
