-- The pick_bank.lua bank, played with try --id under the draw check reports
-- for it (000000000000000b): the draw that asks the question with the typo.
local bank = {
  function() note("Team: " .. ask("Tell us about your team."):sub(1, 500)) end,
  function() note("Conflict: " .. ask("Tell us about a disagreement."):sub(1, 500)) end,
  function() note("Pride: " .. ask("What are you proud of?"):sub(1, 500)) end,
  function() note("Learning: " .. ask("What did you learn last?"):sub(1, 500)) end,
  function() nte("Failure: " .. ask("Tell us about a failure."):sub(1, 500)) end,
  function() note("Feedback: " .. ask("How do you give feedback?"):sub(1, 500)) end,
}
for _, q in ipairs(pick(2, bank)) do q() end
finish("Thanks!")
