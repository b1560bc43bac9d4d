//===- Hosted.cpp - the plugin preloaded into allocsel-clangd's clangd ----===//
//
// allocsel-clangd runs clangd with this plugin preloaded (LD_PRELOAD, and
// HostedVariable naming the plugin's path: Hosted.h), so that clangd's own
// parse runs allocsel's checks (utils/allocsel_clangd/clangd.py). The
// preload is for clangd alone: before clangd's main runs, the plugin takes
// itself out of LD_PRELOAD and removes the variable, so that no process
// clangd starts (the compilers --query-driver asks) inherits either.
//
//===----------------------------------------------------------------------===//

#include "Hosted.h"

#include <cstdlib>
#include <cstring>
#include <string>

namespace {

__attribute__((constructor)) void leavePreloadToClangdAlone() {
  // (Not for a secure-mode process, which ignores LD_PRELOAD anyway.)
  const char *Self = secure_getenv(allocsel::HostedVariable);
  if (!Self)
    return;
  std::string Kept;
  if (const char *Preload = getenv("LD_PRELOAD")) {
    // ld.so separates the list's entries with colons or spaces.
    const char *P = Preload;
    while (*P) {
      size_t N = strcspn(P, ": ");
      if (N && !(strlen(Self) == N && strncmp(P, Self, N) == 0)) {
        if (!Kept.empty())
          Kept += ':';
        Kept.append(P, N);
      }
      P += N;
      if (*P)
        ++P;
    }
  }
  if (Kept.empty())
    unsetenv("LD_PRELOAD");
  else
    setenv("LD_PRELOAD", Kept.c_str(), 1);
  unsetenv(allocsel::HostedVariable);
}

} // namespace
