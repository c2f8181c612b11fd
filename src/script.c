/* script: the Lua 5.4 host. See script.h; the only file that includes Lua.
 *
 * One lua_State per interview. The script sees a fresh environment table
 * built from whitelisted libraries (the linit.c approach: open what we keep,
 * copy it in, never expose the host's globals). The script API is a Lua
 * prelude, compiled below, on top of two host primitives: emit (append an
 * event to the current turn's output) and coroutine.yield, captured before the
 * coroutine library is hidden. The script body runs in one coroutine anchored
 * in the registry (OpenResty's coroutine-per-request): ask() emits its
 * question and yields, the next script_feed() resumes it with the answer.
 *
 * Limits follow Redis's script_lua.c: a count hook charges every
 * HOOK_STEP instructions to the feed's budget. Any limit that trips (budget,
 * memory cap, output bounds) sets s->kill, which is sticky: the hook is re-armed
 * to fire on every instruction and re-raises it, so pcall cannot swallow it,
 * and the feed fails with that code even if the script got as far as its next
 * ask. A failed state is closed at once; only the error survives. */
#include "script.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "log.h"
#include "text.h"

#define DEFAULT_BUDGET 20000000ULL
#define DEFAULT_MEMORY (32u * 1024 * 1024)
#define HOOK_STEP 1000
#define MAX_EVENTS 64
#define MAX_TEXT (16 * 1024)
#define MAX_CHOICES 32
#define MAX_CHOICE 256
#define MAX_PRINT 1024
#define MAX_PRINTS 64        /* print() lines per feed; later ones are dropped */
#define MAX_SCAN 256         /* globals compared for "did you mean" */
#define SCAN_COST 200        /* instructions charged per global compared */
#define MAX_SUGGEST 64   /* longest global name considered for "did you mean" */
#define MAX_WALK 64      /* stack levels searched for the script's line */
#define REPORT_HEADROOM (256 * 1024) /* lets an error at the cap still get a traceback */
#define PRELUDE_NAME "=[interviewd]"

enum state { ST_NEW, ST_WAITING, ST_FINISHED, ST_DEAD };

struct script {
	lua_State *L;
	lua_State *co; /* the conversation; anchored at co_ref */
	int co_ref;
	enum state state;
	char *source;       /* "@" chunkname: how the script's frames are recognised */
	char short_src[LUA_IDSIZE];
	char *interview_id; /* for print() */
	/* limits */
	size_t mem, mem_cap;
	bool mem_refused; /* the allocator said no since the last reset */
	bool reporting;   /* building an error report: allow REPORT_HEADROOM more */
	bool running;     /* inside lua_resume */
	uint64_t budget, used;
	int hook_step;
	unsigned feed_ms;         /* wall-clock limit of one feed */
	bool replaying;           /* recorded turns: no wall-clock limit */
	struct timespec deadline; /* this feed must end by then */
	bool timed_out;
	bool gc_retry;  /* one allocation refused: Lua's emergency GC retries it */
	unsigned prints; /* print() lines this feed */
	int kill; /* 0 or the SCRIPT_E* code that ends this feed */
	char kill_msg[160];
	/* the feed in progress */
	struct script_output *out;
	size_t ev_cap;
};

/* Yield markers: addresses scripts cannot forge. */
static char ask_mark, finish_mark;

/* ---- the prelude --------------------------------------------------------- */

