// Selections that could be defined in several units, or are patterns rather
// than variables: inline variables, variable templates, anything in a
// template, statics of inline functions.
// RUN: %cxx -fsyntax-only -Xclang -verify %s
// RUN: not %cxx -fsyntax-only %s 2>&1 | FileCheck %s

#include "Inputs/allocators.h"

// CHECK: template.cpp:[[@LINE+1]]:22: error: a global allocator cannot be a variable template: it must have exactly one definition in the program [allocsel-template]
template <class T> [[global_allocator]] constinit Counting VarTemplate{}; // expected-error {{cannot be a variable template: it must have exactly one definition in the program [allocsel-template]}}

template <class T> constinit Counting Spec{};
template <> [[global_allocator]] constinit Counting Spec<int>{}; // expected-error {{cannot be a variable template: it must have exactly one definition in the program [allocsel-template]}}

[[global_allocator]] inline constinit Counting Inline{}; // expected-error {{cannot be an inline variable: it must have exactly one definition in the program [allocsel-template]}}

struct S {
  // constexpr static data members are implicitly inline.
  [[global_allocator]] static constexpr Counting Member{}; // expected-error {{cannot be an inline variable: it must have exactly one definition in the program [allocsel-template]}}
};

template <class T> struct ClassTemplate {
  [[global_allocator]] static constinit Counting Member; // expected-error {{cannot be declared in a template: it must have exactly one definition in the program [allocsel-template]}}
};

template <class T> void function_template() {
  [[global_allocator]] static constinit Counting Local{}; // expected-error {{cannot be declared in a template: it must have exactly one definition in the program [allocsel-template]}}
}

inline void inline_function() {
  [[global_allocator]] static constinit Counting Local{}; // expected-error {{cannot be a static variable of an inline function: it must have exactly one definition in the program [allocsel-template]}}
}
void use() { inline_function(); }

struct WithMethod {
  // Member functions defined in the class are inline.
  void method() {
    [[global_allocator]] static constinit Counting Local{}; // expected-error {{cannot be a static variable of an inline function: it must have exactly one definition in the program [allocsel-template]}}
  }
};

// Inline functions with internal linkage are as vague: every unit that
// includes them would get a selection of its own.
static inline void static_inline_function() {
  [[global_allocator]] static constinit Counting Local{}; // expected-error {{cannot be a static variable of an inline function: it must have exactly one definition in the program [allocsel-template]}}
}
namespace {
inline void anonymous_inline_function() {
  [[global_allocator]] static constinit Counting Local{}; // expected-error {{cannot be a static variable of an inline function: it must have exactly one definition in the program [allocsel-template]}}
}
} // namespace
void use_internal() { static_inline_function(); anonymous_inline_function(); }

// A lambda's body is an inline function (its call operator), here in a
// namespace-scope initializer, where it once compiled and then failed to link.
int from_lambda = [] {
  [[global_allocator]] static constinit Counting Local{}; // expected-error {{cannot be a static variable of an inline function: it must have exactly one definition in the program [allocsel-template]}}
  return 0;
}();

// A weak definition could be replaced at link time by another one.
[[global_allocator, gnu::weak]] constinit Counting Weak{}; // expected-error {{a global allocator cannot be weak (another definition could replace it at link time): it must have exactly one definition in the program [allocsel-template]}}
