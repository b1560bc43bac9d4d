//===- NeedsAllocator.cpp - an allocator must not need itself -------------===//
//
// The call graph is built lazily: a function's calls are collected from its
// body the first time a search reaches it, so only code reachable from the
// roots and from the unit's exported functions is ever visited.
//
// What counts as a call (Calls::collect):
//   direct calls, member and operator calls, constructors (and the
//   destructor of what they construct), destructors of temporaries and
//   locals, the operator new/delete of new- and delete-expressions,
//   constructor initializers, implicit member and base destructors,
//   default arguments and default member initializers. A lambda's body is
//   its call operator's, reached when the lambda is called.
// Calls whose target is not known statically:
//   virtual call    the method and every override the unit defines, unless
//                   the call is qualified or the method or class is final;
//   indirect call   every function of the same type whose address the unit
//                   takes (computed once, on the first indirect call).
//   In strict mode both count as reaching unknown code, which allocates.
// Functions without a body in the unit: see StdModel.cpp; the user's own
// are "external" and go into the summary for allocsel-link.
//
//===----------------------------------------------------------------------===//

#include "NeedsAllocator.h"

#include "AllocInterface.h"
#include "ClangCompat.h"
#include "CrashGuard.h"
#include "Diagnostics.h"
#include "RouteEmitter.h"
#include "StdModel.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Mangle.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Sema/Lookup.h"
#include "clang/Sema/Sema.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>

using namespace clang;

namespace allocsel {
namespace {

/// One call from a function's body.
struct Call {
  const FunctionDecl *Callee; // canonical; null for an unknown call (strict)
  SourceLocation Loc;
  const char *Unknown = nullptr; // for an unknown call: what it is
};

/// Why a function counts as allocating through the global allocator.
enum class Sink {
  None,
  GlobalOperator,     // replaceable operator new/delete
  Route,              // allocsel's routes (allocsel::Global)
  Marked,             // [[allocsel::needs_allocator]]
  NeedsAllocatorUnit, // defined in a `#pragma allocsel needs_allocator` unit
  Library,            // the standard library model says so
  UnknownLibrary,     // strict: a standard function the model does not know
  UnknownCall,        // strict: an indirect or unresolvable virtual call
};

/// What a search found from one start: the first (shortest) chain to the
/// global allocator, and the first chain to each exit: a function of the
/// user's defined in another unit, or one of this unit's summarized
/// functions (a search for the summary stops there; the link check goes on
/// from that function's own summary).
struct Found {
  std::vector<Call> SinkChain;
  unsigned SinkSkipped = 0; // calls left out of SinkChain, before its last
  Sink SinkKind = Sink::None;
  struct Exit {
    const FunctionDecl *To;
    std::vector<Call> Chain;
    unsigned Skipped = 0; // calls left out of Chain, before its last
  };
  std::vector<Exit> Exits;
};

/// The function type an indirect call calls through, and whether it calls
/// through a pointer to member.
struct IndirectCallee {
  QualType Type; // a FunctionType, or null when no function can be called
  bool Member = false;
};

/// What an indirect call's callee expression calls. Total over every callee
/// clang builds: a function pointer or reference, a pointer to member
/// (`(o.*pm)()`, `(p->*pm)()`), a block (`^{...}()`), and anything else
/// (left null: no function of the unit is its target).
IndirectCallee indirectCallee(const Expr *Callee) {
  Callee = Callee->IgnoreParens();
  IndirectCallee R;
  QualType T = Callee->getType();
  if (const auto *BO = dyn_cast<BinaryOperator>(Callee); BO && BO->isPtrMemOp()) {
    T = BO->getRHS()->getType(); // the bound member's type is a placeholder
    R.Member = true;
  }
  if (const auto *P = T->getAs<PointerType>())
    T = P->getPointeeType();
  else if (const auto *Ref = T->getAs<ReferenceType>())
    T = Ref->getPointeeType();
  else if (const auto *MP = T->getAs<MemberPointerType>()) {
    T = MP->getPointeeType();
    R.Member = true;
  } else if (T->getAs<BlockPointerType>())
    return {}; // a block's body is analysed where the block is written
  if (T.isNull() || T->isDependentType() || !T->getAs<FunctionType>())
    return {};
  R.Type = T;
  return R;
}

class Graph {
public:
  Graph(Sema &S, const UnitState &State, const Options &Opts, AnalysisProgress &Progress)
      : S(S), Ctx(S.getASTContext()), SM(Ctx.getSourceManager()), State(State),
        Strict(Opts.Strict), CrashIn(Opts.TestCrashIn), Progress(Progress) {}

  static const FunctionDecl *canonical(const FunctionDecl *FD) {
    return FD ? FD->getCanonicalDecl() : nullptr;
  }

  const FunctionDecl *body(const FunctionDecl *FD) const {
    const FunctionDecl *Def = nullptr;
    if (!FD->hasBody(Def) || Def->isDependentContext())
      return nullptr;
    return Def;
  }

  bool definedInMainFile(const FunctionDecl *FD) const {
    const FunctionDecl *Def = body(FD);
    return Def && SM.isInMainFile(SM.getExpansionLoc(Def->getLocation()));
  }

  /// Whether this unit holds the external definition of \p FD that other
  /// units call: one in the main file; an explicit instantiation definition
  /// (a program has at most one, [temp.explicit]; its body is the
  /// template's, usually in a header); a C99 inline function this unit
  /// declares `extern` (its body usually in a header too).
  bool definesForOtherUnits(const FunctionDecl *FD) const {
    if (definedInMainFile(FD))
      return true;
    const FunctionDecl *Def = body(FD);
    if (!Def)
      return false;
    if (Def->getTemplateSpecializationKind() == TSK_ExplicitInstantiationDefinition)
      return true;
    return !Ctx.getLangOpts().CPlusPlus && Def->isInlined() &&
           Def->isInlineDefinitionExternallyVisible();
  }

  /// How \p FD (canonical) counts, before looking at its body.
  Sink sink(const FunctionDecl *FD) { return info(FD).K; }
  /// A function of the user's without a body here: another unit has it.
  bool isExternal(const FunctionDecl *FD) { return info(FD).External; }

  const std::vector<Call> &calls(const FunctionDecl *FD);

  /// Reads every function reachable from \p Starts once; then, backward,
  /// gives each its next call on a shortest chain to the global allocator
  /// (and that chain's length and last call), and marks those from which an
  /// external function can be reached.
  void explore(llvm::ArrayRef<const FunctionDecl *> Starts);
  /// The exits of every function of \p StopAt (the summarized functions):
  /// breadth first backward from each external function (and each
  /// summarized function with an exit of its own), never through a function
  /// of \p StopAt, which records the exit instead. Each chain is kept by its
  /// ends. The work is the size of what the exits' callers are, up to
  /// the nearest summarized function, not the size of the unit once per
  /// start (thousands of entry points into one big generated component).
  void exitsBackward(const llvm::DenseSet<const FunctionDecl *> &StopAt,
                     llvm::DenseMap<const FunctionDecl *, std::vector<Found::Exit>> &Out);
  /// The chain from \p Start to a sink: whole with \p WholeChain (for
  /// reports), else its first and last calls only, with the number of calls
  /// between (for summaries, in time independent of the chain's length).
  /// Exits come from exitsBackward().
  Found search(const FunctionDecl *Start, bool WholeChain = true);

