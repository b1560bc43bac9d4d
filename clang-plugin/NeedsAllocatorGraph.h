//===- NeedsAllocatorGraph.h - who calls whom -------------------*- C++ -*-===//
//
// The needs_allocator analysis's call graph. It is built lazily: a
// function's calls are collected from its body, in one pass over it, the
// first time the search asks for them, so only code reachable from the
// roots and the unit's exported functions is ever read. What counts as a
// call is docs/design.md's "What counts as a call"; where the target is
// not one function the code names, the policy (NeedsAllocatorPolicy.h)
// says what the call reaches.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_NEEDSALLOCATORGRAPH_H
#define ALLOCSEL_PLUGIN_NEEDSALLOCATORGRAPH_H

#include "NeedsAllocator.h"
#include "NeedsAllocatorPolicy.h"

#include "clang/AST/Type.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace clang {
class ASTContext;
class CXXMethodDecl;
class CXXRecordDecl;
class FunctionDecl;
class ParmVarDecl;
} // namespace clang

namespace allocsel {

/// One call from a function's body.
struct Call {
  const clang::FunctionDecl *Callee; // canonical; null for an unknown call (strict)
  clang::SourceLocation Loc;
  const char *Unknown = nullptr; // for an unknown call: what it is
};

/// What an indirect call calls through, and the function type it calls
/// (null unless a function pointer, reference or pointer to member).
struct IndirectCallee {
  CallThrough Through = CallThrough::Nothing;
  clang::QualType Type;
  /// A call through a function-pointer parameter that its function never
  /// changes (parameterCalled()): it calls what the function's callers
  /// pass, which other units record (facts::ParameterBinding).
  const clang::ParmVarDecl *Param = nullptr;
  /// Not a call through a pointer but a virtual call of this method that
  /// the compiler does not devirtualize: it can reach the overrides other
  /// units define (facts::VirtualCall).
  const clang::CXXMethodDecl *Virtual = nullptr;
};

/// A node that stands for a call that allocates from or frees to a
/// std::pmr memory resource the model says allocates (its kind is
/// Sink::MemoryResource): which resource, and how the call uses it.
struct ResourceSink {
  Resource R;
  ResourceUse Use = ResourceUse::Allocate;
  bool Given = false; // the resource a std::pmr::polymorphic_allocator is given
};

/// What a call of Callee passes as its function-pointer parameter Param: the
/// function Passed, or (null) something else, or Callee's address is taken
/// so that its calls are not seen.
struct Binding {
  const clang::FunctionDecl *Callee; // canonical
  unsigned Param;
  const clang::FunctionDecl *Passed; // canonical; null: any function
  clang::SourceLocation Loc;
};

class Graph {
public:
  Graph(clang::ASTContext &Ctx, Policy &P, const Options &Opts, AnalysisProgress &Progress)
      : Ctx(Ctx), P(P), CrashIn(Opts.TestCrashIn), OwnDeclsOnly(Opts.ownDeclsOnly()),
        Progress(Progress) {}

  /// How \p FD (canonical) counts before its body is read (the policy's
  /// answer; a dispatcher counts as nothing).
  const FunctionKind &kind(const clang::FunctionDecl *FD);

  /// The calls of \p FD's body, in the order a reader meets them, the
  /// destructors that run implicitly last; none without a body.
  const std::vector<Call> &calls(const clang::FunctionDecl *FD);

  /// Calls whose target is one of several go to a dispatcher: one node per
  /// indirect call shape (function type) and per virtual method, with an
  /// edge to each possible target. N call sites of M targets are then N + M
  /// edges, not N x M (generated dispatch tables have thousands of both).
  /// A dispatcher is a FunctionDecl the plugin makes and never adds to the
  /// AST; chains skip it.
  bool isDispatcher(const clang::FunctionDecl *FD) const { return DispatcherSet.contains(FD); }

  /// A call through a pointer can also reach the functions of its type
  /// whose address other units take: each such call also calls the node
  /// for its type (one per callKey()), a function without a body in the
  /// unit, like a call into another unit. The summary records the calls
  /// that reach it; the link check joins them to the other units' address-
  /// taken functions. Null when \p FD is not such a node, else the type.
  const IndirectCallee *elsewhere(const clang::FunctionDecl *FD) const {
    auto It = ElsewhereOf.find(FD);
    return It == ElsewhereOf.end() ? nullptr : &It->second;
  }

