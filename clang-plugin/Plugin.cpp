//===- Plugin.cpp - allocsel.so: registration of attribute and action -----===//
//
// allocsel.so registers two things with clang:
//  - the attribute [[global_allocator]] (also [[allocsel::global_allocator]]
//    and __attribute__((global_allocator))), whose handler only records the
//    marked variable in the unit's state, and rejects the attribute's name
//    in any other namespace (AttrSpellings.h);
//  - the action "allocsel", run before the main action, whose AST consumer
//    checks each marked variable once its declaration is complete.
//
//===----------------------------------------------------------------------===//

#include "AttrSpellings.h"
#include "AttrUtil.h"
#include "CrashGuard.h"
#include "Diagnostics.h"
#include "Options.h"
#include "Facts.h"
#include "NeedsAllocator.h"
#include "RouteEmitter.h"
#include "SelectionChecker.h"
#include "State.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"
#include "clang/Sema/SemaConsumer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace clang;

namespace allocsel {

//===----------------------------------------------------------------------===//
// Per-unit state registry
//===----------------------------------------------------------------------===//

// One compiler process may run several units one after another (the driver's
// in-process cc1), and clangd parses several at once, one per thread (the
// plugin hosted in allocsel-clangd's clangd); each unit's consumer attaches
// its state for its lifetime, and a consumer may end on another thread than
// the one it began on.
namespace {
struct Registry {
  std::mutex Lock;
  llvm::DenseMap<const void *, UnitState *> Map;
};
Registry &registry() {
  static Registry R;
  return R;
}
} // namespace

UnitState *UnitState::get(const void *Owner) {
  Registry &R = registry();
  std::lock_guard<std::mutex> Guard(R.Lock);
  return R.Map.lookup(Owner);
}
void UnitState::attach(const void *Owner, UnitState *S) {
  Registry &R = registry();
  std::lock_guard<std::mutex> Guard(R.Lock);
  R.Map[Owner] = S;
}
void UnitState::detach(const void *Owner) {
  Registry &R = registry();
  std::lock_guard<std::mutex> Guard(R.Lock);
  R.Map.erase(Owner);
}

namespace {

//===----------------------------------------------------------------------===//
// [[global_allocator]]
//===----------------------------------------------------------------------===//

struct GlobalAllocatorAttrInfo : public ParsedAttrInfo {
  GlobalAllocatorAttrInfo() {
    // Arguments are rejected by the handler with allocsel's own diagnostic,
    // so let clang's generic count check accept them.
    OptArgs = 15;
    IsStmt = 1;
    static constexpr Spelling S[] = {
        {ParsedAttr::AS_GNU, "global_allocator"},
        {ParsedAttr::AS_CXX11, "global_allocator"},
        {ParsedAttr::AS_CXX11, "allocsel::global_allocator"},
        // Clang strips the underscores of [[__x__]] only for its own
        // scopes: allocsel's are spelled out.
        {ParsedAttr::AS_CXX11, "allocsel::__global_allocator__"},
        {ParsedAttr::AS_C23, "global_allocator"},
        {ParsedAttr::AS_C23, "allocsel::global_allocator"},
    };
    // These, and the attribute's name in every other namespace, which the
    // handlers reject (allocsel-unknown-spelling).
    adoptSpellings(*this, AllocselAttr::GlobalAllocator, S);
  }

  bool diagAppertainsToDecl(Sema &S, const ParsedAttr &Attr,
                            const Decl *D) const override {
    if (rejectUnknownSpelling(S, Attr, AllocselAttr::GlobalAllocator))
      return false;
    if (isa<VarDecl>(D) && !isa<ParmVarDecl>(D))
      return true;
    NotStaticKind Kind = NS_Other;
    if (isa<FunctionDecl>(D) || isa<FunctionTemplateDecl>(D))
      Kind = NS_Function;
    else if (isa<TypeDecl>(D) || isa<ClassTemplateDecl>(D))
      Kind = NS_Type;
    else if (isa<ParmVarDecl>(D))
      Kind = NS_Parameter;
    else if (isa<FieldDecl>(D))
      Kind = NS_Field;
    report(S.getDiagnostics(), Attr.getLoc(), Diag::NotStatic) << Kind;
    return false;
  }

  bool diagAppertainsToStmt(Sema &S, const ParsedAttr &Attr,
                            const Stmt *) const override {
    if (rejectUnknownSpelling(S, Attr, AllocselAttr::GlobalAllocator))
      return false;
    report(S.getDiagnostics(), Attr.getLoc(), Diag::NotStatic) << NS_Statement;
    return false;
  }

