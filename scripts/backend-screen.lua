-- backend-screen.lua: first-round screen for a backend engineer. About fifteen minutes.
--
-- What the hiring team reads afterwards:
--   scores  experience (0-10), fundamentals (0-3), design (0-4), operations (0-3)
--   tags    senior, junior, no-production-experience, strong-fundamentals,
--           on-call-ready, needs-visa, remote-only, low-effort-answers
--   notes   stack summary, the design answer, the incident story, logistics
--   answers every question with an id, for the side-by-side view
--
-- The two fundamentals questions are drawn with pick() from a bank; the draw is
-- fixed per interview, so a restart or a replay asks the same two.

local name = candidate.name ~= "" and candidate.name or nil

-- Open answers shorter than this many words are asked again (twice at most).
local function at_least(words)
  return function(answer)
    local n = 0
    for _ in answer:gmatch("%S+") do n = n + 1 end
    if n >= words then return true end
    return false, ("Could you say a bit more? A few sentences (%d words or more) is plenty."):format(words)
  end
end

-- Asks for a real answer; after two short ones, keeps what it got and flags it.
-- example: a good answer, which `interviewd check` makes sure is taken.
local function open_question(text, id, words, example)
  return ask(text, {
    id = id,
    examples = { example },
    validate = at_least(words or 12),
    retries = 2,
    on_give_up = function(last)
      tag("low-effort-answers")
      return last
    end,
  })
end

-- Welcome --------------------------------------------------------------------
section("Welcome")
say("Hi" .. (name and (" " .. name) or "") .. ", thanks for applying for the backend engineer role!")
say("This is a written screen of about fifteen minutes: some background, two short technical " ..
    "questions, one design question and a few practical ones. Answer in your own words; " ..
    "there is no need to look anything up.")

-- Background -----------------------------------------------------------------
section("Background")
local lang = choose("Which language have you written the most production backend code in?",
  { "Go", "Java or Kotlin", "Python", "C or C++", "Rust", "Node.js", "Other" }, { id = "language" })
if lang == "Other" then
  lang = ask("Which one?", { id = "language_other" }):sub(1, 100) -- it goes into a note
end

local years = ask_number("How many years have you worked as a backend engineer, professionally?",
  { min = 0, max = 50, id = "years", examples = { 7, 1, 4 } })
score("experience", math.min(years, 10))
if years >= 6 then
  tag("senior")
elseif years < 2 then
  tag("junior")
end

local stores = choose("Which datastore do you know best?",
  { "PostgreSQL", "MySQL", "MongoDB", "Redis", "Cassandra or DynamoDB", "Something else" },
  { id = "datastore" })
note(("%s, %g years; knows %s best"):format(lang, years, stores))

local production = choose("Have you run a service you wrote in production, with real users?",
  { "Yes", "No" }, { id = "production" })
if production == "No" then
  tag("no-production-experience")
end

-- Fundamentals ----------------------------------------------------------------
section("Fundamentals")
local bank = {
  { id = "idempotency",
    text = "A client retries a POST /payments request after a timeout. How do you make sure " ..
           "the customer is charged once?",
    keywords = { "idempot", "key", "unique", "dedup" },
    example = "The client sends an idempotency key with each request, and the server stores it " ..
              "under a unique constraint, so a retry gets the first result back." },
  { id = "n_plus_one",
    text = "A page that lists 50 orders with their customers makes 51 database queries. " ..
           "What is going on, and how would you fix it?",
    keywords = { "n%+1", "join", "batch", "preload", "eager", " in " },
    example = "That is the N+1 query problem: one query for the orders and one per customer. " ..
              "Load the customers with a join or one batched query." },
  { id = "index",
    text = "A query filtering on (tenant_id, created_at) got slow as the table grew to 200 " ..
           "million rows. What do you check first, and what would you change?",
    keywords = { "index", "explain", "composite", "partition" },
    example = "I would run EXPLAIN to see whether it scans the table, then add a composite " ..
              "index on (tenant_id, created_at)." },
  { id = "cache",
    text = "You put a cache in front of a slow service and now users sometimes see stale " ..
           "data. What are your options?",
    keywords = { "ttl", "invalidat", "expir", "write%-through", "version" },
    example = "Set a TTL that matches how stale the data may be, and invalidate the entry on " ..
              "every write to the service." },
  { id = "queue",
    text = "A worker processes jobs from a queue and sometimes crashes halfway through a job. " ..
           "How do you make sure no job is lost or done twice?",
    keywords = { "ack", "idempot", "visibility", "retry", "outbox", "transaction" },
    example = "Acknowledge the job only once it is done, and make the work idempotent so that a " ..
              "retry after a crash does no harm." },
}

