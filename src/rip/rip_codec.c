/* SPDX-License-Identifier: ISC */
/*
 * rip_codec.c — the RIP packet codec of rip_codec.h: the message format of RFC 2453 sections
 * 3.6 and 4 (header, 20-byte entries, at most 25 of them), the RFC 2091 triggered-RIP header,
 * and the shape of the authentication entry of RFC 2453 section 4.1 (simple password) and
 * RFC 4822 (keyed digest with its trailer). All bytes go through the rip_bytes.h cursors.
 *
 * Versions (RFC 2453 5, quoting RFC 1058 3.4): version 0 is refused; a version above 2 is
 * decoded as version 2 (msg.version says 2); from version 2 on the header's must-be-zero bytes
 * are not checked, while a version 1 message with any must-be-zero field set (header or
 * entry) is refused whole.
 *
 * Decoding, in order: the RIP header, the RFC 2091 header (commands 9-11), the position of an
 * RFC 4822 trailer (when the first entry is a type 3 authentication entry), the entry count,
 * then the entries. Every fault in the geometry of a crypto trailer — an offset outside the
 * packet or off the 20-byte grid, wrong trailer words, a digest length that does not match —
 * is RIP_DECODE_BAD_AUTH. An Update Acknowledge may carry an authentication entry (peers
 * authenticate their acks) but no route entry; a route entry in an ack is RIP_DECODE_BAD_LENGTH.
 * The eight reserved bytes of a crypto entry are not checked.
 */
#include "config.h"

#include "rip/rip_codec.h"

#include <string.h>

#include "rip/rip_bytes.h"

#define AUTH_TRAILER_HDR_LEN 4 /* 0xFFFF, 0x0001 before the digest */

const char *rip_decode_status_name(enum rip_decode_status s)
{
	switch (s) {
	case RIP_DECODE_OK: return "ok";
	case RIP_DECODE_TOO_SHORT: return "too_short";
	case RIP_DECODE_BAD_VERSION: return "bad_version";
	case RIP_DECODE_BAD_COMMAND: return "bad_command";
	case RIP_DECODE_NONZERO_HEADER: return "nonzero_header";
	case RIP_DECODE_BAD_LENGTH: return "bad_length";
	case RIP_DECODE_NO_ENTRIES: return "no_entries";
	case RIP_DECODE_TOO_MANY: return "too_many";
	case RIP_DECODE_BAD_AUTH: return "bad_auth";
	case RIP_DECODE_BAD_TRIGGER: return "bad_trigger";
	case RIP_DECODE_NONZERO_MBZ: return "nonzero_mbz";
	}
	return "unknown";
}

static bool is_trigger_command(uint8_t cmd)
{
	return cmd == RIP_CMD_UPDATE_REQUEST || cmd == RIP_CMD_UPDATE_RESPONSE ||
	       cmd == RIP_CMD_UPDATE_ACK;
}

static bool is_known_command(uint8_t cmd)
{
	return cmd == RIP_CMD_REQUEST || cmd == RIP_CMD_RESPONSE || is_trigger_command(cmd);
}

/* Bytes before the first entry: the RIP header, plus the RFC 2091 header for commands 9-11. */
static size_t headers_len(uint8_t cmd)
{
	return RIP_HDR_LEN + (is_trigger_command(cmd) ? RIP_TRIGGER_HDR_LEN : 0);
}

/* ---- decoding ---- */

