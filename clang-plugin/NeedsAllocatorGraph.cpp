//===- NeedsAllocatorGraph.cpp - who calls whom ---------------------------===//
//
// What counts as a call (CallCollector): direct calls, member and operator
// calls, constructors (and the destructor of what they construct),
// destructors of temporaries and locals, the operator new/delete of new- and
// delete-expressions, constructor initializers, implicit member and base
// destructors, default arguments and default member initializers. A
// lambda's body is its call operator's, reached when the lambda is called.
// What is never evaluated calls nothing.
//
// Calls whose target is not known statically go where the policy says:
//   virtual call    the method and every override the unit defines, unless
//                   devirtualized (qualified, final, or an object whose
//                   dynamic type is known), and a node for what other
//                   units' overrides do (an exit of the unit: the link
//                   check joins it);
//   indirect call   every function of the same type whose address the unit
//                   takes (found once; through a pointer to member, a
//                   virtual method's overrides as for a virtual call), and,
//                   through a pointer, a node for what other units'
//                   functions of the type do (an exit of the unit: the
//                   link check joins it).
//   std::pmr        a call that allocates from a memory resource (its
//                   allocate(), a standard resource's members that use the
//                   upstream) goes where the resource it names does
//                   (StdModel.h's identifyResource(), the policy's
//                   memoryResource()): nowhere, the do_allocate of a class
//                   of the user's, or a node that allocates.
//
//===----------------------------------------------------------------------===//

#include "NeedsAllocatorGraph.h"

#include "ClangCompat.h"
#include "CrashGuard.h"
#include "Facts.h"
#include "StdModel.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace allocsel {

namespace {

const FunctionDecl *canonical(const FunctionDecl *FD) {
  return FD ? FD->getCanonicalDecl() : nullptr;
}

/// What an indirect call's callee expression calls. Total over every callee
/// clang builds: a function pointer or reference (a std::new_handler among
/// them), a pointer to member (`(o.*pm)()`, `(p->*pm)()`), a block
/// (`^{...}()`), and anything else (no function of the unit is its target).
IndirectCallee indirectCallee(const Expr *Callee) {
  Callee = Callee->IgnoreParens();
  // `h()` and `(*h)()` through a std::new_handler `h`, or
  // `std::get_new_handler()()`.
  const Expr *Pointer = Callee->IgnoreParenImpCasts();
  if (const auto *U = dyn_cast<UnaryOperator>(Pointer); U && U->getOpcode() == UO_Deref)
    Pointer = U->getSubExpr()->IgnoreParens();
  bool NewHandler = isNewHandlerType(Pointer->getType()) ||
                    isNewHandlerType(Pointer->IgnoreParenImpCasts()->getType());
  IndirectCallee R;
  bool Member = false;
  QualType T = Callee->getType();
  if (const auto *BO = dyn_cast<BinaryOperator>(Callee); BO && BO->isPtrMemOp()) {
    T = BO->getRHS()->getType(); // the bound member's type is a placeholder
    Member = true;
  }
  if (const auto *P = T->getAs<PointerType>())
    T = P->getPointeeType();
  else if (const auto *Ref = T->getAs<ReferenceType>())
    T = Ref->getPointeeType();
  else if (const auto *MP = T->getAs<MemberPointerType>()) {
    T = MP->getPointeeType();
    Member = true;
  } else if (T->getAs<BlockPointerType>()) {
    R.Through = CallThrough::Block;
    return R;
  }
  if (T.isNull() || T->isDependentType() || !T->getAs<FunctionType>())
    return R;
  R.Through = Member       ? CallThrough::MemberPointer
              : NewHandler ? CallThrough::NewHandler
                           : CallThrough::FunctionPointer;
  R.Type = T;
  return R;
}

/// The variables with static storage the unit defines (namespace scope,
/// static data members), in source order: their initializers and
/// destructors run in the program as the unit's code.
std::vector<const VarDecl *> staticStorageVariables(ASTContext &Ctx, bool OwnOnly) {
  std::vector<const VarDecl *> Out;
  const SourceManager &SM = Ctx.getSourceManager();
  std::vector<const DeclContext *> Work{Ctx.getTranslationUnitDecl()};
  while (!Work.empty()) {
    const DeclContext *DC = Work.back();
    Work.pop_back();
    for (const Decl *D : isa<TranslationUnitDecl>(DC) ? topLevelDecls(Ctx, OwnOnly)
                                                      : DC->decls()) {
      // (Each `namespace N {` block is a declaration of its own: the
      // headers' are never entered.)
      if (!SM.isInMainFile(SM.getExpansionLoc(D->getLocation())))
        continue;
      if (const auto *VD = dyn_cast<VarDecl>(D)) {
        if (VD->hasGlobalStorage() && !VD->isStaticLocal() &&
            VD->isThisDeclarationADefinition() && !VD->getType()->isDependentType())
          Out.push_back(VD);
      } else if (const auto *Inner = dyn_cast<DeclContext>(D)) {
        // Namespaces, linkage specifications, classes (static members), not
        // functions (their statics are read with their bodies) nor templates.
        if (isa<NamespaceDecl, LinkageSpecDecl, ExportDecl>(D) ||
            (isa<CXXRecordDecl>(D) && !Inner->isDependentContext()))
          Work.push_back(Inner);
      }
    }
  }
  return Out;
}

/// What takes a function's address in the code a visitor walks: `&f`, `f`
/// converted to a pointer other than as a call's callee, a lambda converted
/// to a function pointer (its static invoker), and a function given to
/// std::set_new_handler. \p Derived has `void taken(const FunctionDecl *,
/// SourceLocation, CallThrough)` and calls noteCall() from its
/// VisitCallExpr.
template <class Derived> class AddressTakenVisitor : public RecursiveASTVisitor<Derived> {
public:
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

protected:
  void noteCall(const CallExpr *CE) {
    // A direct call's callee decays to a pointer too; that is not taking
    // the function's address. Parents are visited before children.
    Callees.insert(CE->getCallee()->IgnoreParens());
    if (const auto *Conv = dyn_cast_or_null<CXXConversionDecl>(CE->getDirectCallee()))
      if (Conv->getParent()->isLambda() && Conv->getConversionType()->isPointerType())
        if (const CXXMethodDecl *Invoker = Conv->getParent()->getLambdaStaticInvoker())
          take(Invoker, CE->getExprLoc(), Graph::takenAs(Invoker));
    // (It is taken as a plain `void (*)()` too, by the conversion.)
    if (const FunctionDecl *Handler = newHandlerGiven(CE))
      take(Handler, CE->getArg(0)->getExprLoc(), CallThrough::NewHandler);
  }

private:
  void take(const Expr *E) {
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParens()))
      if (const auto *FD = dyn_cast<FunctionDecl>(DRE->getDecl()))
        take(FD, DRE->getLocation(), Graph::takenAs(FD));
  }
  void take(const FunctionDecl *FD, SourceLocation Loc, CallThrough As) {
    QualType T = FD->getType();
    if (!FD->isDependentContext() && !T->isDependentType() && T->getAs<FunctionType>())
      static_cast<Derived *>(this)->taken(FD->getCanonicalDecl(), Loc, As);
  }

  llvm::SmallPtrSet<const Expr *, 32> Callees;
};

} // namespace