  /// Work done, for -fplugin-arg-allocsel-stats: functions read, calls
  /// among them, and search steps (callers looked at by exitsBackward()).
  struct Stats {
    unsigned Functions = 0, Calls = 0, SearchSteps = 0;
  } Counters;

  Sema &S;
  ASTContext &Ctx;
  SourceManager &SM;
  const UnitState &State;
  bool Strict;

private:
  struct NodeInfo {
    Sink K = Sink::None;
    bool External = false;
    bool ReachesExit = false; // an external function (a call out of the unit)
    /// Whether a sink or an unknown call (strict) is reachable, and the next
    /// call on a shortest chain to it (see explore()); for an unknown call,
    /// Next.Callee is null.
    bool ReachesSink = false;
    Call Next{nullptr, SourceLocation()};
    /// On that chain: the number of calls, and the last call (into the
    /// sink, or the unknown call), for summaries that keep only the ends.
    unsigned Dist = 0;
    Call Last{nullptr, SourceLocation()};
  };
  const NodeInfo &info(const FunctionDecl *FD) {
    auto [It, New] = Nodes.try_emplace(FD);
    if (New && !isDispatcher(FD)) {
      It->second.K = computeSink(FD);
      It->second.External = It->second.K == Sink::None && computeExternal(FD);
    }
    return It->second;
  }
  const NodeInfo *known(const FunctionDecl *FD) const {
    auto It = Nodes.find(FD);
    return It == Nodes.end() ? nullptr : &It->second;
  }

  /// [[allocsel::needs_allocator]] on \p FD, on any of its declarations,
  /// or on what it was instantiated from (a function template, a member of
  /// a class template).
  bool isMarked(const FunctionDecl *FD) {
    if (!MarkedFns) {
      // The attribute's handler runs before clang links a redeclaration to
      // the first declaration: make the set canonical now.
      MarkedFns.emplace();
      for (const FunctionDecl *M : State.NeedsAllocatorFns)
        MarkedFns->insert(M->getCanonicalDecl());
    }
    auto Has = [&](const FunctionDecl *D) { return D && MarkedFns->contains(D->getCanonicalDecl()); };
    if (Has(FD))
      return true;
    if (const FunctionTemplateDecl *T = FD->getPrimaryTemplate())
      if (Has(T->getTemplatedDecl()))
        return true;
    if (Has(FD->getInstantiatedFromMemberFunction()) || Has(FD->getTemplateInstantiationPattern()))
      return true;
    return false;
  }
  std::optional<llvm::DenseSet<const FunctionDecl *>> MarkedFns;

  Sink computeSink(const FunctionDecl *FD) {
    if (FD->isExternC() && FD->getDeclName().isIdentifier()) {
      llvm::StringRef Name = FD->getName();
      if (Name.starts_with("__allocsel_"))
        return isInfoRoute(Name) ? Sink::None : Sink::Route;
    }
    if (FD->isReplaceableGlobalAllocationFunction())
      return Sink::GlobalOperator;
    // libstdc++'s std::allocator calls the operators through these builtins.
    switch (FD->getBuiltinID()) {
    case Builtin::BI__builtin_operator_new:
    case Builtin::BI__builtin_operator_delete:
      return Sink::GlobalOperator;
    default:
      break;
    }
    if (isMarked(FD))
      return Sink::Marked;
    if (State.NeedsAllocatorPragma.isValid() && definedInMainFile(FD))
      return Sink::NeedsAllocatorUnit;
    if (body(FD))
      return Sink::None;
    switch (classifyLibraryFunction(FD)) {
    case LibraryKind::Allocates:
      return Sink::Library;
    case LibraryKind::ThrowHelper:
    case LibraryKind::Unknown:
      return Strict ? Sink::UnknownLibrary : Sink::None;
    case LibraryKind::DoesNotAllocate:
    case LibraryKind::NotLibrary:
      return Sink::None;
    }
    return Sink::None;
  }

  bool computeExternal(const FunctionDecl *FD) {
    if (body(FD) || classifyLibraryFunction(FD) != LibraryKind::NotLibrary)
      return false;
    if (FD->isExternC() && FD->getDeclName().isIdentifier() &&
        FD->getName().starts_with("allocsel_je_"))
      return false; // allocsel's private jemalloc
    return FD->isExternallyVisible();
  }

  llvm::DenseMap<const FunctionDecl *, NodeInfo> Nodes;
  struct Edge {
    const FunctionDecl *Caller;
    SourceLocation Loc;
  };
  std::vector<const FunctionDecl *> ExternalsSeen; // by explore()
  /// Who calls whom, backward (filled by explore()).
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<Edge, 2>> Callers;
  std::string CrashIn; // test only: fail when reading this function
  AnalysisProgress &Progress;
  friend class CallCollector;
  void overriders(const CXXMethodDecl *MD, llvm::SmallVectorImpl<const FunctionDecl *> &Out);
  void addressTaken(const IndirectCallee &Callee, llvm::SmallVectorImpl<const FunctionDecl *> &Out);

public:
  /// Calls whose target is one of several go to a dispatcher: one node per
  /// indirect call shape (function type) and per virtual method, with an
  /// edge to each possible target. N call sites of M targets are then N + M
  /// edges, not N x M (generated dispatch tables have thousands of both).
  /// A dispatcher is a FunctionDecl the plugin makes and never adds to the
  /// AST; chains skip it. Null when there is no target.
  const FunctionDecl *addressTakenDispatcher(const IndirectCallee &Callee) {
    return dispatcher(callKey(Callee.Type, Callee.Member),
                      [&](auto &Out) { addressTaken(Callee, Out); });
  }
  const FunctionDecl *overridersDispatcher(const CXXMethodDecl *MD) {
    return dispatcher({MD->getCanonicalDecl(), 2},
                      [&](auto &Out) { overriders(MD, Out); });
  }
  bool isDispatcher(const FunctionDecl *FD) const { return DispatcherSet.contains(FD); }

private:
  const FunctionDecl *
  dispatcher(std::pair<const void *, unsigned> Key,
             llvm::function_ref<void(llvm::SmallVectorImpl<const FunctionDecl *> &)> Targets) {
    auto [It, New] = Dispatchers.try_emplace(Key, nullptr);
    if (!New)
      return It->second;
    llvm::SmallVector<const FunctionDecl *, 8> Found;
    Targets(Found);
    if (Found.empty())
      return nullptr;
    FunctionDecl *D = FunctionDecl::Create(
        Ctx, Ctx.getTranslationUnitDecl(), SourceLocation(), SourceLocation(),
        DeclarationName(&Ctx.Idents.get("__allocsel_dispatch")),
        Ctx.getFunctionType(Ctx.VoidTy, {}, {}), nullptr, SC_Static);
    std::vector<Call> &Out = Edges[D];
    for (const FunctionDecl *T : Found)
      Out.push_back({canonical(T), SourceLocation()});
    DispatcherSet.insert(D);
    return It->second = D;
  }
  llvm::DenseMap<std::pair<const void *, unsigned>, const FunctionDecl *> Dispatchers;
  llvm::SmallPtrSet<const FunctionDecl *, 8> DispatcherSet;

