-- The issue's front-end screen: the closing message echoes the candidate's name. A name pasted at
-- the message size limit (128 KiB) makes it longer than a message the server sends (16 KiB).
-- The email question's examples let check past its validation, to the finish line.
local name = ask("What is your name?", { id = "name" })
local email = ask("Which email address should we write to?", {
  id = "email",
  validate = function(a) return a:match("^%S+@%S+%.%S+$") ~= nil, "That does not look like an email address." end,
  examples = { "carol@example.com" },
})
finish("Thanks, " .. name .. "! We will write to " .. email .. " within a week.")
