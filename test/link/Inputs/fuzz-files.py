"""Writes an input of allocsel-link-fuzz that lays out files (Fuzz.cpp):

    fuzz-files.py OUT IN [PART...]

IN becomes the file "in" (given to readFile, as on the command line); the
Nth PART becomes the file "fN" next to it: a path (a regular file with that
file's bytes), or :fifo, :zero (a symbolic link to /dev/zero), :dir or
:missing.
"""
import sys

SEPARATOR = b"\n#file#\n"
KINDS = {":fifo": 1, ":zero": 2, ":dir": 3, ":missing": 4}

out, first, parts = sys.argv[1], sys.argv[2], sys.argv[3:]
if len(parts) > 5:
    sys.exit("fuzz-files.py: at most 5 parts (f1 to f5)")
with open(first, "rb") as f:
    data = f.read()
for part in parts:
    if part in KINDS:
        data += SEPARATOR + bytes([KINDS[part]])
    else:
        with open(part, "rb") as f:
            data += SEPARATOR + b"\0" + f.read()
with open(out, "wb") as f:
    f.write(data)
