"""allocsel-clangd: the real clangd with allocsel's diagnostics
(docs/editors.md, docs/design.md "The editor: allocsel-clangd").

Modules, each usable and tested on its own (test/editor/Inputs/units):
config, logs, files, framing, positions, compiledb, compilers, clangd,
preambles, diagnostics, wholeprogram, and server, which ties them together.
"""
