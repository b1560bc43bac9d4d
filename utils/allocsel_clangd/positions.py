"""Positions: LSP's encodings, edits, and diagnostics moved with the edits
made since their run; file URIs."""

import os
import urllib.parse
import urllib.request

# ---------------------------------------------------------------------------
# Positions: clang counts 1-based bytes, LSP counts code units of the
# negotiated encoding (UTF-16 unless clangd said otherwise).


def units(s, encoding):
    if encoding == "utf-8":
        return len(s.encode("utf-8"))
    if encoding == "utf-32":
        return len(s)
    return len(s.encode("utf-16-le")) // 2


def char_index(line, character, encoding):
    """The index in the str `line` of an LSP `character` offset."""
    if encoding == "utf-32":
        return min(character, len(line))
    count = 0
    for i, ch in enumerate(line):
        if count >= character:
            return i
        count += units(ch, encoding)
    return len(line)


def split_lines(text):
    return text.split("\n")


def offset_of(text, pos, encoding):
    """The str index in `text` of an LSP position."""
    line, character = pos["line"], pos["character"]
    start = 0
    for _ in range(line):
        nl = text.find("\n", start)
        if nl < 0:
            return len(text)
        start = nl + 1
    end = text.find("\n", start)
    if end < 0:
        end = len(text)
    return start + char_index(text[start:end], character, encoding)


# Diagnostics of an older version of the text, moved with the edits made
# since (docs/design.md, "Nothing stale"): a diagnostic whose range an edit
# touches is held back until the run of the new text; one after an edit
# moves with it. allocsel's results thus never point at a place the text
# no longer has, while the run of the new version is on its way.

def line_character(p):
    """An LSP position as (line, character)."""
    return (p["line"], p["character"])


class Edit:
    """One edit of a text, in LSP positions: [start, end) of the old text
    became text that ends at new_end; or a whole new text, given as the
    lines the old and the new share at their start and at their end."""

    def __init__(self, start=None, end=None, new_end=None, old_lines=None, new_lines=None,
                 prefix=0, suffix=0):
        self.start, self.end, self.new_end = start, end, new_end
        self.old_lines, self.new_lines = old_lines, new_lines
        self.prefix, self.suffix = prefix, suffix

    @staticmethod
    def of_range(start, end, text, encoding):
        lines = text.split("\n")
        if len(lines) == 1:
            new_end = (start[0], start[1] + units(text, encoding))
        else:
            new_end = (start[0] + len(lines) - 1, units(lines[-1], encoding))
        return Edit(start, end, new_end)

    @staticmethod
    def of_text(old, new):
        a, b = old.split("\n"), new.split("\n")
        limit = min(len(a), len(b))
        prefix = 0
        while prefix < limit and a[prefix] == b[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and a[-1 - suffix] == b[-1 - suffix]:
            suffix += 1
        return Edit(old_lines=len(a), new_lines=len(b), prefix=prefix, suffix=suffix)

    def move(self, p):
        """Position p (a tuple) after the edit, or None if the edit changed
        what is there."""
        if self.start is None:
            if p[0] < self.prefix:
                return p
            if p[0] >= self.old_lines - self.suffix:
                return (p[0] + self.new_lines - self.old_lines, p[1])
            return None
        if p < self.start:
            return p
        if p > self.end:
            if p[0] == self.end[0]:
                return (self.new_end[0], self.new_end[1] + p[1] - self.end[1])
            return (p[0] + self.new_end[0] - self.end[0], p[1])
        return None

    def move_range(self, r):
        """An LSP range moved, or None if the edit touched it (its end is
        where the token ends: an edit right there touches it too)."""
        a, b = self.move(line_character(r["start"])), self.move(line_character(r["end"]))
        if a is None or b is None:
            return None
        if self.start is not None and line_character(r["start"]) < self.start <= line_character(r["end"]):
            return None  # the edit is inside the range
        return {"start": {"line": a[0], "character": a[1]},
                "end": {"line": b[0], "character": b[1]}}


def moved_diagnostics(diags, uri, edit):
    """The diagnostics `diags` of document `uri` after `edit`: moved, or left
    out when the edit touched their range; their related locations in the
    same document move too, or are left out."""
    out = []
    for d in diags:
        r = edit.move_range(d["range"])
        if r is None:
            continue
        d = dict(d, range=r)
        if d.get("relatedInformation"):
            rel = []
            for info in d["relatedInformation"]:
                loc = info.get("location") or {}
                if loc.get("uri") == uri and loc.get("range"):
                    lr = edit.move_range(loc["range"])
                    if lr is None:
                        continue
                    info = dict(info, location=dict(loc, range=lr))
                rel.append(info)
            d["relatedInformation"] = rel
        out.append(d)
    return out


def byte_col_to_lsp(line_text, col, encoding):
    """A clang column (1-based, bytes) on `line_text` to an LSP character."""
    raw = line_text.encode("utf-8")
    prefix = raw[:max(col - 1, 0)].decode("utf-8", errors="ignore")
    return units(prefix, encoding)


def token_end(line_text, col):
    """The byte column just after the token starting at byte column `col`."""
    raw = line_text.encode("utf-8")
    i = col - 1
    if i >= len(raw):
        return col
    j = i
    while j < len(raw) and (chr(raw[j]).isalnum() or raw[j] == ord("_")) and raw[j] < 128:
        j += 1
    if j == i:
        j = i + 1
    return j + 1


def path_to_uri(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


def uri_to_path(uri):
    if not uri.startswith("file://"):
        return None
    return urllib.request.url2pathname(urllib.parse.urlparse(uri).path)
