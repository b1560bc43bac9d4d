//===- Check.cpp - whole-program checks over allocsel facts ---------------===//

#include "Check.h"
#include "DiagnosticNames.h"
#include "LinkDiagnostics.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace allocsel::link {
namespace {

/// One selection and the artifact that holds it.
struct Site {
  const facts::UnitRecord *Rec;
  const Artifact *In;
  const facts::Selection &sel() const { return *Rec->Selected; }
};

/// The same unit can reach the checker twice (an archive member and the
/// executable it was linked into): a selection is identified by its unit and
/// its place in the source, not by the file it was read from.
std::string identity(const facts::UnitRecord &R) {
  const facts::Selection &S = *R.Selected;
  return R.Unit + '\0' + S.Variable + '\0' + S.Loc.File + '\0' +
         std::to_string(S.Loc.Line) + ':' + std::to_string(S.Loc.Column);
}

/// Error \p M, its text filled in with \p Args.
template <typename... Ts>
Finding finding(Msg M, std::optional<facts::Location> Loc, const Origin &Where, Ts &&...Args) {
  Finding F;
  F.Name = nameOf(info(M).Name);
  F.Message = message(M, std::forward<Ts>(Args)...);
  F.Loc = std::move(Loc);
  F.Where = Where;
  return F;
}

/// Note \p M, its text filled in with \p Args.
template <typename... Ts>
Finding::Note note(Msg M, std::optional<facts::Location> Loc, const Origin &Where,
                   Ts &&...Args) {
  return {message(M, std::forward<Ts>(Args)...), std::move(Loc), Where};
}

/// What a linked artifact's routes serve: its selection, or the default.
struct Routing {
  const facts::UnitRecord *Selection = nullptr;
  const facts::UnitRecord *Default = nullptr;
  unsigned Units = 0; // records of units compiled with allocsel
};

Routing routingOf(const Artifact &A) {
  Routing R;
  for (const facts::UnitRecord &Rec : A.Records) {
    if (!Rec.DefaultRoutes.empty()) {
      R.Default = &Rec;
      continue;
    }
    ++R.Units;
    if (Rec.Selected && !R.Selection)
      R.Selection = &Rec;
  }
  return R;
}

const char *kindName(Artifact::Kind K) {
  switch (K) {
  case Artifact::Object:
    return "object";
  case Artifact::Bitcode:
    return "bitcode object";
  case Artifact::Executable:
    return "executable";
  case Artifact::SharedLibrary:
    return "shared library";
  }
  return "file";
}

/// How users read a function the records name by its symbol:
/// "_ZN3app4initEv" is "app::init".
std::string displayOf(const std::string &Display, const std::string &Symbol) {
  if (!Display.empty())
    return Display;
  llvm::ItaniumPartialDemangler D;
  if (D.partialDemangle(Symbol.c_str()))
    return Symbol; // not mangled: a C name
  std::size_t N = 0;
  char *Buf = D.isFunction() ? D.getFunctionName(nullptr, &N) : nullptr;
  if (!Buf)
    return Symbol;
  std::string Out(Buf);
  std::free(Buf);
  return Out;
}

/// A function summary and where it was read.
struct Summarized {
  const facts::FunctionSummary *Fn;
  const facts::UnitRecord *Unit;
  const Artifact *In;
};

/// A function whose address a unit takes, and that unit.
struct Target {
  const facts::AddressTaken *Taken;
  const facts::UnitRecord *Unit;
  const Artifact *In;
  /// Passed to a parameter, not only its address taken (Taken is its
  /// Passed).
  const facts::ParameterBinding *Binding = nullptr;
};

/// Part of a chain: a function, then the calls it makes inside its unit.
/// \p Via: the function was reached through a pointer (its address taken
/// there), not by a call that names it.
struct Segment {
  Summarized From;
  const std::vector<facts::Step> *Steps;
  const Target *Via = nullptr;
};

/// The pointer a type key stands for (docs/facts-format.md, "Type keys"),
/// as users read it: "FvmE" is "a pointer to 'void (unsigned long)'".
std::string pointerOf(llvm::StringRef Key) {
  if (Key == "St11new_handler")
    return message(Msg::PointerToNewHandler);
  bool Member = Key.consume_front("M");
  std::string Type = Key.str();
  if (char *Demangled = llvm::itaniumDemangle(Type)) {
    Type = Demangled;
    std::free(Demangled);
  }
  return message(Member ? Msg::PointerToMember : Msg::PointerToFunction, Type);
}

/// The needs_allocator rule across units: from every root (an Alloc member
/// of the selection, or a function of an allocator unit), follow the calls
/// that leave a unit into the units that define their targets, until a
/// function that allocates. Chains inside one unit were reported when it
/// was compiled; these are the chains that cross units.
class CrossUnit {
public:
  CrossUnit(const Inputs &In, const CheckOptions &Opts) : Opts(Opts) {
    for (const Artifact &A : In.Artifacts)
      for (const facts::UnitRecord &R : A.Records) {
        for (const facts::FunctionSummary &F : R.Functions) {
          if (F.Defined)
            Defs.try_emplace(F.Symbol, Summarized{&F, &R, &A});
          if (F.Root)
            Roots.push_back({&F, &R, &A});
        }
        for (const facts::MarkedFunction &M : R.Marked)
          Marked.try_emplace(M.Symbol, M.Display);
        // Calls through pointers, and what they can reach (1.1 records).
        for (const facts::PointerCall &C : R.PointerCalls)
          PointerCallsOf[C.Function < R.Functions.size()
                             ? &R.Functions[C.Function]
                             : &R.Callbacks[C.Function - R.Functions.size()]]
              .push_back(&C);
        for (const facts::FunctionSummary &F : R.Callbacks)
          CallbacksOf[&R].try_emplace(F.Symbol, Summarized{&F, &R, &A});
        for (const facts::AddressTaken &T : R.Taken)
          TargetsOf[T.Type].push_back({&T, &R, &A});
        // Calls through parameters, and what the units pass to them (1.2).
        for (const facts::ParameterCall &C : R.ParameterCalls)
          ParameterOf[&R.PointerCalls[C.Call]] = &C;
        for (const facts::ParameterBinding &B : R.Bindings) {
          ParameterTargets &P = PassedTo[parameterKey(B.Function, B.Param)];
          if (B.Passed.Symbol.empty())
            P.Any = true;
          else
            P.Passed.push_back({&B.Passed, &R, &A, &B});
        }
      }
    for (const Artifact &A : In.Artifacts)
      for (const std::string &Name : A.Defined)
        DefinedAnywhere.insert(Name);
  }