/// Collects the calls of one function body, in one pass over it, and the
/// functions whose address it takes.
class CallCollector : public AddressTakenVisitor<CallCollector> {
  using Base = AddressTakenVisitor<CallCollector>;

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
    std::optional<Stmt *> Taken = If->isConstexpr() ? If->getNondiscardedCase(G.Ctx)
                                                    : constantBranch(If);
    if (!Taken)
      return Base::TraverseIfStmt(If, Q);
    TraverseStmt(If->getInit());
    if (VarDecl *CV = If->getConditionVariable())
      TraverseDecl(CV);
    return *Taken ? TraverseStmt(*Taken) : true;
  }
  /// A plain `if` whose condition is a constant without side effects (a
  /// `static const bool` configuration flag, `if (0)`): the branch that
  /// runs (null for a missing else), or nothing if the condition is not
  /// one.
  std::optional<Stmt *> constantBranch(IfStmt *If) const {
    const Expr *Cond = If->getCond();
    bool Value;
    if (!Cond || If->getInit() || If->getConditionVariable() || Cond->isValueDependent() ||
        Cond->HasSideEffects(G.Ctx) || !Cond->EvaluateAsBooleanCondition(Value, G.Ctx))
      return std::nullopt;
    return Value ? If->getThen() : If->getElse();
  }
  /// What follows a statement that always returns (`if (!kDebug) return;`
  /// with a constant condition, a `return`) never runs, unless a label or a
  /// `case` after it can be jumped to: a block's statements are read up to
  /// it.
  bool TraverseCompoundStmt(CompoundStmt *Block, DataRecursionQueue * = nullptr) {
    for (auto It = Block->body_begin(), End = Block->body_end(); It != End; ++It) {
      if (!TraverseStmt(*It))
        return false;
      if (alwaysReturns(*It) &&
          std::none_of(It + 1, End, [](const Stmt *S) { return hasJumpTarget(S); }))
        break;
    }
    return true;
  }
  static bool hasJumpTarget(const Stmt *S) {
    if (!S)
      return false;
    if (isa<LabelStmt, SwitchCase>(S))
      return true;
    return llvm::any_of(S->children(), [](const Stmt *C) { return hasJumpTarget(C); });
  }
  bool alwaysReturns(Stmt *S) const {
    if (isa_and_nonnull<ReturnStmt>(S))
      return true;
    if (auto *If = dyn_cast_or_null<IfStmt>(S)) {
      // (The condition is evaluated only when a branch returns.)
      if (!alwaysReturns(If->getThen()) && !alwaysReturns(If->getElse()))
        return false;
      std::optional<Stmt *> Taken =
          If->isConstexpr() ? If->getNondiscardedCase(G.Ctx) : constantBranch(If);
      return Taken && alwaysReturns(*Taken);
    }
    if (auto *Block = dyn_cast_or_null<CompoundStmt>(S))
      return llvm::any_of(Block->body(), [&](Stmt *Inner) { return alwaysReturns(Inner); });
    return false;
  }

  void add(const FunctionDecl *FD, SourceLocation Loc) {
    if (FD)
      Out.push_back({canonical(FD), Loc});
  }
  /// Destructors run after what the code calls explicitly: they are added
  /// last, so that of two chains of the same length, the one the user
  /// wrote is reported. \p Object: the variable or member destroyed, if
  /// any (a standard memory resource frees to the upstream its
  /// initializer gave it).
  void addDestructor(QualType T, SourceLocation Loc, const ValueDecl *Object = nullptr) {
    if (T->isDependentType())
      return;
    const CXXRecordDecl *RD = G.Ctx.getBaseElementType(T)->getAsCXXRecordDecl();
    if (!RD || !RD->hasDefinition() || RD->hasTrivialDestructor())
      return;
    const FunctionDecl *Dtor = RD->getDestructor();
    if (!Dtor)
      return;
    if (resourceUse(Dtor) == ResourceUse::Upstream) {
      Resource R;
      if (Object && !T->isArrayType())
        R = upstreamOfObject(G.Ctx, Object);
      R.Through = RD;
      if (R.Loc.isInvalid())
        R.Loc = Loc;
      G.resourceTargets(Dtor, R, ResourceUse::Upstream, Loc, Destructors);
      return;
    }
    Destructors.push_back({canonical(Dtor), Loc});
  }

  void taken(const FunctionDecl *FD, SourceLocation Loc, CallThrough As) {
    G.noteTaken(FD, Loc, As);
    // Calls through the pointer are not seen: its parameters can hold any
    // function.
    for (unsigned I = 0, N = FD->getNumParams(); I < N; ++I)
      if (Graph::isFunctionPointerParam(FD->getParamDecl(I)))
        G.noteBinding({canonical(FD), I, nullptr, Loc});
  }

  bool VisitCallExpr(CallExpr *CE) {
    noteCall(CE);
    SourceLocation Loc = CE->getExprLoc();
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD) {
      const Expr *Callee = CE->getCallee();
      if (!Callee || isa<CXXPseudoDestructorExpr>(Callee->IgnoreParens()))
        return true;
      IndirectCallee Target = indirectCallee(Callee);
      if (Target.Through == CallThrough::FunctionPointer)
        Target.Param = parameterCalled(Callee);
      CallTargets T = G.P.indirectCall(Target.Through);
      addTargets(T, Loc, facts::IndirectCall, [&] { return G.addressTakenDispatcher(Target); });
      // And what other units' functions of the type do (the link check's).
      if (T == CallTargets::Possible && !Target.Type.isNull())
        add(G.elsewhereNode(Target), Loc);
      return true;
    }
    noteBindings(CE, FD);
    // Allocating from a std::pmr resource: what it does depends on the
    // resource the call names, not on the body of memory_resource::allocate
    // (a virtual call to do_allocate on an object whose type it cannot know).
    if (ResourceUse Use = resourceUse(FD); Use != ResourceUse::None)
      if (const auto *MCE = dyn_cast<CXXMemberCallExpr>(CE))
        if (const Expr *Object = MCE->getImplicitObjectArgument()) {
          G.resourceTargets(FD, identifyResource(G.Ctx, Object), Use, Loc, Out);
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
    CallTargets T = G.P.virtualCall();
    addTargets(T, Loc, facts::UnresolvedVirtualCall,
               [&] { return G.overridersDispatcher(MD); });
    // And what other units' overrides do (the link check's).
    if (T == CallTargets::Possible)
      add(G.virtualElsewhere(MD), Loc);
    return true;
  }
  /// The parameter of the function being read that \p Callee calls
  /// through (`cb(...)`, `(*cb)(...)`), if a call through it reaches only
  /// what its callers pass (Graph::callsOnlyWhatIsPassed); else null.
  const ParmVarDecl *parameterCalled(const Expr *Callee) const {
    const Expr *E = Callee->IgnoreParenImpCasts();
    if (const auto *U = dyn_cast<UnaryOperator>(E); U && U->getOpcode() == UO_Deref)
      E = U->getSubExpr()->IgnoreParenImpCasts();
    const auto *DRE = dyn_cast<DeclRefExpr>(E);
    const auto *P = DRE ? dyn_cast<ParmVarDecl>(DRE->getDecl()) : nullptr;
    if (!P || !Current || P->getDeclContext() != Current ||
        !G.callsOnlyWhatIsPassed(P))
      return nullptr;
    return P;
  }
  /// What a direct call passes to the callee's function-pointer
  /// parameters (a function by name, or anything else; a null pointer
  /// calls nothing and is left out).
  void noteBindings(const CallExpr *CE, const FunctionDecl *FD) {
    if (FD->isDependentContext())
      return; // (never in code that runs; a record names no template)
    // An operator that is a member: the object is the first argument.
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    unsigned Shift = isa<CXXOperatorCallExpr>(CE) && MD && MD->isInstance() ? 1 : 0;
    for (unsigned I = 0, N = FD->getNumParams(); I < N && I + Shift < CE->getNumArgs(); ++I) {
      if (!Graph::isFunctionPointerParam(FD->getParamDecl(I)))
        continue;
      const Expr *A = CE->getArg(I + Shift)->IgnoreParenImpCasts();
      if (const auto *Default = dyn_cast<CXXDefaultArgExpr>(A))
        A = Default->getExpr()->IgnoreParenImpCasts();
      if (A->isNullPointerConstant(G.Ctx, Expr::NPC_ValueDependentIsNotNull))
        continue;
      if (const auto *U = dyn_cast<UnaryOperator>(A); U && U->getOpcode() == UO_AddrOf)
        A = U->getSubExpr()->IgnoreParenImpCasts();
      const auto *DRE = dyn_cast<DeclRefExpr>(A);
      const auto *Passed = DRE ? dyn_cast<FunctionDecl>(DRE->getDecl()) : nullptr;
      if (Passed && Passed->isDependentContext())
        Passed = nullptr;
      G.noteBinding({canonical(FD), I, canonical(Passed), CE->getArg(I + Shift)->getExprLoc()});
    }
  }
  /// What the policy says a call at \p Loc reaches besides the function it
  /// names: an unknown call named \p Unknown, or \p Dispatcher's targets.
  void addTargets(CallTargets T, SourceLocation Loc, const char *Unknown,
                  llvm::function_ref<const FunctionDecl *()> Dispatcher) {
    switch (T) {
    case CallTargets::Unknown:
      Out.push_back({nullptr, Loc, Unknown});
      break;
    case CallTargets::Possible:
      add(Dispatcher(), Loc);
      break;
    case CallTargets::None:
      break;
    }
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
    // A standard memory resource's construction: the library's own
    // constructors (a pool's, which makes its first pools) use the upstream
    // the construction names; the inline ones only store it.
    if (const CXXConstructorDecl *Ctor = E->getConstructor();
        Ctor && resourceUse(Ctor) == ResourceUse::Upstream) {
      if (constructsOutOfLine(Ctor))
        G.resourceTargets(Ctor, upstreamResource(G.Ctx, E), ResourceUse::Upstream,
                          E->getExprLoc(), Out);
      G.noteConstructed(Ctor->getParent());
      return true;
    }
    add(E->getConstructor(), E->getExprLoc());
    // An object of a class with virtual methods: a virtual call anywhere
    // can reach its overrides.
    if (const CXXConstructorDecl *Ctor = E->getConstructor())
      G.noteConstructed(Ctor->getParent());
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
      Destructors.push_back({canonical(Dtor), E->getExprLoc()});
    return true;
  }
  bool VisitVarDecl(VarDecl *VD) {
    // A static local is destroyed at exit, not when the function returns.
    if (!isa<ParmVarDecl>(VD) && !VD->hasGlobalStorage() &&
        !VD->getType()->isReferenceType())
      addDestructor(VD->getType(), VD->getLocation(), VD);
    return true;
  }
  bool VisitCXXDefaultArgExpr(CXXDefaultArgExpr *E) {
    return TraverseStmt(E->getExpr());
  }
  bool VisitCXXDefaultInitExpr(CXXDefaultInitExpr *E) {
    return TraverseStmt(E->getExpr());
  }

  /// Whether constructing with \p Ctor runs a constructor without a body in
  /// the unit: \p Ctor, or the one it delegates to.
  static bool constructsOutOfLine(const CXXConstructorDecl *Ctor) {
    const FunctionDecl *Def = nullptr;
    if (!Ctor->hasBody(Def))
      return true;
    const auto *DefCtor = dyn_cast<CXXConstructorDecl>(Def);
    if (!DefCtor || !DefCtor->isDelegatingConstructor() || DefCtor->getNumCtorInitializers() == 0)
      return false;
    const Expr *Init = (*DefCtor->init_begin())->getInit();
    const auto *Inner = Init ? dyn_cast<CXXConstructExpr>(Init->IgnoreImplicit()) : nullptr;
    const CXXConstructorDecl *Target = Inner ? Inner->getConstructor() : nullptr;
    return Target && !Target->hasBody();
  }

  /// A variable with static storage: its initializer and its destructor.
  void collect(const VarDecl *VD) {
    if (const Expr *Init = VD->getInit())
      TraverseStmt(const_cast<Expr *>(Init));
    if (!VD->getType()->isReferenceType())
      addDestructor(VD->getType(), VD->getLocation(), VD);
    Out.insert(Out.end(), Destructors.begin(), Destructors.end());
  }

  void collect(const FunctionDecl *Def) {
    Current = Def;
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->getInit())
          TraverseStmt(Init->getInit());
    if (const auto *Dtor = dyn_cast<CXXDestructorDecl>(Def)) {
      // Members and bases are destroyed after the body, implicitly.
      const CXXRecordDecl *RD = Dtor->getParent();
      for (const FieldDecl *F : RD->fields())
        addDestructor(F->getType(), Dtor->getLocation(), F);
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
  const FunctionDecl *Current = nullptr; // the function whose body is read
};

