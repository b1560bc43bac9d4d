"""The real clangd: which one runs, and the config fragment allocsel adds to
the user's (docs/design.md, "What the editor receives")."""

import glob
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import threading
import time
import zlib

from .compilers import plugin_of
from .config import HOSTED, INCLUDE_DIR, PLUGIN, PREFIX, PUMP, VERSION
from .files import NotReadable, read_regular
from .logs import log, notice


def default_clangds():
    """The clangd names tried when none is given, in order: the default
    Clang's (the one allocsel.so is for), the other versions allocsel has a
    plugin for (newest first), then plain `clangd`."""
    def major(path):
        m = re.search(r"allocsel-([0-9]+)\.so$", path)
        return int(m.group(1)) if m else None
    default = major(os.path.realpath(PLUGIN))
    others = sorted({major(p) for p in glob.glob(os.path.join(PREFIX, "lib", "allocsel-*.so"))}
                    - {None, default}, reverse=True)
    return [f"clangd-{m}" for m in ([default] if default else []) + others] + ["clangd"]


# ---------------------------------------------------------------------------
# allocsel's checks inside clangd's own parse. clangd loads no plugins from
# compile commands (it drops -fplugin), but a plugin already in the process
# registers its attributes, pragmas and action with the libclang-cpp clangd
# runs on, and clang runs an action registered to run before the main one
# in every parse: clangd's preamble builds and AST builds alike. So clangd
# runs with the plugin of its own Clang version preloaded (LD_PRELOAD, which
# the plugin removes from the environment at once, so that nothing clangd
# starts inherits it), and its diagnostics carry allocsel's, on clangd's
# schedule, with clangd's preamble and nothing parsed twice. The pump sets
# the preload for clangd alone (files.py, tied()). That takes a clangd
# linked against that Clang's shared libclang-cpp (Debian's are): one linked
# statically would load a second copy, which its parser never asks.
#
# Only for the Clang versions whose parse goes on issuing clang's own
# flow-sensitive warnings after one of allocsel's errors (Clang 19). Clang 22
# counts a plugin's error as one that leaves the AST unfit for them: with the
# checks in clangd's parse, a file with an allocsel error would lose its
# -Wreturn-type; allocsel's own run, beside clangd's plain parse, keeps them.
HOSTED_MAJORS = ("19",)


def elf_needed(path):
    """The DT_NEEDED names of the ELF executable `path` (64-bit, little
    endian), or None if it is not one (or has no dynamic section)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
                return None
            phoff, = struct.unpack_from("<Q", head, 32)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            f.seek(phoff)
            phdrs = [struct.unpack_from("<IIQQQQQQ", f.read(phentsize))
                     for _ in range(min(phnum, 64))]
            loads = [(p[3], p[2], p[5]) for p in phdrs if p[0] == 1]  # vaddr, offset, filesz
            dyn = next((p for p in phdrs if p[0] == 2), None)  # PT_DYNAMIC
            if dyn is None:
                return None
            f.seek(dyn[2])
            raw = f.read(min(dyn[5], 1 << 20))
            entries = [struct.unpack_from("<qQ", raw, i) for i in range(0, len(raw) - 15, 16)]
            strtab = next((v for t, v in entries if t == 5), None)  # DT_STRTAB
            if strtab is None:
                return None
            base = next((off + strtab - va for va, off, sz in loads if va <= strtab < va + sz),
                        None)
            if base is None:
                return None
            names = []
            for t, v in entries:
                if t == 0:
                    break
                if t == 1:  # DT_NEEDED
                    f.seek(base + v)
                    names.append(f.read(256).split(b"\0", 1)[0].decode("utf-8", "replace"))
            return names
    except (OSError, struct.error, IndexError):
        return None


def clangd_major(path):
    """The Clang major version of the clangd `path`: from its installed
    name (clangd-19, .../llvm-19/bin/clangd), else from --version."""
    for name in (os.path.basename(path), os.path.realpath(path)):
        m = re.search(r"clangd-([0-9]+)$|llvm-([0-9]+)/bin/clangd$", name)
        if m:
            return m.group(1) or m.group(2)
    try:
        out = subprocess.run([path, "--version"], stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=10).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"clangd version ([0-9]+)\.", out)
    return m.group(1) if m else None


def crash_note():
    """Where a crash of clangd with allocsel's checks is noted, or None."""
    home = own_directory("state")
    return os.path.join(home, "hosted-clangd-crashed") if home else None


def crash_key(path):
    return "allocsel %s, %s" % (VERSION, os.path.realpath(shutil.which(path) or path))


def note_crash(path, signum):
    """clangd (`path`), running allocsel's checks, ended by signal `signum`:
    a crash of the plugin in it would crash it again on the same file, so
    the next server runs it without them (hosting()) until the note goes
    (or allocsel or clangd changes)."""
    note = crash_note()
    if note is None:
        return
    try:
        with open(note, "w", encoding="utf-8") as f:
            f.write("%s\nended by signal %d at %s\n" % (crash_key(path), signum,
                                                      time.strftime("%Y-%m-%d %H:%M:%S")))
    except OSError as e:
        log("crash note not written:", e)


def crashed_before(path):
    """What the note says of a crash of this clangd with this allocsel's
    checks, or None."""
    note = crash_note()
    try:
        text = read_regular(note, 4096).decode("utf-8", "replace") if note else ""
    except NotReadable:
        return None
    first, _, rest = text.partition("\n")
    return rest.strip() if first == crash_key(path) else None


