/* scriptdir: script files on disk. See scriptdir.h.
 *
 * Names are checked before they become paths, so a name can never leave the
 * directory. Reads stop one byte past the limit, which tells "too large" from
 * "exactly at it" without trusting a stat() that the file could outgrow. The
 * compile check goes through the script module's own sandbox, so it accepts
 * exactly what the engine will later run. */
#include "scriptdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "script.h"

const char *scriptdir_strerror(int rc)
{
	switch (rc) {
	case 0: return "success";
	case SCRIPTDIR_ENAME: return "a script name may use letters, digits, '-' and '_'";
	case SCRIPTDIR_ENOTFOUND: return "no such script file or directory";
	case SCRIPTDIR_EREAD: return "the script file or directory cannot be read";
	case SCRIPTDIR_ETOOLARGE: return "the script is larger than 256 KiB";
	case SCRIPTDIR_ECOMPILE: return "the script does not compile";
	case SCRIPTDIR_ENOMEM: return "out of memory";
	case SCRIPTDIR_ENOTDIR: return "the scripts directory is not a directory";
	case SCRIPTDIR_EOUTSIDE:
		return "the script is not in the scripts directory";
	default: return "unknown scripts directory error";
	}
}

static void set_err(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a, b);
}

bool scriptdir_name_ok(const char *name)
{
	if (!name)
		return false;
	size_t n = 0;
	for (; n <= SCRIPTDIR_NAME_MAX && name[n]; n++) {
		char c = name[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return n >= 1 && n <= SCRIPTDIR_NAME_MAX;
}

int scriptdir_read_file(const char *path, const char *shown, char **src, size_t *len, char *err,
			size_t errlen)
{
	int rc = SCRIPTDIR_EREAD;
	char *buf = NULL;
	*src = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f) {
		rc = errno == ENOENT || errno == ENOTDIR ? SCRIPTDIR_ENOTFOUND : SCRIPTDIR_EREAD;
		set_err(err, errlen, "cannot read %s: %s", shown, strerror(errno));
		goto out;
	}
	if (!(buf = malloc(SCRIPTDIR_MAX_SOURCE + 2))) {
		rc = SCRIPTDIR_ENOMEM;
		goto out;
	}
	size_t n = fread(buf, 1, SCRIPTDIR_MAX_SOURCE + 1, f);
	if (ferror(f)) {
		set_err(err, errlen, "cannot read %s: %s", shown, strerror(errno));
		goto out;
	}
	if (n > SCRIPTDIR_MAX_SOURCE) {
		rc = SCRIPTDIR_ETOOLARGE;
		set_err(err, errlen, "%s is larger than 256 KiB%s", shown, "");
		goto out;
	}
	buf[n] = '\0';
	*src = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

int scriptdir_compile(const char *chunkname, const char *src, size_t len, char *err,
		      size_t errlen)
{
	struct script *s = NULL;
	struct script_error e;
	memset(&e, 0, sizeof e);
	/* Compiling runs nothing, so no interview is needed: a fixed id will do. */
	struct script_env env = { .interview_id = "0000000000000000", .candidate_name = "" };
	int rc = script_open(&s, chunkname, src, len, &env, &e);
	script_close(s);
	if (rc == SCRIPT_OK)
		return 0;
	if (rc == SCRIPT_ENOMEM)
		return SCRIPTDIR_ENOMEM;
	set_err(err, errlen, "%s%s", e.message[0] ? e.message : chunkname,
		e.message[0] ? "" : ": does not compile");
	return SCRIPTDIR_ECOMPILE;
}

/* Reads and compiles path, shown (and compiled) as shown. */
static int read_and_compile(const char *path, const char *shown, char **src, size_t *len,
			    char *err, size_t errlen)
{
	int rc = scriptdir_read_file(path, shown, src, len, err, errlen);
	if (rc == 0 && (rc = scriptdir_compile(shown, *src, *len, err, errlen)) != 0) {
		free(*src);
		*src = NULL;
		*len = 0;
	}
	return rc;
}

/* dir/NAME.lua as a new string, or NULL. */
static char *script_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + sizeof "/.lua";
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s.lua", dir, name);
	return p;
}

/* ---- names ---------------------------------------------------------------- */

/* The "NAME" in arg's last component "NAME.lua" (len bytes at *stem), or
 * false when that component does not end in ".lua". */
static bool lua_stem(const char *arg, const char **stem, size_t *len)
{
	const char *base = strrchr(arg, '/');
	base = base ? base + 1 : arg;
	size_t n = strlen(base);
	if (n < 4 || strcmp(base + n - 4, ".lua") != 0)
		return false;
	*stem = base;
	*len = n - 4;
	return true;
}

/* Copies stem[0..len) into name when it is a script name. */
static bool take_name(const char *stem, size_t len, char name[SCRIPTDIR_NAME_MAX + 1])
{
	char tmp[SCRIPTDIR_NAME_MAX + 2];
	if (len > SCRIPTDIR_NAME_MAX)
		return false;
	memcpy(tmp, stem, len);
	tmp[len] = '\0';
	if (!scriptdir_name_ok(tmp))
		return false;
	memcpy(name, tmp, len + 1);
	return true;
}

int scriptdir_resolve(const char *dir, const char *arg, char name[SCRIPTDIR_NAME_MAX + 1],
		      char *err, size_t errlen)
{
	const char *stem = arg;
	size_t len = strlen(arg);
	char *parent = NULL, *real_parent = NULL, *real_dir = NULL;
	int rc = SCRIPTDIR_ENAME;
	name[0] = '\0';
	if (!strchr(arg, '/')) {
		bool dotlua = lua_stem(arg, &stem, &len);
		if (take_name(stem, len, name))
			return 0;
		set_err(err, errlen,
			dotlua ? "'%s' cannot name a script: rename the file to letters, digits, '-' and "
				 "'_'%s"
			       : "'%s' is not a script name: use the file name in the scripts directory "
				 "without .lua (letters, digits, '-' and '_')%s",
			arg, "");
		return SCRIPTDIR_ENAME;
	}
	if (!lua_stem(arg, &stem, &len)) {
		set_err(err, errlen,
			"'%s' is not a script: give a NAME.lua file in the scripts directory, or its "
			"name without .lua%s",
			arg, "");
		return SCRIPTDIR_ENAME;
	}
	if (!take_name(stem, len, name)) {
		set_err(err, errlen,
			"%s cannot name a script: rename the file to letters, digits, '-' and '_'%s",
			arg, "");
		goto out;
	}
	/* The directory part, compared with dir by real path: ".." and symlinks
	 * cannot make a file elsewhere pass for one of dir's. */
	if (!(parent = strndup(arg, (size_t)(stem - arg)))) {
		rc = SCRIPTDIR_ENOMEM;
		goto out;
	}
	if (!(real_parent = realpath(parent, NULL))) {
		rc = errno == ENOMEM ? SCRIPTDIR_ENOMEM : SCRIPTDIR_ENOTFOUND;
		set_err(err, errlen, "cannot read %s: %s", arg, strerror(errno));
		goto out;
	}
	if (!(real_dir = realpath(dir, NULL))) {
		rc = errno == ENOMEM ? SCRIPTDIR_ENOMEM : SCRIPTDIR_ENOTFOUND;
		set_err(err, errlen, "cannot read the scripts directory %s: %s", dir,
			strerror(errno));
		goto out;
	}
	if (strcmp(real_parent, real_dir) != 0) {
		rc = SCRIPTDIR_EOUTSIDE;
		size_t n = strlen(dir);
		if (err && errlen)
			snprintf(
				err, errlen,
				"%s is not in the scripts directory %s%s: interviews are made from the "
				"scripts there, so copy it in and give its name",
				arg, dir, n && dir[n - 1] == '/' ? "" : "/");
		goto out;
	}
	rc = 0;
out:
	if (rc && rc != SCRIPTDIR_EOUTSIDE)
		name[0] = '\0';
	free(real_dir);
	free(real_parent);
	free(parent);
	return rc;
}

int scriptdir_load(const char *dir, const char *name, char **src, size_t *len, char *err,
		   size_t errlen)
{
	*src = NULL;
	*len = 0;
	if (!scriptdir_name_ok(name)) {
		set_err(err, errlen, "%s%s", scriptdir_strerror(SCRIPTDIR_ENAME), "");
		return SCRIPTDIR_ENAME;
	}
	char *path = script_path(dir, name);
	if (!path)
		return SCRIPTDIR_ENOMEM;
	int rc = scriptdir_read_file(path, path, src, len, err, errlen);
	free(path);
	if (rc)
		return rc;
	/* The engine runs a pinned source as scripts/NAME.lua wherever the file
	 * came from: compile it under that name so the errors read the same. */
	char chunkname[SCRIPTDIR_NAME_MAX + sizeof "scripts/.lua"];
	snprintf(chunkname, sizeof chunkname, "scripts/%s.lua", name);
	if ((rc = scriptdir_compile(chunkname, *src, *len, err, errlen)) != 0) {
		free(*src);
		*src = NULL;
		*len = 0;
	}
	return rc;
}

/* ---- listing ------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The stems of dir's regular NAME.lua files, sorted. */
static int read_stems(const char *dir, char ***out, size_t *n, char *err, size_t errlen)
{
	char **stems = NULL;
	size_t cap = 0;
	int rc = 0;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		rc = errno == ENOENT ? SCRIPTDIR_ENOTFOUND
		     : errno == ENOTDIR ? SCRIPTDIR_ENOTDIR
					: SCRIPTDIR_EREAD;
		set_err(err, errlen, "cannot read the scripts directory %s: %s", dir,
			strerror(errno));
		goto out;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 4 || strcmp(e->d_name + len - 4, ".lua") != 0)
			continue;
		size_t plen = strlen(dir) + len + 2;
		char *path = malloc(plen);
		if (!path) {
			rc = SCRIPTDIR_ENOMEM;
			goto out;
		}
		snprintf(path, plen, "%s/%s", dir, e->d_name);
		struct stat st;
		int regular = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (!regular)
			continue;
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			char **p = realloc(stems, ncap * sizeof *p);
			if (!p) {
				rc = SCRIPTDIR_ENOMEM;
				goto out;
			}
			stems = p;
			cap = ncap;
		}
		if (!(stems[*n] = strndup(e->d_name, len - 4))) {
			rc = SCRIPTDIR_ENOMEM;
			goto out;
		}
		(*n)++;
	}
	if (*n)
		qsort(stems, *n, sizeof *stems, cmp_name);
