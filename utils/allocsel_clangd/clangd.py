"""The real clangd: which one runs, and the config fragment allocsel adds to
the user's (docs/design.md, "What the editor receives")."""

import glob
import json
import os
import re
import stat
import threading
import zlib

from .config import INCLUDE_DIR, PLUGIN, PREFIX
from .files import NotReadable, read_regular
from .logs import log


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
