/* SPDX-License-Identifier: ISC */
/*
 * test_codec.c — unit tests of the RIP codec (rip/rip_codec.c): hand-written packets of RFC
 * 2453 (RIPv1/v2 requests and responses, simple password), RFC 2091 (Update Request, Update
 * Response, Update Acknowledge) and RFC 4822 (keyed digest with its trailer), every malformed
 * envelope the decoder must refuse, byte-exact round trips through the encoder, and a seeded
 * fuzz-style loop of random and mutated packets (meant to run under ASan/UBSan).
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rip/rip_codec.h"
#include "rip_msg_equal.h"

/* ---- valid packets ---- */

/* RIPv2 response with one route: 192.168.1.0/24, tag 7, next hop 0.0.0.0, metric 1. */
static const uint8_t v2_response_1[] = {
	0x02, 0x02, 0x00, 0x00, /* command 2 (response), version 2, must be zero */
	0x00, 0x02, 0x00, 0x07, /* AFI 2 (IP), route tag 7 */
	0xc0, 0xa8, 0x01, 0x00, /* address 192.168.1.0 */
	0xff, 0xff, 0xff, 0x00, /* mask 255.255.255.0 */
	0x00, 0x00, 0x00, 0x00, /* next hop 0.0.0.0: via the sender */
	0x00, 0x00, 0x00, 0x01, /* metric 1 */
};

/* A route entry for 10.b.c.0/24: AFI 2, tag 0, next hop 0.0.0.0, the given metric. */
#define RTE_10_24(b, c, metric) \
	0x00, 0x02, 0x00, 0x00, 10, b, c, 0x00, 0xff, 0xff, 0xff, 0x00, \
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, metric

/* RIPv2 response with the maximum of 25 routes, 10.1.0.0/24 .. 10.1.24.0/24. */
static const uint8_t v2_response_25[] = {
	0x02, 0x02, 0x00, 0x00, /* response, version 2 */
	RTE_10_24(1, 0, 1), RTE_10_24(1, 1, 2), RTE_10_24(1, 2, 3), RTE_10_24(1, 3, 4),
	RTE_10_24(1, 4, 5), RTE_10_24(1, 5, 6), RTE_10_24(1, 6, 7), RTE_10_24(1, 7, 8),
	RTE_10_24(1, 8, 9), RTE_10_24(1, 9, 10), RTE_10_24(1, 10, 11), RTE_10_24(1, 11, 12),
	RTE_10_24(1, 12, 13), RTE_10_24(1, 13, 14), RTE_10_24(1, 14, 15), RTE_10_24(1, 15, 16),
	RTE_10_24(1, 16, 1), RTE_10_24(1, 17, 2), RTE_10_24(1, 18, 3), RTE_10_24(1, 19, 4),
	RTE_10_24(1, 20, 5), RTE_10_24(1, 21, 6), RTE_10_24(1, 22, 7), RTE_10_24(1, 23, 8),
	RTE_10_24(1, 24, 9),
};

/* RIPv2 request for the whole table: one entry, AFI 0, metric 16. */
static const uint8_t v2_request_all[] = {
	0x01, 0x02, 0x00, 0x00, /* command 1 (request), version 2 */
	0x00, 0x00, 0x00, 0x00, /* AFI 0 (unspecified), tag 0 */
	0x00, 0x00, 0x00, 0x00, /* address 0.0.0.0 */
	0x00, 0x00, 0x00, 0x00, /* mask 0 */
	0x00, 0x00, 0x00, 0x00, /* next hop 0 */
	0x00, 0x00, 0x00, 0x10, /* metric 16 (infinity) */
};

/* RIPv1 response: the classful network 10.0.0.0, metric 3; tag, mask, next hop zero. */
static const uint8_t v1_response[] = {
	0x02, 0x01, 0x00, 0x00, /* response, version 1 */
	0x00, 0x02, 0x00, 0x00, /* AFI 2, must be zero */
	0x0a, 0x00, 0x00, 0x00, /* address 10.0.0.0 */
	0x00, 0x00, 0x00, 0x00, /* must be zero (RIPv2: mask) */
	0x00, 0x00, 0x00, 0x00, /* must be zero (RIPv2: next hop) */
	0x00, 0x00, 0x00, 0x03, /* metric 3 */
};

/* RIPv1 request for the whole table. */
static const uint8_t v1_request_all[] = {
	0x01, 0x01, 0x00, 0x00, /* request, version 1 */
	0x00, 0x00, 0x00, 0x00, /* AFI 0, must be zero */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x10, /* metric 16 */
};

/* RFC 2091 Update Request: trigger header, then the whole-table request entry. */
static const uint8_t update_request[] = {
	0x09, 0x02, 0x00, 0x00, /* command 9 (Update Request), version 2 */
	0x01, 0x00, 0x00, 0x00, /* RFC 2091 version 1, flush 0, sequence 0 */
	0x00, 0x00, 0x00, 0x00, /* AFI 0, tag 0 */
	0x00, 0x00, 0x00, 0x00, /* address 0.0.0.0 */
	0x00, 0x00, 0x00, 0x00, /* mask 0 */
	0x00, 0x00, 0x00, 0x00, /* next hop 0 */
	0x00, 0x00, 0x00, 0x10, /* metric 16 */
};

/* RFC 2091 Update Response opening a full-database answer (flush set), sequence 0x1234,
 * carrying 172.16.0.0/12 via 192.0.2.1, metric 2, tag 0x0102. */
static const uint8_t update_response_flush[] = {
	0x0a, 0x02, 0x00, 0x00, /* command 10 (Update Response), version 2 */
	0x01, 0x01, 0x12, 0x34, /* RFC 2091 version 1, flush 1, sequence 0x1234 */
	0x00, 0x02, 0x01, 0x02, /* AFI 2, tag 0x0102 */
	0xac, 0x10, 0x00, 0x00, /* address 172.16.0.0 */
	0xff, 0xf0, 0x00, 0x00, /* mask 255.240.0.0 */
	0xc0, 0x00, 0x02, 0x01, /* next hop 192.0.2.1 */
	0x00, 0x00, 0x00, 0x02, /* metric 2 */
};

/* RFC 2091 Update Acknowledge of the response above: header and trigger header only. */
static const uint8_t update_ack[] = {
	0x0b, 0x02, 0x00, 0x00, /* command 11 (Update Acknowledge), version 2 */
	0x01, 0x01, 0x12, 0x34, /* RFC 2091 version 1, flush 1, sequence 0x1234 */
};

