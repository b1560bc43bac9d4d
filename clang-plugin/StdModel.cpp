//===- StdModel.cpp - what bodyless library functions do ------------------===//
//
// The model says what a bodyless function is; what that counts as, in the
// default and the strict mode, is the policy's (NeedsAllocatorPolicy.cpp,
// the table of docs/design.md). In order:
//
// 1. Functions with C language linkage declared in a system header or under
//    a name reserved to the implementation (the C library, POSIX): the C
//    library's, which does not use the C++ global allocator.
// 2. std::__throw_* helpers build an exception object with a message: they
//    allocate, but only on the way to throwing.
// 3. std::terminate, abort, quick_exit end the program; the standard
//    exceptions' destructors, what() and code() only read.
// 4. Members of a class template specialization that takes std::allocator
//    (directly or nested: basic_string<char, char_traits<char>,
//    allocator<char>>, basic_stringbuf<...>) allocate, except a short list
//    of members that only read (find, compare, copy, ...). These are the
//    `extern template` members of std::string and the string streams.
// 5. Named standard classes and functions that allocate: locale and stream
//    construction, std::thread start-up, the standard exception classes'
//    constructors (they copy their message into a reference-counted string),
//    std::filesystem::path.
// 6. Named out-of-line functions that do not: the new and terminate
//    handlers' accessors, the red-black tree's, list's and hash table's
//    bookkeeping.
// 7. Any other standard library function without a body: unknown.
// Anything else is the user's code, whose body may be in another unit: the
// link check follows it there.
//
//===----------------------------------------------------------------------===//

#include "StdModel.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/STLExtras.h"

#include <initializer_list>

using namespace clang;

namespace allocsel {
namespace {

/// Whether \p Name is one of \p Names (StringSwitch::Cases changes shape
/// across Clang versions).
bool isOneOf(llvm::StringRef Name, std::initializer_list<llvm::StringRef> Names) {
  return llvm::is_contained(Names, Name);
}

bool isStdNamespace(const DeclContext *DC) {
  for (; DC; DC = DC->getParent())
    if (const auto *NS = dyn_cast<NamespaceDecl>(DC))
      if (NS->getParent()->getRedeclContext()->isTranslationUnit()) {
        llvm::StringRef Name = NS->getName();
        return Name == "std" || Name == "__gnu_cxx" || Name == "__cxxabiv1";
      }
  return false;
}

bool isStdAllocator(QualType T) {
  const auto *RD = T->getAsCXXRecordDecl();
  return RD && RD->getName() == "allocator" && isStdNamespace(RD->getDeclContext());
}

/// True if \p Args, or the template arguments of a type among them, name
/// std::allocator.
bool mentionsStdAllocator(llvm::ArrayRef<TemplateArgument> Args, unsigned Depth = 0) {
  if (Depth > 4)
    return false;
  for (const TemplateArgument &A : Args) {
    if (A.getKind() == TemplateArgument::Pack &&
        mentionsStdAllocator(A.pack_elements(), Depth + 1))
      return true;
    if (A.getKind() != TemplateArgument::Type)
      continue;
    if (isStdAllocator(A.getAsType()))
      return true;
    if (const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
            A.getAsType()->getAsCXXRecordDecl()))
      if (mentionsStdAllocator(Spec->getTemplateArgs().asArray(), Depth + 1))
        return true;
  }
  return false;
}

/// std::exception and the classes derived from it.
bool isExceptionClass(const CXXRecordDecl *RD) {
  if (!RD || !RD->hasDefinition())
    return RD && RD->getName() == "exception";
  if (RD->getName() == "exception" || RD->getName() == "bad_alloc")
    return true;
  for (const CXXBaseSpecifier &B : RD->bases())
    if (isExceptionClass(B.getType()->getAsCXXRecordDecl()))
      return true;
  return false;
}

/// Members of allocator-aware classes that never allocate.
bool isReadOnlyMember(llvm::StringRef Name) {
  return isOneOf(Name, {"find", "rfind", "find_first_of", "find_last_of", "find_first_not_of",
                        "find_last_not_of", "compare", "copy", "swap", "_M_erase", "_M_check",
                        "_M_limit"});
}

/// Standard classes whose bodyless members allocate (their constructors
/// and the named members).
bool isAllocatingStdMember(const CXXRecordDecl *RD, llvm::StringRef Member, bool IsCtor) {
  llvm::StringRef Class = RD->getName();
  if (Class == "locale" || Class == "basic_filebuf" || Class == "thread" || Class == "path")
    return true; // construction, combine, open, _M_start_thread, path ops
  if (IsCtor && isOneOf(Class, {"basic_ios", "basic_ostream", "basic_istream", "basic_iostream",
                                "basic_ifstream", "basic_ofstream", "basic_fstream",
                                "runtime_error", "logic_error", "domain_error", "invalid_argument",
                                "length_error", "out_of_range", "range_error", "overflow_error",
                                "underflow_error", "system_error", "future_error", "failure"}))
    return true;
  return Class == "ios_base" && (Member == "Init" || Member == "_M_grow_words");
}

} // namespace