  llvm::DenseMap<const FunctionDecl *, std::vector<Call>> Edges;
  std::optional<llvm::DenseMap<const CXXMethodDecl *, llvm::SmallVector<const CXXMethodDecl *, 2>>>
      Overrides;
  /// Address-taken functions by what calls them: their canonical function
  /// type without exception specification, and whether a pointer to member.
  std::optional<llvm::DenseMap<std::pair<const void *, unsigned>,
                               llvm::SmallVector<const FunctionDecl *, 2>>>
      AddressTakenFns;
  std::pair<const void *, unsigned> callKey(QualType FnTy, bool Member) const {
    if (FnTy->getAs<FunctionProtoType>())
      FnTy = Ctx.getFunctionTypeWithExceptionSpec(FnTy, EST_None);
    return {Ctx.getCanonicalType(FnTy).getTypePtr(), Member};
  }
};

/// Collects the calls of one function body.
class CallCollector : public RecursiveASTVisitor<CallCollector> {
  using Base = RecursiveASTVisitor<CallCollector>;

public:
  CallCollector(Graph &G, std::vector<Call> &Out) : G(G), Out(Out) {}

  bool shouldVisitImplicitCode() const { return true; }
  bool shouldVisitTemplateInstantiations() const { return true; }

  // A lambda's body runs when the lambda is called, as its call operator.
  bool TraverseLambdaExpr(LambdaExpr *E) {
    for (Expr *Init : E->capture_inits())
      if (Init)
        TraverseStmt(Init);
    return true;
  }
  // Local classes' member functions are functions of their own.
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }

  // Operands that are never evaluated call nothing: sizeof, alignof,
  // noexcept(...), decltype, typeof, static_assert, requires-expressions,
  // typeid of a non-polymorphic operand, and the arguments of
  // __builtin_constant_p and __builtin_assume.
  bool TraverseUnaryExprOrTypeTraitExpr(UnaryExprOrTypeTraitExpr *, DataRecursionQueue * = nullptr) {
    return true;
  }
  bool TraverseCXXNoexceptExpr(CXXNoexceptExpr *, DataRecursionQueue * = nullptr) { return true; }
  bool TraverseRequiresExpr(RequiresExpr *, DataRecursionQueue * = nullptr) { return true; }
  bool TraverseStaticAssertDecl(StaticAssertDecl *) { return true; }
  bool TraverseDecltypeTypeLoc(DecltypeTypeLoc ALLOCSEL_TYPELOC_EXTRA) { return true; }
  bool TraverseTypeOfExprTypeLoc(TypeOfExprTypeLoc ALLOCSEL_TYPELOC_EXTRA) { return true; }
  bool TraverseCXXTypeidExpr(CXXTypeidExpr *E, DataRecursionQueue *Q = nullptr) {
    return E->isPotentiallyEvaluated() ? Base::TraverseCXXTypeidExpr(E, Q) : true;
  }
  bool TraverseCallExpr(CallExpr *E, DataRecursionQueue *Q = nullptr) {
    switch (E->getBuiltinCallee()) {
    case Builtin::BI__builtin_constant_p:
    case Builtin::BI__builtin_assume:
      return true;
    default:
      return Base::TraverseCallExpr(E, Q);
    }
  }
  // A consteval call runs in the compiler, not in the program.
  bool TraverseConstantExpr(ConstantExpr *E, DataRecursionQueue *Q = nullptr) {
    return E->isImmediateInvocation() ? true : Base::TraverseConstantExpr(E, Q);
  }
  // Of a C11 _Generic, only the selected association is evaluated.
  bool TraverseGenericSelectionExpr(GenericSelectionExpr *E, DataRecursionQueue * = nullptr) {
    if (E->isResultDependent())
      return true;
    return TraverseStmt(E->getResultExpr());
  }
  // The discarded branch of an `if constexpr` is never compiled; its
  // condition is a constant.
  bool TraverseIfStmt(IfStmt *If, DataRecursionQueue *Q = nullptr) {
    if (!If->isConstexpr())
      return Base::TraverseIfStmt(If, Q);
    std::optional<Stmt *> Taken = If->getNondiscardedCase(G.Ctx);
    if (!Taken)
      return Base::TraverseIfStmt(If, Q);
    TraverseStmt(If->getInit());
    if (VarDecl *CV = If->getConditionVariable())
      TraverseDecl(CV);
    return *Taken ? TraverseStmt(*Taken) : true;
  }

  void add(const FunctionDecl *FD, SourceLocation Loc) {
    if (FD)
      Out.push_back({Graph::canonical(FD), Loc});
  }
  /// Destructors run after what the code calls explicitly: they are added
  /// last, so that of two chains of the same length, the one the user
  /// wrote is reported.
  void addDestructor(QualType T, SourceLocation Loc) {
    if (T->isDependentType())
      return;
    if (const CXXRecordDecl *RD = G.Ctx.getBaseElementType(T)->getAsCXXRecordDecl())
      if (RD->hasDefinition() && !RD->hasTrivialDestructor())
        if (const FunctionDecl *Dtor = RD->getDestructor())
          Destructors.push_back({Graph::canonical(Dtor), Loc});
  }

