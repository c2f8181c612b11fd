/* api_team: the HTTP API's handlers for the team. Part of the api module (see
 * api.c): signing in and out with the session cookie, who is asking, and the
 * admin's users and API keys. A password or key passes through here only on
 * its way to account and is wiped as soon as the answer is built. */
#include "api.h"
#include "api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "log.h"
#include "proto.h"
#include "token.h"

/* ======================================================================== */
/* Session                                                                  */
/* ======================================================================== */

void api_session_create(struct api_call *c)
{
	struct proto_api_field f[] = { { "name", NULL }, { "password", NULL } };
	char cookie[ACCOUNT_SECRET_LEN + 1];
	int64_t retry = 0;
	/* Not cookie-authenticated, but a browser never signs in from another
	 * site: refuse what one sends with a foreign Origin (login CSRF). */
	if (c->req->origin && !api_same_origin(c->req)) {
		api_fail(c, 403, "sign-in from another site is refused (Origin does not match)");
		return;
	}
	if (api_body_fields(c, f, 2) != 0)
		goto out;
	if (!f[0].value) {
		api_fail_field(c, 400, "name", "field 'name' is required");
		goto out;
	}
	if (!f[1].value) {
		api_fail_field(c, 400, "password", "field 'password' is required");
		goto out;
	}
	int rc = account_sign_in(c->a->store, f[0].value, f[1].value, strlen(f[1].value),
				 c->req->peer, c->req->now, cookie, &c->who, &retry);
	if (rc == ACCOUNT_EDENIED) {
		api_fail(c, 401, "wrong name or password");
	} else if (rc == ACCOUNT_ELIMITED) {
		c->res->retry_after = retry > 0 ? retry : 1;
		api_fail(c, 429, "too many failed sign-ins; try again in %lld seconds",
			 (long long)c->res->retry_after);
	} else if (rc != 0) {
		log_error("api: sign-in: %s", account_strerror(rc));
		api_fail(c, 500, "the server could not sign you in; try again");
	} else {
		c->authed = true;
		snprintf(c->res->set_cookie, sizeof c->res->set_cookie,
			 "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict%s", API_COOKIE,
			 cookie, (long long)(ACCOUNT_SESSION_MAX_MS / 1000),
			 c->req->is_tls ? "; Secure" : "");
		api_reply_json(c, 200,
			       proto_api_principal(c->who.name, account_role_name(c->who.role),
						   false));
	}
	explicit_bzero(cookie, sizeof cookie);
out:
	proto_api_fields_free(f, 2);
}

/* Ends the session the cookie names, if any: signing out twice, or with an
 * expired cookie, is still a success. A cookie sign-out changes something,
 * so it needs the same Origin as any other. */
void api_session_delete(struct api_call *c)
{
	char cookie[ACCOUNT_SECRET_LEN + 2];
	if (c->req->cookie && api_cookie_value(c->req->cookie, API_COOKIE, cookie, sizeof cookie)) {
		if (!api_same_origin(c->req)) {
			api_fail(c, 403, "Origin must be this server's own (%s)",
				 c->req->origin ? "it is another" : "it is missing");
			return;
		}
		/* Who it was, for the log line only. */
		c->authed = account_session_check(c->a->store, cookie, c->req->now, &c->who) == 0;
		int rc = account_sign_out(c->a->store, cookie);
		explicit_bzero(cookie, sizeof cookie);
		if (rc != 0) {
			log_error("api: sign-out: %s", account_strerror(rc));
			api_fail(c, 500, "the server could not sign you out; try again");
			return;
		}
	}
	api_clear_cookie(c);
	api_no_content(c);
}

void api_me_get(struct api_call *c)
{
	api_reply_json(c, 200,
		       proto_api_principal(c->who.name, account_role_name(c->who.role),
					   c->who.apikey));
}

/* ======================================================================== */
/* Users and API keys (admin)                                               */
/* ======================================================================== */

void api_users_list(struct api_call *c)
{
	struct proto_user *users = NULL;
	size_t n = 0;
	int rc = account_user_list(c->a->store, &users, &n);
	if (rc != 0) {
		log_error("api: listing users: %s", account_strerror(rc));
		api_fail(c, 500, "the server could not read the users; try again");
		return;
	}
	api_reply_json(c, 200, proto_cli_users(users, n));
	account_users_free(users, n);
}

/* Parses an optional role field; answers 400 and returns -1 when bad. */
static int role_of(struct api_call *c, const char *s, enum account_role *role)
{
	*role = ACCOUNT_ROLE_INTERVIEWER;
	if (s && account_role_parse(s, role) != 0) {
		api_fail_field(c, 400, "role", "field 'role' must be \"admin\" or \"interviewer\"");
		return -1;
	}
	return 0;
}