const FunctionKind &Graph::kind(const FunctionDecl *FD) {
  auto [It, New] = Kinds.try_emplace(FD);
  if (New && elsewhere(FD))
    It->second.External = true; // a call out of the unit
  else if (New && !isDispatcher(FD))
    It->second = P.classify(FD);
  return It->second;
}

const std::vector<Call> &Graph::calls(const FunctionDecl *FD) {
  auto It = Edges.find(FD);
  if (It != Edges.end())
    return It->second;
  std::vector<Call> Out; // (collecting may add a dispatcher's edges)
  if (FD == InitNode) {
    for (const VarDecl *VD : staticStorageVariables(Ctx, OwnDeclsOnly))
      CallCollector(*this, Out).collect(VD);
  } else if (const FunctionDecl *Def = definition(FD); Def && !kind(FD).Opaque) {
    Progress.Current = Def;
    if (!CrashIn.empty() && Def->getQualifiedNameAsString() == CrashIn)
      crashForTesting();
    CallCollector(*this, Out).collect(Def);
    // A lambda's static invoker (its conversion to a function pointer)
    // forwards to the call operator; the compiler writes that code, not the
    // AST.
    if (const auto *MD = dyn_cast<CXXMethodDecl>(Def); MD && MD->isLambdaStaticInvoker())
      if (const CXXMethodDecl *Op = MD->getParent()->getLambdaCallOperator())
        Out.push_back({canonical(Op), MD->getLocation()});
  }
  return Edges[FD] = std::move(Out);
}

