-- A newcomer from JavaScript writes != for not-equal: check names the line and says what Lua writes.
local lang = choose("Which language do you use most?", { "C", "Python", "Other" })
if lang != "Other" then
  say("Nice, " .. lang .. " it is.")
end
