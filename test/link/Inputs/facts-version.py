"""Rewrites the allocsel records of a facts section (the bytes objcopy
--dump-section writes) as another minor version of the format would have
them, for the tests of the minor-version rule.

usage: facts-version.py MODE IN OUT
  older MINOR  every record claims format 1.MINOR, and loses the fields whose
               tags that version did not have (1.0: tags 1 to 7, 1.1: 8,
               1.2: 9, 1.3: 10): what a plugin of that version wrote
  newer MINOR  every record claims format 1.MINOR, and gains a field with a
               tag this allocsel does not know (what a newer minor may add),
               before its other fields
"""
import sys

LAST_TAG = {0: 7, 1: 8, 2: 9, 3: 10}
UNKNOWN_TAG = 0x63


def uleb(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def to_uleb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def records(data):
    at = 0
    while at < len(data):
        if data[at] == 0:
            at += 1
            continue
        assert data[at:at + 4] == b"ASLF", "not an allocsel record"
        length = int.from_bytes(data[at + 6:at + 10], "little")
        yield data[at + 4], data[at + 10:at + 10 + length]
        at += 10 + length


def fields(body):
    at = 0
    while at < len(body):
        tag = body[at]
        size, start = uleb(body, at + 1)
        yield tag, body[start:start + size]
        at = start + size


def main():
    mode, minor, src, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    out = bytearray()
    for major, body in records(open(src, "rb").read()):
        kept = bytearray()
        if mode == "newer":
            payload = b"added by a newer allocsel"
            kept += bytes([UNKNOWN_TAG]) + to_uleb(len(payload)) + payload
        for tag, payload in fields(body):
            if mode == "older" and tag > LAST_TAG[minor]:
                continue
            kept += bytes([tag]) + to_uleb(len(payload)) + payload
        out += b"ASLF" + bytes([major, minor]) + len(kept).to_bytes(4, "little") + kept
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