static enum rip_decode_status decode_headers(struct byte_reader *r, struct rip_msg *out)
{
	if (br_left(r) < RIP_HDR_LEN)
		return RIP_DECODE_TOO_SHORT;
	out->command = br_u8(r);
	out->version = br_u8(r);
	if (out->version == 0)
		return RIP_DECODE_BAD_VERSION;
	if (out->version > 2)
		out->version = 2; /* RFC 2453 5 (RFC 1058 3.4): processed as version 2 */
	if (!is_known_command(out->command))
		return RIP_DECODE_BAD_COMMAND;
	if (br_u16(r) != 0 && out->version == 1)
		return RIP_DECODE_NONZERO_HEADER; /* RFC 1058 3.4; ignored from version 2 on */
	if (!is_trigger_command(out->command))
		return RIP_DECODE_OK;
	if (br_left(r) < RIP_TRIGGER_HDR_LEN)
		return RIP_DECODE_TOO_SHORT;
	out->trig_version = br_u8(r);
	out->trig_flush = br_u8(r);
	out->trig_seq = br_u16(r);
	if (out->trig_version != RIP_TRIGGER_VERSION)
		return RIP_DECODE_BAD_TRIGGER;
	/* RFC 2091 4.2: the flush flag of an Update Response is 0 or 1 */
	if (out->command == RIP_CMD_UPDATE_RESPONSE && out->trig_flush > 1)
		return RIP_DECODE_BAD_TRIGGER;
	return RIP_DECODE_OK;
}

/* Whether the entry at `off` is an RFC 4822 authentication entry (it may be truncated). */
static bool starts_crypto_entry(const uint8_t *buf, size_t len, size_t off)
{
	struct byte_reader r;

	if (len - off < RIP_RTE_LEN)
		return false;
	br_init(&r, buf + off, RIP_RTE_LEN);
	return br_u16(&r) == RIP_AFI_AUTH && br_u16(&r) == RIP_AUTH_CRYPTO;
}

/* Checks the RFC 4822 geometry announced by the crypto entry at `hdr`: the trailer at
 * packet_len lies on the entry grid after the authentication entry, starts with 0xFFFF 0x0001
 * and is followed by exactly auth_data_len bytes, which end the packet. Sets *end to the
 * trailer's offset (where the entries stop). */
static enum rip_decode_status locate_trailer(const uint8_t *buf, size_t len, size_t hdr,
					     size_t *end)
{
	struct byte_reader r;
	size_t packet_len, data_len;

	br_init(&r, buf + hdr, len - hdr);
	br_skip(&r, 4); /* AFI, type */
	packet_len = br_u16(&r);
	br_skip(&r, 1); /* key id */
	data_len = br_u8(&r);
	if (packet_len < hdr + RIP_RTE_LEN || (packet_len - hdr) % RIP_RTE_LEN != 0)
		return RIP_DECODE_BAD_AUTH;
	/* RFC 4822: the digest follows the 4-byte trailer header. RFC 2082 convention (Keyed-MD5
	 * from BIRD and old ripd): the announced 20 bytes include that header. */
	if (packet_len > len || (len - packet_len != AUTH_TRAILER_HDR_LEN + data_len &&
				 !(data_len == AUTH_TRAILER_HDR_LEN + 16 && len - packet_len == data_len)))
		return RIP_DECODE_BAD_AUTH;
	br_init(&r, buf + packet_len, len - packet_len);
	if (br_u16(&r) != RIP_AFI_AUTH || br_u16(&r) != RIP_AUTH_TRAILER)
		return RIP_DECODE_BAD_AUTH;
	*end = packet_len;
	return RIP_DECODE_OK;
}

/* The entry count from the body length, checked against the command's limits. */
static enum rip_decode_status count_entries(uint8_t cmd, size_t body_len, size_t *n)
{
	if (body_len % RIP_RTE_LEN != 0)
		return RIP_DECODE_BAD_LENGTH;
	*n = body_len / RIP_RTE_LEN;
	if (cmd == RIP_CMD_UPDATE_ACK)
		return *n <= 1 ? RIP_DECODE_OK : RIP_DECODE_BAD_LENGTH; /* at most the auth entry */
	if (*n == 0 && cmd != RIP_CMD_UPDATE_RESPONSE)
		return RIP_DECODE_NO_ENTRIES;
	return *n > RIP_MAX_RTES ? RIP_DECODE_TOO_MANY : RIP_DECODE_OK;
}

