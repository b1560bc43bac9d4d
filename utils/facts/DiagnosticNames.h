//===- DiagnosticNames.h - the registry of allocsel's diagnostics ---------===//
//
// DiagnosticNames.def as C++: an enumerator per diagnostic, and its name,
// who reports it and its one-line summary.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_DIAGNOSTICNAMES_H
#define ALLOCSEL_DIAGNOSTICNAMES_H

namespace allocsel {

enum class DiagName : unsigned {
#define ALLOCSEL_NAME(Id, Name, Where, Summary) Id,
#include "DiagnosticNames.def"
};

/// Who reports a diagnostic.
enum class DiagWhere { Compile, Link, CompileAndLink, Load, Header, Run };

struct DiagNameInfo {
  const char *Name;    // "allocsel-duplicate"
  DiagWhere Where;
  const char *Summary; // when it is reported
};

inline constexpr DiagNameInfo DiagNames[] = {
#define ALLOCSEL_NAME(Id, Name, Where, Summary) {Name, DiagWhere::Where, Summary},
#include "DiagnosticNames.def"
};

inline constexpr const DiagNameInfo &info(DiagName N) {
  return DiagNames[static_cast<unsigned>(N)];
}
inline constexpr const char *nameOf(DiagName N) { return info(N).Name; }

/// Where docs/diagnostics.md explains \p N, relative to the docs directory.
inline constexpr const char *DiagDocsPage = "diagnostics.md";

} // namespace allocsel

#endif
