//===- Marks.cpp - #pragma allocsel and [[allocsel::needs_allocator]] -----===//
//
//   #pragma allocsel needs_allocator   this unit needs a global allocator:
//                                      every function it defines allocates
//   #pragma allocsel allocator         this unit is part of an allocator:
//                                      every function it defines is checked
//   [[allocsel::needs_allocator]]      on a function declaration: calling it
//                                      allocates through the global allocator
//   #pragma allocsel plugin_loaded     <allocsel/alloc.h>'s, where the plugin
//                                      was loaded: answered with
//                                      allocsel::detail::plugin_loaded_here,
//                                      which the header asserts (a hard
//                                      error where a compile of the
//                                      preprocessed unit runs without the
//                                      plugin, even in a system header)
//
// The marks go into the unit's state; NeedsAllocator.cpp uses them.
//
//===----------------------------------------------------------------------===//

#include "AttrSpellings.h"
#include "AttrUtil.h"
#include "Diagnostics.h"
#include "State.h"

#include "clang/AST/Attr.h"
#include "clang/Basic/TokenKinds.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"

#include <memory>

using namespace clang;

namespace allocsel {
namespace {

class AllocselPragma : public PragmaHandler {
public:
  AllocselPragma() : PragmaHandler("allocsel") {}

  void HandlePragma(Preprocessor &PP, PragmaIntroducer Introducer,
                    Token &First) override {
    DiagnosticsEngine &Diags = PP.getDiagnostics();
    Token Tok;
    PP.LexUnexpandedToken(Tok);
    if (Tok.is(tok::eod)) {
      report(Diags, Introducer.Loc, Diag::PragmaMissing);
      return;
    }
    std::string Word = PP.getSpelling(Tok);
    SourceLocation Loc = Tok.getLocation();
    bool NeedsAllocator = Word == "needs_allocator";
    bool PluginLoaded = Word == "plugin_loaded";
    if (!NeedsAllocator && !PluginLoaded && Word != "allocator") {
      report(Diags, Loc, Diag::PragmaUnknown) << Word;
      PP.DiscardUntilEndOfDirective();
      return;
    }
    PP.LexUnexpandedToken(Tok);
    if (Tok.isNot(tok::eod)) {
      report(Diags, Tok.getLocation(), Diag::PragmaExtra) << PP.getSpelling(Tok) << Word;
      PP.DiscardUntilEndOfDirective();
      return;
    }
    if (PP.isPreprocessedOutput()) {
      keepInPreprocessedOutput(PP, Introducer.Loc, Word);
      return;
    }
    if (PluginLoaded) {
      declarePluginLoaded(PP, Introducer.Loc);
      return;
    }
    UnitState *State = UnitState::get(&PP);
    if (!State)
      return;
    SourceLocation &Mine = NeedsAllocator ? State->NeedsAllocatorPragma : State->AllocatorPragma;
    SourceLocation Other = NeedsAllocator ? State->AllocatorPragma : State->NeedsAllocatorPragma;
    if (Other.isValid()) {
      report(Diags, Loc, Diag::PragmaBoth) << (NeedsAllocator ? 1 : 0);
      report(Diags, Other, Diag::PragmaHere) << (NeedsAllocator ? "allocator" : "needs_allocator");
      return;
    }
    if (Mine.isInvalid())
      Mine = Loc;
  }

private:
  /// Lexes \p Spellings (each token's kind and text) next, as if they
  /// followed the pragma in the source.
  static void enterTokens(Preprocessor &PP, SourceLocation Loc,
                          ArrayRef<std::pair<tok::TokenKind, StringRef>> Spellings,
                          bool DisableMacroExpansion) {
    auto Toks = std::make_unique<Token[]>(Spellings.size());
    for (unsigned I = 0; I != Spellings.size(); ++I) {
      Token &T = Toks[I];
      T.startToken();
      T.setKind(Spellings[I].first);
      PP.CreateString(Spellings[I].second, T, Loc, Loc);
      if (T.is(tok::identifier) || tok::getKeywordSpelling(T.getKind()))
        T.setIdentifierInfo(PP.getIdentifierInfo(Spellings[I].second));
    }
    PP.EnterTokenStream(std::move(Toks), Spellings.size(), DisableMacroExpansion,
                        /*IsReinject=*/false);
  }

  /// namespace allocsel { namespace detail { inline constexpr bool
  /// plugin_loaded_here = true; } }, as the tokens that follow the pragma.
  static void declarePluginLoaded(Preprocessor &PP, SourceLocation Loc) {
    static const std::pair<tok::TokenKind, StringRef> Spellings[] = {
        {tok::kw_namespace, "namespace"}, {tok::identifier, "allocsel"},
        {tok::l_brace, "{"},              {tok::kw_namespace, "namespace"},
        {tok::identifier, "detail"},      {tok::l_brace, "{"},
        {tok::kw_inline, "inline"},       {tok::kw_constexpr, "constexpr"},
        {tok::kw_bool, "bool"},           {tok::identifier, "plugin_loaded_here"},
        {tok::equal, "="},                {tok::kw_true, "true"},
        {tok::semi, ";"},                 {tok::r_brace, "}"},
        {tok::r_brace, "}"}};
    enterTokens(PP, Loc, Spellings, /*DisableMacroExpansion=*/true);
  }