static const char prelude[] =
	"-- The script API, run once per state before the script. P holds the host\n"
	"-- primitives; env is the script's environment. Everything is captured in\n"
	"-- locals so a script that reassigns a global cannot break the API.\n"
	"local P, env = ...\n"
	"local emit, yield, ASK, FINISH = P.emit, P.yield, P.ASK, P.FINISH\n"
	"local EV_SAY, EV_ASK, EV_END, EV_SCORE = P.EV_SAY, P.EV_ASK, P.EV_END, P.EV_SCORE\n"
	"local EV_NOTE, EV_TAG, EV_SECTION, EV_ANSWER = P.EV_NOTE, P.EV_TAG, P.EV_SECTION, P.EV_ANSWER\n"
	"local ASK_TEXT, ASK_CHOICE, ASK_NUMBER = P.ASK_TEXT, P.ASK_CHOICE, P.ASK_NUMBER\n"
	"local type, tostring, tonumber, error = env.type, env.tostring, env.tonumber, env.error\n"
	"local next, rawget, getmetatable = env.next, env.rawget, env.getmetatable\n"
	"local raw_pairs, raw_setmetatable = env.pairs, env.setmetatable\n"
	"local find, match, lower, sub, format = env.string.find, env.string.match, env.string.lower,\n"
	"\tenv.string.sub, env.string.format\n"
	"local concat, sort = env.table.concat, env.table.sort\n"
	"local random, tointeger, huge = env.math.random, env.math.tointeger, env.math.huge\n"
	"\n"
	"local DEFAULT_END = \"Thank you \\u{2014} this interview is complete.\"\n"
	"local DEFAULT_HINT = \"That answer does not fit. Please try again.\"\n"
	"\n"
	"local answers = {}\n"
	"local interview = { id = P.id }\n"
	"local candidate = { name = P.name }\n"
	"\n"
	"-- Argument checks raise at level 3: the script line calling the API function.\n"
	"local function text_arg(fname, v, what)\n"
	"\tlocal t = type(v)\n"
	"\tif t == \"string\" then return v end\n"
	"\tif t == \"number\" then return tostring(v) end\n"
	"\terror(format(\"%s: %s must be a string, got %s\", fname, what, t), 3)\n"
	"end\n"
	"\n"
	"local function name_arg(fname, v)\n"
	"\tif type(v) ~= \"string\" or v == \"\" then\n"
	"\t\terror(format(\"%s: name must be a non-empty string, got %s\", fname,\n"
	"\t\t\ttype(v) == \"string\" and \"an empty string\" or type(v)), 3)\n"
	"\tend\n"
	"\treturn v\n"
	"end\n"
	"\n"
	"local function opts_arg(fname, opts)\n"
	"\tif opts == nil then return {} end\n"
	"\tif type(opts) ~= \"table\" then error(fname .. \": options must be a table\", 3) end\n"
	"\tlocal id, validate, retries = opts.id, opts.validate, opts.retries\n"
	"\tif id ~= nil and (type(id) ~= \"string\" or id == \"\") then\n"
	"\t\terror(fname .. \": opts.id must be a non-empty string\", 3)\n"
	"\tend\n"
	"\tif validate ~= nil and type(validate) ~= \"function\" then\n"
	"\t\terror(fname .. \": opts.validate must be a function\", 3)\n"
	"\tend\n"
	"\tif retries ~= nil and (type(retries) ~= \"number\" or tointeger(retries) == nil or retries < 0) then\n"
	"\t\terror(fname .. \": opts.retries must be a whole number of at least 0\", 3)\n"
	"\tend\n"
	"\treturn opts\n"
	"end\n"
	"\n"
	"local function finite(x)\n"
	"\treturn type(x) == \"number\" and x == x and x ~= huge and x ~= -huge\n"
	"end\n"
	"\n"
	"local function fmt_num(x)\n"
	"\tlocal i = tointeger(x)\n"
	"\tif i then return tostring(i) end\n"
	"\treturn tostring(x)\n"
	"end\n"
	"\n"
	"local function trim(s)\n"
	"\treturn match(s, \"^%s*(.-)%s*$\")\n"
	"end\n"
	"\n"
	"-- API: statements ------------------------------------------------------------\n"
	"\n"
	"local function say(text) emit(EV_SAY, text_arg(\"say\", text, \"text\")) end\n"
	"local function note(text) emit(EV_NOTE, text_arg(\"note\", text, \"text\")) end\n"
	"local function tag(name) emit(EV_TAG, nil, name_arg(\"tag\", name)) end\n"
	"local function section(name) emit(EV_SECTION, nil, name_arg(\"section\", name)) end\n"
	"\n"
	"local function score(name, value)\n"
	"\tname_arg(\"score\", name)\n"
	"\tif not finite(value) then\n"
	"\t\terror(format(\"score: value must be a finite number, got %s\",\n"
	"\t\t\ttype(value) == \"number\" and tostring(value) or type(value)), 2)\n"
	"\tend\n"
	"\temit(EV_SCORE, nil, name, value)\n"
	"end\n"
	"\n"
	"-- The host never resumes after FINISH, so finish() inside pcall still ends it.\n"
	"local function finish(text)\n"
	"\tif text == nil then text = DEFAULT_END else text = text_arg(\"finish\", text, \"text\") end\n"
	"\temit(EV_END, text)\n"
	"\tyield(FINISH)\n"
	"\terror(\"the interview has finished\", 0)\n"
	"end\n"
	"\n"
	"-- API: questions -------------------------------------------------------------\n"
	"\n"
	"-- Every accepted answer emits EV_ANSWER, so the host can tell a question\n"
	"-- answered from one asked again whatever else the script emitted. Its name\n"
	"-- is the ask's id, or \"\" when there is nothing to record under one.\n"
	"local function accept(id, value)\n"
	"\tlocal name, text = \"\", nil\n"
	"\tif id ~= nil and value ~= nil then\n"
	"\t\tanswers[id] = value\n"
	"\t\tlocal t = type(value)\n"
	"\t\t-- tostring of a table would print an address: not deterministic.\n"
	"\t\tif t == \"string\" or t == \"number\" or t == \"boolean\" then\n"
	"\t\t\tname, text = id, tostring(value)\n"
	"\t\tend\n"
	"\tend\n"
	"\temit(EV_ANSWER, text, name)\n"
	"\treturn value\n"
	"end\n"
	"\n"
	"-- Asks until convert() (and opts.validate) accept an answer, re-asking with a\n"
	"-- hint each time, or until opts.retries re-asks are used up.\n"
	"local function converse(text, ask_type, choices, min, max, opts, convert, give_up)\n"
	"\tlocal validate, retries = opts.validate, opts.retries\n"
	"\tlocal misses = 0\n"
	"\twhile true do\n"
	"\t\temit(EV_ASK, text, nil, nil, ask_type, choices, min, max)\n"
	"\t\tlocal raw = yield(ASK)\n"
	"\t\tlocal value, hint = convert(raw)\n"
	"\t\tif value ~= nil and validate then\n"
	"\t\t\tlocal ok, why = validate(value)\n"
	"\t\t\tif not ok then\n"
	"\t\t\t\tvalue = nil\n"
	"\t\t\t\thint = (type(why) == \"string\" and why ~= \"\") and why or DEFAULT_HINT\n"
	"\t\t\tend\n"
	"\t\tend\n"
	"\t\tif value ~= nil then return accept(opts.id, value) end\n"
	"\t\tmisses = misses + 1\n"
	"\t\tif retries and misses > retries then\n"
	"\t\t\tlocal g = opts.on_give_up\n"
	"\t\t\tif type(g) == \"function\" then\n"
	"\t\t\t\tvalue = g(raw)\n"
	"\t\t\telseif g ~= nil then\n"
	"\t\t\t\tvalue = g\n"
	"\t\t\telse\n"
	"\t\t\t\tvalue = give_up(raw)\n"
	"\t\t\tend\n"
	"\t\t\treturn accept(opts.id, value)\n"
	"\t\tend\n"
	"\t\temit(EV_SAY, hint)\n"
	"\tend\n"
	"end\n"
	"\n"
	"local function identity(raw) return raw end\n"
	"local function none() return nil end\n"
	"\n"
	"local function ask(text, opts)\n"
	"\ttext = text_arg(\"ask\", text, \"question\")\n"
	"\topts = opts_arg(\"ask\", opts)\n"
	"\treturn converse(text, ASK_TEXT, nil, nil, nil, opts, identity, identity)\n"
	"end\n"
	"\n"
	"local function choose(text, options, opts)\n"
	"\ttext = text_arg(\"choose\", text, \"question\")\n"
	"\tif type(options) ~= \"table\" then error(\"choose: options must be a list of strings\", 2) end\n"
	"\tlocal list, n = {}, #options\n"
	"\tif n == 0 then error(\"choose: needs at least one option\", 2) end\n"
	"\tfor i = 1, n do list[i] = text_arg(\"choose\", options[i], \"option \" .. i) end\n"
	"\topts = opts_arg(\"choose\", opts)\n"
	"\tlocal hint = \"Please answer with one of: \" .. concat(list, \", \") .. \" (or its number).\"\n"
	"\tlocal function convert(raw)\n"
	"\t\tlocal t = lower(trim(raw))\n"
	"\t\tfor i = 1, n do\n"
	"\t\t\tif lower(trim(list[i])) == t then return list[i] end\n"
	"\t\tend\n"
	"\t\tlocal k = tointeger(tonumber(match(t, \"^%d+$\") or \"x\") or 0)\n"
	"\t\tif k and k >= 1 and k <= n then return list[k] end\n"
	"\t\treturn nil, hint\n"
	"\tend\n"
	"\treturn converse(text, ASK_CHOICE, list, nil, nil, opts, convert, none)\n"
	"end\n"
	"\n"
	"-- The first number anywhere in the answer: \"5 years\", \"about 3.5\", \"-2\", \".5\".\n"
	"local function parse_number(raw)\n"
	"\tlocal at, digits = match(raw, \"()(%d+%.?%d*)\")\n"
	"\tif not at then return nil end\n"
	"\tif at > 1 and sub(raw, at - 1, at - 1) == \".\" and not find(digits, \".\", 1, true) then\n"
	"\t\tdigits = \"0.\" .. digits\n"
	"\t\tat = at - 1\n"
	"\tend\n"
	"\tif at > 1 and sub(raw, at - 1, at - 1) == \"-\" and (at == 2 or find(sub(raw, at - 2, at - 2), \"[^%w]\")) then\n"
	"\t\tdigits = \"-\" .. digits\n"
	"\tend\n"
	"\tlocal x = tonumber(digits)\n"
	"\tif not finite(x) then return nil end\n"
	"\treturn tointeger(x) or x\n"
	"end\n"
	"\n"
	"local function ask_number(text, opts)\n"
	"\ttext = text_arg(\"ask_number\", text, \"question\")\n"
	"\topts = opts_arg(\"ask_number\", opts)\n"
	"\tlocal min, max = opts.min, opts.max\n"
	"\tif min ~= nil and not finite(min) then error(\"ask_number: opts.min must be a number\", 2) end\n"
	"\tif max ~= nil and not finite(max) then error(\"ask_number: opts.max must be a number\", 2) end\n"
	"\tif min and max and min > max then error(\"ask_number: opts.min is greater than opts.max\", 2) end\n"
	"\tlocal hint\n"
	"\tif min and max then\n"
	"\t\thint = format(\"Please answer with a number between %s and %s.\", fmt_num(min), fmt_num(max))\n"
	"\telseif min then\n"
	"\t\thint = format(\"Please answer with a number of at least %s.\", fmt_num(min))\n"
	"\telseif max then\n"
	"\t\thint = format(\"Please answer with a number of at most %s.\", fmt_num(max))\n"
	"\telse\n"
	"\t\thint = \"Please answer with a number.\"\n"
	"\tend\n"
	"\tlocal function convert(raw)\n"
	"\t\tlocal x = parse_number(raw)\n"
	"\t\tif x == nil or (min and x < min) or (max and x > max) then return nil, hint end\n"
	"\t\treturn x\n"
	"\tend\n"
	"\treturn converse(text, ASK_NUMBER, nil, min, max, opts, convert, none)\n"
	"end\n"
	"\n"
	"-- API: helpers ---------------------------------------------------------------\n"
	"\n"
	"-- n distinct items of list, drawn with the interview's seeded math.random.\n"
	"local function pick(n, list)\n"
	"\tif type(n) ~= \"number\" or tointeger(n) == nil or n < 0 then\n"
	"\t\terror(\"pick: n must be a whole number of at least 0\", 2)\n"
	"\tend\n"
	"\tif type(list) ~= \"table\" then error(\"pick: list must be a table\", 2) end\n"
	"\tlocal len, copy = #list, {}\n"
	"\tfor i = 1, len do copy[i] = list[i] end\n"
	"\tif n > len then n = len end\n"
	"\tlocal out = {}\n"
	"\tfor i = 1, n do\n"
	"\t\tlocal j = random(i, len)\n"
	"\t\tcopy[i], copy[j] = copy[j], copy[i]\n"
	"\t\tout[i] = copy[i]\n"
	"\tend\n"
	"\treturn out\n"
	"end\n"
	"\n"
	"-- Sandbox: pairs in a fixed key order. The state's string hash seed differs\n"
	"-- between runs, so raw next() order would break replay after a restart.\n"
	"local RANK = { number = 1, string = 2, boolean = 3 }\n"
	"local function key_less(a, b)\n"
	"\tlocal ta, tb = type(a), type(b)\n"
	"\tif ta ~= tb then return (RANK[ta] or 4) < (RANK[tb] or 4) end\n"
	"\tif ta == \"number\" or ta == \"string\" then return a < b end\n"
	"\tif ta == \"boolean\" then return b and not a end\n"
	"\treturn false\n"
	"end\n"
	"\n"
	"local function pairs(t)\n"
	"\tlocal mt = getmetatable(t)\n"
	"\tif type(mt) == \"table\" and rawget(mt, \"__pairs\") ~= nil then return raw_pairs(t) end\n"
	"\tif type(t) ~= \"table\" then\n"
	"\t\terror(format(\"bad argument #1 to 'pairs' (table expected, got %s)\", type(t)), 2)\n"
	"\tend\n"
	"\tlocal keys, n = {}, 0\n"
	"\tfor k in next, t do\n"
	"\t\tn = n + 1\n"
	"\t\tkeys[n] = k\n"
	"\tend\n"
	"\tsort(keys, key_less)\n"
	"\tlocal i = 0\n"
	"\treturn function()\n"
	"\t\twhile i < n do\n"
	"\t\t\ti = i + 1\n"
	"\t\t\tlocal k = keys[i]\n"
	"\t\t\tlocal v = rawget(t, k)\n"
	"\t\t\tif v ~= nil then return k, v end\n"
	"\t\tend\n"
	"\t\treturn nil\n"
	"\tend, t, nil\n"
	"end\n"
	"\n"
	"-- Finalizers would run at GC time, outside any turn and its limits.\n"
	"local function setmetatable(t, mt)\n"
	"\tif type(mt) == \"table\" and rawget(mt, \"__gc\") ~= nil then\n"
	"\t\terror(\"__gc metamethods are not allowed\", 2)\n"
	"\tend\n"
	"\treturn raw_setmetatable(t, mt)\n"
	"end\n"
	"\n"
	"local api = {\n"
	"\tsay = say, ask = ask, choose = choose, ask_number = ask_number, finish = finish,\n"
	"\tscore = score, note = note, tag = tag, section = section, pick = pick,\n"
	"\tanswers = answers, interview = interview, candidate = candidate,\n"
	"}\n"
	"for k, v in next, api do env[k] = v end\n"
	"env.iv = api\n"
	"env.pairs = pairs\n"
	"env.setmetatable = setmetatable\n"
	"\n"
	"-- The coroutine's body: the script, then the default ending.\n"
	"return function(body, opening)\n"
	"\tinterview.opening = opening\n"
	"\tbody(opening)\n"
	"\tfinish()\n"
	"end\n"
	;

