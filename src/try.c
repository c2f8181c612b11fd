/* try: a script played in the terminal, or unattended. See try.h.
 *
 * Interactive play prints each bot message as the script says it; a play
 * from an answers file prints the whole transcript and the results at the
 * end, or the same as one JSON object. --watch plays the answers file again
 * at every save of either file (inotify on their folders, since editors save
 * by renaming a new file over the old one). */
#include "try.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "play.h"
#include "record.h"
#include "scriptdir.h"
#include "token.h"

/* ---- one play ------------------------------------------------------------ */

/* Reads one line without its newline; NULL at end of input. */
static char *read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static void print_bot_live(const struct play *p, size_t from)
{
	for (size_t i = from; i < p->log.n; i++) {
		const struct proto_turn *t = &p->log.v[i];
		if (t->role != PROTO_ROLE_BOT)
			continue;
		fputs("bot> ", stdout);
		play_print_indented(stdout, t->text, "     ");
		fputc('\n', stdout);
		for (size_t k = 0; k < t->nchoices; k++)
			printf("  %zu) %s\n", k + 1, t->choices[k]);
	}
}

static int try_interactive(struct play *p, FILE *in)
{
	printf("Playing %s. Press Enter to start (or type the candidate's first message); "
	       "end of input (Ctrl-D) stops.\n", p->chunk);
	while (!p->finished) {
		fputs("you> ", stdout);
		fflush(stdout);
		char *line = read_line(in);
		if (!line) {
			printf("\n(stopped before the end of the interview)\n");
			return 0;
		}
		if (!isatty(fileno(in)))
			printf("%s\n", line); /* piped input: show it as if typed */
		const char *text = line;
		if (p->feeds == 0 && !*line)
			text = PLAY_OPENING_MESSAGE;
		if (!*text) {
			printf("(the server does not accept empty messages; type an answer)\n");
			free(line);
			continue;
		}
		struct play_fed fi;
		size_t from = p->log.n;
		int rc = play_feed(p, text, &fi);
		free(line);
		if (rc != 0) {
			char msg[1024];
			play_format_error(msg, sizeof msg, p->chunk, &p->err);
			fprintf(stderr, "error: %s\n%s\n", msg, p->err.traceback);
			return 1;
		}
		print_bot_live(p, from);
	}
	printf("(the interview is over)\n");
	play_print_results(stdout, &p->iv);
	return 0;
}

static int try_answers(struct play *p, const char *answers_path, bool json, const char *hash)
{
	int rc = 1;
	char msg[1024];
	size_t lineno = 0, unused = 0;
	FILE *in = fopen(answers_path, "r");
	if (!in) {
		fprintf(stderr, "try: cannot open %s: %s\n", answers_path, strerror(errno));
		return 2;
	}
	msg[0] = '\0';
	char *line;
	while ((line = read_line(in))) {
		lineno++;
		if (p->finished) {
			unused++;
			free(line);
			continue;
		}
		if (!*line) {
			snprintf(msg, sizeof msg,
				 "%s:%zu: empty answer (the server does not accept empty messages)",
				 answers_path, lineno);
			free(line);
			goto done;
		}
		struct play_fed fi;
		int frc = play_feed(p, line, &fi);
		free(line);
		if (frc != 0) {
			play_format_error(msg, sizeof msg, p->chunk, &p->err);
			goto done;
		}
	}
	if (!p->finished) {
		if (p->feeds == 0)
			snprintf(msg, sizeof msg, "%s is empty: its first line is the candidate's opening "
				 "message", answers_path);
		else
			snprintf(msg, sizeof msg,
				 "answers ran out at seq %" PRIu64 ": the script is waiting for: %.300s",
				 p->iv.next_seq, p->pending.text ? p->pending.text : "(an answer)");
		goto done;
	}
	rc = 0;
done:
	if (json) {
		free(p->iv.script_hash);
		p->iv.script_hash = play_strdup(hash);
		if (msg[0]) {
			free(p->iv.last_error);
			p->iv.last_error = play_strdup(msg);
		}
		char *s = proto_cli_show(&p->iv, p->log.v, p->log.n);
		if (!s)
			play_oom();
		else
			printf("%s\n", s);
		free(s);
	} else {
		play_print_turns(stdout, p, 0, NULL);
		play_print_results(stdout, &p->iv);
		if (unused)
			printf("note: the interview finished with %zu answers left unused\n", unused);
	}
	if (msg[0]) {
		fprintf(stderr, "%s\n", msg);
		if (p->failed && p->err.traceback[0])
			fprintf(stderr, "%s\n", p->err.traceback);
	}
	fclose(in);
	return rc;
}

/* "scripts/demo.lua" -> "demo" */
static char *script_name_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *name = play_strdup(base);
	size_t n = strlen(name);
	if (n > 4 && strcmp(name + n - 4, ".lua") == 0)
		name[n - 4] = '\0';
	return name;
}

