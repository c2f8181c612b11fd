-- A question bank: each interview draws two of six. The fifth has a typo
-- that the default draw (interview id 0000000000000000) never reaches.
local bank = {
  function() note("Team: " .. ask("Tell us about your team.")) end,
  function() note("Conflict: " .. ask("Tell us about a disagreement.")) end,
  function() note("Pride: " .. ask("What are you proud of?")) end,
  function() note("Learning: " .. ask("What did you learn last?")) end,
  function() nte("Failure: " .. ask("Tell us about a failure.")) end,
  function() note("Feedback: " .. ask("How do you give feedback?")) end,
}
for _, q in ipairs(pick(2, bank)) do q() end
finish("Thanks!")
