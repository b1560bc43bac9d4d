"""The server reads compile databases with no lock held (docs/design.md,
"Trust"): while one is read again (it changed; it may be hundreds of
megabytes), the editor's messages are taken in, other databases are found,
and the whole-program view of another database is shown. The read is held
at a gate the test opens (read_regular of that one file waits for it, then
reads the real file), so "while" is exact, not a matter of timing: with a
lock held across the read, each step below would wait for the gate and
fail its 10 s bound."""

import json
import os
import shutil
import tempfile
import threading
import unittest

from allocsel_clangd import compiledb
from allocsel_clangd.compiledb import CompileDBs
from allocsel_clangd.positions import path_to_uri
from allocsel_clangd.server import Document, Server
from allocsel_clangd.wholeprogram import Findings

BOUND = 10  # seconds: what an answer may take while the gate is shut


class Gate:
    """read_regular, except that reading `path` waits until open() (and
    says when it started waiting)."""

    def __init__(self, path):
        self.path = path
        self.waiting = threading.Event()
        self.opened = threading.Event()
        self.real = compiledb.read_regular

    def __call__(self, path, limit):
        if path == self.path:
            self.waiting.set()
            self.opened.wait(60)
        return self.real(path, limit)

    def open(self):
        self.opened.set()


def in_thread(fn, *args):
    """Runs fn(*args) in a thread: (thread, [result])."""
    out = []
    t = threading.Thread(target=lambda: out.append(fn(*args)), daemon=True)
    t.start()
    return t, out


def write_db(directory, files):
    path = os.path.join(directory, "compile_commands.json")
    with open(path, "w") as f:
        json.dump([{"directory": directory, "file": name,
                    "arguments": ["clang++", "-c", name, "-o", name + ".o"]} for name in files], f)
    return path


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.env = {k: os.environ.get(k) for k in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME")}
        os.environ["XDG_CACHE_HOME"] = os.path.join(self.tmp, "cache")
        os.environ["XDG_CONFIG_HOME"] = os.path.join(self.tmp, "config")
        self.p1, self.p2 = os.path.join(self.tmp, "p1"), os.path.join(self.tmp, "p2")
        os.mkdir(self.p1)
        os.mkdir(self.p2)
        self.db1 = write_db(self.p1, ["a.cpp"])
        self.db2 = write_db(self.p2, ["b.cpp"])
        self.a, self.b = os.path.join(self.p1, "a.cpp"), os.path.join(self.p2, "b.cpp")
        self.gate = None

    def tearDown(self):
        if self.gate:
            self.gate.open()
            compiledb.read_regular = self.gate.real
        for k, v in self.env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(self.tmp, ignore_errors=True)

    def change_db2(self):
        """p2's database gains an entry (and a new stamp): the next find
        reads it again, through the gate, which is shut."""
        write_db(self.p2, ["b.cpp", "c.cpp"])
        st = os.stat(self.db2)
        os.utime(self.db2, ns=(st.st_atime_ns, st.st_mtime_ns + 10 ** 9))
        self.gate = Gate(self.db2)
        compiledb.read_regular = self.gate

    def slow_load(self, find):
        """find() of b.cpp in a thread, stopped inside the read of p2's
        database: the thread."""
        t, _ = in_thread(find, self.b)
        self.assertTrue(self.gate.waiting.wait(BOUND), "the load never started")
        return t

    def finishes(self, fn, *args):
        t, out = in_thread(fn, *args)
        t.join(BOUND)
        self.assertFalse(t.is_alive(), "%s waited for the compile database being read"
                         % getattr(fn, "__name__", fn))
        return out[0] if out else None


class CompileDatabases(Base):
    def test_a_load_blocks_no_other_lookup(self):
        dbs = CompileDBs(None)
        db1, db2 = dbs.find(self.a), dbs.find(self.b)
        self.assertEqual([e["file"] for e in db2.entries], [self.b])
        self.change_db2()
        loader = self.slow_load(dbs.find)
        # Another database is found, the table's lock is free, and the
        # database being read serves its last entries meanwhile.
        self.assertIs(self.finishes(dbs.find, self.a), db1)
        self.assertTrue(dbs.lock.acquire(timeout=BOUND))
        dbs.lock.release()
        same = self.finishes(dbs.find, self.b)
        self.assertIs(same, db2)
        self.assertEqual([e["file"] for e in same.entries], [self.b])
        self.gate.open()
        loader.join(BOUND)
        # Swapped in once read: the same object, the new entries.
        self.assertEqual([e["file"] for e in db2.entries],
                         [self.b, os.path.join(self.p2, "c.cpp")])
        self.assertEqual([p for p, _ in db2.output_paths()],
                         [self.b + ".o", os.path.join(self.p2, "c.cpp.o")])


class ServerLock(Base):
    def server(self):
        s = Server(["--clangd=/bin/true"])
        for path in (self.a, self.b):
            doc = Document(path_to_uri(path), "int x;\n", 1, "cpp")
            s.docs[doc.uri] = doc
        # b.cpp: an open unit with a record of its text (p1's check asks
        # whether it stands for one of p1's objects).
        s.docs[path_to_uri(self.b)].record = b"ASLF"
        self.assertIsNotNone(s.dbs.find(self.a))
        self.assertIsNotNone(s.dbs.find(self.b))
        return s

    def hover(self, s):
        """What the server does with a request it does not follow (a hover):
        it looks, under its lock, whether it wants the response."""
        return s.take_from_editor(json.dumps({
            "jsonrpc": "2.0", "id": 7, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": path_to_uri(self.a)},
                       "position": {"line": 0, "character": 4}}}).encode())

    def test_show_link_reads_without_the_server_lock(self):
        s = self.server()
        s.link_results[self.db1] = Findings([], {}, {}, self.p1)
        self.change_db2()
        # p1's findings are shown: which open files p1's database covers is
        # found for each, b.cpp's database is read again.
        shower = self.slow_load(lambda _: s.show_link(self.db1))
        self.assertIsNone(self.finishes(self.hover, s))
        self.assertTrue(s.lock.acquire(timeout=BOUND))
        s.lock.release()
        self.gate.open()
        shower.join(BOUND)
        self.assertFalse(shower.is_alive())

    def test_link_check_reads_without_the_server_lock(self):
        s = self.server()
        self.change_db2()
        # p1's check: which open units' records stand for p1's objects.
        checker = self.slow_load(lambda _: s.link_check(self.db1))
        self.assertIsNone(self.finishes(self.hover, s))
        self.gate.open()
        checker.join(BOUND)
        self.assertFalse(checker.is_alive())
        self.assertIn(self.db1, s.link_results)  # it went on to the end

    def test_opening_a_file_reads_no_compile_database(self):
        # The thread that takes the editor's messages in (and that the pump
        # waits for) finds no database: a worker does (link_for).
        s = self.server()
        self.change_db2()
        path = os.path.join(self.p2, "new.cpp")
        opened = json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": path_to_uri(path), "languageId": "cpp", "version": 1,
                             "text": "int y;\n"}}}).encode()
        self.assertIsNone(self.finishes(s.take_from_editor, opened))
        self.assertFalse(self.gate.waiting.is_set())
        self.assertEqual(s.link_find, {path: True})
        self.gate.open()
        s.link_for(path, True)
        self.assertEqual(s.link_due, {self.db2})


if __name__ == "__main__":
    unittest.main()
