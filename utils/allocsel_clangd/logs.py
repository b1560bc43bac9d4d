"""The server's log (ALLOCSEL_CLANGD_LOG) and the notices the user must hear
about once."""

import threading
import time

from .config import setting

_log_file = None
if setting("ALLOCSEL_CLANGD_LOG"):
    _log_file = open(setting("ALLOCSEL_CLANGD_LOG"), "a", buffering=1)


def log(*parts):
    if _log_file:
        _log_file.write("%.3f %s\n" % (time.time(), " ".join(str(p) for p in parts)))


# What the user must hear about once (a compile database that cannot be
# read, flags dropped from it): logged, and shown by the server
# (Server.tell_notices) once per key.
notices = {}
notices_lock = threading.Lock()


def notice(key, message):
    log(message)
    with notices_lock:
        notices.setdefault(key, [message, False])
