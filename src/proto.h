/* proto: every JSON text interviewd reads or writes, and nothing else.
 *
 * The only module that includes cJSON. It parses inbound WebSocket frames
 * (see README.md, "Protocol"), builds outbound frames, and encodes/decodes the
 * records the store keeps (turns, interviews, accounts) and what the CLI
 * prints with --json. Encoders return a new NUL-terminated string (free with
 * free()), or NULL when out of memory. Decoders fill caller structs whose
 * strings are new copies (free with the matching *_free). */
#ifndef INTERVIEWD_PROTO_H
#define INTERVIEWD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	PROTO_OK = 0,
	PROTO_EBAD = -1,     /* malformed: err names the problem */
	PROTO_ENOMEM = -2,
};

/* Inbound frame size limit (the reassembled message). */
#define PROTO_MAX_FRAME (128 * 1024)

enum proto_action { PROTO_ACTION_MESSAGE, PROTO_ACTION_HISTORY, PROTO_ACTION_UNKNOWN };

/* The protocol's words, as enums inside the program and as the strings below
 * on the wire and in the store. *_name returns a static string; *_parse sets
 * *out and returns 0, or PROTO_EBAD for a word it does not know. */
enum proto_role { PROTO_ROLE_CANDIDATE, PROTO_ROLE_BOT }; /* "candidate" "bot" */
const char *proto_role_name(enum proto_role r);
int proto_role_parse(const char *s, enum proto_role *out);

/* candidate: "message"; bot: "say" (a statement), "ask" (a question), "end"
 * (the closing message) */
enum proto_kind { PROTO_KIND_MESSAGE, PROTO_KIND_SAY, PROTO_KIND_ASK, PROTO_KIND_END };
const char *proto_kind_name(enum proto_kind k);
int proto_kind_parse(const char *s, enum proto_kind *out);

/* An interview: "new" (no message yet), "active", "finished", "closed" (ended
 * by the team before the script finished) */
enum proto_status { PROTO_STATUS_NEW, PROTO_STATUS_ACTIVE, PROTO_STATUS_FINISHED,
		    PROTO_STATUS_CLOSED };
const char *proto_status_name(enum proto_status s);
int proto_status_parse(const char *s, enum proto_status *out);

/* The "code" of an error frame (README.md, "Protocol"). */
enum proto_code {
	PROTO_CODE_BAD_REQUEST,        /* "bad_request" */
	PROTO_CODE_TOO_LARGE,          /* "too_large" */
	PROTO_CODE_UNKNOWN_ACTION,     /* "unknown_action" */
	PROTO_CODE_NOT_FOUND,          /* "not_found" */
	PROTO_CODE_INTERVIEW_FINISHED, /* "interview_finished" */
	PROTO_CODE_SCRIPT_ERROR,       /* "script_error" */
	PROTO_CODE_RATE_LIMITED,       /* "rate_limited" */
	PROTO_CODE_UNAVAILABLE,        /* "unavailable" */
};
const char *proto_code_name(enum proto_code c);

struct proto_request {
	enum proto_action action;
	char *action_name;   /* as sent; for "unknown action 'x'" */
	char *interview_id;  /* NULL if absent or not a string */
	char *message;       /* NULL if absent */
	size_t message_len;
	char *client_msg_id; /* optional: exactly-once delivery key */
};

/* Parses one inbound text frame. Returns 0 with req filled, or PROTO_EBAD
 * with err naming the problem ("not JSON", "field 'message' must be a
 * string", ...). On PROTO_EBAD, req->interview_id is still set when the frame
 * carried a string one, so the error frame can echo it. Checks: a JSON
 * object; action a string; for "message": interview_id and message strings,
 * message non-empty; for "history": interview_id a string; client_msg_id, when
 * present, a string of 1..128 characters. An unknown action parses fine with
 * action PROTO_ACTION_UNKNOWN. Always call proto_request_free. */
int proto_parse_request(const char *data, size_t len, struct proto_request *req, char *err,
			size_t errlen);
void proto_request_free(struct proto_request *req);

/* One transcript entry: a stored turn, a history item, a response frame. */
struct proto_turn {
	uint64_t seq;
	enum proto_role role;
	enum proto_kind kind;
	char *text;
	int64_t ts;          /* milliseconds since the epoch */
	char **choices;      /* ask from choose(); NULL/0 otherwise */
	size_t nchoices;
	char *section;       /* the script's section() at the time, or NULL */
	char *client_msg_id; /* candidate turns sent with one, or NULL */
};
void proto_turn_free(struct proto_turn *t);
char *proto_turn_encode(const struct proto_turn *t);
int proto_turn_decode(const char *data, size_t len, struct proto_turn *t);