const FunctionDecl *Graph::initializers() {
  if (!InitNode) {
    InitNode = makeNode("__allocsel_initializers");
    Kinds[InitNode] = {};
  }
  return InitNode;
}

void Graph::noteTaken(const FunctionDecl *FD, SourceLocation Loc, CallThrough As) {
  if (!isAllocselMachinery(FD))
    ReachedTaken.insert({{FD, As}, Loc});
}

void Graph::noteBinding(const Binding &B) {
  if (isAllocselMachinery(B.Callee) || (B.Passed && isAllocselMachinery(B.Passed)))
    return;
  if (BindingSeen.insert({B.Callee, B.Param, B.Passed}).second)
    ReachedBindings.push_back(B);
}

bool Graph::isFunctionPointerParam(const ParmVarDecl *P) {
  QualType T = P->getType();
  if (T.isNull() || T->isDependentType())
    return false;
  if (const auto *Ptr = T->getAs<PointerType>())
    T = Ptr->getPointeeType();
  else if (const auto *Ref = T->getAs<ReferenceType>())
    T = Ref->getPointeeType();
  else
    return false;
  return T->isFunctionType();
}

bool Graph::callsOnlyWhatIsPassed(const ParmVarDecl *P) {
  auto [It, New] = OnlyPassed.try_emplace(P, false);
  if (!New)
    return It->second;
  const auto *FD = dyn_cast<FunctionDecl>(P->getDeclContext());
  if (!FD || !isFunctionPointerParam(P) || FD->isDependentContext() || !FD->hasBody() ||
      isa<CXXConstructorDecl>(FD))
    return false;
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD); MD && (MD->isVirtual() || MD->getParent()->isLambda()))
    return false;
  // Never assigned, never its address taken (lambdas in the body
  // included).
  struct Writes : RecursiveASTVisitor<Writes> {
    const ParmVarDecl *P;
    bool Found = false;
    bool names(const Expr *E) const {
      const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParens());
      return DRE && DRE->getDecl() == P;
    }
    bool VisitBinaryOperator(BinaryOperator *BO) {
      if (BO->isAssignmentOp() && names(BO->getLHS()))
        Found = true;
      return !Found;
    }
    bool VisitUnaryOperator(UnaryOperator *U) {
      if (U->getOpcode() == UO_AddrOf && names(U->getSubExpr()))
        Found = true;
      return !Found;
    }
  } W;
  W.P = P;
  W.TraverseStmt(FD->getBody());
  return It->second = !W.Found;
}

