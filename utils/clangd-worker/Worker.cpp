//===- Worker.cpp - allocsel-clangd's long-lived compiler -----------------===//
//
// allocsel-clangd-worker-N PLUGIN: Clang N's frontend in one long-lived
// process, with allocsel's plugin loaded, compiling the open files of an
// editor as clangd does: each file's preamble (the #include lines at its
// top) is precompiled once, in memory, and every later compile of the file
// parses only the rest of its text (clang's PrecompiledPreamble, as clangd
// uses it). A new clang process per edit costs 0.2-0.3 s before any work
// (starting, loading a PCH); this answers in the time the file's own code
// takes to parse.
//
// Requests on stdin, answers on stdout, each one line of JSON:
//   {"argv": [driver, args..., file], "cwd": DIR, "file": FILE,
//    "unsaved": {PATH: TEXT, ...}, "preamble": true}
//   -> {"status": 0|1, "output": "clang's diagnostics, as clang prints
//       them", "preamble": "reused" | "built" | "none: WHY"}
// With "record": true, the answer has "record": the unit's record in hex
// (-fplugin-arg-allocsel-record-to, to a memory file of this process; none
// if the unit has errors).
// argv is a clang driver command with -fsyntax-only (allocsel-clangd's
// run of the file, without its -ivfsoverlay: the unsaved texts come in the
// request). The plugin's attribute, pragmas and AST action are registered
// once, when PLUGIN is loaded, and take part in every compile, the preamble's
// too.
//
// A preamble whose files (other than allocsel's own headers, under
// --allocsel-include DIR) name global_allocator, needs_allocator or
// allocsel's pragmas is not used: the plugin sees those while clang parses
// them, which a preamble skips (docs/design.md, "Preambles").
//
//===----------------------------------------------------------------------===//

#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/FrontendActions.h"
#include "clang/Frontend/PrecompiledPreamble.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Frontend/Utils.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Serialization/PCHContainerOperations.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/DynamicLibrary.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <sys/mman.h>
#include <unistd.h>

#include <iostream>
#include <list>
#include <memory>
#include <optional>
#include <string>

using namespace clang;

namespace {

/// How many files' preambles are kept (the least recently used goes).
constexpr std::size_t MaxPreambles = 8;

struct Request {
  std::vector<std::string> Argv;
  std::string Cwd, File;
  llvm::StringMap<std::string> Unsaved;
  bool UsePreamble = true;
  /// Also the unit's record (-fplugin-arg-allocsel-record-to).
  bool Record = false;
};

struct Answer {
  int Status = 1;
  std::string Output;
  std::string Preamble;
  std::string Record; // the record's bytes, if asked for and written
};

constexpr llvm::StringLiteral RecordTo = "record-to=";

/// The files a preamble was built from, read once it is built.
class FilesCallbacks : public PreambleCallbacks {
public:
  std::vector<std::string> Files;
  void AfterExecute(CompilerInstance &CI) override {
    SourceManager &SM = CI.getSourceManager();
    for (auto It = SM.fileinfo_begin(); It != SM.fileinfo_end(); ++It)
      Files.push_back(It->first.getName().str());
  }
};

struct Kept {
  std::string File;
  std::shared_ptr<PrecompiledPreamble> Preamble; // null: not to be used
  std::string Why;                               // why not, then
  /// The preamble's text and the command it was decided for: while both
  /// stay, a "not to be used" stands (no build again).
  std::string Region, Command;
  /// What its build printed (an error in a header): a compile from the
  /// PCH does not print it again, so every answer that uses it does.
  std::string Output;
  bool Errors = false;
};

class Worker {
public:
  explicit Worker(std::string AllocselInclude)
      : AllocselInclude(std::move(AllocselInclude)),
        PCHOps(std::make_shared<PCHContainerOperations>()),
        Words("global_allocator|needs_allocator|allocsel[ \t]+allocator"),
        LineDirective("(^|\n)[ \t]*#[ \t]*(line[ \t]|[0-9])") {}

