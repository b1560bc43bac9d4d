//===- Facts.cpp - the records allocsel keeps in every object -------------===//
//
// The specification is docs/facts-format.md. Each field of a record has one
// encode/decode pair (the Fields table); each flag bit one entry in a table
// that both directions use. Every decode step checks its bounds.
//
// No exceptions and no RTTI: this file is also compiled into the plugin.
//
//===----------------------------------------------------------------------===//

#include "Facts.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/LEB128.h"

#include <cstring>
#include <map>
#include <tuple>

namespace allocsel::facts {

std::string Version::str() const {
  return std::to_string(unsigned(Major)) + "." + std::to_string(unsigned(Minor));
}

bool operator==(const Version &A, const Version &B) {
  return A.Major == B.Major && A.Minor == B.Minor;
}
bool operator==(const Location &A, const Location &B) {
  return std::tie(A.File, A.Line, A.Column) == std::tie(B.File, B.Line, B.Column);
}
bool operator==(const Selection &A, const Selection &B) {
  return A.Variable == B.Variable && A.Type == B.Type && A.Loc == B.Loc;
}
bool operator==(const Step &A, const Step &B) {
  return A.Callee == B.Callee && A.Loc == B.Loc && A.Skipped == B.Skipped;
}
bool operator==(const ExternalCall &A, const ExternalCall &B) {
  return A.Symbol == B.Symbol && A.Display == B.Display && A.Steps == B.Steps;
}
bool operator==(const FunctionSummary &A, const FunctionSummary &B) {
  return A.Symbol == B.Symbol && A.Display == B.Display && A.Loc == B.Loc &&
         A.Root == B.Root && A.Defined == B.Defined && A.Allocates == B.Allocates &&
         A.Sink == B.Sink && A.Chain == B.Chain && A.Calls == B.Calls;
}
bool operator==(const MarkedFunction &A, const MarkedFunction &B) {
  return A.Symbol == B.Symbol && A.Display == B.Display;
}
bool operator==(const PointerCall &A, const PointerCall &B) {
  return A.Function == B.Function && A.Type == B.Type && A.Steps == B.Steps;
}
bool operator==(const AddressTaken &A, const AddressTaken &B) {
  return A.Type == B.Type && A.Symbol == B.Symbol && A.Loc == B.Loc;
}
bool operator==(const ParameterCall &A, const ParameterCall &B) {
  return A.Call == B.Call && A.Function == B.Function && A.Param == B.Param;
}
bool operator==(const ParameterBinding &A, const ParameterBinding &B) {
  return A.Function == B.Function && A.Param == B.Param && A.Passed == B.Passed;
}
bool operator==(const VirtualCall &A, const VirtualCall &B) {
  return A.Function == B.Function && A.Method == B.Method && A.Steps == B.Steps;
}
bool operator==(const Override &A, const Override &B) {
  return A.Method == B.Method && A.Symbol == B.Symbol && A.Loc == B.Loc;
}
bool operator==(const UnitRecord &A, const UnitRecord &B) {
  return A.Format == B.Format && A.Producer == B.Producer && A.Unit == B.Unit &&
         A.Selected == B.Selected && A.DefaultRoutes == B.DefaultRoutes &&
         A.NeedsAllocatorUnit == B.NeedsAllocatorUnit && A.AllocatorUnit == B.AllocatorUnit &&
         A.Functions == B.Functions && A.Marked == B.Marked && A.Callbacks == B.Callbacks &&
         A.Taken == B.Taken && A.PointerCalls == B.PointerCalls &&
         A.ParameterCalls == B.ParameterCalls && A.Bindings == B.Bindings &&
         A.VirtualCalls == B.VirtualCalls && A.Overrides == B.Overrides;
}

namespace {

//===-- Primitives --------------------------------------------------------===//

/// Appends encoded values to a string.
class Writer {
public:
  explicit Writer(std::string &Out) : Out(Out) {}

