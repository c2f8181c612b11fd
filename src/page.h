/* page: the interviews a team browses, a page at a time.
 *
 * The console's list: newest first, narrowed by status, script and part of
 * the candidate's name (any case), cut into pages joined by an opaque cursor
 * that names the last interview shown, so a page never repeats or skips one
 * while interviews are created. Reads through record; writes nothing.
 * Functions return 0, a STORE_E* code or a RECORD_E* code (record_strerror
 * explains each). */
#ifndef INTERVIEWD_PAGE_H
#define INTERVIEWD_PAGE_H

#include <stddef.h>

#include "proto.h"
#include "store.h"

#define PAGE_MAX 200
#define PAGE_DEFAULT 50
#define PAGE_CURSOR_LEN 32 /* hex characters */

struct page_query {
	const char *status; /* "new", "active", "finished", "closed"; NULL or "" for any */
	const char *script; /* exact script name; NULL or "" for any */
	const char *q;      /* part of the candidate's name, any case; NULL or "" for any */
	size_t limit;       /* 1..PAGE_MAX; 0 means PAGE_DEFAULT */
	const char *cursor; /* next_cursor of the previous page; NULL or "" for the first */
};

/* One page of the interviews matching query, newest first (by creation time,
 * then id). *ivs gets up to limit records (free with record_interviews_free);
 * next_cursor gets the cursor of the next page, or "" when this is the last.
 * Case is ignored for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
 * letters. RECORD_ESTATUS, RECORD_ELIMIT or RECORD_ECURSOR for a query that
 * cannot be answered (the field is in the sentence). */
int page_list_interviews(struct store *st, const struct page_query *query,
			 struct proto_interview **ivs, size_t *n,
			 char next_cursor[PAGE_CURSOR_LEN + 1]);

#endif
