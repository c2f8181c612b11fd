/* proto: every JSON text interviewd reads or writes, and nothing else.
 *
 * The only module that includes cJSON. It parses inbound WebSocket frames
 * (see README.md, "Protocol"), builds outbound frames, and encodes/decodes the
 * records the store keeps (turns, interviews) and what the CLI prints with
 * --json. Encoders return a new NUL-terminated string (free with free()), or
 * NULL when out of memory. Decoders fill caller structs whose strings are new
 * copies (free with the matching *_free). */
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

/* An interview: "new" (no message yet), "active", "finished" */
enum proto_status { PROTO_STATUS_NEW, PROTO_STATUS_ACTIVE, PROTO_STATUS_FINISHED };
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
struct proto_answer {
	char *id;
	char *text;
};
struct proto_interview {
	char *id;
	char *script;      /* script name, e.g. "demo" */
	char *script_hash; /* sha256 hex of the pinned source */
	char *candidate;   /* may be "" */
	enum proto_status status;
	int64_t created;   /* ms since the epoch */
	int64_t updated;
	uint64_t next_seq; /* seq of the next turn; turns are 1..next_seq-1 */
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

#endif