/* RIPv2 response with a simple password ("secret", zero-padded) and one route. */
static const uint8_t simple_password[] = {
	0x02, 0x02, 0x00, 0x00, /* response, version 2 */
	0xff, 0xff, 0x00, 0x02, /* AFI 0xFFFF (authentication), type 2 (simple password) */
	's', 'e', 'c', 'r',     /* password, 16 bytes */
	'e', 't', 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
	RTE_10_24(2, 0, 1),     /* 10.2.0.0/24 metric 1 */
};

/* RFC 4822 keyed digest, 16 bytes (keyed MD5 size): trailer at 4 + 20 + 20 = 44. */
static const uint8_t crypto_16[] = {
	0x02, 0x02, 0x00, 0x00, /* response, version 2 */
	0xff, 0xff, 0x00, 0x03, /* AFI 0xFFFF, type 3 (cryptographic) */
	0x00, 0x2c, 0x01, 0x10, /* packet length 44 (trailer offset), key id 1, digest 16 bytes */
	0x00, 0x00, 0x00, 0x2a, /* sequence number 42 */
	0x00, 0x00, 0x00, 0x00, /* reserved */
	0x00, 0x00, 0x00, 0x00,
	RTE_10_24(3, 0, 4),     /* 10.3.0.0/24 metric 4; ends at offset 44 */
	0xff, 0xff, 0x00, 0x01, /* trailer: 0xFFFF, 0x0001 */
	0xd0, 0xd1, 0xd2, 0xd3, /* digest, 16 bytes */
	0xd4, 0xd5, 0xd6, 0xd7,
	0xd8, 0xd9, 0xda, 0xdb,
	0xdc, 0xdd, 0xde, 0xdf,
};

/* RFC 4822 digest of 20 bytes (HMAC-SHA-1 size), two routes: trailer at 4 + 20 + 40 = 64. */
static const uint8_t crypto_20[] = {
	0x02, 0x02, 0x00, 0x00, /* response, version 2 */
	0xff, 0xff, 0x00, 0x03, /* AFI 0xFFFF, type 3 */
	0x00, 0x40, 0x02, 0x14, /* packet length 64, key id 2, digest 20 bytes */
	0x01, 0x02, 0x03, 0x04, /* sequence number 0x01020304 */
	0x00, 0x00, 0x00, 0x00, /* reserved */
	0x00, 0x00, 0x00, 0x00,
	RTE_10_24(4, 0, 1),     /* 10.4.0.0/24 metric 1 */
	RTE_10_24(4, 1, 16),    /* 10.4.1.0/24 metric 16; ends at offset 64 */
	0xff, 0xff, 0x00, 0x01, /* trailer */
	0xa0, 0xa1, 0xa2, 0xa3, /* digest, 20 bytes */
	0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab,
	0xac, 0xad, 0xae, 0xaf,
	0xb0, 0xb1, 0xb2, 0xb3,
};

/* RFC 2091 Update Acknowledge authenticated with RFC 4822 (as peers send it on an
 * authenticated demand circuit): trailer at 4 + 4 + 20 = 28. */
static const uint8_t crypto_ack[] = {
	0x0b, 0x02, 0x00, 0x00, /* Update Acknowledge, version 2 */
	0x01, 0x00, 0x00, 0x07, /* RFC 2091 version 1, flush 0, sequence 7 */
	0xff, 0xff, 0x00, 0x03, /* AFI 0xFFFF, type 3 */
	0x00, 0x1c, 0x05, 0x10, /* packet length 28, key id 5, digest 16 bytes */
	0x00, 0x00, 0x01, 0x00, /* sequence number 256 */
	0x00, 0x00, 0x00, 0x00, /* reserved */
	0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0x00, 0x01, /* trailer */
	0x10, 0x11, 0x12, 0x13, /* digest, 16 bytes */
	0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b,
	0x1c, 0x1d, 0x1e, 0x1f,
};

/* ---- malformed packets that need bytes of their own ---- */

/* 4 + 21: one entry and a stray byte. */
static const uint8_t v2_response_21[] = {
	0x02, 0x02, 0x00, 0x00,
	RTE_10_24(5, 0, 1),
	0x00,                   /* one byte too many */
};