  /// -E, -save-temps, ccache's and distcc's preprocessing: a registered
  /// pragma handler consumes its pragma, so the output would lose the mark
  /// before the compile. When printing, step aside (the printer's handler
  /// of unknown pragmas writes out every later `#pragma allocsel` as
  /// written) and hand this one over as `_Pragma("allocsel WORD")`, which
  /// the preprocessor now dispatches to that handler.
  void keepInPreprocessedOutput(Preprocessor &PP, SourceLocation Loc,
                                StringRef Word) {
    // Ownership comes back to us; the handler stays alive (it is running),
    // one small object per preprocessing run.
    PP.RemovePragmaHandler(this);
    std::string Literal = ("\"allocsel " + Word + "\"").str();
    const std::pair<tok::TokenKind, StringRef> Spellings[] = {
        {tok::identifier, "_Pragma"},
        {tok::l_paren, "("},
        {tok::string_literal, Literal},
        {tok::r_paren, ")"}};
    // Macro expansion on: _Pragma is an operator the preprocessor expands.
    enterTokens(PP, Loc, Spellings, /*DisableMacroExpansion=*/false);
  }
};

PragmaHandlerRegistry::Add<AllocselPragma>
    RegisterPragma("allocsel", "#pragma allocsel allocator|needs_allocator");

struct NeedsAllocatorAttrInfo : public ParsedAttrInfo {
  NeedsAllocatorAttrInfo() {
    OptArgs = 15; // arguments get allocsel's own diagnostic
    // Clang 19 asks plugins about an attribute by its name alone
    // (ParsedAttrInfo::hasSpelling in clang::hasAttribute): without the
    // unscoped spelling, [[allocsel::needs_allocator]] would be unknown to
    // the parser, which then drops its argument list and answers false to
    // __has_cpp_attribute.
    static constexpr Spelling S[] = {
        {ParsedAttr::AS_CXX11, "needs_allocator"},
        {ParsedAttr::AS_CXX11, "allocsel::needs_allocator"},
        {ParsedAttr::AS_CXX11, "allocsel::__needs_allocator__"},
        {ParsedAttr::AS_C23, "allocsel::needs_allocator"},
        {ParsedAttr::AS_GNU, "needs_allocator"},
    };
    // And the name in every other namespace, rejected below.
    adoptSpellings(*this, AllocselAttr::NeedsAllocator, S);
  }

  bool diagAppertainsToDecl(Sema &S, const ParsedAttr &Attr,
                            const Decl *D) const override {
    if (rejectUnknownSpelling(S, Attr, AllocselAttr::NeedsAllocator))
      return false;
    if (isa<FunctionDecl>(D) || isa<FunctionTemplateDecl>(D))
      return true;
    report(S.getDiagnostics(), Attr.getLoc(), Diag::NeedsAllocatorNotFunction);
    return false;
  }

  AttrHandling handleDeclAttribute(Sema &S, Decl *D,
                                   const ParsedAttr &Attr) const override {
    if (rejectUnknownSpelling(S, Attr, AllocselAttr::NeedsAllocator))
      return AttributeNotApplied;
    if (hasArguments(S, Attr)) {
      report(S.getDiagnostics(), Attr.getLoc(), Diag::NeedsAllocatorArgs);
      return AttributeNotApplied;
    }
    UnitState *State = UnitState::get(&S.getASTContext());
    if (!State)
      return AttributeNotApplied;
    const FunctionDecl *FD = D->getAsFunction();
    if (FD)
      State->NeedsAllocatorFns.insert(FD->getCanonicalDecl());
    if (State->KeepMarksInAST)
      D->addAttr(AnnotateAttr::CreateImplicit(S.getASTContext(), NeedsAllocatorMark, nullptr, 0));
    return AttributeApplied;
  }
};

} // namespace

bool hasNeedsAllocatorMark(const FunctionDecl *FD) {
  for (const FunctionDecl *R : FD->redecls())
    for (const auto *A : R->specific_attrs<AnnotateAttr>())
      if (A->getAnnotation() == NeedsAllocatorMark)
        return true;
  return false;
}

namespace {

ParsedAttrInfoRegistry::Add<NeedsAllocatorAttrInfo>
    RegisterNeedsAllocator("needs_allocator",
                           "calling this function allocates through the global allocator");

} // namespace
} // namespace allocsel
