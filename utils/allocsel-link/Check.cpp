//===- Check.cpp - whole-program checks over allocsel facts ---------------===//

#include "Check.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

namespace allocsel::link {
namespace {

/// One selection and the artifact that holds it.
struct Site {
  const facts::UnitRecord *Rec;
  const Artifact *In;
  const facts::Selection &sel() const { return *Rec->Selected; }
};

/// The same unit can reach the checker twice (an archive member and the
/// executable it was linked into): a selection is identified by its unit and
/// its place in the source, not by the file it was read from.
std::string identity(const facts::UnitRecord &R) {
  const facts::Selection &S = *R.Selected;
  return R.Unit + '\0' + S.Variable + '\0' + S.Loc.File + '\0' +
         std::to_string(S.Loc.Line) + ':' + std::to_string(S.Loc.Column);
}

std::string quoted(llvm::StringRef S) { return "'" + S.str() + "'"; }

/// What a linked artifact's routes serve: its selection, or the default.
struct Routing {
  const facts::UnitRecord *Selection = nullptr;
  const facts::UnitRecord *Default = nullptr;
  unsigned Units = 0; // records of units compiled with allocsel
};

Routing routingOf(const Artifact &A) {
  Routing R;
  for (const facts::UnitRecord &Rec : A.Records) {
    if (!Rec.DefaultRoutes.empty()) {
      R.Default = &Rec;
      continue;
    }
    ++R.Units;
    if (Rec.Selected && !R.Selection)
      R.Selection = &Rec;
  }
  return R;
}

const char *kindName(Artifact::Kind K) {
  switch (K) {
  case Artifact::Object:
    return "object";
  case Artifact::Bitcode:
    return "bitcode object";
  case Artifact::Executable:
    return "executable";
  case Artifact::SharedLibrary:
    return "shared library";
  }
  return "file";
}

} // namespace

CheckResult check(const Inputs &In) {
  CheckResult Result;
  for (const InputError &E : In.Errors) {
    Result.BadInput = true;
    Result.Findings.push_back({"allocsel-bad-input", E.Message, std::nullopt, E.Where, {}});
  }

  // Every distinct selection, in the order the inputs were given.
  std::vector<Site> Sites;
  llvm::StringSet<> Seen;
  for (const Artifact &A : In.Artifacts)
    for (const facts::UnitRecord &R : A.Records)
      if (R.Selected && Seen.insert(identity(R)).second)
        Sites.push_back({&R, &A});

  for (size_t I = 1; I < Sites.size(); ++I) {
    const Site &First = Sites.front(), &Dup = Sites[I];
    Result.Findings.push_back(
        {"allocsel-duplicate",
         "cannot define multiple global allocators: " + quoted(Dup.sel().Variable) +
             " (type " + quoted(Dup.sel().Type) + ") in " + Dup.In->Where.str(),
         Dup.sel().Loc,
         Dup.In->Where,
         {{"previous global allocator " + quoted(First.sel().Variable) +
               " selected here, in " + First.In->Where.str(),
           First.sel().Loc, First.In->Where}}});
  }

  // With linked artifacts given, a selection read only from objects or
  // archives must have made it into one of them; otherwise the link dropped
  // it (an archive after allocsel's libraries, or a member nothing pulled in)
  // and the program runs on another allocator.
  std::vector<const Artifact *> Linked;
  llvm::StringSet<> LinkedSelections;
  for (const Artifact &A : In.Artifacts)
    if (A.isLinked()) {
      Linked.push_back(&A);
      for (const facts::UnitRecord &R : A.Records)
        if (R.Selected)
          LinkedSelections.insert(identity(R));
    }
  if (!Linked.empty())
    for (const Site &S : Sites) {
      if (S.In->isLinked() || LinkedSelections.contains(identity(*S.Rec)))
        continue;
      Finding F{"allocsel-unlinked",
                "global allocator " + quoted(S.sel().Variable) + " in " +
                    S.In->Where.str() + " is not linked into " +
                    Linked.front()->Where.str() +
                    ": put its archive before allocsel's libraries "
                    "(allocsel-config --libs), or its object in the link",
                S.sel().Loc,
                S.In->Where,
                {}};
      for (const Artifact *L : Linked) {
        Routing R = routingOf(*L);
        std::string Uses =
            R.Selection ? "global allocator " + quoted(R.Selection->Selected->Variable)
            : R.Default ? R.Default->DefaultRoutes + ", the default"
                        : "the C++ library's operator new (no allocsel routes)";
        F.Notes.push_back({L->Where.str() + " uses " + Uses, std::nullopt, L->Where});
      }
      Result.Findings.push_back(std::move(F));
    }
  return Result;
}

std::string explain(const Inputs &In) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  for (const Artifact &A : In.Artifacts) {
    Routing R = routingOf(A);
    OS << A.Where.str() << ": " << kindName(A.K) << "\n";
    if (R.Selection) {
      const facts::Selection &S = *R.Selection->Selected;
      OS << "  allocator: " << S.Variable << " (type " << S.Type << ")\n"
         << "  why: selected with [[global_allocator]] at " << S.Loc.File << ":" << S.Loc.Line
         << ":" << S.Loc.Column << " (unit " << R.Selection->Unit << ")\n";
    } else if (R.Default) {
      OS << "  allocator: " << R.Default->DefaultRoutes << " (the default)\n"
         << "  why: none of its " << R.Units
         << " units compiled with allocsel selects a global allocator, so "
            "it uses the default for "
         << (A.K == Artifact::SharedLibrary ? "shared libraries" : "executables")
         << " (linked with allocsel-config --ldflags/--libs"
         << (A.K == Artifact::SharedLibrary ? " --artifact=shared" : "") << ")\n";
    } else if (!A.isLinked()) {
      OS << "  allocator: decided when it is linked\n"
         << "  why: " << (R.Units ? "no unit in it selects a global allocator"
                                  : "it holds no allocsel records")
         << "; the executable or shared library it is linked into decides\n";
    } else if (R.Units) {
      OS << "  allocator: the C++ library's operator new (not routed)\n"
         << "  why: " << R.Units
         << " of its units were compiled with allocsel, but allocsel's runtime is "
            "not linked: link with allocsel-config --ldflags and --libs\n";
    } else {
      OS << "  allocator: the C++ library's operator new (not routed)\n"
         << "  why: it holds no allocsel records: it was not built with allocsel\n";
    }
  }
  return Out;
}

} // namespace allocsel::link