/* The authentication entry in second place. */
static const uint8_t auth_second[] = {
	0x02, 0x02, 0x00, 0x00,
	RTE_10_24(6, 0, 1),
	0xff, 0xff, 0x00, 0x02, /* authentication entry, simple password */
	'p', 'w', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Two authentication entries. */
static const uint8_t auth_twice[] = {
	0x02, 0x02, 0x00, 0x00,
	0xff, 0xff, 0x00, 0x02, /* first: simple password */
	'p', 'w', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0x00, 0x02, /* second: simple password again */
	'p', 'w', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	RTE_10_24(6, 1, 1),
};

/* An Update Acknowledge followed by a route entry: acks carry none. */
static const uint8_t ack_with_entry[] = {
	0x0b, 0x02, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x01,
	RTE_10_24(7, 0, 1),
};

/* An authenticated Update Acknowledge followed by a route entry. */
static const uint8_t ack_auth_with_entry[] = {
	0x0b, 0x02, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x01,
	0xff, 0xff, 0x00, 0x02, /* simple password */
	'p', 'w', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	RTE_10_24(7, 1, 1),
};

/* An Update Acknowledge with a stray byte. */
static const uint8_t ack_plus_1[] = {
	0x0b, 0x02, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x01,
	0x00,
};

/* A crypto packet with one byte after the digest. */
static const uint8_t crypto_16_plus_1[] = {
	0x02, 0x02, 0x00, 0x00,
	0xff, 0xff, 0x00, 0x03,
	0x00, 0x2c, 0x01, 0x10, /* trailer at 44, 16 bytes of digest announced */
	0x00, 0x00, 0x00, 0x2a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	RTE_10_24(3, 0, 4),
	0xff, 0xff, 0x00, 0x01,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
	0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
	0xee,                   /* 17th byte */
};

/* A crypto entry announcing a trailer at 44 while the packet has two routes (the trailer
 * really is at 64): the bytes at 44 are a route entry, not 0xFFFF 0x0001. */
static const uint8_t crypto_trailer_early[] = {
	0x02, 0x02, 0x00, 0x00,
	0xff, 0xff, 0x00, 0x03,
	0x00, 0x2c, 0x01, 0x24, /* trailer at 44, digest 36 bytes (84 - 44 - 4: fits the length) */
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	RTE_10_24(3, 0, 4),
	RTE_10_24(3, 1, 4),
	0xff, 0xff, 0x00, 0x01,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
	0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
};

/* A well-formed trailer at 45, one byte off the entry grid (a stray byte before it). */
static const uint8_t crypto_trailer_misaligned[] = {
	0x02, 0x02, 0x00, 0x00,
	0xff, 0xff, 0x00, 0x03,
	0x00, 0x2d, 0x01, 0x10, /* trailer at 45, 16 bytes of digest */
	0x00, 0x00, 0x00, 0x2a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	RTE_10_24(3, 0, 4),
	0x00,                   /* stray byte at 44 */
	0xff, 0xff, 0x00, 0x01,
	0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7,
	0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
};

/* ---- helpers ---- */

/* Decodes a copy of exactly `len` bytes on the heap, so a read past the end trips ASan. */
static enum rip_decode_status decode_exact(const uint8_t *src, size_t len, struct rip_msg *m,
					   uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(*copy);
	if (len)
		memcpy(*copy, src, len);
	return rip_decode(*copy, len, m);
}

static enum rip_decode_status decode_status(const uint8_t *src, size_t len)
{
	struct rip_msg m;
	uint8_t *copy;
	enum rip_decode_status st = decode_exact(src, len, &m, &copy);

	free(copy);
	return st;
}

static void check_rte(const struct rip_rte *e, uint16_t afi, uint16_t tag, uint32_t addr,
		      uint32_t mask, uint32_t nexthop, uint32_t metric)
{
	ck_assert_uint_eq(e->afi, afi);
	ck_assert_uint_eq(e->tag, tag);
	ck_assert_uint_eq(e->addr, addr);
	ck_assert_uint_eq(e->mask, mask);
	ck_assert_uint_eq(e->nexthop, nexthop);
	ck_assert_uint_eq(e->metric, metric);
}

/* Fails the test when `cond` is false; unlike ck_assert, cheap when it passes (Check records
 * every passing ck_assert, which dominates the fuzz loop). */
#define EXPECT(cond, ...) \
	do { \
		if (!(cond)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* Encodes `m` into buf and, for crypto, copies its digest into the trailer as a sender
 * would after hashing. Returns the length (0 on failure). */
static size_t encode_with_digest(const struct rip_msg *m, uint8_t *buf, size_t cap)
{
	size_t off, len = rip_encode(m, buf, cap, &off);

	if (len && m->has_auth && m->auth.type == RIP_AUTH_CRYPTO) {
		EXPECT(off + m->auth.digest_len == len, "digest offset %zu, length %zu", off,
		       len);
		memcpy(buf + off, m->auth.digest, m->auth.digest_len);
	} else {
		EXPECT(off == 0, "digest offset %zu without crypto", off);
	}
	return len;
}

/* Decodes a valid vector and checks that encoding gives back the same bytes, and that no
 * smaller buffer is accepted. */
static void check_round_trip(const uint8_t *vec, size_t len)
{
	struct rip_msg m;
	uint8_t *copy, out[RIP_MAX_PACKET + 16];
	size_t n;

	ck_assert_int_eq(decode_exact(vec, len, &m, &copy), RIP_DECODE_OK);
	n = encode_with_digest(&m, out, sizeof(out));
	ck_assert_uint_eq(n, len);
	ck_assert_mem_eq(out, vec, len);
	for (size_t cap = 0; cap < len; cap++)
		ck_assert_uint_eq(rip_encode(&m, out, cap, NULL), 0);
	ck_assert_uint_eq(rip_encode(&m, out, len, NULL), len);
	free(copy);
}

#define VEC(v) v, sizeof(v)

/* ---- valid packets: decoding ---- */

START_TEST(decode_v2_response_1)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(v2_response_1), &m, &copy), RIP_DECODE_OK);
	ck_assert_uint_eq(m.command, RIP_CMD_RESPONSE);
	ck_assert_uint_eq(m.version, 2);
	ck_assert(!m.has_auth);
	ck_assert_uint_eq(m.nrtes, 1);
	check_rte(&m.rtes[0], RIP_AFI_INET, 7, 0xc0a80100u, 0xffffff00u, 0, 1);
	free(copy);
}
END_TEST

START_TEST(decode_v2_response_25)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(v2_response_25), &m, &copy), RIP_DECODE_OK);
	ck_assert_uint_eq(m.nrtes, 25);
	for (unsigned i = 0; i < 25; i++)
		check_rte(&m.rtes[i], RIP_AFI_INET, 0, 0x0a010000u | (i << 8), 0xffffff00u, 0,
			  i % 16 + 1);
	free(copy);
}
END_TEST

START_TEST(decode_v2_request_all)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(v2_request_all), &m, &copy), RIP_DECODE_OK);
	ck_assert_uint_eq(m.command, RIP_CMD_REQUEST);
	ck_assert_uint_eq(m.version, 2);
	ck_assert_uint_eq(m.nrtes, 1);
	check_rte(&m.rtes[0], 0, 0, 0, 0, 0, RIP_METRIC_INFINITY);
	free(copy);
}
END_TEST

START_TEST(decode_v1_response)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(v1_response), &m, &copy), RIP_DECODE_OK);
	ck_assert_uint_eq(m.command, RIP_CMD_RESPONSE);
	ck_assert_uint_eq(m.version, 1);
	ck_assert_uint_eq(m.nrtes, 1);
	check_rte(&m.rtes[0], RIP_AFI_INET, 0, 0x0a000000u, 0, 0, 3);
	free(copy);
}
END_TEST

/* RFC 2453 5 (RFC 1058 3.4): a version above 2 is processed as version 2, its header's
 * must-be-zero bytes are not checked from version 2 on, and its authentication entry is
 * decoded as in version 2. A RIPv1 request with zero fields decodes. */