  bool VisitCallExpr(CallExpr *CE) {
    SourceLocation Loc = CE->getExprLoc();
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD) {
      const Expr *Callee = CE->getCallee();
      if (!Callee || isa<CXXPseudoDestructorExpr>(Callee->IgnoreParens()))
        return true;
      if (G.Strict) {
        Out.push_back({nullptr, Loc, facts::IndirectCall});
        return true;
      }
      IndirectCallee Target = indirectCallee(Callee);
      if (Target.Type.isNull())
        return true; // nothing of the unit can be its target (a block)
      add(G.addressTakenDispatcher(Target), Loc);
      return true;
    }
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    const auto *ME = dyn_cast<MemberExpr>(CE->getCallee()->IgnoreParenImpCasts());
    // Devirtualized: a qualified call, a final method or class, or an
    // object whose dynamic type is known (`b.what()` on a local object).
    bool Devirtualized = !MD || !MD->isVirtual() || (ME && ME->hasQualifier()) ||
                         (ME && knownDynamicType(ME->getBase())) ||
                         MD->hasAttr<FinalAttr>() || MD->getParent()->hasAttr<FinalAttr>();
    add(FD, Loc);
    if (Devirtualized)
      return true;
    if (G.Strict) {
      Out.push_back({nullptr, Loc, "a virtual call"});
      return true;
    }
    add(G.overridersDispatcher(MD), Loc);
    return true;
  }
  /// An object whose dynamic type is its static type: a variable or member
  /// of class type (not a reference or pointer), or a temporary.
  static bool knownDynamicType(const Expr *Object) {
    Object = Object->IgnoreParenImpCasts();
    if (Object->isPRValue() || isa<MaterializeTemporaryExpr>(Object))
      return !Object->getType()->isPointerType();
    const ValueDecl *D = nullptr;
    if (const auto *DRE = dyn_cast<DeclRefExpr>(Object))
      D = DRE->getDecl();
    else if (const auto *M = dyn_cast<MemberExpr>(Object)) // x.f or p->f: f is a whole object
      D = M->getMemberDecl();
    return D && (isa<VarDecl>(D) || isa<FieldDecl>(D)) && D->getType()->isRecordType();
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *E) {
    add(E->getConstructor(), E->getExprLoc());
    return true;
  }
  // `using Base::Base;`: the derived class's constructor runs the base's.
  bool VisitCXXInheritedCtorInitExpr(CXXInheritedCtorInitExpr *E) {
    add(E->getConstructor(), E->getExprLoc());
    return true;
  }
  bool VisitCXXNewExpr(CXXNewExpr *E) {
    if (FunctionDecl *New = E->getOperatorNew())
      if (!New->isReservedGlobalPlacementOperator())
        add(New, E->getExprLoc());
    if (FunctionDecl *Delete = E->getOperatorDelete())
      if (!Delete->isReservedGlobalPlacementOperator())
        add(Delete, E->getExprLoc());
    return true;
  }
  bool VisitCXXDeleteExpr(CXXDeleteExpr *E) {
    add(E->getOperatorDelete(), E->getExprLoc());
    if (QualType T = E->getDestroyedType(); !T.isNull())
      addDestructor(T, E->getExprLoc());
    return true;
  }
  bool VisitCXXBindTemporaryExpr(CXXBindTemporaryExpr *E) {
    if (const FunctionDecl *Dtor = E->getTemporary()->getDestructor())
      Destructors.push_back({Graph::canonical(Dtor), E->getExprLoc()});
    return true;
  }
  bool VisitVarDecl(VarDecl *VD) {
    // A static local is destroyed at exit, not when the function returns.
    if (!isa<ParmVarDecl>(VD) && !VD->hasGlobalStorage() &&
        !VD->getType()->isReferenceType())
      addDestructor(VD->getType(), VD->getLocation());
    return true;
  }
  bool VisitCXXDefaultArgExpr(CXXDefaultArgExpr *E) {
    return TraverseStmt(E->getExpr());
  }
  bool VisitCXXDefaultInitExpr(CXXDefaultInitExpr *E) {
    return TraverseStmt(E->getExpr());
  }

  void collect(const FunctionDecl *Def) {
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->getInit())
          TraverseStmt(Init->getInit());
    if (const auto *Dtor = dyn_cast<CXXDestructorDecl>(Def)) {
      // Members and bases are destroyed after the body, implicitly.
      const CXXRecordDecl *RD = Dtor->getParent();
      for (const FieldDecl *F : RD->fields())
        addDestructor(F->getType(), Dtor->getLocation());
      for (const CXXBaseSpecifier &B : RD->bases())
        addDestructor(B.getType(), Dtor->getLocation());
      // (Only the deleting destructor calls operator delete, for a
      // delete-expression, which has its own call to it.)
    }
    TraverseStmt(Def->getBody());
    Out.insert(Out.end(), Destructors.begin(), Destructors.end());
  }

private:
  Graph &G;
  std::vector<Call> &Out;
  std::vector<Call> Destructors;
};

const std::vector<Call> &Graph::calls(const FunctionDecl *FD) {
  auto It = Edges.find(FD);
  if (It != Edges.end())
    return It->second;
  std::vector<Call> Out;
  if (const FunctionDecl *Def = body(FD)) {
    Progress.Current = Def;
    if (!CrashIn.empty() && Def->getQualifiedNameAsString() == CrashIn)
      crashForTesting();
    CallCollector(*this, Out).collect(Def);
  }
  return Edges[FD] = std::move(Out);
}

void Graph::overriders(const CXXMethodDecl *MD,
                       llvm::SmallVectorImpl<const FunctionDecl *> &Out) {
  if (!Overrides) {
    // Once per unit: every method that overrides another, by what it
    // overrides (directly or through a chain of overrides).
    Overrides.emplace();
    struct Finder : RecursiveASTVisitor<Finder> {
      decltype(*Overrides) &Map;
      explicit Finder(decltype(Map) M) : Map(M) {}
      bool shouldVisitTemplateInstantiations() const { return true; }
      bool shouldVisitImplicitCode() const { return true; }
      bool TraverseStmt(Stmt *) { return true; } // declarations only
      void note(const CXXMethodDecl *Base, const CXXMethodDecl *Over) {
        for (const CXXMethodDecl *B : Base->overridden_methods())
          note(B, Over);
        Map[Base->getCanonicalDecl()].push_back(Over);
      }
      bool VisitCXXMethodDecl(CXXMethodDecl *M) {
        if (M->isThisDeclarationADefinition() || M->hasBody())
          for (const CXXMethodDecl *B : M->overridden_methods())
            note(B, M);
        return true;
      }
    } F(*Overrides);
    F.TraverseDecl(Ctx.getTranslationUnitDecl());
  }
  auto It = Overrides->find(MD->getCanonicalDecl());
  if (It != Overrides->end())
    for (const CXXMethodDecl *M : It->second)
      Out.push_back(M);
}

