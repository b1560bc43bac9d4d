//===- StdModel.h - what bodyless library functions do ----------*- C++ -*-===//
//
// Some functions have no body in the unit: libstdc++ declares its string
// and stream classes `extern template`, so their non-inline members are
// compiled into libstdc++.so and never instantiated in the user's unit; the
// C library is compiled elsewhere. The needs_allocator analysis cannot see
// what they call, so this model says what they do.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_STDMODEL_H
#define ALLOCSEL_PLUGIN_STDMODEL_H

namespace clang {
class FunctionDecl;
} // namespace clang

namespace allocsel {

enum class LibraryKind {
  NotLibrary,       // the user's code: its body may be in another unit
  Allocates,        // a standard library function that allocates
  ThrowHelper,      // std::__throw_*: allocates only to report an error
  DoesNotAllocate,  // a library function known not to use the global allocator
  Unknown,          // a standard library function the model does not know
};

/// Classifies \p FD, a function without a body in the unit.
LibraryKind classifyLibraryFunction(const clang::FunctionDecl *FD);

} // namespace allocsel

#endif
