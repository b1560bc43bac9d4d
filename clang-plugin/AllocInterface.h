//===- AllocInterface.h - the Alloc interface, as Sema sees it --*- C++ -*-===//
//
// The members a global allocator's type provides (docs/guide.md section 1) and how a
// call to each one resolves. Resolution builds the call the routing shims
// make, `obj.member(args...)` on a const lvalue of the allocator's type, with
// Sema's own overload resolution, so "accepted" means "the shim compiles".
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_ALLOCINTERFACE_H
#define ALLOCSEL_PLUGIN_ALLOCINTERFACE_H

#include "clang/AST/Type.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace clang {
class CXXRecordDecl;
class DeclContext;
class FunctionDecl;
class NamedDecl;
class Sema;
} // namespace clang

namespace allocsel {

enum class ParamKind { Layout, VoidPtr, Size };

struct MemberSpec {
  llvm::StringRef Name;
  bool Required;
  bool ReturnsPointer; // void* if true, void otherwise
  llvm::ArrayRef<ParamKind> Params;
  llvm::StringRef Signature; // as users read it in diagnostics
};

/// alloc, dealloc, alloc_zeroed, realloc, dealloc_unsized, in that order.
llvm::ArrayRef<MemberSpec> allocMembers();

/// The outcome of resolving one member of the interface on a type.
struct MemberResolution {
  enum Status {
    Ok,           // Callee is the function a call resolves to
    Missing,      // no member of that name
    NotFunction,  // the name finds something that is not a function
    NotAccessible, // no member of that name is public
    NotCallable,  // no viable overload, even on a non-const object
    NotConst,     // viable only on a non-const object
    NotNoexcept,  // resolves, but may throw
    Consteval,    // resolves, but cannot be called at run time
    WrongReturn,  // resolves, but returns another type
  };
  Status S = Missing;
  clang::FunctionDecl *Callee = nullptr;
  /// What the name found (candidates, or the non-function member).
  llvm::SmallVector<clang::NamedDecl *, 2> Found;
};

/// Qualified lookup of \p Name in \p DC (the global namespace if null),
/// diagnostics suppressed: the single declaration found, or null. With
/// \p AllowHidden, also declarations no import made visible (code
/// generation from a BMI, where the unit's own are not).
clang::NamedDecl *lookupQualified(clang::Sema &S, clang::DeclContext *DC,
                                  llvm::StringRef Name, unsigned LookupKind,
                                  bool AllowHidden = false);

/// Looks up 'allocsel::Layout' in the unit; null if the header is missing.
clang::QualType lookupLayoutType(clang::Sema &S);

/// Resolves \p Spec on \p Record as a call on a const object would.
MemberResolution resolveMember(clang::Sema &S, clang::CXXRecordDecl *Record,
                               clang::QualType LayoutTy, const MemberSpec &Spec,
                               clang::SourceLocation Loc);

} // namespace allocsel

#endif