  void u8(std::uint8_t V) { Out.push_back(static_cast<char>(V)); }
  void u32le(std::uint32_t V) {
    char Buf[4];
    llvm::support::endian::write32le(Buf, V);
    Out.append(Buf, sizeof Buf);
  }
  void uleb(std::uint64_t V) {
    std::uint8_t Buf[16];
    unsigned N = llvm::encodeULEB128(V, Buf);
    Out.append(reinterpret_cast<const char *>(Buf), N);
  }
  void raw(llvm::StringRef S) { Out.append(S.data(), S.size()); }
  /// A length-prefixed string: ULEB128 size, then the bytes.
  void string(llvm::StringRef S) {
    uleb(S.size());
    raw(S);
  }

private:
  std::string &Out;
};

/// Reads the values Writer writes, within its bytes only.
class Reader {
public:
  explicit Reader(llvm::StringRef Data) : Data(Data) {}

  bool atEnd() const { return Pos >= Data.size(); }
  std::size_t left() const { return Data.size() - Pos; }

  bool u8(std::uint8_t &V) {
    if (atEnd())
      return false;
    V = static_cast<std::uint8_t>(Data[Pos++]);
    return true;
  }
  bool u32le(std::uint32_t &V) {
    if (left() < 4)
      return false;
    V = llvm::support::endian::read32le(Data.data() + Pos);
    Pos += 4;
    return true;
  }
  bool uleb(std::uint64_t &V) {
    const char *Err = nullptr;
    unsigned N = 0;
    auto *Begin = reinterpret_cast<const std::uint8_t *>(Data.data()) + Pos;
    auto *End = reinterpret_cast<const std::uint8_t *>(Data.data()) + Data.size();
    V = llvm::decodeULEB128(Begin, &N, End, &Err);
    if (Err)
      return false;
    Pos += N;
    return true;
  }
  /// A ULEB128 number that must fit in 32 bits (lines, columns, counts of
  /// skipped calls).
  bool uleb32(std::uint32_t &V) {
    std::uint64_t W;
    if (!uleb(W) || W > UINT32_MAX)
      return false;
    V = static_cast<std::uint32_t>(W);
    return true;
  }
  /// A count of items that take at least one byte each: it cannot exceed
  /// the bytes left (so a hostile count cannot make the reader allocate or
  /// loop more than the input's size).
  bool count(std::uint64_t &N) { return uleb(N) && N <= left(); }
  bool raw(std::size_t N, llvm::StringRef &S) {
    if (N > left())
      return false;
    S = Data.substr(Pos, N);
    Pos += N;
    return true;
  }
  llvm::StringRef rest() {
    llvm::StringRef S = Data.substr(Pos);
    Pos = Data.size();
    return S;
  }
  bool string(std::string &S) {
    std::uint64_t N;
    llvm::StringRef B;
    if (!uleb(N) || !raw(N, B))
      return false;
    S = B.str();
    return true;
  }

private:
  llvm::StringRef Data;
  std::size_t Pos = 0;
};

//===-- Flags -------------------------------------------------------------===//

/// Which member a bit of a flags number stands for.
template <class T, class Enum> struct FlagBit {
  Enum Bit;
  bool T::*Member;
};

constexpr FlagBit<UnitRecord, UnitFlag> UnitFlags[] = {
    {UnitFlag::NeedsAllocatorUnit, &UnitRecord::NeedsAllocatorUnit},
    {UnitFlag::AllocatorUnit, &UnitRecord::AllocatorUnit},
};

constexpr FlagBit<FunctionSummary, FunctionFlag> FunctionFlags[] = {
    {FunctionFlag::Root, &FunctionSummary::Root},
    {FunctionFlag::Defined, &FunctionSummary::Defined},
    {FunctionFlag::Allocates, &FunctionSummary::Allocates},
};

template <class T, class Enum, std::size_t N>
std::uint64_t packFlags(const T &V, const FlagBit<T, Enum> (&Bits)[N]) {
  std::uint64_t Flags = 0;
  for (const FlagBit<T, Enum> &B : Bits)
    if (V.*B.Member)
      Flags |= static_cast<std::uint64_t>(B.Bit);
  return Flags;
}

/// Unknown bits (a newer minor's) are ignored.
template <class T, class Enum, std::size_t N>
void unpackFlags(std::uint64_t Flags, T &V, const FlagBit<T, Enum> (&Bits)[N]) {
  for (const FlagBit<T, Enum> &B : Bits)
    V.*B.Member = (Flags & static_cast<std::uint64_t>(B.Bit)) != 0;
}

//===-- The call-graph summary --------------------------------------------===//

/// The summary's strings, each stored once (in order of first use) and
/// referred to by index.
class StringTable {
public:
  std::uint64_t id(llvm::StringRef S) {
    auto [It, New] = Index.try_emplace(S.str(), Strings.size());
    if (New)
      Strings.push_back(S.str());
    return It->second;
  }
  void write(Writer &W) const {
    W.uleb(Strings.size());
    for (const std::string &S : Strings)
      W.string(S);
  }

private:
  std::map<std::string, std::uint64_t> Index;
  std::vector<std::string> Strings;
};

/// Writes the summary's body while it fills its string table.
class SummaryWriter {
public:
  explicit SummaryWriter(std::string &Body) : W(Body) {}

