"""A scripted LSP client for the editor tests and the benchmark.

It runs a language server (allocsel-clangd or clangd) over stdio, sends
requests and notifications like an editor, keeps every message the server
sent, and prints diagnostics as normalized JSON lines for FileCheck (paths
relative to the project root, 0-based LSP positions "line:character").
"""

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))


def uri_of(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


def path_of(uri):
    return urllib.parse.unquote(urllib.parse.urlparse(uri).path)


class Client:
    def __init__(self, cmd, root, env=None, encodings=None, log=None):
        self.root = os.path.abspath(root)
        self.log = log
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        if log:
            full_env["ALLOCSEL_CLANGD_LOG"] = log
            open(log, "w").close()
        # No background index: with a compile_commands.json clangd would
        # index the standard library into ~/.cache, and wait for that work
        # when it exits (tens of seconds on a busy machine).
        cmd = list(cmd) + ["--background-index=false"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL if not os.environ.get("LSP_DEBUG")
                                     else None, cwd=self.root, env=full_env)
        self.next_id = 1
        self.responses = {}
        self.messages = []        # every message from the server, in order
        self.diags = {}           # uri -> latest diagnostics
        self.diag_versions = {}   # uri -> the version of the latest publish
        self.versions = {}        # uri -> the version we sent last
        self.texts = {}
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        caps = {
            "textDocument": {
                "publishDiagnostics": {"relatedInformation": True, "versionSupport": True,
                                       "codeDescriptionSupport": True},
                "codeAction": {"codeActionLiteralSupport": {
                    "codeActionKind": {"valueSet": ["", "quickfix", "refactor", "source"]}}},
                "hover": {"contentFormat": ["plaintext"]},
                "completion": {"completionItem": {"snippetSupport": False}},
                "synchronization": {"didSave": True},
            },
            "window": {"showMessage": {}},
        }
        if encodings:
            # LSP 3.17's negotiation, and clangd's own extension (clangd 19
            # answers only the latter, with "offsetEncoding" in its result).
            caps["general"] = {"positionEncodings": encodings}
            caps["offsetEncoding"] = encodings
        self.init = self.request("initialize", {
            "processId": os.getpid(), "rootUri": uri_of(self.root), "capabilities": caps})
        self.notify("initialized", {})

    # -- transport -----------------------------------------------------------

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    with self.cond:
                        self.cond.notify_all()
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.partition(b":")
                if k.lower() == b"content-length":
                    length = int(v)
            body = out.read(length)
            msg = json.loads(body)
            with self.cond:
                self.messages.append(msg)
                if "id" in msg and "method" not in msg:
                    if isinstance(msg["id"], (int, str)):  # a test may send other ids
                        self.responses[msg["id"]] = msg
                elif msg.get("method") == "textDocument/publishDiagnostics":
                    self.diags[msg["params"]["uri"]] = msg["params"]["diagnostics"]
                    self.diag_versions[msg["params"]["uri"]] = msg["params"].get("version")
                elif "id" in msg and "method" in msg:
                    # A request from the server (workDoneProgress/create, ...).
                    self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                self.cond.notify_all()

    # Framing as some editors write it (tests of the server's reader): a
    # Content-Type header, and each message in `pieces` writes with a pause.
    content_type = False
    pieces = 1

    def _send(self, msg):
        body = json.dumps(msg).encode()
        head = b"Content-Length: %d\r\n" % len(body)
        if self.content_type:
            head += b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n"
        data = head + b"\r\n" + body
        step = -(-len(data) // self.pieces)
        for i in range(0, len(data), step):
            if i:
                time.sleep(0.05)
            self.proc.stdin.write(data[i:i + step])
            self.proc.stdin.flush()

    def send_together(self, msgs):
        """Several messages in one write."""
        data = b""
        for m in msgs:
            body = json.dumps(m).encode()
            data += b"Content-Length: %d\r\n\r\n" % len(body) + body
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send_request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid

    def response(self, rid, timeout=60):
        with self.cond:
            if not self.cond.wait_for(lambda: rid in self.responses, timeout):
                raise TimeoutError("no response to request %d" % rid)
            return self.responses[rid]

    def request(self, method, params, timeout=60):
        return self.response(self.send_request(method, params), timeout)

    def notify(self, method, params):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, pred, timeout=60, what="condition"):
        with self.cond:
            if not self.cond.wait_for(pred, timeout):
                raise TimeoutError("timed out waiting for " + what)

    def wait_log(self, pattern, timeout=60):
        """Wait for a line of allocsel-clangd's log (ALLOCSEL_CLANGD_LOG)."""
        rx = re.compile(pattern, re.M)
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(self.log) as f:
                if rx.search(f.read()):
                    return
            time.sleep(0.05)
        raise TimeoutError("no log line " + pattern)

    # -- documents -----------------------------------------------------------

    def path(self, name):
        return os.path.join(self.root, name)

    def uri(self, name):
        return uri_of(self.path(name))

    def open(self, name, language="cpp"):
        with open(self.path(name), encoding="utf-8") as f:
            text = f.read()
        self.versions[name] = 1
        self.texts[name] = text
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri(name), "languageId": language, "version": 1, "text": text}})

    def change(self, name, text=None, edits=None):
        """A full change (text) or incremental ones (edits: [(range, text)])."""
        self.versions[name] += 1
        if text is not None:
            changes = [{"text": text}]
            self.texts[name] = text
        else:
            changes = [{"range": r, "text": t} for r, t in edits]
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": self.uri(name), "version": self.versions[name]},
            "contentChanges": changes})
        return self.versions[name]

    def save(self, name):
        self.notify("textDocument/didSave", {"textDocument": {"uri": self.uri(name)}})

    def close(self, name):
        self.notify("textDocument/didClose", {"textDocument": {"uri": self.uri(name)}})

    def settle(self, name, version, quiet=0.5, timeout=90):
        """Wait until allocsel-clangd has analysed `version` of `name`, clangd
        has published its diagnostics for that version, and nothing was
        published for `quiet` seconds."""
        self.wait_log(r"^\S+ published %d %s$" % (version, re.escape(self.path(name))), timeout)
        uri = self.uri(name)
        self.wait(lambda: self.diag_versions.get(uri) == version, timeout,
                  "clangd's diagnostics of version %d" % version)
        self.wait_quiet(quiet)

    def wait_quiet(self, quiet=0.5):
        last = -1
        while True:
            with self.cond:
                n = len(self.messages)
            if n == last:
                return
            last = n
            time.sleep(quiet)

    def diagnostics(self, name):
        with self.cond:
            return list(self.diags.get(self.uri(name), []))

    # -- output --------------------------------------------------------------

    def rel(self, uri):
        p = path_of(uri)
        return os.path.relpath(p, self.root) if p.startswith(self.root) else p

    def norm_range(self, r):
        return "%d:%d-%d:%d" % (r["start"]["line"], r["start"]["character"],
                                r["end"]["line"], r["end"]["character"])

    def norm_diag(self, d):
        out = {"range": self.norm_range(d["range"]), "severity": d.get("severity"),
               "source": d.get("source"), "code": d.get("code"), "message": d["message"]}
        href = (d.get("codeDescription") or {}).get("href")
        if href:
            out["href"] = os.path.basename(urllib.parse.urlparse(href).path) + "#" + \
                urllib.parse.urlparse(href).fragment
        if d.get("relatedInformation"):
            out["related"] = ["%s:%s %s" % (self.rel(r["location"]["uri"]),
                                            self.norm_range(r["location"]["range"]), r["message"])
                              for r in d["relatedInformation"]]
        return out

    def print_diags(self, name, label="diag"):
        ds = sorted(self.diagnostics(name),
                    key=lambda d: (d["range"]["start"]["line"], d["range"]["start"]["character"],
                                   d.get("source") or ""))
        print("%s %s count=%d" % (label, name, len(ds)))
        for d in ds:
            print(label, name, json.dumps(self.norm_diag(d)))
        sys.stdout.flush()

    def show_messages(self):
        with self.cond:
            return [m["params"] for m in self.messages if m.get("method") == "window/showMessage"]

    def finish(self):
        """shutdown, exit, and the server's exit status. (clangd finishes
        the work it started before it exits: on a loaded machine that can
        take tens of seconds.)"""
        self.request("shutdown", None)
        self.notify("exit", None)
        try:
            return self.proc.wait(90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return "hung"


def server_cmd():
    return os.environ.get("ALLOCSEL_CLANGD_CMD", "allocsel-clangd").split()


def apply_edits(text, edits):
    """Apply LSP TextEdits (UTF-16 positions) to text."""
    def offset(pos):
        lines = text.split("\n")
        start = sum(len(l) + 1 for l in lines[:pos["line"]])
        line = lines[pos["line"]] if pos["line"] < len(lines) else ""
        units, i = 0, 0
        while i < len(line) and units < pos["character"]:
            units += 2 if ord(line[i]) > 0xFFFF else 1
            i += 1
        return start + i
    for e in sorted(edits, key=lambda e: (e["range"]["start"]["line"],
                                          e["range"]["start"]["character"]), reverse=True):
        s, t = offset(e["range"]["start"]), offset(e["range"]["end"])
        text = text[:s] + e["newText"] + text[t:]
    return text
