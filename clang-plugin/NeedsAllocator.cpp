//===- NeedsAllocator.cpp - an allocator must not need itself -------------===//
//
// The driver: finds the roots and the functions other units can call, has
// the search explore from them, reports the chains that stay in the unit
// and writes the summary. The parts, one job each:
//   NeedsAllocatorPolicy   what counts as allocating (docs/design.md's table)
//   NeedsAllocatorGraph    who calls whom, read from each body in one pass
//   NeedsAllocatorSearch   the chains, in time linear in the call graph
//   NeedsAllocatorReport   the chains as errors and notes
//   NeedsAllocatorSummary  what the unit's facts record says
//
//===----------------------------------------------------------------------===//

#include "NeedsAllocator.h"

#include "AllocInterface.h"
#include "Diagnostics.h"
#include "NeedsAllocatorGraph.h"
#include "NeedsAllocatorPolicy.h"
#include "NeedsAllocatorReport.h"
#include "NeedsAllocatorSearch.h"
#include "NeedsAllocatorSummary.h"
#include "thunks.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Sema/Lookup.h"
#include "clang/Sema/Sema.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace allocsel {
namespace {

/// The roots: the selection's Alloc members as the routes call them, and
/// every function an allocator unit defines.
std::vector<Root> collectRoots(Sema &S, const UnitState &State, const VarDecl *Selection) {
  ASTContext &Ctx = S.getASTContext();
  std::vector<Root> Roots;
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
  if (State.AllocatorPragma.isValid()) {
    // Every function the allocator unit defines (its own: definedByUnit).
    struct Finder : RecursiveASTVisitor<Finder> {
      const SourceManager &SM;
      std::vector<const FunctionDecl *> Found;
      explicit Finder(const SourceManager &SM) : SM(SM) {}
      bool shouldVisitLambdaBody() const { return true; }
      bool VisitFunctionDecl(FunctionDecl *FD) {
        if (FD->doesThisDeclarationHaveABody() && !FD->isDependentContext() &&
            definedByUnit(FD, SM))
          Found.push_back(FD);
        return true;
      }
    } F(Ctx.getSourceManager());
    F.TraverseDecl(Ctx.getTranslationUnitDecl());
    for (const FunctionDecl *FD : F.Found)
      if (!FD->isReplaceableGlobalAllocationFunction()) // reported on its own
        Add(FD, false);
  }
  return Roots;
}

/// The replaceable operators this unit defines, in any of its files: with
/// a body or as an alias (`__attribute__((alias))`, as tcmalloc does), and
/// functions of C linkage named as one of them (mimalloc's override in C
/// defines `_Znwm`).
std::vector<const FunctionDecl *> definedOperators(ASTContext &Ctx) {
  std::vector<const FunctionDecl *> Out;
  auto Defines = [](const FunctionDecl *FD) {
    return FD->isDefined() || FD->getMostRecentDecl()->hasAttr<AliasAttr>();
  };
  const TranslationUnitDecl *TU = Ctx.getTranslationUnitDecl();
  if (Ctx.getLangOpts().CPlusPlus)
    for (OverloadedOperatorKind K : {OO_New, OO_Array_New, OO_Delete, OO_Array_Delete})
      for (const NamedDecl *D : TU->lookup(Ctx.DeclarationNames.getCXXOperatorName(K)))
        if (const auto *FD = dyn_cast<FunctionDecl>(D))
          if (FD->isReplaceableGlobalAllocationFunction() && Defines(FD))
            Out.push_back(FD);
  static constexpr const char *Symbols[] = {ALLOCSEL_OPERATORS(ALLOCSEL_OPERATOR_SYMBOL)};
  for (const char *Symbol : Symbols) {
    auto It = Ctx.Idents.find(Symbol);
    if (It == Ctx.Idents.end())
      continue; // never named in the unit
    for (const NamedDecl *D : TU->lookup(DeclarationName(It->getValue())))
      if (const auto *FD = dyn_cast<FunctionDecl>(D); FD && FD->isExternC() && Defines(FD))
        Out.push_back(FD);
  }
  return Out;
}

} // namespace

