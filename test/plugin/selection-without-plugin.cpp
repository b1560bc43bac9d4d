// A selection compiled without the plugin (g++, or clang without
// -fplugin=allocsel.so) is an error, not a program that silently runs on
// the default: <allocsel/alloc.h> sees the attribute is unknown and turns
// each use into one static assertion with allocsel's message, at namespace
// scope, as a static member and as a block-scope static, in any namespace
// and in the reserved-name spelling.
// RUN: not %clangxx -std=c++20 -I%allocsel_include -fsyntax-only %s 2>&1 | FileCheck %s
// g++ cannot load the plugin at all: the error says what to do for the
// unit (clang++-19 and the flags allocsel-config names for it, which
// `--cxxflags` alone would refuse for CXX=g++), and no warning comes before
// it (the ignored attribute was a -Wattributes warning).
// RUN: not g++ -std=c++17 -Wall -Wextra -I%allocsel_include -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=GCC --implicit-check-not=Wattributes
// With the plugin it is an ordinary selection, and ALLOCSEL_PLUGIN says so.
// RUN: %cxx -fsyntax-only -DWITH_PLUGIN %s
// A tool that cannot load the plugin can still read the header.
// RUN: %clangxx -std=c++20 -I%allocsel_include -DALLOCSEL_ALLOW_NO_PLUGIN -Wno-unknown-attributes -fsyntax-only %s

#include <allocsel/alloc.h>

#if defined(WITH_PLUGIN) && !ALLOCSEL_PLUGIN
#error "ALLOCSEL_PLUGIN should be 1 with the plugin"
#endif

[[global_allocator]] allocsel::System GLOBAL{};
#ifndef WITH_PLUGIN
struct Holder { [[global_allocator]] static allocsel::System Member; };
void f() { [[global_allocator]] static allocsel::System Local{}; }
// Another vendor's namespace, and the reserved-name spelling.
[[gnu::global_allocator]] allocsel::System Vendor{};
[[allocsel::__global_allocator__]] allocsel::System Reserved{};
#endif

// CHECK: selection-without-plugin.cpp:24:3: error: static assertion failed: {{\[\[}}global_allocator{{\]\]}} is read only by the allocsel plugin, which this compile does not load: without it the program would silently use the default allocator. Compile with $(allocsel-config --cxxflags) [allocsel-no-plugin]
// CHECK: selection-without-plugin.cpp:26:19: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// CHECK: selection-without-plugin.cpp:27:14: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// CHECK: selection-without-plugin.cpp:29:8: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// CHECK: selection-without-plugin.cpp:30:13: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// GCC-NOT: warning:
// GCC: selection-without-plugin.cpp:24:3: error: static assertion failed: {{\[\[}}global_allocator{{\]\]}} is read only by the allocsel plugin, a Clang plugin that GCC cannot load: without it the program would silently use the default allocator. Compile this unit with clang++-19 and $(allocsel-config --cxx=clang++-19 --cxxflags) instead of GCC (the other units may stay with GCC) [allocsel-no-plugin]
// GCC: selection-without-plugin.cpp:26:19: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// GCC: selection-without-plugin.cpp:27:14: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// GCC: selection-without-plugin.cpp:29:8: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// GCC: selection-without-plugin.cpp:30:13: error: static assertion failed: {{.*}}[allocsel-no-plugin]
