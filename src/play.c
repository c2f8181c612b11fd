/* play: a script run as the engine runs it, and its printing. See play.h.
 *
 * The player keeps what the engine keeps (the transcript and the interview's
 * results, built by turn.c) plus what the commands ask about: the question
 * the script waits on, how many answers it took, and a hash of the
 * conversation so far. Lua, cJSON and LMDB stay behind script.h and proto.h. */
#include "play.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "token.h"

#define SHOW_TEXT_MAX 80 /* bytes of a message quoted in a report */

/* ---- memory and strings -------------------------------------------------- */

_Noreturn void play_oom(void)
{
	fprintf(stderr, "interviewd: out of memory\n");
	exit(2);
}

char *play_strdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		play_oom();
	return d;
}

void *play_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		play_oom();
	return q;
}

void play_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **dup_strv(char *const *v, size_t n)
{
	if (!n)
		return NULL;
	char **d = play_realloc(NULL, n * sizeof *d);
	for (size_t i = 0; i < n; i++)
		d[i] = play_strdup(v[i]);
	return d;
}

void play_strv_push(char ***v, size_t *n, const char *s)
{
	*v = play_realloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = play_strdup(s);
}

bool play_strv_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

bool play_str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* ---- reports ------------------------------------------------------------- */

void play_format_error(char *buf, size_t n, const char *chunk, const struct script_error *e)
{
	size_t cl = strlen(chunk);
	if (strncmp(e->message, chunk, cl) == 0 && e->message[cl] == ':')
		snprintf(buf, n, "%s", e->message);
	else if (e->line > 0)
		snprintf(buf, n, "%s:%d: %s", chunk, e->line, e->message);
	else
		snprintf(buf, n, "%s: %s", chunk, e->message);
}

void play_put_quoted(FILE *f, const char *s, size_t max)
{
	size_t len = strlen(s);
	size_t show = text_utf8_cut(s, len, max);
	fputc('"', f);
	for (size_t i = 0; i < show; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	if (show < len) {
		fprintf(f, "...\" (%zu characters)", len);
		return;
	}
	fputc('"', f);
}

void play_put_text(FILE *f, const char *s) { play_put_quoted(f, s, SHOW_TEXT_MAX); }

void play_put_turn(FILE *f, const struct proto_turn *t)
{
	if (t->role == PROTO_ROLE_CANDIDATE)
		fputs("candidate message ", f);
	else
		fprintf(f, "%s ", proto_kind_name(t->kind));
	play_put_text(f, t->text);
	if (t->nchoices) {
		fputs(" [", f);
		for (size_t i = 0; i < t->nchoices; i++)
			fprintf(f, "%s%s", i ? ", " : "", t->choices[i]);
		fputc(']', f);
	}
}

/* ---- the player ---------------------------------------------------------- */

static void ask_clear(struct play_ask *a)
{
	free(a->text);
	play_strv_free(a->choices, a->nchoices);
	play_strv_free(a->examples, a->nexamples);
	memset(a, 0, sizeof *a);
}

static void ask_copy(struct play_ask *a, const struct script_event *ev, size_t index)
{
	ask_clear(a);
	a->set = true;
	a->type = ev->ask_type;
	a->text = play_strdup(ev->text);
	a->choices = dup_strv(ev->choices, ev->nchoices);
	a->nchoices = ev->nchoices;
	a->examples = dup_strv(ev->examples, ev->nexamples);
	a->nexamples = ev->nexamples;
	a->has_min = ev->has_min;
	a->has_max = ev->has_max;
	a->min = ev->min;
	a->max = ev->max;
	a->line = ev->line;
	a->index = index;
}

void play_close(struct play *p)
{
	script_close(p->s);
	free(p->chunk);
	proto_interview_free(&p->iv);
	turn_log_free(&p->log);
	free(p->section);
	ask_clear(&p->pending);
	memset(p, 0, sizeof *p);
}

int play_open_level(struct play *p, const char *chunk, const char *src, size_t len,
		    const char *id, const char *candidate, int api_level)
{
	memset(p, 0, sizeof *p);
	p->chunk = play_strdup(chunk);
	p->iv.id = play_strdup(id);
	p->iv.candidate = play_strdup(candidate);
	p->iv.next_seq = 1;
	p->iv.api_level = api_level;
	p->conv = 0xcbf29ce484222325ULL;
	struct script_env env = {
		.interview_id = id,
		.candidate_name = candidate ? candidate : "",
		.seed = token_seed(id),
		.api_level = api_level,
	};
	int rc = script_open(&p->s, chunk, src, len, &env, &p->err);
	if (rc != 0)
		p->failed = true;
	return rc;
}

int play_open(struct play *p, const char *chunk, const char *src, size_t len, const char *id,
	      const char *candidate)
{
	return play_open_level(p, chunk, src, len, id, candidate, SCRIPT_API_LEVEL);
}

/* FNV-1a over s and its terminating NUL, so "ab","c" and "a","bc" differ. */
static uint64_t hash_str(uint64_t h, const char *s)
{
	const unsigned char *c = (const unsigned char *)(s ? s : "");
	do {
		h ^= *c;
		h *= 0x100000001b3ULL;
	} while (*c++);
	return h;
}

static uint64_t hash_turn(uint64_t h, enum proto_role role, enum proto_kind kind, const char *text)
{
	return hash_str(hash_str(hash_str(h, proto_role_name(role)), proto_kind_name(kind)), text);
}

uint64_t play_conv_after(const struct play *p, const char *text)
{
	return hash_turn(p->conv, PROTO_ROLE_CANDIDATE, PROTO_KIND_MESSAGE, text);
}

/* Adds t to the transcript and to the conversation's hash. */
static void play_record(struct play *p, struct turn *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct proto_turn *e = &t->v[i];
		p->conv = hash_turn(p->conv, e->role, e->kind, e->text);
		for (size_t k = 0; k < e->nchoices; k++)
			p->conv = hash_str(p->conv, e->choices[k]);
	}
	if (turn_log_append(&p->log, t) != 0)
		play_oom();
}

