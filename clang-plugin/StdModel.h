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
class CallExpr;
class FunctionDecl;
class QualType;
} // namespace clang

namespace allocsel {

/// What the model knows of a bodyless function. What each kind counts as,
/// in the default and the strict mode, is the policy's
/// (NeedsAllocatorPolicy.cpp).
enum class LibraryKind {
  NotLibrary,      // the user's code: its body may be in another unit
  CLibrary,        // C linkage: the C library, POSIX, the C++ runtime's C side
  Allocates,       // a standard library function that allocates
  DoesNotAllocate, // a standard library function that only reads
  EndsProgram,     // std::terminate, abort, quick_exit
  ExceptionMember, // a standard exception's destructor, what() or code()
  ThrowHelper,     // std::__throw_*: allocates only to report an error
  Unknown,         // a standard library function the model does not know
};

/// Classifies \p FD, a function without a body in the unit that is neither
/// a builtin nor a trivial special member (the policy sees to those first).
LibraryKind classifyLibraryFunction(const clang::FunctionDecl *FD);

/// Whether \p T is spelled std::new_handler, through any typedefs of it.
bool isNewHandlerType(clang::QualType T);

/// std::set_new_handler(F): the function F it is given, or null.
const clang::FunctionDecl *newHandlerGiven(const clang::CallExpr *CE);

} // namespace allocsel

#endif
