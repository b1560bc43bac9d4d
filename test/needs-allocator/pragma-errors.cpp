// Malformed marks get a clear diagnostic naming what is wrong.
// RUN: %cxx -fsyntax-only -Xclang -verify %s

#pragma allocsel allocater // expected-error {{unknown '#pragma allocsel allocater'; expected '#pragma allocsel allocator' or '#pragma allocsel needs_allocator' [allocsel-pragma]}}
#pragma allocsel // expected-error {{'#pragma allocsel' needs an argument: 'allocator' or 'needs_allocator' [allocsel-pragma]}}
#pragma allocsel allocator extra // expected-error {{unexpected 'extra' after '#pragma allocsel allocator' [allocsel-pragma]}}
#pragma allocsel needs_allocator // expected-note {{'#pragma allocsel needs_allocator' is here}}
#pragma allocsel allocator // expected-error {{a unit cannot be both part of an allocator and need one: '#pragma allocsel allocator' contradicts an earlier '#pragma allocsel needs_allocator' [allocsel-pragma]}}

[[allocsel::needs_allocator]] int not_a_function; // expected-error {{'needs_allocator' applies to function declarations only [allocsel-pragma]}}
[[allocsel::needs_allocator(1)]] void with_args(); // expected-error {{'needs_allocator' attribute takes no arguments [allocsel-args]}}
[[allocsel::needs_allocator]] void fine();

#if !__has_cpp_attribute(allocsel::needs_allocator) || !__has_cpp_attribute(needs_allocator)
#error "the plugin's needs_allocator attribute is not known to the parser"
#endif
