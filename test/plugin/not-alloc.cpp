// The selected type must provide the Alloc interface: one error per missing
// or mismatched member, each with a note at the member (or the type).
// RUN: %cxx -fsyntax-only -ferror-limit=0 -Xclang -verify %s
// RUN: not %cxx -fsyntax-only -ferror-limit=0 %s 2>&1 | FileCheck %s

#include <allocsel/alloc.h>

// rustc's "a type that is not an allocator": usize.
// CHECK: not-alloc.cpp:[[@LINE+1]]:27: error: type 'long' of global allocator 'Long' is not a class type and cannot implement the Alloc interface [allocsel-not-alloc]
[[global_allocator]] long Long = 0; // expected-error {{is not a class type and cannot implement the Alloc interface [allocsel-not-alloc]}}

struct OnlyAlloc { // #OnlyAlloc
  void *alloc(allocsel::Layout) const noexcept;
};
// CHECK: not-alloc.cpp:[[@LINE+2]]:42: error: type 'OnlyAlloc' of global allocator 'NoDealloc' has no member 'dealloc' required by the Alloc interface; expected 'void dealloc(void *, allocsel::Layout) const noexcept' [allocsel-not-alloc]
// CHECK: note: 'OnlyAlloc' declared here
[[global_allocator]] constinit OnlyAlloc NoDealloc{}; // expected-error {{has no member 'dealloc' required by the Alloc interface}}
// expected-note@#OnlyAlloc {{'OnlyAlloc' declared here}}

struct Empty {}; // #Empty
[[global_allocator]] constinit Empty Nothing{}; // expected-error {{has no member 'alloc'}} expected-error {{has no member 'dealloc'}}
// expected-note@#Empty 2 {{'Empty' declared here}}

struct NotConst {
  void *alloc(allocsel::Layout) noexcept;                  // #NotConstAlloc
  void dealloc(void *, allocsel::Layout) const noexcept;
};
[[global_allocator]] constinit NotConst NC{}; // expected-error {{member 'alloc' of 'NotConst' (global allocator 'NC') must be callable on a const object}}
// expected-note@#NotConstAlloc {{candidate 'alloc' of type 'void *(allocsel::Layout) noexcept' declared here}}

struct NotNoexcept {
  void *alloc(allocsel::Layout) const;                     // #NotNoexceptAlloc
  void dealloc(void *, allocsel::Layout) const noexcept(false); // #NotNoexceptDealloc
};
[[global_allocator]] constinit NotNoexcept NN{}; // expected-error {{member 'alloc' of 'NotNoexcept' (global allocator 'NN') must be 'noexcept'}} expected-error {{member 'dealloc' of 'NotNoexcept' (global allocator 'NN') must be 'noexcept'}}
// expected-note@#NotNoexceptAlloc {{'alloc' declared here}}
// expected-note@#NotNoexceptDealloc {{'dealloc' declared here}}

struct WrongSignatures {
  void *alloc(std::size_t) const noexcept;                         // #WrongAlloc
  int dealloc(void *, allocsel::Layout) const noexcept;            // #WrongDealloc
  char *alloc_zeroed(allocsel::Layout) const noexcept;             // #WrongZeroed
  void *realloc(void *, allocsel::Layout) const noexcept;          // #WrongRealloc
};
[[global_allocator]] constinit WrongSignatures WS{}; // expected-error {{member 'alloc' of 'WrongSignatures' (global allocator 'WS') cannot be called as 'void *alloc(allocsel::Layout) const noexcept'}} expected-error {{member 'dealloc' of 'WrongSignatures' (global allocator 'WS') returns 'int', not 'void'}} expected-error {{member 'alloc_zeroed' of 'WrongSignatures' (global allocator 'WS') returns 'char *', not 'void *'}} expected-error {{member 'realloc' of 'WrongSignatures' (global allocator 'WS') cannot be called as 'void *realloc(void *, allocsel::Layout, std::size_t new_size) const noexcept'}}
// expected-note@#WrongAlloc {{candidate 'alloc' of type 'void *(std::size_t) const noexcept' (aka 'void *(unsigned long) const noexcept') declared here}}
// expected-note@#WrongDealloc {{'dealloc' declared here}}
// expected-note@#WrongZeroed {{'alloc_zeroed' declared here}}
// expected-note@#WrongRealloc {{candidate 'realloc' of type 'void *(void *, allocsel::Layout) const noexcept' declared here}}

