"""The server: the proxy between the editor and clangd, the open documents,
the scheduling of allocsel's runs, and the merging of what each produced
into the diagnostics and code actions the editor receives."""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

from .clangd import ClangdConfig, default_clangds, hosting, note_crash
from .compiledb import CompileDBs, fallback_entry
from .compilers import (adjust_command, compile_base, preamble_command, query_driver_globs,
                        run_command)
from .config import (AFTER_CLANGD, AFTER_CLANGD_CAP, BIN_DIR, CXX_EXTS, C_EXTS, DEBOUNCE,
                     IDLE_BEFORE_CHANGE, LINK_TOOL, LIVE_LINK, MAX_RECORD, MAX_WORKERS, NICENESS,
                     OUTPUTS_POLL, PREAMBLES, PUMP, TIMEOUT, USE_PUMP, VERSION, help_text,
                     setting)
from .diagnostics import (ALLOCSEL_ATTR_RE, MAX_OVERLAID, PRAGMA_LINE_RE, docs_href, folded_notes,
                          from_hosted, includes_of, parse_clang_output)
from .files import (MAX_OUTPUT, MAX_SOURCE_FOR_COLUMNS, NotReadable, memory_file, read_lines,
                    read_output, read_regular, tied)
from .framing import (Channel, EDITOR_WATCHED, EDITOR_WATCHED_RE, MAX_HEADER, MAX_MESSAGE,
                      PumpedChannel, RESPONSE_ID_RE, Reader, encode_body, frame)
from .logs import log, notice, notices, notices_lock
from .positions import (Edit, byte_col_to_lsp, line_character, moved_diagnostics, offset_of,
                        path_to_uri, split_lines, token_end, uri_to_path)
from .preambles import (Preamble, Preambles, find_preamble, make_dependencies, names_allocsel,
                        preamble_files, remove_preamble_files)
from .wholeprogram import Findings, check_inputs, editor_name, parse_findings
from .worker import Workers, loaded_plugin


# from_clangd's answer for a message sent later (a held code action).
DEFERRED = object()
# How long a code action request waits for allocsel's own run (fix_coming).
MAX_ACTION_WAIT = 5.0
# How long a file's whole parse waits for clangd's publish when clangd's
# parse runs allocsel's checks (else AFTER_CLANGD_CAP).
HOSTED_WAIT_CAP = 30.0
# The signals that end a process that crashed (a fault, an abort). Not
# SIGKILL or SIGTERM: someone ended clangd (the out-of-memory killer, a
# user), which says nothing of allocsel's checks in it.
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE, signal.SIGABRT,
                 signal.SIGTRAP, signal.SIGSYS}
# clangd's mark on a diagnostic with a fix.
HOSTED_FIX_MARK = " (fix available)"


def log_published(version, path, hosted=False):
    """The log's line for a publish with allocsel's fresh verdict on
    `version` of `path` (tests and bench/clangd_bench.py wait for it): from
    allocsel's own run, or `hosted`, from clangd's parse."""
    if hosted:
        log("published", version, path, "from clangd")
    else:
        log("published", version, path)


class Document:
    def __init__(self, uri, text, version, language):
        self.uri = uri
        self.path = uri_to_path(uri)
        self.text = text
        self.version = version
        self.language = language
        self.clangd = []           # clangd's diagnostics, filtered
        self.clangd_version = None
        self.allocsel = []         # LSP diagnostics of the last allocsel run
        self.allocsel_version = None  # the version that run read
        self.hosted = []           # allocsel's diagnostics from clangd's parse (hosted)
        self.hosted_fixable = []   # the ranges of those clangd has a fix for
        self.hosted_version = None  # the version clangd parsed for them
        self.hosted_ok = None      # clangd's checks are this file's (hosts()); None: not known yet
        self.fixes = []            # (diagnostic, [TextEdit]) of that run
        self.link = []             # from the last whole-program check
        self.record = None         # the unit's record from the editor's text (bytes)
        self.record_version = None  # the version it was made from
        self.failed_version = None  # the version whose run crashed or hung
        self.preamble_key = None   # the preamble of the last run's text
        self.modified = False      # changed since opened or saved
        self.last_change = 0.0     # time.monotonic() of the last didChange

    def move(self, edit):
        """What this document shows of older text, moved with an edit."""
        self.allocsel = moved_diagnostics(self.allocsel, self.uri, edit)
        self.link = moved_diagnostics(self.link, self.uri, edit)
        fixes = []
        for diag, edits in self.fixes:
            ranges = [edit.move_range(e["range"]) for e in edits]
            moved = edit.move_range(diag["range"])
            if moved is None or None in ranges:
                continue
            # The diagnostic object is the one in self.allocsel (moved there).
            kept = next((d for d in self.allocsel if d["range"] == moved and
                         d.get("code") == diag.get("code") and
                         d.get("message") == diag.get("message")), None)
            if kept is not None:
                fixes.append((kept, [dict(e, range=r) for e, r in zip(edits, ranges)]))
        self.fixes = fixes

    def line(self, n):
        lines = split_lines(self.text)
        return lines[n - 1] if 0 < n <= len(lines) else ""


def lsp_text(v):
    """The text of a didOpen or a change: a str (else ValueError: the
    message is not taken in, as clangd takes in none it cannot decode),
    with any lone surrogate (a \\ud800 escape; not Unicode, so neither
    clang's input nor sendable) replaced by "?", one UTF-16 unit for one."""
    if not isinstance(v, str):
        raise ValueError("a text that is not a string")
    try:
        v.encode("utf-8")
        return v
    except UnicodeEncodeError:
        return v.encode("utf-8", "replace").decode("utf-8")


def lsp_range(r):
    """An LSP range of a change (ValueError if it is not one)."""
    if not isinstance(r, dict) or not all(
            isinstance(p, dict) and all(type(p.get(k)) is int and p[k] >= 0
                                        for k in ("line", "character"))
            for p in (r.get("start"), r.get("end"))):
        raise ValueError("a change's range is not a range")
    return r