void Graph::addressTaken(const IndirectCallee &Callee,
                         llvm::SmallVectorImpl<const FunctionDecl *> &Out) {
  if (!AddressTakenFns) {
    // Once per unit: every function whose address the unit takes.
    llvm::SetVector<const FunctionDecl *> Taken;
    struct Finder : RecursiveASTVisitor<Finder> {
      llvm::SetVector<const FunctionDecl *> &Set;
      // A direct call's callee decays to a pointer too; that is not taking
      // the function's address. Parents are visited before children.
      llvm::SmallPtrSet<const Expr *, 32> Callees;
      explicit Finder(llvm::SetVector<const FunctionDecl *> &S) : Set(S) {}
      bool shouldVisitTemplateInstantiations() const { return true; }
      bool shouldVisitImplicitCode() const { return true; }
      bool VisitCallExpr(CallExpr *CE) {
        Callees.insert(CE->getCallee()->IgnoreParens());
        return true;
      }
      void take(const Expr *E) {
        if (const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParens()))
          if (const auto *FD = dyn_cast<FunctionDecl>(DRE->getDecl()))
            Set.insert(FD->getCanonicalDecl());
      }
      bool VisitUnaryOperator(UnaryOperator *U) {
        if (U->getOpcode() == UO_AddrOf)
          take(U->getSubExpr());
        return true;
      }
      bool VisitImplicitCastExpr(ImplicitCastExpr *C) {
        if (C->getCastKind() == CK_FunctionToPointerDecay && !Callees.contains(C))
          take(C->getSubExpr());
        return true;
      }
    } F(Taken);
    F.TraverseDecl(Ctx.getTranslationUnitDecl());
    AddressTakenFns.emplace();
    for (const FunctionDecl *FD : Taken) {
      QualType T = FD->getType();
      if (FD->isDependentContext() || T->isDependentType() || !T->getAs<FunctionType>())
        continue;
      // A pointer to member calls non-static member functions only; a
      // plain function pointer, anything else.
      const auto *MD = dyn_cast<CXXMethodDecl>(FD);
      (*AddressTakenFns)[callKey(T, MD && MD->isInstance())].push_back(FD);
    }
  }
  auto It = AddressTakenFns->find(callKey(Callee.Type, Callee.Member));
  if (It != AddressTakenFns->end())
    Out.append(It->second.begin(), It->second.end());
}

void Graph::explore(llvm::ArrayRef<const FunctionDecl *> Starts) {
  // Forward: read each reachable body once, remembering who calls whom.
  llvm::SmallPtrSet<const FunctionDecl *, 32> Seen;
  std::vector<const FunctionDecl *> Work(Starts.begin(), Starts.end()), Exits;
  ExternalsSeen.clear();
  std::deque<const FunctionDecl *> Sinks; // breadth first, backward
  std::vector<const FunctionDecl *> UnknownCallers; // one call from a sink
  for (const FunctionDecl *FD : Starts)
    Seen.insert(FD);
  while (!Work.empty()) {
    const FunctionDecl *N = Work.back();
    Work.pop_back();
    NodeInfo &I = const_cast<NodeInfo &>(info(N));
    if (I.K != Sink::None) { // searches stop here
      I.ReachesSink = true;
      Sinks.push_back(N);
      continue;
    }
    if (I.External) {
      Exits.push_back(N);
      ExternalsSeen.push_back(N);
      continue;
    }
    ++Counters.Functions;
    for (const Call &C : calls(N)) {
      ++Counters.Calls;
      if (!C.Callee) { // strict: an unknown call is reached from here
        if (!I.ReachesSink) {
          I.ReachesSink = true;
          I.Dist = 1;
          UnknownCallers.push_back(N);
        }
        continue;
      }
      Callers[C.Callee].push_back({N, C.Loc});
      if (Seen.insert(C.Callee).second)
        Work.push_back(C.Callee);
    }
  }
  // Backward, breadth first from every sink at once: each function learns
  // its distance to the global allocator, in calls (a dispatcher's edges are
  // not calls of their own).
  Sinks.insert(Sinks.end(), UnknownCallers.begin(), UnknownCallers.end());
  std::vector<const FunctionDecl *> Order;
  while (!Sinks.empty()) {
    const FunctionDecl *N = Sinks.front();
    Sinks.pop_front();
    Order.push_back(N);
    unsigned Dist = Nodes[N].Dist;
    for (const Edge &E : Callers.lookup(N)) {
      NodeInfo &I = Nodes[E.Caller];
      if (I.ReachesSink)
        continue;
      I.ReachesSink = true;
      I.Dist = isDispatcher(E.Caller) ? Dist : Dist + 1;
      // A dispatcher is as far as its target: it goes first.
      if (isDispatcher(E.Caller))
        Sinks.push_front(E.Caller);
      else
        Sinks.push_back(E.Caller);
    }
  }
  // Then, nearest first, each function's next call: the first call of its
  // body on a shortest chain (what a breadth-first search from it would
  // find), and the chain's last call, which its next callee knows already:
  // it is nearer, or (a dispatcher's target) as near and not a dispatcher.
  std::vector<std::tuple<unsigned, bool, size_t>> Keys; // stable, by BFS order
  for (size_t I = 0; I < Order.size(); ++I)
    Keys.emplace_back(Nodes[Order[I]].Dist, isDispatcher(Order[I]), I);
  llvm::sort(Keys);
  for (const auto &Key : Keys) {
    const FunctionDecl *N = Order[std::get<2>(Key)];
    NodeInfo &I = Nodes[N];
    if (I.K != Sink::None)
      continue;
    for (const Call &C : calls(N)) {
      const NodeInfo *Callee = C.Callee ? known(C.Callee) : nullptr;
      bool Shortest = C.Callee ? Callee && Callee->ReachesSink &&
                                     Callee->Dist + (isDispatcher(N) ? 0 : 1) == I.Dist
                               : I.Dist == 1; // an unknown call (strict)
      if (!Shortest)
        continue;
      I.Next = C;
      if (!C.Callee)
        I.Last = C;
      else if (Callee->K != Sink::None)
        I.Last = C;
      else
        I.Last = Callee->Last;
      if (!isDispatcher(N) && I.Last.Loc.isInvalid()) // its last call was
        I.Last.Loc = C.Loc;                           // into a dispatcher
      break;
    }
  }
  // Backward from every external function: who can leave the unit.
  while (!Exits.empty()) {
    const FunctionDecl *N = Exits.back();
    Exits.pop_back();
    NodeInfo &I = Nodes[N];
    if (I.ReachesExit)
      continue;
    I.ReachesExit = true;
    for (const Edge &E : Callers.lookup(N))
      Exits.push_back(E.Caller);
  }
}

