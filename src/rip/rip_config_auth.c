/* SPDX-License-Identifier: ISC */
/*
 * rip_config_auth.c — the authentication settings of a RIP interface (routprotd.conf(5)):
 *
 *   authentication = "md5";                # none | simple | md5 | hmac-sha1 | hmac-sha256 |
 *                                          # hmac-sha384 | hmac-sha512
 *   md5-auth-length = 20;                  # Keyed-MD5: 16 (RFC 4822) or 20 (RFC 2082)
 *   keys = ( { id = 1; secret = "...";     # the key chain; simple takes one key
 *              send-from = "2026-01-01T00:00:00Z"; send-until = "...";
 *              accept-from = "..."; accept-until = "..."; } );
 *   auth-sequence-reset = false;           # RFC 4822: may a sender start again from a lower
 *                                          # sequence number? false (never while routprotd
 *                                          # runs), true (after `timeout` of silence; demand
 *                                          # circuits: once given up) or seconds of silence
 *
 * Secrets are refused in a file that everyone may read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "routprotd/conf_diag.h"
#include "routprotd/conf_schema.h"
#include "routprotd/clock.h"
#include "rip/rip_config.h"

static const char *const auth_names[] = { "none", "simple", "md5", "hmac-sha1",
					  "hmac-sha256", "hmac-sha384", "hmac-sha512", NULL };

const char *rip_auth_type_name(int type)
{
	return (type >= 0 && type <= RIP_AUTH_TYPE_SHA512) ? auth_names[type] : "?";
}

static bool parse_type(const config_setting_t *s, int *out, struct rp_conf_diag *diag)
{
	const char *v;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = config_setting_get_string(s);
		for (int i = 0; auth_names[i]; i++)
			if (strcmp(v, auth_names[i]) == 0) {
				*out = i;
				return true;
			}
	}
	rp_conf_diag_at(diag, s, "'authentication' must be one of: none, simple, md5, hmac-sha1, "
		     "hmac-sha256, hmac-sha384, hmac-sha512");
	return false;
}

static bool parse_time_key(const config_setting_t *key, const char *name, int64_t *out,
			   struct rp_conf_diag *diag)
{
	const config_setting_t *s = config_setting_get_member(key, name);

	*out = 0;
	if (!s)
		return true;
	if (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    (*out = rp_clock_parse_iso8601(config_setting_get_string(s))) >= 0)
		return true;
	rp_conf_diag_at(diag, s, "'%s' must be a UTC time like \"2026-11-21T19:06:00Z\"", name);
	return false;
}

static bool parse_secret(const config_setting_t *key, struct rip_auth_key *k, int type,
			 struct rp_conf_diag *diag)
{
	const config_setting_t *s = config_setting_get_member(key, "secret");
	size_t max = type == RIP_AUTH_TYPE_SIMPLE || type == RIP_AUTH_TYPE_MD5
			     ? 16 : RIP_AUTH_SECRET_MAX;
	const char *v;

	if (!s || config_setting_type(s) != CONFIG_TYPE_STRING) {
		rp_conf_diag_at(diag, s ? s : key, "each key needs a 'secret' string");
		return false;
	}
	v = config_setting_get_string(s);
	if (strlen(v) == 0 || strlen(v) > max) {
		rp_conf_diag_at(diag, s, "'secret' must be 1 to %zu bytes for %s", max,
			     rip_auth_type_name(type));
		return false;
	}
	k->secret_len = strlen(v);
	memcpy(k->secret, v, k->secret_len);
	return true;
}

static const char *const key_keys[] = { "id", "secret", "send-from", "send-until",
					"accept-from", "accept-until", NULL };

static bool known_key_member(const char *name)
{
	for (int i = 0; key_keys[i]; i++)
		if (strcmp(name, key_keys[i]) == 0)
			return true;
	return false;
}

static bool parse_key(const config_setting_t *key, struct rip_auth_key *k, int type,
		      struct rp_conf_diag *diag)
{
	const config_setting_t *id = config_setting_get_member(key, "id");
	long long idv = 0;
	bool ok = true;

	if (config_setting_type(key) != CONFIG_TYPE_GROUP) {
		rp_conf_diag_at(diag, key, "each entry of 'keys' must be a group { id; secret; }");
		return false;
	}
	for (int i = 0; i < config_setting_length(key); i++) {
		const config_setting_t *m = config_setting_get_elem(key, (unsigned)i);

		if (!known_key_member(config_setting_name(m))) {
			rp_conf_diag_at(diag, m, "unknown key '%s' in an authentication key",
				     config_setting_name(m));
			ok = false;
		}
	}
	if (id && !rp_conf_parse_integer(id, "id", 0, 255, &idv, diag))
		ok = false;
	k->id = (int)idv;
	ok = parse_secret(key, k, type, diag) && ok;
	ok = parse_time_key(key, "send-from", &k->send_from, diag) && ok;
	ok = parse_time_key(key, "send-until", &k->send_until, diag) && ok;
	ok = parse_time_key(key, "accept-from", &k->accept_from, diag) && ok;
	ok = parse_time_key(key, "accept-until", &k->accept_until, diag) && ok;
	return ok;
}

static bool duplicate_id(const struct rip_auth_key *keys, size_t n, int id)
{
	for (size_t i = 0; i < n; i++)
		if (keys[i].id == id)
			return true;
	return false;
}

static bool parse_keys(const config_setting_t *list, struct rip_if_settings *i,
		       struct rp_conf_diag *diag)
{
	unsigned n = (unsigned)config_setting_length(list);
	bool ok = true;

	if (config_setting_type(list) != CONFIG_TYPE_LIST || n == 0) {
		rp_conf_diag_at(diag, list, "'keys' must be a list of keys ( { id; secret; } )");
		return false;
	}
	i->keys = calloc(n, sizeof(*i->keys));
	if (!i->keys)
		return false;
	for (unsigned k = 0; k < n; k++) {
		const config_setting_t *key = config_setting_get_elem(list, k);
		struct rip_auth_key parsed = { 0 };

		if (!parse_key(key, &parsed, i->auth_type, diag)) {
			ok = false;
			continue;
		}
		if (duplicate_id(i->keys, i->nkeys, parsed.id)) {
			rp_conf_diag_at(diag, key, "key id %d is listed twice", parsed.id);
			ok = false;
			continue;
		}
		i->keys[i->nkeys++] = parsed;
	}
	return ok;
}

/* Secrets must not sit in a file everyone can read. */
static bool file_private(const config_setting_t *s, struct rp_conf_diag *diag)
{
	const char *file = config_setting_source_file(s);
	struct stat st;

	if (!file || stat(file, &st) != 0 || !(st.st_mode & S_IROTH))
		return true;
	rp_conf_diag_at(diag, s, "authentication secrets in a file everyone can read: "
		     "chmod o-r %s", file);
	return false;
}

