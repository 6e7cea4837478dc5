/* SPDX-License-Identifier: ISC */
/*
 * rip_config.c — parsing and validation of the `rip` section (routprotd.conf(5)): global keys,
 * per-interface keys, inheritance of timers, cross-checks (timeout longer than the update
 * interval, update-on-connect only in autostatic mode...), each problem as FILE:LINE.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "routprotd/conf_schema.h"
#include "rip/rip_config.h"

static const char *const mode_choices[] = { "periodic", "autostatic", "demand", NULL };
static const char *const sh_choices[] = { "poisoned-reverse", "simple", "off", NULL };

#define RIP_MAX_ROUTES_LIMIT 100000000 /* highest max-routes(-per-neighbor) accepted */

#define LIMIT_FIELDS(type)                                                                  \
	{ .name = "max-routes", .kind = RP_CONF_INT, .offset = offsetof(type, max_routes),      \
	  .min = 0, .max = RIP_MAX_ROUTES_LIMIT },                                            \
	{ .name = "max-routes-per-neighbor", .kind = RP_CONF_INT,                                \
	  .offset = offsetof(type, max_routes_per_neighbor), .min = 0,                        \
	  .max = RIP_MAX_ROUTES_LIMIT }

#define TIMER_FIELDS(type)                                                                  \
	{ .name = "update-interval", .kind = RP_CONF_INT,                                     \
	  .offset = offsetof(type, timers.update_interval), .min = 1, .max = 3600 },       \
	{ .name = "timeout", .kind = RP_CONF_INT, .offset = offsetof(type, timers.timeout),   \
	  .min = 2, .max = 86400 },                                                         \
	{ .name = "garbage", .kind = RP_CONF_INT, .offset = offsetof(type, timers.garbage),   \
	  .min = 1, .max = 86400 }

static const struct rp_conf_field global_fields[] = {
	TIMER_FIELDS(struct rip_settings),
	LIMIT_FIELDS(struct rip_settings),
	{ .name = "redistribute-metric", .kind = RP_CONF_INT,
	  .offset = offsetof(struct rip_settings, redistribute_metric), .min = 1, .max = 15 },
	{ .name = "redistribute-tag", .kind = RP_CONF_INT,
	  .offset = offsetof(struct rip_settings, redistribute_tag), .min = 0, .max = 65535 },
	{ .name = "ecmp", .kind = RP_CONF_INT, .offset = offsetof(struct rip_settings, ecmp),
	  .min = 1, .max = RP_MAX_NEXTHOPS },
	{ .name = "receive-buffer", .kind = RP_CONF_U32,
	  .offset = offsetof(struct rip_settings, receive_buffer), .min = 65536,
	  .max = 1u << 30 },
	{ .name = "send-rate", .kind = RP_CONF_INT, .offset = offsetof(struct rip_settings, send_rate),
	  .min = 10, .max = 1000000 },
	{ .name = "send-burst", .kind = RP_CONF_INT,
	  .offset = offsetof(struct rip_settings, send_burst), .min = 1, .max = 100000 },
	{ .name = "update-timeout", .kind = RP_CONF_INT,
	  .offset = offsetof(struct rip_settings, update_timeout), .min = 1, .max = 3600 },
	{ .name = "update-quiet", .kind = RP_CONF_INT,
	  .offset = offsetof(struct rip_settings, update_quiet), .min = 50, .max = 60000 },
};