/* Outbound frames. interview_id NULL encodes as JSON null. */
/* {"message":text,"type":"response","interview_id":…,"seq":…,"kind":…,
 *  "choices":[…] (ask with choices only),"done":true (last frame of a finished
 *  interview only)} */
char *proto_frame_response(const char *interview_id, const struct proto_turn *t, bool done);
/* The same, with "repeat":true appended when repeat is set (a reply sent
 * again for a client_msg_id the interview has already answered). */
char *proto_frame_response_ex(const char *interview_id, const struct proto_turn *t, bool done,
			      bool repeat);
/* {"message":…,"type":"error","interview_id":…,"code":proto_code_name(code)} */
char *proto_frame_error(const char *interview_id, enum proto_code code, const char *message);
/* {"type":"history","interview_id":…,"message":"","status":…,"messages":[…]} */
char *proto_frame_history(const char *interview_id, enum proto_status status,
			  const struct proto_turn *turns, size_t n);

/* The interview record. */
struct proto_score {
	char *name;
	double value;
};
/* An answer: text, or a number (written as a JSON number, for ask_number at
 * script API level 2). text is always set; for a number it is the number as
 * the record spells it (proto_number_text), so it compares and prints the
 * same whether it was just given or read back. */
struct proto_answer {
	char *id;
	char *text;
	bool is_number;
	double number; /* finite; when is_number */
};
/* x as a record spells it: the shortest %.15g..%.17g text that reads back as
 * exactly x ("7", "3.5", "0.30000000000000004"; -0 as "0"). Writes at most n
 * bytes; 32 always suffice. */
void proto_number_text(double x, char *buf, size_t n);
struct proto_interview {
	char *id;
	char *script;      /* script name, e.g. "demo" */
	char *script_hash; /* sha256 hex of the pinned source */
	char *candidate;   /* may be "" */
	enum proto_status status;
	int64_t created;   /* ms since the epoch */
	int64_t updated;
	uint64_t next_seq; /* seq of the next turn; turns are 1..next_seq-1 */
	int api_level;     /* "api_level": the script API level it runs at (script.h);
			    * a record without one decodes as 1; 0 encodes as 1 */
	struct proto_score *scores;
	size_t nscores;
	char **notes;
	size_t nnotes;
	char **tags;
	size_t ntags;
	struct proto_answer *answers;
	size_t nanswers;
	char *last_error;     /* "scripts/x.lua:12: …" of the last failed turn, or NULL */
	char *last_traceback; /* its traceback, or NULL */
};
void proto_interview_free(struct proto_interview *iv);
char *proto_interview_encode(const struct proto_interview *iv);
int proto_interview_decode(const char *data, size_t len, struct proto_interview *iv);

/* The token record: which interview a candidate token opens. hash is the
 * token's hash as lowercase hex, kept so a lookup by hash can be confirmed with
 * a constant-time compare. {"interview_id","role","created","hash"} */
struct proto_token {
	char *interview_id;
	char *role;      /* "candidate" */
	int64_t created; /* ms since the epoch */
	char *hash;
};
void proto_token_free(struct proto_token *t);
char *proto_token_encode(const struct proto_token *t);
int proto_token_decode(const char *data, size_t len, struct proto_token *t);

/* CLI --json outputs. */
/* {"interview_id","token","url","ws_url","script","candidate"} */
char *proto_cli_created(const char *interview_id, const char *token, const char *url,
			const char *ws_url, const char *script, const char *candidate);
/* The interview record with every field present, empty ones as {}, [] or
 * null ("scores", "answers", "notes", "tags", "last_error",
 * "last_traceback"), plus "messages" (turns so far) and
 * "transcript":[turns…]. */
char *proto_cli_show(const struct proto_interview *iv, const struct proto_turn *turns, size_t n);
/* [interviews…], each as proto_cli_show has it but without "transcript". */
char *proto_cli_list(const struct proto_interview *ivs, size_t n);

/* ---- accounts (account.c keeps these in the store) ---------------------- */

/* A team member: {"name","role","password_hash","epoch","created","updated"}.
 * password_hash is an Argon2id string; epoch is a random id that changes with
 * every password change, and a session is valid only under the epoch it was
 * opened in. role is "admin" | "interviewer". */
struct proto_user {
	char *name;
	char *role;
	char *password_hash;
	char *epoch;
	int64_t created; /* ms since the epoch */
	int64_t updated;
};
void proto_user_free(struct proto_user *u);
char *proto_user_encode(const struct proto_user *u);
int proto_user_decode(const char *data, size_t len, struct proto_user *u);

/* A signed-in session: {"user","epoch","hash","created","last_seen"}; hash is
 * the cookie's hash as lowercase hex (confirmed in constant time). */
