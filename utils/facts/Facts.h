//===- Facts.h - the records allocsel keeps in every object -----*- C++ -*-===//
//
// The plugin writes one record per translation unit into the object's
// `.allocsel.facts` section (not allocated: the loader never maps it). A
// linker concatenates the sections of its inputs, so an executable or shared
// library holds the records of every unit linked into it. allocsel-link reads
// them back. This file is the only definition of the format: the plugin and
// allocsel-link both compile it.
//
// A record:
//
//   magic  "ASLF"     4 bytes
//   major  u8         readers reject other majors ("incompatible")
//   minor  u8         a newer minor only adds fields, which readers skip
//   length u32 LE     the number of bytes of fields that follow
//   fields            tag u8, size ULEB128, then `size` bytes of payload
//
// Field payloads are strings (raw bytes) or sequences of ULEB128 numbers and
// length-prefixed strings, as each Tag says. Zero bytes between records are
// padding and are skipped.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_FACTS_H
#define ALLOCSEL_FACTS_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace allocsel::facts {

inline constexpr char SectionName[] = ".allocsel.facts";
inline constexpr char Magic[4] = {'A', 'S', 'L', 'F'};
inline constexpr std::uint8_t Major = 1;
inline constexpr std::uint8_t Minor = 0;
inline constexpr std::size_t HeaderSize = 10;

enum class Tag : std::uint8_t {
  Producer = 1,      // string: "allocsel 0.1.0"
  Unit = 2,          // string: the unit's main file as given to the compiler
  Selection = 3,     // string variable, string type, string file, line, column
  DefaultRoutes = 4, // string: the allocator of allocsel's default routes
  Summary = 5,       // the unit's call-graph summary (see FunctionSummary)
  UnitMarks = 6,     // ULEB128 flags: 1 needs_allocator unit, 2 allocator unit
  Marked = 7,        // functions declared [[allocsel::needs_allocator]]
};

struct Location {
  std::string File;
  std::uint32_t Line = 0;
  std::uint32_t Column = 0;
};

struct Selection {
  std::string Variable; // "app::GLOBAL", "main()::GLOBAL"
  std::string Type;     // "Counting"
  Location Loc;
};

/// What a chain's step or sink names instead of a function when the call
/// has no known callee (in --strict, an indirect call counts).
inline constexpr const char *IndirectCall = "an indirect call";

/// One call in a chain: `Callee` is called at `Loc` (a function's name as
/// users read it, or IndirectCall). `Skipped` calls of the same unit were
/// left out just before this one.
struct Step {
  std::string Callee; // as users read it: "std::vector<int>::push_back"
  Location Loc;
  std::uint32_t Skipped = 0;
};

/// A call that leaves the unit: `Symbol` has no body in it.
struct ExternalCall {
  std::string Symbol;      // linkage name, to find the definition elsewhere
  std::string Display;     // may be empty: readers demangle Symbol
  std::vector<Step> Steps; // from the summarized function to the call
};

/// What the needs_allocator rule needs to know about one function of the
/// unit, so that allocsel-link can follow chains across units. Only functions
/// that matter are listed: roots, and functions that other units can call
/// and that allocate or call out of the unit. What stays inside the unit is
/// folded into them.
struct FunctionSummary {
  std::string Symbol;
  std::string Display; // may be empty: readers demangle Symbol
  Location Loc;
  bool Root = false;    // an Alloc member of the selection, or defined in an allocator unit
  bool Defined = true;  // false for a root whose body is in another unit
  bool Allocates = false;
  std::string Sink;        // with Allocates: what the chain ends at
  std::vector<Step> Chain; // with Allocates: the calls that lead there
  std::vector<ExternalCall> Calls;
};

struct MarkedFunction {
  std::string Symbol;
  std::string Display;
};

/// What one translation unit contributes.
struct UnitRecord {
  std::string Producer;
  std::string Unit;
  std::optional<Selection> Selected;
  /// Set in allocsel's own default-routes objects ("allocsel::Jemalloc").
  std::string DefaultRoutes;
  bool NeedsAllocatorUnit = false;
  bool AllocatorUnit = false;
  std::vector<FunctionSummary> Functions;
  std::vector<MarkedFunction> Marked;
};

/// The bytes of one record.
std::string encode(const UnitRecord &R);

/// Why a section could not be read.
struct DecodeError {
  enum Kind { Corrupt, Incompatible } K = Corrupt;
  std::size_t Offset = 0; // where in the section
  std::string Message;
};

/// Decodes every record in the bytes of a `.allocsel.facts` section.
/// Returns the first error, or nothing if all records were read.
std::optional<DecodeError> decode(llvm::StringRef Section,
                                  std::vector<UnitRecord> &Out);

/// The assembly that puts \p Bytes into the facts section of an object
/// (module-level asm; it survives -flto as the module's inline asm).
std::string toAssembly(llvm::StringRef Bytes);

/// The section bytes found in module asm written by toAssembly (bitcode
/// objects keep the asm text, not the section). Empty if there is none.
std::string fromAssembly(llvm::StringRef Asm);

} // namespace allocsel::facts

#endif
