//===- Facts.cpp - the records allocsel keeps in every object -------------===//
//
// No exceptions and no RTTI: this file is also compiled into the plugin.
//
//===----------------------------------------------------------------------===//

#include "Facts.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/LEB128.h"

#include <cstring>
#include <map>

namespace allocsel::facts {
namespace {

void putULEB(std::string &Out, std::uint64_t V) {
  std::uint8_t Buf[16];
  unsigned N = llvm::encodeULEB128(V, Buf);
  Out.append(reinterpret_cast<const char *>(Buf), N);
}

void putString(std::string &Out, llvm::StringRef S) {
  putULEB(Out, S.size());
  Out.append(S.data(), S.size());
}

void putField(std::string &Out, Tag T, llvm::StringRef Payload) {
  Out.push_back(static_cast<char>(T));
  putULEB(Out, Payload.size());
  Out.append(Payload.data(), Payload.size());
}

/// Reads within [Pos, End) of Data; every read checks its bounds.
class Reader {
public:
  Reader(llvm::StringRef Data) : Data(Data) {}

  bool atEnd() const { return Pos >= Data.size(); }
  std::size_t offset() const { return Pos; }

  bool byte(std::uint8_t &V) {
    if (atEnd())
      return false;
    V = static_cast<std::uint8_t>(Data[Pos++]);
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
  bool u32(std::uint32_t &V) {
    std::uint64_t W;
    if (!uleb(W) || W > UINT32_MAX)
      return false;
    V = static_cast<std::uint32_t>(W);
    return true;
  }
  bool bytes(std::size_t N, llvm::StringRef &S) {
    if (N > Data.size() - Pos)
      return false;
    S = Data.substr(Pos, N);
    Pos += N;
    return true;
  }
  bool string(std::string &S) {
    std::uint64_t N;
    llvm::StringRef B;
    if (!uleb(N) || !bytes(N, B))
      return false;
    S = B.str();
    return true;
  }

private:
  llvm::StringRef Data;
  std::size_t Pos = 0;
};

/// Strings of a summary, each stored once and referred to by index.
class StringTable {
public:
  std::uint64_t id(llvm::StringRef S) {
    auto [It, New] = Index.try_emplace(S.str(), Strings.size());
    if (New)
      Strings.push_back(S.str());
    return It->second;
  }
  void write(std::string &Out) const {
    putULEB(Out, Strings.size());
    for (const std::string &S : Strings)
      putString(Out, S);
  }

private:
  std::map<std::string, std::uint64_t> Index;
  std::vector<std::string> Strings;
};

void putLocation(std::string &Out, StringTable &T, const Location &L) {
  putULEB(Out, T.id(L.File));
  putULEB(Out, L.Line);
  putULEB(Out, L.Column);
}

void putSteps(std::string &Out, StringTable &T, const std::vector<Step> &Steps) {
  putULEB(Out, Steps.size());
  for (const Step &S : Steps) {
    putULEB(Out, T.id(S.Callee));
    putLocation(Out, T, S.Loc);
    putULEB(Out, S.Skipped);
  }
}

std::string encodeSummary(const std::vector<FunctionSummary> &Fns) {
  StringTable T;
  std::string Body;
  putULEB(Body, Fns.size());
  for (const FunctionSummary &F : Fns) {
    putULEB(Body, T.id(F.Symbol));
    putULEB(Body, T.id(F.Display));
    putLocation(Body, T, F.Loc);
    putULEB(Body, (F.Root ? 1 : 0) | (F.Defined ? 2 : 0) | (F.Allocates ? 4 : 0));
    if (F.Allocates) {
      putULEB(Body, T.id(F.Sink));
      putSteps(Body, T, F.Chain);
    }
    putULEB(Body, F.Calls.size());
    for (const ExternalCall &C : F.Calls) {
      putULEB(Body, T.id(C.Symbol));
      putULEB(Body, T.id(C.Display));
      putSteps(Body, T, C.Steps);
    }
  }
  std::string Out;
  T.write(Out);
  return Out + Body;
}

bool decodeSelection(llvm::StringRef Payload, Selection &Sel) {
  Reader R(Payload);
  return R.string(Sel.Variable) && R.string(Sel.Type) && R.string(Sel.Loc.File) &&
         R.u32(Sel.Loc.Line) && R.u32(Sel.Loc.Column) && R.atEnd();
}

class SummaryReader {
public:
  explicit SummaryReader(llvm::StringRef Payload) : R(Payload) {}