#define FILTER_FIELD(key, member, list)                                                     \
	{ .name = key, .kind = RP_CONF_PREFIX4_LIST,                                           \
	  .offset = offsetof(struct rip_if_settings, member.list),                          \
	  .count_offset = offsetof(struct rip_if_settings, member.n##list) }

#define ACCEPT_POLICY_FIELDS                                                                \
	FILTER_FIELD("accept-only", accept, only), FILTER_FIELD("accept-except", accept, except), \
	FILTER_FIELD("accept-peers", peers, only), FILTER_FIELD("ignore-peers", peers, except),  \
	{ .name = "accept-host-routes", .kind = RP_CONF_BOOL,                                  \
	  .offset = offsetof(struct rip_if_settings, accept_host_routes) },                 \
	{ .name = "accept-default-route", .kind = RP_CONF_BOOL,                                \
	  .offset = offsetof(struct rip_if_settings, accept_default_route) }

#define ANNOUNCE_POLICY_FIELDS                                                              \
	FILTER_FIELD("announce-only", announce, only),                                      \
	FILTER_FIELD("announce-except", announce, except),                                  \
	{ .name = "announce-host-routes", .kind = RP_CONF_BOOL,                                \
	  .offset = offsetof(struct rip_if_settings, announce_host_routes) },               \
	{ .name = "announce-default-route", .kind = RP_CONF_BOOL,                              \
	  .offset = offsetof(struct rip_if_settings, announce_default_route) }

static const struct rp_conf_field accept_policy_fields[] = { ACCEPT_POLICY_FIELDS };
static const struct rp_conf_field announce_policy_fields[] = { ANNOUNCE_POLICY_FIELDS };

static const struct rp_conf_field iface_fields[] = {
	ACCEPT_POLICY_FIELDS,
	ANNOUNCE_POLICY_FIELDS,
	TIMER_FIELDS(struct rip_if_settings),
	LIMIT_FIELDS(struct rip_if_settings),
	{ .name = "mode", .kind = RP_CONF_CHOICE, .offset = offsetof(struct rip_if_settings, mode),
	  .choices = mode_choices },
	{ .name = "passive", .kind = RP_CONF_BOOL, .offset = offsetof(struct rip_if_settings, passive) },
	{ .name = "split-horizon", .kind = RP_CONF_CHOICE,
	  .offset = offsetof(struct rip_if_settings, split_horizon), .choices = sh_choices },
	{ .name = "cost", .kind = RP_CONF_INT, .offset = offsetof(struct rip_if_settings, cost),
	  .min = 1, .max = 15 },
	{ .name = "neighbors", .kind = RP_CONF_ADDR4_LIST,
	  .offset = offsetof(struct rip_if_settings, neighbors),
	  .count_offset = offsetof(struct rip_if_settings, nneighbors) },
	{ .name = "update-on-connect", .kind = RP_CONF_BOOL,
	  .offset = offsetof(struct rip_if_settings, update_on_connect) },
};

static const char *const skip_global[] = { "interfaces", "redistribute", NULL };
static const char *const skip_iface[] = { "name", "version", "authentication",
					   "md5-auth-length", "keys", "auth-sequence-reset",
					   NULL };

const char *rip_mode_name(int mode)
{
	return (mode >= 0 && mode <= RIP_MODE_DEMAND) ? mode_choices[mode] : "?";
}

void rip_settings_default(struct rip_settings *s)
{
	*s = (struct rip_settings){
		.timers = { .update_interval = 30, .timeout = 180, .garbage = 120 },
		.redistribute_metric = 1,
		.redistribute_tags = { -1, -1, -1, -1 },
		.ecmp = 4,
		.receive_buffer = 8u << 20,
		.send_rate = 1000, /* a stock FRR ripd (83 KB socket buffer) keeps up with this */
		.send_burst = 32,
		.update_timeout = 30,
		.update_quiet = 1000,
	};
}

void rip_if_settings_default(struct rip_if_settings *s, const struct rip_settings *global)
{
	*s = (struct rip_if_settings){ .cost = 1, .md5_auth_length = 20,
				       .auth_seq_reset = RIP_SEQ_RESET_NEVER,
				       .accept_host_routes = true, .announce_host_routes = true,
				       .accept_default_route = true,
				       .announce_default_route = true };
	s->timers = global ? global->timers
			   : (struct rip_timers){ .update_interval = 30, .timeout = 180,
						  .garbage = 120 };
	if (global) {
		s->max_routes = global->max_routes;
		s->max_routes_per_neighbor = global->max_routes_per_neighbor;
	}
}

static bool check_timers(const config_setting_t *at, const struct rip_timers *t,
			 struct rp_conf_diag *diag)
{
	if (t->timeout > t->update_interval)
		return true;
	rp_conf_diag_at(diag, at, "'timeout' (%d s) must be longer than 'update-interval' (%d s)",
		     t->timeout, t->update_interval);
	return false;
}

static void *rip_parse_global(const config_setting_t *s, struct rp_conf_diag *diag)
{
	struct rip_settings *g = malloc(sizeof(*g));
	bool ok;

	if (!g)
		return NULL;
	rip_settings_default(g);
	ok = rp_conf_parse_fields(s, global_fields, RP_CONF_NFIELDS(global_fields), skip_global, "rip",
			       g, diag);
	ok = rip_parse_redistribute(s, g, diag) && ok;
	if (!ok || !check_timers(s, &g->timers, diag)) {
		free(g);
		return NULL;
	}
	return g;
}

/* `version` is 2, 1 or "1-compatible": a number or a string, so it is read by hand. */
static bool parse_version(const config_setting_t *ifs, int *out, struct rp_conf_diag *diag)
{
	const config_setting_t *v = config_setting_get_member(ifs, "version");
	const char *str;

	if (!v)
		return true;
	if (config_setting_type(v) == CONFIG_TYPE_INT) {
		int n = config_setting_get_int(v);

		if (n == 1 || n == 2) {
			*out = n == 1 ? RIP_VERSION_1 : RIP_VERSION_2;
			return true;
		}
	} else if (config_setting_type(v) == CONFIG_TYPE_STRING) {
		str = config_setting_get_string(v);
		if (strcmp(str, "1-compatible") == 0) {
			*out = RIP_VERSION_1_COMPAT;
			return true;
		}
		if (strcmp(str, "1") == 0 || strcmp(str, "2") == 0) {
			*out = str[0] == '1' ? RIP_VERSION_1 : RIP_VERSION_2;
			return true;
		}
	}
	rp_conf_diag_at(diag, v, "'version' must be 2, 1 or \"1-compatible\"");
	return false;
}

static bool unicast(uint32_t a)
{
	return a != 0 && a < 0xe0000000u && (a >> 24) != 127 && (a >> 24) != 0;
}

static bool check_interface(const config_setting_t *s, const struct rip_if_settings *i,
			    struct rp_conf_diag *diag)
{
	bool ok = check_timers(s, &i->timers, diag);

	for (size_t n = 0; n < i->nneighbors; n++)
		if (!unicast(i->neighbors[n])) {
			rp_conf_diag_at(diag, config_setting_get_member(s, "neighbors"),
				     "'neighbors' must be unicast addresses");
			ok = false;
			break;
		}

	if (i->update_on_connect && i->mode != RIP_MODE_AUTOSTATIC) {
		rp_conf_diag_at(diag, config_setting_get_member(s, "update-on-connect"),
			     "'update-on-connect' needs mode = \"autostatic\"");
		ok = false;
	}
	if (i->passive && i->mode != RIP_MODE_PERIODIC) {
		rp_conf_diag_at(diag, config_setting_get_member(s, "passive"),
			     "'passive' applies to periodic interfaces only (mode is \"%s\")",
			     rip_mode_name(i->mode));
		ok = false;
	}
	if (i->mode == RIP_MODE_DEMAND && i->version == RIP_VERSION_1) {
		rp_conf_diag_at(diag, config_setting_get_member(s, "version"),
			     "mode \"demand\" (RFC 2091) needs RIP version 2");
		ok = false;
	}
	return ok;
}

static void *rip_parse_interface(const config_setting_t *s, const void *global,
				 struct rp_conf_diag *diag)
{
	struct rip_if_settings *i = malloc(sizeof(*i));
	bool ok;

	if (!i)
		return NULL;
	rip_if_settings_default(i, global);
	ok = rp_conf_parse_fields(s, iface_fields, RP_CONF_NFIELDS(iface_fields), skip_iface,
			       "rip interface", i, diag);
	ok = parse_version(s, &i->version, diag) && ok;
	ok = ok && rip_parse_auth(s, i, diag);
	if (!ok || !check_interface(s, i, diag)) {
		rip_if_settings_free(i);
		return NULL;
	}
	return i;
}

bool rip_accept_policy_equal(const struct rip_if_settings *a, const struct rip_if_settings *b)
{
	return rp_conf_fields_equal(accept_policy_fields, RP_CONF_NFIELDS(accept_policy_fields), a, b);
}

bool rip_announce_policy_equal(const struct rip_if_settings *a,
			       const struct rip_if_settings *b)
{
	return rp_conf_fields_equal(announce_policy_fields, RP_CONF_NFIELDS(announce_policy_fields), a,
				 b);
}

static bool rip_global_equal(const void *a, const void *b)
{
	return rp_conf_fields_equal(global_fields, RP_CONF_NFIELDS(global_fields), a, b) &&
	       rip_redist_settings_equal(a, b);
}

static bool rip_iface_equal(const void *a, const void *b)
{
	const struct rip_if_settings *x = a, *y = b;

	return x->version == y->version && rip_auth_settings_equal(x, y) &&
	       rp_conf_fields_equal(iface_fields, RP_CONF_NFIELDS(iface_fields), a, b);
}

void rip_if_settings_free(struct rip_if_settings *s)
{
	if (!s)
		return;
	rp_conf_free_fields(iface_fields, RP_CONF_NFIELDS(iface_fields), s);
	rip_auth_settings_free(s);
	free(s);
}

static void rip_iface_free(void *p)
{
	rip_if_settings_free(p);
}

struct rip_settings *rip_settings_copy(const struct rip_settings *s)
{
	struct rip_settings *c = malloc(sizeof(*c));

	if (c)
		*c = *s;
	return c;
}

struct rip_if_settings *rip_if_settings_copy(const struct rip_if_settings *s)
{
	struct rip_if_settings *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *s;
	if (!rip_auth_settings_copy(c, s)) {
		free(c);
		return NULL;
	}
	if (!rp_conf_copy_fields(iface_fields, RP_CONF_NFIELDS(iface_fields), c, s)) {
		rip_auth_settings_free(c);
		free(c);
		return NULL;
	}
	return c;
}

const struct rp_config_ops rip_config_ops = {
	.parse_global = rip_parse_global,
	.parse_interface = rip_parse_interface,
	.global_equal = rip_global_equal,
	.interface_equal = rip_iface_equal,
	.free_global = free,
	.free_interface = rip_iface_free,
};