static size_t digest_len_of(const struct rip_auth *a)
{
	return a->auth_data_len - (a->len_covers_trailer ? AUTH_TRAILER_HDR_LEN : 0);
}

/* The rest of an authentication entry after its AFI; `buf`/`len` locate the crypto digest,
 * whose geometry locate_trailer() has already checked. */
static enum rip_decode_status decode_auth(struct byte_reader *r, const uint8_t *buf,
					  size_t len, struct rip_auth *a)
{
	a->type = br_u16(r);
	if (a->type == RIP_AUTH_SIMPLE) {
		br_take(r, a->password, RIP_AUTH_PASSWORD_LEN);
		return RIP_DECODE_OK;
	}
	if (a->type != RIP_AUTH_CRYPTO)
		return RIP_DECODE_BAD_AUTH;
	a->packet_len = br_u16(r);
	a->key_id = br_u8(r);
	a->auth_data_len = br_u8(r);
	a->sequence = br_u32(r);
	br_skip(r, 8); /* reserved */
	a->len_covers_trailer = len - a->packet_len == a->auth_data_len;
	a->digest_len = (uint8_t)digest_len_of(a);
	a->digest = buf + len - a->digest_len;
	return RIP_DECODE_OK;
}

static void decode_rte(struct byte_reader *r, uint16_t afi, struct rip_rte *e)
{
	e->afi = afi;
	e->tag = br_u16(r);
	e->addr = br_u32(r);
	e->mask = br_u32(r);
	e->nexthop = br_u32(r);
	e->metric = br_u32(r);
}

/* Decodes `n` entries; only the first may be an authentication entry, and not in RIPv1. */
static enum rip_decode_status decode_entries(struct byte_reader *r, size_t n, const uint8_t *buf,
					     size_t len, struct rip_msg *out)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t afi = br_u16(r);
		enum rip_decode_status st;

		if (afi != RIP_AFI_AUTH) {
			decode_rte(r, afi, &out->rtes[out->nrtes++]);
			continue;
		}
		if (i != 0 || out->version < 2)
			return RIP_DECODE_BAD_AUTH;
		out->has_auth = true;
		st = decode_auth(r, buf, len, &out->auth);
		if (st != RIP_DECODE_OK)
			return st;
	}
	return RIP_DECODE_OK;
}

/* RFC 1058 3.4 (quoted by RFC 2453 5): a version 1 message with a must-be-zero field set in
 * any entry (the words RIPv2 uses for tag, mask and next hop) is discarded whole. */
static enum rip_decode_status check_v1_zero_fields(const struct rip_msg *m)
{
	if (m->version != 1)
		return RIP_DECODE_OK;
	for (unsigned i = 0; i < m->nrtes; i++)
		if (m->rtes[i].tag || m->rtes[i].mask || m->rtes[i].nexthop)
			return RIP_DECODE_NONZERO_MBZ;
	return RIP_DECODE_OK;
}

/* After the entries: an ack carries no route entry; an RFC 2091 Update Response may be empty
 * (an empty table, or a peer's goodbye with flush set); every other command needs one. */
static enum rip_decode_status check_route_count(const struct rip_msg *m)
{
	if (m->command == RIP_CMD_UPDATE_ACK)
		return m->nrtes == 0 ? RIP_DECODE_OK : RIP_DECODE_BAD_LENGTH;
	if (m->command == RIP_CMD_UPDATE_RESPONSE)
		return RIP_DECODE_OK;
	return m->nrtes > 0 ? RIP_DECODE_OK : RIP_DECODE_NO_ENTRIES;
}

enum rip_decode_status rip_decode(const uint8_t *buf, size_t len, struct rip_msg *out)
{
	struct byte_reader r;
	enum rip_decode_status st;
	size_t hdr, end = len, n;

