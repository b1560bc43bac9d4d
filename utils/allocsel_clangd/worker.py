"""The long-lived compiler (allocsel-clangd-worker-N, utils/clangd-worker):
Clang N's frontend in one process with allocsel's plugin loaded, keeping
each open file's preamble in memory, as clangd does. A file's run costs the
parse of its own text, not a new clang process (docs/design.md, "The
worker"). One process per Clang major, started on first use, asked one
request at a time; a crash or a hang ends it, and the next request starts
another."""

import json
import os
import re
import select
import signal
import subprocess
import threading
import time

from .config import BIN_DIR, CLANG_DIRS, INCLUDE_DIR, NICENESS, WORKER
from .files import tied
from .logs import log


PLUGIN_MAJOR_RE = re.compile(r"^-fplugin=.*allocsel-([0-9]+)\.so$")


def loaded_plugin(argv):
    """The match of the allocsel plugin a compile command `argv` loads
    (group 1: its Clang major), or None."""
    return next(filter(None, map(PLUGIN_MAJOR_RE.match, argv)), None)
MAX_ANSWER = 64 << 20


def worker_path(major):
    return os.path.join(BIN_DIR, "allocsel-clangd-worker-%s" % major)


class Worker:
    def __init__(self, major, plugin):
        self.major, self.plugin = major, plugin
        self.lock = threading.Lock()
        self.proc = None
        self.buf = b""
        self.warm = set()  # files whose preamble it holds (its last answer for them)

    def _start(self):
        argv = [worker_path(self.major), "--allocsel-include", INCLUDE_DIR, self.plugin]
        self.proc = subprocess.Popen(tied(argv, signal.SIGKILL), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        self.buf = b""
        self.warm = set()
        try:
            os.setpriority(os.PRIO_PROCESS, self.proc.pid, NICENESS)
        except OSError:
            pass
        log("worker started", self.major, self.proc.pid)

    def stop(self):
        p, self.proc = self.proc, None
        if p is None:
            return None
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        for f in (p.stdin, p.stdout):
            try:
                f.close()
            except OSError:
                pass
        return p.wait()

    def run(self, argv, cwd, file, unsaved, timeout, record=False, preamble=True):
        """(status, output, record) of `argv` (a clang -fsyntax-only
        command) run on `file` with the `unsaved` texts ({path: text}) in
        their files' places: status None if it did not answer within
        `timeout` seconds, negative (a signal) or above 1 if it crashed;
        with `record`, the unit's record (b"" if it wrote none). Without
        `preamble`, a whole parse (the preamble it holds stays)."""
        request = json.dumps({"argv": argv, "cwd": cwd, "file": file, "unsaved": unsaved,
                              "preamble": preamble, "record": record}).encode("utf-8") + b"\n"
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            try:
                self.proc.stdin.write(request)
                self.proc.stdin.flush()
            except OSError:
                return self._ended()
            deadline = time.monotonic() + timeout
            fd = self.proc.stdout.fileno()
            while b"\n" not in self.buf:
                left = deadline - time.monotonic()
                if left <= 0 or len(self.buf) > MAX_ANSWER:
                    log("worker did not answer in %g s" % timeout)
                    self.stop()
                    return None, "", b""
                ready, _, _ = select.select([fd], [], [], left)
                if not ready:
                    continue
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return self._ended()
                self.buf += chunk
            line, _, self.buf = self.buf.partition(b"\n")
        try:
            answer = json.loads(line)
            data = bytes.fromhex(answer.get("record", ""))
        except ValueError:
            return 2, "allocsel-clangd-worker: an answer that is not JSON", b""
        state = answer.get("preamble", "")
        log("worker", file, state or "whole parse")
        with self.lock:
            if state in ("built", "reused"):
                self.warm.add(file)
            elif state:  # "none: WHY" (no state: it was not asked to use one)
                self.warm.discard(file)
        return int(answer.get("status", 2)), answer.get("output", ""), data

    def _ended(self):
        """A worker that ended mid-request (a crash): its status."""
        status = self.stop()
        log("worker ended", status)
        return (status if status is not None and status != 0 else 2), "", b""


class Workers:
    """The workers, one per Clang major; none where there is no worker
    binary, or with ALLOCSEL_CLANGD_WORKER=0 (a process per run then)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.by_major = {}
        self.chosen = {}  # (compiler, -fplugin= argument) -> the worker or None

    def for_command(self, argv):
        """The worker that runs the plugin `argv` loads, or None."""
        if not WORKER or not argv:
            return None
        plugin = loaded_plugin(argv)
        if plugin is None:
            return None
        # Decided once per compiler and plugin (each run asks).
        key = (argv[0], plugin.group(0))
        with self.lock:
            if key in self.chosen:
                return self.chosen[key]
        major = plugin.group(1)
        # The command's compiler is that Clang's own (not a test's stand-in):
        # the worker is that compiler, as a library.
        clang_dir = CLANG_DIRS.get(major)
        usable = (clang_dir and os.path.dirname(os.path.realpath(argv[0])) ==
                  os.path.realpath(clang_dir) and os.access(worker_path(major), os.X_OK))
        with self.lock:
            w = None
            if usable:
                w = self.by_major.get(major)
                if w is None:
                    w = self.by_major[major] = Worker(major, plugin.group(0)[len("-fplugin="):])
            self.chosen[key] = w
            return w

    def warm(self, file):
        """Whether a worker holds `file`'s preamble: its next run parses
        only the file's own text (a light run, beside clangd's)."""
        return any(file in w.warm and w.proc is not None and w.proc.poll() is None
                   for w in list(self.by_major.values()))

    def kill_all(self):
        """SIGKILL to every worker, waiting for none (a signal handler may
        call this)."""
        for w in list(self.by_major.values()):
            p = w.proc
            if p is not None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
