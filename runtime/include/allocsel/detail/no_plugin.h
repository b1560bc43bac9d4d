// allocsel/detail/no_plugin.h - a selection compiled without the plugin.
//
// Not part of allocsel's interface: <allocsel/alloc.h> includes it when the
// compiler does not know [[global_allocator]] (g++, or clang without
// -fplugin=allocsel.so) and ALLOCSEL_ALLOW_NO_PLUGIN is not defined.
//
// Only the plugin reads the attribute: without it the attribute would be
// ignored and the program would silently run on the default allocator. So
// each use becomes one clear error, and nothing before it:
//
//   [[global_allocator]] X G{};
//   [[global_allocator]] typedef int __allocsel_no_plugin_N;
//     static_assert(false, "..."); [[]] X G{};
//
// (a macro is not expanded again inside itself), valid C++ wherever a
// declaration may be (namespace, class and block scope), with any spelling
// (`[[allocsel::global_allocator]]`, `[[gnu::global_allocator]]`, a
// `[[using NS: ...]]` list; `__global_allocator__` has a macro of its own).
// The ignored attribute is on the typedef, whose name comes from this
// header: GCC reports an ignored attribute at the declarator, and no warning
// in a system header's macro, so g++ prints only the assertion. Clang
// reports it at the attribute: for the unscoped spellings the macro turns
// that warning off around itself. The message says what to do for the
// compiler at hand: GCC cannot load a Clang plugin at all.
#ifndef ALLOCSEL_DETAIL_NO_PLUGIN_H
#define ALLOCSEL_DETAIL_NO_PLUGIN_H
#pragma GCC system_header

#define ALLOCSEL_DETAIL_CAT2(a, b) a##b
#define ALLOCSEL_DETAIL_CAT(a, b) ALLOCSEL_DETAIL_CAT2(a, b)

#if defined(__clang__)
#define ALLOCSEL_DETAIL_NO_PLUGIN_MESSAGE                                      \
  "[[global_allocator]] is read only by the allocsel plugin, which this "      \
  "compile does not load: without it the program would silently use the "     \
  "default allocator. Compile with $(allocsel-config --cxxflags) "             \
  "[allocsel-no-plugin]"
#define ALLOCSEL_DETAIL_NO_PLUGIN_BEGIN                                        \
  _Pragma("clang diagnostic push")                                             \
  _Pragma("clang diagnostic ignored \"-Wunknown-attributes\"")
#define ALLOCSEL_DETAIL_NO_PLUGIN_END _Pragma("clang diagnostic pop")
#else
#define ALLOCSEL_DETAIL_NO_PLUGIN_MESSAGE                                      \
  "[[global_allocator]] is read only by the allocsel plugin, a Clang plugin "  \
  "that GCC cannot load: without it the program would silently use the "      \
  "default allocator. Compile this unit with clang++-19 and "                  \
  "$(allocsel-config --cxx=clang++-19 --cxxflags) instead of GCC (the other "  \
  "units may stay with GCC) [allocsel-no-plugin]"
#define ALLOCSEL_DETAIL_NO_PLUGIN_BEGIN
#define ALLOCSEL_DETAIL_NO_PLUGIN_END
#endif

#define ALLOCSEL_DETAIL_NO_PLUGIN(NAME)                                        \
  ALLOCSEL_DETAIL_NO_PLUGIN_BEGIN NAME ]]                                      \
  typedef int ALLOCSEL_DETAIL_CAT(__allocsel_no_plugin_, __COUNTER__);         \
  static_assert(false, ALLOCSEL_DETAIL_NO_PLUGIN_MESSAGE);                     \
  ALLOCSEL_DETAIL_NO_PLUGIN_END [[
#define global_allocator ALLOCSEL_DETAIL_NO_PLUGIN(global_allocator)
// The reserved-name spelling ([[allocsel::__global_allocator__]]), the same.
#define __global_allocator__ ALLOCSEL_DETAIL_NO_PLUGIN(__global_allocator__)

#endif
