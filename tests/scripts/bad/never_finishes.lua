-- Keeps asking: every answer leads to one more question.
say("Let's go.")
local n = 0
while true do
  n = n + 1
  choose("Question " .. n .. ": shall we go on?", { "Yes", "No" })
end
