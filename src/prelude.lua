-- prelude.lua: the script API every interview script sees (say, ask, choose,
-- ask_number, finish, score, note, tag, section, pick, and the sandbox's pairs
-- and setmetatable), written in Lua on top of the host primitives in script.c.
-- The build embeds this file in script.c (build/gen/prelude.inc, one C line
-- per line here) and loads it as "=prelude.lua", so an error raised in this
-- file names prelude.lua:LINE. Plain Lua 5.4: `luac5.4 -p` checks it.

-- Runs once per state, before the script. P holds the host primitives; env is
-- the script's environment. Everything is captured in locals so a script that
-- reassigns a global cannot break the API.
local P, env = ...
local emit, yield, ASK, FINISH = P.emit, P.yield, P.ASK, P.FINISH
-- trim(s, nbsp): s without surrounding whitespace (with nbsp, U+00A0 too),
-- scanned in C: linear, and no instructions even for 128 KiB of spaces.
local trim = P.trim
-- The interview's pinned API level; script.h SCRIPT_API_LEVEL says what each
-- level changes. A recorded interview replays at the level it ran at.
local LEVEL = P.api_level
local EV_SAY, EV_ASK, EV_END, EV_SCORE = P.EV_SAY, P.EV_ASK, P.EV_END, P.EV_SCORE
local EV_NOTE, EV_TAG, EV_SECTION, EV_ANSWER = P.EV_NOTE, P.EV_TAG, P.EV_SECTION, P.EV_ANSWER
local ASK_TEXT, ASK_CHOICE, ASK_NUMBER = P.ASK_TEXT, P.ASK_CHOICE, P.ASK_NUMBER
local type, tostring, tonumber, error = env.type, env.tostring, env.tonumber, env.error
local next, rawget, getmetatable = env.next, env.rawget, env.getmetatable
local raw_pairs, raw_setmetatable = env.pairs, env.setmetatable
local find, match, lower, sub, format = env.string.find, env.string.match, env.string.lower,
	env.string.sub, env.string.format
local concat, sort = env.table.concat, env.table.sort
local random, tointeger, huge = env.math.random, env.math.tointeger, env.math.huge

local DEFAULT_END = "Thank you \u{2014} this interview is complete."
local DEFAULT_HINT = "That answer does not fit. Please try again."

local answers = {}
local interview = { id = P.id }
local candidate = { name = P.name }

-- Argument checks raise at level 3: the script line calling the API function.
local function text_arg(fname, v, what)
	local t = type(v)
	if t == "string" then return v end
	if t == "number" then return tostring(v) end
	error(format("%s: %s must be a string, got %s", fname, what, t), 3)
end

local function name_arg(fname, v)
	if type(v) ~= "string" or v == "" then
		error(format("%s: name must be a non-empty string, got %s", fname,
			type(v) == "string" and "an empty string" or type(v)), 3)
	end
	return v
end

local function opts_arg(fname, opts)
	if opts == nil then return {} end
	if type(opts) ~= "table" then error(fname .. ": options must be a table", 3) end
	local id, validate, retries = opts.id, opts.validate, opts.retries
	if id ~= nil and (type(id) ~= "string" or id == "") then
		error(fname .. ": opts.id must be a non-empty string", 3)
	end
	if validate ~= nil and type(validate) ~= "function" then
		error(fname .. ": opts.validate must be a function", 3)
	end
	if retries ~= nil and (type(retries) ~= "number" or tointeger(retries) == nil or retries < 0) then
		error(fname .. ": opts.retries must be a whole number of at least 0", 3)
	end
	if opts.raw ~= nil and type(opts.raw) ~= "boolean" then
		error(fname .. ": opts.raw must be true or false", 3)
	end
	return opts
end

-- opts.examples: answers `check` must try at this question, and reports when
-- the question refuses one. The server only carries them on the ask event.
-- Bounded like a message a script may send: MAX_EXAMPLES of MAX_EXAMPLE bytes.
local MAX_EXAMPLES, MAX_EXAMPLE = 32, 16 * 1024

local function finite(x)
	return type(x) == "number" and x == x and x ~= huge and x ~= -huge
end

local function fmt_num(x)
	local i = tointeger(x)
	if i then return tostring(i) end
	return tostring(x)
end

