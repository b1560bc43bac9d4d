//===- Diagnostics.cpp - allocsel's diagnostic reporter -------------------===//

#include "Diagnostics.h"

#include "clang/Basic/DiagnosticIDs.h"

using namespace clang;

namespace allocsel {
namespace {

struct DiagInfo {
  DiagnosticIDs::Level Level;
  const char *Text; // already carries the " [name]" suffix
};

constexpr DiagInfo Infos[] = {
#define ALLOCSEL_DIAG(Id, Level, Name, Text)                                   \
  {DiagnosticIDs::Level, Text " [" Name "]"},
#define ALLOCSEL_NOTE(Id, Text) {DiagnosticIDs::Note, Text},
#include "Diagnostics.def"
};

} // namespace

DiagnosticBuilder report(DiagnosticsEngine &Engine, SourceLocation Loc,
                         Diag D) {
  const DiagInfo &Info = Infos[static_cast<unsigned>(D)];
  // getCustomDiagID interns (level, text) pairs, so asking again for the same
  // diagnostic returns the same ID.
  unsigned ID =
      Engine.getDiagnosticIDs()->getCustomDiagID(Info.Level, Info.Text);
  return Engine.Report(Loc, ID);
}

} // namespace allocsel
