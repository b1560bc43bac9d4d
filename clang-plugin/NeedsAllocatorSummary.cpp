//===- NeedsAllocatorSummary.cpp - what the unit's record says ------------===//
//
// A summary keeps a chain's two ends and the number of calls between: the
// compiler error for the unit would show them all, and the link check's
// report names the unit to compile for that. Everything that stays inside
// the unit is folded into the chains of the functions other units can call.
//
//===----------------------------------------------------------------------===//

#include "NeedsAllocatorSummary.h"

#include "NeedsAllocatorReport.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <tuple>

using namespace clang;

namespace allocsel {

std::vector<const FunctionDecl *> exportedFunctions(ASTContext &Ctx, bool OwnOnly) {
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
  traverseTopLevel(E, Ctx, OwnOnly);
  return std::move(E.Fns);
}

// This unit's own (definedByUnit: the main file's, a unity build's
// sources'); an explicit instantiation definition (a program has
// at most one, [temp.explicit]; its body is the template's, usually in a
// header); a C99 inline function this unit declares `extern` (its body
// usually in a header too).
bool definesForOtherUnits(const FunctionDecl *FD, const ASTContext &Ctx) {
  if (definedByUnit(FD, Ctx.getSourceManager()))
    return true;
  const FunctionDecl *Def = definition(FD);
  if (!Def)
    return false;
  if (Def->getTemplateSpecializationKind() == TSK_ExplicitInstantiationDefinition)
    return true;
  return !Ctx.getLangOpts().CPlusPlus && Def->isInlined() &&
         Def->isInlineDefinitionExternallyVisible();
}

std::string SummaryWriter::symbol(const FunctionDecl *FD) {
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

facts::Location SummaryWriter::location(SourceLocation Loc) const {
  const SourceManager &SM = Ctx.getSourceManager();
  PresumedLoc P = SM.getPresumedLoc(SM.getExpansionLoc(Loc));
  if (P.isInvalid())
    return {};
  return {P.getFilename(), P.getLine(), P.getColumn()};
}

/// A chain as the facts keep it: runs of calls inside system headers shrink
/// to their last call; then only the first call (from the summarized
/// function, in the user's code) and the last (what allocates, or leaves the
/// unit) are kept, the calls between counted.
std::vector<facts::Step> SummaryWriter::steps(const std::vector<Call> &Chain) const {
  std::vector<facts::Step> Out;
  std::uint32_t Skipped = 0;
  for (size_t I = 0; I < Chain.size(); ++I) {
    const Call &C = Chain[I];
    if (isElided(Ctx.getSourceManager(), Chain, I)) {
      ++Skipped;
      continue;
    }
    // A call that leaves through a pointer is an indirect call; a virtual
    // one names its method (the link check says it is virtual).
    const IndirectCallee *Elsewhere = C.Callee ? G.elsewhere(C.Callee) : nullptr;
    std::string Callee = !C.Callee ? std::string(C.Unknown)
                         : Elsewhere ? Elsewhere->Virtual ? displayName(Ctx, Elsewhere->Virtual)
                                                          : std::string(facts::IndirectCall)
                                     : displayName(Ctx, C.Callee);
    Out.push_back({std::move(Callee), location(C.Loc), Skipped});
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

std::string SummaryWriter::typeKey(QualType FnTy, CallThrough Through) {
  if (Through == CallThrough::NewHandler)
    return "St11new_handler"; // (a typedef's name: never a canonical type's)
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  Mangler->mangleCanonicalTypeName(FnTy, OS); // "_ZTS" then the type's mangling
  llvm::StringRef Key(Out);
  Key.consume_front("_ZTS");
  return (Through == CallThrough::MemberPointer ? "M" : "") + Key.str();
}

void SummaryWriter::addressTaken(const FunctionDecl *FD, CallThrough As, SourceLocation Loc) {
  Rec.Taken.push_back({typeKey(G.callType(FD->getType()), As), symbol(FD), location(Loc)});
}

void SummaryWriter::overrides(const FunctionDecl *FD) {
  const auto *MD = dyn_cast<CXXMethodDecl>(FD);
  const FunctionDecl *Def = definition(FD);
  if (!MD || !Def)
    return;
  llvm::SmallVector<const CXXMethodDecl *, 4> Keys;
  Graph::overriddenKeys(MD, Keys);
  std::string Symbol = symbol(FD);
  facts::Location Loc = location(Def->getLocation());
  for (const CXXMethodDecl *Key : Keys)
    Rec.Overrides.push_back({symbol(Key), Symbol, Loc});
}

void SummaryWriter::binding(const Binding &B) {
  QualType T = B.Callee->getParamDecl(B.Param)->getType();
  if (const auto *Ptr = T->getAs<PointerType>())
    T = Ptr->getPointeeType();
  else if (const auto *Ref = T->getAs<ReferenceType>())
    T = Ref->getPointeeType();
  Rec.Bindings.push_back({symbol(B.Callee), B.Param,
                          {typeKey(G.callType(T), CallThrough::FunctionPointer),
                           B.Passed ? symbol(B.Passed) : std::string(), location(B.Loc)}});
}

bool SummaryWriter::summarize(const FunctionDecl *FD, const Found &F, bool IsRoot, List To) {
  const FunctionDecl *Def = definition(FD);
  if (!IsRoot && F.SinkKind == Sink::None && F.Exits.empty())
    return false; // a pure function: other units need not know it
  // (The record's display names stay empty: allocsel-link demangles the
  // symbol, and C linkage keeps its name as its symbol.)
  facts::FunctionSummary Sum;
  Sum.Symbol = symbol(FD);
  Sum.Loc = location((Def ? Def : FD)->getLocation());
  Sum.Root = IsRoot;
  Sum.Defined = Def != nullptr;
  if (F.SinkKind != Sink::None) {
    Sum.Allocates = true;
    const Call &Last = F.SinkChain.empty() ? Call{FD, FD->getLocation()} : F.SinkChain.back();
    Sum.Sink = Last.Callee ? displayName(Ctx, Last.Callee) : Last.Unknown;
    Sum.Chain = steps(F.SinkChain);
    if (!Sum.Chain.empty())
      Sum.Chain.back().Skipped += F.SinkSkipped;
  }
  // (Callbacks come after every function: their indices follow.)
  assert((To == List::Callbacks || Rec.Callbacks.empty()) && "callbacks are written last");
  auto Index = static_cast<std::uint32_t>(Rec.Functions.size() + Rec.Callbacks.size());
  for (const Found::Exit &X : F.Exits) {
    std::vector<facts::Step> Steps = steps(X.Chain);
    if (!Steps.empty())
      Steps.back().Skipped += X.Skipped;
    if (const IndirectCallee *Through = G.elsewhere(X.To); Through && Through->Virtual) {
      Rec.VirtualCalls.push_back({Index, symbol(Through->Virtual), std::move(Steps)});
      continue;
    }
    if (const IndirectCallee *Through = G.elsewhere(X.To)) {
      if (const ParmVarDecl *P = Through->Param)
        Rec.ParameterCalls.push_back({static_cast<std::uint32_t>(Rec.PointerCalls.size()),
                                      symbol(cast<FunctionDecl>(P->getDeclContext())),
                                      P->getFunctionScopeIndex()});
      Rec.PointerCalls.push_back(
          {Index, typeKey(Through->Type, Through->Through),
           std::move(Steps)});
      continue;
    }
    Sum.Calls.push_back({symbol(X.To), std::string(), std::move(Steps)});
  }
  (To == List::Functions ? Rec.Functions : Rec.Callbacks).push_back(std::move(Sum));
  return true;
}

void SummaryWriter::marks(const UnitState &State) {
  Rec.NeedsAllocatorUnit = State.NeedsAllocatorPragma.isValid();
  Rec.AllocatorUnit = State.AllocatorPragma.isValid();
  // (A template has no symbol: its instantiations are marked in each unit.)
  for (const FunctionDecl *FD : State.NeedsAllocatorFns)
    if (!FD->isDependentContext() && !FD->getDescribedFunctionTemplate())
      Rec.Marked.push_back({symbol(FD->getCanonicalDecl()), displayName(Ctx, FD)});
  // The set is ordered by address, which changes from one run to the next:
  // the same unit must make the same object.
  llvm::sort(Rec.Marked, [](const facts::MarkedFunction &A, const facts::MarkedFunction &B) {
    return std::tie(A.Symbol, A.Display) < std::tie(B.Symbol, B.Display);
  });
}

} // namespace allocsel