  bool read(std::vector<FunctionSummary> &Out) {
    std::uint64_t N;
    if (!R.uleb(N) || N > Limit)
      return false;
    Strings.resize(N);
    for (std::string &S : Strings)
      if (!R.string(S))
        return false;
    std::uint64_t Count;
    if (!R.uleb(Count) || Count > Limit)
      return false;
    for (std::uint64_t I = 0; I < Count; ++I) {
      FunctionSummary F;
      std::uint64_t Flags, Calls;
      if (!str(F.Symbol) || !str(F.Display) || !location(F.Loc) || !R.uleb(Flags))
        return false;
      F.Root = Flags & 1;
      F.Defined = Flags & 2;
      F.Allocates = Flags & 4;
      if (F.Allocates && (!str(F.Sink) || !steps(F.Chain)))
        return false;
      if (!R.uleb(Calls) || Calls > Limit)
        return false;
      for (std::uint64_t J = 0; J < Calls; ++J) {
        ExternalCall C;
        if (!str(C.Symbol) || !str(C.Display) || !steps(C.Steps))
          return false;
        F.Calls.push_back(std::move(C));
      }
      Out.push_back(std::move(F));
    }
    return R.atEnd();
  }

private:
  // No count in a record can exceed its size in bytes.
  static constexpr std::uint64_t Limit = 1u << 24;

  bool str(std::string &S) {
    std::uint64_t I;
    if (!R.uleb(I) || I >= Strings.size())
      return false;
    S = Strings[I];
    return true;
  }
  bool location(Location &L) { return str(L.File) && R.u32(L.Line) && R.u32(L.Column); }
  bool steps(std::vector<Step> &Out) {
    std::uint64_t N;
    if (!R.uleb(N) || N > Limit)
      return false;
    for (std::uint64_t I = 0; I < N; ++I) {
      Step S;
      if (!str(S.Callee) || !location(S.Loc) || !R.u32(S.Skipped))
        return false;
      Out.push_back(std::move(S));
    }
    return true;
  }

