// A definition named __allocsel_... in the unit that selects is
// allocsel-reserved-name, at the definition, in every form: a route's name
// with the route's signature (extern "C"), a route's name with another
// signature and C++ linkage (which made the routes' lookup fail: it was
// allocsel-internal, blaming the header), any other __allocsel_ name, a
// variable, one in a namespace, and one after the selection. No route is
// emitted, so nothing else is reported.
// RUN: %cxx -fsyntax-only -Xclang -verify %s
// The same definitions in a unit that does not select are not allocsel's
// business here (the runtime's own units define such names).
// RUN: %cxx -fsyntax-only -DNO_SELECTION %s
#include <allocsel/alloc.h>

extern "C" void *__allocsel_new(std::size_t, std::size_t) noexcept { return nullptr; } // expected-error {{'__allocsel_new' is reserved for allocsel, whose routing the plugin defines in the unit that selects global allocator 'GLOBAL': remove or rename this definition (names beginning with '__allocsel_' are allocsel's) [allocsel-reserved-name]}}
extern "C" void *__allocsel_alloc(std::size_t, std::size_t) noexcept { return nullptr; } // expected-error {{'__allocsel_alloc' is reserved for allocsel}}
void *__allocsel_new(unsigned long) { return nullptr; } // expected-error {{'__allocsel_new' is reserved for allocsel}}
extern "C" int __allocsel_helper() { return 0; } // expected-error {{'__allocsel_helper' is reserved for allocsel}}
int __allocsel_counter = 0; // expected-error {{'__allocsel_counter' is reserved for allocsel}}
namespace mine {
void __allocsel_log() {} // expected-error {{'__allocsel_log' is reserved for allocsel}}
}
// Declarations are not definitions, and other names are not allocsel's.
extern "C" void __allocsel_declared_only();
int allocsel_counter = 0;

#ifndef NO_SELECTION
[[global_allocator]] constinit allocsel::System GLOBAL{};
#endif