/* ---- allocator, hook, kills ---------------------------------------------- */

static struct script *host_of(lua_State *L)
{
	void *ud;
	lua_getallocf(L, &ud);
	return ud;
}

/* Counts every byte the state holds; refuses growth past the cap. */
static void *host_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct script *s = ud;
	size_t old = ptr ? osize : 0;
	if (nsize == 0) {
		free(ptr);
		s->mem -= old;
		return NULL;
	}
	if (nsize > old) {
		size_t cap = s->mem_cap + (s->reporting ? REPORT_HEADROOM : 0);
		size_t grow = nsize - old;
		if (s->mem > cap || grow > cap - s->mem) {
			s->mem_refused = true;
			/* Lua answers a refusal with a full collection and asks again;
			 * only a second refusal in a row means the data is really live. */
			if (s->running && !s->kill && s->gc_retry)
				s->kill = SCRIPT_EMEMORY;
			s->gc_retry = true;
			return NULL;
		}
	}
	void *p = realloc(ptr, nsize);
	if (!p)
		return NULL;
	s->gc_retry = false;
	s->mem = s->mem - old + nsize;
	return p;
}

/* The stack level of the innermost frame running the script's own chunk (not
 * the prelude, not C), or -1. */
static int script_level(lua_State *L, const struct script *s, int from)
{
	lua_Debug ar;
	for (int level = from; level < from + MAX_WALK && lua_getstack(L, level, &ar); level++) {
		if (lua_getinfo(L, "S", &ar) && ar.source && strcmp(ar.source, s->source) == 0)
			return level;
	}
	return -1;
}

