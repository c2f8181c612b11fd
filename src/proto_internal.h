/* proto_internal: what the files of the proto module share, and nothing else
 * includes. proto is one module implemented in several files (proto.c,
 * proto_record.c, proto_cli.c, proto_api.c); this header is where cJSON meets
 * them, so every other module still sees only proto.h and plain C structs.
 * The helpers are defined in proto.c, except proto_interview_object
 * (proto_record.c). */
#ifndef INTERVIEWD_PROTO_INTERNAL_H
#define INTERVIEWD_PROTO_INTERNAL_H

#include "proto.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A new copy of s (free with free()), or NULL when out of memory. */
char *proto_dup_str(const char *s);

/* Writes msg into err (errlen bytes, cut short) when err is given. */
void proto_set_err(char *err, size_t errlen, const char *msg);

/* One JSON value spanning data[0..len) up to trailing whitespace (free with
 * cJSON_Delete), or NULL when it is not exactly that. */
cJSON *proto_parse_exact(const char *data, size_t len);

/* root printed unformatted (free with free()), then deleted; NULL when root is
 * NULL or out of memory. */
char *proto_print_and_delete(cJSON *root);

/* Add k to object o. Each returns 0, or -1 when out of memory. A NULL v is
 * added as null, a NULL entry of a list as ""; integers are added as raw text
 * so they always print as integers. */
int proto_add_str(cJSON *o, const char *k, const char *v);
int proto_add_i64(cJSON *o, const char *k, int64_t v);
int proto_add_u64(cJSON *o, const char *k, uint64_t v);
int proto_add_bool(cJSON *o, const char *k, bool v);
int proto_add_strings(cJSON *o, const char *k, char *const *v, size_t n);

/* Adds turns as an array of objects under k: each as its record, with its
 * client_msg_id when with_cmid. 0, or -1 when out of memory. */
int proto_add_turns(cJSON *o, const char *k, const struct proto_turn *turns, size_t n,
		    bool with_cmid);

/* Read field k of object o. Each returns PROTO_OK, PROTO_EBAD (missing when
 * required, or of the wrong type) or PROTO_ENOMEM. A missing (or null, for
 * strings) optional field leaves *out untouched. Strings are new copies:
 * proto_get_str frees the *out it replaces; free a list with
 * proto_free_strings. */
int proto_get_str(const cJSON *o, const char *k, bool required, char **out);
int proto_get_i64(const cJSON *o, const char *k, bool required, int64_t *out);
int proto_get_u64(const cJSON *o, const char *k, bool required, uint64_t *out);
int proto_get_strings(const cJSON *o, const char *k, char ***out, size_t *n);
/* A required string naming an enum proto_status, stored as int in *out. */
int proto_get_status(const cJSON *o, const char *k, int *out);

/* it as an integer: PROTO_OK, or PROTO_EBAD when it is not a number, not
 * integral or outside int64. */
int proto_num_i64(const cJSON *it, int64_t *out);

/* Frees v[0..n) and v; either may be NULL. */
void proto_free_strings(char **v, size_t n);

/* words[v], or "" for a v outside [0, n) (a bug, but never a crash). */
const char *proto_word_name(const char *const *words, size_t n, int v);

/* The interview record as a new object (free with cJSON_Delete), or NULL when
 * out of memory. The CLI and the API start from it and add their fields. */
cJSON *proto_interview_object(const struct proto_interview *iv);

#endif