  AttrHandling handleDeclAttribute(Sema &S, Decl *D,
                                   const ParsedAttr &Attr) const override {
    // (Clang asks diagAppertainsToDecl first; this is for a path that
    // would not.)
    if (rejectUnknownSpelling(S, Attr, AllocselAttr::GlobalAllocator))
      return AttributeNotApplied;
    if (hasArguments(S, Attr)) {
      report(S.getDiagnostics(), Attr.getLoc(), Diag::Args);
      return AttributeNotApplied;
    }
    UnitState *State = UnitState::get(&S.getASTContext());
    auto *V = dyn_cast<VarDecl>(D);
    if (!State || !V)
      return AttributeNotApplied;
    bool Known = llvm::any_of(State->Pending,
                              [&](const Marked &M) { return M.Var == V; });
    if (!Known)
      State->Pending.push_back({V, Attr.getLoc()});
    // The routing odr-uses the selection even where no code of the user's
    // refers to it: it must be emitted, and -Wunused must not fire.
    V->setReferenced();
    V->setIsUsed();
    return AttributeApplied;
  }
};

ParsedAttrInfoRegistry::Add<GlobalAllocatorAttrInfo>
    RegisterAttr("global_allocator",
                 "selects the program's global allocator");

//===----------------------------------------------------------------------===//
// The consumer
//===----------------------------------------------------------------------===//

/// The top-level declaration that contains \p V: what the parser hands to
/// HandleTopLevelDecl once \p V, initializer included, is complete.
const Decl *topLevelAncestor(const VarDecl *V) {
  const Decl *Top = V;
  for (const DeclContext *DC = V->getLexicalDeclContext();
       DC && !DC->isTranslationUnit(); DC = DC->getLexicalParent())
    Top = Decl::castFromDeclContext(DC);
  // Templates reach the consumer as the template, not its pattern.
  if (const auto *FD = dyn_cast<FunctionDecl>(Top))
    if (const FunctionTemplateDecl *T = FD->getDescribedFunctionTemplate())
      return T;
  if (const auto *RD = dyn_cast<CXXRecordDecl>(Top))
    if (const ClassTemplateDecl *T = RD->getDescribedClassTemplate())
      return T;
  if (const auto *VD = dyn_cast<VarDecl>(Top))
    if (const VarTemplateDecl *T = VD->getDescribedVarTemplate())
      return T;
  return Top;
}

class AllocSelConsumer : public SemaConsumer {
public:
  AllocSelConsumer(Options Opts, bool PreprocessedInput, bool ModuleFileInput,
                   std::string StdinName, bool KeepMarksInAST)
      : Opts(std::move(Opts)), PreprocessedInput(PreprocessedInput),
        ModuleFileInput(ModuleFileInput), StdinName(std::move(StdinName)) {
    State.KeepMarksInAST = KeepMarksInAST;
  }
  ~AllocSelConsumer() override {
    if (Ctx)
      UnitState::detach(Ctx);
    if (PP)
      UnitState::detach(PP);
  }

  void InitializeSema(Sema &Sm) override {
    S = &Sm;
    Ctx = &Sm.getASTContext();
    PP = &Sm.getPreprocessor();
    UnitState::attach(Ctx, &State);
    UnitState::attach(PP, &State);
  }
  void ForgetSema() override { S = nullptr; }

  /// The needs_allocator analysis reads the bodies of the functions an
  /// allocator calls, headers' included: a parse that would skip them
  /// (clangd's preamble, where allocsel-clangd hosts the plugin) keeps those
  /// of the project's own headers. A system header's are skipped still: with
  /// their bodies every standard template a file uses would be instantiated
  /// in each of clangd's rebuilds (3.6 times clangd's time after an edit of
  /// yaml-cpp's emitter.cpp). What the analysis then does not see is only
  /// missed (a standard function without a body allocates only where the
  /// model says so), and allocsel-clangd's own run of the file finds it.
  bool shouldSkipFunctionBody(Decl *D) override {
    return Ctx && Ctx->getSourceManager().isInSystemHeader(D->getLocation());
  }

  bool HandleTopLevelDecl(DeclGroupRef DG) override {
    // Emitting routes hands them to the whole consumer chain, this one too.
    if (Emitting)
      return true;
    if (!State.Pending.empty())
      checkCompleted(&DG);
    return true;
  }

