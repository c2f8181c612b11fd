-- support-agent.lua: first-round screen for a customer-support agent. About ten minutes.
--
-- Results the team reads afterwards:
--   scores  empathy (0-4), process (0-4), availability (0-2)
--   tags    needs-training, multilingual, night-shift, strong-empathy
--   notes   experience summary, languages, the candidate's own story
section("Welcome")
local hello = candidate.name ~= "" and ("Hi " .. candidate.name .. "!") or "Hi!"
say(hello .. " Thanks for applying to join our support team.")
say("This takes about ten minutes. There are no trick questions: answer as you would on the job.")

section("Background")
local years = ask_number("How many years have you worked in customer support?",
  { min = 0, max = 50, id = "support_years", examples = { 0, 4, "about 3 years" } })
if years == 0 then
  tag("needs-training")
  local why = ask("No problem, everyone starts somewhere. What draws you to customer support?",
    { id = "motivation" })
  note("New to support. Motivation: " .. why:sub(1, 2000))
else
  local channel = choose("Which channel have you handled most?",
    { "Phone", "Email", "Live chat", "Social media" }, { id = "main_channel" })
  local tickets = ask_number("On a typical day, about how many tickets or calls did you handle?",
    { min = 0, max = 1000, id = "tickets_per_day", examples = { 80 } })
  note(("%d years in support, mostly %s, about %d contacts a day"):format(years, channel, tickets))
end

local languages = choose("Can you support customers in a language other than English?",
  { "No", "Yes, one", "Yes, two or more" }, { id = "languages" })
if languages ~= "No" then
  tag("multilingual")
  note("Languages: " .. ask("Which languages, and how fluent are you in each?", { id = "which_languages" }):sub(1, 2000))
end

section("Scenarios")
local empathy, process = 0, 0

local angry = choose("A customer writes, in capitals, that their order is late for the third time. What do you do first?", {
  "Acknowledge how frustrating this is and apologise",
  "Explain our shipping policy",
  "Pass it to a supervisor straight away",
}, { id = "angry_customer" })
if angry == "Acknowledge how frustrating this is and apologise" then
  empathy = empathy + 2
elseif angry == "Pass it to a supervisor straight away" then
  empathy = empathy + 1
end

local unknown = choose("A customer asks something you do not know the answer to. What do you do?", {
  "Say you will find out, ask a colleague or the docs, and follow up",
  "Give your best guess so they are not kept waiting",
  "Tell them it is not something support can help with",
}, { id = "unknown_answer" })
if unknown == "Say you will find out, ask a colleague or the docs, and follow up" then
  process = process + 2
end

local story = ask("Tell us about a time you turned an unhappy customer around. What happened, and what did you do?", {
  id = "turnaround",
  validate = function(answer)
    if #answer < 40 then
      return false, "Could you tell us a little more? Two or three sentences is perfect."
    end
    return true
  end,
  examples = {
    "A customer's refund had been lost twice. I listened, said sorry, and owned the ticket until the money arrived.",
    "The parcel was late again, so I found a courier who could bring it that same evening.",
  },
})
note("Turnaround story: " .. story:sub(1, 2000))
local lowered = story:lower()
for _, word in ipairs({ "listen", "sorry", "apolog", "understand" }) do
  if lowered:find(word, 1, true) then
    empathy = empathy + 1
    break
  end
end
for _, word in ipairs({ "follow", "ticket", "escalat", "document" }) do
  if lowered:find(word, 1, true) then
    process = process + 2
    break
  end
end
-- Nothing above can reach 5, but the cap keeps the documented range honest.
empathy = math.min(empathy, 4)
score("empathy", empathy)
score("process", math.min(process, 4))
if empathy >= 3 then
  tag("strong-empathy")
end

section("Availability")
local shift = choose("Which shifts could you work?", { "Days", "Evenings", "Nights", "Any shift" },
  { id = "shifts" })
if shift == "Nights" or shift == "Any shift" then
  tag("night-shift")
  score("availability", 2)
elseif shift == "Evenings" then
  score("availability", 1)
else
  score("availability", 0)
end

finish("Thank you! We read every answer ourselves and will get back to you within a week.")
