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
//    allocate, but only on the way to throwing (libc++ defines them inline:
//    isThrowHelper() lets the policy treat both libraries alike).
// 3. std::terminate, abort, quick_exit (and libc++'s __libcpp_verbose_abort)
//    end the program; the standard exceptions' destructors, what() and
//    code() only read.
// 4. Members of a class template specialization that takes std::allocator
//    (directly or nested: basic_string<char, char_traits<char>,
//    allocator<char>>, basic_stringbuf<...>) allocate, except a short list
//    of members that only read (find, compare, copy, ...). These are the
//    `extern template` members of std::string and the string streams.
// 5. Named standard classes and functions that allocate: std::locale (but
//    classic(), its default and copy constructors, which only take a
//    reference), stream construction, std::thread start-up (not join,
//    detach, hardware_concurrency...), the standard exception classes'
//    constructors that take a message or an error (they copy it into a
//    reference-counted string), std::filesystem::path,
//    notify_all_at_thread_exit, libc++'s std::barrier state.
// 6. Named out-of-line functions that do not: the new and terminate
//    handlers' accessors, the red-black tree's, list's and hash table's
//    bookkeeping; the mutexes, condition variables, call_once, clocks,
//    atomic waits, the current thread's sleeps (the C library's and the
//    kernel's, no C++ allocation); std::pmr's resource accessors (the
//    allocation is the resource's: below).
// 7. Any other standard library function without a body: unknown.
//
// std::pmr, separately: a memory resource is a virtual class, and what its
// allocate() does depends on the object. identifyResource() reads the
// expression that names the resource at each call: null_memory_resource()
// never allocates; new_delete_resource(), get_default_resource() (the
// default is new_delete_resource() unless the program installs another)
// and a resource the model cannot see count as allocating; an object of a
// class of the user's runs its own do_allocate (the analysis reads it); a
// standard resource (monotonic_buffer_resource, the pools) allocates from
// its upstream, which its construction names.
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
#include "clang/AST/ExprCXX.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
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