static bool check_consistency(const config_setting_t *ifs, struct rip_if_settings *i,
			      const config_setting_t *keys, struct rp_conf_diag *diag)
{
	if (i->auth_type == RIP_AUTH_NONE) {
		if (!keys)
			return true;
		rp_conf_diag_at(diag, keys, "'keys' given without 'authentication'");
		return false;
	}
	if (!keys) {
		rp_conf_diag_at(diag, config_setting_get_member(ifs, "authentication"),
			     "authentication \"%s\" needs 'keys'", rip_auth_type_name(i->auth_type));
		return false;
	}
	if (i->auth_type == RIP_AUTH_TYPE_SIMPLE && i->nkeys > 1) {
		rp_conf_diag_at(diag, keys, "simple authentication takes one key");
		return false;
	}
	if (i->version == RIP_VERSION_1) {
		rp_conf_diag_at(diag, keys, "RIPv1 has no authentication: use version 2");
		return false;
	}
	return file_private(keys, diag);
}

/* auth-sequence-reset: false, true or a number of seconds (1..86400); crypto only. */
static bool parse_seq_reset(const config_setting_t *ifs, struct rip_if_settings *i,
			    struct rp_conf_diag *diag)
{
	const config_setting_t *s = config_setting_get_member(ifs, "auth-sequence-reset");
	int v;