  Answer compile(const Request &R);

private:
  /// The preamble kept for the file, moved to the front; or a new entry.
  Kept &entry(const std::string &File);
  /// Why a built preamble must not be used, or "".
  std::string namesAllocsel(const std::vector<std::string> &Files, llvm::StringRef Main,
                            llvm::vfs::FileSystem &FS) const;

  std::string AllocselInclude;
  std::shared_ptr<PCHContainerOperations> PCHOps;
  llvm::Regex Words, LineDirective;
  std::list<Kept> Preambles; // most recently used first
};

Kept &Worker::entry(const std::string &File) {
  for (auto It = Preambles.begin(); It != Preambles.end(); ++It)
    if (It->File == File) {
      Preambles.splice(Preambles.begin(), Preambles, It);
      return Preambles.front();
    }
  Preambles.push_front(Kept{File, nullptr, "", "", "", "", false});
  if (Preambles.size() > MaxPreambles)
    Preambles.pop_back();
  return Preambles.front();
}

std::string Worker::namesAllocsel(const std::vector<std::string> &Files, llvm::StringRef Main,
                                  llvm::vfs::FileSystem &FS) const {
  // By real path: allocsel's headers may be reached through a link.
  auto Real = [](llvm::StringRef P) {
    llvm::SmallString<256> Out;
    if (llvm::sys::fs::real_path(P, Out))
      Out = P;
    return std::string(Out);
  };
  std::string Own = AllocselInclude.empty() ? "" : Real(AllocselInclude) + "/";
  std::string RealMain = Real(Main);
  for (const std::string &F : Files) {
    std::string RealF = Real(F);
    if (RealF == RealMain || (!Own.empty() && llvm::StringRef(RealF).starts_with(Own)))
      continue;
    auto Buf = FS.getBufferForFile(F);
    if (Buf && Words.match((*Buf)->getBuffer()))
      return "a header of it names allocsel's attributes or pragmas (" + F + ")";
  }
  return "";
}

Answer Worker::compile(const Request &R) {
  Answer A;
  llvm::raw_string_ostream Out(A.Output);

  // The unsaved texts over the real files.
  // Its own working directory (the real one is the process's).
  IntrusiveRefCntPtr<llvm::vfs::FileSystem> Real(llvm::vfs::createPhysicalFileSystem().release());
  auto Memory = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
  for (const auto &U : R.Unsaved)
    Memory->addFile(U.getKey(), 0, llvm::MemoryBuffer::getMemBufferCopy(U.getValue(), U.getKey()));
  auto Overlay = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(Real);
  Overlay->pushOverlay(Memory);
  Overlay->setCurrentWorkingDirectory(R.Cwd); // every layer's
  IntrusiveRefCntPtr<llvm::vfs::FileSystem> VFS = Overlay;

  // The driver's command as clang -cc1's invocation; its diagnostics (a
  // bad flag) are printed like the compile's.
  // The record goes to a memory file of this process, read back below.
  std::vector<std::string> Argv = R.Argv;
  int RecordFd = -1;
  if (R.Record && !Argv.empty()) {
    RecordFd = memfd_create("allocsel-record", MFD_CLOEXEC);
    if (RecordFd >= 0)
      Argv.insert(Argv.end() - 1, "-fplugin-arg-allocsel-" + RecordTo.str() + "/proc/self/fd/" +
                                      std::to_string(RecordFd));
  }
  auto CloseRecord = llvm::make_scope_exit([&] {
    if (RecordFd >= 0)
      close(RecordFd);
  });
  std::vector<const char *> Args;
  for (const std::string &S : Argv)
    Args.push_back(S.c_str());
  auto DriverOpts = llvm::makeIntrusiveRefCnt<DiagnosticOptions>();
  auto *DriverPrinter = new TextDiagnosticPrinter(Out, DriverOpts.get());
  CreateInvocationOptions CIOpts;
  CIOpts.VFS = VFS;
  CIOpts.Diags = CompilerInstance::createDiagnostics(DriverOpts.get(), DriverPrinter);
  std::shared_ptr<CompilerInvocation> CI = createInvocation(Args, CIOpts);
  if (!CI) {
    Out << "allocsel-clangd-worker: error: cannot make a compile of this command\n";
    return A;
  }
  CI->getFrontendOpts().DisableFree = false;

  // The compile's diagnostics, as clang prints them (its options: the
  // parseable fix-its allocsel-clangd reads). One engine for the
  // preamble's build, another for the compile: an engine's warning options
  // are set once, when it is made.
  DiagnosticOptions &DiagOpts = CI->getDiagnosticOpts();
  auto NewDiags = [&] {
    return CompilerInstance::createDiagnostics(&DiagOpts, new TextDiagnosticPrinter(Out, &DiagOpts));
  };

  auto Main = VFS->getBufferForFile(R.File);
  if (!Main) {
    Out << R.File << ": error: cannot read: " << Main.getError().message() << "\n";
    return A;
  }
  std::unique_ptr<llvm::MemoryBuffer> MainBuffer = std::move(*Main);

  // The file's preamble: reused while its text and files have not changed,
  // else built again.
  std::shared_ptr<PrecompiledPreamble> Use;
  bool PreambleErrors = false;
  if (R.UsePreamble) {
    PreambleBounds Bounds = ComputePreambleBounds(CI->getLangOpts(), *MainBuffer, 0);
    std::string Region = MainBuffer->getBuffer().take_front(Bounds.Size).str();
    std::string Command = llvm::join(R.Argv, "\n");
    Kept &K = entry(R.File);
    // A preamble not to be used for this text and command, and why.
    auto Refuse = [&](std::string Why) {
      K = Kept{R.File, nullptr, std::move(Why), Region, Command, "", false};
    };
    if (K.Preamble && K.Preamble->CanReuse(*CI, MainBuffer->getMemBufferRef(), Bounds, *VFS)) {
      Use = K.Preamble;
      A.Preamble = "reused";
    } else if (!K.Preamble && !K.Why.empty() && K.Region == Region && K.Command == Command) {
      A.Preamble = "none: " + K.Why;
    } else if (Bounds.Size == 0) {
      Refuse("the file has no #include at its top");
      A.Preamble = "none: " + K.Why;
    } else if (LineDirective.match(Region)) {
      // Its line table would stay in the PCH: the rest of the file would
      // be placed by its physical lines.
      Refuse("a #line directive among its #include lines");
      A.Preamble = "none: " + K.Why;
    } else {
      // What the driver printed stays; what the build prints is the
      // preamble's own.
      std::size_t DriverEnd = A.Output.size();
      FilesCallbacks Callbacks;
      IntrusiveRefCntPtr<DiagnosticsEngine> BuildDiags = NewDiags();
      // Built without a record (the plugin would write the preamble's).
      CompilerInvocation ForPreamble(*CI);
      llvm::erase_if(ForPreamble.getFrontendOpts().PluginArgs["allocsel"],
                     [](const std::string &A) { return llvm::StringRef(A).starts_with(RecordTo); });
      auto Built = PrecompiledPreamble::Build(ForPreamble, MainBuffer.get(), Bounds, *BuildDiags,
                                              VFS, PCHOps, /*StoreInMemory=*/true, "", Callbacks);
      if (!Built) {
        Refuse("its build failed: " + Built.getError().message());
      } else if (std::string Why = namesAllocsel(Callbacks.Files, R.File, *VFS); !Why.empty()) {
        Refuse(std::move(Why));
      } else {
        K = Kept{R.File, std::make_shared<PrecompiledPreamble>(std::move(*Built)), "", Region,
                 Command, A.Output.substr(DriverEnd), BuildDiags->hasErrorOccurred()};
        Use = K.Preamble;
      }
      A.Preamble = Use ? "built" : "none: " + K.Why;
      // Without the preamble the compile below parses its lines again and
      // prints what they give; with it, K.Output is that.
      A.Output.resize(DriverEnd);
    }
    if (Use)
      Out << K.Output;
    PreambleErrors = Use && K.Errors;
  }

  // As clangd does: the main file's text is a remapped buffer, which the
  // compile owns from here.
  if (Use)
    Use->AddImplicitPreamble(*CI, VFS, MainBuffer.get());
  else
    CI->getPreprocessorOpts().addRemappedFile(R.File, MainBuffer.get());
  IntrusiveRefCntPtr<DiagnosticsEngine> Diags = NewDiags();
  CompilerInstance Clang(PCHOps);
  Clang.setInvocation(CI);
  Clang.setDiagnostics(Diags.get());
  Clang.createFileManager(VFS);
  MainBuffer.release();
  SyntaxOnlyAction Action;
  Clang.ExecuteAction(Action);
  A.Status = Diags->hasErrorOccurred() || PreambleErrors ? 1 : 0;
  if (RecordFd >= 0) {
    char Buf[1 << 16];
    for (off_t At = 0;;) {
      ssize_t N = pread(RecordFd, Buf, sizeof Buf, At);
      if (N <= 0)
        break;
      A.Record.append(Buf, N);
      At += N;
    }
  }
  Out.flush();
  return A;
}

std::optional<Request> parse(llvm::StringRef Line, std::string &Error) {
  llvm::Expected<llvm::json::Value> V = llvm::json::parse(Line);
  if (!V) {
    Error = llvm::toString(V.takeError());
    return std::nullopt;
  }
  const llvm::json::Object *O = V->getAsObject();
  Request R;
  const llvm::json::Array *Argv = O ? O->getArray("argv") : nullptr;
  std::optional<llvm::StringRef> Cwd = O ? O->getString("cwd") : std::nullopt;
  std::optional<llvm::StringRef> File = O ? O->getString("file") : std::nullopt;
  if (!Argv || !Cwd || !File) {
    Error = "a request needs argv, cwd and file";
    return std::nullopt;
  }
  for (const llvm::json::Value &A : *Argv)
    if (std::optional<llvm::StringRef> S = A.getAsString())
      R.Argv.push_back(S->str());
  R.Cwd = Cwd->str();
  R.File = File->str();
  if (const llvm::json::Object *U = O->getObject("unsaved"))
    for (const auto &KV : *U)
      if (std::optional<llvm::StringRef> S = KV.second.getAsString())
        R.Unsaved[KV.first.str()] = S->str();
  if (std::optional<bool> P = O->getBoolean("preamble"))
    R.UsePreamble = *P;
  if (std::optional<bool> Rec = O->getBoolean("record"))
    R.Record = *Rec;
  return R;
}

} // namespace

