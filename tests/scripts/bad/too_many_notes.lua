-- Notes pile up without bound: 64,000 bytes a turn. The server refuses the turn that would take the
-- interview's results past 1 MiB (the 17th message), and try refuses the same one, in the same words.
while true do
  for i = 1, 4 do note(("n"):rep(16000)) end
  ask("more?")
end
