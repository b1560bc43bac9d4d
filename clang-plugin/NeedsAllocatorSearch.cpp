//===- NeedsAllocatorSearch.cpp - chains to the global allocator ----------===//
//
// Every pass here is linear in the size of what explore() reached: each
// function is read once, each call followed once forward and once backward
// (exitsBackward() once per exit, up to the nearest summarized function).
//
//===----------------------------------------------------------------------===//

#include "NeedsAllocatorSearch.h"

#include "clang/AST/Decl.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <deque>
#include <tuple>

using namespace clang;

namespace allocsel {

Search::Node &Search::node(const FunctionDecl *FD) {
  auto [It, New] = Nodes.try_emplace(FD);
  if (New)
    It->second.Kind = G.kind(FD);
  return It->second;
}

void Search::explore(llvm::ArrayRef<const FunctionDecl *> Starts,
                     llvm::function_ref<bool(const FunctionDecl *)> IsCallback,
                     std::vector<const FunctionDecl *> &Callbacks) {
  // Forward: read each reachable body once, remembering who calls whom.
  llvm::SmallPtrSet<const FunctionDecl *, 32> Seen;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Listed; // in Callbacks
  size_t TakenRead = 0;      // of G.takenSoFar()
  size_t OverridersRead = 0; // of G.overridersSoFar()
  std::vector<const FunctionDecl *> Work(Starts.begin(), Starts.end()), Exits;
  std::deque<const FunctionDecl *> Sinks; // breadth first, backward
  std::vector<const FunctionDecl *> UnknownCallers; // one call from a sink
  for (const FunctionDecl *FD : Starts)
    Seen.insert(FD);
  while (!Work.empty()) {
    const FunctionDecl *N = Work.back();
    Work.pop_back();
    Node &I = node(N);
    if (I.Kind.K != Sink::None) { // searches stop here
      I.ReachesSink = true;
      Sinks.push_back(N);
      continue;
    }
    if (I.Kind.External) {
      Exits.push_back(N);
      ExternalsSeen.push_back(N);
      continue;
    }
    ++Counters.Functions;
    for (const Call &C : G.calls(N)) {
      ++Counters.Calls;
      if (!C.Callee) { // strict: an unknown call is reached from here
        if (!I.ReachesSink) {
          I.ReachesSink = true;
          I.Dist = 1;
          UnknownCallers.push_back(N);
        }
        continue;
      }
      Callers[C.Callee].push_back({N, C.Loc});
      if (Seen.insert(C.Callee).second)
        Work.push_back(C.Callee);
    }
    // What the body took the address of may be called from anywhere, and
    // the overrides of the classes it constructs by a virtual call anywhere.
    // (A callback that the code also calls by name was read, or will be,
    // but is a callback all the same.)
    auto Reachable = [&](const FunctionDecl *T) {
      if (!IsCallback(T) || !Listed.insert(T).second)
        return;
      Callbacks.push_back(T);
      if (Seen.insert(T).second)
        Work.push_back(T);
    };
    for (; TakenRead < G.takenSoFar().size(); ++TakenRead)
      Reachable((G.takenSoFar().begin() + TakenRead)->first.first);
    for (; OverridersRead < G.overridersSoFar().size(); ++OverridersRead)
      Reachable(G.overridersSoFar()[OverridersRead]);
  }
  // Backward, breadth first from every sink at once: each function learns
  // its distance to the global allocator, in calls (a dispatcher's edges are
  // not calls of their own).
  Sinks.insert(Sinks.end(), UnknownCallers.begin(), UnknownCallers.end());
  std::vector<const FunctionDecl *> Order;
  while (!Sinks.empty()) {
    const FunctionDecl *N = Sinks.front();
    Sinks.pop_front();
    Order.push_back(N);
    unsigned Dist = Nodes[N].Dist;
    for (const Edge &E : Callers.lookup(N)) {
      Node &I = Nodes[E.Caller];
      if (I.ReachesSink)
        continue;
      I.ReachesSink = true;
      I.Dist = G.isDispatcher(E.Caller) ? Dist : Dist + 1;
      // A dispatcher is as far as its target: it goes first.
      if (G.isDispatcher(E.Caller))
        Sinks.push_front(E.Caller);
      else
        Sinks.push_back(E.Caller);
    }
  }
  // Then, nearest first, each function's next call: the first call of its
  // body on a shortest chain (what a breadth-first search from it would
  // find), and the chain's last call, which its next callee knows already:
  // it is nearer, or (a dispatcher's target) as near and not a dispatcher.
  std::vector<std::tuple<unsigned, bool, size_t>> Keys; // stable, by BFS order
  for (size_t I = 0; I < Order.size(); ++I)
    Keys.emplace_back(Nodes[Order[I]].Dist, G.isDispatcher(Order[I]), I);
  llvm::sort(Keys);
  for (const auto &Key : Keys) {
    const FunctionDecl *N = Order[std::get<2>(Key)];
    Node &I = Nodes[N];
    if (I.Kind.K != Sink::None)
      continue;
    for (const Call &C : G.calls(N)) {
      const Node *Callee = C.Callee ? known(C.Callee) : nullptr;
      bool Shortest = C.Callee ? Callee && Callee->ReachesSink &&
                                     Callee->Dist + (G.isDispatcher(N) ? 0 : 1) == I.Dist
                               : I.Dist == 1; // an unknown call (strict)
      if (!Shortest)
        continue;
      I.Next = C;
      if (!C.Callee)
        I.Last = C;
      else if (Callee->Kind.K != Sink::None)
        I.Last = C;
      else
        I.Last = Callee->Last;
      if (!G.isDispatcher(N) && I.Last.Loc.isInvalid()) // its last call was
        I.Last.Loc = C.Loc;                           // into a dispatcher
      break;
    }
  }
  // Backward from every external function: who can leave the unit.
  while (!Exits.empty()) {
    const FunctionDecl *N = Exits.back();
    Exits.pop_back();
    Node &I = Nodes[N];
    if (I.ReachesExit)
      continue;
    I.ReachesExit = true;
    for (const Edge &E : Callers.lookup(N))
      Exits.push_back(E.Caller);
  }
}

void Search::exitsBackward(llvm::ArrayRef<const FunctionDecl *> Summarized,
                           llvm::ArrayRef<const FunctionDecl *> Callbacks,
                           llvm::DenseMap<const FunctionDecl *, std::vector<Found::Exit>> &Out) {
  // What each function found reaching the current target: its first call
  // toward it, the last call of the chain, and the chain's length.
  struct Reach {
    unsigned Generation = 0;
    Call First{nullptr, SourceLocation()}, Last{nullptr, SourceLocation()};
    unsigned Dist = 0;
  };
  llvm::DenseMap<const FunctionDecl *, Reach> Seen;
  llvm::DenseSet<const FunctionDecl *> StopAt(Summarized.begin(), Summarized.end());
  llvm::DenseSet<const FunctionDecl *> RecordAt(Callbacks.begin(), Callbacks.end());
  // Only what a summarized function or a callback reaches can be on one of
  // their chains: the code read only for the addresses it takes (main, the
  // static variables' initializers) is not searched through.
  llvm::DenseSet<const FunctionDecl *> Relevant;
  {
    std::vector<const FunctionDecl *> Work(Summarized.begin(), Summarized.end());
    Work.insert(Work.end(), Callbacks.begin(), Callbacks.end());
    Relevant.insert(Work.begin(), Work.end());
    while (!Work.empty()) {
      const FunctionDecl *N = Work.back();
      Work.pop_back();
      if (const Node *I = known(N); !I || I->Kind.K != Sink::None || I->Kind.External)
        continue; // not read: no calls
      for (const Call &C : G.calls(N))
        if (C.Callee && Relevant.insert(C.Callee).second)
          Work.push_back(C.Callee);
    }
  }
  // In an order of the source's, not of a set of pointers: the order of
  // equally near exits in a summary follows it.
  std::vector<const FunctionDecl *> Targets = ExternalsSeen;
  for (const FunctionDecl *FD : Summarized)
    if (const Node *I = known(FD); I && I->ReachesExit && !I->Kind.External)
      Targets.push_back(FD);
  // Through a dispatcher (an indirect or virtual call) a summarized
  // function is not a boundary: its callers would each list every target of
  // the call (N x M). So a summarized target is not followed into
  // dispatchers, and a summarized function met on the way is followed into
  // dispatchers only: their callers list what the target leads to instead.
  enum class Follow { All, NotDispatchers, OnlyDispatchers };
  unsigned Generation = 0;
  for (const FunctionDecl *X : Targets) {
    ++Generation;
    Seen[X] = {Generation, {nullptr, SourceLocation()}, {nullptr, SourceLocation()}, 0};
    std::deque<std::pair<const FunctionDecl *, Follow>> Queue{
        {X, StopAt.contains(X) ? Follow::NotDispatchers : Follow::All}};
    while (!Queue.empty()) {
      auto [M, How] = Queue.front();
      Queue.pop_front();
      Reach Here = Seen[M];
      for (const Edge &E : Callers.lookup(M)) {
        bool Dispatcher = G.isDispatcher(E.Caller);
        if ((How == Follow::NotDispatchers && Dispatcher) ||
            (How == Follow::OnlyDispatchers && !Dispatcher) || !Relevant.contains(E.Caller))
          continue;
        ++Counters.SearchSteps;
        Reach &R = Seen[E.Caller];
        if (R.Generation == Generation)
          continue;
        R.Generation = Generation;
        if (Dispatcher) { // not a call of its own: M is next
          R.First = {M, SourceLocation()};
          R.Last = M == X ? Call{X, SourceLocation()} : Here.Last;
          R.Dist = Here.Dist;
          Queue.push_front({E.Caller, Follow::All});
          continue;
        }
        // Through a dispatcher, the call is the one into the dispatcher, to
        // the dispatcher's next function.
        R.First = G.isDispatcher(M) ? Call{Here.First.Callee, E.Loc} : Call{M, E.Loc};
        R.Last = M == X ? Call{X, E.Loc} : Here.Last;
        if (R.Last.Loc.isInvalid())
          R.Last.Loc = E.Loc;
        R.Dist = Here.Dist + 1;
        bool Boundary = StopAt.contains(E.Caller);
        if (Boundary || RecordAt.contains(E.Caller)) {
          std::vector<Call> Chain{R.First};
          if (R.Dist > 1)
            Chain.push_back(R.Last);
          Out[E.Caller].push_back({X, std::move(Chain), R.Dist > 2 ? R.Dist - 2 : 0});
        }
        // A summarized function's callers record it, not what lies behind
        // it; a callback's callers go on past it.
        Queue.push_back({E.Caller, Boundary ? Follow::OnlyDispatchers : Follow::All});
      }
    }
  }
  // Nearest exits first, as a search from each function would list them.
  for (auto &[FD, Exits] : Out) {
    std::vector<std::pair<size_t, size_t>> Keys; // length, then found order
    for (size_t I = 0; I < Exits.size(); ++I)
      Keys.emplace_back(Exits[I].Chain.size() + Exits[I].Skipped, I);
    llvm::sort(Keys);
    std::vector<Found::Exit> Sorted;
    for (const auto &Key : Keys)
      Sorted.push_back(std::move(Exits[Key.second]));
    Exits = std::move(Sorted);
  }
}

Found Search::search(const FunctionDecl *Start, bool WholeChain) const {
  Found Result;
  const Node *Begin = known(Start);
  if (!Begin)
    return Result; // explore() did not reach it: nothing to find
  // The chain to the global allocator: explore() knows each function's next
  // call on a shortest one, and its last call.
  if (Begin->ReachesSink && Begin->Kind.K == Sink::None && !WholeChain) {
    Call First = Begin->Next;
    if (First.Callee && G.isDispatcher(First.Callee))
      First.Callee = known(First.Callee)->Next.Callee;
    Result.SinkChain.push_back(First);
    if (Begin->Dist > 1)
      Result.SinkChain.push_back(Begin->Last);
    Result.SinkSkipped = Begin->Dist > 2 ? Begin->Dist - 2 : 0;
    const Node *End = Begin->Last.Callee ? known(Begin->Last.Callee) : nullptr;
    Result.SinkKind = End ? End->Kind.K : Sink::UnknownCall;
  } else if (Begin->ReachesSink) {
    for (const FunctionDecl *N = Start;;) {
      const Node &I = *known(N);
      if (I.Kind.K != Sink::None) {
        Result.SinkKind = I.Kind.K;
        break;
      }
      if (I.Next.Callee && G.isDispatcher(I.Next.Callee)) {
        // The call is the one into the dispatcher; its target is next.
        const Node &D = *known(I.Next.Callee);
        Result.SinkChain.push_back({D.Next.Callee, I.Next.Loc});
        N = D.Next.Callee;
        continue;
      }
      Result.SinkChain.push_back(I.Next);
      if (!I.Next.Callee) { // an unknown call (strict)
        Result.SinkKind = Sink::UnknownCall;
        break;
      }
      N = I.Next.Callee;
    }
  }
  return Result;
}

} // namespace allocsel
