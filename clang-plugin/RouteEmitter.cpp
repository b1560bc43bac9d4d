//===- RouteEmitter.cpp - the selection's routing entry points ------------===//
//
// <allocsel/alloc.h> declares the routing entry points (extern "C", hidden):
//
//   void *__allocsel_new(size_t size, size_t align) noexcept;    ... and
//   __allocsel_delete, __allocsel_alloc, __allocsel_dealloc,
//   __allocsel_alloc_zeroed, __allocsel_realloc, __allocsel_info
//   (the list: <allocsel/detail/routes.def>).
//
// In the unit that selects `G`, the plugin defines each of them as
//
//   return ::allocsel::detail::route_X(G, params...);
//
// and __allocsel_info as route_info("variable", "type", "file:line:col"). They have
// default visibility and are weak: a shared library that selects exports
// them, and the process binds every reference to one definition (docs/guide.md
// section 3). Next
// to them, emitThunks() puts the operators' weak thunks (runtime/src/thunks.h).
// The definitions are redeclarations of the header's declarations, built
// with Sema and handed to code generation. They never look a name up where
// the user's declarations could capture it: G and the parameters are direct
// references, and the route templates are found by qualified lookup from the
// global namespace.
//
//===----------------------------------------------------------------------===//

#include "RouteEmitter.h"
#include "SelectionChecker.h"

#include "AllocInterface.h"
#include "ClangCompat.h"
#include "Diagnostics.h"
#include "thunks.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Sema/Lookup.h"
#include "clang/Sema/Sema.h"
#include "llvm/Support/raw_ostream.h"

#include <array>

using namespace clang;

namespace allocsel {
namespace {

struct Route {
  llvm::StringRef Symbol;
  llvm::StringRef Template; // in ::allocsel::detail
  /// An operator's implementation (__allocsel_impl_*): internal, reached
  /// only through this object's operators (aliases). Otherwise a route:
  /// default visibility and weak.
  bool Operator = false;
};

/// The routes of <allocsel/detail/routes.def>, then the operators.
#define ALLOCSEL_ROUTE(NAME, ...) {"__allocsel_" #NAME, "route_" #NAME},
#define ALLOCSEL_OPERATOR_ROUTE(I, M, T, ...) {"__allocsel_impl_" #M, #T, true},
constexpr Route Routes[] = {
#include <allocsel/detail/routes.def>
    // The 20 operators, compiled here where the selection's members are
    // visible, so that its fast path inlines into operator new and delete.
    ALLOCSEL_OPERATORS(ALLOCSEL_OPERATOR_ROUTE)
};
#undef ALLOCSEL_OPERATOR_ROUTE

/// The route that describes the selection (route_info takes the
/// description instead of the allocator).
#define ALLOCSEL_ROUTE(...)
#define ALLOCSEL_INFO_ROUTE(NAME, ...) constexpr llvm::StringLiteral InfoRoute = "__allocsel_" #NAME;
#include <allocsel/detail/routes.def>

/// What allocsel::global_allocator_info() reports of the selection \p V:
/// route_info("app::GLOBAL", "Counting", "main.cpp:12:41").
std::array<std::string, 3> describe(const VarDecl *V, const SourceManager &SM,
                                    const PrintingPolicy &Policy) {
  std::string Location;
  PresumedLoc P = SM.getPresumedLoc(V->getLocation());
  if (P.isValid())
    Location = (llvm::Twine(P.getFilename()) + ":" + llvm::Twine(P.getLine()) + ":" +
                llvm::Twine(P.getColumn())).str();
  return {describeVariable(V, Policy), V->getType().getUnqualifiedType().getAsString(Policy),
          Location};
}

class Emitter {
public:
  Emitter(Sema &S, VarDecl *V, bool AllowHidden)
      : S(S), Ctx(S.getASTContext()), V(V), Loc(V->getLocation()), AllowHidden(AllowHidden) {}

