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
//   allocsel-clangd-pump MAX_MESSAGE MAX_HEADER EDITOR_IN EDITOR_OUT CLANGD_IN
//                        CLANGD_OUT CORE_IN CORE_OUT WORD...
//
// MAX_MESSAGE, MAX_HEADER: the framing limits (LspFraming.h; the core's
// MAX_MESSAGE and MAX_HEADER, one definition). WORDs: the core's list of what
// the editor's messages it follows contain (EDITOR_WATCHED in
// allocsel-clangd, the one list). A message refused for its framing is
// skipped, as clangd skips it, and said on standard error (the editor's log
// of the server).
//
// The pump dies with the core (PR_SET_PDEATHSIG). The same program starts
// the core's other children so that they die with it too:
//
//   allocsel-clangd-pump --tied PARENT_PID SIGNAL [--preload PLUGIN] PROGRAM ARG...
//
// sets SIGNAL as its parent-death signal, exits if PARENT_PID is already
// gone, and executes PROGRAM (clangd, each allocsel run of clang); with
// --preload, PROGRAM (clangd) runs with allocsel's PLUGIN preloaded
// (facts/Hosted.h): set here, so that no other process gets LD_PRELOAD.
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

#include "LspFraming.h"
#include "facts/Hosted.h"

#include <cerrno>
#include <csignal>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <sys/prctl.h>
#include <unistd.h>
#include <vector>

namespace {
namespace lsp = allocsel::lsp;

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
  lsp::Limits Limits;

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

  Pump(int EditorIn, int EditorOut, int ClangdIn, int ClangdOut, int CoreIn, int CoreOut,
       lsp::Limits Limits)
      : ToEditor(EditorOut), ToClangd(ClangdIn), ToCore(CoreOut), EditorIn(EditorIn),
        ClangdOut(ClangdOut), CoreIn(CoreIn), Limits(Limits) {}

  /// A reader of \p Fd that says on standard error (the editor's log of
  /// the server) why it skips a header.
  lsp::Reader reader(int Fd, const char *From) {
    lsp::Reader R(Fd, Limits);
    R.OnRefusal = [From](const char *Why) {
      std::fprintf(stderr, "allocsel-clangd-pump: skipped a message header from %s: %s\n", From,
                   Why);
    };
    return R;
  }

  void fromEditor() {
    lsp::Reader R = reader(EditorIn, "the editor");
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
    lsp::Reader R = reader(ClangdOut, "clangd");
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
    lsp::Reader R = reader(CoreIn, "the core");
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

long numberArg(const char *S, long Max, const char *What) {
  char *End = nullptr;
  errno = 0;
  long V = std::strtol(S, &End, 10);
  if (!*S || *End || errno || V < 0 || V > Max) {
    std::fprintf(stderr, "allocsel-clangd-pump: not %s: '%s'\n", What, S);
    std::exit(2);
  }
  return V;
}

int fdArg(const char *S) { return static_cast<int>(numberArg(S, 1 << 20, "a file descriptor")); }

/// --tied PARENT_PID SIGNAL [--preload PLUGIN] PROGRAM ARG...: PROGRAM,
/// killed by SIGNAL when the thread that started it (allocsel-clangd's) ends.
int runTied(int argc, char **argv) {
  int Program = 4;
  if (argc > 6 && std::strcmp(argv[4], "--preload") == 0)
    Program = 6;
  if (argc <= Program) {
    std::fprintf(stderr, "usage: allocsel-clangd-pump --tied PARENT_PID SIGNAL [--preload PLUGIN] "
                         "PROGRAM ARG...\n");
    return 2;
  }
  pid_t Parent = static_cast<pid_t>(numberArg(argv[2], 1L << 30, "a process id"));
  int Signal = static_cast<int>(numberArg(argv[3], 64, "a signal number"));
  if (prctl(PR_SET_PDEATHSIG, Signal) != 0 || getppid() != Parent)
    _exit(127); // the parent is gone already: nothing to run for
  if (Program == 6) {
    std::string Preload = argv[5];
    if (const char *Old = std::getenv("LD_PRELOAD"); Old && *Old)
      Preload += std::string(":") + Old;
    if (setenv("LD_PRELOAD", Preload.c_str(), 1) != 0 ||
        setenv(allocsel::HostedVariable, argv[5], 1) != 0)
      _exit(127);
  }
  execvp(argv[Program], argv + Program);
  std::fprintf(stderr, "allocsel-clangd-pump: cannot run %s: %s\n", argv[Program],
               std::strerror(errno));
  _exit(127);
}

} // namespace

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "--tied") == 0)
    return runTied(argc, argv);
  if (argc < 10) {
    std::fprintf(stderr,
                 "usage: allocsel-clangd-pump MAX_MESSAGE MAX_HEADER EDITOR_IN EDITOR_OUT "
                 "CLANGD_IN CLANGD_OUT CORE_IN CORE_OUT WORD...\n(started by allocsel-clangd, "
                 "not by hand)\n");
    return 2;
  }
  // The core is this process's parent: without it, nobody reads what the
  // pump hands over.
  pid_t Core = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != Core)
    _exit(1);
  lsp::Limits Limits;
  Limits.MaxMessage = static_cast<size_t>(numberArg(argv[1], 1L << 40, "a message limit"));
  Limits.MaxHeader = static_cast<size_t>(numberArg(argv[2], 1L << 30, "a header limit"));
  Pump P(fdArg(argv[3]), fdArg(argv[4]), fdArg(argv[5]), fdArg(argv[6]), fdArg(argv[7]),
         fdArg(argv[8]), Limits);
  P.FollowedWords.assign(argv + 9, argv + argc);
  std::thread Editor([&] { P.fromEditor(); });
  std::thread Clangd([&] { P.fromClangd(); });
  P.fromCore(); // until the core closes its end, after clangd's
  Clangd.join();
  // The editor may never close its end: do not wait for that thread.
  Editor.detach();
  std::fflush(nullptr);
  _exit(0);
}
