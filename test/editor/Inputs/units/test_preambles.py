"""The preamble scanner and the make-rule reader of a PCH's dependencies."""

import unittest

from allocsel_clangd import preambles


class FindPreamble(unittest.TestCase):
    def bound(self, text):
        return preambles.find_preamble(text)[0]

    def test_includes_comments_and_blank_lines(self):
        text = "// c\n\n/* a\n b */\n#include <a>\n#define X 1\n#include \"b.h\"\nint x;\n"
        bound, directives = preambles.find_preamble(text)
        self.assertEqual(bound, 7)
        self.assertEqual([n for n, _ in directives], [5, 6, 7])

    def test_ends_after_the_last_include(self):
        self.assertEqual(self.bound("#include <a>\n#define Y 2\nint y;\n"), 1)

    def test_none_without_include(self):
        self.assertEqual(preambles.find_preamble("#define X\nint x;\n"), (0, []))

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
        bound, directives = preambles.find_preamble(text)
        self.assertEqual(bound, 3)
        self.assertEqual([n for n, _ in directives], [1, 2, 3])

    def test_unfollowable_comment_stops(self):
        self.assertEqual(self.bound("#include <a>\n#include <b> /* open\n still */\n"), 1)

    def test_code_stops(self):
        self.assertEqual(self.bound("int x;\n#include <a>\n"), 0)
        self.assertEqual(self.bound("/* a */ int x;\n#include <a>\n"), 0)


class MakeRule(unittest.TestCase):
    def test_prerequisites(self):
        rule = "out.pch: /a/x.h /b/with\\ space.h \\\n  /c/y.h\n"
        self.assertEqual(preambles.make_dependencies(rule), ["/a/x.h", "/b/with space.h", "/c/y.h"])

    def test_no_rule(self):
        self.assertEqual(preambles.make_dependencies(""), [])