  void run(std::vector<Finding> &Out) {
    llvm::StringSet<> Reported;
    for (const Summarized &Root : Roots) {
      // The same root may be listed by the selection's unit (declared) and
      // by its defining unit.
      if (!Reported.insert(Root.Fn->Symbol).second)
        continue;
      search(Root, Out);
    }
  }

private:
  struct Path {
    Summarized At;
    std::vector<Segment> Segments; // how At was reached
    const Target *Via = nullptr;   // At was reached through this pointer
  };

  void search(const Summarized &Root, std::vector<Finding> &Out) {
    std::vector<Path> Queue;
    llvm::StringSet<> Seen{Root.Fn->Symbol};            // symbols called
    llvm::SmallPtrSet<const facts::FunctionSummary *, 16> Reached; // functions queued
    if (Root.Fn->Defined) {
      Queue.push_back({Root, {}});
    } else {
      // An Alloc member the selection's unit only declares.
      auto It = Defs.find(Root.Fn->Symbol);
      if (It == Defs.end())
        return; // its body is in none of the inputs
      if (It->second.Fn->Allocates)
        return report(Root, {It->second, {}}, Out, nullptr);
      Queue.push_back({It->second, {}});
    }
    Reached.insert(Queue.front().At.Fn);
    for (size_t I = 0; I < Queue.size(); ++I) {
      Path P = Queue[I];
      for (const facts::ExternalCall &C : P.At.Fn->Calls) {
        if (!Seen.insert(C.Symbol).second)
          continue;
        std::vector<Segment> Segments = P.Segments;
        Segments.push_back({P.At, &C.Steps, P.Via});
        if (auto M = Marked.find(C.Symbol); M != Marked.end())
          return report(Root, {P.At, Segments}, Out, &M->second);
        auto D = Defs.find(C.Symbol);
        if (D == Defs.end()) {
          // Not summarized: a function that neither allocates nor calls out
          // of its unit, or one defined in none of the inputs.
          if (Opts.Strict && !DefinedAnywhere.contains(C.Symbol))
            return reportUnknown(Root, Segments, C, Out);
          continue;
        }
        if (!Reached.insert(D->second.Fn).second)
          continue;
        if (D->second.Fn->Allocates)
          return report(Root, {D->second, Segments}, Out, nullptr);
        Queue.push_back({D->second, std::move(Segments)});
      }
      // A call through a pointer reaches the functions of its type whose
      // address another unit takes (the unit's own were followed when it
      // was compiled); --strict counts it as allocating, as in a unit.
      for (const facts::PointerCall *C : PointerCallsOf.lookup(P.At.Fn)) {
        std::vector<Segment> Segments = P.Segments;
        Segments.push_back({P.At, &C->Steps, P.Via});
        if (Opts.Strict)
          return reportPointerCall(Root, Segments, Out);
        const std::vector<Target> *Targets = targetsOf(*C);
        if (!Targets)
          continue;
        for (const Target &T : *Targets) {
          if (T.Unit->Unit == P.At.Unit->Unit)
            continue;
          if (auto M = Marked.find(T.Taken->Symbol); M != Marked.end())
            return report(Root, {P.At, Segments}, Out, &M->second, &T);
          std::optional<Summarized> S = resolve(T);
          if (!S || !Reached.insert(S->Fn).second)
            continue;
          if (S->Fn->Allocates)
            return report(Root, {*S, Segments, &T}, Out, nullptr);
          Queue.push_back({*S, Segments, &T});
        }
      }
    }
  }