-- A checked copy of opts.examples (numbers as text when numbers is true), or
-- nil. A copy, so the list the host reads is one the script cannot change.
local function examples_arg(fname, list, numbers)
	if list == nil then return nil end
	local want = numbers and "a number or a string" or "a string"
	if type(list) ~= "table" then
		error(format("%s: opts.examples must be a list of answers, each %s", fname, want), 3)
	end
	local n = #list
	if n > MAX_EXAMPLES then
		error(format("%s: opts.examples holds %d answers; at most %d are allowed", fname, n,
			MAX_EXAMPLES), 3)
	end
	local out = {}
	for i = 1, n do
		local v = list[i]
		local t = type(v)
		if t == "number" and numbers and finite(v) then
			v = fmt_num(v)
		elseif t ~= "string" then
			error(format("%s: example %d must be %s, got %s", fname, i, want,
				t == "number" and ("the number " .. tostring(v)) or t), 3)
		end
		if v == "" then
			error(format("%s: example %d is empty; a candidate cannot send an empty answer",
				fname, i), 3)
		end
		if #v > MAX_EXAMPLE then
			error(format("%s: example %d is %d bytes long; at most %d (16 KiB) are allowed",
				fname, i, #v, MAX_EXAMPLE), 3)
		end
		out[i] = v
	end
	return out
end

-- API: statements ------------------------------------------------------------

local function say(text) emit(EV_SAY, text_arg("say", text, "text")) end
local function note(text) emit(EV_NOTE, text_arg("note", text, "text")) end
local function tag(name) emit(EV_TAG, nil, name_arg("tag", name)) end
local function section(name) emit(EV_SECTION, nil, name_arg("section", name)) end

local function score(name, value)
	name_arg("score", name)
	if not finite(value) then
		error(format("score: value must be a finite number, got %s",
			type(value) == "number" and tostring(value) or type(value)), 2)
	end
	emit(EV_SCORE, nil, name, value)
end

-- The host never resumes after FINISH, so finish() inside pcall still ends it.
local function finish(text)
	if text == nil then text = DEFAULT_END else text = text_arg("finish", text, "text") end
	emit(EV_END, text)
	yield(FINISH)
	error("the interview has finished", 0)
end

-- API: questions -------------------------------------------------------------

-- Every accepted answer emits EV_ANSWER, so the host can tell a question
-- answered from one asked again whatever else the script emitted. Its name
-- is the ask's id, or "" when there is nothing to record under one.
-- gave_up: value is what the question settled for when its retries ran out.
local function accept(id, value, gave_up)
	local name, text, number = "", nil, nil
	if id ~= nil and value ~= nil then
		answers[id] = value
		local t = type(value)
		-- tostring of a table would print an address: not deterministic.
		if t == "string" or t == "number" or t == "boolean" then
			name, text = id, tostring(value)
		end
		-- Level 2 records a number as a number (level 1: as its text).
		if t == "number" and LEVEL >= 2 and finite(value) then number = value end
	end
	emit(EV_ANSWER, text, name, number, gave_up or nil)
	return value
end

-- Asks until convert() (and opts.validate) accept an answer, re-asking with a
-- hint each time, or until opts.retries re-asks are used up.
local function converse(text, ask_type, choices, min, max, opts, convert, give_up, examples)
	local validate, retries = opts.validate, opts.retries
	local misses = 0
	while true do
		emit(EV_ASK, text, nil, nil, ask_type, choices, min, max, examples)
		local raw = yield(ASK)
		local value, hint = convert(raw)
		if value ~= nil and validate then
			local ok, why = validate(value)
			if not ok then
				value = nil
				hint = (type(why) == "string" and why ~= "") and why or DEFAULT_HINT
			end
		end
		if value ~= nil then return accept(opts.id, value) end
		misses = misses + 1
		if retries and misses > retries then
			local g = opts.on_give_up
			if type(g) == "function" then
				value = g(raw)
			elseif g ~= nil then
				value = g
			else
				value = give_up(raw)
			end
			return accept(opts.id, value, true)
		end
		emit(EV_SAY, hint)
	end
end

local function identity(raw) return raw end
local function trimmed(raw) return trim(raw, true) end
-- Level 1 trimmed only choose() answers, and only ASCII whitespace.
local NBSP = LEVEL >= 2
local function none() return nil end

local function ask(text, opts)
	text = text_arg("ask", text, "question")
	opts = opts_arg("ask", opts)
	local examples = examples_arg("ask", opts.examples, false)
	local convert = (opts.raw or LEVEL < 2) and identity or trimmed
	return converse(text, ASK_TEXT, nil, nil, nil, opts, convert, convert, examples)
end

local function choose(text, options, opts)
	text = text_arg("choose", text, "question")
	if type(options) ~= "table" then error("choose: options must be a list of strings", 2) end
	local list, n = {}, #options
	if n == 0 then error("choose: needs at least one option", 2) end
	for i = 1, n do list[i] = text_arg("choose", options[i], "option " .. i) end
	opts = opts_arg("choose", opts)
	if opts.examples ~= nil then
		error("choose: opts.examples is for ask and ask_number; check already tries every option", 2)
	end
	local hint = "Please answer with one of: " .. concat(list, ", ") .. " (or its number)."
	local function convert(raw)
		local t = lower(trim(raw, NBSP))
		for i = 1, n do
			if lower(trim(list[i], NBSP)) == t then return list[i] end
		end
		local k = tointeger(tonumber(match(t, "^%d+$") or "x") or 0)
		if k and k >= 1 and k <= n then return list[k] end
		return nil, hint
	end
	return converse(text, ASK_CHOICE, list, nil, nil, opts, convert, none)
end

-- The first number anywhere in the answer: "5 years", "about 3.5", "-2", ".5".
local function parse_number(raw)
	local at, digits = match(raw, "()(%d+%.?%d*)")
	if not at then return nil end
	if at > 1 and sub(raw, at - 1, at - 1) == "." and not find(digits, ".", 1, true) then
		digits = "0." .. digits
		at = at - 1
	end
	if at > 1 and sub(raw, at - 1, at - 1) == "-" and (at == 2 or find(sub(raw, at - 2, at - 2), "[^%w]")) then
		digits = "-" .. digits
	end
	local x = tonumber(digits)
	if not finite(x) then return nil end
	return tointeger(x) or x
end

local function ask_number(text, opts)
	text = text_arg("ask_number", text, "question")
	opts = opts_arg("ask_number", opts)
	local examples = examples_arg("ask_number", opts.examples, true)
	local min, max = opts.min, opts.max
	if min ~= nil and not finite(min) then error("ask_number: opts.min must be a number", 2) end
	if max ~= nil and not finite(max) then error("ask_number: opts.max must be a number", 2) end
	if min and max and min > max then error("ask_number: opts.min is greater than opts.max", 2) end
	local hint
	if min and max then
		hint = format("Please answer with a number between %s and %s.", fmt_num(min), fmt_num(max))
	elseif min then
		hint = format("Please answer with a number of at least %s.", fmt_num(min))
	elseif max then
		hint = format("Please answer with a number of at most %s.", fmt_num(max))
	else
		hint = "Please answer with a number."
	end
	local function convert(raw)
		local x = parse_number(raw)
		if x == nil or (min and x < min) or (max and x > max) then return nil, hint end
		return x
	end
	return converse(text, ASK_NUMBER, nil, min, max, opts, convert, none, examples)
end

-- API: helpers ---------------------------------------------------------------

-- n distinct items of list, drawn with the interview's seeded math.random.
local function pick(n, list)
	if type(n) ~= "number" or tointeger(n) == nil or n < 0 then
		error("pick: n must be a whole number of at least 0", 2)
	end
	if type(list) ~= "table" then error("pick: list must be a table", 2) end
	local len, copy = #list, {}
	for i = 1, len do copy[i] = list[i] end
	if n > len then n = len end
	local out = {}
	for i = 1, n do
		local j = random(i, len)
		copy[i], copy[j] = copy[j], copy[i]
		out[i] = copy[i]
	end
	return out
end

-- Sandbox: pairs in a fixed key order. The state's string hash seed differs
-- between runs, so raw next() order would break replay after a restart.
local RANK = { number = 1, string = 2, boolean = 3 }
local function key_less(a, b)
	local ta, tb = type(a), type(b)
	if ta ~= tb then return (RANK[ta] or 4) < (RANK[tb] or 4) end
	if ta == "number" or ta == "string" then return a < b end
	if ta == "boolean" then return b and not a end
	return false
end

local function pairs(t)
	local mt = getmetatable(t)
	if type(mt) == "table" and rawget(mt, "__pairs") ~= nil then return raw_pairs(t) end
	if type(t) ~= "table" then
		error(format("bad argument #1 to 'pairs' (table expected, got %s)", type(t)), 2)
	end
	local keys, n = {}, 0
	for k in next, t do
		n = n + 1
		keys[n] = k
	end
	sort(keys, key_less)
	local i = 0
	return function()
		while i < n do
			i = i + 1
			local k = keys[i]
			local v = rawget(t, k)
			if v ~= nil then return k, v end
		end
		return nil
	end, t, nil
end

-- Finalizers would run at GC time, outside any turn and its limits.
local function setmetatable(t, mt)
	if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
		error("__gc metamethods are not allowed", 2)
	end
	return raw_setmetatable(t, mt)
end

local api = {
	say = say, ask = ask, choose = choose, ask_number = ask_number, finish = finish,
	score = score, note = note, tag = tag, section = section, pick = pick,
	answers = answers, interview = interview, candidate = candidate,
}
for k, v in next, api do env[k] = v end
env.iv = api
env.pairs = pairs
env.setmetatable = setmetatable

-- The coroutine's body: the script, then the default ending.
return function(body, opening)
	interview.opening = opening
	body(opening)
	finish()
end