  void HandleTranslationUnit(ASTContext &) override {
    checkCompleted(nullptr);
    // A definition of an allocsel name after the selection (those before it
    // were reported when routing, which they prevented; a BMI's compile
    // routes nothing, so it reports them all).
    if (S && (Routed || (Opts.NoCode && Selection)))
      reportReservedNames(*S, Selection);
    // The object of a named module unit made from its BMI: the selection
    // was checked and marked when the BMI was made. The BMI hands its
    // declarations to code generation before there is a Sema to build the
    // routes with (a static one only when something reads it in), so it is
    // found and routed here, and the routes' templates are instantiated as
    // they would have been at the end of a unit compiled from source (code
    // generation, after this consumer, still takes the definitions).
    if (ModuleFileInput && S && !S->getDiagnostics().hasErrorOccurred())
      if (VarDecl *V = findModuleSelection(S->getASTContext())) {
        route(V, /*FromModuleFile=*/true);
        S->PerformPendingInstantiations();
      }
    if (!S || S->getDiagnostics().hasErrorOccurred())
      return;
    facts::UnitRecord Rec = unitRecord();
    // The analysis reads every function of the unit: guarded, so that a bug
    // in it is one allocsel-internal error, never a compiler crash.
    AnalysisProgress Progress;
    bool Clean = false;
    if (!runGuarded([&] {
          Clean = checkNeedsAllocator(*S, State, Selection, Opts, Rec, Progress);
        })) {
      const FunctionDecl *FD = Progress.Current;
      report(S->getDiagnostics(), FD ? FD->getLocation() : SourceLocation(),
             Diag::AnalysisCrashed)
          << (FD != nullptr) << FD;
      return;
    }
    // A BMI holds no code: the record goes with the unit's object.
    if (!Clean || Opts.NoCode)
      return;
    // Encoded once: the object's section and the record file hold the same.
    std::string Bytes = facts::encode(Rec);
    writeFacts(Bytes);
    if (!Opts.RecordTo.empty())
      writeRecordFile(Bytes);
  }

private:
  /// Checks the marked variables that \p DG completes (all if null).
  void checkCompleted(const DeclGroupRef *DG) {
    if (!S)
      return;
    SelectionChecker Checker(*S, State);
    // Checking may mark nothing new, but copy out to keep iteration simple.
    llvm::SmallVector<Marked, 2> Ready;
    llvm::erase_if(State.Pending, [&](const Marked &M) {
      if (DG && !llvm::is_contained(*DG, topLevelAncestor(M.Var)))
        return false;
      // A declaration that is not a definition waits for the end of the
      // unit, so that the diagnostic can point at the definition.
      if (DG && M.Var->isThisDeclarationADefinition() == VarDecl::DeclarationOnly)
        return false;
      Ready.push_back(M);
      return true;
    });
    for (const Marked &M : Ready) {
      // Only a selection valid in every respect is routed to; the first
      // one only, as the others are duplicates.
      if (!Checker.check(M) || Selection)
        continue;
      if (!Opts.DefaultRoutes.empty()) {
        // The record would claim the default while routing to the selection.
        report(S->getDiagnostics(), M.Var->getLocation(), Diag::DefaultRoutesWithSelection)
            << M.Var;
        continue;
      }
      if (inNamedModuleUnit(S->getASTContext()))
        markModuleSelection(S->getASTContext(), M.Var);
      if (Opts.NoCode)
        Selection = M.Var;
      else
        route(M.Var);
    }
  }

  void route(VarDecl *V, bool FromModuleFile = false) {
    Emitting = true;
    Routed = emitRoutes(*S, V, FromModuleFile);
    Emitting = false;
    Selection = V;
  }

  /// What this unit selects, for the object's facts section.
  facts::UnitRecord unitRecord() {
    ASTContext &C = S->getASTContext();
    SourceManager &SM = C.getSourceManager();
    facts::UnitRecord Rec;
    Rec.Producer = "allocsel " ALLOCSEL_VERSION;
    if (OptionalFileEntryRef Main = SM.getFileEntryRefForID(SM.getMainFileID()))
      Rec.Unit = Main->getName().str();
    // Standard input with a name for it (-main-file-name, which icecream's
    // daemon passes with the source it compiles from a pipe): that name, as
    // for the debug information.
    if (!StdinName.empty() && (Rec.Unit.empty() || Rec.Unit == "<stdin>" || Rec.Unit == "-"))
      Rec.Unit = StdinName;
    // Preprocessed input (distccd's distccd_XXXX.ii, -save-temps): the unit
    // is the source file its first line marker names (# 1 "a.cpp"), as the
    // locations of its declarations are.
    if (PreprocessedInput) {
      SourceLocation Line2 = SM.translateLineCol(SM.getMainFileID(), 2, 1);
      PresumedLoc P = Line2.isValid() ? SM.getPresumedLoc(Line2) : PresumedLoc();
      if (P.isValid() && P.getFilename()[0] != '\0' && P.getFilename()[0] != '<')
        Rec.Unit = P.getFilename();
    }
    Rec.DefaultRoutes = Opts.DefaultRoutes;
    if (Routed) {
      const VarDecl *V = Selection;
      PresumedLoc P = SM.getPresumedLoc(V->getLocation());
      Rec.Selected = facts::Selection{
          describeVariable(V, C.getPrintingPolicy()),
          V->getType().getUnqualifiedType().getAsString(C.getPrintingPolicy()),
          {P.isValid() ? P.getFilename() : "", P.isValid() ? P.getLine() : 0,
           P.isValid() ? P.getColumn() : 0}};
    }
    return Rec;
  }

