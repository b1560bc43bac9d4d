"""The Lua docs/editors.md gives Neovim 0.7-0.9 users, as one script: the
one-client-per-project set-up and the open_float() format, in the page's
words, with the server named by $SERVER (and no background index, which
would write the standard library's index into the test's home)."""
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
start = text.index("Neovim 0.7–0.9")
blocks = re.findall(r"```lua\n(.*?)```", text[start:], re.S)
setup = next(b for b in blocks if "buf_attach_client" in b)
fmt = next(b for b in blocks if "vim.diagnostic.config" in b)
setup = setup.replace('cmd = { "allocsel-clangd" }',
                      'cmd = { os.getenv("SERVER"), "--background-index=false" }')
assert "os.getenv" in setup, "the page's start_client call changed"
print(setup + "\n" + fmt)
