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

/// The %select cases of Diag::NotStatic, in the message's order.
enum NotStaticKind : unsigned {
  NS_Function,
  NS_Type,
  NS_Parameter,
  NS_Field,
  NS_LocalVariable,
  NS_NotDefinition,
  NS_Statement,
  NS_Other
};

/// The %select cases of Diag::Template, in the message's order.
enum TemplateKind : unsigned {
  TK_Inline,
  TK_VarTemplate,
  TK_Dependent,
  TK_StaticInInline,
  TK_Weak
};

/// Emits \p D at \p Loc; stream arguments into the result as with any
/// clang diagnostic.
clang::DiagnosticBuilder report(clang::DiagnosticsEngine &Engine,
                                clang::SourceLocation Loc, Diag D);

} // namespace allocsel

#endif
