// A spelling that names global_allocator or needs_allocator in a namespace
// or syntax allocsel does not accept is an error, never an attribute clang
// ignores (the program would silently run on the default allocator): other
// vendors' namespaces, any other one (registered as the unit is lexed),
// `[[using NS: ...]]`, __declspec and Microsoft's `[name]`, in a macro too,
// even with warnings off.
// RUN: %cxx -fsyntax-only -Xclang -verify %s
// RUN: %cxx -fsyntax-only -w -Wno-unknown-attributes -Xclang -verify %s
// RUN: %cxx -fsyntax-only -fms-extensions -DMICROSOFT -Xclang -verify %s
// The location (the attribute's namespace), and the fix-it: the namespace
// becomes allocsel's where it is written before the name.
// RUN: not %cxx -fsyntax-only -fdiagnostics-parseable-fixits %s 2>&1 | FileCheck %s --implicit-check-not=fix-it

#include "Inputs/allocators.h"

// CHECK: unknown-spelling.cpp:[[@LINE+2]]:3: error: 'gnu::global_allocator' is not a spelling of allocsel's 'global_allocator' attribute: clang would ignore it, and the program would silently run on the default allocator; write '{{\[\[}}allocsel::global_allocator{{\]\]}}' or '{{\[\[}}global_allocator{{\]\]}}' [allocsel-unknown-spelling]
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:6}:"allocsel"
[[gnu::global_allocator]] constinit Counting A{}; // expected-error {{'gnu::global_allocator' is not a spelling of allocsel's 'global_allocator' attribute: clang would ignore it, and the program would silently run on the default allocator; write '[[allocsel::global_allocator]]' or '[[global_allocator]]' [allocsel-unknown-spelling]}}
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:8}:"allocsel"
[[clang::global_allocator]] constinit Counting B{}; // expected-error-re {{'clang::global_allocator' is not a spelling of allocsel's 'global_allocator' attribute{{.*}}[allocsel-unknown-spelling]}}
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:6}:"allocsel"
[[std::global_allocator]] constinit Counting C{}; // expected-error-re {{'std::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
// A namespace no one registered in advance.
// CHECK: unknown-spelling.cpp:[[@LINE+2]]:3: error: 'mycompany::global_allocator' is not a spelling
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:12}:"allocsel"
[[mycompany::global_allocator]] constinit Counting D{}; // expected-error-re {{'mycompany::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:11}:"allocsel"
[[Allocsel::global_allocator]] constinit Counting E{}; // expected-error-re {{'Allocsel::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
// The reserved-name forms, which clang normalizes for gnu and clang only.
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:10}:"allocsel"
[[__gnu__::__global_allocator__]] constinit Counting F{}; // expected-error-re {{'__gnu__::__global_allocator__' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:9}:"allocsel"
[[vendor::__global_allocator__]] constinit Counting G{}; // expected-error-re {{'vendor::__global_allocator__' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
// `using` names the namespace of every attribute of the list: no fix-it.
// (Clang 19 points at the namespace, 22 at the name.)
// CHECK: unknown-spelling.cpp:[[@LINE+1]]:{{9|14}}: error: 'gnu::global_allocator' is not a spelling
[[using gnu: global_allocator]] constinit Counting H{}; // expected-error-re {{'gnu::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
[[using gnu: unused, global_allocator]] constinit Counting I{}; // expected-error-re {{'gnu::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
[[using other: global_allocator]] constinit Counting I2{}; // expected-error-re {{'other::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
// With arguments, and on what is not a variable: the spelling is the error.
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:6}:"allocsel"
[[gnu::global_allocator(1)]] constinit Counting J{}; // expected-error-re {{'gnu::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:6}:"allocsel"
[[gnu::global_allocator]] void *function(); // expected-error-re {{'gnu::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
void statement() {
  // CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:5-[[@LINE+1]]:8}:"allocsel"
  [[gnu::global_allocator]]; // expected-error-re {{'gnu::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
}
// Through a macro: reported where it is used (no fix-it in a macro).
#define VENDOR_GLOBAL_ALLOCATOR [[acme::global_allocator]]
VENDOR_GLOBAL_ALLOCATOR constinit Counting K{}; // expected-error-re {{'acme::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}

// needs_allocator, the same.
// CHECK: unknown-spelling.cpp:[[@LINE+2]]:3: error: 'gnu::needs_allocator' is not a spelling of allocsel's 'needs_allocator' attribute: clang would ignore it, and calls of this function would not count as allocating; write '{{\[\[}}allocsel::needs_allocator{{\]\]}}' [allocsel-unknown-spelling]
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:6}:"allocsel"
[[gnu::needs_allocator]] void *make_buffer(); // expected-error {{'gnu::needs_allocator' is not a spelling of allocsel's 'needs_allocator' attribute: clang would ignore it, and calls of this function would not count as allocating; write '[[allocsel::needs_allocator]]' [allocsel-unknown-spelling]}}
// CHECK: fix-it:"{{.*}}unknown-spelling.cpp":{[[@LINE+1]]:3-[[@LINE+1]]:8}:"allocsel"
[[mylib::__needs_allocator__]] void *make_table(); // expected-error-re {{'mylib::__needs_allocator__' is not a spelling{{.*}}[allocsel-unknown-spelling]}}

// The accepted spellings are not affected, nor is a name of the user's
// that happens to be global_allocator.
[[allocsel::needs_allocator]] void *make_list();
[[needs_allocator]] void *make_map();
namespace mycompany {
inline int global_allocator = 0;
}
int uses_the_name() { return mycompany::global_allocator; }

#ifdef MICROSOFT
__declspec(global_allocator) constinit Counting L{}; // expected-error-re {{'__declspec(global_allocator)' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
[global_allocator] constinit Counting M{}; // expected-error-re {{'[global_allocator]' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
[needs_allocator] void *make_set(); // expected-error-re {{'[needs_allocator]' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
void lambdas(int *slots) {
  int needs_allocator = 1;
  [needs_allocator] { (void)needs_allocator; }();
  [needs_allocator]() mutable { (void)needs_allocator; }();
  slots[needs_allocator] = 0;
}
#endif
