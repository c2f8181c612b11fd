-- A loop that never yields: the instruction budget must stop it.
local n = ask_number("Pick a number", { min = 1, max = 10 })
local i = 0
while i ~= n + 0.5 do
  i = i + 1
end
finish("done")
