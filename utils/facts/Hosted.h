//===- Hosted.h - the plugin preloaded into allocsel-clangd's clangd -*- C++ -*-===//
//
// allocsel-clangd starts clangd through its pump (`--tied ... --preload
// PLUGIN`), which preloads the plugin of clangd's Clang version and names it
// in this variable; the plugin then takes both out of the environment
// (clang-plugin/Hosted.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_FACTS_HOSTED_H
#define ALLOCSEL_FACTS_HOSTED_H

namespace allocsel {

/// The environment variable naming the plugin preloaded into clangd.
inline constexpr const char HostedVariable[] = "ALLOCSEL_CLANGD_HOSTED";

} // namespace allocsel

#endif