  /// A call at \p Loc of \p Callee, a member of a standard memory resource
  /// class that asks \p Use of the resource \p R: appends what it reaches
  /// to \p Into, as the policy says (NeedsAllocatorPolicy.h,
  /// ResourceTargets). \p Given: \p R is what a polymorphic_allocator is
  /// given.
  void resourceTargets(const clang::FunctionDecl *Callee, Resource R, ResourceUse Use,
                       clang::SourceLocation Loc, std::vector<Call> &Into, bool Given = false);
  /// The resource a Sink::MemoryResource node stands for; null for any
  /// other function.
  const ResourceSink *resourceSink(const clang::FunctionDecl *FD) const {
    auto It = ResourceSinks.find(FD);
    return It == ResourceSinks.end() ? nullptr : &It->second;
  }
  /// The resources the unit gives its std::pmr::polymorphic_allocators
  /// (the constructions in its code and its instantiations, found once):
  /// what the resource member inside polymorphic_allocator's code can be.
  const std::vector<Resource> &polymorphicResources();

  /// A node whose calls are the initializers and destructors of the
  /// variables with static storage the unit defines: code that runs without
  /// being called by a function of the unit.
  const clang::FunctionDecl *initializers();

  /// A function whose address is taken, and what can call it: a function
  /// pointer, a pointer to member, or (given to std::set_new_handler) a
  /// std::new_handler.
  using Taken = std::pair<const clang::FunctionDecl *, CallThrough>;
  /// The functions whose address is taken in the bodies read so far (by
  /// calls()), in the order read, each with where it was first taken; not
  /// dependent ones, nor allocsel's own. Code that is never read is never
  /// run from the functions read, so what matters at run time is here once
  /// everything reachable was read.
  const llvm::MapVector<Taken, clang::SourceLocation> &takenSoFar() const {
    return ReachedTaken;
  }
  void noteTaken(const clang::FunctionDecl *FD, clang::SourceLocation Loc, CallThrough As);

  /// The methods that override another, of the classes whose objects the
  /// bodies read so far construct, in the order read: a virtual call in
  /// another unit can reach them (the overrides of code that runs, as with
  /// address-taken functions). Only those with a body in the unit (one
  /// defined in another unit is listed there) and a method to override
  /// that other units can call (overriddenKeys()); not allocsel's own.
  const llvm::SetVector<const clang::FunctionDecl *> &overridersSoFar() const {
    return ReachedOverriders;
  }
  void noteConstructed(const clang::CXXRecordDecl *RD);
  /// The methods \p MD overrides, directly or through other overrides, that
  /// a virtual call in another unit can name: externally visible ones (an
  /// internal class's are all in this unit), each once, nearest first.
  static void overriddenKeys(const clang::CXXMethodDecl *MD,
                             llvm::SmallVectorImpl<const clang::CXXMethodDecl *> &Out);
  /// Whether a virtual call of \p MD can reach overrides in other units.
  static bool isVirtualKey(const clang::CXXMethodDecl *MD);

  /// What the bodies read so far pass to function-pointer parameters, each
  /// (callee, parameter, function passed) once, where first passed.
  const std::vector<Binding> &bindingsSoFar() const { return ReachedBindings; }
  void noteBinding(const Binding &B);
  /// Whether a call through \p P can reach only what the callers of its
  /// function pass: a function-pointer (or function reference) parameter
  /// of a function that is not a constructor, not virtual, not a lambda's
  /// call operator (their calls are not all direct calls by name), and that
  /// never assigns \p P or takes its address.
  bool callsOnlyWhatIsPassed(const clang::ParmVarDecl *P);
  /// Whether \p P's type is a pointer or reference to function.
  static bool isFunctionPointerParam(const clang::ParmVarDecl *P);

  /// How address-taken functions are looked up: their canonical function
  /// type without exception specification (with what calls them: callKey()).
  clang::QualType callType(clang::QualType FnTy) const;
  /// What calls \p FD when its address is taken: a pointer to member (a
  /// non-static member function) or a function pointer.
  static CallThrough takenAs(const clang::FunctionDecl *FD);

private:
  friend class CallCollector;