static int script_line(lua_State *L, const struct script *s, int from)
{
	lua_Debug ar;
	int level = script_level(L, s, from);
	if (level < 0 || !lua_getstack(L, level, &ar) || !lua_getinfo(L, "l", &ar))
		return 0;
	return ar.currentline > 0 ? ar.currentline : 0;
}

static void kill_message(const struct script *s, int code, char *buf, size_t size)
{
	switch (code) {
	case SCRIPT_EBUDGET:
		if (s->timed_out) {
			snprintf(buf, size,
				 "time limit exceeded (%u ms in one turn): the script ran too long "
				 "before its next question; is there a loop that never ends?",
				 s->feed_ms);
			break;
		}
		snprintf(buf, size,
			 "instruction budget exceeded (%llu instructions in one turn): the script "
			 "ran too long before its next question; is there a loop that never ends?",
			 (unsigned long long)s->budget);
		break;
	case SCRIPT_EMEMORY:
		snprintf(buf, size,
			 "memory cap exceeded (%zu MiB for one interview): the script keeps too "
			 "much data, such as a table or string that grows without end",
			 s->mem_cap >> 20);
		break;
	case SCRIPT_ENOMEM:
		snprintf(buf, size, "the host ran out of memory");
		break;
	default:
		snprintf(buf, size, "%s", s->kill_msg);
		break;
	}
}

/* Raises the kill as a Lua error positioned at the script's line. */
static int raise_kill(lua_State *L, struct script *s, int from)
{
	char msg[sizeof s->kill_msg + 64];
	int level = script_level(L, s, from);
	kill_message(s, s->kill, msg, sizeof msg);
	luaL_where(L, level < 0 ? from : level);
	lua_pushstring(L, msg);
	lua_concat(L, 2);
	return lua_error(L);
}

/* Makes the kill sticky: from now on every instruction raises it again. */
static int kill_now(lua_State *L, struct script *s, int code, int from)
{
	if (!s->kill)
		s->kill = code;
	lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
	return raise_kill(L, s, from);
}

static void host_hook(lua_State *L, lua_Debug *ar)
{
	struct script *s = host_of(L);
	if (!s->kill) {
		if (ar->event == LUA_HOOKCOUNT)
			s->used += (uint64_t)s->hook_step;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* The instruction count misses work inside C library calls (a sort
		 * of a huge table, a long string search); the clock does not. */
		s->timed_out = !s->replaying &&
			       (now.tv_sec > s->deadline.tv_sec ||
				(now.tv_sec == s->deadline.tv_sec && now.tv_nsec > s->deadline.tv_nsec));
		if (s->used < s->budget && !s->timed_out)
			return;
		s->kill = SCRIPT_EBUDGET;
	}
	/* Level 0 in a hook is the running Lua function itself. */
	kill_now(L, s, s->kill, 0);
}

/* ---- host primitives ----------------------------------------------------- */

static int limit_exceeded(lua_State *L, struct script *s, const char *fmt, ...)
	LOG_PRINTF(3, 4);
static int limit_exceeded(lua_State *L, struct script *s, const char *fmt, ...)
{
	if (!s->kill) {
		va_list ap;
		va_start(ap, fmt);
		s->kill = SCRIPT_ELIMIT;
		vsnprintf(s->kill_msg, sizeof s->kill_msg, fmt, ap);
		va_end(ap);
	}
	return kill_now(L, s, s->kill, 1);
}

