/* SPDX-License-Identifier: ISC */
/*
 * rip_auth.c — RIP authentication on the wire: RFC 2453 5.2 simple passwords and RFC 4822
 * cryptographic authentication (Keyed-MD5, HMAC-SHA-1/256/384/512) with key chains.
 *
 * Sending: the key whose send lifetime covers now and started last (if every key expired, the
 * one that expired last, as RFC 4822 5.1 asks, with a warning); the sequence number is the
 * wall clock in seconds, which never goes down, across restarts too.
 * Digest: the authentication data field is first filled with the key (Keyed-MD5, 16 bytes,
 * zero-padded) or with the Apad constant 0x878FE1F3 repeated (HMAC, whose key is zero-padded to
 * the digest length or hashed when longer), the digest is computed over the whole packet and
 * written into that field.
 * Size: a datagram stays within RIP_MAX_DATAGRAM (512) bytes of RIP payload, authentication
 * entry and trailer included, so fewer route entries go in a packet the longer the digest is
 * (FRR drops larger packets).
 * Receiving: the packet must carry the configured type, a key id whose accept lifetime covers
 * now, the right digest length (Keyed-MD5 accepts both the RFC 4822 16 and the RFC 2082 20
 * convention) and digest, and must not be a replay (rip_auth_replay.c).
 */
#include "config.h"

#include <string.h>

#include <nettle/hmac.h>
#include <nettle/nettle-meta.h>

#include "routprotd/clock.h"
#include "rip/rip.h"

#define APAD 0x878fe1f3u
#define MAX_DIGEST 64
#define MAX_HASH_CONTEXT 512 /* bytes of one nettle hash context (SHA-512's is ~216) */

/* The hash behind each cryptographic type (nettle's generic interface). */
static const struct nettle_hash *hash_of(int type)
{
	switch (type) {
	case RIP_AUTH_TYPE_MD5: return &nettle_md5;
	case RIP_AUTH_TYPE_SHA1: return &nettle_sha1;
	case RIP_AUTH_TYPE_SHA256: return &nettle_sha256;
	case RIP_AUTH_TYPE_SHA384: return &nettle_sha384;
	case RIP_AUTH_TYPE_SHA512: return &nettle_sha512;
	}
	return NULL;
}

static size_t digest_length(int type)
{
	const struct nettle_hash *h = hash_of(type);

	return h ? h->digest_size : 0;
}

/* Bytes the authentication adds to a packet: its entry, and for RFC 4822 the trailer. */
static size_t auth_overhead(int type)
{
	if (type == RIP_AUTH_NONE)
		return 0;
	if (type == RIP_AUTH_TYPE_SIMPLE)
		return RIP_RTE_LEN;
	return RIP_RTE_LEN + RIP_AUTH_TRAILER_HDR_LEN + digest_length(type);
}

unsigned rip_auth_rtes_budget(int auth_type, bool triggered)
{
	size_t room = RIP_MAX_DATAGRAM - RIP_HDR_LEN - (triggered ? RIP_TRIGGER_HDR_LEN : 0) -
		      auth_overhead(auth_type);
	unsigned n = (unsigned)(room / RIP_RTE_LEN);
	unsigned cap = RIP_MAX_RTES - (auth_type != RIP_AUTH_NONE); /* the entry counts too */

	return n < cap ? n : cap;
}

unsigned rip_auth_max_rtes(const struct rip_iface *ifc, bool triggered)
{
	return rip_auth_rtes_budget(ifc->set->auth_type, triggered);
}

static bool window_covers(int64_t from, int64_t until, int64_t now)
{
	return (from == 0 || from <= now) && (until == 0 || now < until);
}