START_TEST(decode_versions_above_2)
{
	static const uint8_t versions[] = { 3, 4, 255 };
	uint8_t buf[RIP_MAX_PACKET];
	struct rip_msg m;

	for (size_t i = 0; i < sizeof(versions); i++) {
		memcpy(buf, v2_response_1, sizeof(v2_response_1));
		buf[1] = versions[i];
		buf[2] = 0x12;
		buf[3] = 0x34;
		ck_assert_int_eq(rip_decode(buf, sizeof(v2_response_1), &m), RIP_DECODE_OK);
		ck_assert_uint_eq(m.version, 2);
		ck_assert_uint_eq(m.nrtes, 1);
		check_rte(&m.rtes[0], RIP_AFI_INET, 7, 0xc0a80100u, 0xffffff00u, 0, 1);

		memcpy(buf, simple_password, sizeof(simple_password));
		buf[1] = versions[i];
		ck_assert_int_eq(rip_decode(buf, sizeof(simple_password), &m), RIP_DECODE_OK);
		ck_assert(m.has_auth);
		ck_assert_uint_eq(m.auth.type, RIP_AUTH_SIMPLE);
		ck_assert_uint_eq(m.version, 2);

		memcpy(buf, crypto_16, sizeof(crypto_16));
		buf[1] = versions[i];
		ck_assert_int_eq(rip_decode(buf, sizeof(crypto_16), &m), RIP_DECODE_OK);
		ck_assert(m.has_auth);
		ck_assert_uint_eq(m.auth.type, RIP_AUTH_CRYPTO);
	}
	memcpy(buf, v2_response_1, sizeof(v2_response_1));
	buf[2] = 0x01;
	ck_assert_int_eq(rip_decode(buf, sizeof(v2_response_1), &m), RIP_DECODE_OK);
	ck_assert_int_eq(rip_decode(VEC(v1_request_all), &m), RIP_DECODE_OK);
	ck_assert_uint_eq(m.version, 1);
}
END_TEST

START_TEST(decode_update_request)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(update_request), &m, &copy), RIP_DECODE_OK);
	ck_assert_uint_eq(m.command, RIP_CMD_UPDATE_REQUEST);
	ck_assert_uint_eq(m.trig_version, RIP_TRIGGER_VERSION);
	ck_assert_uint_eq(m.trig_flush, 0);
	ck_assert_uint_eq(m.trig_seq, 0);
	ck_assert_uint_eq(m.nrtes, 1);
	check_rte(&m.rtes[0], 0, 0, 0, 0, 0, RIP_METRIC_INFINITY);
	free(copy);
}
END_TEST

START_TEST(decode_update_response_flush)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(update_response_flush), &m, &copy), RIP_DECODE_OK);
	ck_assert_uint_eq(m.command, RIP_CMD_UPDATE_RESPONSE);
	ck_assert_uint_eq(m.trig_version, 1);
	ck_assert_uint_eq(m.trig_flush, 1);
	ck_assert_uint_eq(m.trig_seq, 0x1234);
	ck_assert_uint_eq(m.nrtes, 1);
	check_rte(&m.rtes[0], RIP_AFI_INET, 0x0102, 0xac100000u, 0xfff00000u, 0xc0000201u, 2);
	free(copy);
}
END_TEST

START_TEST(decode_update_ack)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(update_ack), &m, &copy), RIP_DECODE_OK);
	ck_assert_uint_eq(m.command, RIP_CMD_UPDATE_ACK);
	ck_assert_uint_eq(m.trig_version, 1);
	ck_assert_uint_eq(m.trig_flush, 1);
	ck_assert_uint_eq(m.trig_seq, 0x1234);
	ck_assert(!m.has_auth);
	ck_assert_uint_eq(m.nrtes, 0);
	free(copy);
}
END_TEST

START_TEST(decode_simple_password)
{
	struct rip_msg m;
	uint8_t *copy;
	static const uint8_t pw[RIP_AUTH_PASSWORD_LEN] = "secret";

	ck_assert_int_eq(decode_exact(VEC(simple_password), &m, &copy), RIP_DECODE_OK);
	ck_assert(m.has_auth);
	ck_assert_uint_eq(m.auth.type, RIP_AUTH_SIMPLE);
	ck_assert_mem_eq(m.auth.password, pw, sizeof(pw));
	ck_assert_uint_eq(m.nrtes, 1); /* the authentication entry is not a route */
	check_rte(&m.rtes[0], RIP_AFI_INET, 0, 0x0a020000u, 0xffffff00u, 0, 1);
	free(copy);
}
END_TEST

START_TEST(decode_crypto_16)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(crypto_16), &m, &copy), RIP_DECODE_OK);
	ck_assert(m.has_auth);
	ck_assert_uint_eq(m.auth.type, RIP_AUTH_CRYPTO);
	ck_assert_uint_eq(m.auth.packet_len, 44);
	ck_assert_uint_eq(m.auth.key_id, 1);
	ck_assert_uint_eq(m.auth.auth_data_len, 16);
	ck_assert_uint_eq(m.auth.sequence, 42);
	ck_assert_ptr_eq(m.auth.digest, copy + 48);
	ck_assert_mem_eq(m.auth.digest, crypto_16 + 48, 16);
	ck_assert_uint_eq(m.nrtes, 1);
	check_rte(&m.rtes[0], RIP_AFI_INET, 0, 0x0a030000u, 0xffffff00u, 0, 4);
	free(copy);
}
END_TEST

START_TEST(decode_crypto_20)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(crypto_20), &m, &copy), RIP_DECODE_OK);
	ck_assert_uint_eq(m.auth.type, RIP_AUTH_CRYPTO);
	ck_assert_uint_eq(m.auth.packet_len, 64);
	ck_assert_uint_eq(m.auth.key_id, 2);
	ck_assert_uint_eq(m.auth.auth_data_len, 20);
	ck_assert_uint_eq(m.auth.sequence, 0x01020304u);
	ck_assert_ptr_eq(m.auth.digest, copy + 68);
	ck_assert_uint_eq(m.auth.digest[0], 0xa0);
	ck_assert_uint_eq(m.auth.digest[19], 0xb3);
	ck_assert_uint_eq(m.nrtes, 2);
	check_rte(&m.rtes[1], RIP_AFI_INET, 0, 0x0a040100u, 0xffffff00u, 0, 16);
	free(copy);
}
END_TEST

