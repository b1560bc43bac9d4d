"""Files a repository names, read within bounds and never blocking; the
memory files that carry unsaved text; child processes tied to the server."""

import os
import select
import signal
import stat
import time

from .config import PUMP
from .logs import log


# ---------------------------------------------------------------------------
# Files a repository names (a compile database, a response file, a #line
# directive, a build output): read only if regular, never more than their
# size at open nor than a bound, never blocking (a FIFO, /dev/zero).

# The bounds: a compile database of a large project is tens of megabytes.
MAX_COMPILE_DB = 512 << 20
MAX_RESPONSE_FILE = 16 << 20
MAX_SOURCE_FOR_COLUMNS = 64 << 20


# What one allocsel run may print (its diagnostics; more is cut off).
MAX_OUTPUT = 64 << 20


class NotReadable(OSError):
    pass


def memory_file(name, data):
    """A file descriptor of an in-memory file holding `data`, inheritable
    only through pass_fds, at offset 0."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def tied(argv, sig, preload=None):
    """`argv` started so that it gets `sig` when this server ends, however
    it ends (the pump's --tied: PR_SET_PDEATHSIG); with `preload`, that
    plugin preloaded into it (clangd.py, hosting())."""
    if not os.access(PUMP, os.X_OK):
        return argv
    return ([PUMP, "--tied", str(os.getpid()), str(int(sig))] +
            (["--preload", preload] if preload else []) + argv)


def read_output(p, timeout, limit):
    """(output, status) of a process writing to p.stdout: status None if it
    ran past `timeout` seconds or printed more than `limit` bytes (it is
    then killed, with its process group)."""
    deadline = time.monotonic() + timeout
    parts, have, status = [], 0, None
    fd = p.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or have > limit:
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            status = p.wait()
            break
        parts.append(chunk)
        have += len(chunk)
    if status is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        p.wait()
    p.stdout.close()
    return b"".join(parts)[:limit], status


def read_regular(path, limit):
    """The bytes of the regular file `path`, or NotReadable saying why: a
    FIFO, a device or a directory is refused before it is opened (opening
    some devices has effects) and again on the open descriptor (the path may
    have changed in between); a file larger than `limit` is refused whole."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise NotReadable(e.strerror or str(e))
    if not stat.S_ISREG(st.st_mode):
        raise NotReadable("not a regular file")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotReadable("not a regular file")
        if st.st_size > limit:
            raise NotReadable("%d bytes, more than the %d this server reads" % (st.st_size, limit))
        parts, left = [], st.st_size
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)
    finally:
        os.close(fd)


def read_lines(path, wanted, budget=None):
    """{line: text} of the 1-based lines `wanted` of a source file, {} if it
    cannot be read (read_regular's bounds). `budget`: [bytes] shared by
    every file read for one result (a finding may name many files), taken
    from as each is read; a file larger than what is left is not read."""
    budget = budget if budget is not None else [MAX_SOURCE_FOR_COLUMNS]
    try:
        data = read_regular(path, budget[0])
    except OSError as e:
        log("not reading", path, "for columns:", e)
        return {}
    budget[0] -= len(data)
    lines = data.decode("utf-8", errors="replace").split("\n")
    return {n: lines[n - 1].rstrip("\r") for n in wanted if 0 < n <= len(lines)}
