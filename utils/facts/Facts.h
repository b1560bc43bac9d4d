//===- Facts.h - the records allocsel keeps in every object -----*- C++ -*-===//
//
// The plugin writes one record per translation unit into the object's
// `.allocsel.facts` section (not allocated: the loader never maps it). A
// linker concatenates the sections of its inputs, so an executable or shared
// library holds the records of every unit linked into it. allocsel-link reads
// them back. The plugin and allocsel-link both compile Facts.cpp, the one
// implementation of the format; docs/facts-format.md is its specification,
// written for third-party readers (test/link/facts-format-doc.test checks
// its worked example against a real object).
//
// A record:
//
//   magic  "ASLF"     4 bytes
//   major  u8         readers reject other majors ("incompatible")
//   minor  u8         a newer minor only adds fields and flag bits, which
//                     readers skip
//   length u32 LE     the number of bytes of fields that follow
//   fields            tag u8, size ULEB128, then `size` bytes of payload
//
// Zero bytes between records are padding and are skipped.
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
inline constexpr std::uint8_t Minor = 3;
inline constexpr std::size_t HeaderSize = sizeof Magic + 1 + 1 + 4; // magic, major, minor, length

/// A record's format version: what decode() read, or Major.Minor.
struct Version {
  std::uint8_t Major = facts::Major;
  std::uint8_t Minor = facts::Minor;
  /// "1.0"
  std::string str() const;
};

/// The fields of a record, in the order the plugin writes them (readers
/// accept any order; each tag at most once).
enum class Tag : std::uint8_t {
  Producer = 1,      // string: "allocsel 0.1.0"
  Unit = 2,          // string: the unit's main file as given to the compiler
  Selection = 3,     // string variable, string type, string file, line, column
  DefaultRoutes = 4, // string: the allocator of allocsel's default routes
  UnitMarks = 6,     // ULEB128 flags (UnitFlag)
  Summary = 5,       // the unit's call-graph summary (see FunctionSummary)
  Marked = 7,        // functions declared [[allocsel::needs_allocator]]
  Callbacks = 8,     // 1.1: calls through pointers, and address-taken functions
  Parameters = 9,    // 1.2: calls through parameters, and what calls pass to them
  Virtual = 10,      // 1.3: virtual calls, and the overrides the unit defines
};

/// The bits of the UnitMarks field. Bits a reader does not know are
/// ignored: a newer minor may add bits, never ones that change the bytes
/// that follow.
enum class UnitFlag : std::uint64_t {
  NeedsAllocatorUnit = 1 << 0, // the unit has `#pragma allocsel needs_allocator`
  AllocatorUnit = 1 << 1,      // the unit has `#pragma allocsel allocator`
};