  /// What a call through a pointer can reach in other units (and in its
  /// own, which the caller skips): through a parameter that its function
  /// never changes, the functions passed to that parameter, unless some
  /// unit passes it something else or takes its function's address; else
  /// the functions of its type whose address is taken.
  const std::vector<Target> *targetsOf(const facts::PointerCall &C) const {
    if (auto P = ParameterOf.find(&C); P != ParameterOf.end()) {
      auto It = PassedTo.find(parameterKey(P->second->Function, P->second->Param));
      if (It == PassedTo.end())
        return nullptr; // nothing is passed to it
      if (!It->second.Any)
        return &It->second.Passed;
    }
    auto It = TargetsOf.find(C.Type);
    return It == TargetsOf.end() ? nullptr : &It->second;
  }
  static std::string parameterKey(llvm::StringRef Function, std::uint32_t Param) {
    return (Function + "#" + llvm::Twine(Param)).str();
  }

  /// The summary of an address-taken function: the unit's own (a static or
  /// inline function), else the one of the function other units call by
  /// that name.
  std::optional<Summarized> resolve(const Target &T) const {
    if (auto U = CallbacksOf.find(T.Unit); U != CallbacksOf.end())
      if (auto F = U->second.find(T.Taken->Symbol); F != U->second.end())
        return F->second;
    if (auto D = Defs.find(T.Taken->Symbol); D != Defs.end())
      return D->second;
    return std::nullopt;
  }

  /// The error, at the root's definition, and where the selection is.
  /// \p Reached says what the chain ends at and in which input.
  Finding start(const Summarized &Root, const std::string &Reached) {
    const facts::FunctionSummary &F = *Root.Fn;
    Summarized Def = Root;
    if (!F.Defined)
      if (auto It = Defs.find(F.Symbol); It != Defs.end())
        Def = It->second;
    std::string Name = displayOf(F.Display, F.Symbol);
    if (!Root.Unit->Selected || Root.Unit->AllocatorUnit)
      return finding(Msg::CycleAllocatorUnit, Def.Fn->Loc, Def.In->Where, Name, Reached);
    const facts::Selection &Sel = *Root.Unit->Selected;
    Finding Fd =
        finding(Msg::CycleMember, Def.Fn->Loc, Def.In->Where, Name, Sel.Variable, Reached);
    Fd.Notes.push_back(note(Msg::SelectedHere, Sel.Loc, Root.In->Where, Sel.Variable));
    return Fd;
  }

  /// One note per call, as the plugin writes them, and a note naming the
  /// file where the chain enters each unit.
  /// \p CalledAs: the name the previous unit's note gave this function (the
  /// plugin's, as in the unit's own diagnostics), so one function is not
  /// named two ways (`Pool<64>` there, the demangler's `Pool<64ul>` here).
  void addSteps(Finding &Fd, const Segment &S, bool First, std::string &CalledAs) {
    std::string Caller = CalledAs.empty() || S.Via
                             ? displayOf(S.From.Fn->Display, S.From.Fn->Symbol)
                             : CalledAs;
    const Origin &In = S.From.In->Where;
    if (S.Via)
      Fd.Notes.push_back(throughPointer(*S.Via, Caller));
    if (!First) // the error itself names where the chain starts
      Fd.Notes.push_back(note(Msg::DefinedIn, S.From.Fn->Loc, In, Caller, In.str()));
    for (const facts::Step &St : *S.Steps) {
      // The summary keeps a unit's first and last calls; compiling that
      // unit with the plugin shows every call between.
      bool Indirect = St.Callee == facts::IndirectCall;
      if (St.Skipped && Indirect)
        Fd.Notes.push_back(
            note(Msg::IndirectCallAfter, St.Loc, In, Caller, St.Skipped, In.str()));
      else if (St.Skipped)
        Fd.Notes.push_back(
            note(Msg::CallsAfter, St.Loc, In, Caller, St.Callee, St.Skipped, In.str()));
      else if (Indirect)
        Fd.Notes.push_back(note(Msg::IndirectCall, St.Loc, In, Caller));
      else
        Fd.Notes.push_back(note(Msg::Calls, St.Loc, In, Caller, St.Callee));
      Caller = St.Callee;
    }
    CalledAs = S.Steps->empty() ? std::string() : S.Steps->back().Callee;
  }