START_TEST(decode_crypto_ack)
{
	struct rip_msg m;
	uint8_t *copy;

	ck_assert_int_eq(decode_exact(VEC(crypto_ack), &m, &copy), RIP_DECODE_OK);
	ck_assert_uint_eq(m.command, RIP_CMD_UPDATE_ACK);
	ck_assert_uint_eq(m.trig_seq, 7);
	ck_assert(m.has_auth);
	ck_assert_uint_eq(m.auth.packet_len, 28);
	ck_assert_uint_eq(m.auth.key_id, 5);
	ck_assert_uint_eq(m.auth.sequence, 256);
	ck_assert_ptr_eq(m.auth.digest, copy + 32);
	ck_assert_uint_eq(m.nrtes, 0);
	free(copy);
}
END_TEST

/* ---- malformed packets ---- */

#define NO_PATCH SIZE_MAX

struct bad_case {
	const char *what;
	const uint8_t *base; /* a packet the case starts from */
	size_t base_len;
	size_t len;          /* bytes of it decoded */
	size_t off;          /* one byte replaced (NO_PATCH: none) */
	uint8_t val;
	enum rip_decode_status want;
};

/* A whole vector, truncated, or with one byte replaced. */
#define WHOLE(v) VEC(v), sizeof(v), NO_PATCH, 0
#define CUT(v, n) VEC(v), n, NO_PATCH, 0
#define PATCH(v, o, x) VEC(v), sizeof(v), o, x

static const struct bad_case bad_cases[] = {
	{ "empty", CUT(v2_response_1, 0), RIP_DECODE_TOO_SHORT },
	{ "1 byte", CUT(v2_response_1, 1), RIP_DECODE_TOO_SHORT },
	{ "2 bytes", CUT(v2_response_1, 2), RIP_DECODE_TOO_SHORT },
	{ "3 bytes", CUT(v2_response_1, 3), RIP_DECODE_TOO_SHORT },
	{ "header only", CUT(v2_response_1, 4), RIP_DECODE_NO_ENTRIES },
	{ "request header only", CUT(v2_request_all, 4), RIP_DECODE_NO_ENTRIES },
	{ "4 + 19 (23 bytes)", CUT(v2_response_1, 23), RIP_DECODE_BAD_LENGTH },
	{ "4 + 1", CUT(v2_response_1, 5), RIP_DECODE_BAD_LENGTH },
	{ "4 + 21", WHOLE(v2_response_21), RIP_DECODE_BAD_LENGTH },
	{ "25 entries minus one byte", CUT(v2_response_25, sizeof(v2_response_25) - 1),
	  RIP_DECODE_BAD_LENGTH },
	{ "version 0", PATCH(v2_response_1, 1, 0), RIP_DECODE_BAD_VERSION },
	{ "command 0", PATCH(v2_response_1, 0, 0), RIP_DECODE_BAD_COMMAND },
	{ "command 3", PATCH(v2_response_1, 0, 3), RIP_DECODE_BAD_COMMAND },
	{ "command 5 (RFC 1058 poll)", PATCH(v2_response_1, 0, 5), RIP_DECODE_BAD_COMMAND },
	{ "command 12", PATCH(v2_response_1, 0, 12), RIP_DECODE_BAD_COMMAND },
	{ "command 255", PATCH(v2_response_1, 0, 255), RIP_DECODE_BAD_COMMAND },
	{ "v1 header byte 2 set", PATCH(v1_response, 2, 1), RIP_DECODE_NONZERO_HEADER },
	{ "v1 header byte 3 set", PATCH(v1_response, 3, 1), RIP_DECODE_NONZERO_HEADER },
	/* RFC 1058 3.4: a must-be-zero field set in any RIPv1 entry discards the whole message */
	{ "v1 entry tag (high byte)", PATCH(v1_response, 6, 1), RIP_DECODE_NONZERO_MBZ },
	{ "v1 entry tag", PATCH(v1_response, 7, 7), RIP_DECODE_NONZERO_MBZ },
	{ "v1 entry mask", PATCH(v1_response, 15, 1), RIP_DECODE_NONZERO_MBZ },
	{ "v1 entry next hop", PATCH(v1_response, 16, 0xc6), RIP_DECODE_NONZERO_MBZ },
	{ "v1 request entry tag", PATCH(v1_request_all, 7, 1), RIP_DECODE_NONZERO_MBZ },
	{ "auth entry second", WHOLE(auth_second), RIP_DECODE_BAD_AUTH },
	{ "two auth entries", WHOLE(auth_twice), RIP_DECODE_BAD_AUTH },
	{ "v1 with simple password", PATCH(simple_password, 1, 1), RIP_DECODE_BAD_AUTH },
	{ "v1 with crypto", PATCH(crypto_16, 1, 1), RIP_DECODE_BAD_AUTH },
	{ "auth type 0", PATCH(simple_password, 7, 0), RIP_DECODE_BAD_AUTH },
	{ "auth type 1", PATCH(simple_password, 7, 1), RIP_DECODE_BAD_AUTH },
	{ "auth type 4", PATCH(simple_password, 7, 4), RIP_DECODE_BAD_AUTH },
	{ "auth type 0x0102", PATCH(simple_password, 6, 1), RIP_DECODE_BAD_AUTH },
	{ "auth entry only", CUT(simple_password, 24), RIP_DECODE_NO_ENTRIES },
	{ "crypto entry cut", CUT(crypto_16, 23), RIP_DECODE_BAD_LENGTH },
	{ "crypto trailer at 0", PATCH(crypto_16, 9, 0), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 4 (on the auth entry)", PATCH(crypto_16, 9, 4), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 24 (before the route)", PATCH(crypto_16, 9, 24),
	  RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 64 (the end)", PATCH(crypto_16, 9, 64), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 255", PATCH(crypto_16, 9, 255), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 0x012c", PATCH(crypto_16, 8, 1), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 0xff2c", PATCH(crypto_16, 8, 0xff), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 43 (misaligned)", PATCH(crypto_16, 9, 43), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 45 (misaligned)", PATCH(crypto_16, 9, 45), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 45, well-formed", WHOLE(crypto_trailer_misaligned),
	  RIP_DECODE_BAD_AUTH },
	{ "crypto trailer at 44 in a packet of 2 routes", PATCH(crypto_20, 9, 44),
	  RIP_DECODE_BAD_AUTH },
	{ "crypto trailer where a route is", WHOLE(crypto_trailer_early), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer word 0xFEFF", PATCH(crypto_16, 44, 0xfe), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer word 0xFFFE", PATCH(crypto_16, 45, 0xfe), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer type 0x0002", PATCH(crypto_16, 47, 2), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer type 0x0101", PATCH(crypto_16, 46, 1), RIP_DECODE_BAD_AUTH },
	/* auth_data_len covering the trailer words too (20 for a 16-byte digest, the RFC 2082
	 * convention of Keyed-MD5 senders such as BIRD) is accepted: see
	 * md5_length_covering_the_trailer; other lengths that do not match are refused */
	{ "crypto digest length 15", PATCH(crypto_16, 11, 15), RIP_DECODE_BAD_AUTH },
	{ "crypto digest length 0", PATCH(crypto_16, 11, 0), RIP_DECODE_BAD_AUTH },
	{ "crypto digest length 255", PATCH(crypto_16, 11, 255), RIP_DECODE_BAD_AUTH },
	{ "crypto digest length 16, 20 sent", PATCH(crypto_20, 11, 16), RIP_DECODE_BAD_AUTH },
	{ "crypto digest cut by 1", CUT(crypto_16, sizeof(crypto_16) - 1), RIP_DECODE_BAD_AUTH },
	{ "crypto digest missing", CUT(crypto_16, 48), RIP_DECODE_BAD_AUTH },
	{ "crypto trailer missing", CUT(crypto_16, 44), RIP_DECODE_BAD_AUTH },
	{ "crypto digest one byte long", WHOLE(crypto_16_plus_1), RIP_DECODE_BAD_AUTH },
	{ "RFC 2091 version 0", PATCH(update_request, 4, 0), RIP_DECODE_BAD_TRIGGER },
	{ "RFC 2091 version 2", PATCH(update_request, 4, 2), RIP_DECODE_BAD_TRIGGER },
	{ "RFC 2091 ack version 2", PATCH(update_ack, 4, 2), RIP_DECODE_BAD_TRIGGER },
	/* RFC 2091 4.2: flush is 0 or 1 in an Update Response */
	{ "update response flush 2", PATCH(update_response_flush, 5, 2), RIP_DECODE_BAD_TRIGGER },
	{ "update response flush 255", PATCH(update_response_flush, 5, 255),
	  RIP_DECODE_BAD_TRIGGER },
	{ "update request, 4 bytes", CUT(update_request, 4), RIP_DECODE_TOO_SHORT },
	{ "update request, 5 bytes", CUT(update_request, 5), RIP_DECODE_TOO_SHORT },
	{ "update request, 7 bytes", CUT(update_request, 7), RIP_DECODE_TOO_SHORT },
	{ "update ack, 6 bytes", CUT(update_ack, 6), RIP_DECODE_TOO_SHORT },
	{ "update ack, 7 bytes", CUT(update_ack, 7), RIP_DECODE_TOO_SHORT },
	{ "update request without entries", CUT(update_request, 8), RIP_DECODE_NO_ENTRIES },
	{ "update response 8 + 19", CUT(update_response_flush, 27), RIP_DECODE_BAD_LENGTH },
	{ "ack with a route entry", WHOLE(ack_with_entry), RIP_DECODE_BAD_LENGTH },
	{ "authenticated ack with a route", WHOLE(ack_auth_with_entry), RIP_DECODE_BAD_LENGTH },
	{ "ack with a stray byte", WHOLE(ack_plus_1), RIP_DECODE_BAD_LENGTH },
	{ "ack with a cut entry", CUT(ack_with_entry, 27), RIP_DECODE_BAD_LENGTH },
	{ "crypto ack, trailer at 24", PATCH(crypto_ack, 13, 24), RIP_DECODE_BAD_AUTH },
	{ "crypto ack, trailer at 48", PATCH(crypto_ack, 13, 48), RIP_DECODE_BAD_AUTH },
};