/// The bits of a summarized function's flags (same rule for unknown bits).
enum class FunctionFlag : std::uint64_t {
  Root = 1 << 0,      // FunctionSummary::Root
  Defined = 1 << 1,   // FunctionSummary::Defined
  Allocates = 1 << 2, // FunctionSummary::Allocates: a sink and a chain follow
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
/// The same for a virtual call (in the plugin's strict mode, a virtual call
/// that is not devirtualized counts).
inline constexpr const char *UnresolvedVirtualCall = "a virtual call";

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

/// A call through a pointer to function (or to member function) that a
/// summarized function of the unit makes (1.1). The link check joins it to
/// the functions of the same type whose address other units take.
struct PointerCall {
  /// The caller: an index into the record's Functions, then its Callbacks
  /// (Functions.size() + i is Callbacks[i]).
  std::uint32_t Function = 0;
  std::string Type;        // its type key: docs/facts-format.md, "Type keys"
  std::vector<Step> Steps; // from the caller to the call, which is the last step
};

/// A function whose address the unit takes, by the type key of the pointer
/// that can call it (1.1), and where. Its summary is in the record's Callbacks if the
/// unit has one there under Symbol, else it is the function other units
/// call by that linkage name.
struct AddressTaken {
  std::string Type;
  std::string Symbol;
  Location Loc; // where the unit first takes it
};

/// A call through a function-pointer parameter that its function never
/// changes (1.2): PointerCalls[Call] calls what the callers of Function
/// pass as its parameter Param (0-based), not every function of its type.
struct ParameterCall {
  std::uint32_t Call = 0;
  std::string Function; // linkage name
  std::uint32_t Param = 0;
};

/// What the unit's running code passes to a function-pointer parameter
/// (1.2): a call of Function passes Passed.Symbol as its parameter Param,
/// a function (Passed.Type its pointer's type key, Passed.Loc where). An
/// empty Passed.Symbol is something else (a variable, a call's result), or
/// Function's address taken (its calls are not seen): then the parameter
/// can hold any function of its type.
struct ParameterBinding {
  std::string Function;
  std::uint32_t Param = 0;
  AddressTaken Passed;
};

/// A virtual call that a summarized function of the unit makes and that
/// the compiler did not devirtualize (1.3). The link check joins it to the
/// overrides of Method that other units define (the unit's own were
/// followed when it compiled).
struct VirtualCall {
  /// The caller, as PointerCall::Function.
  std::uint32_t Function = 0;
  /// The method the call names: its linkage name, the key Override::Method
  /// matches.
  std::string Method;
  /// From the caller to the call, which is the last step (its callee the
  /// method, as users read it).
  std::vector<Step> Steps;
};

/// A method the unit defines that overrides Method, directly or through
/// other overrides (1.3): one entry for each method it overrides. Its
/// summary is in the record's Callbacks if the unit has one there under
/// Symbol, else it is the function other units call by that name.
struct Override {
  std::string Method; // a method it overrides: its linkage name
  std::string Symbol; // the override's linkage name
  Location Loc;       // where the override is defined
};

struct MarkedFunction {
  std::string Symbol;
  std::string Display;
};

/// What one translation unit contributes.
struct UnitRecord {
  /// The version of the record that was decoded (encode() always writes
  /// Major.Minor).
  Version Format;
  std::string Producer;
  std::string Unit;
  std::optional<Selection> Selected;
  /// Set in allocsel's own default-routes objects ("allocsel::Jemalloc").
  std::string DefaultRoutes;
  bool NeedsAllocatorUnit = false;
  bool AllocatorUnit = false;
  std::vector<FunctionSummary> Functions;
  std::vector<MarkedFunction> Marked;
  /// 1.1 (tag 8): the summaries of address-taken functions (and, 1.3, of
  /// overrides) that other units cannot call by name (internal linkage,
  /// inline), the functions
  /// whose address the unit takes, and the calls through pointers that the
  /// summarized functions make.
  std::vector<FunctionSummary> Callbacks;
  std::vector<AddressTaken> Taken;
  std::vector<PointerCall> PointerCalls;
  /// 1.2 (tag 9): which of those calls go through a parameter, and what the
  /// unit passes to function-pointer parameters.
  std::vector<ParameterCall> ParameterCalls;
  std::vector<ParameterBinding> Bindings;
  /// 1.3 (tag 10): the virtual calls that the summarized functions make,
  /// and the overrides the unit defines (those that other units cannot
  /// call by name have their summaries among the Callbacks).
  std::vector<VirtualCall> VirtualCalls;
  std::vector<Override> Overrides;
};

bool operator==(const Version &A, const Version &B);
bool operator==(const Location &A, const Location &B);
bool operator==(const Selection &A, const Selection &B);
bool operator==(const Step &A, const Step &B);
bool operator==(const ExternalCall &A, const ExternalCall &B);
bool operator==(const FunctionSummary &A, const FunctionSummary &B);
bool operator==(const MarkedFunction &A, const MarkedFunction &B);
bool operator==(const PointerCall &A, const PointerCall &B);
bool operator==(const AddressTaken &A, const AddressTaken &B);
bool operator==(const ParameterCall &A, const ParameterCall &B);
bool operator==(const ParameterBinding &A, const ParameterBinding &B);
bool operator==(const VirtualCall &A, const VirtualCall &B);
bool operator==(const Override &A, const Override &B);
bool operator==(const UnitRecord &A, const UnitRecord &B);

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
