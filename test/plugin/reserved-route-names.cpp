// A definition of one of the routes' names (extern "C" __allocsel_alloc,
// __allocsel_new, ...) next to a selection would take the routing
// over: it is an error at the user's definition, and no route is emitted.
// RUN: %cxx -fsyntax-only -Xclang -verify %s
#include <allocsel/alloc.h>

extern "C" void *__allocsel_new(std::size_t, std::size_t) noexcept { return nullptr; } // expected-error {{'__allocsel_new' is reserved for allocsel's routing, which the plugin defines in the unit that selects global allocator 'GLOBAL': remove this definition (names beginning with '__allocsel_' are allocsel's) [allocsel-reserved-name]}}
extern "C" void *__allocsel_alloc(std::size_t, std::size_t) noexcept { return nullptr; } // expected-error {{'__allocsel_alloc' is reserved for allocsel's routing}}

[[global_allocator]] constinit allocsel::System GLOBAL{};
