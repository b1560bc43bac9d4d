//===- Diagnostics.h - allocsel's diagnostic reporter ----------*- C++ -*-===//
//
// Every allocsel diagnostic goes through report(): the reporter owns the
// custom diagnostic IDs and appends each diagnostic's stable name.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_DIAGNOSTICS_H
#define ALLOCSEL_PLUGIN_DIAGNOSTICS_H

#include "clang/Basic/Diagnostic.h"

namespace allocsel {

enum class Diag : unsigned {
#define ALLOCSEL_DIAG(Id, Level, Name, Text) Id,
#define ALLOCSEL_NOTE(Id, Text) Id,
#include "Diagnostics.def"
};

/// Emits \p D at \p Loc; stream arguments into the result as with any
/// clang diagnostic.
clang::DiagnosticBuilder report(clang::DiagnosticsEngine &Engine,
                                clang::SourceLocation Loc, Diag D);

} // namespace allocsel

#endif
