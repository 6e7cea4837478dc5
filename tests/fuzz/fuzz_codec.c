/*
 * fuzz_codec.c — libFuzzer target for the RIP codec (rip/rip_codec.c). Every input goes
 * through rip_decode; an input that decodes must encode again (with its digest copied back
 * into the trailer, as a sender would), the encoding must have the input's length and must
 * decode to the same message. Any difference aborts, so the fuzzer reports it as a crash.
 *
 * Built and run by tools/fuzz (seeds in tests/fuzz/seeds/codec).
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rip/rip_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool rte_equal(const struct rip_rte *a, const struct rip_rte *b)
{
	return a->afi == b->afi && a->tag == b->tag && a->addr == b->addr && a->mask == b->mask &&
	       a->nexthop == b->nexthop && a->metric == b->metric;
}

static bool auth_equal(const struct rip_auth *a, const struct rip_auth *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == RIP_AUTH_SIMPLE)
		return memcmp(a->password, b->password, RIP_AUTH_PASSWORD_LEN) == 0;
	return a->packet_len == b->packet_len && a->key_id == b->key_id &&
	       a->auth_data_len == b->auth_data_len && a->sequence == b->sequence &&
	       a->len_covers_trailer == b->len_covers_trailer && a->digest_len == b->digest_len &&
	       memcmp(a->digest, b->digest, a->digest_len) == 0;
}

static bool msg_equal(const struct rip_msg *a, const struct rip_msg *b)
{
	if (a->command != b->command || a->version != b->version ||
	    a->trig_version != b->trig_version || a->trig_flush != b->trig_flush ||
	    a->trig_seq != b->trig_seq || a->has_auth != b->has_auth || a->nrtes != b->nrtes)
		return false;
	if (a->has_auth && !auth_equal(&a->auth, &b->auth))
		return false;
	for (unsigned i = 0; i < a->nrtes; i++) {
		if (!rte_equal(&a->rtes[i], &b->rtes[i]))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rip_msg a, b;
	uint8_t out[RIP_MAX_PACKET + 256];
	size_t len, digest_off;

	if (rip_decode(data, size, &a) != RIP_DECODE_OK)
		return 0;
	len = rip_encode(&a, out, sizeof(out), &digest_off);
	if (len != size)
		abort();
	if (a.has_auth && a.auth.type == RIP_AUTH_CRYPTO) {
		if (digest_off + a.auth.digest_len != len)
			abort();
		memcpy(out + digest_off, a.auth.digest, a.auth.digest_len);
	}
	if (rip_decode(out, len, &b) != RIP_DECODE_OK || !msg_equal(&a, &b))
		abort();
	return 0;
}