LibraryKind classifyLibraryFunction(const FunctionDecl *FD) {
  llvm::StringRef Name =
      FD->getDeclName().isIdentifier() ? FD->getName() : llvm::StringRef();
  const DeclContext *DC = FD->getDeclContext();
  if (!isStdNamespace(DC)) {
    // The C library and other system libraries with C linkage, wherever
    // they are declared: in a system header, or under a name reserved to
    // the implementation (glibc's __cxa_thread_atexit_impl declared by the
    // user's own header).
    const SourceManager &SM = FD->getASTContext().getSourceManager();
    bool Reserved = Name.starts_with("__") ||
                    (Name.size() > 1 && Name[0] == '_' && llvm::isUpper(Name[1]));
    if (FD->isExternC() && (Reserved || SM.isInSystemHeader(FD->getLocation())))
      return LibraryKind::CLibrary;
    return LibraryKind::NotLibrary;
  }

  if (Name.starts_with("__throw_"))
    return LibraryKind::ThrowHelper;
  // Ending the program, and the standard exceptions' own members (only
  // their constructors copy a message).
  if (Name == "terminate" || Name == "abort" || Name == "quick_exit")
    return LibraryKind::EndsProgram;
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD))
    if (isExceptionClass(MD->getParent()) &&
        (isa<CXXDestructorDecl>(MD) || Name == "what" || Name == "code"))
      return LibraryKind::ExceptionMember;

  for (const DeclContext *C = DC; C && C->isRecord(); C = C->getParent()) {
    const auto *RD = cast<CXXRecordDecl>(C);
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD))
      if (mentionsStdAllocator(Spec->getTemplateArgs().asArray()))
        return isReadOnlyMember(Name) ? LibraryKind::DoesNotAllocate
                                      : LibraryKind::Allocates;
    if (isAllocatingStdMember(RD, Name, isa<CXXConstructorDecl>(FD)))
      return LibraryKind::Allocates;
  }
  // Free functions of the standard library known to allocate.
  if (isOneOf(Name, {"to_string", "to_wstring", "getline", "make_exception_ptr"}))
    return LibraryKind::Allocates;
  // What libstdc++ compiles out of line and never allocates: the handlers'
  // accessors, and the node containers' and hash tables' bookkeeping (their
  // nodes are allocated by the inline code that calls them, which the
  // analysis reads).
  if (isOneOf(Name, {"set_new_handler", "get_new_handler", "set_terminate", "get_terminate",
                     "_Rb_tree_increment", "_Rb_tree_decrement", "_Rb_tree_insert_and_rebalance",
                     "_Rb_tree_rebalance_for_erase", "_Hash_bytes", "_Fnv_hash_bytes"}))
    return LibraryKind::DoesNotAllocate;
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD))
    if (isOneOf(MD->getParent()->getName(), {"_List_node_base", "_Prime_rehash_policy"}))
      return LibraryKind::DoesNotAllocate;
  return LibraryKind::Unknown;
}

bool isNewHandlerType(QualType T) {
  while (const auto *TT = T->getAs<TypedefType>()) {
    const TypedefNameDecl *D = TT->getDecl();
    if (D->getName() == "new_handler" && isStdNamespace(D->getDeclContext()))
      return true;
    T = D->getUnderlyingType();
  }
  return false;
}

const FunctionDecl *newHandlerGiven(const CallExpr *CE) {
  const FunctionDecl *Callee = CE->getDirectCallee();
  if (!Callee || CE->getNumArgs() != 1 || !Callee->getDeclName().isIdentifier() ||
      Callee->getName() != "set_new_handler" || !isStdNamespace(Callee->getDeclContext()))
    return nullptr;
  const Expr *Arg = CE->getArg(0)->IgnoreParenImpCasts();
  if (const auto *U = dyn_cast<UnaryOperator>(Arg); U && U->getOpcode() == UO_AddrOf)
    Arg = U->getSubExpr()->IgnoreParenImpCasts();
  const auto *DRE = dyn_cast<DeclRefExpr>(Arg);
  return DRE ? dyn_cast<FunctionDecl>(DRE->getDecl()) : nullptr;
}

} // namespace allocsel
