-- A question bank: each interview draws two of six (notes keep 500 bytes of an answer).
-- The fifth has a typo that the default draw (interview id 0000000000000000) never reaches.
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
