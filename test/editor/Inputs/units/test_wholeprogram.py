"""Whole-program findings: which inputs a check reads (an open unit's record
in place of its object), and a finding shown once in each open file it
concerns, with the editor's files named as such."""

import unittest

from allocsel_clangd import wholeprogram
from allocsel_clangd.positions import path_to_uri


def location(f, ln, col):
    return {"uri": path_to_uri(f),
            "range": {"start": {"line": ln - 1, "character": col - 1},
                      "end": {"line": ln - 1, "character": col}}}


DUPLICATE = {
    "name": "allocsel-duplicate", "artifact": "/proc/self/fd/7",
    "message": "cannot define multiple global allocators: 'B' (type 'C') in /proc/self/fd/7",
    "location": {"file": "b.cpp", "line": 3, "column": 41},
    "notes": [{"artifact": "a.o", "location": {"file": "a.cpp", "line": 3, "column": 41},
               "message": "previous global allocator 'A' selected here, in a.o"}]}


class Inputs(unittest.TestCase):
    def test_records_replace_objects_and_missing_objects_go(self):
        outputs = [("/p/a.o", "/p"), ("/p/b.o", "/p"), ("/q/c.o", "/q")]
        got = wholeprogram.check_inputs(outputs, {"/p/b.o": ("/p/b.cpp", b"ASLF")}, "/p",
                                        exists=lambda p: p != "/q/c.o")
        self.assertEqual(got, [("a.o", "/p", None), (None, "/p", ("/p/b.cpp", b"ASLF"))])

    def test_editor_name(self):
        self.assertEqual(wholeprogram.editor_name("/p/src/b.cpp", "/p"), "the editor's src/b.cpp")
        self.assertEqual(wholeprogram.editor_name("/q/b.cpp", "/p"), "the editor's /q/b.cpp")

    def test_parse_findings(self):
        self.assertEqual(wholeprogram.parse_findings('noise {"findings": [{"name": "x"}]}'),
                         [{"name": "x"}])
        self.assertEqual(wholeprogram.parse_findings("crashed"), [])


class ByFile(unittest.TestCase):
    def findings(self, names):
        return wholeprogram.Findings([DUPLICATE], {"/proc/self/fd/7": "/p", "a.o": "/p"}, names,
                                     "/p")

    def test_one_diagnostic_per_open_file_with_the_editor_named(self):
        f = self.findings({"/proc/self/fd/7": "the editor's b.cpp"})
        got = f.by_uri(lambda uri: True, location)
        b, a = got[path_to_uri("/p/b.cpp")], got[path_to_uri("/p/a.cpp")]
        self.assertEqual(len(b), 1)
        self.assertEqual(b[0]["message"], "cannot define multiple global allocators: 'B' "
                         "(type 'C') in the editor's b.cpp" + wholeprogram.LIVE_LINK_SUFFIX)
        self.assertEqual(b[0]["range"]["start"], {"line": 2, "character": 40})
        self.assertEqual([r["location"]["uri"] for r in b[0]["relatedInformation"]],
                         [path_to_uri("/p/a.cpp")])
        # At the note's place, the note first.
        self.assertTrue(a[0]["message"].startswith(
            "previous global allocator 'A' selected here, in a.o; cannot define"))

    def test_closed_files_get_nothing_and_objects_alone_say_so(self):
        f = self.findings({})
        got = f.by_uri(lambda uri: uri.endswith("a.cpp"), location)
        self.assertEqual(list(got), [path_to_uri("/p/a.cpp")])
        self.assertTrue(got[path_to_uri("/p/a.cpp")][0]["message"].endswith(
            wholeprogram.LINK_SUFFIX))

    def test_a_memory_file_name_is_not_a_prefix_match(self):
        f = wholeprogram.Findings([], {}, {"/proc/self/fd/7": "the editor's b.cpp"}, "/p")
        self.assertEqual(f.named("in /proc/self/fd/71 and /proc/self/fd/7"),
                         "in /proc/self/fd/71 and the editor's b.cpp")

    def test_what_no_file_carries_is_said(self):
        # An input the check did not read has no location: it is listed,
        # with the editor's name for a record, and findings placed in files
        # are not.
        bad = {"name": "allocsel-bad-input", "artifact": "zero/lib.a(zz.o)",
               "message": "is a character device, not a regular file", "notes": []}
        record = {"name": "allocsel-bad-input", "artifact": "/proc/self/fd/7",
                  "message": "corrupt allocsel records", "notes": []}
        f = wholeprogram.Findings([DUPLICATE, bad, record], {}, {"/proc/self/fd/7":
                                                                "the editor's b.cpp"}, "/p")
        self.assertEqual(f.unplaced(), [
            "allocsel-link: zero/lib.a(zz.o): is a character device, not a regular file "
            "[allocsel-bad-input]",
            "allocsel-link: the editor's b.cpp: corrupt allocsel records [allocsel-bad-input]"])
        self.assertEqual(f.by_uri(lambda uri: True, location).keys(),
                         {path_to_uri("/p/a.cpp"), path_to_uri("/p/b.cpp")})