void Graph::exitsBackward(const llvm::DenseSet<const FunctionDecl *> &StopAt,
                          llvm::DenseMap<const FunctionDecl *, std::vector<Found::Exit>> &Out) {
  // What each function found reaching the current target: its first call
  // toward it, the last call of the chain, and the chain's length.
  struct Reach {
    unsigned Generation = 0;
    Call First{nullptr, SourceLocation()}, Last{nullptr, SourceLocation()};
    unsigned Dist = 0;
  };
  llvm::DenseMap<const FunctionDecl *, Reach> Seen;
  std::vector<const FunctionDecl *> Targets = ExternalsSeen;
  for (const FunctionDecl *FD : StopAt)
    if (const NodeInfo *I = known(FD); I && I->ReachesExit && !I->External)
      Targets.push_back(FD);
  // Through a dispatcher (an indirect or virtual call) a summarized
  // function is not a boundary: its callers would each list every target of
  // the call (N x M). So a summarized target is not followed into
  // dispatchers, and a summarized function met on the way is followed into
  // dispatchers only: their callers list what the target leads to instead.
  enum class Follow { All, NotDispatchers, OnlyDispatchers };
  unsigned Generation = 0;
  for (const FunctionDecl *X : Targets) {
    ++Generation;
    Seen[X] = {Generation, {nullptr, SourceLocation()}, {nullptr, SourceLocation()}, 0};
    std::deque<std::pair<const FunctionDecl *, Follow>> Queue{
        {X, StopAt.contains(X) ? Follow::NotDispatchers : Follow::All}};
    while (!Queue.empty()) {
      auto [M, How] = Queue.front();
      Queue.pop_front();
      Reach Here = Seen[M];
      for (const Edge &E : Callers.lookup(M)) {
        bool Dispatcher = isDispatcher(E.Caller);
        if ((How == Follow::NotDispatchers && Dispatcher) ||
            (How == Follow::OnlyDispatchers && !Dispatcher))
          continue;
        ++Counters.SearchSteps;
        Reach &R = Seen[E.Caller];
        if (R.Generation == Generation)
          continue;
        R.Generation = Generation;
        if (Dispatcher) { // not a call of its own: M is next
          R.First = {M, SourceLocation()};
          R.Last = M == X ? Call{X, SourceLocation()} : Here.Last;
          R.Dist = Here.Dist;
          Queue.push_front({E.Caller, Follow::All});
          continue;
        }
        // Through a dispatcher, the call is the one into the dispatcher, to
        // the dispatcher's next function.
        R.First = isDispatcher(M) ? Call{Here.First.Callee, E.Loc} : Call{M, E.Loc};
        R.Last = M == X ? Call{X, E.Loc} : Here.Last;
        if (R.Last.Loc.isInvalid())
          R.Last.Loc = E.Loc;
        R.Dist = Here.Dist + 1;
        if (StopAt.contains(E.Caller)) {
          // A summarized function: it records the exit and its callers
          // record it, not what lies behind it.
          std::vector<Call> Chain{R.First};
          if (R.Dist > 1)
            Chain.push_back(R.Last);
          Out[E.Caller].push_back({X, std::move(Chain), R.Dist > 2 ? R.Dist - 2 : 0});
          Queue.push_back({E.Caller, Follow::OnlyDispatchers});
          continue;
        }
        Queue.push_back({E.Caller, Follow::All});
      }
    }
  }
  // Nearest exits first, as a search from each function would list them.
  for (auto &[FD, Exits] : Out) {
    std::vector<std::pair<size_t, size_t>> Keys; // length, then found order
    for (size_t I = 0; I < Exits.size(); ++I)
      Keys.emplace_back(Exits[I].Chain.size() + Exits[I].Skipped, I);
    llvm::sort(Keys);
    std::vector<Found::Exit> Sorted;
    for (const auto &Key : Keys)
      Sorted.push_back(std::move(Exits[Key.second]));
    Exits = std::move(Sorted);
  }
}

Found Graph::search(const FunctionDecl *Start, bool WholeChain) {
  Found Result;
  const NodeInfo *Begin = known(Start);
  if (!Begin)
    return Result; // explore() did not reach it: nothing to find
  // The chain to the global allocator: explore() knows each function's next
  // call on a shortest one, and its last call.
  if (Begin->ReachesSink && Begin->K == Sink::None && !WholeChain) {
    Call First = Begin->Next;
    if (First.Callee && isDispatcher(First.Callee))
      First.Callee = known(First.Callee)->Next.Callee;
    Result.SinkChain.push_back(First);
    if (Begin->Dist > 1)
      Result.SinkChain.push_back(Begin->Last);
    Result.SinkSkipped = Begin->Dist > 2 ? Begin->Dist - 2 : 0;
    const NodeInfo *End = Begin->Last.Callee ? known(Begin->Last.Callee) : nullptr;
    Result.SinkKind = End ? End->K : Sink::UnknownCall;
  } else if (Begin->ReachesSink) {
    for (const FunctionDecl *N = Start;;) {
      const NodeInfo &I = *known(N);
      if (I.K != Sink::None) {
        Result.SinkKind = I.K;
        break;
      }
      if (I.Next.Callee && isDispatcher(I.Next.Callee)) {
        // The call is the one into the dispatcher; its target is next.
        const NodeInfo &D = *known(I.Next.Callee);
        Result.SinkChain.push_back({D.Next.Callee, I.Next.Loc});
        N = D.Next.Callee;
        continue;
      }
      Result.SinkChain.push_back(I.Next);
      if (!I.Next.Callee) { // an unknown call (strict)
        Result.SinkKind = Sink::UnknownCall;
        break;
      }
      N = I.Next.Callee;
    }
  }
  return Result;
}

//===----------------------------------------------------------------------===//
// Reporting
//===----------------------------------------------------------------------===//

class Checker {
public:
  Checker(Sema &S, const UnitState &State, const Options &Opts, AnalysisProgress &Progress)
      : PrintStats(Opts.Stats), G(S, State, Opts, Progress), S(S), Ctx(S.getASTContext()), SM(Ctx.getSourceManager()),
        Diags(S.getDiagnostics()), Mangler(Ctx.createMangleContext()) {}

  bool run(const VarDecl *Selection, facts::UnitRecord &Rec);

private:
  struct Root {
    const FunctionDecl *FD;
    bool Member; // an Alloc member (else: defined in an allocator unit)
  };

  void collectRoots(const VarDecl *Selection, std::vector<Root> &Roots);
  bool inSystemHeader(SourceLocation Loc) const {
    return Loc.isValid() && SM.isInSystemHeader(SM.getExpansionLoc(Loc));
  }
  /// A run of calls inside system headers shows only its last call, in the
  /// notes as in the summary: true for the calls left out.
  bool elided(const std::vector<Call> &Chain, size_t I) const {
    return inSystemHeader(Chain[I].Loc) && I + 1 < Chain.size() &&
           inSystemHeader(Chain[I + 1].Loc);
  }
  std::string display(const FunctionDecl *FD) const {
    std::string Out;
    llvm::raw_string_ostream OS(Out);
    FD->getNameForDiagnostic(OS, Ctx.getPrintingPolicy(), /*Qualified=*/true);
    return Out;
  }
  std::string symbol(const FunctionDecl *FD) {
    if (!Mangler->shouldMangleDeclName(FD))
      return FD->getName().str();
    std::string Out;
    llvm::raw_string_ostream OS(Out);
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(FD))
      Mangler->mangleName(GlobalDecl(Ctor, Ctor_Complete), OS);
    else if (const auto *Dtor = dyn_cast<CXXDestructorDecl>(FD))
      Mangler->mangleName(GlobalDecl(Dtor, Dtor_Complete), OS);
    else
      Mangler->mangleName(GlobalDecl(FD), OS);
    return Out;
  }
  facts::Location location(SourceLocation Loc) const {
    PresumedLoc P = SM.getPresumedLoc(SM.getExpansionLoc(Loc));
    if (P.isInvalid())
      return {};
    return {P.getFilename(), P.getLine(), P.getColumn()};
  }
  /// A chain as the facts keep it: runs of calls inside system headers
  /// shrink to their last call.
  std::vector<facts::Step> steps(const std::vector<Call> &Chain);
  void reportChain(const Root &R, const Found &F, const VarDecl *Selection);

  bool PrintStats;
  Graph G;
  Sema &S;
  ASTContext &Ctx;
  SourceManager &SM;
  DiagnosticsEngine &Diags;
  std::unique_ptr<MangleContext> Mangler;
};