/// Whether \p D is declared in a namespace named `pmr` of the standard
/// library (std::pmr, libc++'s std::__1::pmr, std::experimental::pmr).
bool isPmr(const Decl *D) {
  for (const DeclContext *DC = D->getDeclContext(); DC; DC = DC->getParent())
    if (const auto *NS = dyn_cast<NamespaceDecl>(DC); NS && NS->getName() == "pmr")
      return isStdNamespace(NS);
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

/// A constructor of a standard exception class that is given something to
/// keep (a message, an error code, paths): it copies a message into a
/// string. The default, copy and move constructors keep nothing new (a copy
/// shares the reference-counted message).
bool isMessageConstructor(const CXXConstructorDecl *Ctor) {
  return Ctor && isExceptionClass(Ctor->getParent()) && !Ctor->isDefaultConstructor() &&
         !Ctor->isCopyOrMoveConstructor();
}

/// Members of allocator-aware classes that never allocate.
bool isReadOnlyMember(llvm::StringRef Name) {
  return isOneOf(Name, {"find", "rfind", "find_first_of", "find_last_of", "find_first_not_of",
                        "find_last_not_of", "compare", "copy", "swap", "_M_erase", "_M_check",
                        "_M_limit"});
}

/// Standard classes whose bodyless members allocate (their constructors
/// and the named members).
bool isAllocatingStdMember(const CXXRecordDecl *RD, const FunctionDecl *FD, llvm::StringRef Member,
                           bool IsCtor) {
  llvm::StringRef Class = RD->getName();
  // A locale's implementation is reference counted: its default and copy
  // constructors take a reference, classic() returns one (the classic
  // locale lives in static storage), and its id and facet helpers number
  // and find facets. What makes or drops one allocates: the constructors
  // from a name or a facet, combine(), the destructor and assignment (they
  // may free the last reference), name(), global().
  if (Class == "locale") {
    const auto *Ctor = dyn_cast<CXXConstructorDecl>(FD);
    if (Member == "classic" || (Ctor && (Ctor->isDefaultConstructor() || Ctor->isCopyConstructor())))
      return false;
    return FD->getDeclContext() == RD;
  }
  if (Class == "_Impl" || Class == "__imp")
    if (const auto *Outer = dyn_cast<CXXRecordDecl>(RD->getDeclContext()))
      return Outer->getName() == "locale";
  // std::thread starts a thread from a state the inline constructor
  // allocated (operator new, which the analysis sees); joining, detaching
  // and asking for the hardware's concurrency allocate nothing.
  if (Class == "thread")
    return IsCtor || Member == "_M_start_thread";
  if (Class == "basic_filebuf" || Class == "path")
    return true; // open, the buffer; path ops
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

  if (isThrowHelper(FD))
    return LibraryKind::ThrowHelper;
  // Ending the program, and the standard exceptions' own members (only
  // their constructors copy a message).
  if (isOneOf(Name, {"terminate", "abort", "quick_exit", "__libcpp_verbose_abort",
                     "__glibcxx_assert_fail"}))
    return LibraryKind::EndsProgram;
  if (isMessageConstructor(dyn_cast<CXXConstructorDecl>(FD)))
    return LibraryKind::Allocates;
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
    if (isAllocatingStdMember(RD, FD, Name, isa<CXXConstructorDecl>(FD)))
      return LibraryKind::Allocates;
  }
  // Free functions of the standard library known to allocate: strings,
  // libstdc++'s list of notifications to run at a thread's exit (a node per
  // call), libc++'s std::barrier state (made and freed out of line).
  if (isOneOf(Name, {"to_string", "to_wstring", "getline", "make_exception_ptr",
                     "notify_all_at_thread_exit", "__construct_barrier_algorithm_base",
                     "__destroy_barrier_algorithm_base"}))
    return LibraryKind::Allocates;
  // What libstdc++ compiles out of line and never allocates: the handlers'
  // accessors, and the node containers' and hash tables' bookkeeping (their
  // nodes are allocated by the inline code that calls them, which the
  // analysis reads).
  if (isOneOf(Name, {"set_new_handler", "get_new_handler", "set_terminate", "get_terminate",
                     "_Rb_tree_increment", "_Rb_tree_decrement", "_Rb_tree_insert_and_rebalance",
                     "_Rb_tree_rebalance_for_erase", "_Hash_bytes", "_Fnv_hash_bytes"}))
    return LibraryKind::DoesNotAllocate;
  // Synchronization and time, out of line in both libraries: locks, waits
  // and notifications (pthreads, futexes, a static table of waiters),
  // call_once, the clocks, the current thread's sleep and identity, the
  // exception state, and libc++'s sort of the arithmetic types (explicitly
  // instantiated in the library). No C++ allocation in any.
  if (isOneOf(Name, {"__call_once", "__sleep_for", "sleep_for", "yield", "get_id",
                     "__cxx_atomic_notify_one", "__cxx_atomic_notify_all",
                     "__libcpp_atomic_monitor", "__libcpp_atomic_wait", "current_exception",
                     "uncaught_exception", "uncaught_exceptions", "rethrow_exception", "__sort",
                     "generic_category", "system_category"}))
    return LibraryKind::DoesNotAllocate;
  // std::pmr's accessors only hand out a pointer (or swap the default's);
  // what a resource allocates is decided where it is used
  // (identifyResource()). memory_resource's destructor frees nothing.
  if (isPmr(FD) && isOneOf(Name, {"new_delete_resource", "null_memory_resource",
                                  "get_default_resource", "set_default_resource"}))
    return LibraryKind::DoesNotAllocate;
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD)) {
    llvm::StringRef Class = MD->getParent()->getName();
    if (isOneOf(Class, {"_List_node_base", "_Prime_rehash_policy", "mutex", "recursive_mutex",
                        "timed_mutex", "recursive_timed_mutex", "shared_mutex",
                        "shared_timed_mutex", "__shared_mutex_base", "condition_variable"}))
      return LibraryKind::DoesNotAllocate;
    if (Name == "now" && isOneOf(Class, {"system_clock", "steady_clock"}))
      return LibraryKind::DoesNotAllocate;
    if (Class == "thread" && isOneOf(Name, {"join", "detach", "hardware_concurrency", "get_id",
                                            "native_handle", "joinable", "swap"}))
      return LibraryKind::DoesNotAllocate;
    if (Class == "locale" && (Name == "classic" || isa<CXXConstructorDecl>(MD)))
      return LibraryKind::DoesNotAllocate; // (the allocating ones are above)
    if (Class == "memory_resource" && isPmr(MD->getParent()) && isa<CXXDestructorDecl>(MD))
      return LibraryKind::DoesNotAllocate;
  }
  return LibraryKind::Unknown;
}

