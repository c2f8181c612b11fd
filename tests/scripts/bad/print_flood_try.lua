-- A script that prints a candidate's answer, and prints far too much: a newline
-- cannot start a forged log line, and the log keeps 64 lines a turn.
local answer = ask("Say anything")
print("answer: " .. answer .. "\n2026-01-01T00:00:00.000Z INFO  forged")
for i = 1, 1000 do print("line " .. i) end
finish("ok")
