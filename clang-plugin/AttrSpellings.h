//===- AttrSpellings.h - every spelling of allocsel's attributes -*- C++ -*-===//
//
// allocsel accepts [[global_allocator]], [[allocsel::global_allocator]] and
// __attribute__((global_allocator)) (and the same for needs_allocator). Any
// other spelling that names one of them ([[gnu::global_allocator]],
// [[clang::...]], [[std::...]], [[foo::...]], [[using gnu: ...]],
// __declspec(...)) would be an unknown attribute to clang: ignored with a
// warning that -w or -Wno-unknown-attributes hides, and the program would
// silently run on the default allocator. So the plugin makes clang hand
// every such spelling to allocsel's attribute, which rejects it
// (allocsel-unknown-spelling) with a fix-it to the accepted spelling.
//
// Clang looks a plugin attribute up by its full name as written
// (ParsedAttrInfo::hasSpelling, `scope::name`), not by its name: a spelling
// must be registered before the parser makes the attribute. The common
// vendor scopes are registered when the plugin loads; any other scope is
// registered as the preprocessor hands the parser `scope :: name` (a token
// watcher), before the parser reaches the attribute's end.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_ATTRSPELLINGS_H
#define ALLOCSEL_PLUGIN_ATTRSPELLINGS_H

#include "clang/Basic/ParsedAttrInfo.h"
#include "llvm/ADT/StringRef.h"

namespace clang {
class ParsedAttr;
class Preprocessor;
class Sema;
} // namespace clang

namespace allocsel {

/// allocsel's two attributes.
enum class AllocselAttr { GlobalAllocator, NeedsAllocator };

/// Makes \p Info, the ParsedAttrInfo of \p Which, answer to every spelling
/// registered for it, now and later. \p Accepted are its accepted
/// spellings.
void adoptSpellings(clang::ParsedAttrInfo &Info, AllocselAttr Which,
                    llvm::ArrayRef<clang::ParsedAttrInfo::Spelling> Accepted);

/// Registers, as the unit is lexed, the spellings with any other scope
/// that name one of allocsel's attributes. Once per unit, before parsing.
void watchSpellings(clang::Preprocessor &PP);

/// Whether \p Attr is written in a spelling allocsel accepts: no scope or
/// the `allocsel` one, in the GNU, C++11 or C23 syntax.
bool isAcceptedSpelling(const clang::ParsedAttr &Attr);

/// If \p Attr is not written in an accepted spelling, reports
/// allocsel-unknown-spelling (with a fix-it where one can be written) and
/// returns true: the caller ignores the attribute.
bool rejectUnknownSpelling(clang::Sema &S, const clang::ParsedAttr &Attr, AllocselAttr Which);

} // namespace allocsel

#endif
