"""Compile commands: what a compile database may not make clang do; the
output an entry names."""

import unittest

from allocsel_clangd import compiledb, compilers


class CompileCommands(unittest.TestCase):
    def test_plugin_options_that_write_files_are_dropped(self):
        dropped = []
        args = compilers.trusted_args(["-fplugin-arg-allocsel-strict",
                                 "-fplugin-arg-allocsel-record-to=/home/u/.bashrc", "-O2"], dropped)
        self.assertEqual(args, ["-fplugin-arg-allocsel-strict", "-O2"])
        self.assertEqual(dropped, ["-fplugin-arg-allocsel-record-to=/home/u/.bashrc"])

    def test_output_of_an_entry(self):
        out = compiledb.CompileDB.output_of
        self.assertEqual(out({"directory": "/p", "args": ["c++", "-c", "a.cpp", "-o", "o/a.o"]}),
                         "/p/o/a.o")
        self.assertEqual(out({"directory": "/p", "args": ["c++", "-c", "a.cpp", "-oa.o"]}), "/p/a.o")
        self.assertEqual(out({"directory": "/p", "output": "/q/a.o", "args": ["c++", "a.cpp"]}),
                         "/q/a.o")
        self.assertIsNone(out({"directory": "/p", "args": ["c++", "-fsyntax-only", "a.cpp"]}))