/* Everything a script says goes into JSON text frames, where invalid UTF-8
 * would break the candidate's connection (RFC 6455): bad bytes become U+FFFD. */
static char *dup_bytes(const char *p, size_t len)
{
	return text_utf8_repair(p, len);
}

/* Longest prefix of at most max bytes that does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *t, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)t[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static void event_free(struct script_event *ev)
{
	free(ev->text);
	free(ev->name);
	for (size_t i = 0; i < ev->nchoices; i++)
		free(ev->choices[i]);
	free(ev->choices);
}

/* emit(kind, text, name, number, ask_type, choices, min, max): appends one
 * event to the feed's output. Checks every bound before allocating anything,
 * so a limit error leaks nothing. [-8, +0, e] */
static int host_emit(lua_State *L)
{
	struct script *s = host_of(L);
	struct script_output *out = s->out;
	lua_Integer kind = luaL_checkinteger(L, 1);
	size_t tlen = 0, nlen = 0, nchoices = 0;
	const char *text = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &tlen) : NULL;
	const char *name = lua_type(L, 3) == LUA_TSTRING ? lua_tolstring(L, 3, &nlen) : NULL;

	if (kind < SCRIPT_EV_SAY || kind > SCRIPT_EV_ANSWER)
		return luaL_error(L, "emit: bad event kind");
	if (!out)
		return luaL_error(L, "emit: no turn in progress");
	if (out->n >= MAX_EVENTS)
		return limit_exceeded(L, s, "more than %d messages in one turn", MAX_EVENTS);
	/* An answer echoes the candidate's text, which the script does not control. */
	if (text && kind == SCRIPT_EV_ANSWER)
		tlen = utf8_cut(text, tlen, MAX_TEXT);
	if (tlen > MAX_TEXT || nlen > MAX_TEXT)
		return limit_exceeded(L, s, "text too long (%zu bytes; limit %zu)",
				      tlen > nlen ? tlen : nlen, (size_t)MAX_TEXT);
	if (kind == SCRIPT_EV_ASK && lua_type(L, 6) == LUA_TTABLE) {
		nchoices = lua_rawlen(L, 6);
		if (nchoices > MAX_CHOICES)
			return limit_exceeded(L, s, "too many options (%zu; limit %zu)", nchoices,
					      (size_t)MAX_CHOICES);
		for (size_t i = 0; i < nchoices; i++) {
			size_t clen = 0;
			lua_rawgeti(L, 6, (lua_Integer)i + 1);
			lua_tolstring(L, -1, &clen);
			lua_pop(L, 1);
			if (clen > MAX_CHOICE)
				return limit_exceeded(L, s, "option too long (%zu bytes; limit %zu)",
						      clen, (size_t)MAX_CHOICE);
		}
	}

	if (out->n == s->ev_cap) {
		size_t cap = s->ev_cap ? s->ev_cap * 2 : 8;
		struct script_event *ev = realloc(out->events, cap * sizeof *ev);
		if (!ev)
			return kill_now(L, s, SCRIPT_ENOMEM, 1);
		out->events = ev;
		s->ev_cap = cap;
	}
	struct script_event ev = { .kind = (enum script_event_kind)kind };
	ev.line = script_line(L, s, 1);
	if (text && !(ev.text = dup_bytes(text, tlen)))
		goto nomem;
	if (name && !(ev.name = dup_bytes(name, nlen)))
		goto nomem;
	if (lua_type(L, 4) == LUA_TNUMBER)
		ev.number = lua_tonumber(L, 4);
	if (kind == SCRIPT_EV_ASK) {
		ev.ask_type = (enum script_ask_type)luaL_optinteger(L, 5, SCRIPT_ASK_TEXT);
		if (nchoices && !(ev.choices = calloc(nchoices, sizeof *ev.choices)))
			goto nomem;
		for (size_t i = 0; i < nchoices; i++) {
			size_t clen = 0;
			lua_rawgeti(L, 6, (lua_Integer)i + 1);
			const char *c = lua_tolstring(L, -1, &clen);
			ev.choices[i] = dup_bytes(c ? c : "", c ? clen : 0);
			lua_pop(L, 1);
			if (!ev.choices[i])
				goto nomem;
			ev.nchoices = i + 1;
		}
		if ((ev.has_min = lua_type(L, 7) == LUA_TNUMBER))
			ev.min = lua_tonumber(L, 7);
		if ((ev.has_max = lua_type(L, 8) == LUA_TNUMBER))
			ev.max = lua_tonumber(L, 8);
	}
	out->events[out->n++] = ev;
	return 0;
nomem:
	event_free(&ev);
	return kill_now(L, s, SCRIPT_ENOMEM, 1);
}

/* print(...): to the log, tagged with the interview: at most MAX_PRINTS lines
 * a feed, each cut to MAX_PRINT bytes with control characters escaped, so a
 * script (or a candidate's answer it prints) can neither flood the log nor
 * forge lines in it. [-n, +0, e] */
static int host_print(lua_State *L)
{
	struct script *s = host_of(L);
	if (s->prints >= MAX_PRINTS) {
		if (s->prints++ == MAX_PRINTS)
			log_info("script %s: more than %d print() lines in one turn; the rest are dropped",
				 s->interview_id, MAX_PRINTS);
		return 0;
	}
	s->prints++;
	int n = lua_gettop(L);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	size_t len;
	const char *line = lua_tolstring(L, -1, &len);
	char safe[MAX_PRINT * 4 + 4];
	size_t o = 0;
	for (size_t i = 0; i < len && i < MAX_PRINT; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(safe + o, sizeof safe - o, "\\x%02x", c);
		else
			safe[o++] = (char)c;
	}
	safe[o] = '\0';
	log_info("script %s: %s%s", s->interview_id, safe, len > MAX_PRINT ? "..." : "");
	return 0;
}