  /// Why an indirect call's chain goes on at \p Callee.
  Finding::Note throughPointer(const Target &T, const std::string &Callee) {
    if (const facts::ParameterBinding *B = T.Binding)
      return note(Msg::ThroughParameter, T.Taken->Loc, T.In->Where, B->Param + 1,
                  displayOf("", B->Function), Callee, T.In->Where.str());
    return note(Msg::ThroughPointer, T.Taken->Loc, T.In->Where, pointerOf(T.Taken->Type), Callee,
                T.In->Where.str());
  }

  /// \p MarkedVia: the marked function was reached through a pointer.
  void report(const Summarized &Root, const Path &Final, std::vector<Finding> &Out,
              const std::string *MarkedDisplay, const Target *MarkedVia = nullptr) {
    const facts::FunctionSummary &F = *Final.At.Fn;
    // Where the chain's last call is made (the unit of the function that
    // calls the marked function or the allocation).
    std::string From = Final.At.In->Where.str();
    std::string Reached =
        MarkedDisplay                      ? message(Msg::ReachedFunction, *MarkedDisplay, From)
        : F.Sink == facts::IndirectCall ? message(Msg::ReachedIndirectCall, From)
                                        : message(Msg::ReachedFunction, F.Sink, From);
    Finding Fd = start(Root, Reached);
    std::string CalledAs;
    for (const Segment &S : Final.Segments)
      addSteps(Fd, S, &S == &Final.Segments.front(), CalledAs);
    if (MarkedDisplay) {
      if (MarkedVia)
        Fd.Notes.push_back(throughPointer(*MarkedVia, *MarkedDisplay));
      Fd.Notes.push_back(note(Msg::Marked, std::nullopt, Final.At.In->Where, *MarkedDisplay));
    } else {
      std::string Name =
          CalledAs.empty() || Final.Via ? displayOf(F.Display, F.Symbol) : CalledAs;
      addSteps(Fd, {Final.At, &F.Chain, Final.Via}, Final.Segments.empty(), CalledAs);
      if (Final.At.Unit->NeedsAllocatorUnit)
        Fd.Notes.push_back(note(Msg::InNeedsAllocatorUnit, F.Loc, Final.At.In->Where, Name));
    }
    Out.push_back(std::move(Fd));
  }

  void reportUnknown(const Summarized &Root, const std::vector<Segment> &Segments,
                     const facts::ExternalCall &C, std::vector<Finding> &Out) {
    std::string Callee = displayOf(C.Display, C.Symbol);
    Finding Fd = start(Root, message(Msg::ReachedUndefined, Callee));
    std::string CalledAs;
    for (const Segment &S : Segments)
      addSteps(Fd, S, &S == &Segments.front(), CalledAs);
    Fd.Notes.push_back(
        note(Msg::UndefinedStrict, std::nullopt, Segments.back().From.In->Where, Callee));
    Out.push_back(std::move(Fd));
  }

  /// --strict: the chain reaches a call through a pointer (its last step).
  void reportPointerCall(const Summarized &Root, const std::vector<Segment> &Segments,
                         std::vector<Finding> &Out) {
    const Origin &Last = Segments.back().From.In->Where;
    Finding Fd = start(Root, message(Msg::ReachedIndirectCall, Last.str()));
    std::string CalledAs;
    for (const Segment &S : Segments)
      addSteps(Fd, S, &S == &Segments.front(), CalledAs);
    Fd.Notes.push_back(note(Msg::IndirectStrict, std::nullopt, Last));
    Out.push_back(std::move(Fd));
  }

