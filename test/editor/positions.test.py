import sys
from importlib.machinery import SourceFileLoader

m = SourceFileLoader("allocsel_clangd", sys.argv[1]).load_module()

line = "/* é€😀 */ x"
text = "first\n" + line + "\nlast"
# "x" is at: 10 code points, 11 UTF-16 units (the emoji is a surrogate pair),
# 16 UTF-8 bytes (é 2, € 3, 😀 4).
x = text.index("x")
for enc, col in (("utf-32", 10), ("utf-16", 11), ("utf-8", 16)):
    assert m.offset_of(text, {"line": 1, "character": col}, enc) == x, enc
    # clang's column of "x" is byte 17 (1-based).
    assert m.byte_col_to_lsp(line, 17, enc) == col, enc
    assert m.units(line[:line.index("x")], enc) == col, enc
# Right after the emoji: 6 code points, 7 UTF-16 units, 12 UTF-8 bytes.
after = text.index("😀") + 1
for enc, col in (("utf-32", 6), ("utf-16", 7), ("utf-8", 12)):
    assert m.offset_of(text, {"line": 1, "character": col}, enc) == after, enc
# Past the end of a line or of the text: clamped.
assert m.offset_of(text, {"line": 1, "character": 99}, "utf-16") == text.index("\nlast")
assert m.offset_of(text, {"line": 9, "character": 0}, "utf-16") == len(text)
# The token at a clang column ends after the identifier.
assert m.token_end("int Missing{};", 5) == 12
print("ok")