out:
	if (d)
		closedir(d);
	if (rc) {
		for (size_t i = 0; i < *n; i++)
			free(stems[i]);
		free(stems);
		stems = NULL;
		*n = 0;
	}
	*out = stems;
	return rc;
}

int scriptdir_list(const char *dir, struct scriptdir_entry **entries, size_t *n, char *err,
		   size_t errlen)
{
	char **stems = NULL;
	size_t count = 0;
	struct scriptdir_entry *es = NULL;
	*entries = NULL;
	*n = 0;
	int rc = read_stems(dir, &stems, &count, err, errlen);
	if (rc)
		return rc;
	if (count && !(es = calloc(count, sizeof *es))) {
		rc = SCRIPTDIR_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct scriptdir_entry *en = &es[i];
		snprintf(en->name, sizeof en->name, "%s", stems[i]);
		char *path = script_path(dir, stems[i]);
		if (!path) {
			rc = SCRIPTDIR_ENOMEM;
			goto out;
		}
		if (!scriptdir_name_ok(stems[i])) {
			en->rc = SCRIPTDIR_ENAME;
			snprintf(en->error, sizeof en->error, "%s: not a script name: %s", path,
				 scriptdir_strerror(SCRIPTDIR_ENAME));
		} else {
			char *src = NULL;
			size_t len = 0;
			en->rc = read_and_compile(path, path, &src, &len, en->error,
						  sizeof en->error);
			free(src);
		}
		free(path);
		if (en->rc == SCRIPTDIR_ENOMEM) {
			rc = SCRIPTDIR_ENOMEM;
			goto out;
		}
	}
	*entries = es;
	*n = count;
	es = NULL;
out:
	free(es);
	for (size_t i = 0; i < count; i++)
		free(stems[i]);
	free(stems);
	return rc;
}