void api_users_add(struct api_call *c)
{
	struct proto_api_field f[] = { { "name", NULL }, { "role", NULL }, { "password", NULL } };
	enum account_role role;
	char generated[ACCOUNT_PASSWORD_GEN + 1] = "";
	if (api_body_fields(c, f, 3) != 0 || role_of(c, f[1].value, &role) != 0)
		goto out;
	if (!f[0].value || !account_name_valid(f[0].value)) {
		api_fail_field(c, 400, "name",
			       "field 'name' must be 1 to %d of A-Z a-z 0-9 . _ @ -",
			       ACCOUNT_NAME_MAX);
		goto out;
	}
	const char *pw = f[2].value;
	if (!pw) {
		token_random_text(generated, ACCOUNT_PASSWORD_GEN);
		pw = generated;
	}
	int rc = account_user_add(c->a->store, f[0].value, role, pw, strlen(pw), c->req->now);
	if (rc == ACCOUNT_EPASSWORD)
		api_fail_field(c, 400, "password", "field 'password' must be %d to %d bytes",
			       ACCOUNT_PASSWORD_MIN, ACCOUNT_PASSWORD_MAX);
	else if (rc == ACCOUNT_EEXISTS)
		api_fail(c, 409, "there is already a user named %s", f[0].value);
	else if (rc != 0)
		api_fail(c, 500, "the server could not add the user: %s", account_strerror(rc));
	else
		api_reply_json(c, 201,
			       proto_cli_user_added(f[0].value, account_role_name(role),
						    generated[0] ? generated : NULL));
	if (rc == 0)
		log_info("api: user %s (%s) added by %s", f[0].value, account_role_name(role),
			 c->who.name);
out:
	explicit_bzero(generated, sizeof generated);
	proto_api_fields_free(f, 3);
}

/* Whether name is the only admin left: removing it would leave nobody who
 * can manage the team from the browser. */
static int last_admin(struct store *st, const char *name, bool *last)
{
	struct proto_user *users = NULL;
	size_t n = 0, admins = 0;
	bool target = false;
	int rc = account_user_list(st, &users, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (strcmp(users[i].role, "admin") != 0)
			continue;
		admins++;
		target |= strcmp(users[i].name, name) == 0;
	}
	*last = target && admins == 1;
	account_users_free(users, n);
	return rc;
}

void api_users_remove(struct api_call *c)
{
	bool last = false;
	int rc = account_name_valid(c->arg) ? last_admin(c->a->store, c->arg, &last)
					    : ACCOUNT_ENOTFOUND;
	if (rc == 0 && last) {
		api_fail(c, 409, "%s is the last admin; make another admin first", c->arg);
		return;
	}
	if (rc == 0)
		rc = account_user_remove(c->a->store, c->arg);
	if (rc == ACCOUNT_ENOTFOUND) {
		api_fail(c, 404, "there is no user %.64s", c->arg);
	} else if (rc != 0) {
		api_fail(c, 500, "the server could not remove the user: %s", account_strerror(rc));
	} else {
		log_info("api: user %s removed by %s", c->arg, c->who.name);
		api_no_content(c);
	}
}

void api_apikeys_list(struct api_call *c)
{
	struct proto_apikey *keys = NULL;
	size_t n = 0;
	int rc = account_apikey_list(c->a->store, &keys, &n);
	if (rc != 0) {
		log_error("api: listing API keys: %s", account_strerror(rc));
		api_fail(c, 500, "the server could not read the API keys; try again");
		return;
	}
	api_reply_json(c, 200, proto_cli_apikeys(keys, n));
	account_apikeys_free(keys, n);
}

void api_apikeys_add(struct api_call *c)
{
	struct proto_api_field f[] = { { "label", NULL }, { "role", NULL } };
	enum account_role role;
	char key[ACCOUNT_SECRET_LEN + 1] = "";
	if (api_body_fields(c, f, 2) != 0 || role_of(c, f[1].value, &role) != 0)
		goto out;
	if (!f[0].value || !account_name_valid(f[0].value)) {
		api_fail_field(c, 400, "label",
			       "field 'label' must be 1 to %d of A-Z a-z 0-9 . _ @ -",
			       ACCOUNT_NAME_MAX);
		goto out;
	}
	int rc = account_apikey_add(c->a->store, f[0].value, role, c->req->now, key);
	if (rc == ACCOUNT_EEXISTS) {
		api_fail(c, 409, "there is already an API key labelled %s", f[0].value);
	} else if (rc != 0) {
		api_fail(c, 500, "the server could not add the key: %s", account_strerror(rc));
	} else {
		log_info("api: API key %s (%s) added by %s", f[0].value, account_role_name(role),
			 c->who.name);
		api_reply_json(c, 201,
			       proto_cli_apikey_added(f[0].value, account_role_name(role), key));
	}
out:
	explicit_bzero(key, sizeof key);
	proto_api_fields_free(f, 2);
}

void api_apikeys_remove(struct api_call *c)
{
	int rc = account_name_valid(c->arg) ? account_apikey_remove(c->a->store, c->arg)
					    : ACCOUNT_ENOTFOUND;
	if (rc == ACCOUNT_ENOTFOUND) {
		api_fail(c, 404, "there is no API key labelled %.64s", c->arg);
	} else if (rc != 0) {
		api_fail(c, 500, "the server could not remove the key: %s", account_strerror(rc));
	} else {
		log_info("api: API key %s removed by %s", c->arg, c->who.name);
		api_no_content(c);
	}
}