struct DataMember {
  void *(*alloc)(allocsel::Layout) noexcept; // #DataAlloc
  void dealloc(void *, allocsel::Layout) const noexcept;
};
[[global_allocator]] constinit DataMember DM{}; // expected-error {{member 'alloc' of 'DataMember' (global allocator 'DM') is not a member function}}
// expected-note@#DataAlloc {{'alloc' declared here}}

class Private {
  void *alloc(allocsel::Layout) const noexcept; // #PrivateAlloc
public:
  void dealloc(void *, allocsel::Layout) const noexcept = delete; // #DeletedDealloc
};
[[global_allocator]] constinit Private P{}; // expected-error {{member 'alloc' of 'Private' (global allocator 'P') is not accessible}} expected-error {{member 'dealloc' of 'Private' (global allocator 'P') cannot be called}}
// expected-note@#PrivateAlloc {{candidate 'alloc'}}
// expected-note@#DeletedDealloc {{candidate 'dealloc'}}

// dealloc_unsized is optional, but checked when present: a wrong one would
// silently cost a size header in front of every block from operator new.
struct WrongUnsized {
  void *alloc(allocsel::Layout) const noexcept;
  void dealloc(void *, allocsel::Layout) const noexcept;
  void dealloc_unsized(void *) const noexcept; // #UnsizedNoAlign
};
// CHECK: not-alloc.cpp:[[@LINE+1]]:45: error: member 'dealloc_unsized' of 'WrongUnsized' (global allocator 'WU') cannot be called as 'void dealloc_unsized(void *, std::size_t align) const noexcept' [allocsel-not-alloc]
[[global_allocator]] constinit WrongUnsized WU{}; // expected-error {{member 'dealloc_unsized' of 'WrongUnsized' (global allocator 'WU') cannot be called as 'void dealloc_unsized(void *, std::size_t align) const noexcept'}}
// expected-note@#UnsizedNoAlign {{candidate 'dealloc_unsized' of type 'void (void *) const noexcept' declared here}}
struct ThrowingUnsized {
  void *alloc(allocsel::Layout) const noexcept;
  void dealloc(void *, allocsel::Layout) const noexcept;
  void dealloc_unsized(void *, std::size_t) const; // #UnsizedThrows
};
[[global_allocator]] constinit ThrowingUnsized TU{}; // expected-error {{member 'dealloc_unsized' of 'ThrowingUnsized' (global allocator 'TU') must be 'noexcept'}}
// expected-note@#UnsizedThrows {{'dealloc_unsized' declared here}}
struct ReturningUnsized {
  void *alloc(allocsel::Layout) const noexcept;
  void dealloc(void *, allocsel::Layout) const noexcept;
  int dealloc_unsized(void *, std::size_t) const noexcept; // #UnsizedReturns
};
[[global_allocator]] constinit ReturningUnsized RU{}; // expected-error {{member 'dealloc_unsized' of 'ReturningUnsized' (global allocator 'RU') returns 'int', not 'void'}}
// expected-note@#UnsizedReturns {{'dealloc_unsized' declared here}}

// Overloads resolve as a call would: the const overload is chosen and it
// may throw.
struct Overloads {
  void *alloc(allocsel::Layout) noexcept;
  void *alloc(allocsel::Layout) const; // #ConstThrowing
  void dealloc(void *, allocsel::Layout) const noexcept;
};
[[global_allocator]] constinit Overloads O{}; // expected-error {{member 'alloc' of 'Overloads' (global allocator 'O') must be 'noexcept'}}
// expected-note@#ConstThrowing {{'alloc' declared here}}

// Not class types: references and arrays.
struct Good {
  void *alloc(allocsel::Layout) const noexcept;
  void dealloc(void *, allocsel::Layout) const noexcept;
};
constinit Good G{};
[[global_allocator]] constinit Good &Ref = G;  // expected-error {{type 'Good &' of global allocator 'Ref' is not a class type}}
[[global_allocator]] constinit Good Array[2]{}; // expected-error {{type 'Good[2]' of global allocator 'Array' is not a class type}}

// Every selection after the first is also a duplicate.
// expected-error@* 0+ {{[allocsel-duplicate]}}
// expected-note@* 0+ {{previous global allocator selected here}}
