-- The answers file stops before the interview does.
local lang = choose("Which language?", { "C", "Lua" })
local why = ask("Why " .. lang .. "?")
finish("Thanks!")
