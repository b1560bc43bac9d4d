"""clang's output parser; the notes folded into a message for a client
without related information."""

import unittest

from allocsel_clangd import diagnostics


def rng(l1, c1, l2, c2):
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}


class ClangOutput(unittest.TestCase):
    def test_error_notes_fixit_and_include_stack(self):
        out = "\n".join([
            "In file included from main.cpp:2:",
            "sel.h:6:41: error: not constant [allocsel-not-constinit]",
            "    6 | [[global_allocator]] Dynamic G{f()};",
            '      |                      ^',
            'fix-it:"sel.h":{6:22-6:22}:"constinit "',
            "sel.h:6:43: note: non-constexpr function 'f'",
            "main.cpp:3:1: warning: unused [-Wunused] and not allocsel's",
            "note: a note without a place",
        ])
        diags = diagnostics.parse_clang_output(out, "/p")
        self.assertEqual(len(diags), 1)
        d = diags[0]
        self.assertEqual((d["file"], d["line"], d["col"], d["severity"], d["name"]),
                         ("/p/sel.h", 6, 41, 1, "allocsel-not-constinit"))
        self.assertEqual(d["message"], "not constant")
        self.assertEqual(d["included_from"], [("/p/main.cpp", 2)])
        self.assertEqual(d["fixits"], [("/p/sel.h", 6, 22, 6, 22, "constinit ")])
        self.assertEqual(d["notes"], [("/p/sel.h", 6, 43, "non-constexpr function 'f'")])


class FoldedNotes(unittest.TestCase):
    def test_notes_become_paragraphs(self):
        d = {"range": rng(0, 0, 0, 1), "message": "error", "relatedInformation": [
            {"location": {"uri": "file:///p/a.cpp", "range": rng(2, 4, 2, 5)}, "message": "here"}]}
        out = diagnostics.folded_notes(d)
        self.assertEqual(out["message"], "error\n\na.cpp:3:5: note: here")
        self.assertNotIn("relatedInformation", out)
        self.assertIn("relatedInformation", d)  # the original is left alone

    def test_without_notes_unchanged(self):
        d = {"range": rng(0, 0, 0, 1), "message": "error"}
        self.assertIs(diagnostics.folded_notes(d), d)