/* One play of FILE: unattended from answers when given, else interactive. */
static int try_once(const char *file, const char *answers, bool json, const char *id,
		    const char *candidate)
{
	char *src = NULL, *name = NULL;
	size_t len = 0;
	char err[1024], hash[TOKEN_DIGEST_HEX + 1];
	int rc = 1;
	struct play p;
	memset(&p, 0, sizeof p);
	if (scriptdir_read_file(file, file, &src, &len, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	token_digest_hex(src, len, hash);
	if (play_open(&p, file, src, len, id, candidate) != 0) {
		play_format_error(err, sizeof err, file, &p.err);
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	name = script_name_of(file);
	p.iv.script = play_strdup(name);
	if (answers)
		rc = try_answers(&p, answers, json, hash);
	else
		rc = try_interactive(&p, stdin);
out:
	play_close(&p);
	free(name);
	free(src);
	return rc;
}

/* ---- --watch ------------------------------------------------------------- */

/* The script and the answers file under watch. Their folders are watched, not
 * the files: editors save by writing a new file and renaming it over the old. */
struct watch {
	int fd;
	char *base[2];
};

static int watch_open(struct watch *w, const char *const paths[2])
{
	memset(w, 0, sizeof *w);
	w->fd = inotify_init1(IN_CLOEXEC);
	if (w->fd < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		char *d = play_strdup(paths[i]), *b = play_strdup(paths[i]);
		w->base[i] = play_strdup(basename(b));
		int wd = inotify_add_watch(w->fd, dirname(d), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
		free(d);
		free(b);
		if (wd < 0)
			return -1;
	}
	return 0;
}

static void watch_close(struct watch *w)
{
	for (int i = 0; i < 2; i++)
		free(w->base[i]);
	if (w->fd >= 0)
		close(w->fd);
}

/* Returns once either file was written, created or renamed into place (also
 * while the last play ran), after the burst of events one save makes has been
 * quiet for 100 ms. Returns -1 when the watch fails. */
static int watch_wait(struct watch *w)
{
	for (bool changed = false;;) {
		struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
		int ready = poll(&pfd, 1, changed ? 100 : -1);
		if (ready == 0)
			return 0;
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		_Alignas(struct inotify_event) char buf[4096];
		ssize_t n = read(w->fd, buf, sizeof buf);
		if (n < 0 && errno != EINTR)
			return -1;
		for (ssize_t off = 0; off < n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
			for (int i = 0; i < 2 && ev->len; i++)
				if (strcmp(ev->name, w->base[i]) == 0)
					changed = true;
			off += (ssize_t)(sizeof *ev + ev->len);
		}
	}
}

/* ---- the command --------------------------------------------------------- */

int try_cmd(int argc, char **argv)
{
	static const char usage[] =
		"usage: interviewd try FILE [--answers FILE [--watch]] [--json] [--candidate NAME] [--id ID]\n"
		"Plays the interview as the server would run it (same sandbox, limits and\n"
		"re-ask hints). Without --answers it is interactive: press Enter to start,\n"
		"then answer each question (a choice can be typed by its number).\n"
		"With --answers, one answer per line (the first line is the candidate's\n"
		"opening message), it runs unattended and prints the transcript and the\n"
		"results; exit 1 when the answers run out before the end or the script\n"
		"fails. --json prints the same as one JSON object.\n"
		"--watch (with --answers) plays it again every time the script or the\n"
		"answers file is saved, so the conversation is in view as you write it;\n"
		"Ctrl-C stops.\n"
		"--id ID plays it as interview ID (16 hex characters; default\n"
		"0000000000000000): pick() and math.random draw from it, so this replays\n"
		"a draw check reported.\n";
	const char *file = NULL, *answers = NULL, *candidate = "", *id = PLAY_ID;
	bool json = false, watch = false;
	for (int i = 1; i < argc; i++) {
		if (play_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--answers") == 0 && i + 1 < argc) {
			answers = argv[++i];
		} else if (strcmp(argv[i], "--candidate") == 0 && i + 1 < argc) {
			candidate = argv[++i];
		} else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc) {
			id = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--watch") == 0) {
			watch = true;
		} else if (play_dir_option(argc, argv, i)) {
			i += play_dir_option(argc, argv, i) - 1;
		} else if (argv[i][0] != '-' && !file) {
			file = argv[i];
		} else {
			fprintf(stderr, "try: %s %s\n%s",
				argv[i][0] == '-' ? "unknown option" : "unexpected argument", argv[i],
				usage);
			return 2;
		}
	}
	if (!file) {
		fputs(usage, stderr);
		return 2;
	}
	if (watch && !answers) {
		fprintf(stderr, "try: --watch replays an answers file: add --answers FILE\n");
		return 2;
	}
	if (!token_is_id(id)) {
		fprintf(stderr, "try: %s is not an interview id (16 hex characters, e.g. the one "
			"check reports)\n", id);
		return 2;
	}
	if (!watch)
		return try_once(file, answers, json, id, candidate);
	const char *const paths[2] = { file, answers };
	struct watch w;
	if (watch_open(&w, paths) != 0) {
		fprintf(stderr, "try: cannot watch %s and %s: %s\n", file, answers, strerror(errno));
		watch_close(&w);
		return 1;
	}
	try_once(file, answers, json, id, candidate);
	for (;;) {
		printf("\n-- watching %s and %s: save either to play again, Ctrl-C to stop --\n", file,
		       answers);
		fflush(stdout);
		fflush(stderr);
		if (watch_wait(&w) != 0)
			break;
		time_t now = time(NULL);
		struct tm tm;
		char when[16];
		localtime_r(&now, &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
		printf("\n== %s: playing %s again ==\n", when, file);
		fflush(stdout);
		try_once(file, answers, json, id, candidate);
	}
	fprintf(stderr, "try: the watch on %s stopped: %s\n", file, strerror(errno));
	watch_close(&w);
	return 1;
}
