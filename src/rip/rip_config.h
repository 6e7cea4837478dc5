/* SPDX-License-Identifier: ISC */
/*
 * rip_config.h — RIP's settings as the configuration file gives them (routprotd.conf(5), section
 * `rip`): the global blob and the per-interface blob handed to the protocol through the callback
 * table, and their parsers (rp_config_ops). Per-interface timers inherit the global ones.
 */
#ifndef ROUTPROTD_RIP_CONFIG_H
#define ROUTPROTD_RIP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "routprotd/routprot.h"
#include "routprotd/prefix.h"

struct rp_conf_diag;

enum rip_mode {
	RIP_MODE_PERIODIC = 0,   /* RFC 2453 */
	RIP_MODE_AUTOSTATIC = 1, /* RRAS auto-static: announce on request, learn on update-routes */
	RIP_MODE_DEMAND = 2,     /* RFC 2091 triggered RIP */
};

enum rip_split_horizon {
	RIP_SH_POISONED = 0, /* poisoned reverse (default) */
	RIP_SH_SIMPLE = 1,
	RIP_SH_OFF = 2,
};

enum rip_version_mode {
	RIP_VERSION_2 = 0,        /* send RIPv2 multicast, accept RIPv2 */
	RIP_VERSION_1 = 1,        /* send RIPv1 broadcast, accept RIPv1 and RIPv2 */
	RIP_VERSION_1_COMPAT = 2, /* send RIPv2 broadcast (RFC 2453 5.1), accept both */
};

enum rip_auth_type {
	RIP_AUTH_NONE = 0,
	RIP_AUTH_TYPE_SIMPLE = 1,  /* RFC 2453 5.2 clear-text password */
	RIP_AUTH_TYPE_MD5 = 2,     /* RFC 4822 Keyed-MD5 */
	RIP_AUTH_TYPE_SHA1 = 3,    /* RFC 4822 HMAC-SHA-1 */
	RIP_AUTH_TYPE_SHA256 = 4,  /* HMAC-SHA-256 */
	RIP_AUTH_TYPE_SHA384 = 5,  /* HMAC-SHA-384 */
	RIP_AUTH_TYPE_SHA512 = 6,  /* HMAC-SHA-512 */
};

#define RIP_AUTH_SECRET_MAX 128

#define RIP_SEQ_RESET_NEVER (-1)  /* default: the sequence state is kept while routprotd runs */
#define RIP_SEQ_RESET_TIMEOUT 0   /* after the timeout's silence (demand: once given up) */

/* One key of an interface's key chain (RFC 4822 5: lifetimes for rollover). */
struct rip_auth_key {
	int id;                      /* 0..255 */
	uint8_t secret[RIP_AUTH_SECRET_MAX];
	size_t secret_len;
	int64_t send_from, send_until;     /* wall ms; 0 = unbounded */
	int64_t accept_from, accept_until; /* wall ms; 0 = unbounded */
};

/* A route filter of an interface: a prefix passes when it lies inside one of `only` (when there
 * are any) and inside none of `except`; "inside" means equal to it or more specific. */
struct rip_filter {
	struct rp_prefix4 *only;
	size_t nonly;
	struct rp_prefix4 *except;
	size_t nexcept;
};

struct rip_timers {
	int update_interval; /* s */
	int timeout;         /* s */
	int garbage;         /* s */
};

#define RIP_REDIST_KINDS 4 /* RP_REDIST_CONNECTED .. RP_REDIST_AUTOSTATIC, by bit number */