bool isThrowHelper(const FunctionDecl *FD) {
  // (libc++'s containers have members of their own: vector::__throw_length_error.)
  return FD->getDeclName().isIdentifier() && FD->getName().starts_with("__throw_") &&
         isStdNamespace(FD->getDeclContext());
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

//===----------------------------------------------------------------------===//
// std::pmr
//===----------------------------------------------------------------------===//

namespace {

/// How far identifyResource() follows a resource through variables,
/// upstreams and delegating constructors (a cycle of const pointers
/// initialized from each other is possible).
constexpr unsigned MaxResourceDepth = 8;

bool isMemoryResourceBase(const CXXRecordDecl *RD) {
  return RD->getName() == "memory_resource" && isPmr(RD);
}

bool derivesFromMemoryResource(const CXXRecordDecl *RD, unsigned Depth) {
  if (!RD || Depth > 16)
    return false;
  if (isMemoryResourceBase(RD))
    return true;
  if (!RD->hasDefinition())
    return false;
  for (const CXXBaseSpecifier &B : RD->getDefinition()->bases())
    if (derivesFromMemoryResource(B.getType()->getAsCXXRecordDecl(), Depth + 1))
      return true;
  return false;
}

/// The class a pointer, a reference or an object of type \p T is of.
const CXXRecordDecl *classOf(QualType T) {
  if (T.isNull())
    return nullptr;
  if (const auto *P = T->getAs<PointerType>())
    T = P->getPointeeType();
  else if (const auto *R = T->getAs<ReferenceType>())
    T = R->getPointeeType();
  return T->getAsCXXRecordDecl();
}

/// Whether \p T is a pointer to a memory resource (the upstream parameter
/// of the standard resources' constructors, polymorphic_allocator's).
bool isResourcePointer(QualType T) {
  if (T.isNull() || !T->isPointerType())
    return false;
  return isMemoryResource(classOf(T));
}

/// \p E without what does not change which object it names: parentheses,
/// conversions to a base, reading a pointer variable, temporaries, default
/// arguments.
const Expr *strip(const Expr *E) {
  while (E) {
    E = E->IgnoreParens();
    if (const auto *C = dyn_cast<CastExpr>(E)) {
      switch (C->getCastKind()) {
      case CK_NoOp:
      case CK_DerivedToBase:
      case CK_UncheckedDerivedToBase:
      case CK_LValueToRValue:
        E = C->getSubExpr();
        continue;
      default:
        return E;
      }
    }
    if (const auto *M = dyn_cast<MaterializeTemporaryExpr>(E))
      E = M->getSubExpr();
    else if (const auto *F = dyn_cast<FullExpr>(E)) // ExprWithCleanups, ConstantExpr
      E = F->getSubExpr();
    else if (const auto *B = dyn_cast<CXXBindTemporaryExpr>(E))
      E = B->getSubExpr();
    else if (const auto *D = dyn_cast<CXXDefaultArgExpr>(E))
      E = D->getExpr();
    else if (const auto *D = dyn_cast<CXXDefaultInitExpr>(E))
      E = D->getExpr();
    else
      return E;
  }
  return E;
}

bool inSystemHeader(const ASTContext &Ctx, SourceLocation Loc) {
  const SourceManager &SM = Ctx.getSourceManager();
  return Loc.isInvalid() || SM.isInSystemHeader(SM.getExpansionLoc(Loc));
}

/// Points \p R at \p Loc unless it already points into the user's code:
/// the report shows where the user's code names the resource, not where a
/// header's delegating constructor does.
Resource &at(const ASTContext &Ctx, Resource &R, SourceLocation Loc) {
  if (inSystemHeader(Ctx, R.Loc) && !inSystemHeader(Ctx, Loc))
    R.Loc = Loc;
  else if (R.Loc.isInvalid())
    R.Loc = Loc;
  return R;
}

Resource make(Resource::Kind K, SourceLocation Loc) {
  Resource R;
  R.K = K;
  R.Loc = Loc;
  return R;
}

Resource identify(const ASTContext &Ctx, const Expr *E, unsigned Depth);
Resource upstreamOf(const ASTContext &Ctx, const CXXConstructExpr *E, unsigned Depth);

/// A resource the model knows only by its type \p RD (the static type of a
/// pointer or a reference, a function's result).
Resource byStaticType(const CXXRecordDecl *RD, SourceLocation Loc) {
  Resource R = make(Resource::Unknown, Loc);
  if (!RD || !isMemoryResource(RD) || isMemoryResourceBase(RD))
    return R;
  if (isStdMemoryResource(RD)) {
    R.Through = RD; // a standard resource whose upstream is not known
    return R;
  }
  R.K = Resource::User;
  R.Class = RD;
  return R;
}

/// The resource object \p D (a variable or a member of class type).
Resource identifyObject(const ASTContext &Ctx, const ValueDecl *D, SourceLocation Loc,
                        unsigned Depth) {
  const CXXRecordDecl *RD = classOf(D->getType());
  if (!RD || !isMemoryResource(RD) || isMemoryResourceBase(RD))
    return make(Resource::Unknown, Loc);
  if (!isStdMemoryResource(RD)) {
    Resource R = make(Resource::User, Loc);
    R.Class = RD;
    R.Exact = true;
    return R;
  }
  // A standard resource: its upstream, as its initializer gives it.
  const Expr *Init = nullptr;
  if (const auto *VD = dyn_cast<VarDecl>(D))
    Init = VD->getAnyInitializer();
  else if (const auto *FD = dyn_cast<FieldDecl>(D))
    Init = FD->getInClassInitializer();
  Resource R = make(Resource::Unknown, Loc);
  if (const auto *CE = dyn_cast_or_null<CXXConstructExpr>(strip(Init)))
    R = upstreamOf(Ctx, CE, Depth + 1);
  R.Through = RD;
  return at(Ctx, R, D->getLocation());
}

Resource identify(const ASTContext &Ctx, const Expr *E, unsigned Depth) {
  E = strip(E);
  if (!E)
    return Resource();
  SourceLocation Loc = E->getExprLoc();
  if (Depth > MaxResourceDepth || E->isTypeDependent() || E->isValueDependent())
    return make(Resource::Unknown, Loc);

  if (const auto *CE = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *FD = CE->getDirectCallee();
    llvm::StringRef Name =
        FD && FD->getDeclName().isIdentifier() ? FD->getName() : llvm::StringRef();
    if (FD && isPmr(FD)) {
      if (Name == "null_memory_resource")
        return make(Resource::Null, Loc);
      if (Name == "new_delete_resource")
        return make(Resource::NewDelete, Loc);
      // set_default_resource() returns the default it replaced.
      if (Name == "get_default_resource" || Name == "set_default_resource")
        return make(Resource::Default, Loc);
    }
    const auto *MD = dyn_cast_or_null<CXXMethodDecl>(FD);
    if (const auto *MCE = dyn_cast<CXXMemberCallExpr>(CE); MCE && MD) {
      const CXXRecordDecl *Of = MD->getParent();
      // A standard resource's upstream_resource(): what it was given.
      if (Name == "upstream_resource" && isStdMemoryResource(Of)) {
        Resource R = identify(Ctx, MCE->getImplicitObjectArgument(), Depth + 1);
        if (!R.Through)
          return make(Resource::Unknown, Loc);
        R.Through = nullptr;
        return at(Ctx, R, Loc);
      }
      // polymorphic_allocator::resource(): what the allocator holds.
      if (Name == "resource" && isPolymorphicAllocator(Of)) {
        const Expr *Object = strip(MCE->getImplicitObjectArgument());
        if (const auto *DRE = dyn_cast_or_null<DeclRefExpr>(Object))
          if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
              VD && !VD->getType()->isReferenceType())
            if (const auto *Init = dyn_cast_or_null<CXXConstructExpr>(strip(VD->getAnyInitializer()))) {
              Resource R;
              if (polymorphicAllocatorGiven(Ctx, Init, R))
                return at(Ctx, R, Loc);
            }
        return make(Resource::Polymorphic, Loc);
      }
    }
    return byStaticType(classOf(E->getType()), Loc);
  }

  // &object: the object's own class.
  if (const auto *U = dyn_cast<UnaryOperator>(E); U && U->getOpcode() == UO_AddrOf) {
    const Expr *Object = strip(U->getSubExpr());
    if (const auto *DRE = dyn_cast<DeclRefExpr>(Object))
      if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
          VD && !VD->getType()->isReferenceType())
        return identifyObject(Ctx, VD, Loc, Depth);
    if (const auto *ME = dyn_cast<MemberExpr>(Object))
      if (const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
          FD && !FD->getType()->isReferenceType())
        return identifyObject(Ctx, FD, Loc, Depth);
    return byStaticType(classOf(Object->getType()), Loc);
  }

  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl())) {
      QualType T = VD->getType();
      if (T->isRecordType())
        return identifyObject(Ctx, VD, Loc, Depth);
      // A reference is bound once; a pointer that cannot change names what
      // its initializer names.
      const Expr *Init = isa<ParmVarDecl>(VD) ? nullptr : VD->getAnyInitializer();
      if (Init && (T->isReferenceType() || T.isConstQualified() || VD->isConstexpr())) {
        Resource R = identify(Ctx, Init, Depth + 1);
        return at(Ctx, R, Loc);
      }
    }
    return byStaticType(classOf(E->getType()), Loc);
  }

  if (const auto *ME = dyn_cast<MemberExpr>(E)) {
    if (const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl())) {
      if (FD->getType()->isRecordType())
        return identifyObject(Ctx, FD, Loc, Depth);
      // The resource a polymorphic_allocator holds (libstdc++'s
      // _M_resource, libc++'s __res_).
      if (isResourcePointer(FD->getType()) && isPolymorphicAllocator(dyn_cast<CXXRecordDecl>(FD->getParent())))
        return make(Resource::Polymorphic, Loc);
    }
    return byStaticType(classOf(E->getType()), Loc);
  }

  return byStaticType(classOf(E->getType()), Loc);
}

