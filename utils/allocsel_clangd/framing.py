"""LSP's framing (Content-Length headers) and the channels to the editor and
clangd, direct or through the native pump."""

import json
import os
import re
import threading

from .logs import log


# ---------------------------------------------------------------------------
# LSP framing


HEADER_END = b"\r\n\r\n"
CONTENT_LENGTH_RE = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\d+)")
# What clangd refuses to read (a header with a longer Content-Length), and
# how much header text is looked through for its end. Both bounds are given
# to the native pump too (start_pump): one definition.
MAX_MESSAGE = 1 << 30
MAX_HEADER = 1 << 16


class Reader:
    """LSP messages from a file descriptor: Content-Length framing, partial
    reads, any size up to MAX_MESSAGE. Reads with os.read into its own
    buffer (fewer system calls and less Python than a buffered file's
    readline).

    Each message comes back whole, header included, so that one passed on
    unchanged is written exactly as it was read: the proxy's hot path (hover,
    completion, everything it does not look at) is a read, two substring
    tests and a write. A proxy's cost on a sub-millisecond request is the
    Python it runs after each wake-up, on cold caches (docs/performance.md).

    A header clangd would refuse (no Content-Length, a zero or a longer one
    than MAX_MESSAGE) is logged and skipped, as clangd skips it: reading goes
    on after it, and the bytes that follow are read as headers until the
    next one ends. Header text that does not end within MAX_HEADER bytes is
    dropped the same way. Nothing here allocates more than the bounds."""

    def __init__(self, fd, sender="the editor"):
        self.fd = fd
        self.sender = sender
        self.buf = b""

    def _chunk(self):
        try:
            return os.read(self.fd, 1 << 16)
        except OSError:
            return b""

    def refused(self, why):
        log("refused a message from %s: %s" % (self.sender, why))

    def read(self):
        """(message, body start) of the next message, None at EOF."""
        buf = self.buf or self._chunk()
        # The common case first: one whole message in one read, whose header
        # is only the Content-Length.
        end = buf.find(HEADER_END)
        if 16 < end <= 28 and buf.startswith(b"Content-Length: ") and buf[16:end].isdigit():
            stop = end + 4 + int(buf[16:end])
            if len(buf) == stop and stop > end + 4:
                self.buf = b""
                return buf, end + 4
        self.buf = buf
        while True:
            end = self.buf.find(HEADER_END)
            if end < 0:
                if len(self.buf) > MAX_HEADER:
                    self.refused("no end of header within %d bytes" % MAX_HEADER)
                    self.buf = self.buf[-(len(HEADER_END) - 1):]
                chunk = self._chunk()
                if not chunk:
                    return None
                self.buf += chunk
                continue
            if end > MAX_HEADER:
                self.refused("a header longer than %d bytes" % MAX_HEADER)
                self.buf = self.buf[end + len(HEADER_END):]
                continue
            # The last Content-Length counts (clangd's rule for duplicates).
            lengths = CONTENT_LENGTH_RE.findall(self.buf, 0, end)
            digits = lengths[-1].lstrip(b"0") if lengths else b""
            length = int(digits) if 0 < len(digits) <= 12 else 0
            if not lengths or length == 0 or length > MAX_MESSAGE:
                self.refused("Content-Length %s" % (
                    "missing" if not lengths else
                    "zero" if not digits else
                    "%s, more than %d" % (lengths[-1][:24].decode(), MAX_MESSAGE)))
                self.buf = self.buf[end + len(HEADER_END):]
                continue
            break
        start = end + 4
        stop = start + length
        if len(self.buf) < stop:
            parts, have = [self.buf], len(self.buf)
            while have < stop:  # a large message: join once, not per chunk
                chunk = self._chunk()
                if not chunk:
                    return None
                parts.append(chunk)
                have += len(chunk)
            self.buf = b"".join(parts)
        if len(self.buf) == stop:
            msg, self.buf = self.buf, b""
        else:
            msg, self.buf = self.buf[:stop], self.buf[stop:]
        return msg, start

    def messages(self):
        """Every (message, body start) until the end of input."""
        while True:
            got = self.read()
            if got is None:
                return
            yield got


def frame(body):
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def encode_body(msg):
    # A string that is not Unicode (a lone surrogate, which JSON's \\ud800
    # escape can make) is sent with "?" in its place: the body stays UTF-8,
    # and the thread that sends it never fails on it.
    return json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def encode_message(msg):
    return frame(encode_body(msg))


# A response from clangd starts with its id (llvm::json writes keys sorted).
RESPONSE_ID_RE = re.compile(rb'\{"id":(-?\d+|"(?:[^"\\]|\\.)*")')
# The editor's messages Server.from_editor looks at, by words their bodies
# contain: the rest (hover, completion, ...) reach clangd unparsed. A false
# match (a path or a text containing these words) only costs a parse. The
# native pump is given the same words.
EDITOR_WATCHED = (b"didOpen", b"didChange", b"didSave", b"didClose", b"codeAction",
                  b'"initialize"')
EDITOR_WATCHED_RE = re.compile(b"|".join(re.escape(w) for w in EDITOR_WATCHED))


class Channel:
    """A file descriptor written whole messages at a time, under a lock."""

    def __init__(self, fd):
        self.fd = fd
        self.lock = threading.Lock()
        self.broken = False

    def send(self, msg):
        self.send_raw(encode_message(msg))

    def send_raw(self, data):
        with self.lock:
            if self.broken:
                return
            try:
                n = os.write(self.fd, data)
                if n < len(data):
                    view = memoryview(data)[n:]
                    while view:
                        n = os.write(self.fd, view)
                        view = view[n:]
            except OSError:
                self.broken = True

    def close(self):
        with self.lock:
            if not self.broken:
                self.broken = True
                try:
                    os.close(self.fd)
                except OSError:
                    pass


class PumpedChannel:
    """Messages for the editor, through the pump (tag 'T')."""

    def __init__(self, to_pump):
        self.to_pump = to_pump

    def send(self, msg):
        self.to_pump.send_raw(frame(b"T" + encode_body(msg)))