const FunctionDecl *Graph::addressTakenDispatcher(const IndirectCallee &Callee) {
  return dispatcher(callKey(Callee.Type, Callee.Through), [&](auto &Out) {
    addressTaken(Callee, Out);
    // A call through a pointer to a virtual member function is a virtual
    // call: it runs the object's override ([expr.mptr.oper] calls the final
    // overrider), in this unit or another.
    if (Callee.Through != CallThrough::MemberPointer)
      return;
    for (size_t I = 0, N = Out.size(); I < N; ++I)
      if (const auto *MD = dyn_cast<CXXMethodDecl>(Out[I]); MD && MD->isVirtual()) {
        overriders(MD, Out);
        if (const FunctionDecl *Elsewhere = virtualElsewhere(MD))
          Out.push_back(Elsewhere);
      }
  });
}

const FunctionDecl *Graph::overridersDispatcher(const CXXMethodDecl *MD) {
  return dispatcher({MD->getCanonicalDecl(), 2}, [&](auto &Out) { overriders(MD, Out); });
}

const FunctionDecl *
Graph::dispatcher(std::pair<const void *, unsigned> Key,
                  llvm::function_ref<void(llvm::SmallVectorImpl<const FunctionDecl *> &)> Targets) {
  auto [It, New] = Dispatchers.try_emplace(Key, nullptr);
  if (!New)
    return It->second;
  llvm::SmallVector<const FunctionDecl *, 8> Found;
  Targets(Found);
  if (Found.empty())
    return nullptr;
  const FunctionDecl *D = makeNode("__allocsel_dispatch");
  std::vector<Call> &Out = Edges[D];
  for (const FunctionDecl *T : Found)
    Out.push_back({canonical(T), SourceLocation()});
  DispatcherSet.insert(D);
  return It->second = D;
}

