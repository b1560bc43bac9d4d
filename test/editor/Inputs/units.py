"""Unit tests of allocsel-clangd's parts that need no server: the preamble
scanner, the moves of diagnostics with edits, the make-rule reader, the
notes folded into a message, clang's output parser. Run as
`units.py ALLOCSEL_CLANGD` (the configured script, loaded as a module)."""

import importlib.machinery
import importlib.util
import sys
import unittest

loader = importlib.machinery.SourceFileLoader("allocsel_clangd", sys.argv.pop(1))
spec = importlib.util.spec_from_loader("allocsel_clangd", loader)
acd = importlib.util.module_from_spec(spec)
loader.exec_module(acd)


def rng(l1, c1, l2, c2):
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}


class FindPreamble(unittest.TestCase):
    def bound(self, text):
        return acd.find_preamble(text)[0]

    def test_includes_comments_and_blank_lines(self):
        text = "// c\n\n/* a\n b */\n#include <a>\n#define X 1\n#include \"b.h\"\nint x;\n"
        bound, directives = acd.find_preamble(text)
        self.assertEqual(bound, 7)
        self.assertEqual([n for n, _ in directives], [5, 6, 7])

    def test_ends_after_the_last_include(self):
        self.assertEqual(self.bound("#include <a>\n#define Y 2\nint y;\n"), 1)

    def test_none_without_include(self):
        self.assertEqual(acd.find_preamble("#define X\nint x;\n"), (0, []))

    def test_conditional_depth(self):
        # An #include inside an #if ends the preamble only once it closes.
        text = "#include <a>\n#if X\n#include <b>\n#endif\nint x;\n"
        self.assertEqual(self.bound(text), 4)
        # A header's guard: never closed before the code.
        self.assertEqual(self.bound("#ifndef H\n#define H\n#include <a>\nint x;\n#endif\n"), 0)

    def test_stops_at_line_error_and_allocsel_pragma(self):
        self.assertEqual(self.bound("#include <a>\n#line 10\n#include <b>\n"), 1)
        self.assertEqual(self.bound("#include <a>\n#error no\n#include <b>\n"), 1)
        self.assertEqual(self.bound("#include <a>\n#pragma allocsel allocator\n#include <b>\n"), 1)
        # Other pragmas belong to the preamble.
        self.assertEqual(self.bound("#include <a>\n#pragma once\n#include <b>\n"), 3)

    def test_continuation_lines(self):
        text = "#define M(x) \\\n  (x)\n#include <a>\nint x;\n"
        bound, directives = acd.find_preamble(text)
        self.assertEqual(bound, 3)
        self.assertEqual([n for n, _ in directives], [1, 2, 3])

    def test_unfollowable_comment_stops(self):
        self.assertEqual(self.bound("#include <a>\n#include <b> /* open\n still */\n"), 1)

    def test_code_stops(self):
        self.assertEqual(self.bound("int x;\n#include <a>\n"), 0)
        self.assertEqual(self.bound("/* a */ int x;\n#include <a>\n"), 0)


