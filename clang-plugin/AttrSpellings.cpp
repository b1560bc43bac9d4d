//===- AttrSpellings.cpp - every spelling of allocsel's attributes --------===//
//
// A spelling reaches allocsel's ParsedAttrInfo only if its full name, as
// clang normalizes it (`__gnu__` is `gnu`, `_Clang` is `clang`, and with
// those scopes or none `__name__` is `name`), is one of the info's
// Spellings. Each attribute keeps its spellings in one array with room
// reserved up front: a spelling added later never moves the others, so
// the ArrayRef clang reads stays valid while it grows.
//
//===----------------------------------------------------------------------===//

#include "AttrSpellings.h"

#include "Diagnostics.h"

#include "clang/Basic/IdentifierTable.h"
#include "clang/Basic/TokenKinds.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Lex/Token.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"
#include "llvm/ADT/STLExtras.h"

#include <array>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using namespace clang;

namespace allocsel {
namespace {

using Syntax = AttributeCommonInfo::Syntax;

/// Other vendors' namespaces, registered when the plugin loads: these work
/// even where the token watcher cannot run.
constexpr const char *KnownScopes[] = {"gnu", "clang", "std", "msvc", "gsl", "omp", "hlsl", "riscv"};

/// The spellings of one attribute: its accepted ones, then the others
/// registered so far.
class SpellingSet {
public:
  SpellingSet() { All.reserve(Capacity); }

  void adopt(ParsedAttrInfo &I, llvm::ArrayRef<ParsedAttrInfo::Spelling> Accepted) {
    for (const ParsedAttrInfo::Spelling &S : Accepted)
      add(S.Syntax, S.NormalizedFullName);
    Info = &I;
    publish();
  }

  /// Adds \p FullName in \p S (a no-op if known, or once the reserved room
  /// is used up: then clang warns that the attribute is unknown, as it
  /// would without allocsel).
  void add(Syntax S, llvm::StringRef FullName) {
    // Units parsed at once on several threads (clangd) add names to the
    // one set; clang reads the published array without a lock, which the
    // reserved room keeps in place (a reader sees the old length or the new).
    std::lock_guard<std::mutex> Guard(Lock);
    if (llvm::any_of(All, [&](const ParsedAttrInfo::Spelling &Old) {
          return Old.Syntax == S && FullName == Old.NormalizedFullName;
        }))
      return;
    if (All.size() == Capacity)
      return;
    Names.push_back(FullName.str()); // (a deque: earlier names stay put)
    All.push_back({S, Names.back().c_str()});
    publish();
  }

private:
  /// Room for the accepted spellings and a few hundred others: more
  /// namespaces than one unit names the attributes in.
  static constexpr size_t Capacity = 512;

  void publish() {
    if (Info)
      Info->Spellings = llvm::ArrayRef<ParsedAttrInfo::Spelling>(All.data(), All.size());
  }

