//===- NeedsAllocatorReport.cpp - chains as the user reads them -----------===//

#include "NeedsAllocatorReport.h"

#include "Diagnostics.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
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
                 const Root &R, const Found &F, const VarDecl *Selection) {
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
  // system headers shows only its last call.
  const FunctionDecl *Caller = R.FD;
  unsigned Skipped = 0;
  for (size_t I = 0; I < F.SinkChain.size(); ++I) {
    const Call &C = F.SinkChain[I];
    if (isElided(Ctx.getSourceManager(), F.SinkChain, I)) {
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
  case Sink::Route:
    report(Diags, Last->getLocation(), Diag::CycleRoute) << Last;
    break;
  case Sink::GlobalOperator:
  case Sink::UnknownCall:
  case Sink::None:
    break;
  }
}

} // namespace allocsel
