// A selection compiled without the plugin (g++, or clang without
// -fplugin=allocsel.so) is an error, not a program that silently runs on
// the default: <allocsel/alloc.h> sees the attribute is unknown and turns
// each use into one static assertion with allocsel's message, at namespace
// scope, as a static member and as a block-scope static, in any namespace
// and in the reserved-name spelling.
// RUN: not %clangxx -std=c++20 -I%allocsel_include -fsyntax-only %s 2>&1 | FileCheck %s
// RUN: not g++ -std=c++17 -I%allocsel_include -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=GCC
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

// CHECK: selection-without-plugin.cpp:20:3: error: static assertion failed: {{\[\[}}global_allocator{{\]\]}} is read only by the allocsel plugin, which this compile does not load: without it the program would silently use the default allocator. Compile with $(allocsel-config --cxxflags) [allocsel-no-plugin]
// CHECK: selection-without-plugin.cpp:22:19: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// CHECK: selection-without-plugin.cpp:23:14: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// CHECK: selection-without-plugin.cpp:25:8: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// CHECK: selection-without-plugin.cpp:26:13: error: static assertion failed: {{.*}}[allocsel-no-plugin]
// GCC-COUNT-5: error: static assertion failed: {{.*}}[allocsel-no-plugin]
