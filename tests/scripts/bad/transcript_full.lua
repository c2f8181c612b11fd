-- Talks too much to ever finish: 62 messages and a question a turn. The server stops taking messages
-- once the transcript holds 5000 entries; check reports that limit, not a clean pass.
while true do
  for i = 1, 62 do say("and another thing") end
  ask("more?")
end
