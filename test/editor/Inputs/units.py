"""Unit tests of allocsel-clangd's modules, each on its own (units/test_*.py,
one file per module of the package allocsel_clangd). Run as
`units.py ALLOCSEL_CLANGD`: the package next to that launcher
(PREFIX/lib/allocsel/python), as configured by the build."""

import os
import sys
import unittest

launcher = os.path.realpath(sys.argv.pop(1))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(launcher)),
                                "lib", "allocsel", "python"))
sys.dont_write_bytecode = True
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "units")
suite = unittest.defaultTestLoader.discover(here, top_level_dir=here)
result = unittest.TextTestRunner(verbosity=1).run(suite)
sys.exit(0 if result.wasSuccessful() else 1)