  const CheckOptions &Opts;
  llvm::StringMap<Summarized> Defs;
  /// 1.1 records: each function's calls through pointers; each unit's
  /// callbacks by symbol; address-taken functions by type key.
  llvm::DenseMap<const facts::FunctionSummary *, std::vector<const facts::PointerCall *>>
      PointerCallsOf;
  /// The pointer calls through a parameter (1.2), and by parameter
  /// (parameterKey()) what is passed to it.
  llvm::DenseMap<const facts::PointerCall *, const facts::ParameterCall *> ParameterOf;
  struct ParameterTargets {
    std::vector<Target> Passed;
    bool Any = false; // something other than a function by name is passed
  };
  llvm::StringMap<ParameterTargets> PassedTo;
  llvm::DenseMap<const facts::UnitRecord *, llvm::StringMap<Summarized>> CallbacksOf;
  llvm::StringMap<std::vector<Target>> TargetsOf;
  llvm::StringMap<std::string> Marked;
  llvm::StringSet<> DefinedAnywhere;
  std::vector<Summarized> Roots;
};

/// "'operator new(unsigned long)', 'operator delete(void*)' and 3 more".
std::string operatorList(const std::vector<std::string> &Symbols) {
  std::string Out;
  const size_t Shown = 2;
  for (size_t I = 0; I < Symbols.size() && I < Shown; ++I) {
    if (I)
      Out += Symbols.size() == 2 ? " and " : ", ";
    Out += "'" + llvm::demangle(Symbols[I]) + "'";
  }
  if (Symbols.size() > Shown)
    Out += " and " + std::to_string(Symbols.size() - Shown) + " more";
  return Out;
}

/// allocsel's operators are weak (runtime/src/thunks.h): a strong definition
/// of one in an object the program links (a library that replaces operator
/// new, a unit that defines it) takes its place without a word from the
/// linker. With a selection, new and delete then bypass it; without one, a
/// replacement of some of the 20 splits them between two allocators. A
/// sanitizer's runtime winning is the documented rule for sanitizers.
void replacedOperators(const Inputs &In, const std::vector<Site> &Sites,
                       std::vector<Finding> &Out) {
  auto Report = [&](const Artifact &Where, const std::vector<std::string> &Ops,
                    const facts::UnitRecord *Sel, const Artifact *SelIn) {
    if (!Sel && Ops.size() == replaceableOperators().size())
      return; // the program's own operators, all of them: no allocsel routing
    Finding F = Sel ? finding(Msg::OperatorsReplaceSelection, std::nullopt, Where.Where,
                              Where.Where.str(), operatorList(Ops), Sel->Selected->Variable)
                    : finding(Msg::OperatorsSplitDefault, std::nullopt, Where.Where,
                              Where.Where.str(), operatorList(Ops), Ops.size(),
                              replaceableOperators().size() - Ops.size());
    if (Sel)
      F.Notes.push_back(note(Msg::SelectedHere, Sel->Selected->Loc, SelIn->Where,
                             Sel->Selected->Variable));
    F.Notes.push_back(note(Msg::OperatorsFix, std::nullopt, Where.Where));
    Out.push_back(std::move(F));
  };
  // A linked program says which operators it binds: report what it was
  // linked from (the objects among the inputs that define them), else it.
  // One built with a sanitizer, or without allocsel's operators, has
  // nothing to report.
  bool Linked = false;
  for (const Artifact &L : In.Artifacts) {
    if (!L.isLinked() || L.Dependency)
      continue;
    Linked = true;
    if (!L.Sanitizer.empty())
      return;
    Routing R = routingOf(L);
    if (!R.Selection && !R.Default)
      continue;
    if (L.StrongOperators.empty())
      return;
    bool Named = false;
    for (const Artifact &A : In.Artifacts)
      if (!A.isLinked() && !A.OwnOperators && !A.StrongOperators.empty() &&
          llvm::any_of(A.StrongOperators, [&](const std::string &Op) {
            return llvm::is_contained(L.StrongOperators, Op);
          })) {
        Report(A, A.StrongOperators, R.Selection, &L);
        Named = true;
      }
    if (!Named)
      Report(L, L.StrongOperators, R.Selection, &L);
    return;
  }
  if (Linked)
    return;
  // Objects and archives only, some compiled with allocsel: each that
  // defines operators (an archive member may be one the link would not
  // pull in).
  if (llvm::none_of(In.Artifacts, [](const Artifact &A) { return !A.Records.empty(); }))
    return;
  const Site *Sel = Sites.empty() ? nullptr : &Sites.front();
  for (const Artifact &A : In.Artifacts)
    if (!A.isLinked() && !A.OwnOperators && !A.StrongOperators.empty())
      Report(A, A.StrongOperators, Sel ? Sel->Rec : nullptr, Sel ? Sel->In : nullptr);
}

} // namespace