/* Optimal string alignment distance (a swap counts 1), names of <= MAX_SUGGEST. */
static int edit_distance(const char *a, size_t n, const char *b, size_t m)
{
	int d[MAX_SUGGEST + 1][MAX_SUGGEST + 1];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m];
}

/* __index of the script's environment: reading an undefined global is an
 * error naming it, with the nearest defined name when one is close. Ties go
 * to the alphabetically first so the message does not depend on hash order.
 * [-2, +0, e] */
static int host_undefined(lua_State *L)
{
	struct script *s = host_of(L);
	size_t len, best_len = 0;
	char best[MAX_SUGGEST + 1] = "";
	int best_d = INT_MAX;
	if (lua_type(L, 2) != LUA_TSTRING)
		return 0;
	const char *name = lua_tolstring(L, 2, &len);
	int max_d = len <= 3 ? 1 : 2;
	unsigned scanned = 0;
	lua_pushnil(L);
	while (len <= MAX_SUGGEST && lua_next(L, 1)) {
		lua_pop(L, 1);
		/* Charged to the budget, and given up past MAX_SCAN names (no hint
		 * then, rather than one that depends on hash order). */
		s->used += SCAN_COST;
		if (++scanned > MAX_SCAN) {
			lua_pop(L, 1);
			best_len = 0;
			break;
		}
		size_t klen;
		if (lua_type(L, -1) != LUA_TSTRING)
			continue;
		const char *k = lua_tolstring(L, -1, &klen);
		if (klen > MAX_SUGGEST || (klen > len ? klen - len : len - klen) > (size_t)max_d)
			continue;
		int d = edit_distance(name, len, k, klen);
		if (d <= max_d && (d < best_d || (d == best_d && strcmp(k, best) < 0))) {
			best_d = d;
			best_len = klen;
			memcpy(best, k, klen + 1);
		}
	}
	int level = script_level(L, s, 1);
	luaL_where(L, level < 0 ? 1 : level);
	if (best_len)
		lua_pushfstring(L, "undefined global '%s' (did you mean '%s'?)", name, best);
	else
		lua_pushfstring(L, "undefined global '%s'", name);
	lua_concat(L, 2);
	return lua_error(L);
}

/* ---- opening a state ----------------------------------------------------- */

/* Base functions scripts keep. Not: load, loadfile, dofile, collectgarbage,
 * require, warn (stderr), print (replaced: it logs). */
static const char *const base_keep[] = {
	"assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal",
	"rawget", "rawlen", "rawset", "select", "setmetatable", "tonumber", "tostring", "type",
	"xpcall", "_VERSION", NULL,
};

/* Libraries scripts get as env[name]; what each loses. */
static const struct {
	const char *name;
	lua_CFunction open;
	const char *drop;
} libs_keep[] = {
	{ "string", luaopen_string, "dump" },
	{ "table", luaopen_table, NULL },
	{ "math", luaopen_math, "randomseed" },
	{ "utf8", luaopen_utf8, NULL },
};

struct open_args {
	struct script *s;
	const char *src;
	size_t len;
	const struct script_env *env;
	bool syntax; /* the error on the stack is the script's syntax error */
};

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
	lua_pushinteger(L, v);
	lua_setfield(L, -2, k);
}

/* Builds the sandbox, runs the prelude, compiles the script and leaves the
 * coroutine ready to start. Runs under lua_pcall. [-1, +0, e] */
static int host_setup(lua_State *L)
{
	struct open_args *a = lua_touserdata(L, 1);
	struct script *s = a->s;
	const struct script_env *env = a->env;

	lua_newtable(L);
	int envi = lua_gettop(L);
	luaL_requiref(L, "_G", luaopen_base, 1);
	for (const char *const *n = base_keep; *n; n++) {
		lua_getfield(L, -1, *n);
		lua_setfield(L, envi, *n);
	}
	lua_pop(L, 1);
	lua_pushcfunction(L, host_print);
	lua_setfield(L, envi, "print");
	lua_pushvalue(L, envi);
	lua_setfield(L, envi, "_G");

	for (size_t i = 0; i < sizeof libs_keep / sizeof libs_keep[0]; i++) {
		luaL_requiref(L, libs_keep[i].name, libs_keep[i].open, 0);
		if (libs_keep[i].open == luaopen_math) {
			lua_getfield(L, -1, "randomseed");
			lua_pushinteger(L, (lua_Integer)env->seed);
			lua_call(L, 1, 0);
		}
		if (libs_keep[i].drop) {
			lua_pushnil(L);
			lua_setfield(L, -2, libs_keep[i].drop);
		}
		lua_setfield(L, envi, libs_keep[i].name);
	}

	/* The prelude gets the primitives; coroutine.yield is all it keeps of
	 * the coroutine library. */
	if (luaL_loadbufferx(L, prelude, sizeof prelude - 1, PRELUDE_NAME, "t") != LUA_OK)
		return lua_error(L);
	lua_newtable(L);
	lua_pushcfunction(L, host_emit);
	lua_setfield(L, -2, "emit");
	luaL_requiref(L, "coroutine", luaopen_coroutine, 0);
	lua_getfield(L, -1, "yield");
	lua_setfield(L, -3, "yield");
	lua_pop(L, 1);
	lua_pushlightuserdata(L, &ask_mark);
	lua_setfield(L, -2, "ASK");
	lua_pushlightuserdata(L, &finish_mark);
	lua_setfield(L, -2, "FINISH");
	set_int(L, "EV_SAY", SCRIPT_EV_SAY);
	set_int(L, "EV_ASK", SCRIPT_EV_ASK);
	set_int(L, "EV_END", SCRIPT_EV_END);
	set_int(L, "EV_SCORE", SCRIPT_EV_SCORE);
	set_int(L, "EV_NOTE", SCRIPT_EV_NOTE);
	set_int(L, "EV_TAG", SCRIPT_EV_TAG);
	set_int(L, "EV_SECTION", SCRIPT_EV_SECTION);
	set_int(L, "EV_ANSWER", SCRIPT_EV_ANSWER);
	set_int(L, "ASK_TEXT", SCRIPT_ASK_TEXT);
	set_int(L, "ASK_CHOICE", SCRIPT_ASK_CHOICE);
	set_int(L, "ASK_NUMBER", SCRIPT_ASK_NUMBER);
	lua_pushstring(L, env->interview_id ? env->interview_id : "");
	lua_setfield(L, -2, "id");
	lua_pushstring(L, env->candidate_name ? env->candidate_name : "");
	lua_setfield(L, -2, "name");
	lua_pushvalue(L, envi);
	lua_call(L, 2, 1); /* -> the coroutine's main function */

	/* Strict globals, and a metatable getmetatable(_G) does not reveal. */
	lua_newtable(L);
	lua_pushcfunction(L, host_undefined);
	lua_setfield(L, -2, "__index");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, envi);

	int st = luaL_loadbufferx(L, a->src, a->len, s->source, "t");
	if (st != LUA_OK) {
		a->syntax = st == LUA_ERRSYNTAX;
		return lua_error(L);
	}
	lua_pushvalue(L, envi);
	lua_setupvalue(L, -2, 1); /* _ENV */
	lua_Debug ar;
	lua_pushvalue(L, -1);
	lua_getinfo(L, ">S", &ar);
	snprintf(s->short_src, sizeof s->short_src, "%s", ar.short_src);

	s->co = lua_newthread(L);
	s->co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	if (!lua_checkstack(s->co, 4))
		return luaL_error(L, "not enough memory");
	lua_xmove(L, s->co, 2); /* main, chunk */
	return 0;
}

