"""Diagnostics moved with edits: incremental and whole-text, UTF-16 units,
related locations."""

import unittest

from allocsel_clangd import positions


def rng(l1, c1, l2, c2):
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}


class Moves(unittest.TestCase):
    def edit(self, r, text):
        s, e = r["start"], r["end"]
        return positions.Edit.of_range((s["line"], s["character"]), (e["line"], e["character"]), text,
                                 "utf-16")

    def test_lines_inserted_above(self):
        e = self.edit(rng(0, 0, 0, 0), "a\nb\n")
        self.assertEqual(e.move_range(rng(5, 3, 5, 7)), rng(7, 3, 7, 7))

    def test_before_the_edit_stays(self):
        e = self.edit(rng(9, 0, 9, 4), "x")
        self.assertEqual(e.move_range(rng(5, 3, 5, 7)), rng(5, 3, 5, 7))

    def test_same_line_after_the_edit_shifts_columns(self):
        e = self.edit(rng(5, 0, 5, 2), "abcd")
        self.assertEqual(e.move_range(rng(5, 3, 5, 7)), rng(5, 5, 5, 9))

    def test_touching_or_inside_is_held_back(self):
        self.assertIsNone(self.edit(rng(5, 4, 5, 5), "z").move_range(rng(5, 3, 5, 7)))
        self.assertIsNone(self.edit(rng(5, 7, 5, 7), "z").move_range(rng(5, 3, 5, 7)))
        self.assertIsNone(self.edit(rng(5, 3, 5, 3), "z").move_range(rng(5, 3, 5, 7)))

    def test_utf16_units(self):
        # One astral character is two UTF-16 units.
        e = self.edit(rng(2, 0, 2, 0), "\U0001F600")
        self.assertEqual(e.move_range(rng(2, 4, 2, 6)), rng(2, 6, 2, 8))

    def test_whole_text(self):
        e = positions.Edit.of_text("a\nb\nc\nd\n", "x\na\nb\nc\nd\n")
        self.assertEqual(e.move_range(rng(2, 0, 2, 1)), rng(3, 0, 3, 1))
        e = positions.Edit.of_text("a\nb\nc\nd\n", "a\nB\nc\nd\n")
        self.assertIsNone(e.move_range(rng(1, 0, 1, 1)))
        self.assertEqual(e.move_range(rng(2, 0, 2, 1)), rng(2, 0, 2, 1))

    def test_related_in_the_same_file_moves_or_goes(self):
        uri = "file:///a.cpp"
        d = {"range": rng(5, 0, 5, 3), "message": "m", "relatedInformation": [
            {"location": {"uri": uri, "range": rng(1, 0, 1, 3)}, "message": "here"},
            {"location": {"uri": uri, "range": rng(8, 0, 8, 3)}, "message": "there"},
            {"location": {"uri": "file:///b.cpp", "range": rng(1, 0, 1, 3)}, "message": "b"}]}
        out = positions.moved_diagnostics([d], uri, self.edit(rng(1, 1, 1, 2), "xy\n"))
        self.assertEqual(len(out), 1)
        self.assertEqual(out[0]["range"], rng(6, 0, 6, 3))
        self.assertEqual([r["message"] for r in out[0]["relatedInformation"]], ["there", "b"])
        self.assertEqual(out[0]["relatedInformation"][0]["location"]["range"], rng(9, 0, 9, 3))


class Encodings(unittest.TestCase):
    """LSP positions to offsets in a document (incremental edits) and clang's
    byte columns to LSP characters, on non-ASCII text, in each encoding."""
    line = "/* \u00e9\u20ac\U0001F600 */ x"
    text = "first\n" + line + "\nlast"

    def test_characters_units_and_bytes(self):
        # "x" is at: 10 code points, 11 UTF-16 units (the emoji is a
        # surrogate pair), 16 UTF-8 bytes (e-acute 2, euro 3, emoji 4).
        x = self.text.index("x")
        for enc, col in (("utf-32", 10), ("utf-16", 11), ("utf-8", 16)):
            self.assertEqual(positions.offset_of(self.text, {"line": 1, "character": col}, enc), x)
            # clang's column of "x" is byte 17 (1-based).
            self.assertEqual(positions.byte_col_to_lsp(self.line, 17, enc), col)
            self.assertEqual(positions.units(self.line[:self.line.index("x")], enc), col)

    def test_right_after_a_surrogate_pair(self):
        after = self.text.index("\U0001F600") + 1
        for enc, col in (("utf-32", 6), ("utf-16", 7), ("utf-8", 12)):
            self.assertEqual(positions.offset_of(self.text, {"line": 1, "character": col}, enc),
                             after)

    def test_clamped_past_the_end(self):
        self.assertEqual(positions.offset_of(self.text, {"line": 1, "character": 99}, "utf-16"),
                         self.text.index("\nlast"))
        self.assertEqual(positions.offset_of(self.text, {"line": 9, "character": 0}, "utf-16"),
                         len(self.text))

    def test_token_end(self):
        # The token at a clang column ends after the identifier.
        self.assertEqual(positions.token_end("int Missing{};", 5), 12)
