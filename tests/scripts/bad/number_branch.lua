-- Fails only for 30 years or more: a table lookup runs off its end.
local levels = { "junior", "mid-level", "senior" }
local years = ask_number("How many years have you worked?", { min = 0, max = 50, id = "years" })
say("So you are " .. levels[years // 10 + 1] .. ".")
finish("Thanks!")
