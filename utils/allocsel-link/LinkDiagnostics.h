//===- LinkDiagnostics.h - allocsel-link's messages -------------*- C++ -*-===//
//
// LinkDiagnostics.def as C++: an enumerator per message, its registry name
// (errors) and its text, and message() to fill in the arguments.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_LINK_LINKDIAGNOSTICS_H
#define ALLOCSEL_LINK_LINKDIAGNOSTICS_H

#include "DiagnosticNames.h"

#include "llvm/Support/FormatVariadic.h"

#include <string>
#include <utility>

namespace allocsel::link {

enum class Msg : unsigned {
#define ALLOCSEL_LINK_DIAG(Id, Name, Text) Id,
#define ALLOCSEL_LINK_NOTE(Id, Text) Id,
#define ALLOCSEL_LINK_PART(Id, Text) Id,
#include "LinkDiagnostics.def"
};

struct MsgInfo {
  const char *Text;
  bool IsError;  // an ALLOCSEL_LINK_DIAG
  DiagName Name; // the error's registry entry (errors only)
};

inline constexpr MsgInfo Msgs[] = {
#define ALLOCSEL_LINK_DIAG(Id, Name, Text) {Text, true, DiagName::Name},
#define ALLOCSEL_LINK_NOTE(Id, Text) {Text, false, DiagName::Internal},
#define ALLOCSEL_LINK_PART(Id, Text) {Text, false, DiagName::Internal},
#include "LinkDiagnostics.def"
};

inline constexpr const MsgInfo &info(Msg M) { return Msgs[static_cast<unsigned>(M)]; }

/// The text of \p M with \p Args in its {0}, {1}, ...
template <typename... Ts> std::string message(Msg M, Ts &&...Args) {
  return llvm::formatv(info(M).Text, std::forward<Ts>(Args)...).str();
}

} // namespace allocsel::link

#endif
