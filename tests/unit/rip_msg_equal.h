/* SPDX-License-Identifier: ISC */
/*
 * rip_msg_equal.h — field-by-field equality of two decoded RIP messages (digests compared by
 * content), shared by the codec's unit tests and its fuzz target.
 */
#ifndef ROUTPROTD_TESTS_RIP_MSG_EQUAL_H
#define ROUTPROTD_TESTS_RIP_MSG_EQUAL_H

#include <stdbool.h>
#include <string.h>

#include "rip/rip_codec.h"

static inline bool rip_rte_equal(const struct rip_rte *a, const struct rip_rte *b)
{
	return a->afi == b->afi && a->tag == b->tag && a->addr == b->addr && a->mask == b->mask &&
	       a->nexthop == b->nexthop && a->metric == b->metric;
}

static inline bool rip_auth_equal(const struct rip_auth *a, const struct rip_auth *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == RIP_AUTH_SIMPLE)
		return memcmp(a->password, b->password, RIP_AUTH_PASSWORD_LEN) == 0;
	return a->packet_len == b->packet_len && a->key_id == b->key_id &&
	       a->auth_data_len == b->auth_data_len && a->sequence == b->sequence &&
	       a->len_covers_trailer == b->len_covers_trailer &&
	       a->digest_len == b->digest_len && memcmp(a->digest, b->digest, a->digest_len) == 0;
}

static inline bool rip_msg_equal(const struct rip_msg *a, const struct rip_msg *b)
{
	if (a->command != b->command || a->version != b->version ||
	    a->trig_version != b->trig_version || a->trig_flush != b->trig_flush ||
	    a->trig_seq != b->trig_seq || a->has_auth != b->has_auth || a->nrtes != b->nrtes)
		return false;
	if (a->has_auth && !rip_auth_equal(&a->auth, &b->auth))
		return false;
	for (unsigned i = 0; i < a->nrtes; i++) {
		if (!rip_rte_equal(&a->rtes[i], &b->rtes[i]))
			return false;
	}
	return true;
}

#endif
