// [[global_allocator]] on anything but the definition of a variable with
// static storage duration (rustc: "allocators must be statics").
// RUN: %cxx -fsyntax-only -Xclang -verify %s
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s

#include "Inputs/allocators.h"

// CHECK: not-static.cpp:[[@LINE+1]]:3: error: a global allocator must be the definition of a variable with static storage duration, not a function [allocsel-not-static]
[[global_allocator]] void *function(); // expected-error {{not a function [allocsel-not-static]}}

template <class T>
[[global_allocator]] void *function_template(); // expected-error {{not a function [allocsel-not-static]}}

struct [[global_allocator]] Type {};        // expected-error {{not a type [allocsel-not-static]}}
enum [[global_allocator]] Enum { E };       // expected-error {{not a type [allocsel-not-static]}}
using Alias [[global_allocator]] = Counting; // expected-error {{not a type [allocsel-not-static]}}

void parameter([[global_allocator]] Counting c); // expected-error {{not a parameter [allocsel-not-static]}}

struct Holder {
  [[global_allocator]] Counting field;            // expected-error {{not a non-static data member [allocsel-not-static]}}
  [[global_allocator]] static const Counting Decl; // expected-error {{not a declaration that is not a definition [allocsel-not-static]}}
};

void locals() {
  [[global_allocator]] Counting local{}; // expected-error {{not a local variable without 'static' [allocsel-not-static]}}
  [[global_allocator]] return;           // expected-error {{not a statement [allocsel-not-static]}}
}

// A declaration that is not the definition; the note shows the definition.
[[global_allocator]] extern const Counting Ext; // expected-error {{not a declaration that is not a definition [allocsel-not-static]}}
constinit const Counting Ext{};                 // expected-note {{the definition is here; put the attribute on it}}

namespace [[global_allocator]] N {} // expected-error {{not this kind of declaration [allocsel-not-static]}}