const FunctionDecl *Graph::elsewhereNode(const IndirectCallee &Callee) {
  // One node per type, and one per parameter called through.
  std::pair<const void *, unsigned> Key =
      Callee.Param ? std::pair<const void *, unsigned>{Callee.Param, ~0u}
                   : callKey(Callee.Type, Callee.Through);
  auto [It, New] = Elsewhere.try_emplace(Key, nullptr);
  if (New) {
    It->second = makeNode("__allocsel_elsewhere");
    ElsewhereOf[It->second] = {Callee.Through, callType(Callee.Type), Callee.Param};
  }
  return It->second;
}

const FunctionDecl *Graph::virtualElsewhere(const CXXMethodDecl *MD) {
  if (!isVirtualKey(MD) || isAllocselMachinery(MD))
    return nullptr;
  // One node per method (its key differs from a type's and a parameter's).
  auto [It, New] = Elsewhere.try_emplace({MD->getCanonicalDecl(), ~1u}, nullptr);
  if (New) {
    It->second = makeNode("__allocsel_elsewhere");
    IndirectCallee Callee;
    Callee.Virtual = MD->getCanonicalDecl();
    ElsewhereOf[It->second] = Callee;
  }
  return It->second;
}

bool Graph::isVirtualKey(const CXXMethodDecl *MD) {
  return MD->isVirtual() && !MD->isDependentContext() && MD->isExternallyVisible();
}

void Graph::overriddenKeys(const CXXMethodDecl *MD,
                           llvm::SmallVectorImpl<const CXXMethodDecl *> &Out) {
  llvm::SmallVector<const CXXMethodDecl *, 4> Work{MD->getCanonicalDecl()};
  llvm::SmallPtrSet<const CXXMethodDecl *, 4> Seen;
  for (size_t I = 0; I < Work.size(); ++I)
    for (const CXXMethodDecl *B : Work[I]->overridden_methods()) {
      B = B->getCanonicalDecl();
      if (!Seen.insert(B).second)
        continue; // (a diamond)
      Work.push_back(B);
      if (isVirtualKey(B))
        Out.push_back(B);
    }
}