  std::mutex Lock;
  std::vector<ParsedAttrInfo::Spelling> All;
  std::deque<std::string> Names;
  ParsedAttrInfo *Info = nullptr;
};

SpellingSet &spellings(AllocselAttr Which) {
  static SpellingSet GlobalAllocator, NeedsAllocator;
  return Which == AllocselAttr::GlobalAllocator ? GlobalAllocator : NeedsAllocator;
}

llvm::StringRef baseName(AllocselAttr Which) {
  return Which == AllocselAttr::GlobalAllocator ? "global_allocator" : "needs_allocator";
}

bool isReservedForm(llvm::StringRef Name) {
  return Name.size() >= 4 && Name.starts_with("__") && Name.ends_with("__");
}

/// Registers `Scope::Name` as clang normalizes it, and as written (should a
/// version normalize otherwise), in the C++ and C23 syntaxes.
void addScoped(AllocselAttr Which, llvm::StringRef Scope, llvm::StringRef Name) {
  if (Scope.empty() || Scope == "allocsel")
    return; // accepted: registered with the attribute
  llvm::StringRef NormScope = Scope == "__gnu__" ? "gnu" : Scope == "_Clang" ? "clang" : Scope;
  llvm::StringRef NormName = Name;
  if ((NormScope == "gnu" || NormScope == "clang") && isReservedForm(Name))
    NormName = Name.drop_front(2).drop_back(2);
  SpellingSet &Set = spellings(Which);
  for (Syntax S : {AttributeCommonInfo::AS_CXX11, AttributeCommonInfo::AS_C23}) {
    Set.add(S, (NormScope + "::" + NormName).str());
    Set.add(S, (Scope + "::" + Name).str());
  }
}

/// Which attribute \p II names (`x` or `__x__`), if any.
std::optional<AllocselAttr> named(llvm::StringRef Name) {
  if (isReservedForm(Name))
    Name = Name.drop_front(2).drop_back(2);
  if (Name == "global_allocator")
    return AllocselAttr::GlobalAllocator;
  if (Name == "needs_allocator")
    return AllocselAttr::NeedsAllocator;
  return std::nullopt;
}

/// allocsel-unknown-spelling for Microsoft's `[name]` (the watcher's: clang
/// makes no attribute of it).
void reportMicrosoftForm(DiagnosticsEngine &Diags, AllocselAttr Which, SourceLocation Open,
                         SourceLocation Name, SourceLocation Close) {
  std::string Accepted = ("allocsel::" + baseName(Which)).str();
  DiagnosticBuilder D = report(Diags, Name, Diag::UnknownSpelling);
  D << ("[" + baseName(Which) + "]").str() << baseName(Which)
    << (Which == AllocselAttr::NeedsAllocator) << Accepted;
  if (Open.isFileID() && Close.isFileID())
    D << FixItHint::CreateReplacement(CharSourceRange::getTokenRange(Open, Close),
                                      "[[" + Accepted + "]]");
}

} // namespace

void adoptSpellings(ParsedAttrInfo &Info, AllocselAttr Which,
                    llvm::ArrayRef<ParsedAttrInfo::Spelling> Accepted) {
  SpellingSet &Set = spellings(Which);
  Set.adopt(Info, Accepted);
  llvm::StringRef Name = baseName(Which);
  std::string Reserved = ("__" + Name + "__").str();
  for (const char *Scope : KnownScopes) {
    addScoped(Which, Scope, Name);
    addScoped(Which, Scope, Reserved);
  }
  // __declspec(global_allocator) (-fdeclspec, -fms-extensions), whose names
  // clang does not normalize.
  Set.add(AttributeCommonInfo::AS_Declspec, Name);
  Set.add(AttributeCommonInfo::AS_Declspec, Reserved);
}

void watchSpellings(Preprocessor &PP) {
  // The parser makes an attribute once it has read its name (and
  // arguments); the preprocessor hands each token to the watcher when it
  // lexes it, before. `scope :: name` (or `scope : : name` in C without
  // `::` tokens), and `[[using scope: ..., name`: the scope is then known.
  struct Recent {
    tok::TokenKind Kind = tok::unknown;
    const IdentifierInfo *II = nullptr;
  };
  std::array<const IdentifierInfo *, 4> Watched = {
      PP.getIdentifierInfo("global_allocator"), PP.getIdentifierInfo("__global_allocator__"),
      PP.getIdentifierInfo("needs_allocator"), PP.getIdentifierInfo("__needs_allocator__")};
  // Microsoft's `[name]` before a declaration (-fms-extensions): clang
  // drops one it does not know without a word, and never asks a plugin.
  // So the watcher reports it, once it has seen `[name]` where a
  // declaration starts, followed by what can begin one (not a lambda's
  // `(`, `{`, `mutable`...).
  struct MicrosoftForm {
    unsigned Stage = 0; // 1: `[name` read, 2: `[name]` read
    SourceLocation Open, Name, Close;
    AllocselAttr Which = AllocselAttr::GlobalAllocator;
  };
  DiagnosticsEngine &Diags = PP.getDiagnostics();
  bool Microsoft = PP.getLangOpts().MicrosoftExt;
  PP.setTokenWatcher([Watched, Last = std::array<Recent, 4>(), Last0Loc = SourceLocation(),
                      UsingScope = static_cast<const IdentifierInfo *>(nullptr),
                      UsingDepth = 0u, MS = MicrosoftForm(), &Diags,
                      Microsoft](const Token &T) mutable {
    // (The preprocessor hands the parser looked-up identifiers; a raw one,
    // or an annotation, has no IdentifierInfo to ask for.)
    const IdentifierInfo *II =
        T.isAnnotation() || T.is(tok::raw_identifier) ? nullptr : T.getIdentifierInfo();
    if (Microsoft) {
      if (MS.Stage == 2) {
        bool Declaration = II && !T.isOneOf(tok::kw_mutable, tok::kw_noexcept,
                                            tok::kw_constexpr, tok::kw_consteval);
        if (Declaration || T.is(tok::l_square))
          reportMicrosoftForm(Diags, MS.Which, MS.Open, MS.Name, MS.Close);
        MS.Stage = 0;
      } else if (MS.Stage == 1) {
        MS.Stage = T.is(tok::r_square) ? 2 : 0;
        MS.Close = T.getLocation();
      } else if (II && T.is(tok::identifier) && llvm::is_contained(Watched, II) &&
                 Last[0].Kind == tok::l_square &&
                 Last[1].Kind != tok::l_square && // (not [[...]])
                 (Last[1].Kind == tok::unknown || Last[1].Kind == tok::semi ||
                  Last[1].Kind == tok::l_brace || Last[1].Kind == tok::r_brace)) {
        MS = {1, Last0Loc, T.getLocation(), T.getLocation(), *named(II->getName())};
      }
    }
    if (II && T.is(tok::identifier) && llvm::is_contained(Watched, II)) {
      const IdentifierInfo *Scope = nullptr;
      if (Last[0].Kind == tok::coloncolon)
        Scope = Last[1].II;
      else if (Last[0].Kind == tok::colon && Last[1].Kind == tok::colon)
        Scope = Last[2].II;
      else
        Scope = UsingScope;
      if (Scope)
        if (std::optional<AllocselAttr> Which = named(II->getName()))
          addScoped(*Which, Scope->getName(), II->getName());
    }
    // The namespace of `[[using NS: ...]]` lasts to the list's `]`.
    if (T.is(tok::colon) && Last[0].II && Last[1].Kind == tok::kw_using &&
        Last[2].Kind == tok::l_square && Last[3].Kind == tok::l_square) {
      UsingScope = Last[0].II;
      UsingDepth = 0;
    } else if (UsingScope && T.is(tok::l_square)) {
      ++UsingDepth;
    } else if (UsingScope && T.is(tok::r_square)) {
      if (UsingDepth == 0)
        UsingScope = nullptr;
      else
        --UsingDepth;
    }
    for (size_t I = Last.size() - 1; I > 0; --I)
      Last[I] = Last[I - 1];
    Last[0] = {T.getKind(), II};
    Last0Loc = T.getLocation();
  });
}

bool isAcceptedSpelling(const ParsedAttr &Attr) {
  switch (Attr.getSyntax()) {
  case AttributeCommonInfo::AS_GNU:
    return true;
  case AttributeCommonInfo::AS_CXX11:
  case AttributeCommonInfo::AS_C23: {
    const IdentifierInfo *Scope = Attr.getScopeName();
    return !Scope || Scope->getName() == "allocsel";
  }
  default:
    return false;
  }
}

bool rejectUnknownSpelling(Sema &S, const ParsedAttr &Attr, AllocselAttr Which) {
  if (isAcceptedSpelling(Attr))
    return false;
  // The spelling as written: `scope::name`, or `__declspec(name)`.
  std::string Written;
  const IdentifierInfo *Name = Attr.getAttrName();
  llvm::StringRef NameText = Name ? Name->getName() : baseName(Which);
  if (Attr.getSyntax() == AttributeCommonInfo::AS_Declspec)
    Written = ("__declspec(" + NameText + ")").str();
  else if (const IdentifierInfo *Scope = Attr.getScopeName())
    Written = (Scope->getName() + "::" + NameText).str();
  else
    Written = NameText.str();
  std::string Accepted = ("allocsel::" + baseName(Which)).str();
  DiagnosticBuilder D = report(S.getDiagnostics(), Attr.getLoc(), Diag::UnknownSpelling);
  D << Written << baseName(Which) << (Which == AllocselAttr::NeedsAllocator) << Accepted;
  // `scope::name` written in one place: its scope becomes `allocsel`. A
  // `[[using NS: name]]` list (its namespace is every attribute's) or a
  // __declspec has no place for a scope of its own, and a macro's
  // expansion is not the user's text.
  SourceLocation ScopeLoc = Attr.getScopeLoc();
  bool ScopeWrittenHere = false;
  if ((Attr.getSyntax() == AttributeCommonInfo::AS_CXX11 ||
       Attr.getSyntax() == AttributeCommonInfo::AS_C23) &&
      ScopeLoc.isValid() && ScopeLoc.isFileID())
    if (std::optional<Token> Next =
            Lexer::findNextToken(ScopeLoc, S.getSourceManager(), S.getLangOpts()))
      ScopeWrittenHere = Next->is(tok::coloncolon);
  if (ScopeWrittenHere)
    D << FixItHint::CreateReplacement(CharSourceRange::getTokenRange(ScopeLoc, ScopeLoc),
                                      "allocsel");
  return true;
}

} // namespace allocsel