void Checker::collectRoots(const VarDecl *Selection, std::vector<Root> &Roots) {
  llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
  auto Add = [&](const FunctionDecl *FD, bool Member) {
    if (FD && Seen.insert(FD->getCanonicalDecl()).second)
      Roots.push_back({FD->getCanonicalDecl(), Member});
  };
  if (Selection)
    if (CXXRecordDecl *RD = Selection->getType()->getAsCXXRecordDecl())
      if ((RD = RD->getDefinition())) {
        QualType LayoutTy = lookupLayoutType(S);
        for (const MemberSpec &Spec : allocMembers())
          if (!LayoutTy.isNull())
            Add(resolveMember(S, RD, LayoutTy, Spec, Selection->getLocation()).Callee, true);
        // allocsel's extension, called for unsized deletes.
        LookupResult R(S, &Ctx.Idents.get("dealloc_unsized"), Selection->getLocation(),
                       Sema::LookupMemberName);
        R.suppressDiagnostics();
        S.LookupQualifiedName(R, RD);
        for (NamedDecl *D : R)
          if (auto *FD = dyn_cast<FunctionDecl>(D->getUnderlyingDecl()))
            Add(FD, true);
      }
  if (G.State.AllocatorPragma.isValid()) {
    // Every function the allocator unit defines.
    struct Finder : RecursiveASTVisitor<Finder> {
      Graph &G;
      std::vector<const FunctionDecl *> Found;
      explicit Finder(Graph &G) : G(G) {}
      bool shouldVisitLambdaBody() const { return true; }
      bool VisitFunctionDecl(FunctionDecl *FD) {
        if (FD->doesThisDeclarationHaveABody() && !FD->isDependentContext() &&
            G.definedInMainFile(FD))
          Found.push_back(FD);
        return true;
      }
    } F(G);
    F.TraverseDecl(Ctx.getTranslationUnitDecl());
    for (const FunctionDecl *FD : F.Found)
      if (!FD->isReplaceableGlobalAllocationFunction()) // reported on its own
        Add(FD, false);
  }
}

std::vector<facts::Step> Checker::steps(const std::vector<Call> &Chain) {
  std::vector<facts::Step> Out;
  // Only the first call (from the summarized function, in the user's code)
  // and the last (what allocates, or leaves the unit) are kept; the calls
  // between are counted. The compiler error for this unit would show them
  // all; the link check's report names the unit to compile for that.
  std::uint32_t Skipped = 0;
  for (size_t I = 0; I < Chain.size(); ++I) {
    const Call &C = Chain[I];
    if (elided(Chain, I)) {
      ++Skipped;
      continue;
    }
    Out.push_back({C.Callee ? display(C.Callee) : std::string(C.Unknown),
                   location(C.Loc), Skipped});
    Skipped = 0;
  }
  if (Out.size() > 2) {
    std::uint32_t Between = 0;
    for (size_t I = 1; I + 1 < Out.size(); ++I)
      Between += 1 + Out[I].Skipped;
    Out.back().Skipped += Between;
    Out.erase(Out.begin() + 1, Out.end() - 1);
  }
  return Out;
}

void Checker::reportChain(const Root &R, const Found &F, const VarDecl *Selection) {
  const FunctionDecl *Last = F.SinkChain.empty() ? R.FD : F.SinkChain.back().Callee;
  const FunctionDecl *Def = G.body(R.FD) ? G.body(R.FD) : R.FD;
  std::string Reached = Last ? "'" + display(Last) + "'" : std::string(F.SinkChain.back().Unknown);
  if (R.Member) {
    report(Diags, Def->getLocation(), Diag::CycleMember) << Def << Selection << Reached;
    report(Diags, Selection->getLocation(), Diag::SelectedHere) << Selection;
  } else {
    report(Diags, Def->getLocation(), Diag::CycleAllocatorUnit) << Def << Reached;
    report(Diags, G.State.AllocatorPragma, Diag::PragmaHere) << "allocator";
  }
  // One note per call, as a template backtrace reads; a run of calls inside
  // system headers shows only its last call.
  const FunctionDecl *Caller = R.FD;
  unsigned Skipped = 0;
  for (size_t I = 0; I < F.SinkChain.size(); ++I) {
    const Call &C = F.SinkChain[I];
    if (elided(F.SinkChain, I)) {
      ++Skipped;
      Caller = C.Callee;
      continue;
    }
    if (C.Callee)
      report(Diags, C.Loc, Diag::CycleStep) << Caller << C.Callee << (Skipped > 0) << Skipped;
    else
      report(Diags, C.Loc, Diag::CycleUnknownStep) << Caller << C.Unknown;
    Skipped = 0;
    Caller = C.Callee;
  }
  switch (F.SinkKind) {
  case Sink::Marked:
    report(Diags, Last->getLocation(), Diag::CycleMarked) << Last;
    break;
  case Sink::NeedsAllocatorUnit:
    report(Diags, G.State.NeedsAllocatorPragma, Diag::CycleNeedsAllocatorUnit) << Last;
    break;
  case Sink::Library:
    report(Diags, Last->getLocation(), Diag::CycleLibrary) << Last;
    break;
  case Sink::UnknownLibrary:
    report(Diags, Last->getLocation(), Diag::CycleStrictLibrary) << Last;
    break;
  case Sink::Route:
    report(Diags, Last->getLocation(), Diag::CycleRoute) << Last;
    break;
  case Sink::GlobalOperator:
  case Sink::UnknownCall:
  case Sink::None:
    break;
  }
}