struct proto_session {
	char *user;
	char *epoch;
	char *hash;
	int64_t created;
	int64_t last_seen;
};
void proto_session_free(struct proto_session *s);
char *proto_session_encode(const struct proto_session *s);
int proto_session_decode(const char *data, size_t len, struct proto_session *s);

/* An API key: {"label","role","hash","created"}; hash as for sessions. */
struct proto_apikey {
	char *label;
	char *role;
	char *hash;
	int64_t created;
};
void proto_apikey_free(struct proto_apikey *k);
char *proto_apikey_encode(const struct proto_apikey *k);
int proto_apikey_decode(const char *data, size_t len, struct proto_apikey *k);

/* Recent sign-in failures of one account name or client address, oldest
 * first: {"failures":[ms,…]}. A record with more than PROTO_FAILURES_MAX
 * entries does not decode. */
#define PROTO_FAILURES_MAX 32
struct proto_failures {
	int64_t at[PROTO_FAILURES_MAX];
	size_t n;
};
char *proto_failures_encode(const struct proto_failures *f);
int proto_failures_decode(const char *data, size_t len, struct proto_failures *f);

/* CLI --json outputs for accounts. None ever carries a stored hash. */
/* [{"name","role","created"}…] */
char *proto_cli_users(const struct proto_user *users, size_t n);
/* [{"label","role","created"}…] */
char *proto_cli_apikeys(const struct proto_apikey *keys, size_t n);
/* {"name","role","password"}; role and password are left out when NULL
 * (a password is shown only when it was generated) */
char *proto_cli_user_added(const char *name, const char *role, const char *password);
/* {"label","role","key"} */
char *proto_cli_apikey_added(const char *label, const char *role, const char *key);

/* ---- exports and summaries (export.c builds them) ------------------------ */

/* One line of a JSON Lines export: {"id","candidate","status","created",
 * "finished","answers":{…},"scores":{…},"tags":[…]}. "answers" has a key for
 * every id in answer_ids (null where this interview has none), "scores" one
 * for every name in score_names (null where it has none or it is not finite);
 * times are milliseconds since the epoch, "finished" null when ended < 0. No
 * newline at the end. */
char *proto_export_line(const struct proto_interview *iv, int64_t ended, char *const *answer_ids,
			size_t nanswer_ids, char *const *score_names, size_t nscore_names);

/* Where unfinished interviews stopped: the text of the last question asked. */
struct proto_dropoff {
	char *question;
	uint64_t count;
};
/* A script's interviews in numbers: how many, how many had a candidate
 * message, how many are in each status. */
struct proto_stats {
	uint64_t total, started;
	uint64_t status_new, status_active, status_finished, status_closed;
	struct proto_dropoff *dropoff; /* most common first */
	size_t ndropoff;
};
void proto_stats_free(struct proto_stats *s);
/* {"script","total","new","active","finished","closed","started",
 *  "dropoff":[{"question","count"}…]} */
char *proto_cli_stats(const char *script, const struct proto_stats *s);

/* ---- replay reports (replay --json) -------------------------------------- */

/* What replaying one recorded interview under an edited script changed.
 * Every pointer is borrowed: proto copies what it reads. */
struct proto_turn_change {
	uint64_t seq; /* the recorded turn's; for a turn only the replay has, its seq there */
	const struct proto_turn *recorded; /* NULL: only the replay has this turn */
	const struct proto_turn *replayed; /* NULL: the replay does not have it */
};
struct proto_score_change {
	const char *name;
	const double *old_value, *new_value; /* NULL: no such score */
};
struct proto_answer_change {
	const char *id;
	const struct proto_answer *old_answer, *new_answer; /* NULL: no such answer */
};
struct proto_results_change {
	const struct proto_score_change *scores;
	size_t nscores;
	const char *const *notes_added, *const *notes_removed;
	size_t nnotes_added, nnotes_removed;
	const char *const *tags_added, *const *tags_removed;
	size_t ntags_added, ntags_removed;
	const struct proto_answer_change *answers;
	size_t nanswers;
};
/* "same", "different" (turns or results changed), "failing" (the edited
 * script fails replaying it, or it could not be replayed) */
enum proto_replay_status { PROTO_REPLAY_SAME, PROTO_REPLAY_DIFFERENT, PROTO_REPLAY_FAILING };
const char *proto_replay_status_name(enum proto_replay_status s);
struct proto_replay_interview {
	const char *id;
	const char *candidate;
	enum proto_replay_status status;
	const struct proto_turn_change *turns;
	size_t nturns;
	struct proto_results_change results;
	const char *error; /* why it fails, or NULL */
};

/* One replay document, built an interview at a time so no replay has to be
 * kept for the next. NULL when out of memory; free with proto_replay_free. */
