-- Batch Markdown conversion for publisher: one pandoc process converts many documents.
-- Usage: pandoc lua convert.lua LISTFILE
-- LISTFILE holds four lines per document: input path, output path, writer ("html5" or
-- "plain"), and the wrap width (0: no wrapping). Each document is read on its own, exactly as
-- `pandoc --sandbox --wrap=none --syntax-highlighting=none` would, with no file access.
local list = assert(io.open(arg[1], "r"))
while true do
  local input = list:read("l")
  if not input or input == "" then break end
  local output, writer, columns = list:read("l"), list:read("l"), tonumber(list:read("l"))
  local source = assert(io.open(input, "rb"))
  local text = source:read("a")
  source:close()
  local doc = pandoc.read(text, "markdown", {}, {})  -- {}: a sandbox that may read no file
  local options = {wrap_text = "none", highlight_method = "none"}
  if columns > 0 then
    options = {wrap_text = "auto", columns = columns, highlight_method = "none"}
  end
  local result = assert(io.open(output, "wb"))
  local converted = pandoc.write(doc, writer, options)
  if converted:sub(-1) ~= "\n" then
    converted = converted .. "\n"  -- the pandoc command ends its output with one newline
  end
  result:write(converted)
  result:close()
end
list:close()
