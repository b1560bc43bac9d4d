//===- ClangCompat.h - the Clang API differences allocsel.so builds over --===//
//
// allocsel.so is built once per supported Clang major version (19 and 22)
// from the same sources. Every place where those versions' C++ APIs differ
// is here, so that the rest of the plugin reads as one program:
//   - ASTContext::getRecordType is gone in 22 (getCanonicalTagType);
//   - RecursiveASTVisitor's Traverse*TypeLoc take a second parameter
//     (TraverseQualifier) in 22;
//   - AsmLabelAttr has no LiteralLabel flag in 22 (labels are literal).
// llvm::make_scope_exit and StringSwitch::Cases, deprecated in 22, are not
// used: ScopeExit below and isOneOf in StdModel.cpp serve both versions.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_CLANGCOMPAT_H
#define ALLOCSEL_CLANGCOMPAT_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "llvm/Config/llvm-config.h"

#include <utility>

#if LLVM_VERSION_MAJOR != 19 && LLVM_VERSION_MAJOR != 22
#error "allocsel.so is ported to Clang 19 and 22: check ClangCompat.h for this version"
#endif

namespace allocsel {

/// An implicit `asm("Label")` naming a declaration's symbol exactly (no
/// user-label prefix): 19 says so with LiteralLabel; 22's labels always are.
inline clang::AsmLabelAttr *literalAsmLabel(clang::ASTContext &Ctx, llvm::StringRef Label) {
#if LLVM_VERSION_MAJOR >= 22
  return clang::AsmLabelAttr::CreateImplicit(Ctx, Label);
#else
  return clang::AsmLabelAttr::CreateImplicit(Ctx, Label, /*LiteralLabel=*/true);
#endif
}

/// The type of the class \p RD declares (its canonical record type).
inline clang::QualType recordType(const clang::ASTContext &Ctx,
                                  const clang::CXXRecordDecl *RD) {
#if LLVM_VERSION_MAJOR >= 22
  return Ctx.getCanonicalTagType(RD);
#else
  return Ctx.getRecordType(RD);
#endif
}

/// The extra parameter of RecursiveASTVisitor's Traverse*TypeLoc overrides:
///   bool TraverseDecltypeTypeLoc(DecltypeTypeLoc TL ALLOCSEL_TYPELOC_EXTRA)
#if LLVM_VERSION_MAJOR >= 22
#define ALLOCSEL_TYPELOC_EXTRA , bool /*TraverseQualifier*/ = true
#else
#define ALLOCSEL_TYPELOC_EXTRA
#endif

/// Runs a function when the scope ends (llvm::make_scope_exit, whose
/// spelling changes across versions).
template <typename F> class ScopeExit {
public:
  explicit ScopeExit(F Fn) : Fn(std::move(Fn)) {}
  ScopeExit(const ScopeExit &) = delete;
  ScopeExit &operator=(const ScopeExit &) = delete;
  ~ScopeExit() { Fn(); }

private:
  F Fn;
};

} // namespace allocsel

#endif