  /// Builds every route; returns them in order, or an empty list and the
  /// name of what was missing.
  bool build(llvm::SmallVectorImpl<FunctionDecl *> &Out, std::string &Missing) {
    NamespaceDecl *Allocsel = dyn_cast_or_null<NamespaceDecl>(
        lookupQualified(S, nullptr, "allocsel", Sema::LookupNamespaceName, AllowHidden));
    NamespaceDecl *Detail =
        Allocsel ? dyn_cast_or_null<NamespaceDecl>(lookupQualified(
                       S, Allocsel, "detail", Sema::LookupNamespaceName, AllowHidden))
                 : nullptr;
    if (!Detail) {
      Missing = "allocsel::detail";
      return false;
    }
    for (const Route &R : Routes) {
      // A route redeclares the header's declaration; an operator's
      // implementation is a new function (its type comes from the template).
      FunctionDecl *Decl = nullptr;
      if (!R.Operator)
        Decl = dyn_cast_or_null<FunctionDecl>(
            lookupQualified(S, nullptr, R.Symbol, Sema::LookupOrdinaryName, AllowHidden));
      if (!Decl && !R.Operator) {
        Missing = R.Symbol.str();
        return false;
      }
      FunctionDecl *Def = defineRoute(Decl, Detail, R);
      if (!Def) {
        Missing = ("allocsel::detail::" + R.Template).str();
        return false;
      }
      Out.push_back(Def);
    }
    return true;
  }

private:
  /// An operator's implementation has the type of its template in
  /// allocsel::detail less the allocator parameter: the operator's own
  /// parameters, return type and exception specification (whether or not
  /// <new> declares that operator in this unit: -fno-sized-deallocation).
  QualType operatorType(const LookupResult &Found) {
    // A function template is an overload set of one to lookup.
    FunctionTemplateDecl *FTD = nullptr;
    for (NamedDecl *D : Found) {
      if (FTD)
        return QualType();
      FTD = dyn_cast<FunctionTemplateDecl>(D->getUnderlyingDecl());
    }
    if (!FTD)
      return QualType();
    FunctionDecl *T = FTD->getTemplatedDecl();
    const auto *Proto = T->getType()->getAs<FunctionProtoType>();
    if (!Proto || Proto->getNumParams() == 0)
      return QualType();
    llvm::SmallVector<QualType, 4> Params(Proto->param_types().drop_front());
    for (QualType P : Params)
      if (P->isDependentType())
        return QualType();
    FunctionProtoType::ExtProtoInfo EPI = Proto->getExtProtoInfo();
    return Ctx.getFunctionType(Proto->getReturnType(), Params, EPI);
  }

  /// A definition that redeclares the header's \p Decl at the selection;
  /// for an operator's implementation, a new function of type \p FnTy.
  FunctionDecl *startDefinition(FunctionDecl *Decl, QualType FnTy, const Route &R) {
    FunctionDecl *FD = FunctionDecl::Create(
        Ctx, R.Operator ? Ctx.getTranslationUnitDecl() : Decl->getDeclContext(), Loc, Loc,
        R.Operator ? DeclarationName(&Ctx.Idents.get(R.Symbol)) : Decl->getDeclName(), FnTy,
        Ctx.getTrivialTypeSourceInfo(FnTy, Loc), R.Operator ? SC_Static : SC_None);
    FD->setImplicit();
    if (R.Operator) {
      // Internal, under its own symbol name: the operators of this object
      // are weak aliases of it in module assembly (thunks.h), which LTO does
      // not see: used. A local symbol, so that tools that look for global
      // ones at the operator's address (valgrind) see only the weak alias.
      FD->addAttr(literalAsmLabel(Ctx, R.Symbol));
      FD->addAttr(UsedAttr::CreateImplicit(Ctx));
    } else {
      FD->setPreviousDecl(Decl);
      FD->addAttr(VisibilityAttr::CreateImplicit(Ctx, VisibilityAttr::Default));
    }
    // A route is weak, as the header declares them: a weak definition is interposable
    // everywhere, so no call in the selecting unit is bound to it directly
    // or inlined. Every allocsel::Global call of a library then reaches the
    // same routes (its process's, when the library is not the process's
    // allocator). Two selections still fail to link: the thunks' hidden
    // __allocsel_own_new is strong.
    if (!R.Operator)
      FD->addAttr(WeakAttr::CreateImplicit(Ctx));
    llvm::SmallVector<ParmVarDecl *, 4> Params;
    const auto *Proto = FnTy->castAs<FunctionProtoType>();
    for (QualType T : Proto->getParamTypes()) {
      ParmVarDecl *P = ParmVarDecl::Create(Ctx, FD, Loc, Loc, nullptr, T,
                                           Ctx.getTrivialTypeSourceInfo(T, Loc),
                                           SC_None, nullptr);
      P->setScopeInfo(0, Params.size());
      Params.push_back(P);
    }
    FD->setParams(Params);
    return FD;
  }

