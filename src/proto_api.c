/* proto_api: the HTTP API's bodies (api.c). Part of the proto module (see
 * proto.c): request bodies read as named string fields, and the answers —
 * errors, who is asking, scripts, interviews one by one or a page at a time.
 * A parsed body is wiped before it is freed, since it may hold a password. */
#include "proto.h"
#include "proto_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- HTTP API (api.c) --------------------------------------------------- */

/* Overwrites every string of a parsed body before it is freed: the body of a
 * sign-in or a new user holds a password. */
static void wipe_strings(cJSON *j)
{
	for (cJSON *it = j; it; it = it->next) {
		if (cJSON_IsString(it) && it->valuestring)
			explicit_bzero(it->valuestring, strlen(it->valuestring));
		if (it->child)
			wipe_strings(it->child);
	}
}

int proto_api_parse_fields(const char *data, size_t len, struct proto_api_field *fields,
			   size_t n, char *err, size_t errlen, const char **field)
{
	int rc = PROTO_EBAD;
	*field = "body";
	for (size_t i = 0; i < n; i++)
		fields[i].value = NULL;
	cJSON *root = proto_parse_exact(data, len);
	if (!data || len == 0) {
		proto_set_err(err, errlen, "the body is empty; send a JSON object");
		goto out;
	}
	if (!root) {
		proto_set_err(err, errlen, "the body is not valid JSON");
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		proto_set_err(err, errlen, "the body must be a JSON object");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, fields[i].name);
		if (!it || cJSON_IsNull(it))
			continue;
		if (!cJSON_IsString(it) || !it->valuestring) {
			*field = fields[i].name;
			if (err && errlen)
				snprintf(err, errlen, "field '%s' must be a string",
					 fields[i].name);
			goto out;
		}
		if (!(fields[i].value = proto_dup_str(it->valuestring))) {
			rc = PROTO_ENOMEM;
			goto out;
		}
	}
	*field = NULL;
	rc = PROTO_OK;
out:
	wipe_strings(root);
	cJSON_Delete(root);
	return rc;
}

void proto_api_fields_free(struct proto_api_field *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fields[i].value) {
			explicit_bzero(fields[i].value, strlen(fields[i].value));
			free(fields[i].value);
		}
		fields[i].value = NULL;
	}
}

char *proto_api_error(const char *code, const char *message, const char *field)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *e = o ? cJSON_AddObjectToObject(o, "error") : NULL;
	if (!e || proto_add_str(e, "code", code) || proto_add_str(e, "message", message) ||
	    (field && proto_add_str(e, "field", field))) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

char *proto_api_principal(const char *name, const char *role, bool apikey)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || proto_add_str(o, "name", name) || proto_add_str(o, "role", role) ||
	    (apikey && proto_add_bool(o, "apikey", true))) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

char *proto_api_scripts(const struct proto_api_script *scripts, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(a, o)) {
			cJSON_Delete(o);
			goto fail;
		}
		if (proto_add_str(o, "name", scripts[i].name) ||
		    proto_add_str(o, "hash", scripts[i].hash) ||
		    proto_add_bool(o, "ok", scripts[i].ok) ||
		    proto_add_str(o, "error", scripts[i].error))
			goto fail;
	}
	return proto_print_and_delete(a);
fail:
	cJSON_Delete(a);
	return NULL;
}

char *proto_api_created(const char *id, const char *script, const char *candidate,
			const char *token, const char *url, const char *ws_url)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || proto_add_str(o, "id", id) || proto_add_str(o, "interview_id", id) ||
	    proto_add_str(o, "script", script) ||
	    proto_add_str(o, "candidate", candidate ? candidate : "") ||
	    proto_add_str(o, "token", token) || proto_add_str(o, "url", url) ||
	    proto_add_str(o, "ws_url", ws_url)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}

/* Makes sure o has key, adding a fresh empty object or array (or null). */
static int ensure(cJSON *o, const char *key, int type)
{
	if (cJSON_HasObjectItem(o, key))
		return 0;
	cJSON *v = type == cJSON_Object  ? cJSON_CreateObject()
		   : type == cJSON_Array ? cJSON_CreateArray()
					 : cJSON_CreateNull();
	if (!v || !cJSON_AddItemToObject(o, key, v)) {
		cJSON_Delete(v);
		return -1;
	}
	return 0;
}

static cJSON *api_item(const struct proto_interview *iv)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (proto_add_str(o, "id", iv->id ? iv->id : "") ||
	    proto_add_str(o, "script", iv->script ? iv->script : "") ||
	    proto_add_str(o, "script_hash", iv->script_hash ? iv->script_hash : "") ||
	    proto_add_str(o, "candidate", iv->candidate ? iv->candidate : "") ||
	    proto_add_str(o, "status", proto_status_name(iv->status)) ||
	    proto_add_i64(o, "created", iv->created) || proto_add_i64(o, "updated", iv->updated) ||
	    proto_add_u64(o, "messages", iv->next_seq ? iv->next_seq - 1 : 0))
		goto fail;
	cJSON *s = cJSON_AddObjectToObject(o, "scores");
	if (!s)
		goto fail;
	for (size_t i = 0; i < iv->nscores; i++)
		if (!cJSON_AddNumberToObject(s, iv->scores[i].name ? iv->scores[i].name : "",
					     iv->scores[i].value))
			goto fail;
	if (proto_add_strings(o, "tags", iv->tags, iv->ntags))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

char *proto_api_interviews(const struct proto_interview *ivs, size_t n, const char *next_cursor)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *a = o ? cJSON_AddArrayToObject(o, "interviews") : NULL;
	if (!a)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		cJSON *it = api_item(&ivs[i]);
		if (!it || !cJSON_AddItemToArray(a, it)) {
			cJSON_Delete(it);
			goto fail;
		}
	}
	if (proto_add_str(o, "next_cursor", next_cursor))
		goto fail;
	return proto_print_and_delete(o);
fail:
	cJSON_Delete(o);
	return NULL;
}

char *proto_api_interview(const struct proto_interview *iv, const struct proto_turn *turns,
			  size_t n)
{
	cJSON *o = proto_interview_object(iv);
	if (!o)
		return NULL;
	if (proto_add_u64(o, "messages", iv->next_seq ? iv->next_seq - 1 : 0) ||
	    ensure(o, "scores", cJSON_Object) || ensure(o, "answers", cJSON_Object) ||
	    ensure(o, "notes", cJSON_Array) || ensure(o, "tags", cJSON_Array) ||
	    ensure(o, "last_error", cJSON_NULL) || ensure(o, "last_traceback", cJSON_NULL) ||
	    proto_add_turns(o, "transcript", turns, n, true)) {
		cJSON_Delete(o);
		return NULL;
	}
	return proto_print_and_delete(o);
}


char *proto_api_interview_item(const struct proto_interview *iv)
{
	return proto_print_and_delete(api_item(iv));
}
