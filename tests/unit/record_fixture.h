/* record_fixture: interviews in a fresh store for test_record, test_ops and
 * test_page.
 *
 * Interviews are created from source text (script files are scriptdir's
 * business) and their records rewritten as a turn or an operation would
 * leave them. Header-only, test code only; include after cmocka.h and
 * fixture.h. */
#ifndef INTERVIEWD_TEST_RECORD_FIXTURE_H
#define INTERVIEWD_TEST_RECORD_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "record.h"

#define GOOD_SCRIPT "say('Hello!')\nlocal lang = ask('Which language?')\nfinish('Bye')\n"

/* record_create_interview of GOOD_SCRIPT as the script "good". */
static inline int create_good(struct store *st, const char *candidate, char id[TOKEN_ID_LEN + 1],
			      char token[TOKEN_LEN + 1], char *err, size_t errlen)
{
	return record_create_interview(st, "good", GOOD_SCRIPT, strlen(GOOD_SCRIPT), candidate, id,
				       token, err, errlen);
}

static inline int count_interviews(struct store *st)
{
	struct proto_interview *ivs = NULL;
	size_t n = 0;
	assert_int_equal(record_list_interviews(st, &ivs, &n), 0);
	record_interviews_free(ivs, n);
	return (int)n;
}

/* Rewrites the interview record with its status (and creation time). */
static inline void set_status(struct store *st, const char *id, enum proto_status status,
			      int64_t created)
{
	struct proto_interview iv;
	char err[256] = "";
	assert_int_equal(record_get_interview(st, id, &iv), 0);
	iv.status = status;
	if (created)
		iv.created = created;
	struct store_batch *b = store_batch_new();
	assert_int_equal(record_batch_interview(b, &iv), 0);
	assert_int_equal(store_commit(st, b, err, sizeof err), 0);
	store_batch_free(b);
	proto_interview_free(&iv);
}

#endif