int play_feed(struct play *p, const char *text, struct play_fed *fi)
{
	struct script_output out = { 0 };
	struct turn t = { 0 };
	struct play_ask before = p->pending;
	memset(&p->pending, 0, sizeof p->pending);
	memset(fi, 0, sizeof *fi);
	int rc = SCRIPT_EDEAD;
	if (p->failed)
		goto out;
	if (turn_begin(&t, &p->iv, p->section, text, NULL, 0) != 0)
		play_oom();
	bool by_script = false;
	rc = turn_log_room(&p->log, strlen(text));
	if (rc == 0)
		by_script = (rc = script_feed(p->s, text, strlen(text), &out, &p->err)) != 0;
	if (rc == 0)
		rc = turn_apply(&t, &p->iv, &p->section, &out);
	if (rc == TURN_ENOMEM)
		play_oom();
	if (rc != 0) {
		if (!by_script) /* a limit refused the turn: say which, as the server does */
			turn_describe(&p->err, p->chunk, rc);
		p->failed = true;
		while (t.n > 1)
			proto_turn_free(&t.v[--t.n]);
		p->iv.next_seq = t.v[0].seq + 1; /* shown as sent */
		play_record(p, &t);
		goto out;
	}
	fi->first_bot = p->log.n + 1;
	fi->nbot = t.n - 1;
	play_record(p, &t);
	bool asked = false;
	for (size_t i = 0; i < out.n; i++) {
		const struct script_event *ev = &out.events[i];
		if (ev->kind == SCRIPT_EV_ASK) {
			ask_copy(&p->pending, ev, p->accepted);
			asked = true;
		} else if (ev->kind == SCRIPT_EV_ANSWER) {
			fi->accepted++;
			p->accepted++;
			fi->gave_up = fi->gave_up || ev->gave_up;
		}
	}
	p->finished = out.finished;
	/* Every answer taken emits ANSWER; an answer to a question that was not
	 * taken leaves the script in converse(), asking again (whatever else a
	 * validate function emitted on the way). */
	fi->reasked = p->feeds > 0 && before.set && !fi->accepted && !p->finished;
	if (!asked && !p->finished) {
		/* Waiting without a new question: still on the old one. */
		p->pending = before;
		memset(&before, 0, sizeof before);
	}
out:
	p->feeds++;
	ask_clear(&before);
	turn_free(&t);
	script_output_free(&out);
	return rc;
}

/* ---- printing a transcript and its results ------------------------------- */

void play_print_indented(FILE *f, const char *text, const char *indent)
{
	for (const char *s = text; *s; s++) {
		fputc(*s, f);
		if (*s == '\n')
			fputs(indent, f);
	}
}

void play_print_turns(FILE *f, const struct play *p, size_t from, const char *prev_section)
{
	const char *section = prev_section;
	for (size_t i = from; i < p->log.n; i++) {
		const struct proto_turn *t = &p->log.v[i];
		if (t->section && !play_str_eq(t->section, section))
			fprintf(f, "-- section: %s\n", t->section);
		section = t->section;
		fprintf(f, "%3" PRIu64 " %-9s %-7s ", t->seq, proto_role_name(t->role),
			proto_kind_name(t->kind));
		play_print_indented(f, t->text, "                      ");
		fputc('\n', f);
		for (size_t k = 0; k < t->nchoices; k++)
			fprintf(f, "                      %zu) %s\n", k + 1, t->choices[k]);
	}
}

void play_print_results(FILE *f, const struct proto_interview *iv)
{
	fprintf(f, "status: %s\n", proto_status_name(iv->status));
	fputs("answers:", f);
	fputs(iv->nanswers ? "\n" : " none\n", f);
	for (size_t i = 0; i < iv->nanswers; i++) {
		fprintf(f, "  %s = ", iv->answers[i].id);
		if (iv->answers[i].is_number)
			fputs(iv->answers[i].text, f); /* a number, as the record spells it */
		else
			play_put_quoted(f, iv->answers[i].text, SIZE_MAX);
		fputc('\n', f);
	}
	fputs("scores:", f);
	fputs(iv->nscores ? "\n" : " none\n", f);
	for (size_t i = 0; i < iv->nscores; i++)
		fprintf(f, "  %s = %.15g\n", iv->scores[i].name, iv->scores[i].value);
	fputs("notes:", f);
	fputs(iv->nnotes ? "\n" : " none\n", f);
	for (size_t i = 0; i < iv->nnotes; i++) {
		fputs("  - ", f);
		play_print_indented(f, iv->notes[i], "    ");
		fputc('\n', f);
	}
	fputs("tags:", f);
	for (size_t i = 0; i < iv->ntags; i++)
		fprintf(f, " %s", iv->tags[i]);
	fputs(iv->ntags ? "\n" : " none\n", f);
}

/* ---- command lines ------------------------------------------------------- */

bool play_is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int play_dir_option(int argc, char **argv, int i)
{
	if ((strcmp(argv[i], "--data") == 0 || strcmp(argv[i], "--scripts") == 0) && i + 1 < argc)
		return 2;
	if (strncmp(argv[i], "--data=", 7) == 0 || strncmp(argv[i], "--scripts=", 10) == 0)
		return 1;
	return 0;
}
