/* SPDX-License-Identifier: ISC */
/*
 * conf.h — the configuration of routprotd as loaded from its libconfig file (routprotd.conf(5)).
 * The loader owns the daemon-wide keys (router-id, state-dir, control, log, fib) and the shape
 * of every protocol section (`NAME = { ...; interfaces = ( { name = "..."; ... }, ... ); }`);
 * the keys inside a protocol section and inside each of its interfaces belong to the protocol,
 * which parses them through its rp_config_ops into opaque blobs.
 */
#ifndef ROUTPROTD_CONF_CONF_H
#define ROUTPROTD_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <net/if.h>

#include "routprotd/conf_diag.h"
#include "routprotd/routprot.h"
#include "routprotd/log.h"

#define CONF_DEFAULT_STATE_DIR "/var/lib/routprotd"
#define CONF_DEFAULT_SOCKET "/run/routprotd/routprotd.sock"
#define CONF_DEFAULT_FIB_TABLE 254u
#define CONF_DEFAULT_FIB_METRIC 20u
#define CONF_DEFAULT_NETLINK_RCVBUF (4u << 20)
#define CONF_DEFAULT_FIB_STALE_TIME 40
#define CONF_DEFAULT_CONTROL_IDLE_TIMEOUT 10   /* s; CTL_IDLE_TIMEOUT_S */
#define CONF_DEFAULT_CONTROL_REQUEST_TIMEOUT 5 /* s; CTL_REQUEST_TIMEOUT_S */

struct conf_interface {
	char name[IF_NAMESIZE]; /* validated: 1..15 bytes of printable ASCII, not "." or
				   "..", no '/', ':', spaces */
	int line;               /* where its group starts */
	void *info;             /* protocol's interface blob (rp_config_ops.parse_interface);
				   NULL for a protocol without config ops */
};

struct conf_protocol {
	const struct rp_protocol *protocol;
	int line;
	void *global; /* protocol's global blob (rp_config_ops.parse_global) */
	unsigned preference; /* `preference = N;` of the section, 0 when absent */
	struct conf_interface *interfaces;
	size_t ninterfaces;
};

struct conf {
	char *file;
	bool router_id_set;
	uint32_t router_id; /* host order */
	char *state_dir;
	char *control_socket;
	char *control_group; /* NULL: keep the daemon's group */
	gid_t control_gid;   /* resolved from control_group at load time; (gid_t)-1 if none */
	int control_idle_timeout;    /* s a control connection may wait without a request */
	int control_request_timeout; /* s a request line may take to arrive whole */
	enum rp_log_level log_level;
	uint32_t fib_table;  /* 1..0xffffffff, not 0 (unspec) or 255 (local) */
	uint32_t fib_metric; /* kernel route priority */
	int fib_stale_time;      /* s: routes of ours found at start-up wait this long to be relearned */
	bool fib_retain_on_stop; /* leave our routes in the kernel at a clean stop (restarts) */
	uint32_t netlink_rcvbuf; /* bytes of netlink notification buffer (netlink.receive-buffer) */
	struct conf_protocol *protocols; /* in the order of `known` given to conf_load */
	size_t nprotocols;
};

/* Load and validate `file`. `known` lists the protocols this daemon has; a top-level group named
 * after one of them configures it. Returns NULL (with messages in diag) on any error. */
/* The names of the groups of `file` that may be protocol sections (not control, log, fib or
 * netlink), at most `max`, read without any diagnostic: the caller loads the modules of these
 * protocols before conf_load checks the file. Returns how many. */
size_t conf_section_names(const char *file, char (*names)[RP_PROTOCOL_NAME_MAX], size_t max);
struct conf *conf_load(const char *file, const struct rp_protocol *const *known, size_t nknown,
		       struct rp_conf_diag *diag);

/* A configuration with every default and no protocol section (unit tests). */
struct conf *conf_new_default(void);

void conf_free(struct conf *c);

const struct conf_protocol *conf_find_protocol(const struct conf *c, const char *name);
const struct conf_interface *conf_find_interface(const struct conf_protocol *p,
						 const char *ifname);

#endif
