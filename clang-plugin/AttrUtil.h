//===- AttrUtil.h - helpers for allocsel's attributes -----------*- C++ -*-===//

#ifndef ALLOCSEL_PLUGIN_ATTRUTIL_H
#define ALLOCSEL_PLUGIN_ATTRUTIL_H

#include "clang/Lex/Lexer.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"

namespace allocsel {

/// True if the attribute was written with an argument list, even an empty
/// one. Clang keeps no arguments for a plugin attribute that declares none
/// (getNumArgs() is 0 for `[[x(1)]]`), but the attribute's range then ends
/// at the closing parenthesis instead of its name.
inline bool hasArguments(clang::Sema &S, const clang::ParsedAttr &Attr) {
  if (Attr.getNumArgs() != 0)
    return true;
  clang::Token Tok;
  if (clang::Lexer::getRawToken(Attr.getRange().getEnd(), Tok, S.getSourceManager(),
                                S.getLangOpts(), /*IgnoreWhiteSpace=*/true))
    return false;
  return Tok.is(clang::tok::r_paren);
}

} // namespace allocsel

#endif