START_TEST(decode_malformed)
{
	const struct bad_case *c = &bad_cases[_i];
	uint8_t buf[RIP_MAX_PACKET + 16];
	enum rip_decode_status st;

	ck_assert_uint_le(c->len, sizeof(buf));
	ck_assert_uint_le(c->len, c->base_len);
	memcpy(buf, c->base, c->len);
	if (c->off != NO_PATCH) {
		ck_assert_uint_lt(c->off, c->len);
		buf[c->off] = c->val;
	}
	st = decode_status(buf, c->len);
	ck_assert_msg(st == c->want, "%s: got %s, want %s", c->what, rip_decode_status_name(st),
		      rip_decode_status_name(c->want));
}
END_TEST

/* Appends `n` copies of `entry` (20 bytes) to the header `hdr`; returns the length. */
static size_t build(uint8_t *buf, const uint8_t *hdr, size_t hdr_len, const uint8_t *entry,
		    unsigned n)
{
	memcpy(buf, hdr, hdr_len);
	for (unsigned i = 0; i < n; i++)
		memcpy(buf + hdr_len + i * RIP_RTE_LEN, entry, RIP_RTE_LEN);
	return hdr_len + n * RIP_RTE_LEN;
}

START_TEST(decode_entry_counts)
{
	uint8_t buf[4 + 40 * RIP_RTE_LEN];
	const uint8_t *rte = v2_response_1 + 4, *pw = simple_password + 4;
	size_t len;

	/* 25 routes pass, 26 and 40 are too many */
	ck_assert_int_eq(decode_status(buf, build(buf, v2_response_1, 4, rte, 25)),
			 RIP_DECODE_OK);
	ck_assert_int_eq(decode_status(buf, build(buf, v2_response_1, 4, rte, 26)),
			 RIP_DECODE_TOO_MANY);
	ck_assert_int_eq(decode_status(buf, build(buf, v2_response_1, 4, rte, 40)),
			 RIP_DECODE_TOO_MANY);
	/* the authentication entry counts against the 25 */
	len = build(buf, simple_password, 24, rte, 24);
	ck_assert_int_eq(decode_status(buf, len), RIP_DECODE_OK);
	len = build(buf, simple_password, 24, rte, 25);
	ck_assert_int_eq(decode_status(buf, len), RIP_DECODE_TOO_MANY);
	/* an authentication entry later in a long packet */
	len = build(buf, v2_response_1, 4, rte, 24);
	memcpy(buf + 4 + 10 * RIP_RTE_LEN, pw, RIP_RTE_LEN);
	ck_assert_int_eq(decode_status(buf, len), RIP_DECODE_BAD_AUTH);
	/* an ack with 26 entries is refused for its entries, not their number */
	len = build(buf, update_ack, 8, rte, 26);
	ck_assert_int_eq(decode_status(buf, len), RIP_DECODE_BAD_LENGTH);
}
END_TEST

