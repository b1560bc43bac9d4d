"""Damages the allocsel record in an object file, for the bad-input tests.

usage: patch-facts.py MODE IN OUT
  major     the record claims format 9 (an incompatible plugin)
  length    the record's length runs past the end of its section
  field     a field's size runs past the end of the record
  repeat    the unit field's tag becomes the producer's (a known field twice)
  minor     the record claims format 1.7, and its producer field has a tag
            that format 1.1 does not know (what a newer minor may add)
"""
import sys

mode, src, dst = sys.argv[1:4]
data = bytearray(open(src, "rb").read())
at = data.find(b"ASLF\x01")
if at < 0:
    sys.exit(f"{src}: no allocsel record")
if mode == "major":
    data[at + 4] = 9
elif mode == "length":
    data[at + 6:at + 10] = (0x7FFFFFF0).to_bytes(4, "little")
elif mode == "field":
    # The first field's size (ULEB128), far past the record's end.
    data[at + 11:at + 15] = bytes([0xFF, 0xFF, 0xFF, 0x0F])
elif mode == "repeat":
    # Header (10 bytes), producer tag and one-byte size, producer bytes: the
    # unit field's tag.
    data[at + 12 + data[at + 11]] = 1
elif mode == "minor":
    data[at + 5] = 7
    data[at + 10] = 0x63
else:
    sys.exit(f"unknown mode {mode}")
open(dst, "wb").write(data)
