"""Whole-program findings: the inputs of `allocsel-link check` over a compile
database's outputs (an open unit's record of the editor's text in place of
its object), and its findings as one diagnostic in each open file they
concern (docs/design.md, "Whole-program findings while you type")."""

import json
import os
import re

from .diagnostics import docs_href
from .positions import path_to_uri


# How a finding's message ends: what it was checked from.
LINK_SUFFIX = " (from the last build)"
LIVE_LINK_SUFFIX = " (from the open files and the last build)"


def check_inputs(output_paths, records, base, exists=os.path.isfile):
    """The inputs of a check: [(path, directory, record)] in the database's
    order. `output_paths`: [(output, directory)]; `records`: {output:
    (source file, record bytes)} of the open units. An output with a record
    comes as (None, directory, (source, bytes)): the caller names it (a
    memory file); one without, if it exists, as its path (relative to
    `base` when below it: "a.o" reads better in a message)."""
    out = []
    for p, d in output_paths:
        if p in records:
            out.append((None, d, records[p]))
        elif exists(p):
            out.append((os.path.relpath(p, base) if p.startswith(base + os.sep) else p, d, None))
    return out


def editor_name(source, base):
    """How a message names the record of the open file `source`."""
    return "the editor's " + (os.path.relpath(source, base) if source.startswith(base + os.sep)
                              else source)


def parse_findings(output):
    """The findings of `allocsel-link check --format=json`'s output ([] if
    it printed none)."""
    try:
        return json.loads(output[output.index("{"):]).get("findings", [])
    except (ValueError, AttributeError):
        return []


class Findings:
    """The findings of one check, with what it read: `dirs` {input as named
    to allocsel-link: its compile directory}, `names` {an input's name: how
    messages name it instead (editor_name)}, `base` the database's
    directory."""

    def __init__(self, findings, dirs, names, base):
        self.findings, self.dirs, self.names, self.base = findings, dirs, names, base
        self.names_re = re.compile("(?:%s)(?![0-9])" % "|".join(
            re.escape(n) for n in sorted(names, key=len, reverse=True))) if names else None

    def named(self, text):
        """allocsel-link's text with the editor's files for its records."""
        return self.names_re.sub(lambda m: self.names[m.group(0)], text) if self.names_re else text

    def resolve(self, loc, artifact):
        """(file, line, column) of a location a finding gives; relative
        files against the directory of the input that reported it."""
        if not loc or not loc.get("file"):
            return None
        f = loc["file"]
        if not os.path.isabs(f):
            obj = re.sub(r"\(.*\)$", "", artifact or "")
            f = os.path.join(self.dirs.get(obj, self.base), f)
        return os.path.normpath(f), int(loc.get("line") or 1), int(loc.get("column") or 1)

    def places(self):
        """Every (file, line) the findings name: the lines to read first."""
        return [p[:2] for fd in self.findings
                for p in [self.resolve(fd.get("location"), fd.get("artifact"))] +
                [self.resolve(n.get("location"), n.get("artifact")) for n in fd.get("notes", [])]
                if p]

    def unplaced(self):
        """What the findings say that no source location carries (an input
        the check did not read, allocsel-bad-input): one line each, naming
        the file ("allocsel-link: FILE: MESSAGE [NAME]"), for the user to be
        told some other way than in a file."""
        return ["allocsel-link: %s: %s [%s]" % (self.named(fd.get("artifact") or "?"),
                                                self.named(fd.get("message", "")),
                                                fd.get("name", "allocsel-link"))
                for fd in self.findings
                if self.resolve(fd.get("location"), fd.get("artifact")) is None
                and not any(self.resolve(n.get("location"), n.get("artifact"))
                            for n in fd.get("notes", []))]

    def live(self, fd):
        """Whether a finding read an open file's record."""
        return self.names_re is not None and any(
            self.names_re.search(t or "") for t in
            [fd.get("message"), fd.get("artifact")] +
            [x for n in fd.get("notes", []) for x in (n.get("message"), n.get("artifact"))])

    def by_uri(self, is_open, location):
        """{uri: [LSP diagnostic]} for the open files (`is_open(uri)`).
        `location(file, line, column)` gives an LSP Location. One finding is
        one diagnostic in each open file it concerns: at its first place
        there (the error's location, else its first note's), with the rest
        as related information; a chain through one file is not one
        diagnostic per step."""
        per_uri = {}
        for fd in self.findings:
            name = fd.get("name", "allocsel-link")
            main = self.resolve(fd.get("location"), fd.get("artifact"))
            notes = [(self.resolve(n.get("location"), n.get("artifact")),
                      self.named(n.get("message", ""))) for n in fd.get("notes", [])]
            suffix = LIVE_LINK_SUFFIX if self.live(fd) else LINK_SUFFIX
            message = self.named(fd.get("message", ""))
            places = [main] if main else []
            places += [n for n, _ in notes if n and n not in places]
            related_all = ([(main, message)] if main else []) + [(n, m) for n, m in notes if n]
            extra = [m for n, m in notes if not n]
            shown = set()
            for i, (f, ln, col) in enumerate(places):
                uri = path_to_uri(f)
                if not is_open(uri) or uri in shown:
                    continue
                shown.add(uri)
                rel = [{"location": location(*p), "message": m + suffix}
                       for p, m in related_all if p != (f, ln, col)]
                msg = message
                if i > 0:
                    # The note's place: say what the finding is about.
                    note_msg = next((m for n, m in notes if n == (f, ln, col)), "")
                    msg = "%s; %s" % (note_msg, msg) if note_msg else msg
                if extra:
                    msg += "\n" + "\n".join(extra)
                d = {"range": location(f, ln, col)["range"], "severity": 1,
                     "source": "allocsel-link", "code": name,
                     "codeDescription": {"href": docs_href(name)}, "message": msg + suffix}
                if rel:
                    d["relatedInformation"] = rel
                per_uri.setdefault(uri, []).append(d)
        return per_uri