class Moves(unittest.TestCase):
    def edit(self, r, text):
        s, e = r["start"], r["end"]
        return acd.Edit.of_range((s["line"], s["character"]), (e["line"], e["character"]), text,
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
        e = acd.Edit.of_text("a\nb\nc\nd\n", "x\na\nb\nc\nd\n")
        self.assertEqual(e.move_range(rng(2, 0, 2, 1)), rng(3, 0, 3, 1))
        e = acd.Edit.of_text("a\nb\nc\nd\n", "a\nB\nc\nd\n")
        self.assertIsNone(e.move_range(rng(1, 0, 1, 1)))
        self.assertEqual(e.move_range(rng(2, 0, 2, 1)), rng(2, 0, 2, 1))

    def test_related_in_the_same_file_moves_or_goes(self):
        uri = "file:///a.cpp"
        d = {"range": rng(5, 0, 5, 3), "message": "m", "relatedInformation": [
            {"location": {"uri": uri, "range": rng(1, 0, 1, 3)}, "message": "here"},
            {"location": {"uri": uri, "range": rng(8, 0, 8, 3)}, "message": "there"},
            {"location": {"uri": "file:///b.cpp", "range": rng(1, 0, 1, 3)}, "message": "b"}]}
        out = acd.moved_diagnostics([d], uri, self.edit(rng(1, 1, 1, 2), "xy\n"))
        self.assertEqual(len(out), 1)
        self.assertEqual(out[0]["range"], rng(6, 0, 6, 3))
        self.assertEqual([r["message"] for r in out[0]["relatedInformation"]], ["there", "b"])
        self.assertEqual(out[0]["relatedInformation"][0]["location"]["range"], rng(9, 0, 9, 3))


class MakeRule(unittest.TestCase):
    def test_prerequisites(self):
        rule = "out.pch: /a/x.h /b/with\\ space.h \\\n  /c/y.h\n"
        self.assertEqual(acd.make_dependencies(rule), ["/a/x.h", "/b/with space.h", "/c/y.h"])

    def test_no_rule(self):
        self.assertEqual(acd.make_dependencies(""), [])


class FoldedNotes(unittest.TestCase):
    def test_notes_become_paragraphs(self):
        d = {"range": rng(0, 0, 0, 1), "message": "error", "relatedInformation": [
            {"location": {"uri": "file:///p/a.cpp", "range": rng(2, 4, 2, 5)}, "message": "here"}]}
        out = acd.folded_notes(d)
        self.assertEqual(out["message"], "error\n\na.cpp:3:5: note: here")
        self.assertNotIn("relatedInformation", out)
        self.assertIn("relatedInformation", d)  # the original is left alone

    def test_without_notes_unchanged(self):
        d = {"range": rng(0, 0, 0, 1), "message": "error"}
        self.assertIs(acd.folded_notes(d), d)


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
        diags = acd.parse_clang_output(out, "/p")
        self.assertEqual(len(diags), 1)
        d = diags[0]
        self.assertEqual((d["file"], d["line"], d["col"], d["severity"], d["name"]),
                         ("/p/sel.h", 6, 41, 1, "allocsel-not-constinit"))
        self.assertEqual(d["message"], "not constant")
        self.assertEqual(d["included_from"], [("/p/main.cpp", 2)])
        self.assertEqual(d["fixits"], [("/p/sel.h", 6, 22, 6, 22, "constinit ")])
        self.assertEqual(d["notes"], [("/p/sel.h", 6, 43, "non-constexpr function 'f'")])


class CompileCommands(unittest.TestCase):
    def test_plugin_options_that_write_files_are_dropped(self):
        dropped = []
        args = acd.trusted_args(["-fplugin-arg-allocsel-strict",
                                 "-fplugin-arg-allocsel-record-to=/home/u/.bashrc", "-O2"], dropped)
        self.assertEqual(args, ["-fplugin-arg-allocsel-strict", "-O2"])
        self.assertEqual(dropped, ["-fplugin-arg-allocsel-record-to=/home/u/.bashrc"])

    def test_output_of_an_entry(self):
        out = acd.CompileDB.output_of
        self.assertEqual(out({"directory": "/p", "args": ["c++", "-c", "a.cpp", "-o", "o/a.o"]}),
                         "/p/o/a.o")
        self.assertEqual(out({"directory": "/p", "args": ["c++", "-c", "a.cpp", "-oa.o"]}), "/p/a.o")
        self.assertEqual(out({"directory": "/p", "output": "/q/a.o", "args": ["c++", "a.cpp"]}),
                         "/q/a.o")
        self.assertIsNone(out({"directory": "/p", "args": ["c++", "-fsyntax-only", "a.cpp"]}))


if __name__ == "__main__":
    unittest.main(verbosity=1)