def hosting(path):
    """(plugin, major) to preload into the clangd `path`, or (None, why not)."""
    if not HOSTED:
        return None, "ALLOCSEL_CLANGD_HOSTED=0"
    if not os.access(PUMP, os.X_OK):
        return None, "there is no pump to preload the plugin with"
    path = shutil.which(path) or path
    crash = crashed_before(path)
    if crash:
        why = ("clangd with allocsel's checks %s; it runs without them (allocsel's own runs "
               "remain) until %s is removed" % (crash, crash_note()))
        notice("hosted crash", "allocsel-clangd: " + why)
        return None, why
    major = clangd_major(path)
    if major is None:
        return None, "its Clang version is unknown"
    if major not in HOSTED_MAJORS:
        return None, ("in Clang %s an allocsel error stops clang's flow-sensitive warnings "
                      "(-Wreturn-type...) in the rest of the file" % major)
    plugin = plugin_of(int(major))
    if plugin is None:
        return None, "allocsel has no plugin for Clang %s" % major
    needed = elf_needed(os.path.realpath(path))
    if not needed or not any(n.startswith("libclang-cpp.so.%s" % major) for n in needed):
        return None, "it is not linked against libclang-cpp.so.%s" % major
    return plugin, major


# ---------------------------------------------------------------------------
# clangd's own parse of a file. clangd cannot load the plugin, so
# <allocsel/alloc.h> would turn each selection into its no-plugin error
# there, and an error in a unit makes clang skip its flow-sensitive warnings
# (-Wreturn-type, -Wuninitialized, ...): a file with a selection showed fewer
# of clang's warnings than the compiler prints. And a compile database the
# wrappers wrote names allocsel's headers nowhere (the wrappers add them).
# So clangd gets one config fragment (clangd's config files) after the
# user's own: the header's switch for tools that cannot load the plugin
# (this server runs it) and allocsel's headers, searched last (-idirafter:
# they never shadow a project's header of the same name).

CLANGD_ADDED_FLAGS = ["-DALLOCSEL_ALLOW_NO_PLUGIN", "-idirafter", INCLUDE_DIR]
MAX_CLANGD_CONFIG = 4 << 20


def own_directory(name):
    """A directory `name` of this server's, made if need be, mode 0700 and
    checked to be this user's: under the user's cache directory
    ($XDG_CACHE_HOME or ~/.cache)/allocsel-clangd, else under
    $XDG_RUNTIME_DIR/allocsel-clangd; None if neither can hold it."""
    cache = os.environ.get("XDG_CACHE_HOME") or (
        os.path.join(os.path.expanduser("~"), ".cache") if os.environ.get("HOME") else "")
    for root in filter(None, (cache, os.environ.get("XDG_RUNTIME_DIR"))):
        path = os.path.join(root, "allocsel-clangd", name)
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid():
                return path
        except OSError as e:
            log("no directory", path, e)
    return None


class ClangdConfig:
    """The XDG_CONFIG_HOME clangd runs with: a directory of this server's
    whose clangd/config.yaml is the user's own config.yaml (read within
    bounds, re-read when it changes) followed by allocsel's fragment."""

    def __init__(self):
        base = os.environ.get("XDG_CONFIG_HOME") or (
            os.path.join(os.path.expanduser("~"), ".config") if os.environ.get("HOME") else "")
        self.user = os.path.join(base, "clangd", "config.yaml") if base else None
        self.home = None
        self.stamp = None
        self.lock = threading.Lock()

    def _user_stamp(self):
        try:
            st = os.stat(self.user) if self.user else None
        except OSError:
            return None
        return st and (st.st_ino, st.st_size, st.st_mtime_ns)

    def _place(self):
        """A directory only this user writes, one per allocsel installation
        (two of them may run at once, with different headers)."""
        key = "%08x" % (zlib.crc32(INCLUDE_DIR.encode("utf-8")) & 0xffffffff)
        home = own_directory("clangd-config-" + key)
        try:
            if home is not None:
                os.makedirs(os.path.join(home, "clangd"), mode=0o700, exist_ok=True)
        except OSError as e:
            log("clangd config: no directory:", e)
            return None
        return home

    def text(self):
        user = b""
        if self.user:
            try:
                user = read_regular(self.user, MAX_CLANGD_CONFIG)
            except NotReadable as e:
                if os.path.lexists(self.user):
                    log("clangd config %s not read: %s" % (self.user, e))
        fragment = ("# allocsel-clangd: this is %s, then allocsel's fragment.\n" %
                    (self.user or "no user config")).encode("utf-8")
        if user:
            fragment += user + (b"" if user.endswith(b"\n") else b"\n") + b"---\n"
        return fragment + b"CompileFlags:\n  Add: " + json.dumps(CLANGD_ADDED_FLAGS).encode() + b"\n"

    def refresh(self):
        """Rewrites the config when the user's changed; the XDG_CONFIG_HOME
        for clangd, or None (nothing writable: clangd then runs on the
        user's config alone)."""
        with self.lock:
            stamp = self._user_stamp()
            if self.home is not None and stamp == self.stamp:
                return self.home
            home = self.home or self._place()
            if home is None:
                log("clangd config: no directory to write it in")
                return None
            path = os.path.join(home, "clangd", "config.yaml")
            tmp = "%s.%d" % (path, os.getpid())
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(self.text())
                os.replace(tmp, path)
            except OSError as e:
                log("clangd config not written:", e)
                return None
            self.home, self.stamp = home, stamp
            log("clangd config", path)
            return home