class Server:
    def __init__(self, argv):
        self.clangd_path, self.clangd_args, cc_dir = self.parse_args(argv)
        self.dbs = CompileDBs(cc_dir)
        self.encoding = "utf-16"
        self.docs = {}
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.due = {}             # uri -> time the run may start
        self.running = set()      # uris compiling now
        self.link_due = set()     # compile databases (paths) to link-check
        self.link_find = {}       # path -> first: files whose database's check may be due
        self.record_due = set()   # uris whose record of the editor's text is due
        self.workers = Workers()
        self.procs = set()
        self.pending_init = set()
        self.pending_actions = {}
        self.literal_actions = True
        self.related = True       # the client takes relatedInformation
        self.exiting = False
        self.link_seen = set()
        self.link_results = {}    # compile database path -> its last check's Findings
        self.link_show = set()    # compile databases whose findings a newly open file needs
        self.preambles = Preambles()
        self.link_stamps = {}     # compile database path -> its outputs' stamps at the last check
        self.pch_due = {}         # preamble key -> (compile_base's result, path, directives)
        self.out_done = threading.Event()
        self.clangd_config = ClangdConfig()
        self.hosted_major = None  # the Clang major of the plugin clangd runs, if it runs one
        self.classify_due = set()  # uris whose hosted_ok is to be found
        self.deferred_actions = []  # (uri, deadline, clangd's response, its request's params)

    @staticmethod
    def parse_args(argv):
        clangd = setting("ALLOCSEL_CLANGD")
        rest, cc_dir = [], None
        for a in argv:
            if a.startswith("--clangd="):
                clangd = clangd or a[len("--clangd="):]
                continue
            if a.startswith("--query-driver="):
                # clangd's allowlist of compilers it may run; this server
                # honours it the same way (and clangd gets it too).
                query_driver_globs.extend(g for g in a.split("=", 1)[1].split(",") if g)
            elif rest and rest[-1] == "--query-driver":
                query_driver_globs.extend(g for g in a.split(",") if g)
            if a.startswith("--compile-commands-dir="):
                cc_dir = os.path.abspath(a.split("=", 1)[1])
            elif rest and rest[-1] == "--compile-commands-dir":
                cc_dir = os.path.abspath(a)
            rest.append(a)
        tried = default_clangds()
        if not clangd:
            sibling = os.path.join(BIN_DIR, "clangd")
            if os.access(sibling, os.X_OK):
                clangd = sibling
            else:
                clangd = next(filter(None, map(shutil.which, tried)), None)
        if not clangd:
            sys.stderr.write("allocsel-clangd: no clangd found (looked for %s on PATH): install "
                             "one, or give --clangd=PATH or ALLOCSEL_CLANGD\n" % ", ".join(tried))
            sys.exit(2)
        return clangd, rest, cc_dir

    # -- processes ---------------------------------------------------------

    def run(self):
        try:
            env = dict(os.environ)
            home = self.clangd_config.refresh()
            if home is not None:
                env["XDG_CONFIG_HOME"] = home
            plugin, major = hosting(self.clangd_path)
            if plugin is not None:
                self.hosted_major = major
                log("clangd runs allocsel's checks:", plugin)
            else:
                log("clangd runs without allocsel's checks:", major)
            self.clangd = subprocess.Popen(tied([self.clangd_path] + self.clangd_args,
                                                signal.SIGTERM, preload=plugin),
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           bufsize=0, env=env)
        except OSError as e:
            sys.stderr.write("allocsel-clangd: cannot run %s: %s\n" % (self.clangd_path, e))
            return 2
        log("clangd", self.clangd_path, self.clangd_args)
        # Ended by a signal (an editor stopping its server, a closed
        # terminal): the children end too, as on exit.
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, self.on_signal)
        pump = self.pump = self.start_pump() if USE_PUMP else None
        if pump is None:
            self.to_editor = Channel(sys.stdout.fileno())
            self.to_clangd = Channel(self.clangd.stdin.fileno())
            threading.Thread(target=self.editor_loop, daemon=True).start()
            threading.Thread(target=self.clangd_loop, daemon=True, name="clangd-out").start()
        for _ in range(MAX_WORKERS):
            threading.Thread(target=self.worker, daemon=True).start()
        threading.Thread(target=self.watch_outputs, daemon=True).start()
        status = self.clangd.wait()
        if -status in CRASH_SIGNALS and self.hosted_major is not None:
            log("clangd, running allocsel's checks, crashed: signal", -status)
            note_crash(self.clangd_path, -status)
        self.out_done.wait(5)  # everything clangd said reaches the editor
        self.shutdown()
        if pump is not None:
            self.to_pump.close()  # the pump has written all and exits
            try:
                pump.wait(5)
            except subprocess.TimeoutExpired:
                pump.kill()
        return status if status >= 0 else 128 - status

    def start_pump(self):
        """The native pump between editor and clangd; this process sees only
        what it follows (see utils/allocsel-clangd-pump.cpp)."""
        core_in, pump_out = os.pipe()
        pump_in, core_out = os.pipe()
        clangd_in, clangd_out = self.clangd.stdin.fileno(), self.clangd.stdout.fileno()
        try:
            pump = subprocess.Popen(
                [PUMP, str(MAX_MESSAGE), str(MAX_HEADER), "0", "1", str(clangd_in), str(clangd_out),
                 str(pump_in), str(pump_out)]
                + [w.decode() for w in EDITOR_WATCHED],
                pass_fds=(clangd_in, clangd_out, pump_in, pump_out))
        except OSError as e:
            log("no pump:", e)
            for fd in (core_in, pump_out, pump_in, core_out):
                os.close(fd)
            return None
        log("pump", pump.pid)
        # Only the pump holds clangd's pipes and the editor's now: when the
        # editor goes, clangd sees the end of its input.
        for fd in (pump_in, pump_out):
            os.close(fd)
        self.clangd.stdin.close()
        self.clangd.stdout.close()
        self.to_pump = Channel(core_out)
        self.to_editor = PumpedChannel(self.to_pump)
        threading.Thread(target=self.core_loop, args=(core_in,), daemon=True,
                         name="pump").start()
        return pump

    def core_loop(self, fd):
        """What the pump hands over: the editor's messages this server follows
        (answered with 'A' once taken in, naming the request whose response
        it wants), and clangd's diagnostics and those responses (answered
        with 'T' and the message for the editor)."""
        for msg, start in Reader(fd, "the pump").messages():
            tag, body = msg[start:start + 1], msg[start + 1:]
            if tag == b"E":
                rid = self.take_from_editor(body)
                want = b"" if rid is None else json.dumps(rid, ensure_ascii=False).encode("utf-8")
                self.to_pump.send_raw(frame(b"A" + want))
            elif tag == b"C":
                out = self.take_from_clangd(body)
                if out is not DEFERRED:
                    self.to_pump.send_raw(frame(b"T" + (body if out is None else encode_body(out))))
        self.out_done.set()

    def take_from_editor(self, body):
        """from_editor on a message body, never raising (clangd answers what
        this server cannot read). The id of the request whose response this
        server wants to see, or None."""
        try:
            msg = json.loads(body)
            self.from_editor(msg)
        except Exception as e:
            log("error handling editor message:", repr(e))
            return None
        rid = msg.get("id") if isinstance(msg, dict) and "method" in msg else None
        if not isinstance(rid, (int, str)):
            return None
        with self.lock:
            return rid if rid in self.pending_init or rid in self.pending_actions else None

    def take_from_clangd(self, body):
        """from_clangd on a message body, never raising: the message to send
        instead, None to send it unchanged, or DEFERRED (sent later)."""
        try:
            return self.from_clangd(json.loads(body))
        except Exception as e:
            log("error handling clangd message:", repr(e))
            return None

    def on_signal(self, signum, _frame):
        """SIGTERM, SIGHUP, SIGINT: the allocsel runs are killed, clangd is
        asked to end (SIGTERM: it removes its preamble files; reading its
        input, it ends at once) and waited for, briefly; one busy still
        then has its input ended (the pump goes), which ends it once its
        work is done (or the parent-death signal of a later exit); then
        this process ends."""
        log("ended by signal", signum)
        self.exiting = True
        for p in list(self.procs):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
        self.workers.kill_all()
        status = None
        try:
            self.clangd.terminate()
            status = self.wait_clangd(5)
        except OSError:
            pass
        pump = getattr(self, "pump", None)
        if pump is not None:
            try:
                pump.kill()
            except OSError:
                pass
        if status is None:
            try:
                os.close(self.clangd.stdin.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            status = self.wait_clangd(2)
        log("clangd ended", status)
        self.preambles.remove_all()
        os._exit(128 + signum)

    def wait_clangd(self, seconds):
        """clangd's exit status within `seconds`, else None. With waitpid,
        not Popen.wait: a signal handler may run inside the main thread's
        Popen.wait, whose lock a second wait would spin on until its
        timeout."""
        deadline = time.monotonic() + seconds
        while True:
            pid, st = os.waitpid(self.clangd.pid, os.WNOHANG)
            if pid:
                return -os.WTERMSIG(st) if os.WIFSIGNALED(st) else os.WEXITSTATUS(st)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

    def tell_notices(self):
        """Shows the notices (notice()) not shown yet, once each."""
        with notices_lock:
            new = [n for n in notices.values() if not n[1]]
            for n in new:
                n[1] = True
        for message, _ in new:
            self.to_editor.send({"jsonrpc": "2.0", "method": "window/showMessage",
                                 "params": {"type": 2, "message": message}})

    def shutdown(self):
        with self.lock:
            self.exiting = True
            procs = list(self.procs)
            self.cond.notify_all()
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
        self.workers.kill_all()
        self.preambles.remove_all()

    def editor_loop(self):
        for msg, start in Reader(sys.stdin.fileno(), "the editor").messages():
            if EDITOR_WATCHED_RE.search(msg, start):
                self.take_from_editor(msg[start:])
            self.to_clangd.send_raw(msg)
        try:
            self.clangd.stdin.close()
        except OSError:
            pass

    def watched(self, msg, start):
        """Whether a message from clangd may need changing: diagnostics, and
        the answers to requests allocsel-clangd watches. Everything else
        (completion lists can be large) goes through unparsed."""
        if msg.find(b'"textDocument/publishDiagnostics"', start) >= 0:
            return True
        if not self.pending_init and not self.pending_actions:
            return False
        m = RESPONSE_ID_RE.match(msg, start)
        if m is None:
            return False  # not a response (llvm::json writes "id" first)
        raw = m.group(1)
        rid = json.loads(raw) if raw.startswith(b'"') else int(raw)
        with self.lock:
            return rid in self.pending_init or rid in self.pending_actions

    def clangd_loop(self):
        for msg, start in Reader(self.clangd.stdout.fileno(), "clangd").messages():
            out = self.take_from_clangd(msg[start:]) if self.watched(msg, start) else None
            if out is None:
                self.to_editor.send_raw(msg)
            elif out is not DEFERRED:
                self.to_editor.send(out)
        self.out_done.set()

    # -- editor -> clangd --------------------------------------------------

    def from_editor(self, msg):
        method = msg.get("method")
        params = msg.get("params") or {}
        if method == "initialize":
            with self.lock:
                self.pending_init.add(msg.get("id"))
            caps = (params.get("capabilities") or {}).get("textDocument") or {}
            # A client without CodeAction literals takes Commands only, which
            # only clangd could execute: no quick fixes of allocsel's then.
            self.literal_actions = "codeActionLiteralSupport" in (caps.get("codeAction") or {})
            # A client without related information (eglot) gets allocsel's
            # notes in the message, as clangd gives it its own.
            self.related = bool((caps.get("publishDiagnostics") or {}).get("relatedInformation"))
        elif method == "textDocument/didOpen":
            td = params["textDocument"]
            if not isinstance(td.get("uri"), str):
                raise ValueError("didOpen without a document's uri")
            doc = Document(td["uri"], lsp_text(td.get("text", "")), td.get("version"),
                           td.get("languageId"))
            with self.lock:
                self.docs[td["uri"]] = doc
            if self.analysable(doc):
                if self.hosted_major is not None:
                    with self.lock:
                        self.classify_due.add(doc.uri)
                self.schedule(doc.uri, 0)
                self.schedule_link(doc.path, first=True)
            self.clangd_config.refresh()  # the user's clangd config changed
        elif method == "textDocument/didChange":
            # Checked whole before any change is applied: a message that
            # cannot be decoded changes nothing (clangd drops it too).
            changes = params.get("contentChanges", [])
            if not isinstance(changes, list) or not all(isinstance(ch, dict) for ch in changes):
                raise ValueError("didChange without a list of changes")
            changes = [dict(ch, text=lsp_text(ch.get("text")),
                            range=None if ch.get("range") is None else lsp_range(ch["range"]))
                       for ch in changes]
            with self.lock:
                doc = self.docs.get(params["textDocument"]["uri"])
                if doc is None:
                    return
                for ch in changes:
                    if ch["range"] is not None:
                        s = offset_of(doc.text, ch["range"]["start"], self.encoding)
                        e = offset_of(doc.text, ch["range"]["end"], self.encoding)
                        edit = Edit.of_range(line_character(ch["range"]["start"]), line_character(ch["range"]["end"]),
                                             ch["text"], self.encoding)
                        doc.text = doc.text[:s] + ch["text"] + doc.text[e:]
                    else:
                        edit = Edit.of_text(doc.text, ch["text"])
                        doc.text = ch["text"]
                    doc.move(edit)
                doc.version = params["textDocument"].get("version")
                doc.modified = True
                # The first change after a pause runs at once (nothing to
                # coalesce it with); the changes of a burst wait DEBOUNCE
                # after the last.
                now = time.monotonic()
                delay = 0 if now - doc.last_change > IDLE_BEFORE_CHANGE else DEBOUNCE
                doc.last_change = now
                # The open files that include this one see its new text in
                # their next run (the overlay): run them again too.
                name = os.path.basename(doc.path or "")
                includers = [d.uri for d in self.docs.values() if d is not doc and name and
                             self.analysable(d) and name in includes_of(d.text)]
            if self.analysable(doc):
                self.schedule(doc.uri, delay)
            for uri in includers:
                self.schedule(uri, DEBOUNCE)
        elif method == "textDocument/didSave":
            with self.lock:
                doc = self.docs.get(params["textDocument"]["uri"])
                if doc is not None:
                    doc.modified = False
            if doc is not None and doc.path:
                self.schedule_link(doc.path)
        elif method == "textDocument/didClose":
            with self.lock:
                doc = self.docs.pop(params["textDocument"]["uri"], None)
                self.due.pop(params["textDocument"]["uri"], None)
                self.record_due.discard(params["textDocument"]["uri"])
            if doc is not None and doc.record is not None:
                # The other open files' findings: from its object again.
                self.schedule_link(doc.path)
        elif method == "textDocument/codeAction" and "id" in msg:
            with self.lock:
                self.pending_actions[msg["id"]] = params
        elif method == "$/cancelRequest":
            pass  # forwarded; clangd answers the request (with an error)

    def analysable(self, doc):
        if not doc.path:
            return False
        if doc.language in ("c", "cpp", "objective-c", "objective-cpp", "cuda"):
            return True
        ext = os.path.splitext(doc.path)[1]
        return ext in C_EXTS or ext in CXX_EXTS

    # -- clangd -> editor --------------------------------------------------

    def from_clangd(self, msg):
        """The message to send instead of msg, None to send it unchanged, or
        DEFERRED: this server sends it later (answer_actions)."""
        if "id" in msg and "method" not in msg:
            rid = msg["id"]
            if rid in self.pending_init:
                self.pending_init.discard(rid)
                result = msg.get("result") or {}
                # LSP 3.17 positionEncoding, or clangd's own offsetEncoding
                # extension (what clangd 19 answers).
                enc = (result.get("capabilities") or {}).get("positionEncoding") or \
                    result.get("offsetEncoding")
                if enc in ("utf-8", "utf-16", "utf-32"):
                    self.encoding = enc
                log("position encoding", self.encoding)
                return None
            with self.lock:
                params = self.pending_actions.pop(rid, None)
                if params is not None and "error" not in msg and self.fix_coming(params):
                    # The quick fix of clangd's allocsel diagnostic comes with
                    # allocsel's own run of that version: answered then.
                    uri = params["textDocument"]["uri"]
                    self.deferred_actions.append((uri, time.monotonic() + MAX_ACTION_WAIT,
                                                  msg, params))
                    timer = threading.Timer(MAX_ACTION_WAIT, self.answer_actions, (uri,))
                    timer.daemon = True
                    timer.start()
                    return DEFERRED
            if params is not None and "error" not in msg:
                if self.add_code_actions(msg, params):
                    return msg
            return None
        if msg.get("method") == "textDocument/publishDiagnostics":
            params = msg.get("params") or {}
            uri = params.get("uri")
            with self.lock:
                doc = self.docs.get(uri)
                if doc is None:
                    return None
                doc.clangd, hosted, fixable = [], [], []
                for d in params.get("diagnostics", []):
                    if self.hidden(doc, d):
                        continue
                    mine = from_hosted(d)
                    if mine is None:
                        doc.clangd.append(d)
                    elif mine:
                        hosted.append(mine)
                        if HOSTED_FIX_MARK in d["message"]:
                            fixable.append(mine["range"])
                doc.clangd_version = params.get("version")
                doc.hosted, doc.hosted_version = hosted, doc.clangd_version
                doc.hosted_fixable = fixable
                if AFTER_CLANGD:
                    self.cond.notify_all()
                msg = self.merged(doc)
                if self.shows_hosted(doc):
                    log_published(doc.clangd_version, doc.path, hosted=True)
                return msg
        return None

    def hidden(self, doc, d):
        msg = d.get("message", "")
        if ALLOCSEL_ATTR_RE.match(msg):
            if self.hosted_major is not None:
                # The preloaded plugin would have taken the attribute: it did
                # not load into clangd's parser. allocsel's own runs remain.
                self.hosted_major = None
                notice("not hosted", "allocsel-clangd: allocsel's checks did not load into %s; "
                       "allocsel's diagnostics come from its own runs only (after clangd's)" %
                       self.clangd_path)
                log("clangd's parse does not run allocsel's checks: it named", msg)
            return True
        # clangd cannot load the plugin, so <allocsel/alloc.h> turns each
        # [[global_allocator]] into its no-plugin assertion; this server runs
        # the plugin itself.
        if "[allocsel-no-plugin]" in msg:
            return True
        if msg.lower().startswith("unknown pragma ignored"):
            line = doc.line(d["range"]["start"]["line"] + 1)
            if PRAGMA_LINE_RE.match(line):
                return True
        return False

    def shows_hosted(self, doc):
        """Whether the editor gets clangd's allocsel diagnostics for `doc`:
        they are this file's (hosts()) and of its current version, and
        allocsel's own run of that version is not done yet (once it is,
        its diagnostics stay: they come with their quick fixes)."""
        return (self.hosted_major is not None and doc.hosted_ok and
                doc.hosted_version is not None and doc.hosted_version == doc.version and
                doc.allocsel_version != doc.version)

    def fix_coming(self, params):
        """Whether the code actions of `params` (a request's) wait for
        allocsel's own run: the range touches one of clangd's allocsel
        diagnostics with a fix, and that run of the version is to come."""
        doc = self.docs.get(params["textDocument"]["uri"])
        rng = params.get("range") or {}
        if doc is None or not self.shows_hosted(doc) or doc.failed_version == doc.version:
            return False
        return any(r["end"]["line"] >= rng["start"]["line"] and rng["end"]["line"] >= r["start"]["line"]
                   for r in doc.hosted_fixable)

    def answer_actions(self, uri):
        """Sends the code actions held for `uri` (fix_coming) whose fixes are
        in, or whose wait is over."""
        now = time.monotonic()
        with self.lock:
            due = [a for a in self.deferred_actions
                   if a[0] == uri and (a[1] <= now or not self.fix_coming(a[3]))]
            self.deferred_actions = [a for a in self.deferred_actions if a not in due]
        for _, _, msg, params in due:
            self.add_code_actions(msg, params)
            self.to_editor.send(msg)

    def hosts(self, compile):
        """Whether clangd's parse runs the checks allocsel's own run of
        `compile` (compile_base's result) would: the same plugin, no plugin
        options (clangd drops them)."""
        argv = compile[0]
        plugin = loaded_plugin(argv)
        return (self.hosted_major is not None and plugin is not None and
                plugin.group(1) == self.hosted_major and
                not any(a.startswith("-fplugin-arg-allocsel-") for a in argv))

    def classify(self, uri):
        """Finds whether clangd's checks are `uri`'s (before its first run:
        clangd's first diagnostics may come before it)."""
        with self.lock:
            doc = self.docs.get(uri)
        if doc is None or doc.hosted_ok is not None:
            return
        db = self.dbs.find(doc.path)
        entry = (db.command_for(doc.path) if db else None) or fallback_entry(doc.path)
        ok = self.hosts(compile_base(entry, doc.path))
        with self.lock:
            if doc.hosted_ok is None:
                doc.hosted_ok = ok
            show = self.shows_hosted(doc)
        if show:
            self.publish(uri)
            log_published(doc.hosted_version, doc.path, hosted=True)

    def merged(self, doc):
        live = doc.hosted if self.shows_hosted(doc) else doc.allocsel
        seen = {(d["code"], d["range"]["start"]["line"]) for d in live}
        link = [d for d in doc.link if (d["code"], d["range"]["start"]["line"]) not in seen]
        mine = live + link
        if not self.related:
            mine = [folded_notes(d) for d in mine]
        params = {"uri": doc.uri, "diagnostics": doc.clangd + mine}
        if doc.clangd_version is not None:
            params["version"] = doc.clangd_version
        return {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params}

    def publish(self, uri):
        with self.lock:
            doc = self.docs.get(uri)
            if doc is None:
                return
            msg = self.merged(doc)
        self.to_editor.send(msg)

    def add_code_actions(self, msg, params):
        uri = params["textDocument"]["uri"]
        rng = params["range"]
        with self.lock:
            doc = self.docs.get(uri)
            fixes = list(doc.fixes) if doc else []
        if not fixes or not self.literal_actions:
            return False
        only = (params.get("context") or {}).get("only")
        if only and not any(k == "quickfix" or k.startswith("quickfix.") or k == "" for k in only):
            return False
        result = msg.get("result") or []
        added = False

        for diag, edits in fixes:
            # Offered wherever clangd offers its own fixes: a range that
            # touches one of the diagnostic's lines (a cursor at column 0).
            r = diag["range"]
            if r["end"]["line"] < rng["start"]["line"] or rng["end"]["line"] < r["start"]["line"]:
                continue
            title = "allocsel: " + ("; ".join(
                ("insert '%s'" % e["newText"].strip()) if e["newText"] else "remove"
                for e in edits))
            result.append({"title": title, "kind": "quickfix", "diagnostics": [diag],
                           "isPreferred": True, "edit": {"changes": {uri: edits}}})
            added = True
        msg["result"] = result
        return added

    # -- scheduling ----------------------------------------------------------

    def schedule(self, uri, delay):
        with self.lock:
            self.due[uri] = time.monotonic() + delay
            self.cond.notify_all()

    def schedule_link(self, path, first=False):
        """A whole-program check of `path`'s compile database is due (`first`:
        only if none ran yet). Decided by a worker (link_for): finding the
        database may read it, never on the thread that takes the editor's
        messages in."""
        with self.lock:
            self.link_find[path] = self.link_find.get(path, True) and first
            self.cond.notify_all()

    def link_for(self, path, first):
        db = self.dbs.find(path)
        if db is None:
            return
        with self.lock:
            if first and db.path in self.link_seen:
                # Checked already: the file shows that check's findings at
                # once (it was not open when they were distributed).
                if db.path in self.link_results:
                    self.link_show.add(db.path)
                    self.cond.notify_all()
                return
            self.link_seen.add(db.path)
            self.link_due.add(db.path)
            self.cond.notify_all()

    def worker(self):
        while True:
            with self.lock:
                job = None
                while job is None:
                    if self.exiting:
                        return
                    now = time.monotonic()
                    wait = None
                    # Files the user edits first; the link check when none is due.
                    for uri, t in sorted(self.due.items(), key=lambda kv: kv[1]):
                        if uri in self.running:
                            continue
                        cap = self.wait_cap(uri)
                        if t <= now and AFTER_CLANGD and not self.clangd_caught_up(uri) \
                                and now < t + cap and not self.light_run(uri):
                            # Wait for clangd's diagnostics of this version
                            # (its publish wakes the workers), at most the cap.
                            wait = t + cap - now if wait is None else min(wait, t + cap - now)
                            continue
                        if t <= now:
                            job = ("file", uri)
                            del self.due[uri]
                            self.running.add(uri)
                            break
                        wait = t - now if wait is None else min(wait, t - now)
                        break
                    if job is None and self.classify_due:
                        job = ("classify", self.classify_due.pop())
                    if job is None and self.link_find:
                        path = next(iter(self.link_find))
                        job = ("find", path, self.link_find.pop(path))
                    if job is None and self.link_show:
                        job = ("show", self.link_show.pop())
                    if job is None and self.pch_due and not self.due:
                        key = next(iter(self.pch_due))
                        job = ("pch", key) + self.pch_due.pop(key)
                    if job is None and self.record_due and not self.due:
                        uri = self.record_due.pop()
                        if uri not in self.running:
                            job = ("record", uri)
                            self.running.add(uri)
                    if job is None and self.link_due and "link" not in self.running:
                        job = ("link", self.link_due.pop())
                        self.running.add("link")
                    if job is None:
                        self.cond.wait(wait)
            try:
                if job[0] == "file":
                    self.analyse(job[1])
                elif job[0] == "classify":
                    self.classify(job[1])
                elif job[0] == "show":
                    self.show_link(job[1])
                elif job[0] == "find":
                    self.link_for(job[1], job[2])
                elif job[0] == "pch":
                    self.build_preamble(*job[1:])
                elif job[0] == "record":
                    self.record(job[1])
                else:
                    self.link_check(job[1])
            except Exception as e:
                log("worker error:", repr(e))
            finally:
                with self.lock:
                    self.running.discard(job[1] if job[0] in ("file", "record") else job[0])
                    self.cond.notify_all()
                self.tell_notices()

    def wait_cap(self, uri):
        """How long a whole parse of `uri` waits for clangd's publish: where
        clangd's parse runs allocsel's checks, that publish is allocsel's
        first verdict, and a parse beside it would only slow it."""
        doc = self.docs.get(uri)
        return HOSTED_WAIT_CAP if doc is not None and doc.hosted_ok else AFTER_CLANGD_CAP

    def light_run(self, uri):
        """Whether the file's next run is a light one (its preamble's PCH is
        ready): that one runs beside clangd's rebuild, not after it. A whole
        parse waits for clangd (it would slow clangd's own diagnostics)."""
        doc = self.docs.get(uri)
        if doc is None:
            return False
        key = doc.preamble_key
        return (key is not None and key in self.preambles.ready) or (
            doc.path is not None and self.workers.warm(doc.path))

    def clangd_caught_up(self, uri):
        doc = self.docs.get(uri)
        if doc is None or doc.version is None:
            return True
        if doc.clangd_version is None:
            return False  # clangd's first diagnostics of the file are not out yet
        try:
            return doc.clangd_version >= doc.version
        except TypeError:
            return True

    def run_process(self, argv, cwd, pass_fds=()):
        """(status, output): status None if it hung. The process dies with
        this server (tied), and its output is read up to a bound."""
        with self.lock:
            if self.exiting:
                return None, ""
            p = subprocess.Popen(tied(argv, signal.SIGKILL), cwd=cwd if os.path.isdir(cwd) else None,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, start_new_session=True,
                                 pass_fds=pass_fds)
            self.procs.add(p)
        # Below clangd's priority: on a busy machine, clangd's own diagnostics,
        # completion and hover come first (the compiler's children inherit it).
        try:
            os.setpriority(os.PRIO_PROCESS, p.pid, NICENESS)
        except OSError:
            pass
        try:
            out, status = read_output(p, TIMEOUT, MAX_OUTPUT)
        finally:
            with self.lock:
                self.procs.discard(p)
        return status, out.decode("utf-8", errors="replace")

    # -- the allocsel run of one file ----------------------------------------

    def analyse(self, uri):
        with self.lock:
            doc = self.docs.get(uri)
            if doc is None:
                return
            text, version, path, opened = doc.text, doc.version, doc.path, doc
            # The editor's text of the other open files (a header being
            # fixed), not what is on disk; at most MAX_OVERLAID of them.
            others = [(d.path, d.text) for d in self.docs.values()
                      if d is not doc and d.path and d.modified][:MAX_OVERLAID]
        compile, key, preamble, bound, directives = self.prepare(path, text, others)
        opened.preamble_key = key
        opened.hosted_ok = self.hosts(compile)
        status, out, cwd, preamble, _ = self.run_with_preamble(compile, path, text, version,
                                                               preamble, bound, others)
        if preamble is not None:
            out = re.sub(re.escape(preamble.header) + r":(\d+)",
                         lambda m: "%s:%d" % (path, preamble.lines.get(int(m.group(1)), 1)), out)
        elif key and not self.exiting and self.preambles.wanted(key):
            with self.lock:
                self.pch_due[key] = (compile, path, directives)
                self.cond.notify_all()
        if self.exiting:
            return
        crashed = status is None or status > 1 or status < 0 or "PLEASE submit a bug report" in out
        diags = [] if crashed else parse_clang_output(out, cwd)
        lines = self.source_lines([(d["file"], d["line"]) for d in diags] +
                                  [(f, ln) for d in diags for f, ln, _, _ in d["notes"]])
        with self.lock:
            doc = self.docs.get(uri)
            if doc is not opened or doc.version != version:
                log("stale", version)
                return  # stale: the newer version has its own run
            if crashed:
                doc.allocsel, doc.fixes = [], []
                notify = doc.failed_version is None
                doc.failed_version = version
            else:
                doc.failed_version = None
                doc.allocsel, doc.fixes = self.to_lsp(doc, diags, lines)
                doc.allocsel_version = version
        if crashed:
            if notify:
                why = ("did not finish in %g s" % TIMEOUT if status is None else
                       "was killed by signal %d" % -status if status < 0 else
                       "crashed (exit status %d)" % status)
                self.to_editor.send({"jsonrpc": "2.0", "method": "window/showMessage", "params": {
                    "type": 2,
                    "message": "allocsel-clangd: the allocsel check of %s %s; clangd's features "
                               "go on, allocsel retries after the next change." % (path, why)}})
            log("failed", path, status, out[-4000:])
        self.publish(uri)
        log_published(version, path)
        self.answer_actions(uri)
        if not crashed and (LIVE_LINK or (path and not self.workers.warm(path))):
            # Its record of the editor's text; with a worker, its preamble
            # built for the next runs (the same background run).
            with self.lock:
                self.record_due.add(uri)
                self.cond.notify_all()

    def prepare(self, path, text, others, quiet=False):
        """(compile, preamble key, preamble, bound, directives) of a run of
        `text` as the file `path`, the unsaved `others` in their places
        (`quiet`: nothing logged)."""
        db = self.dbs.find(path)
        entry = (db.command_for(path) if db else None) or fallback_entry(path)
        # Once per run: it reads response files and decides which clang runs.
        compile = compile_base(entry, path)
        key, bound, directives = None, 0, []
        if PREAMBLES and self.workers.for_command(compile[0]) is None:
            bound, directives = find_preamble(text)
            if bound and not any(a.startswith(("-include", "--include", "-imacros", "-Xclang"))
                                 for a in compile[0]):
                key = Preambles.key(compile[0], path, directives)
        preamble = self.preambles.get(key) if key else None
        if preamble is not None and any(os.path.realpath(p) in preamble.deps for p, _ in others):
            # A header of the PCH is open with unsaved changes: clang would
            # refuse the PCH (built from the header on disk); this run goes
            # without it, and the PCH stays for when the header is saved.
            if not quiet:
                log("preamble set aside: an open file it includes has unsaved changes")
            preamble = None
        return compile, key, preamble, bound, directives

    def run_with_preamble(self, compile, path, text, version, preamble, bound, others,
                          extra=(), fds=(), before_retry=None, record=False):
        """run_allocsel, again without the preamble if clang refused it
        (`before_retry` first): (status, output, directory, the preamble
        used or None, the record from a worker or None)."""
        status, out, cwd, data = self.run_allocsel(compile, path, text, version, preamble, bound,
                                                   others, extra, fds, record)
        if preamble is not None and preamble.pch in out:
            # A header it was built from changed (clang says so, naming it):
            # built again later; this version runs without.
            log("preamble out of date", preamble.key)
            with self.preambles.lock:
                self.preambles.forget(preamble.key)
            preamble = None
            if before_retry:
                before_retry()
            status, out, cwd, data = self.run_allocsel(compile, path, text, version, None, 0,
                                                       others, extra, fds, record)
        return status, out, cwd, preamble, data

    def record(self, uri):
        """The record of an open unit made from the editor's text
        (-fplugin-arg-allocsel-record-to, into a memory file): the
        whole-program check reads it in place of the unit's object. A text
        with errors writes none; its last record stays. Through a worker,
        the same run builds the file's preamble if the worker has none (the
        verdict went without: a whole parse is quicker than a preamble's
        build and then the parse)."""
        with self.lock:
            doc = self.docs.get(uri)
            if doc is None or doc.path is None:
                return
            text, version, path, opened = doc.text, doc.version, doc.path, doc
            others = [(d.path, d.text) for d in self.docs.values()
                      if d is not doc and d.path and d.modified][:MAX_OVERLAID]
            recorded = doc.record_version == doc.version
        db = self.dbs.find(path)
        unit = (LIVE_LINK and not recorded and db is not None and
                db.unit_output(path) is not None)  # a unit the build compiles to an object
        compile, _, preamble, bound, _ = self.prepare(path, text, others, quiet=not unit)
        worker = self.workers.for_command(compile[0])
        if worker is not None and not unit:
            if not self.workers.warm(path):
                self.run_allocsel(compile, path, text, version, None, 0, others, warm=True)
            return
        if not unit:
            return
        if worker is not None:
            # The worker writes it to a memory file of its own.
            status, _, _, _, data = self.run_with_preamble(
                compile, path, text, version, None, 0, others, record=True)
            data = data if data and len(data) <= MAX_RECORD else b""
        else:
            fd = os.memfd_create("allocsel-record", os.MFD_CLOEXEC)
            try:
                status, _, _, _, _ = self.run_with_preamble(
                    compile, path, text, version, preamble, bound, others,
                    ["-fplugin-arg-allocsel-record-to=/proc/self/fd/%d" % fd], (fd,),
                    before_retry=lambda: os.ftruncate(fd, 0))
                size = os.fstat(fd).st_size
                data = os.pread(fd, size, 0) if 0 < size <= MAX_RECORD else b""
            finally:
                os.close(fd)
        log("record", version, path, status, len(data), "bytes")
        with self.lock:
            doc = self.docs.get(uri)
            if doc is not opened or doc.version != version or not data:
                return
            changed = data != doc.record
            doc.record, doc.record_version = data, version
            if changed:
                self.link_due.add(db.path)
                self.cond.notify_all()

    def run_allocsel(self, compile, path, text, version, preamble, bound, others=(),
                     extra=(), extra_fds=(), record=False, warm=False):
        """(status, output, directory, record) of the allocsel run of `text`
        as the file `path`, the other open documents' unsaved texts (`others`:
        (path, text)) in their files' places; with a `preamble`, the text's
        first `bound` lines are blanked and come from its PCH. `extra`:
        more arguments, `extra_fds` the descriptors they name. Through the
        file's worker, if it has one (then with `record`, the fourth value
        is the unit's record; else None): with the preamble the worker
        holds, else (a verdict) a whole parse, unless `record` or `warm`
        asks for the preamble to be built."""
        worker = self.workers.for_command(compile[0])
        if worker is not None:
            # Its own preambles, in memory; the texts in the request.
            argv, cwd = run_command(compile, path, list(extra))
            log("run", version, shlex.join(argv))
            t0 = time.monotonic()
            # A verdict of a file the worker has no preamble of goes without
            # one (the record run after it builds it).
            status, out, data = worker.run(
                argv, cwd, path, dict([(path, text)] + list(others)), TIMEOUT, record,
                preamble=record or warm or self.workers.warm(path))
            log("done", version, status, "%.3fs" % (time.monotonic() - t0))
            return status, out, cwd, data
        if preamble is not None:
            lines = text.split("\n")
            text = "\n" * bound + "\n".join(lines[bound:])
        # The unsaved buffers and the overlay that puts them in the files'
        # places live in memory files that clang inherits (/proc/self/fd/N
        # in clang): nothing is written to disk, so nothing is left behind
        # whichever way this server ends.
        fds = []
        try:
            roots = []
            for p, t in [(path, text)] + list(others):
                fds.append(memory_file("allocsel-buffer", t.encode("utf-8")))
                roots.append({"name": p, "type": "file",
                              "external-contents": "/proc/self/fd/%d" % fds[-1]})
            fds.append(memory_file("allocsel-overlay", json.dumps(
                {"version": 0, "use-external-names": False, "roots": roots}).encode("utf-8")))
            argv, cwd = adjust_command(compile, path, "/proc/self/fd/%d" % fds[-1], preamble,
                                       extra)
            log("run", version, shlex.join(argv))
            t0 = time.monotonic()
            status, out = self.run_process(argv, cwd, pass_fds=tuple(fds) + tuple(extra_fds))
        finally:
            for fd in fds:
                os.close(fd)
        log("done", version, status, "%.3fs" % (time.monotonic() - t0))
        return status, out, cwd, None

    def build_preamble(self, key, compile, path, directives):
        """Builds the PCH of a preamble (Preambles), or says why not."""
        d = self.preambles.directory()
        if d is None:
            self.preambles.done(key, why="no directory for it")
            return
        header, pch, deps = preamble_files(os.path.join(d, key + ".h"))
        with open(header, "w", encoding="utf-8") as f:
            f.write("\n".join(line for _, line in directives) + "\n")
        argv, cwd = preamble_command(compile, path, header, pch, deps)
        log("preamble", key, shlex.join(argv))
        t0 = time.monotonic()
        status, out = self.run_process(argv, cwd)
        why, files = None, []
        if status != 0:
            why = "its build failed (%s)" % status
        else:
            try:
                files = make_dependencies(read_regular(deps, 64 << 20).decode("utf-8", "replace"))
                why = names_allocsel(files, header)
            except NotReadable as e:
                why = "no dependency list (%s)" % e
        log("preamble", key, "%.3fs" % (time.monotonic() - t0), why or "ready")
        if why:
            remove_preamble_files(header)
            self.preambles.done(key, why=why)
        else:
            lines = {i + 1: n for i, (n, _) in enumerate(directives)}
            self.preambles.done(key, Preamble(key, header, pch, lines,
                                              {os.path.realpath(f) for f in files}))

    def position(self, doc, line, col):
        text = doc.line(line)
        return {"line": line - 1, "character": byte_col_to_lsp(text, col, self.encoding)}

    def source_lines(self, places):
        """{(file, line): text} of the places (file, line) in files that are
        not open, read for their columns. Called without the lock: a file a
        #line directive or a record names may be slow, large or not a file
        at all (read_lines' bounds), and nothing else waits for it."""
        with self.lock:
            open_paths = {doc.path for doc in self.docs.values()}
        wanted = {}
        for file, line in places:
            if file and os.path.normpath(file) not in open_paths:
                wanted.setdefault(os.path.normpath(file), set()).add(line)
        found = {}
        # One budget for all the files of one result: a finding naming many
        # large files reads at most MAX_SOURCE_FOR_COLUMNS in all.
        budget = [MAX_SOURCE_FOR_COLUMNS]
        for file, lines in wanted.items():
            for n, text in read_lines(file, lines, budget).items():
                found[(file, n)] = text
        return found

    def location(self, file, line, col, lines):
        """An LSP location for a file:line:col of clang's (bytes): columns
        from the open buffer, else from `lines` (source_lines); without the
        line's text, the byte column stands."""
        uri = path_to_uri(file)
        doc = self.docs.get(uri)
        if doc is not None:
            start = self.position(doc, line, col)
            end = self.position(doc, line, token_end(doc.line(line), col))
        else:
            text = lines.get((os.path.normpath(file), line))
            if text is None:
                start = {"line": max(line - 1, 0), "character": max(col - 1, 0)}
                return {"uri": uri, "range": {"start": start, "end": start}}
            c = byte_col_to_lsp(text, col, self.encoding)
            start = {"line": max(line - 1, 0), "character": c}
            end = {"line": max(line - 1, 0),
                   "character": byte_col_to_lsp(text, token_end(text, col), self.encoding)}
        return {"uri": uri, "range": {"start": start, "end": end}}

    def to_lsp(self, doc, diags, lines):
        result, fixes = [], []
        at_include = set()
        for d in diags:
            related, extra = [], []
            if os.path.normpath(d["file"]) == doc.path:
                loc = self.location(d["file"], d["line"], d["col"], lines)
                message = d["message"]
            else:
                # In a header: shown at the file's #include line, as clangd
                # shows errors in included files, with the header's location
                # first among the related information.
                line = next((ln for f, ln in d["included_from"]
                             if os.path.normpath(f) == doc.path), None)
                if line is None or (d["name"], line) in at_include:
                    continue
                at_include.add((d["name"], line))
                text = doc.line(line)
                loc = {"range": {"start": self.position(doc, line, 1),
                                 "end": self.position(doc, line, len(text.encode("utf-8")) + 1)}}
                message = "In included file: " + d["message"]
                related.append({"location": self.location(d["file"], d["line"], d["col"], lines),
                                "message": d["message"]})
            lsp = {"range": loc["range"], "severity": d["severity"], "source": "allocsel",
                   "code": d["name"], "codeDescription": {"href": docs_href(d["name"])},
                   "message": message}
            for (f, ln, col, m) in d["notes"]:
                if f:
                    related.append({"location": self.location(f, ln, col, lines), "message": m})
                else:
                    extra.append(m)
            if extra:
                lsp["message"] += "\n" + "\n".join(extra)
            if related:
                lsp["relatedInformation"] = related
            result.append(lsp)
            edits = []
            for (f, l1, c1, l2, c2, t) in d["fixits"]:
                if os.path.normpath(f) != doc.path:
                    continue
                edits.append({"range": {"start": self.position(doc, l1, c1),
                                        "end": self.position(doc, l2, c2)}, "newText": t})
            if edits:
                fixes.append((lsp, edits))
        return result, fixes

    # -- the whole-program view of the last build ---------------------------

    def link_check(self, db_path):
        # Compile databases are found and read without the lock (a large one
        # takes a while); the lock only copies and sets this server's state.
        db = self.dbs.get(db_path)
        if db is None:
            return
        stamps = db.output_stamps()
        with self.lock:
            self.link_stamps[db_path] = stamps
            units = [(d.path, d.record) for d in self.docs.values()
                     if d.record is not None and d.path]
        # The open units' records of the editor's text, by their objects.
        records = {db.unit_output(p): (p, record) for p, record in units
                   if self.dbs.find(p) is db}
        records.pop(None, None)
        inputs, names, fds = [], {}, []
        try:
            for p, d, record in check_inputs(db.output_paths(), records, db.dir):
                if record is not None:
                    # A memory file; messages name the editor's file.
                    fds.append(memory_file("allocsel-record", record[1]))
                    p = "/proc/self/fd/%d" % fds[-1]
                    names[p] = editor_name(record[0], db.dir)
                inputs.append((p, d))
            findings = []
            if inputs:
                argv = [LINK_TOOL, "check", "--format=json", "--"] + [p for p, _ in inputs]
                status, out = self.run_process(argv, db.dir, pass_fds=tuple(fds))
                log("link check", status, len(inputs), "outputs", len(fds), "records")
                findings = parse_findings(out)
        finally:
            for fd in fds:
                os.close(fd)
        result = Findings(findings, dict(inputs), names, db.dir)
        for line in result.unplaced():
            # An output the check did not read (not a regular file, a thin
            # archive's member that is a FIFO or a device): said, once.
            notice(("link", db_path, line),
                   "allocsel-clangd: the whole-program check of the last build (%s) did not "
                   "check a file: %s" % (db.path, line))
        with self.lock:
            self.link_results[db_path] = result
        self.show_link(db_path)

    def watch_outputs(self):
        """A build that rewrote outputs the last check read is checked
        again once they stop changing: every client of a project (each its
        own server) shows the new findings, a fix clears them everywhere,
        with no save in that client."""
        last = {}
        while not self.exiting:
            time.sleep(OUTPUTS_POLL)
            with self.lock:
                checked = dict(self.link_stamps)
            for db_path, stamps in checked.items():
                db = self.dbs.get(db_path)
                if db is None:
                    continue
                now = db.output_stamps()
                if now != stamps and now == last.get(db_path):
                    log("outputs changed:", db_path)
                    with self.lock:
                        self.link_stamps[db_path] = now
                        self.link_due.add(db_path)
                        self.cond.notify_all()
                last[db_path] = now

    def show_link(self, db_path):
        """The last link check's findings of a compile database, in each
        open file they concern."""
        db = self.dbs.get(db_path)
        with self.lock:
            found = self.link_results.get(db_path)
            paths = {uri: doc.path for uri, doc in self.docs.items() if doc.path}
        if db is None or found is None:
            return
        lines = self.source_lines(found.places())
        # Which open files the database covers: found without the lock (a
        # file's database may be read again). One opened meanwhile is shown
        # these findings by its own link_show.
        covered = {uri for uri, path in paths.items() if self.dbs.find(path) is db}
        with self.lock:
            per_uri = found.by_uri(lambda uri: uri in self.docs,
                                   lambda f, ln, col: self.location(f, ln, col, lines))
            changed = []
            for uri, doc in self.docs.items():
                if uri in covered and doc.path == paths[uri]:
                    new = per_uri.get(uri, [])
                    if new != doc.link:
                        doc.link = new
                        changed.append(uri)
        for uri in changed:
            self.publish(uri)


def main():
    if "--allocsel-version" in sys.argv[1:]:
        print("allocsel-clangd " + VERSION)
        return 0
    # Help: allocsel-clangd's own options and variables, then clangd's.
    if any(a in ("--help", "-help", "--help-hidden", "--help-list", "-h") for a in sys.argv[1:]):
        sys.stdout.write(help_text())
        sys.stdout.flush()
    clangd, args, _ = Server.parse_args(sys.argv[1:])
    # Not a language server session (editors run `clangd --version` to
    # check it): clangd itself answers.
    if any(a in ("--version", "-version", "--help", "-help", "--help-hidden", "--help-list", "-h")
           or a.startswith(("--check", "-check")) for a in args):
        os.execv(clangd, [clangd] + args)
    server = Server(sys.argv[1:])
    status = server.run()
    try:
        sys.stdout.flush()
    except OSError:
        pass
    os._exit(status)