  FunctionDecl *finish(FunctionDecl *FD, Expr *Result) {
    Stmt *Ret = ReturnStmt::Create(Ctx, Loc, Result, nullptr);
    FD->setBody(CompoundStmt::Create(Ctx, {Ret}, FPOptionsOverride(), Loc, Loc));
    return FD;
  }

  FunctionDecl *defineRoute(FunctionDecl *Decl, NamespaceDecl *Detail,
                            const Route &R) {
    LookupResult Found(S, &Ctx.Idents.get(R.Template), Loc,
                       Sema::LookupOrdinaryName);
    Found.suppressDiagnostics();
    Found.setAllowHidden(AllowHidden);
    if (!S.LookupQualifiedName(Found, Detail))
      return nullptr;

    QualType FnTy = R.Operator ? operatorType(Found) : Decl->getType();
    if (FnTy.isNull())
      return nullptr;
    FunctionDecl *FD = startDefinition(Decl, FnTy, R);
    // Build the body as if inside the function: its parameters are locals.
    Sema::ContextRAII InFunction(S, FD);
    S.PushFunctionScope();
    ScopeExit PopScope([&] { S.PopFunctionScopeInfo(); });

    CXXScopeSpec SS;
    ExprResult Callee = S.BuildDeclarationNameExpr(SS, Found, /*NeedsADL=*/false);
    if (Callee.isInvalid())
      return nullptr;
    llvm::SmallVector<Expr *, 5> Args;
    if (R.Symbol == InfoRoute) {
      // route_info("app::GLOBAL", "Counting", "main.cpp:12:41")
      for (const std::string &Text : describe(V, S.getSourceManager(), Ctx.getPrintingPolicy())) {
        QualType StrTy = Ctx.getStringLiteralArrayType(Ctx.CharTy, Text.size());
        Args.push_back(StringLiteral::Create(Ctx, Text, StringLiteralKind::Ordinary,
                                             /*Pascal=*/false, StrTy, Loc));
      }
    } else {
      Args.push_back(S.BuildDeclRefExpr(V, V->getType().getNonReferenceType(),
                                        VK_LValue, Loc));
    }
    for (ParmVarDecl *P : FD->parameters())
      Args.push_back(S.BuildDeclRefExpr(P, P->getType().getNonReferenceType(), VK_LValue, Loc));
    ExprResult Call = S.BuildCallExpr(nullptr, Callee.get(), Loc, Args, Loc);
    if (Call.isInvalid())
      return nullptr;
    Call = S.ActOnFinishFullExpr(Call.get(), Loc, /*DiscardedValue=*/false);
    if (Call.isInvalid())
      return nullptr;
    return finish(FD, Call.get());
  }

  Sema &S;
  ASTContext &Ctx;
  VarDecl *V;
  SourceLocation Loc;
  bool AllowHidden;
};

} // namespace

bool isInfoRoute(llvm::StringRef Symbol) { return Symbol == InfoRoute; }

std::string describeVariable(const VarDecl *V, const PrintingPolicy &Policy) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  // A static local is named after its function: "app::init()::GLOBAL".
  if (const auto *Fn = dyn_cast_or_null<FunctionDecl>(
          V->isStaticLocal() ? V->getParentFunctionOrMethod() : nullptr)) {
    Fn->printQualifiedName(OS, Policy);
    OS << "()::" << V->getName();
  } else {
    V->printQualifiedName(OS, Policy);
  }
  return Out;
}