	memset(out, 0, sizeof(*out));
	br_init(&r, buf, len);
	st = decode_headers(&r, out);
	if (st != RIP_DECODE_OK)
		return st;
	hdr = headers_len(out->command);
	if (starts_crypto_entry(buf, len, hdr)) {
		st = locate_trailer(buf, len, hdr, &end);
		if (st != RIP_DECODE_OK)
			return st;
	}
	st = count_entries(out->command, end - hdr, &n);
	if (st != RIP_DECODE_OK)
		return st;
	br_init(&r, buf + hdr, end - hdr);
	st = decode_entries(&r, n, buf, len, out);
	if (st != RIP_DECODE_OK)
		return st;
	if (r.err)
		return RIP_DECODE_BAD_LENGTH; /* not reachable: the count came from the length */
	st = check_v1_zero_fields(out);
	return st != RIP_DECODE_OK ? st : check_route_count(out);
}

/* ---- encoding ---- */

static bool encodable(const struct rip_msg *m)
{
	if (m->nrtes > RIP_MAX_RTES || m->nrtes + (m->has_auth ? 1 : 0) > RIP_MAX_RTES)
		return false;
	if (m->command == RIP_CMD_UPDATE_ACK && m->nrtes > 0)
		return false;
	if (m->has_auth && m->auth.type == RIP_AUTH_CRYPTO && m->auth.len_covers_trailer &&
	    m->auth.auth_data_len <= AUTH_TRAILER_HDR_LEN)
		return false;
	return !m->has_auth || m->auth.type == RIP_AUTH_SIMPLE || m->auth.type == RIP_AUTH_CRYPTO;
}

static void encode_headers(struct byte_writer *w, const struct rip_msg *m)
{
	bw_u8(w, m->command);
	bw_u8(w, m->version);
	bw_zero(w, 2);
	if (!is_trigger_command(m->command))
		return;
	bw_u8(w, m->trig_version);
	bw_u8(w, m->trig_flush);
	bw_u16(w, m->trig_seq);
}

/* The authentication entry; `trailer` is where an RFC 4822 trailer will start. */
static void encode_auth(struct byte_writer *w, const struct rip_auth *a, size_t trailer)
{
	bw_u16(w, RIP_AFI_AUTH);
	bw_u16(w, a->type);
	if (a->type == RIP_AUTH_SIMPLE) {
		bw_put(w, a->password, RIP_AUTH_PASSWORD_LEN);
		return;
	}
	bw_u16(w, (uint16_t)trailer);
	bw_u8(w, a->key_id);
	bw_u8(w, a->auth_data_len);
	bw_u32(w, a->sequence);
	bw_zero(w, 8);
}

static void encode_rte(struct byte_writer *w, const struct rip_rte *e)
{
	bw_u16(w, e->afi);
	bw_u16(w, e->tag);
	bw_u32(w, e->addr);
	bw_u32(w, e->mask);
	bw_u32(w, e->nexthop);
	bw_u32(w, e->metric);
}

size_t rip_encode(const struct rip_msg *m, uint8_t *buf, size_t cap, size_t *digest_off)
{
	struct byte_writer w;
	bool crypto = m->has_auth && m->auth.type == RIP_AUTH_CRYPTO;
	size_t trailer = headers_len(m->command) + RIP_RTE_LEN * (m->nrtes + (m->has_auth ? 1 : 0));

	if (digest_off)
		*digest_off = 0;
	if (!encodable(m))
		return 0;
	bw_init(&w, buf, cap);
	encode_headers(&w, m);
	if (m->has_auth)
		encode_auth(&w, &m->auth, trailer);
	for (unsigned i = 0; i < m->nrtes; i++)
		encode_rte(&w, &m->rtes[i]);
	if (crypto) {
		bw_u16(&w, RIP_AFI_AUTH);
		bw_u16(&w, RIP_AUTH_TRAILER);
		bw_zero(&w, digest_len_of(&m->auth));
	}
	if (w.err)
		return 0;
	if (crypto && digest_off)
		*digest_off = trailer + AUTH_TRAILER_HDR_LEN;
	return w.off;
}
