-- Neovim (0.7 and later) as the editor test's client: start the server
-- named by $SERVER for the buffer opened on the command line, wait for
-- allocsel's diagnostics, write what was received and what Neovim shows to
-- $OUT, quit.
local out = assert(os.getenv("OUT"))
local server = assert(os.getenv("SERVER"))
local received = {}
local default = vim.lsp.handlers["textDocument/publishDiagnostics"]

vim.cmd("filetype on")

local function run()
local client_id = vim.lsp.start_client({
  name = "allocsel-clangd",
  cmd = { server, "--background-index=false" }, -- no indexing of the standard library into ~/.cache
  root_dir = vim.fn.getcwd(),
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
      received[result.uri] = result.diagnostics
      return default(err, result, ctx, config)
    end,
  },
})
vim.lsp.buf_attach_client(0, client_id)
local uri = vim.uri_from_bufnr(0)

local function allocsel_shown()
  local n = 0
  for _, d in ipairs(vim.diagnostic.get(0)) do
    if d.source == "allocsel" then n = n + 1 end
  end
  return n
end
vim.wait(90000, function() return allocsel_shown() > 0 end, 100)

local f = assert(io.open(out, "w"))
local shown = vim.diagnostic.get(0)
f:write(string.format("shown %d\n", #shown))
for _, d in ipairs(shown) do
  f:write(string.format("shown %s %s %d:%d %s\n", d.source, d.code or "", d.lnum, d.col, d.message))
end
local diags = received[uri] or {}
f:write(string.format("received %d\n", #diags))
for _, d in ipairs(diags) do
  local r = d.range
  f:write(string.format("received %s %s %d:%d-%d:%d %s %s\n", d.source, d.code or "",
    r.start.line, r.start.character, r["end"].line, r["end"].character,
    (d.codeDescription or {}).href or "", d.message))
  for _, rel in ipairs(d.relatedInformation or {}) do
    local p = vim.fn.fnamemodify(vim.uri_to_fname(rel.location.uri), ":t")
    local s = rel.location.range.start
    f:write(string.format("related %s %d:%d %s\n", p, s.line, s.character, rel.message))
  end
end
f:write("done\n")
f:close()
vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
vim.cmd("qa!")
end

-- After the file of the command line is loaded.
vim.api.nvim_create_autocmd("VimEnter", { callback = run })
