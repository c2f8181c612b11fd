/* scriptdir: the scripts directory, the NAME.lua files interviews are made from.
 *
 * The one place that turns a script name into a file, reads a script file
 * (never more than SCRIPTDIR_MAX_SOURCE bytes) and checks that it compiles
 * (through the script module, in a throwaway sandbox: nothing runs). The
 * server lists the directory at startup and the CLI creates interviews from
 * it, so both agree on one directory. Functions return 0 or a SCRIPTDIR_E*
 * code, and put a sentence into err where they take one. */
#ifndef INTERVIEWD_SCRIPTDIR_H
#define INTERVIEWD_SCRIPTDIR_H

#include <stdbool.h>
#include <stddef.h>

enum {
	SCRIPTDIR_ENAME = -700,     /* not a script name (letters, digits, '-', '_'; 1 to 64) */
	SCRIPTDIR_ENOTFOUND = -701, /* no such file or directory */
	SCRIPTDIR_EREAD = -702,     /* it exists but cannot be read */
	SCRIPTDIR_ETOOLARGE = -703, /* the file is larger than SCRIPTDIR_MAX_SOURCE */
	SCRIPTDIR_ECOMPILE = -704,  /* the source does not compile */
	SCRIPTDIR_ENOMEM = -705,
	SCRIPTDIR_ENOTDIR = -706,  /* the scripts directory is something else */
	SCRIPTDIR_EOUTSIDE = -707, /* a path to a script outside the scripts directory */
};

#define SCRIPTDIR_MAX_SOURCE (256 * 1024) /* largest script source accepted */
#define SCRIPTDIR_NAME_MAX 64

/* A short sentence for a SCRIPTDIR_E* code (a static string). */
const char *scriptdir_strerror(int rc);

/* True when name can name a script: 1 to SCRIPTDIR_NAME_MAX letters, digits,
 * '-' and '_' (so it can never leave the directory). */
bool scriptdir_name_ok(const char *name);

/* Reads the file at path whole into *src (a new NUL-terminated string; free()),
 * refusing more than SCRIPTDIR_MAX_SOURCE bytes. shown is how err names the
 * file. Returns 0, SCRIPTDIR_ENOTFOUND, SCRIPTDIR_EREAD, SCRIPTDIR_ETOOLARGE or
 * SCRIPTDIR_ENOMEM. */
int scriptdir_read_file(const char *path, const char *shown, char **src, size_t *len, char *err,
			size_t errlen);

/* Compiles src in a throwaway sandbox; nothing runs. chunkname is how errors
 * name the script ("scripts/demo.lua:3: ..."). Returns 0, SCRIPTDIR_ECOMPILE
 * (err gets the message with file:line) or SCRIPTDIR_ENOMEM. */
int scriptdir_compile(const char *chunkname, const char *src, size_t len, char *err,
		      size_t errlen);

/* Turns what a user typed to name a script into its name: NAME as is, NAME.lua
 * without the extension, or a path to a NAME.lua directly inside dir (found
 * by real path, so "scripts/demo.lua", "./scripts/demo.lua" and an absolute
 * path all name "demo"). Only the directories are looked at; the file itself
 * is read later, by scriptdir_load. Returns 0 with the name in name, or with
 * a sentence in err saying what to do instead: SCRIPTDIR_ENAME (not a name
 * and not a .lua path), SCRIPTDIR_EOUTSIDE (a file elsewhere: copy it into
 * dir; name still gets the name it would have there), SCRIPTDIR_ENOTFOUND
 * (the path's directory or dir does not exist), SCRIPTDIR_ENOMEM. */
int scriptdir_resolve(const char *dir, const char *arg, char name[SCRIPTDIR_NAME_MAX + 1],
		      char *err, size_t errlen);

/* What an interview is created from: checks the name, reads dir/NAME.lua and
 * compiles it as "scripts/NAME.lua" (the name the engine runs it under), so a
 * syntax error is reported here and not to a candidate. *src as for
 * scriptdir_read_file. Returns 0 or any SCRIPTDIR_E* code but ENOTDIR. */
int scriptdir_load(const char *dir, const char *name, char **src, size_t *len, char *err,
		   size_t errlen);

/* One NAME.lua of the directory. */
struct scriptdir_entry {
	char name[SCRIPTDIR_NAME_MAX + 1]; /* as much of the name as fits when rc is ENAME */
	int rc;                            /* 0: it compiles; else why it cannot be used */
	char error[640];                   /* when rc != 0: "DIR/NAME.lua:LINE: ..." */
};

/* Lists every NAME.lua in dir (dot files and non-files are skipped), sorted by
 * name, each read and compiled as dir/NAME.lua. A script that cannot be used
 * is still listed, with its rc and error. *entries is a new array (free with
 * free()); *n may be 0. Returns 0, or SCRIPTDIR_ENOTFOUND / ENOTDIR / EREAD /
 * ENOMEM for the directory itself (err gets a sentence naming it). */
int scriptdir_list(const char *dir, struct scriptdir_entry **entries, size_t *n, char *err,
		   size_t errlen);

#endif
