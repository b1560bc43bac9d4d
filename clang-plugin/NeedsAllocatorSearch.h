//===- NeedsAllocatorSearch.h - chains to the global allocator --*- C++ -*-===//
//
// The search, linear in the size of the unit's call graph (docs/design.md,
// "Linear in the size of the unit"): explore() reads each function reachable
// from the starts once and finds, backward from every sink at once, each
// function's next call on a shortest chain to the global allocator;
// exitsBackward() finds the calls out of the unit; search() reads one
// function's chain off what they found.
//
//===----------------------------------------------------------------------===//

#ifndef ALLOCSEL_PLUGIN_NEEDSALLOCATORSEARCH_H
#define ALLOCSEL_PLUGIN_NEEDSALLOCATORSEARCH_H

#include "NeedsAllocatorGraph.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

#include <vector>

namespace allocsel {

/// What a search found from one start: the first (shortest) chain to the
/// global allocator, and the first chain to each exit: a function of the
/// user's defined in another unit, or one of this unit's summarized
/// functions (a search for the summary stops there; the link check goes on
/// from that function's own summary).
struct Found {
  std::vector<Call> SinkChain;
  unsigned SinkSkipped = 0; // calls left out of SinkChain, before its last
  Sink SinkKind = Sink::None;
  struct Exit {
    const clang::FunctionDecl *To;
    std::vector<Call> Chain;
    unsigned Skipped = 0; // calls left out of Chain, before its last
  };
  std::vector<Exit> Exits;
};

class Search {
public:
  explicit Search(Graph &G) : G(G) {}

  /// Runs once, first. Reads every function reachable from \p Starts once;
  /// then, backward, gives each its next call on a shortest chain to the
  /// global allocator (and that chain's length and last call), and marks
  /// those from which an external function can be reached.
  /// The functions whose address is taken in what it reads, and the
  /// overrides of the classes whose objects it constructs
  /// (Graph::overridersSoFar()), for which \p IsCallback holds are read
  /// too, as starts, and listed in \p Callbacks in the order found.
  void explore(llvm::ArrayRef<const clang::FunctionDecl *> Starts,
               llvm::function_ref<bool(const clang::FunctionDecl *)> IsCallback,
               std::vector<const clang::FunctionDecl *> &Callbacks);
  /// The exits of every function of \p Summarized (in the order the
  /// summaries list their exits, for equally near ones): breadth first
  /// backward from each external function (and each summarized function
  /// with an exit of its own), never through a summarized function, which
  /// records the exit instead. Each chain is kept by its
  /// ends. The work is the size of what the exits' callers are, up to
  /// the nearest summarized function, not the size of the unit once per
  /// start (thousands of entry points into one big generated component).
  /// The functions of \p Callbacks (address-taken functions other units
  /// cannot call by name) get their exits too, but are no boundary: their
  /// callers record what lies behind them.
  void exitsBackward(llvm::ArrayRef<const clang::FunctionDecl *> Summarized,
                     llvm::ArrayRef<const clang::FunctionDecl *> Callbacks,
                     llvm::DenseMap<const clang::FunctionDecl *, std::vector<Found::Exit>> &Out);
  /// The chain from \p Start to a sink: whole with \p WholeChain (for
  /// reports), else its first and last calls only, with the number of calls
  /// between (for summaries, in time independent of the chain's length).
  /// Exits come from exitsBackward().
  Found search(const clang::FunctionDecl *Start, bool WholeChain) const;

  /// Work done, for -fplugin-arg-allocsel-stats: functions read, calls
  /// among them, and search steps (callers looked at by exitsBackward()).
  struct Stats {
    unsigned Functions = 0, Calls = 0, SearchSteps = 0;
  } Counters;

private:
  /// What the search knows of a function explore() reached.
  struct Node {
    FunctionKind Kind;
    bool ReachesExit = false; // an external function (a call out of the unit)
    /// Whether a sink or an unknown call (strict) is reachable, and the next
    /// call on a shortest chain to it (see explore()); for an unknown call,
    /// Next.Callee is null.
    bool ReachesSink = false;
    Call Next{nullptr, clang::SourceLocation()};
    /// On that chain: the number of calls, and the last call (into the
    /// sink, or the unknown call), for summaries that keep only the ends.
    unsigned Dist = 0;
    Call Last{nullptr, clang::SourceLocation()};
  };
  /// \p FD's node, made on first use.
  Node &node(const clang::FunctionDecl *FD);
  /// \p FD's node if explore() reached it, else null.
  const Node *known(const clang::FunctionDecl *FD) const {
    auto It = Nodes.find(FD);
    return It == Nodes.end() ? nullptr : &It->second;
  }

  Graph &G;
  llvm::DenseMap<const clang::FunctionDecl *, Node> Nodes;
  std::vector<const clang::FunctionDecl *> ExternalsSeen; // by explore()
  /// Who calls whom, backward (filled by explore()).
  struct Edge {
    const clang::FunctionDecl *Caller;
    clang::SourceLocation Loc;
  };
  llvm::DenseMap<const clang::FunctionDecl *, llvm::SmallVector<Edge, 2>> Callers;
};

} // namespace allocsel

#endif