bool Checker::run(const VarDecl *Selection, facts::UnitRecord &Rec) {
  std::vector<Root> Roots;
  collectRoots(Selection, Roots);

  // The functions other units can call: what they allocate or call out of
  // the unit is all another unit's allocator needs to know.
  struct ExportedFinder : RecursiveASTVisitor<ExportedFinder> {
    std::vector<const FunctionDecl *> Fns;
    bool CPlusPlus;
    bool shouldVisitTemplateInstantiations() const { return false; }
    bool VisitFunctionDecl(FunctionDecl *FD) {
      // (Implicit definitions are the plugin's own routes.)
      if (!FD->doesThisDeclarationHaveABody() || FD->isDependentContext() ||
          !FD->isExternallyVisible() || FD->isMain() || FD->isImplicit())
        return true;
      TemplateSpecializationKind TSK = FD->getTemplateSpecializationKind();
      if (TSK == TSK_ImplicitInstantiation)
        return true;
      // Inline functions are defined in every unit that calls them, except
      // C99's: an inline definition there is only for inlining, and the one
      // unit that declares it `extern inline` holds the external definition
      // every other unit calls.
      if (FD->isInlined() && TSK != TSK_ExplicitInstantiationDefinition &&
          (CPlusPlus || !FD->isInlineDefinitionExternallyVisible()))
        return true;
      Fns.push_back(FD->getCanonicalDecl());
      return true;
    }
    // An explicit instantiation definition (`template struct Box<int>;`,
    // `template void f<int>(int);`) is this unit's: the units that say
    // `extern template` call it here. The visitor does not walk
    // instantiations, so these are looked up from their templates.
    bool VisitClassTemplateDecl(ClassTemplateDecl *D) {
      for (ClassTemplateSpecializationDecl *Spec : D->specializations())
        if (Spec->getTemplateSpecializationKind() == TSK_ExplicitInstantiationDefinition)
          if (const CXXRecordDecl *Def = Spec->getDefinition()) // (not the extern one)
            for (Decl *Member : Def->decls())
              if (auto *FD = dyn_cast<FunctionDecl>(Member))
                VisitFunctionDecl(FD);
      return true;
    }
    bool VisitFunctionTemplateDecl(FunctionTemplateDecl *D) {
      for (FunctionDecl *Spec : D->specializations())
        if (Spec->getTemplateSpecializationKind() == TSK_ExplicitInstantiationDefinition)
          VisitFunctionDecl(Spec);
      return true;
    }
  } E;
  E.CPlusPlus = Ctx.getLangOpts().CPlusPlus;
  E.TraverseDecl(Ctx.getTranslationUnitDecl());

  // allocsel's runtime defines the replaceable operators for every program:
  // an allocator unit or a selecting unit that defines them too would fail
  // to link ("multiple definition"), or replace the routing.
  bool Ok = true;
  if (Selection || G.State.AllocatorPragma.isValid())
    for (const FunctionDecl *FD : E.Fns)
      if (FD->isReplaceableGlobalAllocationFunction() && G.definedInMainFile(FD)) {
        report(Diags, G.body(FD)->getLocation(), Diag::DefinesOperator)
            << FD << (Selection != nullptr);
        Ok = false;
      }

  // Every function that gets a summary of its own (if it has anything to
  // say): the roots, and the exported functions but the ones every unit
  // recognizes by what they are (replaceable operators, allocsel's routes).
  llvm::DenseSet<const FunctionDecl *> Summarizable;
  std::vector<const FunctionDecl *> Starts, Exported;
  for (const Root &R : Roots)
    if (Summarizable.insert(R.FD).second)
      Starts.push_back(R.FD);
  for (const FunctionDecl *FD : E.Fns) {
    if (Summarizable.contains(FD) || !G.definesForOtherUnits(FD))
      continue;
    Sink K = G.sink(FD);
    if (K == Sink::GlobalOperator || K == Sink::Route)
      continue;
    Summarizable.insert(FD);
    Starts.push_back(FD);
    Exported.push_back(FD);
  }
  G.explore(Starts);

  auto Summarize = [&](const FunctionDecl *FD, const Found &F, bool IsRoot) {
    bool Defined = G.body(FD) != nullptr;
    if (!IsRoot && F.SinkKind == Sink::None && F.Exits.empty())
      return; // a pure function: other units need not know it
    facts::FunctionSummary Sum;
    Sum.Symbol = symbol(FD);
    // allocsel-link demangles the symbol; a display name is kept only for
    // what has none (C linkage keeps its name as its symbol anyway).
    Sum.Display = "";
    Sum.Loc = location((Defined ? G.body(FD) : FD)->getLocation());
    Sum.Root = IsRoot;
    Sum.Defined = Defined;
    if (F.SinkKind != Sink::None) {
      Sum.Allocates = true;
      const Call &Last = F.SinkChain.empty() ? Call{FD, FD->getLocation()} : F.SinkChain.back();
      Sum.Sink = Last.Callee ? display(Last.Callee) : Last.Unknown;
      Sum.Chain = steps(F.SinkChain);
      if (!Sum.Chain.empty())
        Sum.Chain.back().Skipped += F.SinkSkipped;
    }
    for (const Found::Exit &X : F.Exits) {
      Sum.Calls.push_back({symbol(X.To), "", steps(X.Chain)});
      if (!Sum.Calls.back().Steps.empty())
        Sum.Calls.back().Steps.back().Skipped += X.Skipped;
    }
    Rec.Functions.push_back(std::move(Sum));
  };

  // Exits stop at the other summarized functions: the link check goes on
  // from their summaries. So each function of the unit is searched through
  // once, not once per caller (a unit of generated code has thousands of
  // exported functions, an allocator unit as many roots).
  llvm::DenseMap<const FunctionDecl *, std::vector<Found::Exit>> ExitsOf;
  G.exitsBackward(Summarizable, ExitsOf);

  // A root's chain to the global allocator is reported here, whole, when it
  // stays in the unit.
  for (const Root &R : Roots) {
    // Whole chains for the report, while clang still shows errors (past
    // -ferror-limit it drops them, and an allocator unit has thousands).
    Found F = G.search(R.FD, /*WholeChain=*/!Diags.hasFatalErrorOccurred());
    F.Exits = std::move(ExitsOf[R.FD]);
    if (F.SinkKind != Sink::None && G.body(R.FD)) {
      reportChain(R, F, Selection);
      Ok = false;
    }
    Summarize(R.FD, F, /*IsRoot=*/true);
  }
  for (const FunctionDecl *FD : Exported) {
    Found F = G.search(FD, /*WholeChain=*/false);
    F.Exits = std::move(ExitsOf[FD]);
    Summarize(FD, F, /*IsRoot=*/false);
  }

  Rec.NeedsAllocatorUnit = G.State.NeedsAllocatorPragma.isValid();
  Rec.AllocatorUnit = G.State.AllocatorPragma.isValid();
  // (A template has no symbol: its instantiations are marked in each unit.)
  for (const FunctionDecl *FD : G.State.NeedsAllocatorFns)
    if (!FD->isDependentContext() && !FD->getDescribedFunctionTemplate())
      Rec.Marked.push_back({symbol(FD->getCanonicalDecl()), display(FD)});
  if (PrintStats)
    llvm::errs() << "allocsel: needs_allocator analysis: " << G.Counters.Functions
                 << " functions read, " << G.Counters.Calls << " calls, "
                 << G.Counters.SearchSteps << " search steps, " << Roots.size()
                 << " roots, " << Exported.size() << " exported functions, "
                 << Rec.Functions.size() << " summaries\n";
  return Ok;
}

} // namespace

bool checkNeedsAllocator(Sema &S, const UnitState &State, const VarDecl *Selection,
                         const Options &Opts, facts::UnitRecord &Rec,
                         AnalysisProgress &Progress) {
  return Checker(S, State, Opts, Progress).run(Selection, Rec);
}

} // namespace allocsel