void Graph::noteConstructed(const CXXRecordDecl *RD) {
  if (!RD || !Constructed.insert(RD->getCanonicalDecl()).second)
    return;
  const CXXRecordDecl *Def = RD->getDefinition();
  if (!Def || Def->isDependentContext() || !Def->isDynamicClass())
    return;
  // Its bases are constructed too (their constructors are called where its
  // own constructor is read), and list the overrides it inherits.
  llvm::SmallVector<const CXXMethodDecl *, 4> Keys;
  for (const CXXMethodDecl *M : Def->methods()) {
    if (!M->isVirtual() || M->size_overridden_methods() == 0 || !definition(M) ||
        isAllocselMachinery(M))
      continue;
    Keys.clear();
    overriddenKeys(M, Keys);
    if (!Keys.empty())
      ReachedOverriders.insert(canonical(M));
  }
}

const FunctionDecl *Graph::makeNode(const char *Name) {
  return FunctionDecl::Create(Ctx, Ctx.getTranslationUnitDecl(), SourceLocation(),
                              SourceLocation(), DeclarationName(&Ctx.Idents.get(Name)),
                              Ctx.getFunctionType(Ctx.VoidTy, {}, {}), nullptr, SC_Static);
}

void Graph::resourceTargets(const FunctionDecl *Callee, Resource R, ResourceUse Use,
                            SourceLocation Loc, std::vector<Call> &Into, bool Given) {
  // A standard resource in front uses its upstream both ways.
  if (R.Through)
    Use = ResourceUse::Upstream;
  switch (P.memoryResource(R.K)) {
  case ResourceTargets::None:
    return;
  case ResourceTargets::Allocates:
    Into.push_back({resourceSinkNode(Callee, {R, Use, Given}), Loc});
    return;
  case ResourceTargets::Given: {
    // (Never nested: what a polymorphic_allocator is given is identified
    // where it is given, and one copied from another adds nothing.)
    const std::vector<Resource> &All = polymorphicResources();
    if (All.empty() || Given) {
      Resource Unknown = R;
      Unknown.K = Resource::Unknown;
      Into.push_back({resourceSinkNode(Callee, {Unknown, Use, Given}), Loc});
      return;
    }
    for (Resource Each : All) {
      if (!Each.Through)
        Each.Through = R.Through;
      resourceTargets(Callee, Each, Use, Loc, Into, /*Given=*/true);
    }
    return;
  }
  case ResourceTargets::Class:
    break;
  }
  // The do_allocate and do_deallocate that run for the class: the class's
  // own, as a call devirtualized when the object is known, else as a
  // virtual call on it (the policy's row).
  for (llvm::StringRef Name : {llvm::StringRef("do_allocate"), llvm::StringRef("do_deallocate")}) {
    if ((Name == "do_allocate" && Use == ResourceUse::Deallocate) ||
        (Name == "do_deallocate" && Use == ResourceUse::Allocate))
      continue;
    const CXXMethodDecl *M = R.Class ? overrider(R.Class, Name) : nullptr;
    if (!M)
      continue;
    if (isStdMemoryResource(M->getParent())) {
      // A class of the user's derived from a standard resource that leaves
      // allocation to it: its upstream is not known here (or, left to
      // memory_resource's pure method, its overrides are not either).
      Resource Std = R;
      Std.K = Resource::Unknown;
      Std.Through = isMemoryResource(M->getParent()) && M->isPureVirtual() ? nullptr
                                                                           : M->getParent();
      Into.push_back({resourceSinkNode(Callee, {Std, ResourceUse::Upstream, Given}), Loc});
      continue;
    }
    // (A pure method of an abstract class of the user's runs no code of
    // its own: its overrides do.)
    if (!M->isPureVirtual())
      Into.push_back({canonical(M), Loc});
    bool Devirtualized = R.Exact || M->hasAttr<FinalAttr>() || M->getParent()->hasAttr<FinalAttr>();
    if (Devirtualized)
      continue;
    CallTargets T = P.virtualCall();
    switch (T) {
    case CallTargets::Unknown:
      Into.push_back({nullptr, Loc, facts::UnresolvedVirtualCall});
      break;
    case CallTargets::Possible:
      if (const FunctionDecl *D = overridersDispatcher(M))
        Into.push_back({D, Loc});
      // And what other units' overrides do (the link check's).
      if (const FunctionDecl *Elsewhere = virtualElsewhere(M))
        Into.push_back({Elsewhere, Loc});
      break;
    case CallTargets::None:
      break;
    }
  }
}

const CXXMethodDecl *Graph::overrider(const CXXRecordDecl *RD, llvm::StringRef Name,
                                      unsigned Depth) {
  if (!RD || Depth > 16 || !(RD = RD->getDefinition()))
    return nullptr;
  for (const NamedDecl *D : RD->lookup(&Ctx.Idents.get(Name)))
    if (const auto *M = dyn_cast<CXXMethodDecl>(D->getUnderlyingDecl()); M && M->isVirtual())
      return M;
  for (const CXXBaseSpecifier &B : RD->bases())
    if (const CXXMethodDecl *M = overrider(B.getType()->getAsCXXRecordDecl(), Name, Depth + 1))
      return M;
  return nullptr;
}

