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


class CompileDB:
    def __init__(self, path):
        self.path = path
        self.dir = os.path.dirname(path)
        self.mtime = None
        self.entries = []
        self.by_file = {}

    def load(self):
        try:
            mtime = os.stat(self.path).st_mtime
        except OSError:
            return False
        if mtime == self.mtime:
            return True
        try:
            data = json.loads(read_regular(self.path, MAX_COMPILE_DB))
        except (OSError, ValueError, RecursionError) as e:
            notice(self.path, "allocsel-clangd: cannot read %s (%s): allocsel's checks of the "
                   "files it covers use no compile command" % (self.path, e))
            return False
        self.mtime = mtime
        self.entries = []
        self.by_file = {}
        self._outputs = None
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
                self.entries.append(entry)
                self.by_file.setdefault(file, entry)
            except (KeyError, TypeError, ValueError):
                continue
        return True

    def command_for(self, file):
        e = self.by_file.get(file)
        if e:
            return e
        # Not in the database (a header, a new file): borrow the command of
        # the entry whose file shares the longest path with it, as clangd
        # interpolates.
        best, score = None, -1
        for cand in self.entries:
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
        if getattr(self, "_outputs", None) is None:
            found, seen = [], set()
            for e in self.entries:
                p = self.output_of(e)
                if p and p not in seen:
                    seen.add(p)
                    found.append((p, e["directory"]))
            self._outputs = found
        return self._outputs

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

    def load(self):
        try:
            mtime = os.stat(self.path).st_mtime
            if mtime != self.mtime:
                text = read_regular(self.path, MAX_RESPONSE_FILE).decode("utf-8", errors="replace")
                self.flags = [l.strip() for l in text.splitlines() if l.strip()]
                self.mtime = mtime
        except OSError as e:
            notice(self.path, "allocsel-clangd: cannot read %s (%s)" % (self.path, e))
            return False
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
    def __init__(self, fixed_dir):
        self.fixed_dir = fixed_dir
        self.dbs = {}
        self.lock = threading.Lock()

    def _get(self, path):
        db = self.dbs.get(path)
        if db is None:
            db = self.dbs[path] = (FlagsFile(path) if path.endswith(".txt") else CompileDB(path))
        return db if db.load() else None

    def find(self, file):
        with self.lock:
            if self.fixed_dir:
                return self._get(os.path.join(self.fixed_dir, "compile_commands.json"))
            d = os.path.dirname(file)
            while True:
                for cand in (os.path.join(d, "compile_commands.json"),
                             os.path.join(d, "build", "compile_commands.json"),
                             os.path.join(d, "compile_flags.txt")):
                    if os.path.isfile(cand):
                        db = self._get(cand)
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