local fundamentals = 0
for i, q in ipairs(pick(2, bank)) do
  local answer = open_question(("Question %d of 2. %s"):format(i, q.text), q.id, nil, q.example)
  local lower = answer:lower()
  for _, word in ipairs(q.keywords) do
    if lower:find(word) then
      fundamentals = fundamentals + 1
      break
    end
  end
end
-- A rough signal for the human reviewer, not a verdict: one point per answer
-- that uses a key idea, plus one for production experience.
if production == "Yes" then fundamentals = fundamentals + 1 end
score("fundamentals", fundamentals)
if fundamentals == 3 then tag("strong-fundamentals") end

-- Design -----------------------------------------------------------------------
section("Design")
local design = open_question("Design question: sketch a URL shortener that serves 10,000 " ..
  "redirects a second. What are the main components, where is the data kept, and what " ..
  "breaks first as traffic grows?", "design", 30,
  "A load balancer in front of stateless app servers; codes come from a counter and are kept " ..
  "in a sharded key-value store with replicas, with a cache in front for hot links, since " ..
  "reads dominate. The database write path breaks first.")
note("Design answer: " .. design:sub(1, 600))
local design_points = 0
for _, idea in ipairs({ "cache", "shard", "replica", "load balanc", "hash" }) do
  if design:lower():find(idea, 1, true) then design_points = design_points + 1 end
end
score("design", math.min(design_points, 4))

-- Operations -------------------------------------------------------------------
section("Operations")
local operations = 0
if production == "Yes" then
  local oncall = choose("Have you been on call for a service?",
    { "Yes, regularly", "Occasionally", "Never" }, { id = "on_call" })
  if oncall == "Yes, regularly" then
    operations = operations + 2
    tag("on-call-ready")
  elseif oncall == "Occasionally" then
    operations = operations + 1
  end
  local story = open_question("Tell us about an incident you helped resolve: what broke, how " ..
    "you found the cause, and what changed afterwards.", "incident", 25,
    "A deploy doubled our p99 latency. Dashboards showed the connection pool running dry; we " ..
    "rolled back, found a missing index, added it, and wrote a postmortem with an alert on " ..
    "pool usage.")
  note("Incident: " .. story:sub(1, 600))
  if story:lower():find("postmortem", 1, true) or story:lower():find("post-mortem", 1, true) then
    operations = operations + 1
  end
else
  local learn = open_question("How would you find out why an endpoint you wrote became slow " ..
    "after a deploy?", "debugging", 15,
    "I would compare the logs and metrics from before and after the deploy, then profile the " ..
    "endpoint to find the call that got slow.")
  note("Debugging approach: " .. learn:sub(1, 600))
  if learn:lower():find("log") or learn:lower():find("metric") or learn:lower():find("profil") then
    operations = operations + 1
  end
end
score("operations", operations)

-- Logistics --------------------------------------------------------------------
section("Logistics")
local notice = ask_number("How many weeks' notice do you need to give?",
  { min = 0, max = 26, id = "notice_weeks", examples = { 4 } })
local where = choose("Where would you like to work from?",
  { "Office", "Hybrid", "Remote" }, { id = "location" })
if where == "Remote" then tag("remote-only") end
local visa = choose("Will you need visa sponsorship to work with us?",
  { "Yes", "No", "Not sure" }, { id = "visa" })
if visa ~= "No" then tag("needs-visa") end
local salary = ask("What salary range are you looking for (and in which currency)?", {
  id = "salary",
  validate = function(a)
    if a:find("%d") then return true end
    return false, "Please include a number, e.g. \"90-100k EUR\"."
  end,
  retries = 1,
  on_give_up = "not given",
  examples = { "90-100k EUR", "about 80000 GBP" },
})
note(("Notice: %g weeks; location: %s; visa: %s; salary: %s"):format(notice, where, visa, salary))

finish("Thank you" .. (name and (", " .. name) or "") .. "! That is the end of the screen. " ..
  "An engineer on the team reads every answer, and we will get back to you within five working days.")