  void str(llvm::StringRef S) { W.uleb(Strings.id(S)); }
  void location(const Location &L) {
    str(L.File);
    W.uleb(L.Line);
    W.uleb(L.Column);
  }
  void steps(const std::vector<Step> &Steps) {
    W.uleb(Steps.size());
    for (const Step &S : Steps) {
      str(S.Callee);
      location(S.Loc);
      W.uleb(S.Skipped);
    }
  }
  void call(const ExternalCall &C) {
    str(C.Symbol);
    str(C.Display);
    steps(C.Steps);
  }
  void function(const FunctionSummary &F) {
    str(F.Symbol);
    str(F.Display);
    location(F.Loc);
    W.uleb(packFlags(F, FunctionFlags));
    if (F.Allocates) {
      str(F.Sink);
      steps(F.Chain);
    }
    W.uleb(F.Calls.size());
    for (const ExternalCall &C : F.Calls)
      call(C);
  }
  void functions(const std::vector<FunctionSummary> &Fns) {
    W.uleb(Fns.size());
    for (const FunctionSummary &F : Fns)
      function(F);
  }
  void taken(const std::vector<AddressTaken> &Taken) {
    W.uleb(Taken.size());
    for (const AddressTaken &T : Taken) {
      str(T.Type);
      str(T.Symbol);
      location(T.Loc);
    }
  }
  void pointerCalls(const std::vector<PointerCall> &Calls) {
    W.uleb(Calls.size());
    for (const PointerCall &C : Calls) {
      W.uleb(C.Function);
      str(C.Type);
      steps(C.Steps);
    }
  }

  void parameterCalls(const std::vector<ParameterCall> &Calls) {
    W.uleb(Calls.size());
    for (const ParameterCall &C : Calls) {
      W.uleb(C.Call);
      str(C.Function);
      W.uleb(C.Param);
    }
  }
  void bindings(const std::vector<ParameterBinding> &Bindings) {
    W.uleb(Bindings.size());
    for (const ParameterBinding &B : Bindings) {
      str(B.Function);
      W.uleb(B.Param);
      str(B.Passed.Type);
      str(B.Passed.Symbol);
      location(B.Passed.Loc);
    }
  }

  void virtualCalls(const std::vector<VirtualCall> &Calls) {
    W.uleb(Calls.size());
    for (const VirtualCall &C : Calls) {
      W.uleb(C.Function);
      str(C.Method);
      steps(C.Steps);
    }
  }
  void overrides(const std::vector<Override> &Overrides) {
    W.uleb(Overrides.size());
    for (const Override &O : Overrides) {
      str(O.Method);
      str(O.Symbol);
      location(O.Loc);
    }
  }

  const StringTable &strings() const { return Strings; }

private:
  Writer W;
  StringTable Strings;
};

/// Reads what SummaryWriter writes, string table first.
class SummaryReader {
public:
  explicit SummaryReader(Reader &R) : R(R) {}