  Reader R;
  std::vector<std::string> Strings;
};

bool decodeMarked(llvm::StringRef Payload, std::vector<MarkedFunction> &Out) {
  Reader R(Payload);
  std::uint64_t N;
  if (!R.uleb(N))
    return false;
  for (std::uint64_t I = 0; I < N; ++I) {
    MarkedFunction M;
    if (!R.string(M.Symbol) || !R.string(M.Display))
      return false;
    Out.push_back(std::move(M));
  }
  return R.atEnd();
}

/// Decodes the fields of one record; false if they are malformed.
bool decodeFields(llvm::StringRef Body, UnitRecord &Rec, std::string &Why) {
  Reader R(Body);
  while (!R.atEnd()) {
    std::uint8_t TagValue;
    std::uint64_t Size;
    llvm::StringRef Payload;
    if (!R.byte(TagValue) || !R.uleb(Size) || !R.bytes(Size, Payload)) {
      Why = "truncated field";
      return false;
    }
    switch (static_cast<Tag>(TagValue)) {
    case Tag::Producer:
      Rec.Producer = Payload.str();
      break;
    case Tag::Unit:
      Rec.Unit = Payload.str();
      break;
    case Tag::Selection: {
      Selection Sel;
      if (!decodeSelection(Payload, Sel)) {
        Why = "malformed selection";
        return false;
      }
      Rec.Selected = std::move(Sel);
      break;
    }
    case Tag::DefaultRoutes:
      Rec.DefaultRoutes = Payload.str();
      break;
    case Tag::Summary:
      if (!SummaryReader(Payload).read(Rec.Functions)) {
        Why = "malformed call-graph summary";
        return false;
      }
      break;
    case Tag::UnitMarks: {
      Reader M(Payload);
      std::uint64_t Flags;
      if (!M.uleb(Flags)) {
        Why = "malformed unit marks";
        return false;
      }
      Rec.NeedsAllocatorUnit = Flags & 1;
      Rec.AllocatorUnit = Flags & 2;
      break;
    }
    case Tag::Marked:
      if (!decodeMarked(Payload, Rec.Marked)) {
        Why = "malformed needs_allocator marks";
        return false;
      }
      break;
    default:
      break; // a field of a newer minor version
    }
  }
  return true;
}

} // namespace

std::string encode(const UnitRecord &Rec) {
  std::string Body;
  putField(Body, Tag::Producer, Rec.Producer);
  putField(Body, Tag::Unit, Rec.Unit);
  if (Rec.Selected) {
    std::string P;
    putString(P, Rec.Selected->Variable);
    putString(P, Rec.Selected->Type);
    putString(P, Rec.Selected->Loc.File);
    putULEB(P, Rec.Selected->Loc.Line);
    putULEB(P, Rec.Selected->Loc.Column);
    putField(Body, Tag::Selection, P);
  }
  if (!Rec.DefaultRoutes.empty())
    putField(Body, Tag::DefaultRoutes, Rec.DefaultRoutes);
  if (Rec.NeedsAllocatorUnit || Rec.AllocatorUnit) {
    std::string P;
    putULEB(P, (Rec.NeedsAllocatorUnit ? 1 : 0) | (Rec.AllocatorUnit ? 2 : 0));
    putField(Body, Tag::UnitMarks, P);
  }
  if (!Rec.Functions.empty())
    putField(Body, Tag::Summary, encodeSummary(Rec.Functions));
  if (!Rec.Marked.empty()) {
    std::string P;
    putULEB(P, Rec.Marked.size());
    for (const MarkedFunction &M : Rec.Marked) {
      putString(P, M.Symbol);
      putString(P, M.Display);
    }
    putField(Body, Tag::Marked, P);
  }

  std::string Out(Magic, sizeof Magic);
  Out.push_back(static_cast<char>(Major));
  Out.push_back(static_cast<char>(Minor));
  std::uint32_t Len = static_cast<std::uint32_t>(Body.size());
  for (int I = 0; I < 4; ++I)
    Out.push_back(static_cast<char>((Len >> (8 * I)) & 0xff));
  return Out + Body;
}

std::optional<DecodeError> decode(llvm::StringRef Section,
                                  std::vector<UnitRecord> &Out) {
  std::size_t Pos = 0;
  auto Fail = [&](DecodeError::Kind K, std::size_t At, std::string Msg) {
    return DecodeError{K, At, std::move(Msg)};
  };
  while (Pos < Section.size()) {
    if (Section[Pos] == '\0') { // padding between records
      ++Pos;
      continue;
    }
    if (Section.size() - Pos < HeaderSize)
      return Fail(DecodeError::Corrupt, Pos, "truncated record header");
    if (std::memcmp(Section.data() + Pos, Magic, sizeof Magic) != 0)
      return Fail(DecodeError::Corrupt, Pos, "not an allocsel record (bad magic)");
    auto RecMajor = static_cast<std::uint8_t>(Section[Pos + 4]);
    std::uint32_t Len = 0;
    for (int I = 0; I < 4; ++I)
      Len |= static_cast<std::uint32_t>(
                 static_cast<std::uint8_t>(Section[Pos + 6 + I]))
             << (8 * I);
    if (RecMajor != Major)
      return Fail(DecodeError::Incompatible, Pos,
                  "record format " + std::to_string(RecMajor) +
                      " written by an incompatible allocsel plugin (this "
                      "allocsel-link reads format " +
                      std::to_string(Major) + ")");
    if (Len > Section.size() - Pos - HeaderSize)
      return Fail(DecodeError::Corrupt, Pos, "record runs past the end of the section");
    UnitRecord Rec;
    std::string Why;
    if (!decodeFields(Section.substr(Pos + HeaderSize, Len), Rec, Why))
      return Fail(DecodeError::Corrupt, Pos, Why);
    Out.push_back(std::move(Rec));
    Pos += HeaderSize + Len;
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
