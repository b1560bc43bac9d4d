//===- Diagnostics.cpp - allocsel's diagnostic reporter -------------------===//

#include "Diagnostics.h"
#include "DiagnosticNames.h"

#include "clang/Basic/DiagnosticIDs.h"

#include <string>

using namespace clang;

namespace allocsel {
namespace {

struct DiagInfo {
  DiagnosticIDs::Level Level;
  DiagName Name; // for errors and warnings
  const char *Text;
};

constexpr DiagInfo Infos[] = {
#define ALLOCSEL_DIAG(Id, Level, Name, Text)                                   \
  {DiagnosticIDs::Level, DiagName::Name, Text},
#define ALLOCSEL_NOTE(Id, Text) {DiagnosticIDs::Note, DiagName{}, Text},
#include "Diagnostics.def"
};

} // namespace

DiagnosticBuilder report(DiagnosticsEngine &Engine, SourceLocation Loc,
                         Diag D) {
  const DiagInfo &Info = Infos[static_cast<unsigned>(D)];
  std::string Text = Info.Text;
  if (Info.Level != DiagnosticIDs::Note)
    Text = Text + " [" + nameOf(Info.Name) + "]";
  // getCustomDiagID interns (level, text) pairs, so asking again for the same
  // diagnostic returns the same ID.
  unsigned ID = Engine.getDiagnosticIDs()->getCustomDiagID(Info.Level, Text);
  return Engine.Report(Loc, ID);
}

} // namespace allocsel
