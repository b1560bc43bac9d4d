//===- allocsel-clangd-pump.cpp - allocsel-clangd's native message path --===//
//
// allocsel-clangd sits between the editor and clangd. Most messages (hover,
// completion, everything allocsel does not look at) only need passing on,
// and on a sub-millisecond request the cost of a proxy is the work it does
// after each wake-up: in Python, on cold caches, that was 5-10% of a hover
// round trip (docs/performance.md). This program is that path, natively:
//
//   editor -> clangd   passed on as read, except the messages allocsel-clangd
//                      follows (didOpen/didChange/didSave/didClose, initialize,
//                      codeAction), which go to the core first; the pump
//                      forwards each only once the core has taken it in, so
//                      clangd sees every message in the editor's order and
//                      the core's view of the buffers is never behind.
//   clangd -> editor   passed on as read, except diagnostics and the answers
//                      to requests the core asked for, which the core
//                      rewrites (merged diagnostics, added quick fixes).
//   core -> editor     whatever the core publishes (its diagnostics, a
//                      message), written whole between the passed-on ones.
//
// The core is allocsel-clangd itself (Python), which starts clangd and this
// pump, and hands over the file descriptors:
//
//   allocsel-clangd-pump EDITOR_IN EDITOR_OUT CLANGD_IN CLANGD_OUT CORE_IN CORE_OUT WORD...
//
// WORDs: the core's list of what the editor's messages it follows contain
// (EDITOR_WATCHED in allocsel-clangd, the one list).
//
// Between pump and core, LSP framing around a one-byte tag:
//   pump -> core  'E' + message body from the editor (answer with 'A')
//                 'C' + message body from clangd    (answer with 'T')
//   core -> pump  'A' [+ id]  the editor message is taken in: forward it; if
//                             an id is given (as clangd will write it), the
//                             response to it goes to the core
//                 'T' + body  a message for the editor
//
// It never parses JSON: it looks for a few byte strings. A false match only
// sends a message to the core, which then passes it on unchanged.
//
//===----------------------------------------------------------------------===//

#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

/// LSP messages from a file descriptor: Content-Length framing (any header
/// order and case, other headers ignored), partial reads, any size.
class Reader {
public:
  explicit Reader(int Fd) : Fd(Fd) {}

  /// The next whole message (header and body) in Message, the body's offset
  /// in BodyStart. False at end of input or on a malformed header.
  bool read(std::string &Message, size_t &BodyStart) {
    size_t End;
    while ((End = Buf.find("\r\n\r\n")) == std::string::npos)
      if (!fill())
        return false;
    long long Length = contentLength(std::string_view(Buf).substr(0, End));
    if (Length < 0)
      return false;
    BodyStart = End + 4;
    size_t Stop = BodyStart + static_cast<size_t>(Length);
    if (Buf.size() < Stop)
      Buf.reserve(Stop);
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

private:
  bool fill() {
    char Chunk[1 << 16];
    for (;;) {
      ssize_t N = ::read(Fd, Chunk, sizeof Chunk);
      if (N > 0) {
        Buf.append(Chunk, static_cast<size_t>(N));
        return true;
      }
      if (N < 0 && errno == EINTR)
        continue;
      return false;
    }
  }

  static long long contentLength(std::string_view Header) {
    while (!Header.empty()) {
      size_t Eol = Header.find("\r\n");
      std::string_view Line = Header.substr(0, Eol);
      Header = Eol == std::string_view::npos ? std::string_view() : Header.substr(Eol + 2);
      size_t Colon = Line.find(':');
      if (Colon == std::string_view::npos || Colon != 14 ||
          strncasecmp(Line.data(), "content-length", 14) != 0)
        continue;
      std::string_view Value = Line.substr(Colon + 1);
      while (!Value.empty() && (Value.front() == ' ' || Value.front() == '\t'))
        Value.remove_prefix(1);
      long long N = 0;
      size_t Digits = 0;
      for (char C : Value) {
        if (C < '0' || C > '9')
          break;
        N = N * 10 + (C - '0');
        if (N > (1LL << 40))
          return -1;
        ++Digits;
      }
      return Digits ? N : -1;
    }
    return -1;
  }

  int Fd;
  std::string Buf;
};

/// A file descriptor written whole messages at a time.
class Writer {
public:
  explicit Writer(int Fd) : Fd(Fd) {}

  void write(std::string_view Data) {
    std::lock_guard<std::mutex> Lock(M);
    writeLocked(Data);
  }

  /// LSP framing around Tag + Body.
  void writeFramed(char Tag, std::string_view Body) {
    std::string Head = "Content-Length: " + std::to_string(Body.size() + 1) + "\r\n\r\n";
    Head += Tag;
    std::lock_guard<std::mutex> Lock(M);
    writeLocked(Head);
    writeLocked(Body);
  }

  void close() {
    std::lock_guard<std::mutex> Lock(M);
    if (!Broken)
      ::close(Fd);
    Broken = true;
  }

private:
  void writeLocked(std::string_view Data) {
    while (!Broken && !Data.empty()) {
      ssize_t N = ::write(Fd, Data.data(), Data.size());
      if (N < 0 && errno == EINTR)
        continue;
      if (N <= 0) {
        Broken = true; // the reader is gone; the process ends from elsewhere
        return;
      }
      Data.remove_prefix(static_cast<size_t>(N));
    }
  }

