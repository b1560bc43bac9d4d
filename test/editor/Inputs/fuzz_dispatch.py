"""A coverage-guided fuzzer of allocsel-clangd's message handling: the
server's own entry points for a message body from the editor
(take_from_editor) and from clangd (take_from_clangd), called directly on a
real Server, with no clangd and no compiles (nothing is run: the runs they
schedule stay queued).

    fuzz_dispatch.py ALLOCSEL_CLANGD SECONDS SEED

Inputs start from a corpus of well-formed messages of every method the
server follows; each round mutates one (a JSON node replaced by a value of
any type, a key dropped or added, a number pushed to an extreme, a string
made a URI of an open file, the body's bytes cut or flipped). Line coverage
of the package (sys.settrace) guides it: an input that reaches a line no
input reached before joins the corpus.

What must hold for every input:
  - nothing escapes take_from_editor / take_from_clangd, and each returns
    in under 2 s;
  - take_from_editor returns None or the id of a request the server is
    waiting for (initialize, codeAction);
  - take_from_clangd returns None or a message that can be sent (JSON);
    a publishDiagnostics it makes has a string uri and a list of
    diagnostics;
  - the server's lock is free afterwards, and every open document has text;
  - a well-formed message (the corpus's own, and random edits within the
    text) never fails inside the handler (no exception logged).
At the end, a clean session on the same server (open, edit, clangd's
diagnostics) gives the right text and the right merged diagnostics: what
came before left no state that breaks it."""

import copy
import json
import os
import random
import sys
import tempfile
import time

launcher = os.path.realpath(sys.argv[1])
seconds, seed = float(sys.argv[2]), int(sys.argv[3])
package_root = os.path.join(os.path.dirname(os.path.dirname(launcher)), "lib", "allocsel",
                            "python")