  /// The dispatcher to what \p Callee can call, or null when there is no
  /// target.
  const clang::FunctionDecl *addressTakenDispatcher(const IndirectCallee &Callee);
  /// The dispatcher to the overrides of \p MD, or null when there is none.
  const clang::FunctionDecl *overridersDispatcher(const clang::CXXMethodDecl *MD);
  const clang::FunctionDecl *
  dispatcher(std::pair<const void *, unsigned> Key,
             llvm::function_ref<void(llvm::SmallVectorImpl<const clang::FunctionDecl *> &)> Targets);
  void overriders(const clang::CXXMethodDecl *MD,
                  llvm::SmallVectorImpl<const clang::FunctionDecl *> &Out);
  void addressTaken(const IndirectCallee &Callee,
                    llvm::SmallVectorImpl<const clang::FunctionDecl *> &Out);
  /// The node for a call of \p Callee that allocates from the resource of \p S.
  const clang::FunctionDecl *resourceSinkNode(const clang::FunctionDecl *Callee,
                                              const ResourceSink &S);
  /// The method named \p Name that runs for an object of class \p RD: its
  /// own, or the nearest base's (null if none).
  const clang::CXXMethodDecl *overrider(const clang::CXXRecordDecl *RD, llvm::StringRef Name,
                                        unsigned Depth = 0);
  /// The node for what other units' functions of \p Callee's type may do.
  const clang::FunctionDecl *elsewhereNode(const IndirectCallee &Callee);
  /// The node for what other units' overrides of \p MD may do, or null if
  /// no other unit can override it.
  const clang::FunctionDecl *virtualElsewhere(const clang::CXXMethodDecl *MD);
  /// callType() and what calls through it, as a map key.
  std::pair<const void *, unsigned> callKey(clang::QualType FnTy, CallThrough Through) const;
  /// A FunctionDecl the plugin makes for a node of its own (a dispatcher,
  /// an elsewhere node) and never adds to the AST.
  const clang::FunctionDecl *makeNode(const char *Name);

  clang::ASTContext &Ctx;
  Policy &P;
  std::string CrashIn; // test only: fail when reading this function
  bool OwnDeclsOnly; // Options::ownDeclsOnly
  AnalysisProgress &Progress;

  llvm::DenseMap<const clang::FunctionDecl *, FunctionKind> Kinds;
  llvm::DenseMap<const clang::FunctionDecl *, std::vector<Call>> Edges;
  llvm::DenseMap<std::pair<const void *, unsigned>, const clang::FunctionDecl *> Dispatchers;
  llvm::SmallPtrSet<const clang::FunctionDecl *, 8> DispatcherSet;
  /// Every method that overrides another, by what it overrides (made on the
  /// first virtual call).
  std::optional<llvm::DenseMap<const clang::CXXMethodDecl *,
                               llvm::SmallVector<const clang::CXXMethodDecl *, 2>>>
      Overrides;
  /// Every function whose address the unit takes, by callKey() (made on
  /// the first call through a pointer).
  std::optional<llvm::DenseMap<std::pair<const void *, unsigned>,
                               llvm::SmallSetVector<const clang::FunctionDecl *, 2>>>
      AddressTakenFns;
  llvm::MapVector<Taken, clang::SourceLocation> ReachedTaken;
  llvm::SmallPtrSet<const clang::CXXRecordDecl *, 8> Constructed;
  llvm::SetVector<const clang::FunctionDecl *> ReachedOverriders;
  std::vector<Binding> ReachedBindings;
  llvm::DenseSet<std::tuple<const void *, unsigned, const void *>> BindingSeen;
  llvm::DenseMap<const clang::ParmVarDecl *, bool> OnlyPassed;
  const clang::FunctionDecl *InitNode = nullptr;
  llvm::DenseMap<std::pair<const void *, unsigned>, const clang::FunctionDecl *> Elsewhere;
  llvm::DenseMap<const clang::FunctionDecl *, IndirectCallee> ElsewhereOf;
  llvm::DenseMap<const clang::FunctionDecl *, ResourceSink> ResourceSinks;
  llvm::DenseMap<std::tuple<const void *, unsigned, const void *, unsigned, unsigned>,
                 const clang::FunctionDecl *>
      ResourceSinkNodes;
  std::optional<std::vector<Resource>> PolymorphicGiven;
};

} // namespace allocsel

#endif
