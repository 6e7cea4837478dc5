/* SPDX-License-Identifier: ISC */
/*
 * rm_history.h — the ring of what the router manager did: every callback it delivered to a
 * protocol and every event it drained, newest overwriting oldest, shown by `show events`.
 */
#ifndef ROUTPROTD_CORE_RM_HISTORY_H
#define ROUTPROTD_CORE_RM_HISTORY_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "routprotd/routprot.h"

#define RM_HISTORY_MAX_ADDRS 32 /* addresses kept per ADDRESS_CHANGE entry */

#define RM_FAMILY_IPV4 0x1u
#define RM_FAMILY_IPV6 0x2u

struct rm_history_entry {
	int64_t wall_ms;
	const char *type;          /* "ENABLED", "ADD_INTERFACE", "UPDATE_COMPLETE", ... (static) */
	char ifname[IF_NAMESIZE];  /* "" = not about an interface */
	uint32_t ifindex;
	char protocol[RP_PROTOCOL_NAME_MAX]; /* a copy, "" = none */
	int active;                /* -1 = not applicable, else 0/1 */
	const char *status;        /* result / update status name (static), NULL = none */
	unsigned nbound;           /* ADDRESS_CHANGE: size of the whole binding (both families) */
	const struct rp_bound_address *bound; /* ADDRESS_CHANGE: the binding (copied, capped) */
	unsigned families;         /* ADDRESS_CHANGE: RM_FAMILY_* whose part changed */
};

struct rm_history;

struct rm_history *rm_history_new(size_t capacity);
void rm_history_free(struct rm_history *h);
void rm_history_add(struct rm_history *h, const struct rm_history_entry *e);
uint64_t rm_history_total(const struct rm_history *h);
/* The last `last_n` entries (0 = all kept), oldest first, as a JSON array. */
json_t *rm_history_json(const struct rm_history *h, size_t last_n);

#endif