int main(int argc, char **argv) {
  std::string Plugin, Include;
  for (int I = 1; I < argc; ++I) {
    llvm::StringRef A = argv[I];
    if (A == "--allocsel-include" && I + 1 < argc)
      Include = argv[++I];
    else
      Plugin = A.str();
  }
  if (Plugin.empty()) {
    llvm::errs() << "usage: allocsel-clangd-worker [--allocsel-include DIR] PLUGIN\n";
    return 2;
  }
  std::string Error;
  if (llvm::sys::DynamicLibrary::LoadLibraryPermanently(Plugin.c_str(), &Error)) {
    llvm::errs() << "allocsel-clangd-worker: cannot load " << Plugin << ": " << Error << "\n";
    return 2;
  }
  Worker W(Include);
  std::string Line;
  while (std::getline(std::cin, Line)) {
    llvm::json::Object Reply;
    if (std::optional<Request> R = parse(Line, Error)) {
      Answer A = W.compile(*R);
      Reply["status"] = A.Status;
      Reply["output"] = std::move(A.Output);
      Reply["preamble"] = std::move(A.Preamble);
      if (R->Record)
        Reply["record"] = llvm::toHex(A.Record, /*LowerCase=*/true);
    } else {
      Reply["status"] = 2;
      Reply["output"] = "allocsel-clangd-worker: error: bad request: " + Error + "\n";
    }
    llvm::outs() << llvm::json::Value(std::move(Reply)) << "\n";
    llvm::outs().flush();
  }
  return 0;
}
