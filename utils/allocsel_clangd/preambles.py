"""Precompiled preambles: the #include lines at a file's top, built once
into a PCH that later runs of the file reuse (docs/design.md, "Preambles")."""

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading

from .clangd import own_directory
from .config import INCLUDE_DIR
from .files import NotReadable, read_regular
from .logs import log


# ---------------------------------------------------------------------------
# Preambles (docs/design.md, "Preambles"). A file's run parses its headers
# again after every edit, while clangd keeps them parsed: after an edit,
# allocsel's verdict came seconds after clangd's. So, like clangd, this
# server keeps a precompiled header of each open file's preamble (the
# directives at its top, up to its last #include) and compiles the rest of
# the text against it, the preamble's lines blanked (same lines, same
# columns). A PCH is only used where it cannot change allocsel's answer:
# the plugin sees a header's attributes and pragmas while clang parses it,
# which a PCH skips, so a preamble whose headers (other than allocsel's
# own) name global_allocator, needs_allocator or allocsel's pragmas is
# never precompiled; nor one of a command that already uses a PCH.

DIRECTIVE_RE = re.compile(r"^\s*#\s*([A-Za-z_]+)")
ALLOCSEL_WORDS_RE = re.compile(rb"global_allocator|needs_allocator|allocsel\s+allocator")
MAX_PREAMBLES = 8
MAX_PREAMBLE_DEPS_BYTES = 512 << 20


def find_preamble(text):
    """(number of leading lines, [(line number, directive line)]) of the
    preamble of `text`: its first lines that are only directives, comments
    and blank lines, up to the last #include, or the #endif that closes
    the conditional block of the last one; (0, []) if it has none. It stops
    at anything else, at a #line, an #error, a #pragma that names allocsel,
    and at a comment it cannot follow line by line."""
    lines = text.split("\n")
    directives, bound, kept, depth = [], 0, 0, 0
    included = False  # an #include in the open conditional block
    in_comment = False
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if in_comment:
            if "*/" not in line:
                i += 1
                continue
            in_comment = False
            line = line.split("*/", 1)[1].strip()
        while line.startswith("/*"):
            if "*/" not in line[2:]:
                in_comment = True
                line = ""
                break
            line = line[2:].split("*/", 1)[1].strip()
        if not line or line.startswith("//"):
            i += 1
            continue
        m = DIRECTIVE_RE.match(line)
        if not m:
            break
        name = m.group(1)
        if name in ("line", "error", "embed") or (name == "pragma" and "allocsel" in line):
            break
        first = i
        while lines[i].rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
        block = lines[first:i + 1]
        if any("/*" in b and "*/" not in b.split("/*", 1)[1] for b in block):
            break
        if name in ("if", "ifdef", "ifndef"):
            depth += 1
        elif name == "endif":
            depth -= 1
            if depth < 0:
                break
        directives.extend((n + 1, b) for n, b in zip(range(first, i + 1), block))
        if name in ("include", "include_next", "import"):
            included = True
        if included and depth == 0:
            bound, kept, included = i + 1, len(directives), False
        i += 1
    return bound, directives[:kept]


class Preamble:
    def __init__(self, key, header, pch, lines, deps=()):
        self.key, self.header, self.pch = key, header, pch
        self.lines = lines          # header line (1-based) -> the file's line
        self.deps = frozenset(deps)  # the headers it was built from (real paths)


class Preambles:
    """The PCHs of the open files' preambles, in a directory of this
    server's (removed when it ends; one a killed server left is removed by
    the next), at most MAX_PREAMBLES, the least recently used replaced."""

    def __init__(self):
        self.lock = threading.Lock()
        self.dir = None
        self.ready = {}          # key -> Preamble, in order of use
        self.unusable = {}       # key -> why
        self.building = set()

    @staticmethod
    def key(base, file, directives):
        h = hashlib.sha256()
        h.update(json.dumps([base, os.path.dirname(file)]).encode("utf-8"))
        for _, line in directives:
            h.update(b"\n" + line.encode("utf-8"))
        return h.hexdigest()[:24]

    def directory(self):
        if self.dir is not None:
            return self.dir
        root = own_directory("preambles")
        if root is None:
            return None
        try:
            for old in os.listdir(root):
                pid = old.split("-", 1)[0]
                if pid.isdigit() and not pid_alive(int(pid)):
                    shutil.rmtree(os.path.join(root, old), ignore_errors=True)
            self.dir = tempfile.mkdtemp(prefix="%d-" % os.getpid(), dir=root)
        except OSError as e:
            log("preambles: no directory in", root, e)
        return self.dir

    def get(self, key):
        with self.lock:
            pre = self.ready.pop(key, None)
            if pre is not None:
                self.ready[key] = pre
            return pre

    def wanted(self, key):
        """Whether `key` should be built now (not ready, building or refused)."""
        with self.lock:
            if key in self.ready or key in self.building or key in self.unusable:
                return False
            self.building.add(key)
            return True

    def done(self, key, pre=None, why=None):
        with self.lock:
            self.building.discard(key)
            if pre is not None:
                self.ready[key] = pre
                while len(self.ready) > MAX_PREAMBLES:
                    self.forget(next(iter(self.ready)))
            elif why:
                self.unusable[key] = why

    def forget(self, key):
        """Drops a PCH (a header it was built from changed, or too many)."""
        pre = self.ready.pop(key, None)
        if pre is not None:
            remove_preamble_files(pre.header)

    def remove_all(self):
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def preamble_files(header):
    """(header, its PCH, its dependency list): the files of one preamble."""
    return header, header + ".pch", header + ".d"


def remove_preamble_files(header):
    for f in preamble_files(header):
        try:
            os.unlink(f)
        except OSError:
            pass


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def make_dependencies(text):
    """The files a make rule (clang's -MF output) names as prerequisites."""
    text = text.replace("\\\n", " ")
    words = [w.replace("\\ ", " ").replace("$$", "$")
             for w in re.findall(r"(?:\\.|[^\s\\])+", text)]
    for n, w in enumerate(words):
        if w.endswith(":"):
            return words[n + 1:]
    return []


def names_allocsel(deps, header):
    """Why a PCH of headers `deps` could change allocsel's answer (a header
    other than allocsel's own that names its attributes or pragmas), or
    None."""
    own = os.path.realpath(INCLUDE_DIR) + os.sep
    budget = MAX_PREAMBLE_DEPS_BYTES
    for dep in deps:
        real = os.path.realpath(dep)
        if real == os.path.realpath(header) or real.startswith(own):
            continue
        try:
            data = read_regular(real, budget)
        except NotReadable as e:
            return "%s cannot be read (%s)" % (dep, e)
        budget -= len(data)
        if ALLOCSEL_WORDS_RE.search(data):
            return "%s names allocsel's attributes or pragmas" % dep
    return None