sys.path.insert(0, package_root)
sys.dont_write_bytecode = True
tmp = tempfile.mkdtemp()
os.environ["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
os.environ["XDG_CONFIG_HOME"] = os.path.join(tmp, "config")

from allocsel_clangd import server as server_mod  # noqa: E402
from allocsel_clangd.framing import encode_body  # noqa: E402
from allocsel_clangd.positions import path_to_uri  # noqa: E402

PACKAGE = os.path.join(package_root, "allocsel_clangd")
failures = []
errors_logged = []


def fail(what, body):
    failures.append((what, body[:300]))


# The handlers' caught errors are logged: counted here.
real_log = server_mod.log


def counting_log(*parts):
    if parts and isinstance(parts[0], str) and parts[0].startswith("error handling"):
        errors_logged.append(" ".join(map(str, parts)))
    real_log(*parts)


server_mod.log = counting_log


class Sink:
    """Where messages for the editor go: each must be JSON."""

    def send(self, msg):
        encode_body(msg)

    def send_raw(self, data):
        pass


s = server_mod.Server(["--clangd=/bin/true"])
s.to_editor = Sink()
A = os.path.join(tmp, "a.cpp")
B = os.path.join(tmp, "b.h")
URIS = [path_to_uri(A), path_to_uri(B)]
TEXT = "#include <allocsel/alloc.h>\n// \u00e9\U0001F600\nint main() {}\n"


def editor(method, params, rid=None):
    m = {"jsonrpc": "2.0", "method": method, "params": params}
    if rid is not None:
        m["id"] = rid
    return ("E", m)


def pos(line, ch):
    return {"line": line, "character": ch}


def rng_range(r):
    return {"start": pos(r.randrange(4), r.randrange(30)), "end": pos(r.randrange(4), r.randrange(30))}


DIAG = {"range": {"start": pos(2, 0), "end": pos(2, 3)}, "severity": 1, "source": "clang",
        "message": "unknown pragma ignored", "code": "x"}
CORPUS = [
    editor("initialize", {"capabilities": {"textDocument": {
        "codeAction": {"codeActionLiteralSupport": {}},
        "publishDiagnostics": {"relatedInformation": True}}}}, 1),
    ("C", {"jsonrpc": "2.0", "id": 1, "result": {"capabilities": {"positionEncoding": "utf-16"}}}),
    editor("textDocument/didOpen", {"textDocument": {"uri": URIS[0], "languageId": "cpp",
                                                     "version": 1, "text": TEXT}}),
    editor("textDocument/didOpen", {"textDocument": {"uri": URIS[1], "languageId": "cpp",
                                                     "version": 1, "text": "int x;\n"}}),
    editor("textDocument/didChange", {"textDocument": {"uri": URIS[0], "version": 2},
                                      "contentChanges": [{"range": {"start": pos(1, 3),
                                                                    "end": pos(1, 5)},
                                                          "text": "ab\n"}]}),
    editor("textDocument/didChange", {"textDocument": {"uri": URIS[0], "version": 3},
                                      "contentChanges": [{"text": TEXT}]}),
    editor("textDocument/didSave", {"textDocument": {"uri": URIS[0]}}),
    editor("textDocument/codeAction", {"textDocument": {"uri": URIS[0]},
                                       "range": {"start": pos(2, 0), "end": pos(2, 0)},
                                       "context": {"diagnostics": [], "only": ["quickfix"]}}, 7),
    ("C", {"jsonrpc": "2.0", "id": 7, "result": [{"title": "clangd's", "kind": "quickfix"}]}),
    ("C", {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
           "params": {"uri": URIS[0], "version": 3, "diagnostics": [DIAG]}}),
    editor("$/cancelRequest", {"id": 7}),
    editor("textDocument/didClose", {"textDocument": {"uri": URIS[1]}}),
    editor("textDocument/hover", {"textDocument": {"uri": URIS[0]}, "position": pos(0, 1)}, 9),
]


def random_value(r, depth=0):
    k = r.randrange(10 if depth < 3 else 7)
    if k == 0:
        return None
    if k == 1:
        return r.choice([0, -1, 1, 2 ** 31, -2 ** 63, 2 ** 64, 10 ** 30, 1.5, float("1e308")])
    if k == 2:
        return r.choice(["", "x" * 5000, "\u00e9\U0001F600", "\ud800", "file://", "file:///dev/zero",
                         "file:///%ff%00", URIS[0], URIS[1], "utf-8", "quickfix", "cpp", "\n" * 50])
    if k == 3:
        return r.choice([True, False])
    if k == 4:
        return pos(random_value(r, depth + 1), random_value(r, depth + 1))
    if k == 5:
        return {"start": random_value(r, depth + 1), "end": random_value(r, depth + 1)}
    if k == 6:
        return rng_range(r)
    if k == 7:
        return [random_value(r, depth + 1) for _ in range(r.randrange(4))]
    return {r.choice(["uri", "text", "range", "version", "textDocument", "contentChanges",
                      "diagnostics", "id", "result", "error", "capabilities", "only"]):
            random_value(r, depth + 1) for _ in range(r.randrange(4))}


def nodes(v, path=()):
    yield path
    if isinstance(v, dict):
        for k in v:
            yield from nodes(v[k], path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from nodes(x, path + (i,))


def set_at(v, path, new):
    for p in path[:-1]:
        v = v[p]
    v[path[-1]] = new


def mutate(r, item):
    """(side, body bytes, well-formed?)"""
    side, msg = item
    msg = copy.deepcopy(msg)
    for _ in range(r.randrange(1, 4)):
        paths = [p for p in nodes(msg) if p]
        k = r.randrange(6)
        if k <= 2 and paths:
            set_at(msg, r.choice(paths), random_value(r))
        elif k == 3 and paths:
            p = r.choice(paths)
            parent = msg
            for x in p[:-1]:
                parent = parent[x]
            if isinstance(parent, dict):
                del parent[p[-1]]
            else:
                parent.pop(p[-1])
        elif k == 4 and any(isinstance(_get(msg, p), dict) for p in nodes(msg)):
            targets = [p for p in nodes(msg) if isinstance(_get(msg, p), dict)]
            set_at_dict(_get(msg, r.choice(targets)), r, random_value(r))
        else:
            msg = random_value(r) if r.randrange(8) == 0 else msg
    body = json.dumps(msg).encode("utf-8")
    if r.randrange(6) == 0:
        body = bytearray(body)
        for _ in range(r.randrange(1, 4)):
            if body:
                body[r.randrange(len(body))] = r.randrange(256)
        body = bytes(body[:r.randrange(len(body) + 1)] if r.randrange(2) else body)
    return side, body, False


def _get(v, path):
    for p in path:
        v = v[p]
    return v


def set_at_dict(d, r, value):
    d[r.choice(["uri", "text", "range", "version", "id", "method", "params", "result",
                "contentChanges", "diagnostics", "textDocument"])] = value


def well_formed_edit(r):
    """A random edit of a.cpp within its text (positions past a line's end
    are what editors may send too): must never fail in the handler."""
    doc = s.docs.get(URIS[0])
    lines = (doc.text if doc else TEXT).split("\n")
    a, b = sorted([r.randrange(len(lines) + 1), r.randrange(len(lines) + 1)])
    start = pos(a, r.randrange(len(lines[a]) + 2) if a < len(lines) else 0)
    end = pos(b, r.randrange(len(lines[b]) + 2) if b < len(lines) else 0)
    if (end["line"], end["character"]) < (start["line"], start["character"]):
        start, end = end, start
    text = r.choice(["", "x", "\n", "\u00e9", "\U0001F600", "[[global_allocator]] ", "a\r\nb"])
    side, msg = editor("textDocument/didChange", {
        "textDocument": {"uri": URIS[0], "version": r.randrange(4, 10 ** 6)},
        "contentChanges": [{"range": {"start": start, "end": end}, "text": text}]})
    return side, json.dumps(msg).encode("utf-8"), True


covered = set()


def tracer(frame, event, arg):
    if frame.f_code.co_filename.startswith(PACKAGE):
        def lines(frame, event, arg):
            if event == "line":
                new.add((frame.f_code.co_filename, frame.f_lineno))
            return lines
        return lines
    return None


new = set()


def run(side, body, well_formed):
    global new
    new = set()
    before = len(errors_logged)
    t0 = time.monotonic()
    sys.settrace(tracer)
    try:
        out = s.take_from_editor(body) if side == "E" else s.take_from_clangd(body)
    except BaseException as e:  # nothing may escape
        sys.settrace(None)
        fail("escaped: %r" % e, body)
        return False
    finally:
        sys.settrace(None)
    if time.monotonic() - t0 > 2:
        fail("took %.1f s" % (time.monotonic() - t0), body)
    if side == "E":
        if out is not None and not (isinstance(out, (int, str)) and
                                    (out in s.pending_init or out in s.pending_actions)):
            fail("take_from_editor returned %r" % (out,), body)
    elif out is not None:
        try:
            encode_body(out)
        except (TypeError, ValueError) as e:
            fail("take_from_clangd returned a message that cannot be sent: %r" % e, body)
        if out.get("method") == "textDocument/publishDiagnostics":
            p = out.get("params") or {}
            if not isinstance(p.get("uri"), str) or not isinstance(p.get("diagnostics"), list):
                fail("take_from_clangd made publishDiagnostics %r" % (p,), body)
    if not s.lock.acquire(blocking=False):
        fail("the lock is held after the message", body)
    else:
        s.lock.release()
    for doc in list(s.docs.values()):
        if not isinstance(doc.text, str):
            fail("a document's text is %r" % type(doc.text), body)
    if well_formed and len(errors_logged) > before:
        fail("a well-formed message failed: " + errors_logged[-1], body)
    grew = not new <= covered
    covered.update(new)
    return grew


r = random.Random(seed)
corpus = list(CORPUS)
executions = 0
for side, msg in CORPUS:
    run(side, json.dumps(msg).encode("utf-8"), True)
    executions += 1
seed_coverage = len(covered)
deadline = time.monotonic() + seconds
while time.monotonic() < deadline and len(failures) < 20:
    if r.randrange(8) == 0:
        side, body, ok = well_formed_edit(r)
        run(side, body, ok)
    else:
        item = r.choice(corpus)
        side, body, ok = mutate(r, item)
        if run(side, body, ok):
            try:
                corpus.append((side, json.loads(body)))
            except ValueError:
                pass
    executions += 1
    # Now and then the documents come back (the mutations close them).
    if executions % 50 == 0:
        for side, msg in CORPUS[2:4]:
            run(side, json.dumps(msg).encode("utf-8"), True)

# A clean session on the same server.
for side, msg in [
        editor("textDocument/didClose", {"textDocument": {"uri": URIS[0]}}),
        editor("textDocument/didOpen", {"textDocument": {"uri": URIS[0], "languageId": "cpp",
                                                         "version": 1, "text": TEXT}}),
        editor("textDocument/didChange", {"textDocument": {"uri": URIS[0], "version": 2},
                                          "contentChanges": [{"range": {"start": pos(2, 4),
                                                                        "end": pos(2, 8)},
                                                              "text": "f"}]})]:
    run(side, json.dumps(msg).encode("utf-8"), True)
after = s.docs[URIS[0]].text if URIS[0] in s.docs else None
expected = TEXT.replace("int main()", "int f()")
diags = s.take_from_clangd(json.dumps({
    "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
    "params": {"uri": URIS[0], "version": 2, "diagnostics": [dict(DIAG, message="x")]}}).encode())

print("executions: %d" % executions)
print("corpus: %d (from %d)" % (len(corpus), len(CORPUS)))
print("lines reached: %d (the well-formed corpus alone: %d)" % (len(covered), seed_coverage))
print("errors caught and logged: %d" % len(errors_logged))
print("clean session: text %s" % ("right" if after == expected else repr(after)))
print("clean session: diagnostics %s" % (
    "right" if diags and diags["params"]["diagnostics"] == [dict(DIAG, message="x")] else
    json.dumps(diags)))
for what, body in failures:
    print("FAILURE:", what, body)
print("failures: %d" % len(failures))
sys.exit(1 if failures else 0)
