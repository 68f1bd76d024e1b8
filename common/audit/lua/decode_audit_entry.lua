-- Lua shared by the scripts that read the log: `decoded(row)` turns a log
-- row {id, {field, value, ...}} of either layout into words (at, sub, role,
-- scope, action, ...). The script defines `dictionary`, the key of the
-- dictionary's code -> word hash, before it.
local words = {}
local function word(c)
  local w = words[c]
  if not w then
    w = redis.call('HGET', dictionary, c) or ('?' .. c)
    words[c] = w
  end
  return w
end
local function decoded(row)
  local fields = row[2]
  if fields[1] ~= 'lag_ms' then return row end
  local id = row[1]
  local ms = tonumber(string.sub(id, 1, string.find(id, '-', 1, true) - 1))
  local plain = {}
  for i = 1, #fields - 1, 2 do
    local name, value = fields[i], fields[i + 1]
    if name == 'lag_ms' then
      plain[#plain + 1] = 'at'
      plain[#plain + 1] = string.format('%d', ms - tonumber(value))
    elseif string.sub(name, -5) == '_code' then
      plain[#plain + 1] = string.sub(name, 1, -6)
      plain[#plain + 1] = word(value)
    else
      plain[#plain + 1] = name
      plain[#plain + 1] = value
    end
  end
  return {id, plain}
end
