-- Batch Markdown conversion for publisher: one pandoc process converts many documents.
-- Usage: pandoc lua convert.lua BATCH RESULTS
-- BATCH holds documents one after another, each as a header line "WRITER COLUMNS LENGTH"
-- (writer "html5" or "plain"; wrap width, 0 for no wrapping; length in bytes) and then its
-- LENGTH bytes of Markdown. RESULTS gets, per document in order, "LENGTH\n" and the converted
-- bytes: a reader knows how far the batch got. Each document is read on its own, exactly as
-- `pandoc --sandbox --wrap=none --syntax-highlighting=none` would, with no file access.
local batch = assert(io.open(arg[1], "rb"))
local data = batch:read("a")
batch:close()
local results = assert(io.open(arg[2], "wb"))
local position = 1
while position <= #data do
  local first, last, writer, columns, length = data:find("^(%S+) (%d+) (%d+)\n", position)
  assert(first, "malformed batch header at byte " .. position)
  columns, length = tonumber(columns), tonumber(length)
  local text = data:sub(last + 1, last + length)
  position = last + length + 1
  local doc = pandoc.read(text, "markdown", {}, {})  -- {}: a sandbox that may read no file
  local options = {wrap_text = "none", highlight_method = "none"}
  if columns > 0 then
    options = {wrap_text = "auto", columns = columns, highlight_method = "none"}
  end
  local converted = pandoc.write(doc, writer, options)
  if converted:sub(-1) ~= "\n" then
    converted = converted .. "\n"  -- the pandoc command ends its output with one newline
  end
  results:write(#converted, "\n", converted)
  results:flush()
end
results:close()
