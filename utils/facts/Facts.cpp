//===- Facts.cpp - the records allocsel keeps in every object -------------===//
//
// No exceptions and no RTTI: this file is also compiled into the plugin.
//
//===----------------------------------------------------------------------===//

#include "Facts.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/LEB128.h"

#include <cstring>

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

bool decodeSelection(llvm::StringRef Payload, Selection &Sel) {
  Reader R(Payload);
  return R.string(Sel.Variable) && R.string(Sel.Type) && R.string(Sel.Loc.File) &&
         R.u32(Sel.Loc.Line) && R.u32(Sel.Loc.Column) && R.atEnd();
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