const FunctionDecl *Graph::resourceSinkNode(const FunctionDecl *Callee, const ResourceSink &S) {
  auto Key = std::make_tuple(static_cast<const void *>(Callee), static_cast<unsigned>(S.R.K),
                             static_cast<const void *>(S.R.Through),
                             S.R.Loc.getRawEncoding(),
                             static_cast<unsigned>(S.Use) * 2 + (S.Given ? 1 : 0));
  auto [It, New] = ResourceSinkNodes.try_emplace(Key, nullptr);
  if (!New)
    return It->second;
  // Named as the function the code calls, where the code names the
  // resource: the chain's last note says why it allocates.
  std::string Name;
  llvm::raw_string_ostream OS(Name);
  Callee->getNameForDiagnostic(OS, Ctx.getPrintingPolicy(), /*Qualified=*/true);
  OS.flush();
  const FunctionDecl *Node = FunctionDecl::Create(
      Ctx, Ctx.getTranslationUnitDecl(), S.R.Loc, S.R.Loc,
      DeclarationName(&Ctx.Idents.get(Name)), Ctx.getFunctionType(Ctx.VoidTy, {}, {}), nullptr,
      SC_Static);
  Kinds[Node] = {Sink::MemoryResource};
  ResourceSinks[Node] = S;
  return It->second = Node;
}

const std::vector<Resource> &Graph::polymorphicResources() {
  if (PolymorphicGiven)
    return *PolymorphicGiven;
  // Once per unit: every construction of a polymorphic_allocator that gives
  // it a resource, in the unit's code and the instantiations it uses (a
  // pmr container's default allocator is made in the container's code).
  struct Finder : RecursiveASTVisitor<Finder> {
    const ASTContext &Ctx;
    std::vector<Resource> &Out;
    Finder(const ASTContext &Ctx, std::vector<Resource> &Out) : Ctx(Ctx), Out(Out) {}
    bool shouldVisitTemplateInstantiations() const { return true; }
    bool shouldVisitImplicitCode() const { return true; }
    bool VisitCXXConstructExpr(CXXConstructExpr *E) {
      Resource R;
      if (E->isTypeDependent() || E->isValueDependent() || !polymorphicAllocatorGiven(Ctx, E, R) ||
          R.K == Resource::Polymorphic)
        return true;
      bool Known = llvm::any_of(Out, [&](const Resource &Old) {
        return Old.K == R.K && Old.Class == R.Class && Old.Exact == R.Exact &&
               Old.Through == R.Through;
      });
      if (!Known)
        Out.push_back(R);
      return true;
    }
  };
  PolymorphicGiven.emplace();
  Finder F(Ctx, *PolymorphicGiven);
  F.TraverseDecl(Ctx.getTranslationUnitDecl());
  return *PolymorphicGiven;
}

QualType Graph::callType(QualType FnTy) const {
  if (FnTy->getAs<FunctionProtoType>())
    FnTy = Ctx.getFunctionTypeWithExceptionSpec(FnTy, EST_None);
  return Ctx.getCanonicalType(FnTy);
}

CallThrough Graph::takenAs(const FunctionDecl *FD) {
  // A pointer to member calls non-static member functions only; a plain
  // function pointer, anything else.
  const auto *MD = dyn_cast<CXXMethodDecl>(FD);
  return MD && MD->isInstance() ? CallThrough::MemberPointer : CallThrough::FunctionPointer;
}

std::pair<const void *, unsigned> Graph::callKey(QualType FnTy, CallThrough Through) const {
  return {callType(FnTy).getTypePtr(), static_cast<unsigned>(Through)};
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
    // Once per unit, on its first call through a pointer: every function
    // whose address the unit takes, anywhere (the code that takes it may be
    // read later).
    struct Finder : AddressTakenVisitor<Finder> {
      Graph &G;
      explicit Finder(Graph &G) : G(G) {}
      bool shouldVisitTemplateInstantiations() const { return true; }
      bool shouldVisitImplicitCode() const { return true; }
      bool VisitCallExpr(CallExpr *CE) {
        noteCall(CE);
        return true;
      }
      void taken(const FunctionDecl *FD, SourceLocation, CallThrough As) {
        (*G.AddressTakenFns)[G.callKey(FD->getType(), As)].insert(FD);
      }
    } F(*this);
    AddressTakenFns.emplace();
    F.TraverseDecl(Ctx.getTranslationUnitDecl());
  }
  auto It = AddressTakenFns->find(
      callKey(Callee.Type, Callee.Through));
  if (It != AddressTakenFns->end())
    Out.append(It->second.begin(), It->second.end());
}

} // namespace allocsel
