-- culture-fit.lua: a five-minute culture-fit questionnaire.
--
-- Each candidate gets four statements drawn from a bank with pick() (the draw is
-- fixed per interview, so a restart or a replay asks the same ones), rated on one
-- scale, and one open question drawn from a second bank. Scores are per trait,
-- 1-5 for each statement drawn about that trait; the open answer goes into notes.
section("Welcome")
say("Hi" .. (candidate.name ~= "" and (" " .. candidate.name) or "") .. "! This is a short questionnaire about how you like to work.")
say("There are no right answers. Go with your first instinct.")

local scale = { "Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree" }

-- reverse: agreeing counts against the trait.
local statements = {
  { id = "owns_mistakes",   trait = "ownership",     text = "When something I shipped breaks, I want to be the one who fixes it." },
  { id = "waits_for_specs", trait = "ownership",     text = "I prefer to wait for a complete specification before starting work.", reverse = true },
  { id = "asks_for_help",   trait = "collaboration", text = "I ask for help early rather than struggle alone." },
  { id = "solo_credit",     trait = "collaboration", text = "Work goes best when each person owns their part and nobody else touches it.", reverse = true },
  { id = "feedback",        trait = "growth",        text = "I actively look for feedback on my work." },
  { id = "new_tools",       trait = "growth",        text = "I enjoy picking up tools I have never used before." },
  { id = "direct",          trait = "candour",       text = "I would rather hear blunt criticism than polite vagueness." },
  { id = "disagree",        trait = "candour",       text = "I say so when I disagree with a decision, even with senior people in the room." },
}

local open_questions = {
  { id = "best_team",  text = "Describe the best team you have worked in. What made it work?" },
  { id = "changed_mind", text = "Tell us about a time you changed your mind because of a colleague." },
  { id = "bad_day",    text = "What does a frustrating workday look like for you?" },
}

section("Statements")
say("Four statements. For each, pick how much you agree.")
local totals = {}
for i, q in ipairs(pick(4, statements)) do
  local answer = choose(("%d of 4: %s"):format(i, q.text), scale, { id = q.id })
  local points
  for k, option in ipairs(scale) do
    if option == answer then
      points = k
    end
  end
  if q.reverse then
    points = 6 - points
  end
  totals[q.trait] = (totals[q.trait] or 0) + points
  score(q.trait, totals[q.trait])
end

section("In your words")
local open = pick(1, open_questions)[1]
local answer = ask(open.text, { id = open.id })
note(open.text .. " " .. answer:sub(1, 2000))

if (totals.collaboration or 0) >= 8 then
  tag("team-player")
end

finish("Thanks for your time! That is everything.")