Resource upstreamOf(const ASTContext &Ctx, const CXXConstructExpr *E, unsigned Depth) {
  SourceLocation Loc = E->getExprLoc();
  const CXXConstructorDecl *Ctor = E->getConstructor();
  if (!Ctor || Depth > MaxResourceDepth)
    return make(Resource::Unknown, Loc);
  for (unsigned I = 0, N = std::min(Ctor->getNumParams(), E->getNumArgs()); I < N; ++I)
    if (isResourcePointer(Ctor->getParamDecl(I)->getType())) {
      Resource R = identify(Ctx, E->getArg(I), Depth + 1);
      return at(Ctx, R, Loc);
    }
  // A constructor that delegates names the upstream there:
  // `monotonic_buffer_resource() : monotonic_buffer_resource(get_default_resource())`,
  // or passes on one of its own parameters.
  const FunctionDecl *Def = nullptr;
  if (!Ctor->hasBody(Def))
    return make(Resource::Unknown, Loc);
  const auto *DefCtor = dyn_cast<CXXConstructorDecl>(Def);
  if (!DefCtor || !DefCtor->isDelegatingConstructor() || DefCtor->getNumCtorInitializers() == 0)
    return make(Resource::Unknown, Loc);
  const auto *Inner =
      dyn_cast_or_null<CXXConstructExpr>(strip((*DefCtor->init_begin())->getInit()));
  const CXXConstructorDecl *Target = Inner ? Inner->getConstructor() : nullptr;
  if (!Target)
    return make(Resource::Unknown, Loc);
  for (unsigned I = 0, N = std::min(Target->getNumParams(), Inner->getNumArgs()); I < N; ++I) {
    if (!isResourcePointer(Target->getParamDecl(I)->getType()))
      continue;
    const Expr *Arg = strip(Inner->getArg(I));
    if (const auto *DRE = dyn_cast_or_null<DeclRefExpr>(Arg))
      if (const auto *P = dyn_cast<ParmVarDecl>(DRE->getDecl());
          P && P->getDeclContext() == DefCtor) {
        unsigned Index = P->getFunctionScopeIndex();
        if (Index >= E->getNumArgs())
          return make(Resource::Unknown, Loc);
        Resource R = identify(Ctx, E->getArg(Index), Depth + 1);
        return at(Ctx, R, Loc);
      }
    Resource R = identify(Ctx, Inner->getArg(I), Depth + 1);
    return at(Ctx, R, Loc);
  }
  return make(Resource::Unknown, Loc);
}

} // namespace

