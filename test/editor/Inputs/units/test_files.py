"""Files a repository names, read for their columns (a #line directive's
file, a file a record names): only regular files, never blocking, and one
budget of bytes for all the files one result names."""

import os
import shutil
import tempfile
import threading
import unittest

from allocsel_clangd import files


class ReadLines(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_not_regular_files_are_not_read(self):
        fifo = os.path.join(self.tmp, "fifo.h")
        os.mkfifo(fifo)
        got = []
        # Opening a FIFO with no writer for reading (without O_NONBLOCK)
        # would block: bounded by a thread.
        t = threading.Thread(target=lambda: got.append((files.read_lines(fifo, {1}),
                                                        files.read_lines("/dev/zero", {1}),
                                                        files.read_lines(self.tmp, {1}))),
                             daemon=True)
        t.start()
        t.join(10)
        self.assertFalse(t.is_alive(), "read_lines blocked")
        self.assertEqual(got, [({}, {}, {})])

    def test_one_budget_for_all_files(self):
        a = self.write("a.h", "int a;\nint aa;\n")   # 15 bytes
        b = self.write("b.h", "int b;\n")            # 7 bytes
        budget = [20]
        self.assertEqual(files.read_lines(a, {2}, budget), {2: "int aa;"})
        self.assertEqual(budget, [5])
        # b.h is more than what is left: not read, the budget stays.
        self.assertEqual(files.read_lines(b, {1}, budget), {})
        self.assertEqual(budget, [5])
        # Alone, each file has the whole bound.
        self.assertEqual(files.read_lines(b, {1}), {1: "int b;"})


if __name__ == "__main__":
    unittest.main()
