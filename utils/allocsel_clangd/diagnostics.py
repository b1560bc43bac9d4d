"""clang's output read back into diagnostics (allocsel's, with notes,
fix-its and include stacks), and what allocsel adds to a message for
clients that show no related information."""

import os
import re

from .config import DOCS
from .positions import path_to_uri, uri_to_path


DIAG_RE = re.compile(r"^(.+?):(\d+):(\d+): (fatal error|error|warning|note|remark): (.*)$")
FIXIT_RE = re.compile(r'^fix-it:"((?:[^"\\]|\\.)*)":\{(\d+):(\d+)-(\d+):(\d+)\}:"((?:[^"\\]|\\.)*)"$')
NAME_RE = re.compile(r" \[(allocsel-[a-z0-9-]+)\]$")
# clang's include stack before a diagnostic in a header, outermost first.
INCLUDED_FROM_RE = re.compile(r"^In file included from (.+):(\d+):$")


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "n":
                out.append("\n")
            elif n == "t":
                out.append("\t")
            elif n in "01234567":
                j = i + 1
                while j < len(s) and j < i + 4 and s[j] in "01234567":
                    j += 1
                out.append(chr(int(s[i + 1:j], 8)))
                i = j
                continue
            else:
                out.append(n)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_clang_output(text, cwd):
    """allocsel's diagnostics in clang's output: a list of dicts with file,
    line, col, severity, message, name, notes [(file,line,col,message)],
    fixits [(file,l1,c1,l2,c2,text)] and included_from [(file,line)] (the
    include stack of a diagnostic in a header, outermost first)."""
    diags = []
    current = None
    includes = []
    for line in text.splitlines():
        m = INCLUDED_FROM_RE.match(line)
        if m:
            includes.append((os.path.join(cwd, m.group(1)), int(m.group(2))))
            continue
        m = DIAG_RE.match(line)
        if m and " | " in m.group(1):
            m = None  # a source line that clang quotes
        if m:
            file, ln, col, sev, msg = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)
            stack, includes = includes, []
            if sev == "note":
                if current is not None:
                    current["notes"].append((os.path.join(cwd, file), ln, col, msg))
                continue
            current = None
            name = NAME_RE.search(msg)
            if name and sev in ("error", "warning", "fatal error"):
                current = {"file": os.path.join(cwd, file), "line": ln, "col": col,
                           "severity": 2 if sev == "warning" else 1,
                           "message": msg[:name.start()], "name": name.group(1),
                           "notes": [], "fixits": [], "included_from": stack}
                diags.append(current)
            continue
        m = FIXIT_RE.match(line)
        if m:
            if current is not None and not current["notes"]:
                current["fixits"].append((os.path.join(cwd, unescape(m.group(1))), int(m.group(2)), int(m.group(3)),
                                          int(m.group(4)), int(m.group(5)), unescape(m.group(6))))
            continue
        if line.startswith("note: ") and current is not None:
            current["notes"].append((None, 0, 0, line[len("note: "):]))
    return diags


# ---------------------------------------------------------------------------
# The server


def docs_href(name):
    docs = DOCS
    if not os.path.exists(docs):
        src = os.path.join("@PY_PROJECT_SOURCE_DIR@", "docs", "diagnostics.md")
        if os.path.exists(src):
            docs = src
    return path_to_uri(docs) + "#" + name


# The stable name the plugin ends each of its diagnostics with (clangd keeps
# it, before the notes it folds into the message, and before the
# " (fix available)" it adds: allocsel's fixes come with allocsel's own run,
# as code actions of this server's, and the mark is dropped with the name).
HOSTED_NAME_RE = re.compile(r" \[(allocsel-[a-z0-9-]+)\](?: \(fix available\))?(?=\n|$)")
INCLUDED_PREFIX = "In included file: "


def uncapitalized(text):
    """clangd's message `text` as clang wrote it: clangd capitalizes each
    message and note, and allocsel's (Diagnostics.def) and clang's own all
    begin in lower case, with a quote or with a symbol."""
    if text[:1].isupper() and text[:1].isascii() and not text[1:2].isupper():
        return text[0].lower() + text[1:]
    return text


def from_hosted(d):
    """clangd's diagnostic `d` as allocsel's, in the form allocsel's own
    runs give (source, code, documentation, the message without its name,
    as clang wrote it), if the plugin hosted in clangd made it; False if it
    is a note of one of allocsel's, which clangd repeats as a diagnostic of
    its own for a client without related information (the message names
    the diagnostic after the note: allocsel's runs give the notes in their
    diagnostic's message alone); else None."""
    msg = d.get("message")
    if not isinstance(msg, str):
        return None
    m = HOSTED_NAME_RE.search(msg)
    if m is None:
        return None
    first = msg.find("\n")
    if first != -1 and m.start() > first:
        return False
    name = m.group(1)
    text = msg[:m.start()] + msg[m.end():]
    prefix = INCLUDED_PREFIX if text.startswith(INCLUDED_PREFIX) else ""
    out = dict(d, source="allocsel", code=name, codeDescription={"href": docs_href(name)},
               message=prefix + uncapitalized(text[len(prefix):]))
    if isinstance(d.get("relatedInformation"), list):
        out["relatedInformation"] = [
            dict(r, message=uncapitalized(r["message"]))
            if isinstance(r, dict) and isinstance(r.get("message"), str) else r
            for r in d["relatedInformation"]]
    return out


ALLOCSEL_ATTR_RE = re.compile(
    r"^unknown attribute '(allocsel::)?(global_allocator|needs_allocator)' ignored", re.I)
PRAGMA_LINE_RE = re.compile(r"^\s*#\s*pragma\s+allocsel\b")


INCLUDE_RE = re.compile(r'^\s*#\s*(?:include|include_next|import)\s*[<"]([^>"]+)[>"]', re.M)
# The other open files' unsaved texts a run sees (run_allocsel), at most.
MAX_OVERLAID = 64


def includes_of(text):
    """The base names of the files `text` includes."""
    return {os.path.basename(m.group(1)) for m in INCLUDE_RE.finditer(text)}


def folded_notes(d):
    """Diagnostic d for a client that takes no related information: its
    notes appended to the message, one paragraph each, as clangd does for
    its own ("FILE:LINE:COLUMN: note: MESSAGE")."""
    rel = d.get("relatedInformation")
    if not rel:
        return d
    d = dict(d)
    del d["relatedInformation"]
    for r in rel:
        loc = r.get("location") or {}
        start = (loc.get("range") or {}).get("start") or {}
        d["message"] += "\n\n%s:%d:%d: note: %s" % (
            os.path.basename(uri_to_path(loc.get("uri", "")) or ""), start.get("line", 0) + 1,
            start.get("character", 0) + 1, r.get("message", ""))
    return d
