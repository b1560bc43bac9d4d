//===- NeedsAllocatorReport.cpp - chains as the user reads them -----------===//

#include "NeedsAllocatorReport.h"

#include "Diagnostics.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace allocsel {

std::string displayName(const ASTContext &Ctx, const FunctionDecl *FD) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  FD->getNameForDiagnostic(OS, Ctx.getPrintingPolicy(), /*Qualified=*/true);
  return Out;
}

bool isElided(const SourceManager &SM, const std::vector<Call> &Chain, size_t I) {
  auto InSystemHeader = [&](SourceLocation Loc) {
    return Loc.isValid() && SM.isInSystemHeader(SM.getExpansionLoc(Loc));
  };
  return InSystemHeader(Chain[I].Loc) && I + 1 < Chain.size() &&
         InSystemHeader(Chain[I + 1].Loc);
}

void reportChain(DiagnosticsEngine &Diags, const ASTContext &Ctx, const UnitState &State,
                 const Graph &G, const Root &R, const Found &F, const VarDecl *Selection,
                 bool FullChains,
                 const std::vector<const FunctionDecl *> &Also) {
  const FunctionDecl *Last = F.SinkChain.empty() ? R.FD : F.SinkChain.back().Callee;
  const FunctionDecl *Def = definition(R.FD) ? definition(R.FD) : R.FD;
  std::string Reached =
      Last ? "'" + displayName(Ctx, Last) + "'" : std::string(F.SinkChain.back().Unknown);
  if (R.Member) {
    report(Diags, Def->getLocation(), Diag::CycleMember) << Def << Selection << Reached;
    report(Diags, Selection->getLocation(), Diag::SelectedHere) << Selection;
  } else {
    report(Diags, Def->getLocation(), Diag::CycleAllocatorUnit) << Def << Reached;
    report(Diags, State.AllocatorPragma, Diag::PragmaHere) << "allocator";
  }
  // One note per call, as a template backtrace reads; a run of calls inside
  // system headers shows only its last call. A long chain shows its first
  // HeadShown calls and its last TailShown (the step into the allocator is
  // the last), and how many it left out.
  constexpr size_t HeadShown = 3, TailShown = 3;
  std::vector<size_t> Shown;
  for (size_t I = 0; I < F.SinkChain.size(); ++I)
    if (!isElided(Ctx.getSourceManager(), F.SinkChain, I))
      Shown.push_back(I);
  size_t From = Shown.size(), To = Shown.size(); // the notes left out
  if (!FullChains && Shown.size() > HeadShown + TailShown + 1)
    From = HeadShown, To = Shown.size() - TailShown;
  const FunctionDecl *Caller = R.FD;
  unsigned Skipped = 0;
  size_t Next = 0; // into Shown
  for (size_t I = 0; I < F.SinkChain.size(); ++I) {
    const Call &C = F.SinkChain[I];
    if (Next >= Shown.size() || Shown[Next] != I) {
      ++Skipped;
      Caller = C.Callee;
      continue;
    }
    size_t At = Next++;
    if (At >= From && At < To) {
      if (At == From)
        report(Diags, C.Loc, Diag::CycleStepsLeftOut) << unsigned(To - From);
      Caller = C.Callee;
      Skipped = 0;
      continue;
    }
    if (C.Callee)
      report(Diags, C.Loc, Diag::CycleStep) << Caller << C.Callee << (Skipped > 0) << Skipped;
    else
      report(Diags, C.Loc, Diag::CycleUnknownStep) << Caller << C.Unknown;
    Skipped = 0;
    Caller = C.Callee;
  }
  // Why the chain's end allocates.
  switch (F.SinkKind) {
  case Sink::Marked:
    report(Diags, Last->getLocation(), Diag::CycleMarked) << Last;
    break;
  case Sink::NeedsAllocatorUnit:
    report(Diags, State.NeedsAllocatorPragma, Diag::CycleNeedsAllocatorUnit) << Last;
    break;
  case Sink::Library:
    report(Diags, Last->getLocation(), Diag::CycleLibrary) << Last;
    break;
  case Sink::UnknownLibrary:
    report(Diags, Last->getLocation(), Diag::CycleStrictLibrary) << Last;
    break;
  case Sink::MemoryResource:
    if (const ResourceSink *S = G.resourceSink(Last)) {
      unsigned Use = S->Use == ResourceUse::Allocate ? 0 : S->Use == ResourceUse::Deallocate ? 1 : 2;
      unsigned Kind = S->R.K == Resource::NewDelete ? 0 : S->R.K == Resource::Default ? 1 : 2;
      DiagnosticBuilder Note = report(Diags, Last->getLocation(), Diag::CycleMemoryResource);
      Note << Last << Use << Kind << (S->R.Through != nullptr);
      if (S->R.Through)
        Note << S->R.Through;
      else
        Note << "";
      Note << S->Given;
    }
    break;
  case Sink::Route:
    report(Diags, Last->getLocation(), Diag::CycleRoute) << Last;
    break;
  case Sink::GlobalOperator:
  case Sink::UnknownCall:
  case Sink::None:
    break;
  }
  if (!Also.empty()) {
    constexpr size_t NamesShown = 3;
    std::string Names;
    for (size_t I = 0; I < Also.size() && I < NamesShown; ++I)
      Names += (I ? ", '" : "'") + displayName(Ctx, Also[I]) + "'";
    if (Also.size() > NamesShown)
      Names += " and " + std::to_string(Also.size() - NamesShown) + " more";
    report(Diags, Def->getLocation(), Diag::CycleAlsoRoots) << Names << unsigned(Also.size());
  }
}

} // namespace allocsel