struct proto_replay;
struct proto_replay *proto_replay_new(void);
/* Adds iv (copied) to the document's interviews. PROTO_ENOMEM adds nothing. */
int proto_replay_add(struct proto_replay *r, const struct proto_replay_interview *iv);
/* {"script","file","error","interviews":[{"id","candidate","status",
 *  "turns":[{"seq","recorded","replayed"}],"results":{"scores":{NAME:{"old","new"}},
 *  "notes":{"added","removed"},"tags":{"added","removed"},"answers":{ID:{"old","new"}}},
 *  "error"}],"summary":{"same","different","failing"}}; recorded and replayed
 * are {"seq","role","kind","text","choices"} or null, old and new null when
 * absent; error (the script's own, or the interview's) null when none.
 * Returns a new string (free()), NULL when out of memory; r stays r's. */
char *proto_replay_encode(const struct proto_replay *r, const char *script, const char *file,
			  const char *error);
void proto_replay_free(struct proto_replay *r);


/* ---- HTTP API (api.c): request bodies and responses --------------------- */

/* One field api.c wants from a request body, by name. Every field is a JSON
 * string; a missing or null one leaves value NULL. */
struct proto_api_field {
	const char *name; /* in */
	char *value;      /* out: a new string, or NULL */
};

/* Parses a request body: one JSON object whose named fields, where present,
 * are strings (others are ignored). Returns 0, or PROTO_EBAD with err naming
 * the problem and *field the field at fault ("body" when it is the whole
 * text), or PROTO_ENOMEM. Always call proto_api_fields_free, which wipes each
 * value (a password may be among them) before freeing it. */
int proto_api_parse_fields(const char *data, size_t len, struct proto_api_field *fields,
			   size_t n, char *err, size_t errlen, const char **field);
void proto_api_fields_free(struct proto_api_field *fields, size_t n);

/* {"error":{"code","message"}}, plus "field" when field is not NULL. */
char *proto_api_error(const char *code, const char *message, const char *field);

/* Who is signed in: {"name","role"}, plus "apikey":true for an API key. */
char *proto_api_principal(const char *name, const char *role, bool apikey);

/* One script of the scripts directory. hash and error may be NULL (null). */
struct proto_api_script {
	const char *name;
	const char *hash;  /* sha256 hex of the current source */
	bool ok;           /* it compiles */
	const char *error; /* "scripts/NAME.lua:LINE: ..." when not ok */
};
/* [{"name","hash","ok","error"}...] */
char *proto_api_scripts(const struct proto_api_script *scripts, size_t n);

/* A new interview: {"id","interview_id","script","candidate","token","url",
 * "ws_url"} (interview_id as `interviewd new --json` names it). */
char *proto_api_created(const char *id, const char *script, const char *candidate,
			const char *token, const char *url, const char *ws_url);

/* One page of interviews: {"interviews":[ITEM...],"next_cursor":null|"..."};
 * ITEM is {"id","script","script_hash","candidate","status","created",
 * "updated","messages","scores":{},"tags":[]} (messages: turns so far). */
char *proto_api_interviews(const struct proto_interview *ivs, size_t n, const char *next_cursor);

/* One interview: the record as `interviewd show --json` prints it, with
 * "messages", and "scores", "answers", "notes", "tags", "last_error",
 * "last_traceback" always present (empty or null), plus "transcript". */
char *proto_api_interview(const struct proto_interview *iv, const struct proto_turn *turns,
			  size_t n);

/* ---- live view (GET /v1/watch) and the closing frame --------------------- */

/* One interview in a list: the ITEM of proto_api_interviews, alone (what
 * closing an interview answers). */
char *proto_api_interview_item(const struct proto_interview *iv);

/* Committed turns for a watcher: {"type":"turns","interview_id":…,
 * "message":"","status":…,"messages":[…]}, each message exactly a history
 * item (seq, role, kind, text, ts, and choices / section / client_msg_id
 * where they apply). */
char *proto_frame_turns(const char *interview_id, enum proto_status status,
			const struct proto_turn *turns, size_t n);

/* A change of one interview for watchers: {"type":"status","interview_id":…,
 * "message":"","event":…,"status":…,"script":…,"candidate":…}; event is
 * "created", "started", "finished", "closed", "erased" or "script_error". */
char *proto_frame_status(const char *interview_id, const char *event, enum proto_status status,
			 const char *script, const char *candidate);

/* What open candidate connections get when the team closes the interview:
 * {"message":"This interview has been closed.","type":"response",
 *  "interview_id":…,"kind":"end","done":true} (no seq: it is no turn). */
char *proto_frame_closed(const char *interview_id);

#endif