  bool strings() {
    std::uint64_t N;
    if (!R.count(N))
      return false;
    for (std::uint64_t I = 0; I < N; ++I)
      if (!R.string(Strings.emplace_back()))
        return false;
    Counted.assign(N, false);
    return true;
  }
  bool str(std::string &S) {
    std::uint64_t I;
    if (!R.uleb(I) || I >= Strings.size())
      return false;
    const std::string &Str = Strings[I];
    // Each reference, and each distinct string the first time, adds to
    // what the references may copy out of the table.
    Budget += Expansion;
    if (!Counted[I]) {
      Counted[I] = true;
      if (Distinct.insert(Str).second)
        Budget += Expansion * Str.size();
    }
    if (Str.size() > Budget)
      return false;
    Budget -= Str.size();
    S = Str;
    return true;
  }
  bool location(Location &L) { return str(L.File) && R.uleb32(L.Line) && R.uleb32(L.Column); }
  /// A count, then that many elements, each read by \p Element.
  template <class T, class ReadElement> bool list(std::vector<T> &Out, ReadElement Element) {
    std::uint64_t N;
    if (!R.count(N))
      return false;
    for (std::uint64_t I = 0; I < N; ++I) {
      T E;
      if (!Element(E))
        return false;
      Out.push_back(std::move(E));
    }
    return true;
  }
  bool steps(std::vector<Step> &Out) {
    return list(Out, [&](Step &S) {
      return str(S.Callee) && location(S.Loc) && R.uleb32(S.Skipped);
    });
  }
  bool call(ExternalCall &C) { return str(C.Symbol) && str(C.Display) && steps(C.Steps); }
  bool function(FunctionSummary &F) {
    std::uint64_t Flags;
    if (!str(F.Symbol) || !str(F.Display) || !location(F.Loc) || !R.uleb(Flags))
      return false;
    unpackFlags(Flags, F, FunctionFlags);
    if (F.Allocates && (!str(F.Sink) || !steps(F.Chain)))
      return false;
    return list(F.Calls, [&](ExternalCall &C) { return call(C); });
  }
  bool functions(std::vector<FunctionSummary> &Out) {
    return list(Out, [&](FunctionSummary &F) { return function(F); });
  }
  bool taken(std::vector<AddressTaken> &Out) {
    return list(Out, [&](AddressTaken &T) {
      return str(T.Type) && str(T.Symbol) && location(T.Loc);
    });
  }
  bool pointerCalls(std::vector<PointerCall> &Out) {
    return list(Out, [&](PointerCall &C) {
      return R.uleb32(C.Function) && str(C.Type) && steps(C.Steps);
    });
  }

  bool parameterCalls(std::vector<ParameterCall> &Out) {
    return list(Out, [&](ParameterCall &C) {
      return R.uleb32(C.Call) && str(C.Function) && R.uleb32(C.Param);
    });
  }
  bool bindings(std::vector<ParameterBinding> &Out) {
    return list(Out, [&](ParameterBinding &B) {
      return str(B.Function) && R.uleb32(B.Param) && str(B.Passed.Type) &&
             str(B.Passed.Symbol) && location(B.Passed.Loc);
    });
  }

  bool virtualCalls(std::vector<VirtualCall> &Out) {
    return list(Out, [&](VirtualCall &C) {
      return R.uleb32(C.Function) && str(C.Method) && steps(C.Steps);
    });
  }
  bool overrides(std::vector<Override> &Out) {
    return list(Out, [&](Override &O) {
      return str(O.Method) && str(O.Symbol) && location(O.Loc);
    });
  }

private:
  Reader &R;
  std::vector<std::string> Strings;

