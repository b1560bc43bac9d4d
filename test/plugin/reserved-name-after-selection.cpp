// A definition named __allocsel_... after the selection is reported too
// (the routes were emitted at the selection; this one comes later).
// RUN: %cxx -fsyntax-only -Xclang -verify %s
#include <allocsel/alloc.h>

[[global_allocator]] constinit allocsel::System GLOBAL{};

extern "C" int __allocsel_helper() { return 0; } // expected-error {{'__allocsel_helper' is reserved for allocsel, whose routing the plugin defines in the unit that selects global allocator 'GLOBAL': remove or rename this definition (names beginning with '__allocsel_' are allocsel's) [allocsel-reserved-name]}}
void *__allocsel_new(unsigned long) { return nullptr; } // expected-error {{'__allocsel_new' is reserved for allocsel}}
