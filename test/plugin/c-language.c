// In C the attribute is recognised, but no C type can provide the Alloc
// interface: the diagnostic says so rather than ignoring the attribute.
// RUN: %cc -fsyntax-only -Xclang -verify %s

struct A { int x; }; // expected-note {{'A' declared here}}
[[global_allocator]] struct A G; // expected-error {{type 'struct A' of global allocator 'G' is not a class type and cannot implement the Alloc interface [allocsel-not-alloc]}}