/* ---- errors -------------------------------------------------------------- */

static void error_set(struct script_error *e, int code, int line, const char *msg)
{
	e->code = code;
	e->line = line;
	snprintf(e->message, sizeof e->message, "%s", msg);
	snprintf(e->traceback, sizeof e->traceback, "%s", msg);
}

/* snprintf for messages that may be cut short on purpose. */
static void cut_printf(char *buf, size_t size, const char *fmt, ...) LOG_PRINTF(3, 4);
static void cut_printf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* The line a "chunk:LINE: ..." message names, or 0. */
static int message_line(const struct script *s, const char *msg)
{
	size_t n = strlen(s->short_src);
	if (!n || strncmp(msg, s->short_src, n) != 0 || msg[n] != ':' ||
	    !isdigit((unsigned char)msg[n + 1]))
		return 0;
	return atoi(msg + n + 1);
}

struct report_args {
	struct script *s;
	struct script_error *e;
	const char *msg;
};

/* Fills e->traceback from the coroutine's stack. Runs under lua_pcall since
 * luaL_traceback allocates. [-1, +0, m] */
static int host_traceback(lua_State *L)
{
	struct report_args *a = lua_touserdata(L, 1);
	luaL_traceback(L, a->s->co, a->msg, 0);
	snprintf(a->e->traceback, sizeof a->e->traceback, "%s", lua_tostring(L, -1));
	return 0;
}

/* Describes why the feed failed: the error object on the coroutine (if the
 * resume failed) or the kill (if the script got past it before it tripped). */
static void report(struct script *s, struct script_error *e, int code, bool has_obj)
{
	char msg[sizeof e->message];
	lua_State *co = s->co;
	int t = has_obj ? lua_type(co, -1) : LUA_TNONE;
	if (t == LUA_TSTRING)
		snprintf(msg, sizeof msg, "%s", lua_tostring(co, -1));
	else if (t == LUA_TNUMBER)
		snprintf(msg, sizeof msg, "%.14g", lua_tonumber(co, -1));
	else if (t != LUA_TNONE)
		snprintf(msg, sizeof msg, "(error object is a %s value)", luaL_typename(co, -1));
	int line = t == LUA_TSTRING ? message_line(s, msg) : 0;
	if (!line) {
		/* Say where, as Lua does for its own errors: a limit whose message
		 * was lost (caught, or Lua's bare "not enough memory"), a yield from
		 * inside C, an error object that is not a string. */
		char what[sizeof msg];
		if (code != SCRIPT_ERUNTIME)
			kill_message(s, code, what, sizeof what);
		else if (strstr(msg, "yield across a C-call boundary"))
			snprintf(what, sizeof what, "ask(), choose(), ask_number() and finish() cannot "
				 "run inside table.sort, string.gsub or a metamethod called from C");
		else
			snprintf(what, sizeof what, "%s", msg);
		line = script_line(co, s, 0);
		if (line)
			cut_printf(msg, sizeof msg, "%s:%d: %s", s->short_src, line, what);
		else
			cut_printf(msg, sizeof msg, "%s: %s", s->short_src, what);
	}
	error_set(e, code, line, msg);

	struct report_args a = { s, e, msg };
	s->reporting = true;
	lua_pushcfunction(s->L, host_traceback);
	lua_pushlightuserdata(s->L, &a);
	if (lua_pcall(s->L, 1, 0, 0) != LUA_OK)
		lua_pop(s->L, 1);
	s->reporting = false;
}

/* ---- public -------------------------------------------------------------- */

static void state_close(struct script *s)
{
	if (s->L)
		lua_close(s->L);
	s->L = NULL;
	s->co = NULL;
}

