//===- SelectionChecker.cpp - checks on a [[global_allocator]] ------------===//

#include "SelectionChecker.h"

#include "AllocInterface.h"
#include "Diagnostics.h"

#include "clang/AST/APValue.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/Sema/Sema.h"

using namespace clang;

namespace allocsel {
namespace {

/// Whether clang has already rejected something the type checks depend on:
/// the variable's class (a member or base of invalid type) or its
/// initializer. Checking them would only repeat clang's error in other words.
bool dependsOnInvalidCode(const VarDecl *V) {
  const Type *T = V->getType()->getBaseElementTypeUnsafe();
  if (const TagDecl *Tag = T->getAsTagDecl())
    if (Tag->isInvalidDecl() || (Tag->getDefinition() && Tag->getDefinition()->isInvalidDecl()))
      return true;
  const Expr *Init = V->getInit();
  return Init && Init->containsErrors();
}

/// A static local whose function is inline in a way clang's linkage does not
/// show: an explicitly inline function with internal linkage (`static
/// inline`, an inline function in an anonymous namespace: a copy in every
/// unit that includes it), or a lambda (or local class) that is not inside
/// any function body (a namespace-scope initializer, a default argument, a
/// member initializer: an inline function of no function).
bool inInlineFunction(const VarDecl *V) {
  const auto *FD = dyn_cast_or_null<FunctionDecl>(V->getParentFunctionOrMethod());
  while (FD) {
    const auto *MD = dyn_cast<CXXMethodDecl>(FD);
    if (!MD || !(MD->getParent()->isLambda() || MD->getParent()->isLocalClass()))
      return FD->isInlineSpecified(); // else an ordinary function: one definition
    // A lambda's or a local class's member (clang makes a lambda's call
    // operator inline): as unique as what contains it.
    const Decl *Context = MD->getParent();
    FD = dyn_cast_or_null<FunctionDecl>(Context->getParentFunctionOrMethod());
    if (!FD)
      return true;
  }
  return false;
}

} // namespace

bool SelectionChecker::check(const Marked &M) {
  if (!checkPlacement(M))
    return false;
  VarDecl *V = M.Var;
  bool Ok = true;
  if (!State.Selections.empty()) {
    const Marked &Prev = State.Selections.front();
    report(S.getDiagnostics(), V->getLocation(), Diag::Duplicate);
    report(S.getDiagnostics(), Prev.Var->getLocation(),
           Diag::PreviousSelection);
    Ok = false;
  }
  State.Selections.push_back(M);
  if (dependsOnInvalidCode(V))
    return false;
  // Each check reports on its own, so run all of them.
  Ok &= checkInterface(V);
  Ok &= checkConstantInit(V);
  Ok &= checkDestructor(V);
  return Ok;
}

bool SelectionChecker::checkPlacement(const Marked &M) {
  VarDecl *V = M.Var;
  DiagnosticsEngine &Diags = S.getDiagnostics();
  // Clang has already explained what is wrong with an invalid declaration.
  if (V->isInvalidDecl())
    return false;
  if (V->hasLocalStorage()) {
    report(Diags, M.AttrLoc, Diag::NotStatic) << NS_LocalVariable;
    return false;
  }
  if (V->getTLSKind() != VarDecl::TLS_None) {
    report(Diags, M.AttrLoc, Diag::ThreadLocal);
    return false;
  }
  if (V->getDescribedVarTemplate() ||
      isa<VarTemplateSpecializationDecl>(V)) {
    report(Diags, M.AttrLoc, Diag::Template) << TK_VarTemplate;
    return false;
  }
  if (V->getDeclContext()->isDependentContext() ||
      V->getLexicalDeclContext()->isDependentContext()) {
    report(Diags, M.AttrLoc, Diag::Template) << TK_Dependent;
    return false;
  }
  if (V->isInline()) {
    report(Diags, M.AttrLoc, Diag::Template) << TK_Inline;
    return false;
  }
  if (V->isWeak()) {
    report(Diags, M.AttrLoc, Diag::Template) << TK_Weak;
    return false;
  }
  if (V->isThisDeclarationADefinition() == VarDecl::DeclarationOnly) {
    report(Diags, M.AttrLoc, Diag::NotStatic) << NS_NotDefinition;
    if (VarDecl *Def = V->getDefinition())
      report(Diags, Def->getLocation(), Diag::DefinitionHere);
    return false;
  }
  // A static local of an inline function is one entity defined in every
  // unit that uses the function: the shims would be too. An inline function
  // with internal linkage (`static inline`, or in an anonymous namespace)
  // is as vague: every unit that includes it gets a selection of its own.
  GVALinkage Linkage = S.getASTContext().GetGVALinkageForVariable(V);
  if (Linkage == GVA_DiscardableODR || Linkage == GVA_StrongODR ||
      Linkage == GVA_AvailableExternally || inInlineFunction(V)) {
    report(Diags, M.AttrLoc, Diag::Template) << TK_StaticInInline;
    return false;
  }
  return true;
}

bool SelectionChecker::checkInterface(VarDecl *V) {
  DiagnosticsEngine &Diags = S.getDiagnostics();
  SourceLocation Loc = V->getLocation();
  QualType T = V->getType().getUnqualifiedType();

  CXXRecordDecl *Record =
      T->isReferenceType() ? nullptr : T->getAsCXXRecordDecl();
  if (!Record) {
    report(Diags, Loc, Diag::NotClass) << T << V;
    if (const TagDecl *Tag = T->getAsTagDecl())
      report(Diags, Tag->getLocation(), Diag::DeclaredHere) << Tag;
    return false;
  }
  Record = Record->getDefinition();
  if (!Record) // incomplete: clang rejected the definition already
    return false;
  if (V->getType().isVolatileQualified()) {
    // The routing calls the members on a const object, not a volatile one.
    report(Diags, Loc, Diag::Volatile) << V;
    return false;
  }

  QualType LayoutTy = lookupLayoutType(S);
  if (LayoutTy.isNull()) {
    report(Diags, Loc, Diag::NoLayout) << V;
    return false;
  }

  bool Ok = true;
  for (const MemberSpec &Spec : allocMembers()) {
    MemberResolution R = resolveMember(S, Record, LayoutTy, Spec, Loc);
    if (R.S == MemberResolution::Ok ||
        (R.S == MemberResolution::Missing && !Spec.Required))
      continue;
    Ok = false;
    auto Error = [&](Diag D) {
      return std::move(report(Diags, Loc, D)
                       << T << V << Spec.Name << Spec.Signature);
    };
    switch (R.S) {
    case MemberResolution::Ok:
      break;
    case MemberResolution::Missing:
      Error(Diag::MissingMember);
      report(Diags, Record->getLocation(), Diag::DeclaredHere) << Record;
      break;
    case MemberResolution::NotFunction:
      Error(Diag::MemberNotFunction);
      for (NamedDecl *D : R.Found)
        report(Diags, D->getLocation(), Diag::DeclaredHere) << D;
      break;
    case MemberResolution::NotAccessible:
    case MemberResolution::NotCallable:
    case MemberResolution::NotConst:
      Error(R.S == MemberResolution::NotConst        ? Diag::MemberNotConst
            : R.S == MemberResolution::NotAccessible ? Diag::MemberNotAccessible
                                                     : Diag::MemberNotCallable);
      for (NamedDecl *D : R.Found) {
        NamedDecl *U = D->getUnderlyingDecl();
        QualType FnTy;
        if (auto *FTD = dyn_cast<FunctionTemplateDecl>(U))
          FnTy = FTD->getTemplatedDecl()->getType();
        else if (auto *FD = dyn_cast<FunctionDecl>(U))
          FnTy = FD->getType();
        if (FnTy.isNull())
          report(Diags, D->getLocation(), Diag::DeclaredHere) << D;
        else
          report(Diags, D->getLocation(), Diag::CandidateHere) << D << FnTy;
      }
      break;
    case MemberResolution::NotNoexcept:
      Error(Diag::MemberNotNoexcept);
      report(Diags, R.Callee->getLocation(), Diag::DeclaredHere) << R.Callee;
      break;
    case MemberResolution::Consteval:
      Error(Diag::MemberConsteval);
      report(Diags, R.Callee->getLocation(), Diag::DeclaredHere) << R.Callee;
      break;
    case MemberResolution::WrongReturn: {
      ASTContext &Ctx = S.getASTContext();
      Error(Diag::MemberWrongReturn)
          << R.Callee->getReturnType()
          << (Spec.ReturnsPointer ? Ctx.VoidPtrTy : Ctx.VoidTy);
      report(Diags, R.Callee->getLocation(), Diag::DeclaredHere) << R.Callee;
      break;
    }
    }
  }
  return Ok;
}

bool SelectionChecker::checkConstantInit(VarDecl *V) {
  ASTContext &Ctx = S.getASTContext();
  // C initializes every static before the program starts.
  if (!Ctx.getLangOpts().CPlusPlus)
    return true;
  const Expr *Init = V->getInit();
  // No initializer: zero-initialization, which is static.
  if (!Init || V->hasConstantInitialization())
    return true;
  // 'constinit' and 'constexpr' variables get clang's own error for this.
  if (V->isConstexpr() || V->hasAttr<ConstInitAttr>())
    return false;

  DiagnosticsEngine &Diags = S.getDiagnostics();
  {
    DiagnosticBuilder DB = report(Diags, V->getLocation(), Diag::NotConstInit);
    DB << V;
    if (Ctx.getLangOpts().CPlusPlus20)
      DB << FixItHint::CreateInsertion(V->getInnerLocStart(), "constinit ");
  }
  if (!Ctx.getLangOpts().CPlusPlus20)
    report(Diags, V->getLocation(), Diag::ConstInitFix);
  // Let the constant evaluator say why the initializer is not constant.
  SmallVector<PartialDiagnosticAt, 8> Notes;
  APValue Value;
  if (!Init->isValueDependent())
    Init->EvaluateAsInitializer(Value, Ctx, V, Notes,
                                /*IsConstantInitializer=*/true);
  for (const PartialDiagnosticAt &N : Notes)
    S.Diag(N.first, N.second);
  return false;
}

bool SelectionChecker::checkDestructor(VarDecl *V) {
  QualType T = V->getType();
  if (T.isDestructedType() == QualType::DK_none)
    return true;
  DiagnosticsEngine &Diags = S.getDiagnostics();
  report(Diags, V->getLocation(), Diag::NotTriviallyDestructible)
      << T.getUnqualifiedType() << V;
  CXXRecordDecl *Record =
      S.getASTContext().getBaseElementType(T)->getAsCXXRecordDecl();
  if (!Record)
    return false;
  CXXDestructorDecl *Dtor = Record->getDestructor();
  if (Dtor && !Dtor->isImplicit()) {
    report(Diags, Dtor->getLocation(), Diag::DestructorHere) << Record;
    return false;
  }
  // An implicit destructor is non-trivial because of a base or a member.
  for (const CXXBaseSpecifier &B : Record->bases())
    if (B.getType().isDestructedType() != QualType::DK_none) {
      report(Diags, B.getBeginLoc(), Diag::DestructorOfBase)
          << B.getType() << Record;
      return false;
    }
  for (const FieldDecl *F : Record->fields())
    if (F->getType().isDestructedType() != QualType::DK_none) {
      report(Diags, F->getLocation(), Diag::DestructorOfMember)
          << F << F->getType() << Record;
      return false;
    }
  report(Diags, Record->getLocation(), Diag::DestructorHere) << Record;
  return false;
}

namespace {

/// The definitions of \p DC (and of the namespaces and linkage blocks in
/// it) named "__allocsel_...", the plugin's own left out.
void collectReserved(const DeclContext *DC, llvm::SmallVectorImpl<const NamedDecl *> &Out) {
  for (const Decl *D : DC->decls()) {
    if (isa<NamespaceDecl, LinkageSpecDecl, ExportDecl>(D)) {
      collectReserved(cast<DeclContext>(D), Out);
      continue;
    }
    const auto *ND = dyn_cast<NamedDecl>(D);
    if (!ND || D->isImplicit() || D->isFromASTFile() || !ND->getIdentifier() ||
        !ND->getName().starts_with("__allocsel_"))
      continue;
    if (const auto *FD = dyn_cast<FunctionDecl>(D)) {
      if (FD->doesThisDeclarationHaveABody())
        Out.push_back(FD);
    } else if (const auto *FT = dyn_cast<FunctionTemplateDecl>(D)) {
      if (FT->getTemplatedDecl()->doesThisDeclarationHaveABody())
        Out.push_back(FT);
    } else if (const auto *VD = dyn_cast<VarDecl>(D)) {
      if (VD->isThisDeclarationADefinition() != VarDecl::DeclarationOnly)
        Out.push_back(VD);
    }
  }
}

} // namespace

unsigned reportReservedNames(Sema &S, const VarDecl *V) {
  llvm::SmallVector<const NamedDecl *, 4> Found;
  collectReserved(S.getASTContext().getTranslationUnitDecl(), Found);
  for (const NamedDecl *D : Found)
    report(S.getDiagnostics(), D->getLocation(), Diag::ReservedRoute) << D << V;
  return Found.size();
}

} // namespace allocsel
