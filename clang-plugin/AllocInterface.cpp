//===- AllocInterface.cpp - the Alloc interface, as Sema sees it ----------===//

#include "AllocInterface.h"
#include "ClangCompat.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/Sema/EnterExpressionEvaluationContext.h"
#include "clang/Sema/Lookup.h"
#include "clang/Sema/Sema.h"

using namespace clang;

namespace allocsel {
namespace {

constexpr ParamKind AllocParams[] = {ParamKind::Layout};
constexpr ParamKind DeallocParams[] = {ParamKind::VoidPtr, ParamKind::Layout};
constexpr ParamKind ReallocParams[] = {ParamKind::VoidPtr, ParamKind::Layout,
                                       ParamKind::Size};
constexpr ParamKind UnsizedParams[] = {ParamKind::VoidPtr, ParamKind::Size};

const MemberSpec Members[] = {
    {"alloc", true, true, AllocParams,
     "void *alloc(allocsel::Layout) const noexcept"},
    {"dealloc", true, false, DeallocParams,
     "void dealloc(void *, allocsel::Layout) const noexcept"},
    {"alloc_zeroed", false, true, AllocParams,
     "void *alloc_zeroed(allocsel::Layout) const noexcept"},
    {"realloc", false, true, ReallocParams,
     "void *realloc(void *, allocsel::Layout, std::size_t new_size) const "
     "noexcept"},
    // allocsel's extension for C++'s unsized deletes: without it, every
    // block from operator new carries a size header.
    {"dealloc_unsized", false, false, UnsizedParams,
     "void dealloc_unsized(void *, std::size_t align) const noexcept"},
};

QualType paramType(ASTContext &Ctx, QualType LayoutTy, ParamKind K) {
  switch (K) {
  case ParamKind::Layout:
    return LayoutTy;
  case ParamKind::VoidPtr:
    return Ctx.VoidPtrTy;
  case ParamKind::Size:
    return Ctx.getSizeType();
  }
  llvm_unreachable("unknown parameter kind");
}

/// Builds `obj.Name(args...)` with opaque operands, diagnostics trapped.
/// Returns the resolved callee, or null if the call is ill-formed.
FunctionDecl *tryCall(Sema &S, QualType ObjTy, DeclarationName Name,
                      ArrayRef<QualType> ArgTys, SourceLocation Loc) {
  ASTContext &Ctx = S.getASTContext();
  // Only asking: the call is never evaluated (a consteval member must not be
  // run as an immediate invocation here).
  EnterExpressionEvaluationContext Unevaluated(
      S, Sema::ExpressionEvaluationContext::Unevaluated);
  Sema::SFINAETrap Trap(S, /*AccessCheckingSFINAE=*/true);
  bool PrevTypoCorrection = S.DisableTypoCorrection;
  S.DisableTypoCorrection = true;
  ScopeExit Restore([&] { S.DisableTypoCorrection = PrevTypoCorrection; });

  auto *Obj = new (Ctx) OpaqueValueExpr(Loc, ObjTy, VK_LValue);
  SmallVector<Expr *, 3> Args;
  for (QualType T : ArgTys)
    Args.push_back(new (Ctx) OpaqueValueExpr(Loc, T, VK_LValue)); // as the routes pass them

  CXXScopeSpec SS;
  ExprResult Member = S.BuildMemberReferenceExpr(
      Obj, ObjTy, Loc, /*IsArrow=*/false, SS, SourceLocation(),
      /*FirstQualifierInScope=*/nullptr, DeclarationNameInfo(Name, Loc),
      /*TemplateArgs=*/nullptr, /*S=*/nullptr);
  if (Member.isInvalid() || Trap.hasErrorOccurred())
    return nullptr;
  ExprResult Call = S.BuildCallExpr(/*S=*/nullptr, Member.get(), Loc, Args, Loc);
  if (Call.isInvalid() || Trap.hasErrorOccurred())
    return nullptr;
  auto *CE = dyn_cast<CallExpr>(Call.get()->IgnoreImplicit());
  return CE ? CE->getDirectCallee() : nullptr;
}

bool isNothrow(Sema &S, FunctionDecl *FD, SourceLocation Loc) {
  const auto *FPT = FD->getType()->getAs<FunctionProtoType>();
  if (!FPT)
    return false;
  // Instantiated members and implicit functions may still carry an
  // unresolved exception specification.
  FPT = S.ResolveExceptionSpec(Loc, FPT);
  return FPT && FPT->isNothrow();
}

} // namespace

llvm::ArrayRef<MemberSpec> allocMembers() { return Members; }

NamedDecl *lookupQualified(Sema &S, DeclContext *DC, llvm::StringRef Name,
                           unsigned LookupKind, bool AllowHidden) {
  ASTContext &Ctx = S.getASTContext();
  LookupResult R(S, &Ctx.Idents.get(Name), SourceLocation(),
                 static_cast<Sema::LookupNameKind>(LookupKind));
  R.suppressDiagnostics();
  R.setAllowHidden(AllowHidden);
  if (!S.LookupQualifiedName(R, DC ? DC : Ctx.getTranslationUnitDecl()))
    return nullptr;
  return R.isSingleResult() ? R.getFoundDecl() : nullptr;
}

QualType lookupLayoutType(Sema &S) {
  auto *Namespace = dyn_cast_or_null<NamespaceDecl>(
      lookupQualified(S, nullptr, "allocsel", Sema::LookupNamespaceName));
  auto *Record = Namespace ? dyn_cast_or_null<CXXRecordDecl>(lookupQualified(
                                 S, Namespace, "Layout", Sema::LookupOrdinaryName))
                           : nullptr;
  if (!Record || !Record->hasDefinition())
    return QualType();
  return recordType(S.getASTContext(), Record);
}

MemberResolution resolveMember(Sema &S, CXXRecordDecl *Record,
                               QualType LayoutTy, const MemberSpec &Spec,
                               SourceLocation Loc) {
  ASTContext &Ctx = S.getASTContext();
  MemberResolution Res;
  DeclarationName Name(&Ctx.Idents.get(Spec.Name));

  LookupResult R(S, Name, Loc, Sema::LookupMemberName);
  // A lookup checks access when it is destroyed; this one only looks.
  R.suppressDiagnostics();
  S.LookupQualifiedName(R, Record);
  if (R.empty()) {
    Res.S = MemberResolution::Missing;
    return Res;
  }
  bool AnyFunction = false;
  for (NamedDecl *D : R) {
    Res.Found.push_back(D);
    NamedDecl *U = D->getUnderlyingDecl();
    AnyFunction |= isa<FunctionDecl>(U) || isa<FunctionTemplateDecl>(U);
  }
  if (!AnyFunction) {
    Res.S = MemberResolution::NotFunction;
    return Res;
  }

  QualType ObjTy = recordType(Ctx, Record);
  if (llvm::none_of(Res.Found, [&](NamedDecl *D) {
        return S.IsSimplyAccessible(D, Record, ObjTy);
      })) {
    Res.S = MemberResolution::NotAccessible;
    return Res;
  }

  SmallVector<QualType, 3> ArgTys;
  for (ParamKind K : Spec.Params)
    ArgTys.push_back(paramType(Ctx, LayoutTy, K));

  FunctionDecl *Callee = tryCall(S, ObjTy.withConst(), Name, ArgTys, Loc);
  if (!Callee) {
    Res.S = tryCall(S, ObjTy, Name, ArgTys, Loc) ? MemberResolution::NotConst
                                                 : MemberResolution::NotCallable;
    return Res;
  }
  Res.Callee = Callee;
  QualType Want = Spec.ReturnsPointer ? Ctx.VoidPtrTy : Ctx.VoidTy;
  // The call's type: a `void *const` return is a `void *` prvalue.
  if (!Ctx.hasSameUnqualifiedType(Callee->getReturnType(), Want))
    Res.S = MemberResolution::WrongReturn;
  else if (!isNothrow(S, Callee, Loc))
    Res.S = MemberResolution::NotNoexcept;
  else if (Callee->isConsteval())
    Res.S = MemberResolution::Consteval;
  else
    Res.S = MemberResolution::Ok;
  return Res;
}

} // namespace allocsel
