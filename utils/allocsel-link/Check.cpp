//===- Check.cpp - whole-program checks over allocsel facts ---------------===//

#include "Check.h"
#include "DiagnosticNames.h"
#include "LinkDiagnostics.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>
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
  case Artifact::Record:
    return "unit record";
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

/// A function that a call through a pointer or a virtual call can reach,
/// as a unit lists it: one whose address the unit takes, or (Override) an
/// override the unit defines; and that unit.
struct Target {
  const facts::AddressTaken *Taken; // null for an override
  const facts::UnitRecord *Unit;
  const Artifact *In;
  /// Passed to a parameter, not only its address taken (Taken is its
  /// Passed).
  const facts::ParameterBinding *Binding = nullptr;
  const facts::Override *Override = nullptr;

  const std::string &symbol() const { return Override ? Override->Symbol : Taken->Symbol; }
  const facts::Location &loc() const { return Override ? Override->Loc : Taken->Loc; }
};

/// Part of a chain: a function, then the calls it makes inside its unit.
/// \p Via: the function was reached through a pointer (its address taken
/// there), not by a call that names it.
/// \p EndsVirtual: the last of the steps is a virtual call (its callee the
/// method it names).
struct Segment {
  Summarized From;
  const std::vector<facts::Step> *Steps;
  const Target *Via = nullptr;
  bool EndsVirtual = false;
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

/// The needs_allocator rule across units (docs/design.md, "The link check is
/// linear"). Every summarized function is a node; a call that leaves a unit
/// is an edge to the function other units define by that name; a call
/// through a pointer is an edge into a group (the functions of its type
/// whose address a unit takes, or those passed to its parameter), and a
/// virtual call into the group of the overrides of its method. One
/// breadth-first search runs backwards from everything that allocates, and
/// leaves each function its distance to the nearest allocation and the next
/// step towards it (a parent pointer, not a path). Each root (an Alloc member
/// of the selection, a function of an allocator unit) then reads its chain
/// off those pointers. Time and memory are linear in functions plus calls,
/// whatever the shape of the graph; a group's callers are visited at most
/// twice (see reachGroup).
class CrossUnit {
public:
  CrossUnit(const Inputs &In, const CheckOptions &Opts, CheckStats &Stats)
      : Opts(Opts), Stats(Stats) {
    // A unit can be read twice: from its object (or archive member) and from
    // the program linked from it, which the wrappers pass first. The first
    // definition of a name is the one chains go through, so the objects
    // come first: a chain names the object or archive member a function
    // comes from, not the program every object went into.
    std::vector<const Artifact *> Order;
    for (const Artifact &A : In.Artifacts)
      if (!A.isLinked())
        Order.push_back(&A);
    for (const Artifact &A : In.Artifacts)
      if (A.isLinked())
        Order.push_back(&A);
    for (const Artifact *AP : Order)
      for (const facts::UnitRecord &R : AP->Records) {
        const Artifact &A = *AP;
        for (const facts::FunctionSummary &F : R.Functions) {
          node(F, R, A);
          if (F.Defined)
            Defs.try_emplace(F.Symbol, &F);
          if (F.Root)
            Roots.push_back({&F, &R, &A});
        }
        for (const facts::FunctionSummary &F : R.Callbacks) {
          node(F, R, A);
          CallbacksOf[&R].try_emplace(F.Symbol, &F);
        }
        for (const facts::MarkedFunction &M : R.Marked)
          Marked.try_emplace(M.Symbol, M.Display);
        for (const facts::AddressTaken &T : R.Taken)
          TargetsOf[T.Type].push_back({&T, &R, &A});
        for (const facts::Override &O : R.Overrides)
          OverridersOf[O.Method].push_back({nullptr, &R, &A, nullptr, &O});
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
    // The edges, reversed: who calls each name, which groups each target is in.
    for (const Artifact *A : Order)
      for (const facts::UnitRecord &R : A->Records) {
        // (A callback's calls too: a static callback, an inline override,
        // can call out of its unit.)
        for (const std::vector<facts::FunctionSummary> *Fns : {&R.Functions, &R.Callbacks})
          for (const facts::FunctionSummary &F : *Fns)
            for (const facts::ExternalCall &C : F.Calls)
              CallersOf[C.Symbol].push_back({NodeOf.lookup(&F), &C});
        for (const facts::PointerCall &C : R.PointerCalls) {
          const facts::FunctionSummary *Caller = callerOf(R, C.Function);
          if (!Caller)
            continue;
          PointerCallsOf[NodeOf.lookup(Caller)].push_back(&C);
          if (const std::vector<Target> *Ts = targetsOf(C))
            groupOf(Ts).Callers.push_back({NodeOf.lookup(Caller), &C.Steps});
        }
        for (const facts::VirtualCall &C : R.VirtualCalls) {
          const facts::FunctionSummary *Caller = callerOf(R, C.Function);
          if (!Caller)
            continue;
          VirtualCallsOf[NodeOf.lookup(Caller)].push_back(&C);
          if (const std::vector<Target> *Ts = overridersOf(C.Method))
            groupOf(Ts).Callers.push_back({NodeOf.lookup(Caller), &C.Steps});
        }
      }
    // A call through a pointer to a virtual method is a virtual call: a
    // pointer target that is a method some unit overrides is also a node
    // of its own (no summary, no unit), a caller in the group of the
    // overrides, so that the pointer's callers go on into them. (In the
    // order of the type keys, not of the groups' addresses: the same
    // inputs give the same report.)
    FirstThrough = Nodes.size();
    for (auto &Entry : TargetsOf) {
      auto G = GroupOf.find(&Entry.getValue());
      if (G == GroupOf.end() || !Entry.getKey().starts_with("M"))
        continue;
      for (const Target &T : Entry.getValue()) {
        if (!overridersOf(T.symbol()))
          continue;
        facts::FunctionSummary &F = ThroughSummaries.emplace_back();
        F.Symbol = T.symbol();
        F.Loc = T.loc();
        Nodes.push_back({&F, nullptr, T.In});
        Hops.emplace_back();
        ThroughMethod.push_back({G->second, &T});
      }
    }
    for (size_t I = 0; I < ThroughMethod.size(); ++I)
      groupOf(overridersOf(ThroughMethod[I].second->symbol()))
          .Callers.push_back({FirstThrough + I, &NoSteps});
  }

  void run(std::vector<Finding> &Out) {
    search();
    // Each root's chain, in the order the roots were read; the same root may
    // be listed by the selection's unit (declared) and by its defining unit.
    llvm::StringSet<> Listed;
    std::vector<Chain> Chains;
    for (const Summarized &Root : Roots) {
      if (!Listed.insert(Root.Fn->Symbol).second)
        continue;
      if (std::optional<Chain> C = chainOf(Root))
        Chains.push_back(*C);
    }
    // One chain is one error: a root that another root's chain runs through
    // (with the same steps from there on) is named in that error instead.
    // Longest chains first; marking stops where an earlier chain was marked,
    // so every function is marked once.
    std::vector<size_t> Order(Chains.size());
    for (size_t I = 0; I < Order.size(); ++I)
      Order[I] = I;
    std::sort(Order.begin(), Order.end(), [&](size_t A, size_t B) {
      return Chains[A].Length != Chains[B].Length ? Chains[A].Length > Chains[B].Length : A < B;
    });
    std::vector<std::vector<size_t>> Also(Chains.size());
    std::vector<bool> Covered(Chains.size(), false);
    for (size_t I : Order) {
      Chain &C = Chains[I];
      if (C.SameAsNode) {
        auto It = CoveredBy.find(C.Start);
        if (It != CoveredBy.end()) {
          Covered[I] = true;
          Also[It->second].push_back(I);
          continue;
        }
      }
      for (unsigned N = C.Start; N != NoNode && !CoveredBy.count(N);
           N = N == C.Start && !C.SameAsNode ? C.First.Next : Hops[N].Next)
        CoveredBy[N] = I;
    }
    for (size_t I = 0; I < Chains.size(); ++I)
      if (!Covered[I])
        report(Chains[I], Also[I], Chains, Out);
  }

private:
  static constexpr unsigned NoNode = ~0u;
  static constexpr unsigned Far = ~0u;

  /// How a function reaches the global allocator: the first step of its
  /// shortest chain.
  struct Hop {
    enum Kind : std::uint8_t {
      None,          // it does not
      Own,           // it allocates in its own unit (its summary's Chain)
      Call,          // it calls Next by name
      Pointer,       // a call through a pointer, or a virtual call, reaches
                     // Next (Via)
      MarkedCall,    // it calls a needs_allocator function (Callee)
      MarkedPointer, // a call through a pointer or a virtual call reaches
                     // one (Via)
      Unknown,       // --strict: it calls a function no input defines (Callee)
      PointerStrict, // --strict: it calls through a pointer
      VirtualStrict, // --strict: it makes a virtual call (Virtual)
    } K = None;
    unsigned Dist = Far; // calls to the allocation
    unsigned Next = NoNode;
    const std::vector<facts::Step> *Steps = nullptr; // to the call, in its unit
    const Target *Via = nullptr;
    const facts::ExternalCall *Callee = nullptr;
    const facts::VirtualCall *Virtual = nullptr;
    /// The last few functions of the chain start here (report()), reached
    /// through this pointer (or by a call that names it).
    unsigned Tail = NoNode;
    const Target *TailVia = nullptr;
    bool EndsOwn = false; // the chain ends in a function's own allocation
  };

  /// A group of pointer targets (or of overrides) and the calls that reach
  /// into it: each caller's node and its steps to the call.
  struct Group {
    std::vector<std::pair<unsigned, const std::vector<facts::Step> *>> Callers;
    /// The nearest reached target, and the nearest in another unit than
    /// that one's: every caller can use one of the two (reachGroup).
    const Target *First = nullptr, *Second = nullptr;
    unsigned FirstNode = NoNode, SecondNode = NoNode;
    bool FirstMarked = false, SecondMarked = false;
  };

  /// A root's chain: its first step (for a root defined here, its own
  /// allocation does not count: its unit's compile reported that), then the
  /// nodes' steps.
  struct Chain {
    Summarized Root;
    unsigned Start;   // the node the chain starts at
    Hop First;        // its first step
    bool SameAsNode;  // First is Hops[Start] (a chain others can run through)
    unsigned Length;  // functions on it
  };

  void node(const facts::FunctionSummary &F, const facts::UnitRecord &R, const Artifact &A) {
    if (NodeOf.try_emplace(&F, Nodes.size()).second) {
      Nodes.push_back({&F, &R, &A});
      Hops.emplace_back();
    }
  }

  /// The group of \p Ts, made on first use: its targets are then indexed
  /// by the node each resolves to (groupsReaching()).
  Group &groupOf(const std::vector<Target> *Ts) {
    auto [It, New] = GroupOf.try_emplace(Ts, Groups.size());
    if (New) {
      Groups.emplace_back();
      for (const Target &T : *Ts)
        if (std::optional<const facts::FunctionSummary *> R = resolve(T))
          if (auto N = NodeOf.find(*R); N != NodeOf.end())
            TargetOf[N->second].push_back({It->second, &T});
    }
    return Groups[It->second];
  }

  /// Whether \p Node's unit followed \p T when it compiled. A node made
  /// for a call through a pointer to a virtual method has no unit: the
  /// pointer's callers are in any.
  bool sameUnit(unsigned Node, const Target *T) const {
    return Nodes[Node].Unit && Nodes[Node].Unit->Unit == T->Unit->Unit;
  }

  /// The caller of a record's pointer or virtual call: an index into its
  /// summaries, then its callbacks.
  static const facts::FunctionSummary *callerOf(const facts::UnitRecord &R, std::uint32_t I) {
    if (I < R.Functions.size())
      return &R.Functions[I];
    if (I - R.Functions.size() < R.Callbacks.size())
      return &R.Callbacks[I - R.Functions.size()];
    return nullptr;
  }

  /// Sets \p N's step if it has none yet; true if it did.
  bool reach(unsigned N, Hop H) {
    ++Stats.Steps;
    if (Hops[N].K != Hop::None)
      return false;
    Hops[N] = H;
    Queue.push_back(N);
    return true;
  }

  /// A target of group \p G is reached (its node \p Node, or a marked
  /// function), \p Dist calls from the allocation. A call from a unit does
  /// not join that unit's own targets (its compile followed those), so the
  /// first target reached serves every caller in another unit, and the
  /// first reached in another unit than the first's serves the rest: after
  /// two, the group is done, and each caller was visited at most twice.
  void reachGroup(Group &G, const Target *T, unsigned Node, bool IsMarked, unsigned Dist) {
    auto Step = [&](unsigned Caller, const std::vector<facts::Step> *Steps) {
      ++Stats.Calls;
      Hop H;
      H.K = IsMarked ? Hop::MarkedPointer : Hop::Pointer;
      H.Dist = Dist + 1;
      H.Next = IsMarked ? NoNode : Node;
      H.Steps = Steps;
      H.Via = T;
      reach(Caller, H);
    };
    if (!G.First) {
      G.First = T, G.FirstNode = Node, G.FirstMarked = IsMarked;
      for (auto [Caller, C] : G.Callers)
        if (!sameUnit(Caller, T))
          Step(Caller, C);
    } else if (!G.Second && T->Unit->Unit != G.First->Unit->Unit) {
      G.Second = T, G.SecondNode = Node, G.SecondMarked = IsMarked;
      for (auto [Caller, C] : G.Callers)
        if (sameUnit(Caller, G.First))
          Step(Caller, C);
    }
  }

  void search() {
    // Distance 0: what allocates in its own unit, and (through a pointer)
    // the marked functions a group holds.
    for (unsigned N = 0; N < Nodes.size(); ++N)
      if (Nodes[N].Fn->Allocates) {
        Hop H;
        H.K = Hop::Own;
        H.Dist = 0;
        H.Steps = &Nodes[N].Fn->Chain;
        reach(N, H);
      }
    for (auto &[Ts, Index] : GroupOf)
      for (const Target &T : *Ts)
        if (Marked.count(T.symbol()))
          reachGroup(Groups[Index], &T, NoNode, true, 0);
    // Distance 1: calls that end a chain by themselves.
    for (unsigned N = 0; N < Nodes.size(); ++N) {
      for (const facts::ExternalCall &C : Nodes[N].Fn->Calls) {
        ++Stats.Calls;
        Hop H;
        H.Dist = 1;
        H.Steps = &C.Steps;
        H.Callee = &C;
        if (Marked.count(C.Symbol))
          H.K = Hop::MarkedCall;
        else if (Opts.Strict && !Defs.count(C.Symbol) && !DefinedAnywhere.contains(C.Symbol))
          H.K = Hop::Unknown;
        else
          continue;
        reach(N, H);
        break;
      }
      if (Opts.Strict && Hops[N].K == Hop::None)
        if (auto It = PointerCallsOf.find(N); It != PointerCallsOf.end()) {
          Hop H;
          H.K = Hop::PointerStrict;
          H.Dist = 1;
          H.Steps = &It->second.front()->Steps;
          reach(N, H);
        }
      // A virtual call's overrides are never all known: an object without
      // records (a library, a plugin loaded at run time) can define one.
      if (Opts.Strict && Hops[N].K == Hop::None)
        if (auto It = VirtualCallsOf.find(N); It != VirtualCallsOf.end()) {
          Hop H;
          H.K = Hop::VirtualStrict;
          H.Dist = 1;
          H.Steps = &It->second.front()->Steps;
          H.Virtual = It->second.front();
          reach(N, H);
        }
    }
    // Then backwards along the calls, nearest first.
    for (size_t I = 0; I < Queue.size(); ++I) {
      unsigned N = Queue[I];
      ++Stats.Functions;
      const Summarized &S = Nodes[N];
      unsigned Dist = Hops[N].Dist;
      auto Def = Defs.find(S.Fn->Symbol);
      if (Def != Defs.end() && Def->second == S.Fn && !Marked.count(S.Fn->Symbol))
        if (auto It = CallersOf.find(S.Fn->Symbol); It != CallersOf.end())
          for (auto [Caller, C] : It->second) {
            ++Stats.Calls;
            Hop H;
            H.K = Hop::Call;
            H.Dist = Dist + 1;
            H.Next = N;
            H.Steps = &C->Steps;
            H.Callee = C;
            reach(Caller, H);
          }
      if (!Opts.Strict)
        for (auto [G, T] : groupsReaching(N))
          reachGroup(Groups[G], T, N, false, Dist);
    }
    // Where each chain's last functions start, nearest first (a node's next
    // step was reached before it).
    for (unsigned N : Queue) {
      Hop &H = Hops[N];
      H.EndsOwn = H.K == Hop::Own || (H.Next != NoNode && Hops[H.Next].EndsOwn);
      if (segments(N) <= TailShown || H.Next == NoNode) {
        H.Tail = N;
      } else {
        const Hop &Next = Hops[H.Next];
        H.Tail = Next.Tail;
        H.TailVia = Next.Tail == H.Next ? (H.K == Hop::Pointer ? H.Via : nullptr) : Next.TailVia;
      }
    }
  }

  /// The groups \p N is a target of, with that target (each group's
  /// targets were indexed once, by the node they resolve to: reaching a
  /// node costs its own targets, not a scan of its groups).
  llvm::ArrayRef<std::pair<unsigned, const Target *>> groupsReaching(unsigned N) {
    if (N >= FirstThrough) // a pointer to a virtual method: its one target
      return ThroughMethod[N - FirstThrough];
    auto It = TargetOf.find(N);
    if (It == TargetOf.end())
      return {};
    Stats.Calls += It->second.size();
    return It->second;
  }

  /// Functions on the chain from \p N to its allocation.
  unsigned segments(unsigned N) const { return Hops[N].Dist + (Hops[N].EndsOwn ? 1 : 0); }

  /// The chain of \p Root, if it reaches the global allocator.
  std::optional<Chain> chainOf(const Summarized &Root) {
    if (!Root.Fn->Defined) {
      // An Alloc member the selection's unit only declares: its definition's.
      auto It = Defs.find(Root.Fn->Symbol);
      if (It == Defs.end())
        return std::nullopt; // its body is in none of the inputs
      unsigned N = NodeOf.lookup(It->second);
      if (Hops[N].K == Hop::None)
        return std::nullopt;
      return Chain{Root, N, Hops[N], true, segments(N)};
    }
    unsigned N = NodeOf.lookup(Root.Fn);
    if (Hops[N].K != Hop::None && Hops[N].K != Hop::Own)
      return Chain{Root, N, Hops[N], true, segments(N)};
    // It allocates in its own unit (reported when that unit compiled), or
    // not at all: its nearest chain through a call that leaves the unit.
    Hop Best;
    auto Consider = [&](const Hop &H) {
      if (H.K != Hop::None && H.Dist < Best.Dist)
        Best = H;
    };
    for (const facts::ExternalCall &C : Root.Fn->Calls) {
      Hop H;
      H.Steps = &C.Steps;
      H.Callee = &C;
      H.Dist = 1;
      if (Marked.count(C.Symbol)) {
        H.K = Hop::MarkedCall;
      } else if (auto D = Defs.find(C.Symbol); D != Defs.end()) {
        unsigned Next = NodeOf.lookup(D->second);
        if (Hops[Next].K == Hop::None || Next == N)
          continue;
        H.K = Hop::Call, H.Next = Next, H.Dist = Hops[Next].Dist + 1;
      } else if (Opts.Strict && !DefinedAnywhere.contains(C.Symbol)) {
        H.K = Hop::Unknown;
      } else {
        continue;
      }
      Consider(H);
    }
    // A call through a pointer or a virtual call: into its group's nearest
    // target in another unit.
    auto Joined = [&](const std::vector<Target> *Ts, Hop H) {
      auto G = Ts ? GroupOf.find(Ts) : GroupOf.end();
      if (G == GroupOf.end())
        return;
      const Group &Gr = Groups[G->second];
      bool UseFirst = Gr.First && !sameUnit(N, Gr.First);
      bool UseSecond = !UseFirst && Gr.Second && !sameUnit(N, Gr.Second);
      if (!UseFirst && !UseSecond)
        return;
      H.Via = UseFirst ? Gr.First : Gr.Second;
      bool IsMarked = UseFirst ? Gr.FirstMarked : Gr.SecondMarked;
      unsigned Next = UseFirst ? Gr.FirstNode : Gr.SecondNode;
      if (IsMarked) {
        H.K = Hop::MarkedPointer;
      } else {
        H.K = Hop::Pointer, H.Next = Next, H.Dist = Hops[Next].Dist + 1;
      }
      Consider(H);
    };
    if (auto It = PointerCallsOf.find(N); It != PointerCallsOf.end())
      for (const facts::PointerCall *C : It->second) {
        Hop H;
        H.Steps = &C->Steps;
        H.Dist = 1;
        if (Opts.Strict) {
          H.K = Hop::PointerStrict;
          Consider(H);
          continue;
        }
        Joined(targetsOf(*C), H);
      }
    if (auto It = VirtualCallsOf.find(N); It != VirtualCallsOf.end())
      for (const facts::VirtualCall *C : It->second) {
        Hop H;
        H.Steps = &C->Steps;
        H.Dist = 1;
        H.Virtual = C;
        if (Opts.Strict) {
          H.K = Hop::VirtualStrict;
          Consider(H);
          continue;
        }
        Joined(overridersOf(C->Method), H);
      }
    if (Best.K == Hop::None)
      return std::nullopt;
    unsigned Length = Best.Next == NoNode ? 1 : segments(Best.Next) + 1;
    return Chain{Root, N, Best, false, Length};
  }

  /// What a call through a pointer can reach in other units (and in its
  /// own, which reachGroup skips): through a parameter that its function
  /// never changes, the functions passed to that parameter, unless some
  /// unit passes it something else or takes its function's address; else
  /// the functions of its type whose address is taken.
  const std::vector<Target> *targetsOf(const facts::PointerCall &C) {
    const std::vector<Target> *Ts = nullptr;
    if (auto P = ParameterOf.find(&C); P != ParameterOf.end()) {
      auto It = PassedTo.find(parameterKey(P->second->Function, P->second->Param));
      if (It == PassedTo.end())
        return nullptr; // nothing is passed to it
      if (!It->second.Any)
        Ts = &It->second.Passed;
    }
    if (!Ts) {
      auto It = TargetsOf.find(C.Type);
      if (It == TargetsOf.end())
        return nullptr;
      Ts = &It->second;
    }
    return Ts;
  }
  /// What a virtual call of \p Method can reach in other units (and in its
  /// own, which reachGroup skips): the overrides they define.
  const std::vector<Target> *overridersOf(llvm::StringRef Method) {
    auto It = OverridersOf.find(Method);
    return It == OverridersOf.end() ? nullptr : &It->second;
  }
  static std::string parameterKey(llvm::StringRef Function, std::uint32_t Param) {
    return (Function + "#" + llvm::Twine(Param)).str();
  }

  /// The summary of an address-taken function or an override: the unit's
  /// own (a static or inline function), else the one of the function other
  /// units call by that name.
  std::optional<const facts::FunctionSummary *> resolve(const Target &T) const {
    if (auto U = CallbacksOf.find(T.Unit); U != CallbacksOf.end())
      if (auto F = U->second.find(T.symbol()); F != U->second.end())
        return F->second;
    if (auto D = Defs.find(T.symbol()); D != Defs.end())
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
        Def = Nodes[NodeOf.lookup(It->second)];
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
      Fd.Notes.push_back(through(*S.Via, Caller, CalledAs));
    // (The error itself names where the chain starts; an override's note
    // says where it is defined; the node of a pointer to a virtual method
    // is no function of its own.)
    if (!First && !(S.Via && S.Via->Override) && S.From.Unit)
      Fd.Notes.push_back(note(Msg::DefinedIn, S.From.Fn->Loc, In, Caller, In.str()));
    for (size_t I = 0; I < S.Steps->size(); ++I) {
      // The summary keeps a unit's first and last calls; compiling that
      // unit with the plugin shows every call between.
      const facts::Step &St = (*S.Steps)[I];
      bool Indirect = St.Callee == facts::IndirectCall;
      bool Virtual = S.EndsVirtual && I + 1 == S.Steps->size();
      // (A unit compiled in strict mode ends its chain at the virtual call.)
      bool Unresolved = St.Callee == facts::UnresolvedVirtualCall;
      if (St.Skipped && Indirect)
        Fd.Notes.push_back(
            note(Msg::IndirectCallAfter, St.Loc, In, Caller, St.Skipped, In.str()));
      else if (St.Skipped && Virtual)
        Fd.Notes.push_back(
            note(Msg::VirtualCallAfter, St.Loc, In, Caller, St.Callee, St.Skipped, In.str()));
      else if (St.Skipped && Unresolved)
        Fd.Notes.push_back(
            note(Msg::UnresolvedVirtualCallAfter, St.Loc, In, Caller, St.Skipped, In.str()));
      else if (St.Skipped)
        Fd.Notes.push_back(
            note(Msg::CallsAfter, St.Loc, In, Caller, St.Callee, St.Skipped, In.str()));
      else if (Indirect)
        Fd.Notes.push_back(note(Msg::IndirectCall, St.Loc, In, Caller));
      else if (Virtual)
        Fd.Notes.push_back(note(Msg::VirtualCall, St.Loc, In, Caller, St.Callee));
      else if (Unresolved)
        Fd.Notes.push_back(note(Msg::UnresolvedVirtualCall, St.Loc, In, Caller));
      else
        Fd.Notes.push_back(note(Msg::Calls, St.Loc, In, Caller, St.Callee));
      Caller = St.Callee;
    }
    CalledAs = S.Steps->empty() ? std::string() : S.Steps->back().Callee;
  }

  /// Why an indirect or a virtual call's chain goes on at \p Callee.
  /// \p Method: the method a virtual call names, as the note before named
  /// it (if it did).
  Finding::Note through(const Target &T, const std::string &Callee, const std::string &Method) {
    if (const facts::Override *O = T.Override)
      return note(Msg::ThroughOverride, O->Loc, T.In->Where, Callee,
                  Method.empty() ? displayOf("", O->Method) : Method, T.In->Where.str());
    if (const facts::ParameterBinding *B = T.Binding)
      return note(Msg::ThroughParameter, T.Taken->Loc, T.In->Where, B->Param + 1,
                  displayOf("", B->Function), Callee, T.In->Where.str());
    return note(Msg::ThroughPointer, T.Taken->Loc, T.In->Where, pointerOf(T.Taken->Type), Callee,
                T.In->Where.str());
  }

  /// Whether the call \p H takes out of its function is a virtual call.
  static bool endsVirtual(const Hop &H) {
    return H.K == Hop::VirtualStrict ||
           ((H.K == Hop::Pointer || H.K == Hop::MarkedPointer) && H.Via && H.Via->Override);
  }

  /// The error for \p C: its start, its end and the step into the
  /// allocator, and how many functions between were left out (all of them
  /// with --full-chains); then the roots whose chains it covers (\p Also).
  void report(const Chain &C, const std::vector<size_t> &Also, const std::vector<Chain> &Chains,
              std::vector<Finding> &Out) {
    // The functions of the chain, each with the step it takes and how it was
    // reached; the first HeadShown and the last TailShown, unless all.
    struct Part {
      unsigned Node;
      Hop Step;
      const Target *ReachedVia;
    };
    std::vector<Part> Head, Tail;
    size_t Total = C.Length, Left = 0;
    bool All = Opts.FullChains || Total <= HeadShown + TailShown + 1;
    unsigned N = C.Start;
    Hop H = C.First;
    const Target *Via = nullptr;
    auto Next = [&] {
      const Target *V = H.K == Hop::Pointer ? H.Via : nullptr;
      N = H.Next;
      if (N != NoNode)
        H = Hops[N];
      Via = V;
    };
    while (N != NoNode && (All || Head.size() < HeadShown)) {
      Head.push_back({N, H, Via});
      Next();
    }
    if (N != NoNode) {
      // Jump to where the last TailShown functions start.
      unsigned T = Hops[N].Tail;
      Left = Total - Head.size() - segments(T);
      if (T != N) {
        Via = Hops[N].TailVia;
        N = T;
        H = Hops[N];
      }
      while (N != NoNode) {
        Tail.push_back({N, H, Via});
        Next();
      }
    }
    const Part &Last = Tail.empty() ? Head.back() : Tail.back();
    const Summarized &End = Nodes[Last.Node];
    std::string From = End.In->Where.str();
    std::string Reached;
    switch (Last.Step.K) {
    case Hop::MarkedCall:
      Reached = message(Msg::ReachedFunction, Marked.lookup(Last.Step.Callee->Symbol), From);
      break;
    case Hop::MarkedPointer:
      Reached = message(Msg::ReachedFunction, Marked.lookup(Last.Step.Via->symbol()), From);
      break;
    case Hop::Unknown:
      Reached = message(Msg::ReachedUndefined,
                        displayOf(Last.Step.Callee->Display, Last.Step.Callee->Symbol));
      break;
    case Hop::PointerStrict:
      Reached = message(Msg::ReachedIndirectCall, From);
      break;
    case Hop::VirtualStrict:
      Reached = message(Msg::ReachedVirtualCall, methodOf(Last.Step), From);
      break;
    default:
      Reached = End.Fn->Sink == facts::IndirectCall ? message(Msg::ReachedIndirectCall, From)
                : End.Fn->Sink == facts::UnresolvedVirtualCall
                    ? message(Msg::ReachedUnresolvedVirtualCall, From)
                    : message(Msg::ReachedFunction, End.Fn->Sink, From);
    }
    Finding Fd = start(C.Root, Reached);
    std::string CalledAs;
    bool First = true;
    auto Emit = [&](const Part &P) {
      Segment S{Nodes[P.Node], P.Step.Steps, P.ReachedVia, endsVirtual(P.Step)};
      addSteps(Fd, S, First, CalledAs);
      First = false;
    };
    for (const Part &P : Head)
      Emit(P);
    if (Left) {
      Fd.Notes.push_back(note(Msg::StepsLeftOut, std::nullopt, C.Root.In->Where, Left));
      CalledAs.clear();
    }
    for (const Part &P : Tail)
      Emit(P);
    switch (Last.Step.K) {
    case Hop::MarkedCall:
    case Hop::MarkedPointer: {
      std::string Display = Marked.lookup(Last.Step.K == Hop::MarkedCall
                                              ? Last.Step.Callee->Symbol
                                              : Last.Step.Via->symbol());
      if (Last.Step.K == Hop::MarkedPointer)
        Fd.Notes.push_back(through(*Last.Step.Via, Display, CalledAs));
      Fd.Notes.push_back(note(Msg::Marked, std::nullopt, End.In->Where, Display));
      break;
    }
    case Hop::Unknown:
      Fd.Notes.push_back(note(Msg::UndefinedStrict, std::nullopt, End.In->Where,
                              displayOf(Last.Step.Callee->Display, Last.Step.Callee->Symbol)));
      break;
    case Hop::PointerStrict:
      Fd.Notes.push_back(note(Msg::IndirectStrict, std::nullopt, End.In->Where));
      break;
    case Hop::VirtualStrict:
      Fd.Notes.push_back(
          note(Msg::VirtualStrict, std::nullopt, End.In->Where, methodOf(Last.Step)));
      break;
    default:
      if (End.Unit->NeedsAllocatorUnit)
        Fd.Notes.push_back(note(Msg::InNeedsAllocatorUnit, End.Fn->Loc, End.In->Where,
                                displayOf(End.Fn->Display, End.Fn->Symbol)));
    }
    // The roots this chain covers, a few by name.
    if (!Also.empty()) {
      std::string Names;
      for (size_t I = 0; I < Also.size() && I < NamesShown; ++I)
        Names += (I ? ", '" : "'") +
                 displayOf(Chains[Also[I]].Root.Fn->Display, Chains[Also[I]].Root.Fn->Symbol) +
                 "'";
      if (Also.size() > NamesShown)
        Names += message(Msg::AndMore, Also.size() - NamesShown);
      Fd.Notes.push_back(note(Msg::AlsoRoots, std::nullopt, C.Root.In->Where, Names));
    }
    Out.push_back(std::move(Fd));
  }

  /// The method a --strict virtual call names, as its step does.
  static std::string methodOf(const Hop &H) {
    if (!H.Steps->empty())
      return H.Steps->back().Callee;
    return displayOf("", H.Virtual->Method);
  }

  /// A long chain shows its first and last functions (docs/diagnostics.md).
  static constexpr unsigned HeadShown = 3, TailShown = 3, NamesShown = 3;

  const CheckOptions &Opts;
  CheckStats &Stats;
  std::vector<Summarized> Nodes;
  std::vector<Hop> Hops;
  std::vector<unsigned> Queue;
  llvm::DenseMap<const facts::FunctionSummary *, unsigned> NodeOf;
  llvm::DenseMap<unsigned, size_t> CoveredBy;
  llvm::StringMap<const facts::FunctionSummary *> Defs;
  llvm::StringMap<std::vector<std::pair<unsigned, const facts::ExternalCall *>>> CallersOf;
  llvm::DenseMap<unsigned, std::vector<const facts::PointerCall *>> PointerCallsOf;
  llvm::DenseMap<unsigned, std::vector<const facts::VirtualCall *>> VirtualCallsOf;
  /// The pointer calls through a parameter (1.2), and by parameter
  /// (parameterKey()) what is passed to it.
  llvm::DenseMap<const facts::PointerCall *, const facts::ParameterCall *> ParameterOf;
  struct ParameterTargets {
    std::vector<Target> Passed;
    bool Any = false; // something other than a function by name is passed
  };
  llvm::StringMap<ParameterTargets> PassedTo;
  llvm::DenseMap<const facts::UnitRecord *, llvm::StringMap<const facts::FunctionSummary *>>
      CallbacksOf;
  llvm::StringMap<std::vector<Target>> TargetsOf;
  /// The overrides of each method (facts::Override::Method).
  llvm::StringMap<std::vector<Target>> OverridersOf;
  /// The nodes for calls through a pointer to a virtual method: from
  /// FirstThrough on, one per pointer target that is a method some unit
  /// overrides, with its group and itself.
  unsigned FirstThrough = ~0u;
  std::vector<std::pair<unsigned, const Target *>> ThroughMethod;
  std::deque<facts::FunctionSummary> ThroughSummaries;
  const std::vector<facts::Step> NoSteps;
  llvm::DenseMap<const std::vector<Target> *, unsigned> GroupOf;
  std::vector<Group> Groups;
  /// Each node's targets in the groups, with their groups (groupOf()).
  llvm::DenseMap<unsigned, llvm::SmallVector<std::pair<unsigned, const Target *>, 1>> TargetOf;
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

/// A linked executable that selects, but whose operator new is not
/// allocsel's (a sanitizer runtime's won: the selecting unit was compiled
/// without the sanitizer, so its operators were weak): the selection serves
/// nothing. Never silent: a warning, an error with --strict.
void yieldingSelections(const Inputs &In, const CheckOptions &Opts, std::vector<Finding> &Out) {
  for (const Artifact &L : In.Artifacts) {
    if (L.K != Artifact::Executable || L.Dependency || !L.OperatorsYielded)
      continue;
    Routing R = routingOf(L);
    if (!R.Selection)
      continue;
    bool San = !L.Sanitizer.empty();
    Finding F = finding(Msg::SelectionYields, R.Selection->Selected->Loc, L.Where,
                        R.Selection->Selected->Variable, L.Where.str(),
                        San ? message(Msg::SanitizerRuntimes, L.Sanitizer)
                            : message(Msg::AnotherDefinitions),
                        message(San ? Msg::TheSanitizersAllocator : Msg::ThatAllocator));
    F.Warning = !Opts.Strict;
    if (L.Sanitizer == "AddressSanitizer") {
      F.Notes.push_back(note(Msg::YieldsToSanitizer, std::nullopt, L.Where, "address"));
    } else if (San) {
      F.Notes.push_back(note(Msg::SanitizerOperatorsWin, std::nullopt, L.Where, L.Sanitizer));
    } else {
      F.Notes.push_back(note(Msg::YieldsToOther, std::nullopt, L.Where));
    }
    Out.push_back(std::move(F));
  }
}

} // namespace

CheckResult check(const Inputs &In, const CheckOptions &Opts) {
  CheckResult Result;
  for (const InputError &E : In.Errors) {
    if (E.UnreadMember && Opts.LinkSucceeded) {
      Finding F{nameOf(DiagName::MemberNotChecked), message(Msg::MemberNotChecked, E.Message),
                std::nullopt, E.Where, {}};
      F.Warning = true;
      Result.Findings.push_back(std::move(F));
      continue;
    }
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
  yieldingSelections(In, Opts, Result.Findings);

  // With linked artifacts given, a selection read only from objects or
  // archives must have made it into one of them; otherwise the link dropped
  // it (an archive after allocsel's libraries, or a member nothing pulled in)
  // and the program runs on another allocator.
  // The notes name the linked files given and the libraries they load that
  // select (not the C library, the loader and every other library the
  // program loads).
  std::vector<const Artifact *> Linked;
  llvm::StringSet<> LinkedSelections;
  for (const Artifact &A : In.Artifacts)
    if (A.isLinked()) {
      if (!A.Dependency || routingOf(A).Selection)
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
            : L->K == Artifact::SharedLibrary
                ? note(Msg::LinkedUsesProcess, std::nullopt, L->Where, L->Where.str())
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

  CrossUnit(In, Opts, Result.Stats).run(Result.Findings);
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

/// Whether \p Exe needs a C++ standard library (libstdc++, libc++), or a
/// library it loads does.
bool usesCxxLibrary(const Inputs &In, const Artifact &Exe) {
  auto IsCxx = [](llvm::StringRef Name) {
    Name = Name.rsplit('/').second.empty() ? Name : Name.rsplit('/').second;
    return Name.starts_with("libstdc++.") || Name.starts_with("libc++.");
  };
  for (const std::string &N : Exe.Needed)
    if (IsCxx(N))
      return true;
  for (const Artifact &L : In.Artifacts)
    if (L.Dependency && IsCxx(L.Where.File))
      return true;
  return false;
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
  if (Bound == &A && A.OperatorsYielded && (R.Selection || R.Default)) {
    // Its operators are not allocsel's: say whose serve, not what allocsel
    // would have chosen.
    std::string Who = A.Sanitizer.empty() ? std::string("another definition's operator new")
                                          : "the " + A.Sanitizer + " runtime's operator new";
    OS << "  allocator: " << Who << " (allocsel's routing yields to it)\n";
    if (R.Selection)
      OS << "  why: " << selectionText(*R.Selection) << " is selected at "
         << whereText(*R.Selection) << ", but " << Who
         << " won the link (the selecting unit's operators are weak when it is compiled "
            "without the sanitizer): the selection serves nothing "
            "(allocsel-link check: allocsel-selection-yields); allocsel::Global uses System\n";
    else
      OS << "  why: no unit selects, and " << Who << " takes the place of the default ("
         << R.Default->DefaultRoutes
         << ") by design: the sanitizer's allocator is the one that finds heap errors; "
            "allocsel::Global uses System\n";
    NotBound(OS);
    return;
  }
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
  } else if (!Bound && !R.Selection && !usesCxxLibrary(In, A)) {
    // Nothing in the process defines operator new: a C program (or C++
    // that never allocates with new), which needs no global allocator.
    OS << "  allocator: none needed: neither it nor a library it loads uses C++'s new and "
          "delete (a C program; malloc is the C library's)\n"
       << "  why: "
       << (R.Units ? "its " + std::to_string(R.Units) +
                         " units compiled with allocsel select no global allocator, and "
                   : std::string("it holds no allocsel records, and "))
       << "it links no C++ library: allocsel's runtime is linked only into programs that "
          "use C++ (allocsel-clang: when the link has -lstdc++, or with ALLOCSEL_RUNTIME=1)\n";
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