static const struct rip_auth_key *send_key(const struct rip_iface *ifc, int64_t now)
{
	const struct rip_auth_key *best = NULL, *last = NULL;

	for (size_t i = 0; i < ifc->set->nkeys; i++) {
		const struct rip_auth_key *k = &ifc->set->keys[i];

		if (window_covers(k->send_from, k->send_until, now)) {
			if (!best || k->send_from > best->send_from ||
			    (k->send_from == best->send_from && k->id > best->id))
				best = k;
		} else if (k->send_until && k->send_until <= now &&
			   (!last || k->send_until > last->send_until)) {
			last = k;
		}
	}
	if (!best && last)
		rp_log_rl(&ifc->rip->rl_send, RP_LOG_WARNING, COMP,
		       "%s: every authentication key expired; still sending with key %d",
		       ifc->name, last->id);
	return best ? best : last;
}

/* One pass of hash `h` over `data`. */
static void hash_once(const struct nettle_hash *h, const uint8_t *data, size_t len,
		      uint8_t *out)
{
	_Alignas(16) uint8_t ctx[MAX_HASH_CONTEXT];

	h->init(ctx);
	h->update(ctx, len, data);
	h->digest(ctx, h->digest_size, out);
	memset(ctx, 0, sizeof(ctx));
}

/* HMAC key of RFC 4822 3.4: zero-padded to the digest length, or hashed when longer. */
static size_t hmac_key(const struct nettle_hash *h, const struct rip_auth_key *k,
		       uint8_t out[MAX_DIGEST])
{
	memset(out, 0, MAX_DIGEST);
	if (k->secret_len <= h->digest_size)
		memcpy(out, k->secret, k->secret_len);
	else
		hash_once(h, k->secret, k->secret_len, out);
	return h->digest_size;
}

static void hmac(const struct nettle_hash *h, const uint8_t *key, size_t klen,
		 const uint8_t *data, size_t len, uint8_t *out)
{
	_Alignas(16) uint8_t outer[MAX_HASH_CONTEXT], inner[MAX_HASH_CONTEXT],
		state[MAX_HASH_CONTEXT];

	hmac_set_key(outer, inner, state, h, klen, key);
	hmac_update(state, h, len, data);
	hmac_digest(outer, inner, state, h, h->digest_size, out);
	memset(outer, 0, sizeof(outer));
	memset(inner, 0, sizeof(inner));
}

/* Compute the digest of `pkt` (len bytes) whose digest field at `off` is overwritten here
 * with the key or Apad first; the result goes to `out`. */
static void compute_digest(int type, const struct rip_auth_key *k, uint8_t *pkt, size_t len,
			   size_t off, uint8_t *out)
{
	const struct nettle_hash *h = hash_of(type);
	size_t L = h->digest_size;
	uint8_t key[MAX_DIGEST];

	if (type == RIP_AUTH_TYPE_MD5) {
		memset(pkt + off, 0, L);
		memcpy(pkt + off, k->secret, k->secret_len);
		hash_once(h, pkt, len, out);
		return;
	}
	for (size_t i = 0; i + 4 <= L; i += 4) {
		pkt[off + i] = (uint8_t)(APAD >> 24);
		pkt[off + i + 1] = (uint8_t)(APAD >> 16);
		pkt[off + i + 2] = (uint8_t)(APAD >> 8);
		pkt[off + i + 3] = (uint8_t)APAD;
	}
	hmac(h, key, hmac_key(h, k, key), pkt, len, out);
	memset(key, 0, sizeof(key));
}

/* The wall clock in seconds: non-decreasing (RFC 4822 4: several packets may share a number)
 * and never ahead of the clock, so that a restarted daemon does not fall behind what its
 * neighbors saw last. */
static uint32_t next_sequence(struct rip_iface *ifc)
{
	uint32_t now = (uint32_t)(rp_clock_wall_ms() / 1000);

	if (now > ifc->auth_seq)
		ifc->auth_seq = now;
	return ifc->auth_seq;
}