bool checkNeedsAllocator(Sema &S, const UnitState &State, const VarDecl *Selection,
                         const Options &Opts, facts::UnitRecord &Rec,
                         AnalysisProgress &Progress) {
  ASTContext &Ctx = S.getASTContext();
  DiagnosticsEngine &Diags = S.getDiagnostics();
  Policy P(Ctx.getSourceManager(), State, Opts.Strict);
  Graph G(Ctx, P, Opts, Progress);
  Search Searcher(G);
  SummaryWriter Summary(Ctx, G, Rec);

  std::vector<Root> Roots = collectRoots(S, State, Selection);

  // allocsel's runtime defines the replaceable operators for every program:
  // an allocator unit or a selecting unit that defines them too would fail
  // to link ("multiple definition"), or replace the routing.
  bool Ok = true;
  if (Selection || State.AllocatorPragma.isValid())
    for (const FunctionDecl *FD : definedOperators(Ctx)) {
      const FunctionDecl *Def = definition(FD);
      report(Diags, (Def ? Def : FD)->getLocation(), Diag::DefinesOperator)
          << FD << (Selection != nullptr);
      Ok = false;
    }

  // What explore() hands back as a callback to summarize: a function with
  // a body here, not summarized already, that neither allocates nor is
  // marked.
  auto CallbackUnless = [&G](const llvm::DenseSet<const FunctionDecl *> &Summarized) {
    return [&G, &Summarized](const FunctionDecl *FD) {
      Sink K = G.kind(FD).K;
      return !Summarized.contains(FD) && definition(FD) &&
             (K == Sink::None || K == Sink::NeedsAllocatorUnit);
    };
  };
  // A root's chain to the global allocator is reported here, when it stays
  // in the unit; a long one shows its first and last calls (reportChain).
  // Whole chains for the report, while clang still shows errors (past
  // -ferror-limit it drops them, and an allocator unit has thousands).
  auto SearchRoot = [&](const Root &R) {
    Found F = Searcher.search(R.FD, /*WholeChain=*/!Diags.hasFatalErrorOccurred());
    if (F.SinkKind != Sink::None && definition(R.FD)) {
      reportChain(Diags, Ctx, State, G, R, F, Selection, Opts.FullChains, {});
      Ok = false;
    }
    return F;
  };
  auto PrintStats = [&](llvm::StringRef Summaries) {
    if (Opts.Stats)
      llvm::errs() << "allocsel: needs_allocator analysis: " << Searcher.Counters.Functions
                   << " functions read, " << Searcher.Counters.Calls << " calls, "
                   << Searcher.Counters.SearchSteps << " search steps, " << Roots.size()
                   << " roots, " << Summaries << "\n";
  };

  // Without a record to write, the roots' chains are all there is to do.
  // (The search from a root reads what explore() found on the way: the
  // blocks and the functions whose address is taken there.)
  if (Opts.NoRecord) {
    std::vector<const FunctionDecl *> Explore, Callbacks;
    llvm::DenseSet<const FunctionDecl *> IsRoot;
    for (const Root &R : Roots)
      if (IsRoot.insert(R.FD).second)
        Explore.push_back(R.FD);
    Searcher.explore(Explore, CallbackUnless(IsRoot), Callbacks);
    for (const Root &R : Roots)
      SearchRoot(R);
    PrintStats("no summary (no object is written)");
    return Ok;
  }

  // The functions other units can call: what they allocate or call out of
  // the unit is all another unit's allocator needs to know.
  std::vector<const FunctionDecl *> Exports = exportedFunctions(Ctx, Opts.ownDeclsOnly());

  // Every function that gets a summary of its own (if it has anything to
  // say): the roots, and the exported functions but the ones every unit
  // recognizes by what they are (replaceable operators, allocsel's routes).
  llvm::DenseSet<const FunctionDecl *> Summarizable;
  std::vector<const FunctionDecl *> Starts, Exported;
  for (const Root &R : Roots)
    if (Summarizable.insert(R.FD).second)
      Starts.push_back(R.FD);
  for (const FunctionDecl *FD : Exports) {
    if (Summarizable.contains(FD) || !definesForOtherUnits(FD, Ctx))
      continue;
    Sink K = G.kind(FD).K;
    if (K == Sink::GlobalOperator || K == Sink::Route)
      continue;
    Summarizable.insert(FD);
    Starts.push_back(FD);
    Exported.push_back(FD);
  }
  // The functions whose address the unit's code takes: another unit may
  // call them through a pointer (design.md, "Calls through pointers across
  // units"); and the overrides of the classes it constructs: another unit
  // may call them by a virtual call. The search reads the code that runs
  // (the functions above, main, the static variables' initializers and
  // destructors, and what they reach) and finds them there; those with a
  // body here that other units cannot call by name (static, inline) get a
  // summary of their own, as callbacks, and are read as starts. (One
  // defined in a needs_allocator unit too: its summary says it allocates.)
  std::vector<const FunctionDecl *> Explore = Starts;
  for (const NamedDecl *D : Ctx.getTranslationUnitDecl()->lookup(&Ctx.Idents.get("main")))
    if (const auto *Main = dyn_cast<FunctionDecl>(D); Main && Main->isMain() && definition(Main))
      Explore.push_back(Main->getCanonicalDecl());
  Explore.push_back(G.initializers());
  std::vector<const FunctionDecl *> Callbacks;
  Searcher.explore(Explore, CallbackUnless(Summarizable), Callbacks);

  // Exits stop at the other summarized functions: the link check goes on
  // from their summaries. So each function of the unit is searched through
  // once, not once per caller (a unit of generated code has thousands of
  // exported functions, an allocator unit as many roots).
  llvm::DenseMap<const FunctionDecl *, std::vector<Found::Exit>> ExitsOf;
  Searcher.exitsBackward(Starts, Callbacks, ExitsOf);

  llvm::DenseSet<const FunctionDecl *> Written; // summaries in the record
  for (const Root &R : Roots) {
    Found F = SearchRoot(R);
    F.Exits = std::move(ExitsOf[R.FD]);
    Summary.summarize(R.FD, F, /*IsRoot=*/true);
    Written.insert(R.FD);
  }
  for (const FunctionDecl *FD : Exported) {
    Found F = Searcher.search(FD, /*WholeChain=*/false);
    F.Exits = std::move(ExitsOf[FD]);
    if (Summary.summarize(FD, F, /*IsRoot=*/false))
      Written.insert(FD);
  }
  for (const FunctionDecl *FD : Callbacks) {
    Found F = Searcher.search(FD, /*WholeChain=*/false);
    F.Exits = std::move(ExitsOf[FD]);
    if (Summary.summarize(FD, F, /*IsRoot=*/false, SummaryWriter::List::Callbacks))
      Written.insert(FD);
  }
  // The address of a function that has nothing to say says nothing: listed
  // are those with a summary here, those another unit defines (its summary
  // is there), and those marked [[allocsel::needs_allocator]]; and a
  // virtual method as a pointer to member, whose call runs an override
  // (the link check joins it to the overrides other units define).
  for (const auto &[Taken, Loc] : G.takenSoFar()) {
    const FunctionKind &K = G.kind(Taken.first);
    const auto *MD = dyn_cast<CXXMethodDecl>(Taken.first);
    bool Virtual = Taken.second == CallThrough::MemberPointer && MD && Graph::isVirtualKey(MD);
    if (Written.contains(Taken.first) || K.External || K.K == Sink::Marked || Virtual)
      Summary.addressTaken(Taken.first, Taken.second, Loc);
  }
  // The overrides a virtual call in another unit can reach: the unit's own
  // that other units call by name (whether or not its code constructs
  // their class: another unit may), then those of the classes its code
  // constructs. As with addresses, only those with something to say; each
  // has its body here, so its unit's virtual calls followed it when it
  // compiled.
  llvm::SetVector<const FunctionDecl *> Overriders;
  for (const FunctionDecl *FD : Starts)
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD); MD && MD->size_overridden_methods())
      Overriders.insert(FD);
  Overriders.insert(G.overridersSoFar().begin(), G.overridersSoFar().end());
  for (const FunctionDecl *FD : Overriders)
    if (definition(FD) && (Written.contains(FD) || G.kind(FD).K == Sink::Marked))
      Summary.overrides(FD);
  // The same for a function passed to a parameter; that something else is
  // passed always says something (the parameter can hold any function).
  for (const Binding &B : G.bindingsSoFar()) {
    if (!B.Passed) {
      Summary.binding(B);
      continue;
    }
    const FunctionKind &K = G.kind(B.Passed);
    if (Written.contains(B.Passed) || K.External || K.K == Sink::Marked)
      Summary.binding(B);
  }
  Summary.marks(State);

  PrintStats(std::to_string(Exported.size()) + " exported functions, " +
             std::to_string(Rec.Functions.size()) + " summaries");
  return Ok;
}

} // namespace allocsel