bool isMemoryResource(const CXXRecordDecl *RD) { return derivesFromMemoryResource(RD, 0); }

bool isStdMemoryResource(const CXXRecordDecl *RD) {
  return RD && isStdNamespace(RD->getDeclContext()) && isMemoryResource(RD);
}

bool isPolymorphicAllocator(const CXXRecordDecl *RD) {
  return RD && RD->getName() == "polymorphic_allocator" && isPmr(RD);
}

ResourceUse resourceUse(const FunctionDecl *FD) {
  const auto *MD = dyn_cast<CXXMethodDecl>(FD);
  if (!MD || MD->isStatic() || !isStdMemoryResource(MD->getParent()))
    return ResourceUse::None;
  llvm::StringRef Name = MD->getDeclName().isIdentifier() ? MD->getName() : llvm::StringRef();
  if (isMemoryResourceBase(MD->getParent())) {
    if (Name == "allocate" || Name == "do_allocate")
      return ResourceUse::Allocate;
    if (Name == "deallocate" || Name == "do_deallocate")
      return ResourceUse::Deallocate;
    return ResourceUse::None;
  }
  // A standard resource: everything but reading its configuration may
  // allocate from its upstream or free to it (a pool makes its first
  // pools when constructed, the destructor releases everything).
  if (isOneOf(Name, {"upstream_resource", "options", "is_equal", "do_is_equal"}) ||
      MD->isCopyAssignmentOperator() || MD->isMoveAssignmentOperator())
    return ResourceUse::None;
  return ResourceUse::Upstream;
}

Resource identifyResource(const ASTContext &Ctx, const Expr *E) {
  return identify(Ctx, E, 0);
}

Resource upstreamResource(const ASTContext &Ctx, const CXXConstructExpr *E) {
  return upstreamOf(Ctx, E, 0);
}

Resource upstreamOfObject(const ASTContext &Ctx, const ValueDecl *D) {
  return identifyObject(Ctx, D, D->getLocation(), 0);
}

bool polymorphicAllocatorGiven(const ASTContext &Ctx, const CXXConstructExpr *E, Resource &Out) {
  const CXXConstructorDecl *Ctor = E->getConstructor();
  if (!Ctor || !isPolymorphicAllocator(Ctor->getParent()) || Ctor->isDependentContext())
    return false;
  if (Ctor->getNumParams() == 0) {
    Out = make(Resource::Default, E->getExprLoc());
    return true;
  }
  for (unsigned I = 0, N = std::min(Ctor->getNumParams(), E->getNumArgs()); I < N; ++I)
    if (isResourcePointer(Ctor->getParamDecl(I)->getType())) {
      Out = identify(Ctx, E->getArg(I), 0);
      return true;
    }
  return false; // a copy: its resource was given where the original was made
}

} // namespace allocsel