size_t rip_auth_encode(struct rip_iface *ifc, struct rip_msg *m, uint8_t *buf, size_t cap)
{
	int type = ifc->set->auth_type;
	const struct rip_auth_key *k;
	size_t len, off;
	uint8_t digest[MAX_DIGEST];

	m->has_auth = false;
	if (type == RIP_AUTH_NONE || m->version == 1)
		return rip_encode(m, buf, cap, NULL);
	k = send_key(ifc, rp_clock_wall_ms());
	if (!k)
		return 0;
	m->has_auth = true;
	memset(&m->auth, 0, sizeof(m->auth));
	if (type == RIP_AUTH_TYPE_SIMPLE) {
		m->auth.type = RIP_AUTH_SIMPLE;
		memcpy(m->auth.password, k->secret, k->secret_len);
		return rip_encode(m, buf, cap, NULL);
	}
	m->auth.type = RIP_AUTH_CRYPTO;
	m->auth.key_id = (uint8_t)k->id;
	m->auth.len_covers_trailer = type == RIP_AUTH_TYPE_MD5 && ifc->set->md5_auth_length == 20;
	m->auth.auth_data_len = (uint8_t)(digest_length(type) + (m->auth.len_covers_trailer ? 4 : 0));
	m->auth.sequence = next_sequence(ifc);
	len = rip_encode(m, buf, cap, &off);
	if (len == 0)
		return 0;
	compute_digest(type, k, buf, len, off, digest);
	memcpy(buf + off, digest, digest_length(type));
	return len;
}

/* ---- receiving ---- */

static const struct rip_auth_key *accept_key(const struct rip_iface *ifc, int id, int64_t now)
{
	for (size_t i = 0; i < ifc->set->nkeys; i++) {
		const struct rip_auth_key *k = &ifc->set->keys[i];

		if (k->id == id && window_covers(k->accept_from, k->accept_until, now))
			return k;
	}
	return NULL;
}

static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

static const char *check_simple(const struct rip_iface *ifc, const struct rip_msg *m)
{
	uint8_t want[RIP_AUTH_PASSWORD_LEN] = { 0 };

	if (m->auth.type != RIP_AUTH_SIMPLE)
		return "wrong authentication type";
	memcpy(want, ifc->set->keys[0].secret, ifc->set->keys[0].secret_len);
	return same_bytes(want, m->auth.password, sizeof(want)) ? NULL : "wrong password";
}

static const char *check_digest(const struct rip_iface *ifc, const uint8_t *buf, size_t len,
				const struct rip_msg *m, const struct rip_auth_key *k)
{
	int type = ifc->set->auth_type;
	uint8_t copy[RIP_MAX_PACKET + MAX_DIGEST], digest[MAX_DIGEST];
	size_t off = len - m->auth.digest_len;

	if (m->auth.digest_len != digest_length(type) || len > sizeof(copy))
		return "wrong digest length for the configured algorithm";
	memcpy(copy, buf, len);
	compute_digest(type, k, copy, len, off, digest);
	return same_bytes(digest, m->auth.digest, m->auth.digest_len) ? NULL : "wrong digest";
}

const char *rip_auth_check(struct rip_iface *ifc, struct rip_neighbor *nbr, const uint8_t *buf,
			   size_t len, const struct rip_msg *m, bool *replay)
{
	const struct rip_auth_key *k;
	const char *why;
	bool is_replay = false;

	if (replay)
		*replay = false;
	if (ifc->set->auth_type == RIP_AUTH_NONE)
		return m->has_auth ? "authentication not configured here" : NULL;
	if (!m->has_auth)
		return "no authentication";
	if (ifc->set->auth_type == RIP_AUTH_TYPE_SIMPLE)
		return check_simple(ifc, m);
	if (m->auth.type != RIP_AUTH_CRYPTO)
		return "wrong authentication type";
	k = accept_key(ifc, m->auth.key_id, rp_clock_wall_ms());
	if (!k)
		return "unknown or expired key id";
	why = check_digest(ifc, buf, len, m, k);
	if (why)
		return why;
	if (!nbr) /* a query from another port is only answered; anything else needs a record */
		return m->command == RIP_CMD_REQUEST ? NULL
						     : "no neighbor record to check replays against";
	why = rip_auth_replay_check(ifc, nbr->address, m->auth.sequence, m->auth.digest,
				    m->auth.digest_len, &is_replay);
	if (is_replay) {
		ifc->stats.rx_replays++;
		nbr->replays++;
	}
	if (replay)
		*replay = is_replay;
	return why;
}
