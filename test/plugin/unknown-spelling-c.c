// In C23 too, global_allocator and needs_allocator in another namespace are
// allocsel-unknown-spelling, not attributes clang ignores.
// RUN: %cc -fsyntax-only -Xclang -verify %s
// RUN: not %cc -fsyntax-only %s 2>&1 | FileCheck %s

struct A { int x; };
// CHECK: unknown-spelling-c.c:[[@LINE+1]]:3: error: 'gnu::global_allocator' is not a spelling of allocsel's 'global_allocator' attribute{{.*}}[allocsel-unknown-spelling]
[[gnu::global_allocator]] struct A G; // expected-error-re {{'gnu::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
// CHECK: unknown-spelling-c.c:[[@LINE+1]]:3: error: 'acme::global_allocator' is not a spelling
[[acme::global_allocator]] struct A H; // expected-error-re {{'acme::global_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
// CHECK: unknown-spelling-c.c:[[@LINE+1]]:3: error: 'clang::needs_allocator' is not a spelling
[[clang::needs_allocator]] void *make_buffer(void); // expected-error-re {{'clang::needs_allocator' is not a spelling{{.*}}[allocsel-unknown-spelling]}}
[[allocsel::needs_allocator]] void *make_list(void);
