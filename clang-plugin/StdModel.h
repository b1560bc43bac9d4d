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

#include "clang/Basic/SourceLocation.h"

namespace clang {
class ASTContext;
class CallExpr;
class CXXConstructExpr;
class CXXRecordDecl;
class Expr;
class FunctionDecl;
class QualType;
class ValueDecl;
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

/// Whether \p FD is one of the standard library's std::__throw_* helpers,
/// which allocate only to report an error: libstdc++ compiles them out of
/// line, libc++ defines them inline, and both count the same (the policy
/// does not read their bodies).
bool isThrowHelper(const clang::FunctionDecl *FD);

/// Whether \p T is spelled std::new_handler, through any typedefs of it.
bool isNewHandlerType(clang::QualType T);

/// std::set_new_handler(F): the function F it is given, or null.
const clang::FunctionDecl *newHandlerGiven(const clang::CallExpr *CE);

//===----------------------------------------------------------------------===//
// std::pmr: which memory resource a call allocates from
//===----------------------------------------------------------------------===//

/// What a std::pmr::memory_resource that the code names allocates from.
/// A resource is a virtual class: what its allocate() does depends on the
/// object, so the model reads the expression that names it at each call
/// (identifyResource()); docs/design.md, "The standard library model".
struct Resource {
  enum Kind {
    Null,      // std::pmr::null_memory_resource(): never allocates
    NewDelete, // std::pmr::new_delete_resource(): operator new
    Default,   // std::pmr::get_default_resource() (and set_default_resource()'s
               // result): new_delete_resource() unless the program installs
               // another
    Unknown,   // a resource whose type the model cannot see
    User,      // an object of a class of the user's: its do_allocate runs
    Polymorphic, // the resource a std::pmr::polymorphic_allocator holds:
                 // whatever the unit gives them (Graph::polymorphicResources())
  };
  Kind K = Unknown;
  /// User: the class whose do_allocate/do_deallocate run; Exact when it is
  /// the object's dynamic type (a variable, a member object), else the
  /// static type (overrides may run too).
  const clang::CXXRecordDecl *Class = nullptr;
  bool Exact = false;
  /// A standard resource (monotonic_buffer_resource, a pool) in front of
  /// this one, its upstream: the outermost such class, for the report.
  const clang::CXXRecordDecl *Through = nullptr;
  /// Where the code names the resource (for the report).
  clang::SourceLocation Loc;
};

/// What a call of \p FD, a member of a standard memory resource class,
/// asks of a resource.
enum class ResourceUse {
  None,       // nothing of the resource's allocation (is_equal, options, ...)
  Allocate,   // memory_resource::allocate
  Deallocate, // memory_resource::deallocate
  Upstream,   // a standard resource's member that allocates from and frees to
              // its upstream (its do_allocate, release, destructor, a pool's
              // constructor): both
};

/// Whether \p RD is std::pmr::memory_resource or a class derived from it.
bool isMemoryResource(const clang::CXXRecordDecl *RD);
/// Whether \p RD is one of the standard library's memory resource classes
/// (memory_resource itself, monotonic_buffer_resource, the pools).
bool isStdMemoryResource(const clang::CXXRecordDecl *RD);
/// Whether \p RD is std::pmr::polymorphic_allocator<T>.
bool isPolymorphicAllocator(const clang::CXXRecordDecl *RD);

/// What a call of \p FD asks of the resource it is called on: None unless
/// \p FD is a member of a standard memory resource class that reaches
/// the resource's allocation.
ResourceUse resourceUse(const clang::FunctionDecl *FD);

/// The resource \p E names (a `memory_resource *`, a reference to one, or
/// a resource object).
Resource identifyResource(const clang::ASTContext &Ctx, const clang::Expr *E);
/// The upstream resource a standard resource constructed by \p E gets.
Resource upstreamResource(const clang::ASTContext &Ctx, const clang::CXXConstructExpr *E);
/// The upstream of the standard resource object \p D (a variable or a
/// member object of a standard resource class type), from its
/// initializer; Unknown if it cannot be seen.
Resource upstreamOfObject(const clang::ASTContext &Ctx, const clang::ValueDecl *D);
/// For a construction of std::pmr::polymorphic_allocator: whether it is
/// given a resource (a `memory_resource *`, or the default one by the
/// default constructor), and which, in \p Out; false for the copies, which
/// hold a resource given elsewhere.
bool polymorphicAllocatorGiven(const clang::ASTContext &Ctx, const clang::CXXConstructExpr *E,
                               Resource &Out);

} // namespace allocsel

#endif
