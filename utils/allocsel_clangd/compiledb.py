"""Compile databases (compile_commands.json, compile_flags.txt), found as
clangd finds them: each file's command and the build's outputs."""

import json
import os
import shlex
import threading

from .compilers import is_c
from .config import CLANG, CLANGXX
from .files import MAX_COMPILE_DB, MAX_RESPONSE_FILE, read_regular
from .logs import notice


# ---------------------------------------------------------------------------
# Compile commands, found as clangd finds them.


class _Parsed:
    """What one load of a compile database found; replaced whole by the
    next load, so a reader sees one load's entries or the next's."""

    def __init__(self, entries=(), by_file=None):
        self.entries = list(entries)
        self.by_file = by_file or {}
        self.outputs = None  # output_paths(), found once


class CompileDB:
    def __init__(self, path):
        self.path = path
        self.dir = os.path.dirname(path)
        self.mtime = None
        self.parsed = _Parsed()
        # One load of this file at a time. Held while the file is read, by
        # the loading thread only: another thread finding it then uses the
        # entries it had (load() does not wait), except before its first
        # load, when there are none to use.
        self.loading = threading.Lock()

    @property
    def entries(self):
        return self.parsed.entries

    @property
    def by_file(self):
        return self.parsed.by_file

    def load(self):
        """Reads the file again if it changed (False: it cannot be read).
        Called without any lock of the server's: the file may be large (up
        to MAX_COMPILE_DB) and its parse slow; what it found is swapped in
        at once when it is done."""
        try:
            mtime = os.stat(self.path).st_mtime
        except OSError:
            return False
        if mtime == self.mtime:
            return True
        if not self.loading.acquire(blocking=self.mtime is None):
            return True  # being read again by another thread: its last entries serve
        try:
            if mtime == self.mtime:
                return True  # read by another thread meanwhile
            return self._read(mtime)
        finally:
            self.loading.release()

    def _read(self, mtime):
        try:
            data = json.loads(read_regular(self.path, MAX_COMPILE_DB))
        except (OSError, ValueError, RecursionError) as e:
            notice(self.path, "allocsel-clangd: cannot read %s (%s): allocsel's checks of the "
                   "files it covers use no compile command" % (self.path, e))
            return False
        entries, by_file = [], {}
        for e in data if isinstance(data, list) else []:
            try:
                directory = e.get("directory", self.dir)
                if "arguments" in e:
                    args = list(e["arguments"])
                else:
                    args = shlex.split(e["command"])
                if not all(isinstance(a, str) for a in args + [directory, e["file"]]):
                    continue
                file = os.path.normpath(os.path.join(directory, e["file"]))
                entry = {"directory": directory, "file": file, "args": args,
                         "output": e.get("output")}
                entries.append(entry)
                by_file.setdefault(file, entry)
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        self.parsed = _Parsed(entries, by_file)
        self.mtime = mtime
        return True

    def command_for(self, file):
        parsed = self.parsed
        e = parsed.by_file.get(file)
        if e:
            return e
        # Not in the database (a header, a new file): borrow the command of
        # the entry whose file shares the longest path with it, as clangd
        # interpolates.
        best, score = None, -1
        for cand in parsed.entries:
            s = len(os.path.commonpath([cand["file"], file]))
            if os.path.splitext(cand["file"])[1] == os.path.splitext(file)[1]:
                s += 1
            if s > score:
                best, score = cand, s
        if not best:
            return None
        args = [file if os.path.normpath(os.path.join(best["directory"], a)) == best["file"]
                else a for a in best["args"]]
        return {"directory": best["directory"], "file": file, "args": args, "output": None}

    @staticmethod
    def output_of(e):
        """The output an entry names (its "output", else its -o), as an
        absolute path; None if it names none."""
        out = e.get("output")
        if not out:
            args = e["args"]
            for i, a in enumerate(args):
                if a == "-o" and i + 1 < len(args):
                    out = args[i + 1]
                elif a.startswith("-o") and len(a) > 2:
                    out = a[2:]
        if not out or not isinstance(out, str):
            return None
        return os.path.normpath(os.path.join(e["directory"], out))

    def unit_output(self, file):
        """The object `file` (an entry's own file) compiles to, or None."""
        e = self.by_file.get(file)
        return self.output_of(e) if e else None

    def output_paths(self):
        """[(output, directory)] the entries name (once each), whether
        they exist or not."""
        parsed = self.parsed
        if parsed.outputs is None:
            found, seen = [], set()
            for e in parsed.entries:
                p = self.output_of(e)
                if p and p not in seen:
                    seen.add(p)
                    found.append((p, e["directory"]))
            parsed.outputs = found
        return parsed.outputs

    def outputs(self):
        """The build outputs the entries name, that exist."""
        return [(p, d) for p, d in self.output_paths() if os.path.isfile(p)]

    def output_stamps(self):
        """What tells a rebuilt output from the one the last check read."""
        stamps = {}
        for p, _ in self.output_paths():
            try:
                st = os.stat(p)
            except OSError:
                continue
            stamps[p] = (st.st_mtime_ns, st.st_size, st.st_ino)
        return stamps


class FlagsFile(CompileDB):
    """compile_flags.txt: one flag a line, for every file below it."""

    flags = []

    def _read(self, mtime):
        try:
            text = read_regular(self.path, MAX_RESPONSE_FILE).decode("utf-8", errors="replace")
        except OSError as e:
            notice(self.path, "allocsel-clangd: cannot read %s (%s)" % (self.path, e))
            return False
        self.flags = [l.strip() for l in text.splitlines() if l.strip()]
        self.mtime = mtime
        return True

    def command_for(self, file):
        driver = CLANG if is_c(file, "") else CLANGXX
        return {"directory": self.dir, "file": file, "args": [driver] + self.flags + [file],
                "output": None}

    def outputs(self):
        return []

    def output_paths(self):
        return []

    def unit_output(self, file):
        return None


class CompileDBs:
    """The compile databases found so far, by path. The lock guards the
    table only: a database is read (CompileDB.load) without it, and without
    the server's, so a large or slow one delays only the thread that needs
    it."""

    def __init__(self, fixed_dir):
        self.fixed_dir = fixed_dir
        self.dbs = {}
        self.lock = threading.Lock()

    def get(self, path):
        """The database at `path`, read again if it changed; None if it
        cannot be read."""
        with self.lock:
            db = self.dbs.get(path)
            if db is None:
                db = self.dbs[path] = (FlagsFile(path) if path.endswith(".txt")
                                       else CompileDB(path))
        return db if db.load() else None

    def find(self, file):
        """The database that covers `file`, found as clangd finds it."""
        if self.fixed_dir:
            return self.get(os.path.join(self.fixed_dir, "compile_commands.json"))
        d = os.path.dirname(file)
        while True:
            for cand in (os.path.join(d, "compile_commands.json"),
                         os.path.join(d, "build", "compile_commands.json"),
                         os.path.join(d, "compile_flags.txt")):
                if os.path.isfile(cand):
                    db = self.get(cand)
                    if db:
                        return db
            parent = os.path.dirname(d)
            if parent == d:
                return None
            d = parent


def fallback_entry(file):
    return {"directory": os.path.dirname(file), "file": file,
            "args": [CLANG if is_c(file, "") else CLANGXX, file], "output": None}


# ---------------------------------------------------------------------------
# clang's text output
