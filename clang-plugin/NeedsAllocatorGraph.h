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
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clang {
class ASTContext;
class CXXMethodDecl;
class FunctionDecl;
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
};

class Graph {
public:
  Graph(clang::ASTContext &Ctx, Policy &P, const Options &Opts, AnalysisProgress &Progress)
      : Ctx(Ctx), P(P), CrashIn(Opts.TestCrashIn), Progress(Progress) {}

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
  /// How address-taken functions are looked up: their canonical function
  /// type without exception specification, and whether a pointer to member
  /// calls them.
  std::pair<const void *, unsigned> callKey(clang::QualType FnTy, bool Member) const;

  clang::ASTContext &Ctx;
  Policy &P;
  std::string CrashIn; // test only: fail when reading this function
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
  /// Address-taken functions by callKey() (made on the first indirect call).
  std::optional<llvm::DenseMap<std::pair<const void *, unsigned>,
                               llvm::SmallVector<const clang::FunctionDecl *, 2>>>
      AddressTakenFns;
};

} // namespace allocsel

#endif
