"""LSP's framing: messages split across reads, several in one read, headers
in any case, and what is skipped (a missing or zero Content-Length) with
reading going on after it."""

import json
import os
import unittest

from allocsel_clangd import framing


class Framing(unittest.TestCase):
    def bodies(self, chunks):
        """The bodies a Reader gets from `chunks` written to a pipe."""
        r, w = os.pipe()
        try:
            for c in chunks:
                os.write(w, c)
            os.close(w)
            return [json.loads(m[start:]) for m, start in framing.Reader(r).messages()]
        finally:
            os.close(r)

    def test_split_across_reads_and_several_in_one(self):
        one = framing.encode_message({"jsonrpc": "2.0", "id": 1, "method": "a"})
        two = framing.encode_message({"jsonrpc": "2.0", "method": "b", "params": {"x": "\u00e9"}})
        data = one + two
        for cut in (7, len(one) - 3, len(one), len(one) + 20):
            got = self.bodies([data[:cut], data[cut:]])
            self.assertEqual([m["method"] for m in got], ["a", "b"], cut)

    def test_header_in_any_case_with_other_headers(self):
        body = b'{"jsonrpc":"2.0","method":"c"}'
        data = (b"content-LENGTH: %d\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n"
                % len(body)) + body
        self.assertEqual([m["method"] for m in self.bodies([data])], ["c"])

    def test_refused_headers_are_skipped(self):
        good = framing.encode_message({"jsonrpc": "2.0", "method": "d"})
        got = self.bodies([b"X-Nothing: 1\r\n\r\n", b"Content-Length: 0\r\n\r\n", good])
        self.assertEqual([m["method"] for m in got], ["d"])

    def test_frame_counts_bytes_not_characters(self):
        body = '{"m":"\u00e9"}'.encode("utf-8")
        self.assertEqual(framing.frame(body), b"Content-Length: %d\r\n\r\n" % len(body) + body)