int script_open(struct script **out, const char *chunkname, const char *source, size_t len,
		const struct script_env *env, struct script_error *e)
{
	struct script_error dummy;
	struct script *s = NULL;
	int rc = SCRIPT_ENOMEM;
	if (!e)
		e = &dummy;
	memset(e, 0, sizeof *e);
	*out = NULL;

	s = calloc(1, sizeof *s);
	if (!s)
		goto nomem;
	s->mem_cap = env->limits.memory ? env->limits.memory : DEFAULT_MEMORY;
	s->budget = env->limits.instructions ? env->limits.instructions : DEFAULT_BUDGET;
	s->hook_step = s->budget < HOOK_STEP ? (int)s->budget : HOOK_STEP;
	s->feed_ms = env->limits.milliseconds ? env->limits.milliseconds : 2000;
	s->co_ref = LUA_NOREF;
	s->interview_id = strdup(env->interview_id ? env->interview_id : "");
	s->source = malloc(strlen(chunkname) + 2);
	if (!s->interview_id || !s->source)
		goto nomem;
	s->source[0] = '@';
	strcpy(s->source + 1, chunkname);

	s->L = lua_newstate(host_alloc, s);
	if (!s->L && s->mem_refused) {
		char msg[sizeof e->message];
		snprintf(msg, sizeof msg, "%s: memory cap (%zu bytes) too small to open the script",
			 chunkname, s->mem_cap);
		error_set(e, rc, 0, msg);
		goto fail;
	}
	if (!s->L)
		goto nomem;
	struct open_args a = { .s = s, .src = source, .len = len, .env = env };
	lua_pushcfunction(s->L, host_setup);
	lua_pushlightuserdata(s->L, &a);
	int st = lua_pcall(s->L, 1, 0, 0);
	if (st != LUA_OK) {
		const char *m = lua_type(s->L, -1) == LUA_TSTRING ? lua_tostring(s->L, -1) : "?";
		char msg[sizeof e->message];
		if (a.syntax) {
			rc = SCRIPT_ESYNTAX;
			/* "attempt to load a binary chunk" names no file: add it. */
			if (strncmp(m, chunkname, strlen(chunkname)) != 0)
				snprintf(msg, sizeof msg, "%s: %s", chunkname, m);
			else
				snprintf(msg, sizeof msg, "%s", m);
			snprintf(s->short_src, sizeof s->short_src, "%s", chunkname);
			error_set(e, rc, message_line(s, msg), msg);
		} else if (st == LUA_ERRMEM || s->mem_refused) {
			snprintf(msg, sizeof msg, "%s: memory cap (%zu bytes) too small to open the script",
				 chunkname, s->mem_cap);
			error_set(e, rc, 0, msg);
		} else {
			rc = SCRIPT_ERUNTIME;
			snprintf(msg, sizeof msg, "%s: setting up the sandbox failed: %s", chunkname, m);
			error_set(e, rc, 0, msg);
		}
		goto fail;
	}
	*out = s;
	return 0;
nomem:
	error_set(e, rc, 0, "out of memory opening the script");
fail:
	if (s) {
		state_close(s);
		free(s->interview_id);
		free(s->source);
		free(s);
	}
	return rc;
}

struct push_args {
	const char *text;
	size_t len;
};

/* Pushes the candidate's message (any bytes). Under lua_pcall: the memory cap
 * may refuse it. [-1, +1, m] */
static int host_push_text(lua_State *L)
{
	struct push_args *a = lua_touserdata(L, 1);
	lua_pushlstring(L, a->text, a->len);
	return 1;
}

int script_feed(struct script *s, const char *text, size_t len, struct script_output *out,
		struct script_error *e)
{
	struct script_error dummy;
	if (!e)
		e = &dummy;
	memset(out, 0, sizeof *out);
	memset(e, 0, sizeof *e);
	if (s->state == ST_DEAD) {
		error_set(e, SCRIPT_EDEAD, 0, "the script failed earlier; rebuild the interview");
		return SCRIPT_EDEAD;
	}
	if (s->state == ST_FINISHED) {
		error_set(e, SCRIPT_EFINISHED, 0, "the interview has finished");
		return SCRIPT_EFINISHED;
	}

	lua_State *L = s->L, *co = s->co;
	int nres = 0, st, code;
	struct push_args pa = { text ? text : "", text ? len : 0 };
	s->out = out;
	s->ev_cap = 0;
	s->kill = 0;
	s->used = 0;
	s->mem_refused = false;
	s->gc_retry = false;
	s->timed_out = false;
	s->prints = 0;
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_sec += s->feed_ms / 1000;
	s->deadline.tv_nsec += (long)(s->feed_ms % 1000) * 1000000L;
	if (s->deadline.tv_nsec >= 1000000000L) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000L;
	}

	lua_pushcfunction(L, host_push_text);
	lua_pushlightuserdata(L, &pa);
	if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_checkstack(co, 1)) {
		lua_settop(L, 0);
		s->kill = SCRIPT_EMEMORY;
		code = SCRIPT_EMEMORY;
		report(s, e, code, false);
		goto failed;
	}
	lua_xmove(L, co, 1);

	/* Count events meter the budget; call events check the clock before
	 * each call, so a loop of long C calls (table.sort of a huge table)
	 * cannot outrun it between counts. */
	lua_sethook(co, host_hook, LUA_MASKCOUNT | LUA_MASKCALL, s->hook_step);
	s->running = true;
	st = lua_resume(co, L, s->state == ST_NEW ? 2 : 1, &nres);
	s->running = false;
	lua_sethook(co, NULL, 0, 0);

	if (st == LUA_YIELD && !s->kill) {
		void *mark = nres > 0 ? lua_touserdata(co, -nres) : NULL;
		lua_pop(co, nres);
		if (mark == &ask_mark || mark == &finish_mark) {
			s->out = NULL;
			if (mark == &ask_mark) {
				s->state = ST_WAITING;
			} else {
				s->state = ST_FINISHED;
				out->finished = true;
				state_close(s); /* nothing will run here again */
			}
			return 0;
		}
		st = LUA_ERRRUN;
		lua_pushliteral(co, "the script yielded outside ask()");
	}
	if (s->kill)
		code = s->kill;
	else if (st == LUA_ERRMEM)
		code = SCRIPT_EMEMORY;
	else
		code = SCRIPT_ERUNTIME;
	report(s, e, code, st != LUA_OK && st != LUA_YIELD);
failed:
	s->out = NULL;
	s->state = ST_DEAD;
	script_output_free(out);
	state_close(s);
	return code;
}

bool script_finished(const struct script *s)
{
	return s->state == ST_FINISHED;
}

size_t script_memory(const struct script *s)
{
	return s->mem;
}

void script_output_free(struct script_output *out)
{
	if (!out)
		return;
	for (size_t i = 0; i < out->n; i++)
		event_free(&out->events[i]);
	free(out->events);
	out->events = NULL;
	out->n = 0;
	out->finished = false;
}

void script_set_replaying(struct script *s, bool replaying)
{
	s->replaying = replaying;
}

void script_close(struct script *s)
{
	if (!s)
		return;
	state_close(s);
	free(s->interview_id);
	free(s->source);
	free(s);
}