bool emitRoutes(Sema &S, VarDecl *V, bool FromModuleFile) {
  for (const Route &R : Routes)
    if (const auto *Decl = dyn_cast_or_null<FunctionDecl>(
            lookupQualified(S, nullptr, R.Symbol, Sema::LookupOrdinaryName, FromModuleFile)))
      if (const FunctionDecl *Def = Decl->getDefinition())
        if (Def->isFromASTFile()) {
          // The routes of a selection in a precompiled header (or module)
          // this unit uses: the plugin emitted them there, at that
          // selection. Two selections in one unit, as with #include.
          report(S.getDiagnostics(), V->getLocation(), Diag::Duplicate);
          report(S.getDiagnostics(), Def->getLocation(), Diag::PreviousSelection);
          return false;
        }
  // Names beginning with __allocsel_ are allocsel's: a definition of the
  // user's would take the routing over (or collide with the plugin's).
  // (The compile of a BMI reported them, for a selection in a module.)
  if (!FromModuleFile && reportReservedNames(S, V))
    return false;
  llvm::SmallVector<FunctionDecl *, 8> Defs;
  std::string Missing;
  if (!Emitter(S, V, FromModuleFile).build(Defs, Missing)) {
    report(S.getDiagnostics(), V->getLocation(), Diag::RoutesUnavailable)
        << V << Missing;
    return false;
  }
  for (FunctionDecl *FD : Defs) {
    FD->getDeclContext()->addHiddenDecl(FD);
    S.getASTConsumer().HandleTopLevelDecl(DeclGroupRef(FD));
  }
  emitThunks(S);
  return true;
}

void emitThunks(Sema &S) {
  // Strong under ASan only, whose operators a program may replace (thunks.h).
  emitModuleAsm(S, S.getLangOpts().Sanitize.has(SanitizerKind::Address)
                       ? ALLOCSEL_THUNKS_ASM_STRONG
                       : ALLOCSEL_THUNKS_ASM);
}

void emitModuleAsm(Sema &S, llvm::StringRef Asm) {
  ASTContext &C = S.getASTContext();
  QualType StrTy = C.getStringLiteralArrayType(C.CharTy, Asm.size());
  auto *Str = StringLiteral::Create(C, Asm, StringLiteralKind::Ordinary,
                                    /*Pascal=*/false, StrTy, SourceLocation());
  auto *D = FileScopeAsmDecl::Create(C, C.getTranslationUnitDecl(), Str,
                                     SourceLocation(), SourceLocation());
  D->setImplicit();
  // Module assembly in a named module unit's AST would reach its BMI, and
  // every importer would emit it again (the thunks' strong
  // __allocsel_own_new: "multiple definition"; the unit's record).
  if (!inNamedModuleUnit(C))
    C.getTranslationUnitDecl()->addHiddenDecl(D);
  S.getASTConsumer().HandleTopLevelDecl(DeclGroupRef(D));
}

/// The annotation that marks a selection in a named module unit.
static constexpr llvm::StringLiteral ModuleSelectionMark = "allocsel.global_allocator";

bool inNamedModuleUnit(const ASTContext &Ctx) { return Ctx.getCurrentNamedModule() != nullptr; }

void markModuleSelection(ASTContext &Ctx, VarDecl *V) {
  V->addAttr(AnnotateAttr::CreateImplicit(Ctx, ModuleSelectionMark, nullptr, 0));
  // Used: the object made from the BMI defines the variable, and so its
  // code generation is handed it (where this plugin sees the mark), even
  // when nothing of the unit refers to it (a static selection).
  V->addAttr(UsedAttr::CreateImplicit(Ctx));
}

namespace {
/// Looks through the declarations of the module unit being compiled, into
/// namespaces, classes and function bodies (a static local or member
/// selection), for the marked variable.
struct ModuleSelectionFinder : RecursiveASTVisitor<ModuleSelectionFinder> {
  VarDecl *Found = nullptr;
  bool VisitVarDecl(VarDecl *V) {
    for (const auto *A : V->specific_attrs<AnnotateAttr>())
      if (A->getAnnotation() == ModuleSelectionMark) {
        Found = V;
        return false;
      }
    return true;
  }
};
} // namespace

VarDecl *findModuleSelection(ASTContext &Ctx) {
  ModuleSelectionFinder Finder;
  for (Decl *D : Ctx.getTranslationUnitDecl()->decls())
    if (D->isInCurrentModuleUnit() && !Finder.TraverseDecl(D))
      break;
  return Finder.Found;
}

} // namespace allocsel