struct rip_settings {
	struct rip_timers timers;
	unsigned redistribute;    /* RP_REDIST_* mask */
	int redistribute_metric;  /* 1..15 */
	int redistribute_tag;     /* 0..65535: route tag of redistributed routes (RFC 2453 4.2) */
	int redistribute_tags[RIP_REDIST_KINDS]; /* per kind (bit number); -1: redistribute_tag */
	int ecmp;                 /* max equal-cost paths per route, 1..RP_MAX_NEXTHOPS */
	uint32_t receive_buffer;  /* socket receive buffer, bytes */
	int send_rate;            /* packets per second per interface */
	int send_burst;           /* packets sent back to back before pacing */
	int update_timeout;       /* autostatic update: seconds to wait for the first answer */
	int update_quiet;         /* autostatic update: quiet ms that ends the collection */
	int max_routes;           /* default of the interfaces' max-routes (0 = no limit) */
	int max_routes_per_neighbor; /* default of the interfaces' (0 = no limit) */
};

struct rip_if_settings {
	struct rip_timers timers;
	int mode;           /* enum rip_mode */
	bool passive;
	int split_horizon;  /* enum rip_split_horizon */
	int cost;           /* 1..15 */
	int version;        /* enum rip_version_mode */
	uint32_t *neighbors;
	size_t nneighbors;
	bool update_on_connect;
	int auth_type;              /* enum rip_auth_type */
	int md5_auth_length;        /* Keyed-MD5 auth data length sent: 16 (RFC 4822) or 20 */
	struct rip_auth_key *keys;  /* key chain (not for simple: one key, id 0) */
	size_t nkeys;
	int auth_seq_reset;         /* RFC 4822: when a sender may start again from a lower
				       sequence number (RIP_SEQ_RESET_* or seconds of silence) */
	/* route policy (RRAS accept/announce filters and peer security) */
	struct rip_filter accept;   /* routes taken from neighbors */
	struct rip_filter announce; /* routes sent */
	struct rip_filter peers;    /* neighbors listened to (accept-peers / ignore-peers) */
	bool accept_host_routes, announce_host_routes;     /* /32 */
	bool accept_default_route, announce_default_route; /* 0.0.0.0/0 */
	/* route limits (rip_limit.c): learned routes through the interface, and from one of its
	 * neighbors; 0 = no limit */
	int max_routes;
	int max_routes_per_neighbor;
};

const char *rip_auth_type_name(int type);

/* rip_config_redist.c: `redistribute` as an array of source names or a list of names and
 * groups { source = "..."; tag = N; } */
bool rip_parse_redistribute(const config_setting_t *rip, struct rip_settings *g,
			    struct rp_conf_diag *diag);
bool rip_redist_settings_equal(const struct rip_settings *a, const struct rip_settings *b);
/* The route tag announced with redistributed routes of kind `kind` (one RP_REDIST_* bit). */
uint16_t rip_redist_tag(const struct rip_settings *s, unsigned kind);

/* rip_config_auth.c */
bool rip_parse_auth(const config_setting_t *ifs, struct rip_if_settings *i,
		    struct rp_conf_diag *diag);
bool rip_auth_settings_equal(const struct rip_if_settings *a, const struct rip_if_settings *b);
bool rip_auth_settings_copy(struct rip_if_settings *dst, const struct rip_if_settings *src);
void rip_auth_settings_free(struct rip_if_settings *s);

extern const struct rp_config_ops rip_config_ops;

const char *rip_mode_name(int mode);

/* Whether two settings of an interface take the same routes and neighbors (accept side), or
 * send the same routes (announce side): a reload applies a difference without a restart. */
bool rip_accept_policy_equal(const struct rip_if_settings *a, const struct rip_if_settings *b);
bool rip_announce_policy_equal(const struct rip_if_settings *a,
			       const struct rip_if_settings *b);

/* Deep copies (the protocol keeps its own copies of the blobs); NULL when memory runs out. */
struct rip_settings *rip_settings_copy(const struct rip_settings *s);
struct rip_if_settings *rip_if_settings_copy(const struct rip_if_settings *s);
void rip_if_settings_free(struct rip_if_settings *s);
/* Defaults without any file (unit tests). */
void rip_settings_default(struct rip_settings *s);
void rip_if_settings_default(struct rip_if_settings *s, const struct rip_settings *global);

#endif
