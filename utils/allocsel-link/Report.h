//===- Report.h - allocsel-link's output formats -----------------*- C++ -*-===//

#ifndef ALLOCSEL_LINK_REPORT_H
#define ALLOCSEL_LINK_REPORT_H

#include "Check.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

namespace allocsel::link {

enum class Format { Text, Json, Sarif };

/// Writes \p R for the inputs \p Files in \p F.
/// \p DocsUri: where docs/diagnostics.md is installed (a file: URI), for
/// SARIF's rule help links; empty when not found.
void report(const CheckResult &R, llvm::ArrayRef<std::string> Files, Format F,
            llvm::raw_ostream &OS, llvm::StringRef DocsUri = "");

} // namespace allocsel::link

#endif
