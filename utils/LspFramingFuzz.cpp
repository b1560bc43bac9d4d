//===- LspFramingFuzz.cpp - libFuzzer target for the pump's LSP framing ---===//
//
// Drives LspFraming.h's Reader, the framing allocsel-clangd-pump applies to
// everything the editor and clangd write, with small limits so that the
// bounds are reached. The first byte chooses the mode:
//
//  - raw: the bytes as they come. Every message read must be a header of at
//    most the header limit, "\r\n\r\n", and a body of exactly the length
//    its header announces, at most the message limit, and the messages must
//    be consecutive pieces of the input (nothing invented, nothing reordered).
//  - built: the rest of the input describes a stream of good messages with
//    refused headers between them (a Content-Length over the limit, none,
//    zero, too many digits, a header that never ends). The good messages'
//    bodies, and only they, must come out, in order: what clangd refuses is
//    skipped and serving goes on.
//
// Any failed property traps. Memory is bounded by the limits (the run's
// -rss_limit_mb catches a reader that reserves what a header announces).
//
//===----------------------------------------------------------------------===//

#include "LspFraming.h"

#include <cstdint>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using allocsel::lsp::Limits;
using allocsel::lsp::Reader;

namespace {

constexpr Limits SmallLimits{/*MaxMessage=*/4096, /*MaxHeader=*/256};

/// Reads every message of \p Stream through a memory file.
std::vector<std::pair<std::string, std::size_t>> readAll(const std::string &Stream) {
  int Fd = memfd_create("lsp-framing-fuzz", MFD_CLOEXEC);
  if (Fd < 0)
    __builtin_trap();
  for (std::size_t Done = 0; Done < Stream.size();) {
    ssize_t N = ::write(Fd, Stream.data() + Done, Stream.size() - Done);
    if (N <= 0)
      __builtin_trap();
    Done += static_cast<std::size_t>(N);
  }
  lseek(Fd, 0, SEEK_SET);
  Reader R(Fd, SmallLimits);
  std::vector<std::pair<std::string, std::size_t>> Out;
  std::string Msg;
  std::size_t Body;
  while (R.read(Msg, Body))
    Out.emplace_back(Msg, Body);
  close(Fd);
  return Out;
}

void checkRaw(const std::string &Stream) {
  std::size_t From = 0;
  for (const auto &[Msg, Body] : readAll(Stream)) {
    if (Body < 4 || Body - 4 > SmallLimits.MaxHeader || Msg.compare(Body - 4, 4, "\r\n\r\n") != 0)
      __builtin_trap();
    std::size_t Length = allocsel::lsp::contentLength(std::string_view(Msg).substr(0, Body - 4),
                                                      SmallLimits.MaxMessage);
    if (Length == 0 || Length != Msg.size() - Body)
      __builtin_trap();
    std::size_t At = Stream.find(Msg, From);
    if (At == std::string::npos)
      __builtin_trap();
    From = At + Msg.size();
  }
}

void checkBuilt(const std::uint8_t *Data, std::size_t Size) {
  std::string Stream;
  std::vector<std::string> Good;
  std::size_t I = 0;
  auto Take = [&](std::size_t N) {
    std::string S(reinterpret_cast<const char *>(Data + I), std::min(N, Size - I));
    I += S.size();
    return S;
  };
  while (I < Size) {
    std::uint8_t Op = Data[I++];
    switch (Op % 7) {
    case 0:
      Stream += "Content-Length: 99999999999\r\n\r\n";
      break;
    case 1:
      Stream += "X-Other: 1\r\n\r\n";
      break;
    case 2:
      Stream += "Content-Length: 0\r\n\r\n";
      break;
    case 3:
      Stream += "Content-Length: " + std::string(40, '9') + "\r\n\r\n";
      break;
    case 4: // header text that does not end within the header limit
      Stream += std::string(SmallLimits.MaxHeader + 1 + Op, 'h') + "\r\n\r\n";
      break;
    default: { // a good message, with a body of any bytes
      std::size_t Len = 1 + (I < Size ? Data[I++] : 0) * 8;
      std::string Body = Take(Len);
      if (Body.empty())
        break;
      Stream += (Op & 8 ? "content-length:" : "Content-Length: ") + std::to_string(Body.size()) +
                (Op & 16 ? "\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n" : "\r\n\r\n");
      Stream += Body;
      Good.push_back(Body);
    }
    }
  }
  auto Got = readAll(Stream);
  if (Got.size() != Good.size())
    __builtin_trap();
  for (std::size_t K = 0; K < Good.size(); ++K)
    if (Got[K].first.compare(Got[K].second, std::string::npos, Good[K]) != 0)
      __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *Data, std::size_t Size) {
  if (Size == 0)
    return 0;
  if (Data[0] & 1)
    checkRaw(std::string(reinterpret_cast<const char *>(Data + 1), Size - 1));
  else
    checkBuilt(Data + 1, Size - 1);
  return 0;
}