CheckResult check(const Inputs &In, const CheckOptions &Opts) {
  CheckResult Result;
  for (const InputError &E : In.Errors) {
    Result.BadInput = true;
    Result.Findings.push_back({nameOf(DiagName::BadInput), E.Message, std::nullopt, E.Where, {}});
  }

  // Every distinct selection, in the order the inputs were given.
  std::vector<Site> Sites;
  llvm::StringSet<> Seen;
  for (const Artifact &A : In.Artifacts)
    for (const facts::UnitRecord &R : A.Records)
      if (R.Selected && Seen.insert(identity(R)).second)
        Sites.push_back({&R, &A});

  llvm::StringSet<> Duplicates;
  for (size_t I = 1; I < Sites.size(); ++I) {
    const Site &First = Sites.front(), &Dup = Sites[I];
    Duplicates.insert(identity(*Dup.Rec));
    Finding F = finding(Msg::Duplicate, Dup.sel().Loc, Dup.In->Where, Dup.sel().Variable,
                        Dup.sel().Type, Dup.In->Where.str());
    F.Notes.push_back(note(Msg::PreviousSelection, First.sel().Loc, First.In->Where,
                           First.sel().Variable, First.In->Where.str()));
    Result.Findings.push_back(std::move(F));
  }

  replacedOperators(In, Sites, Result.Findings);

  // With linked artifacts given, a selection read only from objects or
  // archives must have made it into one of them; otherwise the link dropped
  // it (an archive after allocsel's libraries, or a member nothing pulled in)
  // and the program runs on another allocator.
  std::vector<const Artifact *> Linked;
  llvm::StringSet<> LinkedSelections;
  for (const Artifact &A : In.Artifacts)
    if (A.isLinked()) {
      Linked.push_back(&A);
      for (const facts::UnitRecord &R : A.Records)
        if (R.Selected)
          LinkedSelections.insert(identity(R));
    }
  if (!Linked.empty())
    for (const Site &S : Sites) {
      // A duplicate was reported already; the advice below would mislead.
      if (S.In->isLinked() || LinkedSelections.contains(identity(*S.Rec)) ||
          Duplicates.contains(identity(*S.Rec)))
        continue;
      Finding F = finding(Msg::Unlinked, S.sel().Loc, S.In->Where, S.sel().Variable,
                          S.In->Where.str(), Linked.front()->Where.str());
      for (const Artifact *L : Linked) {
        Routing R = routingOf(*L);
        F.Notes.push_back(
            R.Selection ? note(Msg::LinkedUsesSelection, std::nullopt, L->Where, L->Where.str(),
                               R.Selection->Selected->Variable)
            : R.Default ? note(Msg::LinkedUsesDefault, std::nullopt, L->Where, L->Where.str(),
                               R.Default->DefaultRoutes)
                        : note(Msg::LinkedUsesLibrary, std::nullopt, L->Where, L->Where.str()));
      }
      Result.Findings.push_back(std::move(F));
    }

  // The program's one selection is in a provider library the executable
  // loads, but the process will not bind the provider's operators: the
  // executable defines operator new itself (the default, linked because the
  // provider came after allocsel's libraries), or it reaches the provider
  // only through another library (its link never saw the provider, so it
  // took the default, or, without allocsel, the C++ library comes first in
  // load order). A sanitizer's operators winning is the documented rule for
  // sanitizers, not this mistake.
  if (Sites.size() == 1 && Sites.front().In->K == Artifact::SharedLibrary &&
      Sites.front().In->ExportsOperators)
    for (const Artifact &E : In.Artifacts) {
      if (E.K != Artifact::Executable || E.Dependency || !E.Sanitizer.empty() ||
          routingOf(E).Selection)
        continue;
      const Site &P = Sites.front();
      bool Direct = !P.In->Dependency || P.In->NeededBy == E.Where.File;
      if (Direct && !E.ExportsOperators)
        continue; // the provider is bound: the executable's allocator
      Finding F = Direct ? finding(Msg::ProviderAfterDefault, P.sel().Loc, P.In->Where,
                                   P.sel().Variable, P.In->Where.str(), E.Where.str())
                         : finding(Msg::ProviderBehindLibrary, P.sel().Loc, P.In->Where,
                                   P.sel().Variable, P.In->Where.str(), E.Where.str(),
                                   P.In->NeededBy);
      F.Notes.push_back(note(Msg::ProviderAtRunTime, std::nullopt, P.In->Where,
                             P.In->Where.str(), P.sel().Variable));
      Result.Findings.push_back(std::move(F));
    }

  CrossUnit(In, Opts).run(Result.Findings);
  return Result;
}