  /// Puts the encoded record \p Bytes into the object's facts section, as
  /// module-level asm handed to code generation before it finishes.
  void writeFacts(llvm::StringRef Bytes) {
    Emitting = true;
    emitModuleAsm(*S, facts::toAssembly(Bytes));
    Emitting = false;
  }

  /// The record alone, to the file -fplugin-arg-allocsel-record-to names
  /// (allocsel-clangd's memory file: the link check of unsaved buffers).
  void writeRecordFile(llvm::StringRef Bytes) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Opts.RecordTo, EC, llvm::sys::fs::OF_None);
    if (!EC) {
      OS << Bytes;
      OS.close();
      EC = OS.error();
      OS.clear_error();
    }
    if (EC)
      report(S->getDiagnostics(), SourceLocation(), Diag::RecordNotWritten)
          << Opts.RecordTo << EC.message();
  }

  Options Opts;
  bool PreprocessedInput;
  /// The input is a named module's BMI (clang -c x.pcm).
  bool ModuleFileInput;
  std::string StdinName;
  UnitState State;
  Sema *S = nullptr;
  const ASTContext *Ctx = nullptr;
  const Preprocessor *PP = nullptr;
  /// The unit's selection, once accepted; Routed once its routes are
  /// emitted (never, where the compile makes no code).
  const VarDecl *Selection = nullptr;
  bool Routed = false;
  bool Emitting = false;
};

//===----------------------------------------------------------------------===//
// The action
//===----------------------------------------------------------------------===//

class AllocSelAction : public PluginASTAction {
protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    // Before the unit is lexed: the attributes' names in other namespaces.
    if (CI.hasPreprocessor())
      watchSpellings(CI.getPreprocessor());
    const auto &Inputs = CI.getFrontendOpts().Inputs;
    bool Preprocessed = !Inputs.empty() && Inputs.front().getKind().isPreprocessed();
    // A compile that writes no object (the editor's -fsyntax-only, a PCH)
    // has no record to write: the call-graph summary is not built (it walks
    // every declaration, which from a PCH means reading each one in).
    Options UnitOpts = Opts;
    frontend::ActionKind Action = CI.getFrontendOpts().ProgramAction;
    UnitOpts.NoCode = Action == frontend::GenerateModuleInterface ||
                      Action == frontend::GenerateReducedModuleInterface;
    UnitOpts.NoRecord = UnitOpts.NoCode ||
                        (!Opts.Summary && Opts.RecordTo.empty() &&
                         (Action == frontend::ParseSyntaxOnly || Action == frontend::GeneratePCH));
    bool ModuleFile = !Inputs.empty() && Inputs.front().getKind().getFormat() == InputKind::Precompiled;
    // The name the driver or a tool gave a unit read from standard input
    // (-main-file-name; the driver's own is "-").
    std::string StdinName;
    if (!Inputs.empty() && Inputs.front().isFile() && Inputs.front().getFile() == "-" &&
        CI.getCodeGenOpts().MainFileName != "-")
      StdinName = CI.getCodeGenOpts().MainFileName;
    // An AST written for later units, without code: they see its marks
    // only on the declarations (State.h).
    bool KeepMarks = CI.getPreprocessorOpts().GeneratePreamble || Action == frontend::GeneratePCH ||
                     UnitOpts.NoCode;
    return std::make_unique<AllocSelConsumer>(UnitOpts, Preprocessed, ModuleFile,
                                              std::move(StdinName), KeepMarks);
  }

  bool ParseArgs(const CompilerInstance &CI,
                 const std::vector<std::string> &Args) override {
    if (!Opts.parse(Args, CI.getDiagnostics()))
      return false;
    if (Opts.Help)
      Options::printHelp(llvm::outs());
    return true;
  }

  ActionType getActionType() override { return AddBeforeMainAction; }

private:
  Options Opts;
};

FrontendPluginRegistry::Add<AllocSelAction>
    RegisterAction("allocsel", "checks and routes [[global_allocator]]");

} // namespace
} // namespace allocsel