	i->auth_seq_reset = RIP_SEQ_RESET_NEVER;
	if (!s)
		return true;
	if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		i->auth_seq_reset = config_setting_get_bool(s) ? RIP_SEQ_RESET_TIMEOUT
							       : RIP_SEQ_RESET_NEVER;
	} else if (config_setting_type(s) == CONFIG_TYPE_INT &&
		   (v = config_setting_get_int(s)) >= 1 && v <= 86400) {
		i->auth_seq_reset = v;
	} else {
		rp_conf_diag_at(diag, s, "'auth-sequence-reset' must be true, false or seconds "
			     "(1 to 86400)");
		return false;
	}
	if (i->auth_type >= RIP_AUTH_TYPE_MD5)
		return true;
	rp_conf_diag_at(diag, s, "'auth-sequence-reset' needs cryptographic authentication (md5, "
		     "hmac-sha*)");
	return false;
}

bool rip_parse_auth(const config_setting_t *ifs, struct rip_if_settings *i,
		    struct rp_conf_diag *diag)
{
	const config_setting_t *type = config_setting_get_member(ifs, "authentication");
	const config_setting_t *len = config_setting_get_member(ifs, "md5-auth-length");
	const config_setting_t *keys = config_setting_get_member(ifs, "keys");
	bool ok = true;

	i->auth_type = RIP_AUTH_NONE;
	i->md5_auth_length = 20;
	if (type)
		ok = parse_type(type, &i->auth_type, diag);
	if (len) {
		int v = config_setting_type(len) == CONFIG_TYPE_INT ? config_setting_get_int(len) : 0;

		if (v != 16 && v != 20) {
			rp_conf_diag_at(diag, len, "'md5-auth-length' must be 16 or 20");
			ok = false;
		}
		i->md5_auth_length = v;
	}
	if (keys && ok)
		ok = parse_keys(keys, i, diag);
	ok = ok && parse_seq_reset(ifs, i, diag);
	return ok && check_consistency(ifs, i, keys, diag);
}

static bool key_equal(const struct rip_auth_key *a, const struct rip_auth_key *b)
{
	return a->id == b->id && a->secret_len == b->secret_len &&
	       memcmp(a->secret, b->secret, a->secret_len) == 0 && a->send_from == b->send_from &&
	       a->send_until == b->send_until && a->accept_from == b->accept_from &&
	       a->accept_until == b->accept_until;
}

bool rip_auth_settings_equal(const struct rip_if_settings *a, const struct rip_if_settings *b)
{
	if (a->auth_type != b->auth_type || a->md5_auth_length != b->md5_auth_length ||
	    a->nkeys != b->nkeys || a->auth_seq_reset != b->auth_seq_reset)
		return false;
	for (size_t k = 0; k < a->nkeys; k++)
		if (!key_equal(&a->keys[k], &b->keys[k]))
			return false;
	return true;
}

bool rip_auth_settings_copy(struct rip_if_settings *dst, const struct rip_if_settings *src)
{
	dst->keys = NULL;
	if (src->nkeys == 0)
		return true;
	dst->keys = malloc(src->nkeys * sizeof(*dst->keys));
	if (!dst->keys)
		return false;
	memcpy(dst->keys, src->keys, src->nkeys * sizeof(*dst->keys));
	return true;
}

void rip_auth_settings_free(struct rip_if_settings *s)
{
	if (s->keys)
		memset(s->keys, 0, s->nkeys * sizeof(*s->keys)); /* no secrets left in freed memory */
	free(s->keys);
	s->keys = NULL;
	s->nkeys = 0;
}