  int Fd;
  std::mutex M;
  bool Broken = false;
};

bool contains(std::string_view Body, std::string_view Needle) {
  return Body.find(Needle) != std::string_view::npos;
}

struct Pump {
  Writer ToEditor, ToClangd, ToCore;
  int EditorIn, ClangdOut, CoreIn;

  std::mutex M;
  std::condition_variable Acked;
  unsigned long Acks = 0;
  bool CoreGone = false;
  std::set<std::string> Watched; // response ids (as clangd writes them) for the core
  std::vector<std::string_view> FollowedWords; // the core's (argv)

  /// The editor's messages the core follows: those containing one of its words.
  bool coreFollows(std::string_view Body) const {
    for (std::string_view W : FollowedWords)
      if (contains(Body, W))
        return true;
    return false;
  }

  Pump(int EditorIn, int EditorOut, int ClangdIn, int ClangdOut, int CoreIn, int CoreOut)
      : ToEditor(EditorOut), ToClangd(ClangdIn), ToCore(CoreOut), EditorIn(EditorIn),
        ClangdOut(ClangdOut), CoreIn(CoreIn) {}

  void fromEditor() {
    Reader R(EditorIn);
    std::string Msg;
    size_t Body;
    unsigned long Sent = 0;
    while (R.read(Msg, Body)) {
      std::string_view B = std::string_view(Msg).substr(Body);
      if (coreFollows(B)) {
        ToCore.writeFramed('E', B);
        ++Sent;
        std::unique_lock<std::mutex> Lock(M);
        Acked.wait(Lock, [&] { return Acks >= Sent || CoreGone; });
      }
      ToClangd.write(Msg);
    }
    ToClangd.close(); // clangd sees the end of input and exits
  }

  /// Whether clangd's message goes to the core: diagnostics, and responses
  /// the core asked for (llvm::json writes "id" first).
  bool forCore(std::string_view B) {
    if (contains(B, "\"textDocument/publishDiagnostics\""))
      return true;
    static constexpr std::string_view Prefix = "{\"id\":";
    if (B.substr(0, Prefix.size()) != Prefix)
      return false;
    std::string_view Rest = B.substr(Prefix.size());
    size_t End = 0;
    if (!Rest.empty() && Rest[0] == '"') {
      for (End = 1; End < Rest.size() && Rest[End] != '"'; ++End)
        if (Rest[End] == '\\')
          ++End;
      ++End;
    } else {
      while (End < Rest.size() && (Rest[End] == '-' || (Rest[End] >= '0' && Rest[End] <= '9')))
        ++End;
    }
    std::lock_guard<std::mutex> Lock(M);
    if (Watched.empty())
      return false;
    auto It = Watched.find(std::string(Rest.substr(0, End)));
    if (It == Watched.end())
      return false;
    Watched.erase(It);
    return true;
  }

  void fromClangd() {
    Reader R(ClangdOut);
    std::string Msg;
    size_t Body;
    while (R.read(Msg, Body)) {
      std::string_view B = std::string_view(Msg).substr(Body);
      if (forCore(B))
        ToCore.writeFramed('C', B);
      else
        ToEditor.write(Msg);
    }
    ToCore.close(); // the core sees clangd's end
  }

  void fromCore() {
    Reader R(CoreIn);
    std::string Msg;
    size_t Body;
    while (R.read(Msg, Body)) {
      if (Msg.size() == Body)
        continue;
      std::string_view B = std::string_view(Msg).substr(Body + 1);
      char Tag = Msg[Body];
      if (Tag == 'A') {
        std::lock_guard<std::mutex> Lock(M);
        if (!B.empty())
          Watched.emplace(B);
        ++Acks;
        Acked.notify_all();
      } else if (Tag == 'T') {
        std::string Head = "Content-Length: " + std::to_string(B.size()) + "\r\n\r\n";
        ToEditor.write(Head + std::string(B));
      }
    }
    std::lock_guard<std::mutex> Lock(M);
    CoreGone = true;
    Acked.notify_all();
  }
};

int fdArg(const char *S) {
  char *End = nullptr;
  long V = std::strtol(S, &End, 10);
  if (!*S || *End || V < 0 || V > 1 << 20) {
    std::fprintf(stderr, "allocsel-clangd-pump: not a file descriptor: '%s'\n", S);
    std::exit(2);
  }
  return static_cast<int>(V);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 8) {
    std::fprintf(stderr,
                 "usage: allocsel-clangd-pump EDITOR_IN EDITOR_OUT CLANGD_IN CLANGD_OUT "
                 "CORE_IN CORE_OUT WORD...\n(started by allocsel-clangd, not by hand)\n");
    return 2;
  }
  Pump P(fdArg(argv[1]), fdArg(argv[2]), fdArg(argv[3]), fdArg(argv[4]), fdArg(argv[5]),
         fdArg(argv[6]));
  P.FollowedWords.assign(argv + 7, argv + argc);
  std::thread Editor([&] { P.fromEditor(); });
  std::thread Clangd([&] { P.fromClangd(); });
  P.fromCore(); // until the core closes its end, after clangd's
  Clangd.join();
  // The editor may never close its end: do not wait for that thread.
  Editor.detach();
  std::fflush(nullptr);
  _exit(0);
}