/* Status checks run in the documented order: version, command, zero field (RIPv1). */
START_TEST(decode_check_order)
{
	static const uint8_t all_bad[] = { 0x00, 0x00, 0x01, 0x01 };
	static const uint8_t cmd_and_zero[] = { 0x07, 0x02, 0x01, 0x01 };
	static const uint8_t zero_and_len[] = { 0x02, 0x01, 0x01, 0x01, 0x00 };

	ck_assert_int_eq(decode_status(VEC(all_bad)), RIP_DECODE_BAD_VERSION);
	ck_assert_int_eq(decode_status(VEC(cmd_and_zero)), RIP_DECODE_BAD_COMMAND);
	ck_assert_int_eq(decode_status(VEC(zero_and_len)), RIP_DECODE_NONZERO_HEADER);
}
END_TEST

START_TEST(status_names)
{
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_OK), "ok");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_TOO_SHORT), "too_short");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_BAD_VERSION), "bad_version");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_BAD_COMMAND), "bad_command");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_NONZERO_HEADER), "nonzero_header");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_BAD_LENGTH), "bad_length");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_NO_ENTRIES), "no_entries");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_TOO_MANY), "too_many");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_BAD_AUTH), "bad_auth");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_BAD_TRIGGER), "bad_trigger");
	ck_assert_str_eq(rip_decode_status_name(RIP_DECODE_NONZERO_MBZ), "nonzero_mbz");
	ck_assert_str_eq(rip_decode_status_name((enum rip_decode_status)99), "unknown");
}
END_TEST

/* ---- encoding ---- */

struct vector {
	const uint8_t *buf;
	size_t len;
};

static const struct vector valid_vectors[] = {
	{ VEC(v2_response_1) }, { VEC(v2_response_25) }, { VEC(v2_request_all) },
	{ VEC(v1_response) }, { VEC(update_request) }, { VEC(update_response_flush) },
	{ VEC(update_ack) }, { VEC(simple_password) }, { VEC(crypto_16) }, { VEC(crypto_20) },
	{ VEC(crypto_ack) },
};

#define NVALID (sizeof(valid_vectors) / sizeof(valid_vectors[0]))

START_TEST(round_trip)
{
	check_round_trip(valid_vectors[_i].buf, valid_vectors[_i].len);
}
END_TEST

START_TEST(encode_crypto_layout)
{
	struct rip_msg m = {
		.command = RIP_CMD_RESPONSE,
		.version = 2,
		.has_auth = true,
		.auth = { .type = RIP_AUTH_CRYPTO, .packet_len = 999, .key_id = 1,
			  .auth_data_len = 16, .sequence = 42 },
		.nrtes = 1,
		.rtes = { { .afi = RIP_AFI_INET, .addr = 0x0a030000u, .mask = 0xffffff00u,
			    .metric = 4 } },
	};
	uint8_t buf[RIP_MAX_PACKET];
	size_t off = 12345, len = rip_encode(&m, buf, sizeof(buf), &off);

	/* packet_len is computed, the digest is left zero at the returned offset */
	ck_assert_uint_eq(len, sizeof(crypto_16));
	ck_assert_uint_eq(off, 48);
	ck_assert_mem_eq(buf, crypto_16, 48);
	for (size_t i = off; i < len; i++)
		ck_assert_uint_eq(buf[i], 0);
	/* the same with no room for the digest's last byte */
	ck_assert_uint_eq(rip_encode(&m, buf, len - 1, &off), 0);
	ck_assert_uint_eq(off, 0);
}
END_TEST

START_TEST(encode_invalid)
{
	struct rip_msg m = { .command = RIP_CMD_RESPONSE, .version = 2, .nrtes = 25 };
	uint8_t buf[RIP_MAX_PACKET];
	size_t off = 1;

	ck_assert_uint_eq(rip_encode(&m, buf, sizeof(buf), &off), 4 + 25 * RIP_RTE_LEN);
	ck_assert_uint_eq(off, 0);
	m.nrtes = 26;
	ck_assert_uint_eq(rip_encode(&m, buf, sizeof(buf), NULL), 0);
	m.nrtes = ~0u;
	ck_assert_uint_eq(rip_encode(&m, buf, sizeof(buf), NULL), 0);
	/* 25 routes plus an authentication entry */
	m.nrtes = 25;
	m.has_auth = true;
	m.auth.type = RIP_AUTH_SIMPLE;
	ck_assert_uint_eq(rip_encode(&m, buf, sizeof(buf), NULL), 0);
	m.nrtes = 24;
	ck_assert_uint_eq(rip_encode(&m, buf, sizeof(buf), NULL), 4 + 25 * RIP_RTE_LEN);
	/* unknown authentication type */
	m.auth.type = 1;
	ck_assert_uint_eq(rip_encode(&m, buf, sizeof(buf), NULL), 0);
	/* an ack with a route */
	m = (struct rip_msg){ .command = RIP_CMD_UPDATE_ACK, .version = 2, .trig_version = 1,
			      .nrtes = 1 };
	ck_assert_uint_eq(rip_encode(&m, buf, sizeof(buf), NULL), 0);
	m.nrtes = 0;
	ck_assert_uint_eq(rip_encode(&m, buf, sizeof(buf), NULL), 8);
	/* no room at all */
	ck_assert_uint_eq(rip_encode(&m, buf, 0, NULL), 0);
}
END_TEST

/* ---- fuzz-style robustness ---- */

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 32);
}

/* Decodes `len` bytes from an exact-size heap copy; a packet that decodes must encode, and
 * the encoding must decode to the same message. Returns the status. */
static enum rip_decode_status exercise(const uint8_t *src, size_t len)
{
	struct rip_msg a, b;
	uint8_t *copy, out[RIP_MAX_PACKET + 256];
	enum rip_decode_status st = decode_exact(src, len, &a, &copy);
	size_t n;

	if (st == RIP_DECODE_OK) {
		n = encode_with_digest(&a, out, sizeof(out));
		EXPECT(n > 0, "decoded packet of %zu bytes does not encode", len);
		EXPECT(rip_decode(out, n, &b) == RIP_DECODE_OK, "re-encoded packet refused");
		EXPECT(rip_msg_equal(&a, &b), "re-encoded packet differs");
		EXPECT(n == len, "re-encoded length %zu, input %zu", n, len);
	}
	free(copy);
	return st;
}

