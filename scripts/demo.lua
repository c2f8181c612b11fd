-- demo.lua: the interview `make run` starts. Two minutes, one of each kind of question.
section("Welcome")
say("Hi" .. (candidate.name ~= "" and (" " .. candidate.name) or "") .. "! This is a short demo interview.")

section("Experience")
local lang = choose("Which language do you use most?", { "C", "Python", "JavaScript", "Other" }, { id = "language" })
local years = ask_number("How many years have you worked with " .. lang .. "?",
  { min = 0, max = 60, id = "years", examples = { 3, "about 7 years" } })
score("experience", math.min(years, 10))
if years >= 5 then
  tag("senior")
end

local proud = ask("What is a piece of work you are proud of?", { id = "proud" })
-- A candidate may paste up to 128 KiB; a note holds at most 16 KiB.
note("Proud of: " .. proud:sub(1, 2000))

finish("Thanks! That is the end of the demo.")
