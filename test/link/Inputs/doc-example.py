"""Prints a fenced block of docs/facts-format.md's worked example.

usage: doc-example.py source|dump DOC
  source   the C++ unit the example compiles
  dump     the xxd dump of its .allocsel.facts section

Each block is the first fenced block after its marker comment
(<!-- facts-example-source ... --> or <!-- facts-example-dump ... -->).
"""
import sys

which, doc = sys.argv[1:3]
lines = open(doc, encoding="utf-8").read().split("\n")
marker = f"<!-- facts-example-{which}"
starts = [i for i, line in enumerate(lines) if line.startswith(marker)]
if len(starts) != 1:
    sys.exit(f"{doc}: expected one '{marker}' marker, found {len(starts)}")
i = starts[0] + 1
while i < len(lines) and not lines[i].startswith("```"):
    i += 1
end = i + 1
while end < len(lines) and lines[end] != "```":
    end += 1
if i >= len(lines) or end >= len(lines):
    sys.exit(f"{doc}: no fenced block after '{marker}'")
sys.stdout.write("".join(line + "\n" for line in lines[i + 1:end]))