  // A reference takes a byte or two and copies a whole string, so without a
  // bound a small hostile summary could expand one long string into
  // gigabytes. The references may copy Expansion bytes for each reference
  // and for each byte of distinct string they use: never more than
  // Expansion times the summary's size, and far more than a real summary
  // needs (its strings average well under a kilobyte). The bound depends
  // only on the strings referenced, in order, not on how they were encoded,
  // so a summary that decodes still decodes after a round trip.
  static constexpr std::uint64_t Expansion = 1024;
  std::uint64_t Budget = 0;
  std::vector<bool> Counted;               // table entries already counted
  llvm::DenseSet<llvm::StringRef> Distinct; // their contents
};

//===-- The fields --------------------------------------------------------===//

/// One field of a record: when the plugin writes it, its payload's encoding
/// and decoding. A decoder must consume its whole payload.
struct Field {
  Tag T;
  const char *Name; // in "malformed <Name>"
  bool (*Present)(const UnitRecord &);
  void (*Encode)(const UnitRecord &, Writer &);
  bool (*Decode)(Reader &, UnitRecord &);
};

/// A field whose payload is one string, all of its bytes.
template <std::string UnitRecord::*M> void encodeString(const UnitRecord &Rec, Writer &W) {
  W.raw(Rec.*M);
}
template <std::string UnitRecord::*M> bool decodeString(Reader &R, UnitRecord &Rec) {
  Rec.*M = R.rest().str();
  return true;
}

bool always(const UnitRecord &) { return true; }

void encodeSelection(const UnitRecord &Rec, Writer &W) {
  const Selection &S = *Rec.Selected;
  W.string(S.Variable);
  W.string(S.Type);
  W.string(S.Loc.File);
  W.uleb(S.Loc.Line);
  W.uleb(S.Loc.Column);
}
bool decodeSelection(Reader &R, UnitRecord &Rec) {
  Selection S;
  if (!R.string(S.Variable) || !R.string(S.Type) || !R.string(S.Loc.File) ||
      !R.uleb32(S.Loc.Line) || !R.uleb32(S.Loc.Column))
    return false;
  Rec.Selected = std::move(S);
  return true;
}

void encodeUnitMarks(const UnitRecord &Rec, Writer &W) { W.uleb(packFlags(Rec, UnitFlags)); }
bool decodeUnitMarks(Reader &R, UnitRecord &Rec) {
  std::uint64_t Flags;
  if (!R.uleb(Flags))
    return false;
  unpackFlags(Flags, Rec, UnitFlags);
  return true;
}

/// A field with a string table of its own (tags 5, 8, 9, 10): the table comes
/// first, so \p Fill writes the body before it.
template <class FillBody> void encodeWithStrings(Writer &W, FillBody Fill) {
  std::string Body;
  SummaryWriter S(Body);
  Fill(S);
  S.strings().write(W);
  W.raw(Body);
}

void encodeSummary(const UnitRecord &Rec, Writer &W) {
  encodeWithStrings(W, [&](SummaryWriter &S) { S.functions(Rec.Functions); });
}
bool decodeSummary(Reader &R, UnitRecord &Rec) {
  SummaryReader S(R);
  return S.strings() && S.functions(Rec.Functions);
}

/// Tag 8 (1.1): its own string table, then the callbacks' summaries, the
/// address-taken functions and the calls through pointers. A call's
/// caller index is checked once every field is read (the summary, tag 5,
/// may come later).
void encodeCallbacks(const UnitRecord &Rec, Writer &W) {
  encodeWithStrings(W, [&](SummaryWriter &S) {
    S.functions(Rec.Callbacks);
    S.taken(Rec.Taken);
    S.pointerCalls(Rec.PointerCalls);
  });
}
bool decodeCallbacks(Reader &R, UnitRecord &Rec) {
  SummaryReader S(R);
  return S.strings() && S.functions(Rec.Callbacks) && S.taken(Rec.Taken) &&
         S.pointerCalls(Rec.PointerCalls);
}

/// Tag 9 (1.2): its own string table, then the calls through parameters
/// (indices into tag 8's calls, checked once every field is read) and what
/// the unit passes to function-pointer parameters.
void encodeParameters(const UnitRecord &Rec, Writer &W) {
  encodeWithStrings(W, [&](SummaryWriter &S) {
    S.parameterCalls(Rec.ParameterCalls);
    S.bindings(Rec.Bindings);
  });
}
bool decodeParameters(Reader &R, UnitRecord &Rec) {
  SummaryReader S(R);
  return S.strings() && S.parameterCalls(Rec.ParameterCalls) && S.bindings(Rec.Bindings);
}

/// Tag 10 (1.3): its own string table, then the virtual calls (their
/// callers checked once every field is read, as tag 8's) and the overrides.
void encodeVirtual(const UnitRecord &Rec, Writer &W) {
  encodeWithStrings(W, [&](SummaryWriter &S) {
    S.virtualCalls(Rec.VirtualCalls);
    S.overrides(Rec.Overrides);
  });
}
bool decodeVirtual(Reader &R, UnitRecord &Rec) {
  SummaryReader S(R);
  return S.strings() && S.virtualCalls(Rec.VirtualCalls) && S.overrides(Rec.Overrides);
}

void encodeMarked(const UnitRecord &Rec, Writer &W) {
  W.uleb(Rec.Marked.size());
  for (const MarkedFunction &M : Rec.Marked) {
    W.string(M.Symbol);
    W.string(M.Display);
  }
}
bool decodeMarked(Reader &R, UnitRecord &Rec) {
  std::uint64_t N;
  if (!R.count(N))
    return false;
  for (std::uint64_t I = 0; I < N; ++I) {
    MarkedFunction &M = Rec.Marked.emplace_back();
    if (!R.string(M.Symbol) || !R.string(M.Display))
      return false;
  }
  return true;
}

/// In the order the plugin writes them.
constexpr Field Fields[] = {
    {Tag::Producer, "producer", always, encodeString<&UnitRecord::Producer>,
     decodeString<&UnitRecord::Producer>},
    {Tag::Unit, "unit", always, encodeString<&UnitRecord::Unit>, decodeString<&UnitRecord::Unit>},
    {Tag::Selection, "selection", [](const UnitRecord &R) { return R.Selected.has_value(); },
     encodeSelection, decodeSelection},
    {Tag::DefaultRoutes, "default routes",
     [](const UnitRecord &R) { return !R.DefaultRoutes.empty(); },
     encodeString<&UnitRecord::DefaultRoutes>, decodeString<&UnitRecord::DefaultRoutes>},
    {Tag::UnitMarks, "unit marks",
     [](const UnitRecord &R) { return packFlags(R, UnitFlags) != 0; }, encodeUnitMarks,
     decodeUnitMarks},
    {Tag::Summary, "call-graph summary", [](const UnitRecord &R) { return !R.Functions.empty(); },
     encodeSummary, decodeSummary},
    {Tag::Marked, "needs_allocator marks", [](const UnitRecord &R) { return !R.Marked.empty(); },
     encodeMarked, decodeMarked},
    {Tag::Callbacks, "callbacks",
     [](const UnitRecord &R) {
       return !R.Callbacks.empty() || !R.Taken.empty() || !R.PointerCalls.empty();
     },
     encodeCallbacks, decodeCallbacks},
    {Tag::Parameters, "parameters",
     [](const UnitRecord &R) { return !R.ParameterCalls.empty() || !R.Bindings.empty(); },
     encodeParameters, decodeParameters},
    {Tag::Virtual, "virtual calls",
     [](const UnitRecord &R) { return !R.VirtualCalls.empty() || !R.Overrides.empty(); },
     encodeVirtual, decodeVirtual},
};

//===-- Records -----------------------------------------------------------===//

/// Decodes the fields of one record; false (and why) if they are malformed.
bool decodeFields(llvm::StringRef Body, UnitRecord &Rec, std::string &Why) {
  Reader R(Body);
  std::uint64_t Seen = 0; // a bit per known tag
  while (!R.atEnd()) {
    std::uint8_t TagValue;
    std::uint64_t Size;
    llvm::StringRef Payload;
    if (!R.u8(TagValue) || !R.uleb(Size) || !R.raw(Size, Payload)) {
      Why = "truncated field";
      return false;
    }
    const Field *F =
        llvm::find_if(Fields, [&](const Field &F) { return std::uint8_t(F.T) == TagValue; });
    if (F == std::end(Fields))
      continue; // a field of a newer minor version
    std::uint64_t Bit = std::uint64_t(1) << (F - Fields);
    if (Seen & Bit) {
      Why = std::string("repeated ") + F->Name;
      return false;
    }
    Seen |= Bit;
    Reader P(Payload);
    if (!F->Decode(P, Rec) || !P.atEnd()) {
      Why = std::string("malformed ") + F->Name;
      return false;
    }
  }
  // What refers across fields.
  std::size_t Callers = Rec.Functions.size() + Rec.Callbacks.size();
  for (const PointerCall &C : Rec.PointerCalls)
    if (C.Function >= Callers) {
      Why = "malformed callbacks: a call's function index is out of range";
      return false;
    }
  for (const ParameterCall &C : Rec.ParameterCalls)
    if (C.Call >= Rec.PointerCalls.size()) {
      Why = "malformed parameters: a call's index is out of range";
      return false;
    }
  for (const VirtualCall &C : Rec.VirtualCalls)
    if (C.Function >= Callers) {
      Why = "malformed virtual calls: a call's function index is out of range";
      return false;
    }
  return true;
}

} // namespace

std::string encode(const UnitRecord &Rec) {
  std::string Body;
  Writer B(Body);
  for (const Field &F : Fields) {
    if (!F.Present(Rec))
      continue;
    std::string Payload;
    Writer P(Payload);
    F.Encode(Rec, P);
    B.u8(static_cast<std::uint8_t>(F.T));
    B.string(Payload);
  }

  std::string Out;
  Writer W(Out);
  W.raw(llvm::StringRef(Magic, sizeof Magic));
  W.u8(Major);
  W.u8(Minor);
  W.u32le(static_cast<std::uint32_t>(Body.size()));
  W.raw(Body);
  return Out;
}

std::optional<DecodeError> decode(llvm::StringRef Section,
                                  std::vector<UnitRecord> &Out) {
  Reader R(Section);
  while (!R.atEnd()) {
    std::size_t At = Section.size() - R.left();
    auto Fail = [&](DecodeError::Kind K, std::string Msg) {
      return DecodeError{K, At, std::move(Msg)};
    };
    if (Section[At] == '\0') { // padding between records
      std::uint8_t Zero;
      R.u8(Zero);
      continue;
    }
    llvm::StringRef MagicBytes;
    UnitRecord Rec;
    std::uint32_t Len = 0;
    if (R.left() < HeaderSize)
      return Fail(DecodeError::Corrupt, "truncated record header");
    R.raw(sizeof Magic, MagicBytes);
    R.u8(Rec.Format.Major);
    R.u8(Rec.Format.Minor);
    R.u32le(Len);
    if (MagicBytes != llvm::StringRef(Magic, sizeof Magic))
      return Fail(DecodeError::Corrupt, "not an allocsel record (bad magic)");
    if (Rec.Format.Major != Major)
      return Fail(DecodeError::Incompatible,
                  "record format " + std::to_string(Rec.Format.Major) +
                      " written by an incompatible allocsel plugin (this "
                      "allocsel-link reads format " +
                      std::to_string(Major) + ")");
    llvm::StringRef Body;
    if (!R.raw(Len, Body))
      return Fail(DecodeError::Corrupt, "record runs past the end of the section");
    std::string Why;
    if (!decodeFields(Body, Rec, Why))
      return Fail(DecodeError::Corrupt, Why);
    Out.push_back(std::move(Rec));
  }
  return std::nullopt;
}

std::string toAssembly(llvm::StringRef Bytes) {
  std::string Asm = std::string("\t.pushsection ") + SectionName + ",\"\",@progbits\n";
  for (std::size_t I = 0; I < Bytes.size(); I += 32) {
    Asm += "\t.byte ";
    for (std::size_t J = I; J < Bytes.size() && J < I + 32; ++J) {
      if (J != I)
        Asm += ',';
      Asm += std::to_string(static_cast<unsigned>(static_cast<std::uint8_t>(Bytes[J])));
    }
    Asm += '\n';
  }
  Asm += "\t.popsection\n";
  return Asm;
}

std::string fromAssembly(llvm::StringRef Asm) {
  std::string Out;
  bool Inside = false;
  std::string Open = std::string(".pushsection ") + SectionName + ",";
  while (!Asm.empty()) {
    auto [Line, Rest] = Asm.split('\n');
    Asm = Rest;
    Line = Line.trim();
    if (Line.starts_with(Open)) {
      Inside = true;
      continue;
    }
    if (!Inside)
      continue;
    if (Line == ".popsection") {
      Inside = false;
      continue;
    }
    if (!Line.consume_front(".byte "))
      continue;
    while (!Line.empty()) {
      auto [Num, More] = Line.split(',');
      Line = More;
      unsigned V;
      if (!Num.trim().getAsInteger(10, V) && V < 256)
        Out.push_back(static_cast<char>(V));
    }
  }
  return Out;
}

} // namespace allocsel::facts