namespace {

std::string selectionText(const facts::UnitRecord &R) {
  const facts::Selection &S = *R.Selected;
  return S.Variable + " (type " + S.Type + ")";
}

std::string whereText(const facts::UnitRecord &R) {
  const facts::Selection &S = *R.Selected;
  return S.Loc.File + ":" + std::to_string(S.Loc.Line) + ":" + std::to_string(S.Loc.Column) +
         " (unit " + R.Unit + ")";
}

/// The shared libraries \p Exe loads, in the loader's order (the
/// dependencies readDependencies() appended, and linked inputs named after
/// it).
std::vector<const Artifact *> loadOrder(const Inputs &In, const Artifact &Exe) {
  std::vector<const Artifact *> Out;
  for (const Artifact &A : In.Artifacts)
    if (A.Dependency)
      Out.push_back(&A);
  (void)Exe;
  return Out;
}

void explainExecutable(const Inputs &In, const Artifact &A, llvm::raw_ostream &OS) {
  Routing R = routingOf(A);
  // The operator new the loader binds: the executable's, else the first
  // shared library's in load order that defines one.
  const Artifact *Bound = A.ExportsOperators ? &A : nullptr;
  std::vector<const Artifact *> Order = loadOrder(In, A);
  if (!Bound)
    for (const Artifact *L : Order)
      if (L->ExportsOperators) {
        Bound = L;
        break;
      }
  // Providers it links whose operators are not the process's.
  auto NotBound = [&](llvm::raw_ostream &OS) {
    for (const Artifact *L : Order) {
      if (L == Bound)
        continue;
      Routing LR = routingOf(*L);
      if (LR.Selection)
        OS << "  note: " << L->Where.str() << " provides " << selectionText(*LR.Selection)
           << ", but the process binds operator new to "
           << (Bound == &A ? std::string("the executable's") : Bound->Where.str())
           << " first: that library will use the process's allocator\n";
    }
  };
  if (Bound == &A && R.Selection) {
    OS << "  allocator: " << selectionText(*R.Selection) << "\n"
       << "  why: selected with [[global_allocator]] at " << whereText(*R.Selection) << "\n";
  } else if (Bound == &A && R.Default) {
    OS << "  allocator: " << R.Default->DefaultRoutes << " (the default)\n"
       << "  why: none of its " << R.Units
       << " units compiled with allocsel selects a global allocator, and no shared library "
          "it links provides one, so it uses the default for executables (linked with "
          "allocsel-config --ldflags/--libs)\n";
  } else if (Bound && Bound != &A && routingOf(*Bound).Selection) {
    const facts::UnitRecord &Sel = *routingOf(*Bound).Selection;
    OS << "  allocator: " << selectionText(Sel) << ", provided by " << Bound->Where.str() << "\n"
       << "  why: it links " << Bound->Where.str() << " (needed by " << Bound->NeededBy
       << "), which selects a global allocator at " << whereText(Sel)
       << " and exports operator new/delete; the executable defines none, so the "
          "process uses that library's\n";
  } else if (Bound && Bound != &A) {
    llvm::StringRef Name = llvm::StringRef(Bound->Where.File).rsplit('/').second;
    if (Name.empty())
      Name = Bound->Where.File;
    if (Name.starts_with("libstdc++.") || Name.starts_with("libc++."))
      OS << "  allocator: the C++ library's operator new (not routed), from "
         << Bound->Where.str() << "\n";
    else
      OS << "  allocator: the operator new of " << Bound->Where.str() << " (not routed)\n";
    OS
       << "  why: " << (R.Units ? std::to_string(R.Units) + " of its units were compiled with "
                                                          "allocsel, but allocsel's runtime is "
                                                          "not linked: link with allocsel-config "
                                                          "--ldflags and --libs"
                                : std::string("it holds no allocsel records: it was not built "
                                              "with allocsel"))
       << "\n";
  } else if (R.Units || R.Selection) {
    OS << "  allocator: the C++ library's operator new (not routed)\n"
       << "  why: " << R.Units
       << " of its units were compiled with allocsel, but allocsel's runtime is "
          "not linked: link with allocsel-config --ldflags and --libs\n";
  } else {
    OS << "  allocator: the C++ library's operator new (not routed)\n"
       << "  why: it holds no allocsel records: it was not built with allocsel\n";
  }
  NotBound(OS);
  if (A.OperatorsYielded)
    OS << "  note: its operator new is not allocsel's: "
       << (A.Sanitizer.empty() ? std::string("another definition")
                               : "the " + A.Sanitizer + " runtime's")
       << " won the link, so new/delete use "
       << (A.Sanitizer.empty() ? "that" : "the sanitizer's")
       << " allocator and allocsel::Global uses System\n";
  else if (!A.Sanitizer.empty() && Bound == &A)
    OS << "  note: built with " << A.Sanitizer
       << ", whose operators allocsel's replace (the selection keeps routing)\n";
}

void explainShared(const Artifact &A, llvm::raw_ostream &OS) {
  Routing R = routingOf(A);
  if (R.Selection && A.ExportsOperators) {
    OS << "  allocator: " << selectionText(*R.Selection) << ", provided to the process\n"
       << "  why: selected with [[global_allocator]] at " << whereText(*R.Selection)
       << "; the library exports operator new/delete and allocsel's routes: linked into an "
          "executable that defines no operators of its own, it is the process's allocator; "
          "loaded after another operator new was bound (dlopen()), it uses the process's "
          "allocator and says so on stderr\n";
  } else if (R.Selection) {
    OS << "  allocator: the process's (" << selectionText(*R.Selection)
       << " is selected but not linked as a provider)\n"
       << "  why: selected at " << whereText(*R.Selection)
       << ", but the library exports no operator new: link it with allocsel-config "
          "--libs --artifact=shared\n";
  } else if (R.Default) {
    OS << "  allocator: " << R.Default->DefaultRoutes << " (a private default)\n"
       << "  why: linked by an allocsel that gave shared libraries operators of their own; "
          "relink it: a shared library without a selection must use the process's "
          "allocator\n";
  } else {
    OS << "  allocator: the process's\n"
       << "  why: "
       << (R.Units ? "none of its " + std::to_string(R.Units) +
                         " units compiled with allocsel selects a global allocator"
                   : std::string("it holds no allocsel records"))
       << ", so it defines no operator new/delete: its new/delete and allocsel::Global are "
          "its process's (the executable's selection or default, a provider library's, or "
          "the C++ library's own, malloc, in a program without allocsel)\n";
  }
}

/// The records of \p A and their format versions: "2 (record format 1.0)",
/// "3 (2 in record format 1.0, 1 in record format 1.1)".
void explainRecords(const Artifact &A, llvm::raw_ostream &OS) {
  OS << "  records: ";
  if (A.Records.empty()) {
    OS << "none\n";
    return;
  }
  std::map<std::uint8_t, std::size_t> ByMinor; // one major: decode rejects others
  for (const facts::UnitRecord &Rec : A.Records)
    ++ByMinor[Rec.Format.Minor];
  auto Version = [](std::uint8_t Minor) { return facts::Version{facts::Major, Minor}.str(); };
  OS << A.Records.size() << " (";
  if (ByMinor.size() == 1) {
    OS << "record format " << Version(ByMinor.begin()->first);
  } else {
    bool First = true;
    for (auto [Minor, N] : ByMinor) {
      OS << (First ? "" : ", ") << N << " in record format " << Version(Minor);
      First = false;
    }
  }
  OS << ")";
  std::uint8_t Newest = ByMinor.rbegin()->first;
  if (Newest > facts::Minor)
    OS << "; " << Version(Newest) << " is newer than this allocsel-link's "
       << facts::Version{}.str() << ": what it added was skipped";
  OS << "\n";
}

} // namespace

std::string explain(const Inputs &In) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  for (const Artifact &A : In.Artifacts) {
    if (A.Dependency)
      continue;
    Routing R = routingOf(A);
    OS << A.Where.str() << ": " << kindName(A.K) << "\n";
    if (A.K == Artifact::Executable) {
      explainExecutable(In, A, OS);
    } else if (A.K == Artifact::SharedLibrary) {
      explainShared(A, OS);
    } else if (R.Selection) {
      OS << "  allocator: " << selectionText(*R.Selection) << "\n"
         << "  why: selected with [[global_allocator]] at " << whereText(*R.Selection) << "\n";
    } else {
      OS << "  allocator: decided when it is linked\n"
         << "  why: " << (R.Units ? "no unit in it selects a global allocator"
                                  : "it holds no allocsel records")
         << "; the executable or shared library it is linked into decides\n";
    }
    explainRecords(A, OS);
  }
  return Out;
}

} // namespace allocsel::link