/* Random bytes, with the first two often set to a plausible command and version so that
 * the later checks get exercised too. */
START_TEST(fuzz_random_bytes)
{
	static const uint8_t cmds[] = { 1, 2, 9, 10, 11 };
	uint64_t seed = 0x0123456789abcdefull;
	uint8_t buf[RIP_MAX_PACKET + 64];
	unsigned ok = 0;

	for (int iter = 0; iter < 100000; iter++) {
		size_t len = rnd(&seed) % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd(&seed);
		if (len >= 8 && rnd(&seed) % 4 != 0) {
			buf[0] = cmds[rnd(&seed) % sizeof(cmds)];
			buf[1] = (uint8_t)(1 + rnd(&seed) % 2);
			buf[2] = buf[3] = 0;
			buf[4] = 1;
			len = (rnd(&seed) % 2) ? len : len - (len - 4) % 20;
		}
		if (exercise(buf, len) == RIP_DECODE_OK)
			ok++;
	}
	ck_assert_uint_gt(ok, 0); /* some random packets get through the envelope */
}
END_TEST

/* Byte flips, truncations, extensions and AFI/auth splices on every valid packet. */
static void mutate(uint8_t *buf, size_t *len, size_t cap, uint64_t *seed)
{
	int rounds = 1 + (int)(rnd(seed) % 4);

	for (int k = 0; k < rounds; k++) {
		uint32_t what = rnd(seed) % 6, r = rnd(seed);

		if (what == 0 && *len > 0) {
			*len = r % *len; /* truncate */
		} else if (what == 1 && *len < cap) {
			size_t add = 1 + r % (cap - *len);

			for (size_t i = 0; i < add && *len < cap; i++)
				buf[(*len)++] = (uint8_t)rnd(seed); /* extend */
		} else if (what == 2 && *len >= 6) {
			size_t at = 4 + (r % ((*len - 4) / 2)) * 2;

			buf[at] = buf[at + 1] = 0xff; /* plant a 0xFFFF word */
		} else if (what == 3 && *len > 0) {
			buf[r % *len] ^= (uint8_t)(1u << (rnd(seed) % 8)); /* flip a bit */
		} else if (*len > 0) {
			buf[r % *len] = (uint8_t)rnd(seed); /* replace a byte */
		}
	}
}

START_TEST(fuzz_mutations)
{
	uint64_t seed = 0xfeedfacecafebeefull;
	uint8_t buf[RIP_MAX_PACKET + 64];

	for (int iter = 0; iter < 100000; iter++) {
		const struct vector *v = &valid_vectors[rnd(&seed) % NVALID];
		size_t len = v->len;

		memcpy(buf, v->buf, len);
		mutate(buf, &len, sizeof(buf), &seed);
		exercise(buf, len);
	}
}
END_TEST

/* An RFC 2091 Update Response may be empty: BIRD's goodbye, as captured on the wire. */
START_TEST(empty_update_response_is_valid)
{
	static const uint8_t goodbye[] = { 0x0a, 0x02, 0x00, 0x00, 0x01, 0x01, 0x00, 0x03 };
	struct rip_msg m;
	uint8_t again[16];

	ck_assert_int_eq(rip_decode(goodbye, sizeof(goodbye), &m), RIP_DECODE_OK);
	ck_assert_int_eq(m.command, RIP_CMD_UPDATE_RESPONSE);
	ck_assert_int_eq(m.trig_flush, 1);
	ck_assert_uint_eq(m.trig_seq, 3);
	ck_assert_uint_eq(m.nrtes, 0);
	ck_assert_uint_eq(rip_encode(&m, again, sizeof(again), NULL), sizeof(goodbye));
	ck_assert_mem_eq(again, goodbye, sizeof(goodbye));
}
END_TEST

START_TEST(md5_length_covering_the_trailer)
{
	uint8_t v[sizeof(crypto_16)];
	struct rip_msg m;
	uint8_t again[RIP_MAX_PACKET];

	memcpy(v, crypto_16, sizeof(v));
	v[11] = 20; /* auth data length includes the 4 trailer bytes */
	ck_assert_int_eq(rip_decode(v, sizeof(v), &m), RIP_DECODE_OK);
	ck_assert(m.auth.len_covers_trailer);
	ck_assert_uint_eq(m.auth.digest_len, 16);
	ck_assert_ptr_eq(m.auth.digest, v + sizeof(v) - 16);
	/* and it encodes back to the same bytes */
	ck_assert_uint_eq(encode_with_digest(&m, again, sizeof(again)), sizeof(v));
	ck_assert_mem_eq(again, v, sizeof(v));
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *valid = tcase_create("valid");
	TCase *bad = tcase_create("malformed");
	TCase *enc = tcase_create("encode");
	TCase *fuzz = tcase_create("fuzz");

	tcase_add_test(valid, decode_v2_response_1);
	tcase_add_test(valid, md5_length_covering_the_trailer);
	tcase_add_test(valid, empty_update_response_is_valid);
	tcase_add_test(valid, decode_v2_response_25);
	tcase_add_test(valid, decode_v2_request_all);
	tcase_add_test(valid, decode_v1_response);
	tcase_add_test(valid, decode_versions_above_2);
	tcase_add_test(valid, decode_update_request);
	tcase_add_test(valid, decode_update_response_flush);
	tcase_add_test(valid, decode_update_ack);
	tcase_add_test(valid, decode_simple_password);
	tcase_add_test(valid, decode_crypto_16);
	tcase_add_test(valid, decode_crypto_20);
	tcase_add_test(valid, decode_crypto_ack);
	tcase_add_test(valid, status_names);
	suite_add_tcase(s, valid);

	tcase_add_loop_test(bad, decode_malformed, 0,
			    (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(bad, decode_entry_counts);
	tcase_add_test(bad, decode_check_order);
	suite_add_tcase(s, bad);

	tcase_add_loop_test(enc, round_trip, 0, (int)NVALID);
	tcase_add_test(enc, encode_crypto_layout);
	tcase_add_test(enc, encode_invalid);
	suite_add_tcase(s, enc);

	tcase_set_timeout(fuzz, 120); /* slow under valgrind */
	tcase_add_test(fuzz, fuzz_random_bytes);
	tcase_add_test(fuzz, fuzz_mutations);
	suite_add_tcase(s, fuzz);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(codec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
