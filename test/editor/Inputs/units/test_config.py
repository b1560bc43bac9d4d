"""allocsel-clangd's own options and environment variables: one list
(config.OPTIONS, config.ENVIRONMENT), which --help prints and through which
the package reads every variable of its own; docs/editors.md's table names
them all."""

import os
import re
import unittest

from allocsel_clangd import config

PACKAGE = os.path.dirname(os.path.realpath(config.__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))))


def package_sources():
    for name in sorted(os.listdir(PACKAGE)):
        if name.endswith(".py"):
            with open(os.path.join(PACKAGE, name), encoding="utf-8") as f:
                yield name, f.read()


def variable_names():
    return [v.split("=", 1)[0] for v, _ in config.ENVIRONMENT]


class OneList(unittest.TestCase):
    def test_help_lists_every_option_and_variable(self):
        text = config.help_text()
        for name, what in config.OPTIONS + config.ENVIRONMENT:
            self.assertIn("  %s\n" % name, text)
            self.assertIn(" ".join(what.split()), " ".join(text.split()))
        self.assertTrue(text.rstrip().endswith("clangd's own help follows."))

    def test_every_variable_read_is_listed(self):
        read = set()
        for name, text in package_sources():
            # Not os.environ for a variable of its own: setting() only.
            self.assertEqual(re.findall(r"environ(?:\.get)?[(\[]\s*\"(ALLOCSEL_\w+)", text), [],
                             name)
            read.update(re.findall(r"setting\(\"(ALLOCSEL_\w+)\"", text))
        self.assertEqual(sorted(read), sorted(variable_names()))

    def test_setting_takes_only_listed_names(self):
        with self.assertRaises(KeyError):
            config.setting("ALLOCSEL_CLANGD_NO_SUCH_VARIABLE")

    def test_every_option_is_parsed(self):
        with open(os.path.join(PACKAGE, "server.py"), encoding="utf-8") as f:
            server = f.read()
        for name, _ in config.OPTIONS:
            spelled = re.match(r"--[\w-]+=?", name).group(0)
            self.assertIn('"%s' % spelled, server, name)

    def test_editors_page_names_each_one(self):
        path = os.path.join(SOURCE_ROOT, "docs", "editors.md")
        if not os.path.exists(path):
            self.skipTest("no source tree next to the tests")
        with open(path, encoding="utf-8") as f:
            page = f.read()
        table = page[page.index("### Options"):]
        table = table[:table.index("\n### ", 1)]
        for name, what in config.OPTIONS + config.ENVIRONMENT:
            if what.startswith("tests only") or name == "--allocsel-version":
                continue
            self.assertIn("`%s" % re.match(r"[\w-]+", name.lstrip("-")).group(0),
                          table.replace("`--", "`"), name)
