//===- LspFraming.h - LSP message framing for allocsel-clangd's pump ------===//
//
// Reads Language Server Protocol messages (a header with Content-Length, an
// empty line, the body) from a file descriptor, for allocsel-clangd-pump and
// its fuzzer (LspFramingFuzz.cpp).
//
// The editor's input is not trusted to be well formed, and clangd is the
// model for what to do with bad framing: a header clangd refuses to read (no
// Content-Length, a zero one, or one above the limit) is skipped and reading
// goes on after it; the bytes that follow are read as header lines until a
// header ends again. The proxy must refuse exactly what clangd refuses and
// keep serving: it never reserves what a header announces before the bytes
// are there, and header text that never ends is dropped once it passes a
// bound. Memory stays within the two limits whatever the input.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_LSP_FRAMING_H
#define ALLOCSEL_LSP_FRAMING_H

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <strings.h>
#include <unistd.h>

namespace allocsel::lsp {

struct Limits {
  std::size_t MaxMessage = std::size_t(1) << 30; // clangd's
  std::size_t MaxHeader = std::size_t(1) << 16;
};

/// The Content-Length a header asks for: the last such line counts (as in
/// clangd); 0 when there is none, or it is not a number, or it is above
/// \p Max (all refused alike).
inline std::size_t contentLength(std::string_view Header, std::size_t Max) {
  std::size_t Found = 0;
  while (!Header.empty()) {
    std::size_t Eol = Header.find("\r\n");
    std::string_view Line = Header.substr(0, Eol);
    Header = Eol == std::string_view::npos ? std::string_view() : Header.substr(Eol + 2);
    constexpr std::string_view Name = "content-length";
    if (Line.size() <= Name.size() || strncasecmp(Line.data(), Name.data(), Name.size()) != 0)
      continue;
    std::string_view Value = Line.substr(Name.size());
    while (!Value.empty() && (Value.front() == ' ' || Value.front() == '\t'))
      Value.remove_prefix(1);
    if (Value.empty() || Value.front() != ':')
      continue;
    Value.remove_prefix(1);
    while (!Value.empty() && (Value.front() == ' ' || Value.front() == '\t'))
      Value.remove_prefix(1);
    std::size_t N = 0, Digits = 0;
    bool TooLong = false;
    for (char C : Value) {
      if (C < '0' || C > '9')
        break;
      ++Digits;
      N = N * 10 + static_cast<std::size_t>(C - '0');
      if (N > Max) { // and stays so: no overflow
        TooLong = true;
        N = Max + 1;
      }
    }
    Found = Digits == 0 || TooLong ? 0 : N;
  }
  return Found;
}

/// Messages from a file descriptor, whole (header and body).
class Reader {
public:
  explicit Reader(int Fd, Limits L = {}) : Fd(Fd), L(L) {}

  /// The next whole message in \p Message (the header as read, then the
  /// body), the body's offset in \p BodyStart. False at the end of input.
  bool read(std::string &Message, std::size_t &BodyStart) {
    std::size_t End, Length;
    for (;;) {
      while ((End = Buf.find("\r\n\r\n")) == std::string::npos) {
        if (Buf.size() > L.MaxHeader) {
          refuse(HeaderTooLong);
          Buf.erase(0, Buf.size() - 3); // may end in part of "\r\n\r\n"
        }
        if (!fill())
          return false;
      }
      if (End > L.MaxHeader) {
        refuse(HeaderTooLong);
        Buf.erase(0, End + 4);
        continue;
      }
      Length = contentLength(std::string_view(Buf).substr(0, End), L.MaxMessage);
      if (Length != 0)
        break;
      refuse(BadLength); // as clangd: skip the header, read on
      Buf.erase(0, End + 4);
    }
    BodyStart = End + 4;
    std::size_t Stop = BodyStart + Length;
    while (Buf.size() < Stop)
      if (!fill())
        return false;
    if (Buf.size() == Stop) {
      Message.swap(Buf);
      Buf.clear();
    } else {
      Message.assign(Buf, 0, Stop);
      Buf.erase(0, Stop);
    }
    return true;
  }

  static constexpr const char *HeaderTooLong = "a header longer than the header limit";
  static constexpr const char *BadLength =
      "a Content-Length that is missing, zero or above the message limit";

  /// Called with the reason of each header skipped.
  std::function<void(const char *)> OnRefusal;

  /// Headers skipped so far.
  unsigned long refused() const { return Refused; }

private:
  bool fill() {
    char Chunk[1 << 16];
    for (;;) {
      ssize_t N = ::read(Fd, Chunk, sizeof Chunk);
      if (N > 0) {
        Buf.append(Chunk, static_cast<std::size_t>(N));
        return true;
      }
      if (N < 0 && errno == EINTR)
        continue;
      return false;
    }
  }

  int Fd;
  Limits L;
  std::string Buf;
  void refuse(const char *Why) {
    ++Refused;
    if (OnRefusal)
      OnRefusal(Why);
  }

  unsigned long Refused = 0;
};

} // namespace allocsel::lsp

#endif
