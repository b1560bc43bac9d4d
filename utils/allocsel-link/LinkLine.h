//===- LinkLine.h - the inputs of a compiler driver's link command -*- C++ -*-===//
//
// allocsel-link check --link-line: the files a link reads, found from its
// command line as the driver and the linker find them. The compiler wrappers
// (allocsel-clang++) and the CMake package (a linker launcher) both check
// their links this way.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_LINK_LINKLINE_H
#define ALLOCSEL_LINK_LINKLINE_H

#include "llvm/ADT/ArrayRef.h"

#include <string>
#include <vector>

namespace allocsel::link {

struct LinkLine {
  /// The command links a program or a shared library: not a compile alone
  /// (-c, -S, -E, ...), not a partial link (-r), not a dry run (-###).
  bool Links = false;
  /// -o, else a.out.
  std::string Output = "a.out";
  /// The objects, archives, shared libraries and bitcode objects it names
  /// by path (as driver arguments or through -Wl,/-Xlinker), in order; then
  /// its -lNAME and -l:FILE libraries, each as the linker finds it (the -L
  /// directories in order, then the driver's own search directories). Files
  /// allocsel-link cannot read (linker scripts) are left out.
  std::vector<std::string> Inputs;
};

/// Reads \p Command: a compiler driver (clang++, clang, g++) and its
/// arguments, with response files already expanded.
LinkLine readLinkLine(llvm::ArrayRef<std::string> Command);

} // namespace allocsel::link

#endif
