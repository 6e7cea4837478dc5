/* SPDX-License-Identifier: ISC */
/*
 * rip_codec.h — RIP messages between bytes and structs, as pure functions (no sockets, no state,
 * no clock). Decoding checks the envelope only — the parts whose damage makes the whole packet
 * untrustworthy: header length, command, version, the zero fields of RIPv1, the length formula
 * 4 [+ 4 for RFC 2091] + 20·n (+ the RFC 4822 trailer), the entry count, the shape of an
 * authentication entry. Entry contents (AFI, address class, mask, metric, next hop) are left to
 * the receive path, which skips bad entries one by one. Encoding writes exactly what the struct
 * says. Both use the bounds-checked cursors of rip_bytes.h.
 */
#ifndef ROUTPROTD_RIP_CODEC_H
#define ROUTPROTD_RIP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rip/rip_wire.h"

/* One route entry, host byte order, exactly as on the wire. */
struct rip_rte {
	uint16_t afi;
	uint16_t tag;     /* RIPv2 route tag; RIPv1: must-be-zero field */
	uint32_t addr;
	uint32_t mask;    /* RIPv1: must be zero */
	uint32_t nexthop; /* RIPv1: must be zero */
	uint32_t metric;
};

/* The authentication entry (AFI 0xFFFF, always the first entry) and, for RFC 4822, its trailer. */
struct rip_auth {
	uint16_t type;                            /* RIP_AUTH_SIMPLE or RIP_AUTH_CRYPTO */
	uint8_t password[RIP_AUTH_PASSWORD_LEN];  /* simple: the 16 bytes as sent */
	uint16_t packet_len;  /* crypto: trailer offset (= bytes covered before the digest) */
	uint8_t key_id;
	uint8_t auth_data_len; /* crypto: the length announced in the entry */
	bool len_covers_trailer; /* crypto: auth_data_len counts the 4-byte trailer header too
				    (RFC 2082 convention, still sent by BIRD and old ripd for
				    Keyed-MD5); the digest is then auth_data_len - 4 bytes */
	uint32_t sequence;
	const uint8_t *digest; /* crypto: points into the decoded buffer, digest_len bytes */
	uint8_t digest_len;
};

struct rip_msg {
	uint8_t command;
	uint8_t version;
	/* RFC 2091 header, present for commands 9, 10, 11 */
	uint8_t trig_version;
	uint8_t trig_flush;
	uint16_t trig_seq;
	bool has_auth;
	struct rip_auth auth;
	unsigned nrtes; /* route entries, the authentication entry not counted */
	struct rip_rte rtes[RIP_MAX_RTES];
};

enum rip_decode_status {
	RIP_DECODE_OK = 0,
	RIP_DECODE_TOO_SHORT,       /* shorter than the header(s) */
	RIP_DECODE_BAD_VERSION,     /* version 0 (above 2 decodes as 2) */
	RIP_DECODE_BAD_COMMAND,     /* not 1, 2, 9, 10 or 11 */
	RIP_DECODE_NONZERO_HEADER,  /* version 1: the header's must-be-zero bytes are set */
	RIP_DECODE_BAD_LENGTH,      /* body is not a whole number of 20-byte entries */
	RIP_DECODE_NO_ENTRIES,      /* no entry where at least one is required */
	RIP_DECODE_TOO_MANY,        /* more than 25 entries (authentication entry included) */
	RIP_DECODE_BAD_AUTH,        /* authentication entry or trailer malformed or misplaced */
	RIP_DECODE_BAD_TRIGGER,     /* RFC 2091 header with a version other than 1, or an Update
				       Response with a flush flag other than 0 or 1 */
	RIP_DECODE_NONZERO_MBZ,     /* version 1: an entry's must-be-zero field is set */
};

const char *rip_decode_status_name(enum rip_decode_status s); /* short, for logs and counters */

/* Decode `len` bytes. On anything but RIP_DECODE_OK, `out` is unspecified. A version above 2
 * decodes as version 2 (RFC 2453 5), its header's must-be-zero bytes unchecked; version 1
 * with a must-be-zero field set in the header or in any entry is refused whole. An Update
 * Acknowledge (11) carries no route entries (one is RIP_DECODE_BAD_LENGTH), though it may carry
 * an authentication entry; an Update Response (10) may be empty (an empty table, a goodbye);
 * every other command needs at least one route entry (a request with none decodes as
 * RIP_DECODE_NO_ENTRIES, which the caller ignores quietly). Version 1 packets
 * may not carry an authentication entry. Any fault in an RFC 4822 trailer's geometry (offset
 * outside the packet or off the entry grid, wrong trailer words, digest length other than
 * auth_data_len) is RIP_DECODE_BAD_AUTH. `out->auth.digest` points into `buf`. */
enum rip_decode_status rip_decode(const uint8_t *buf, size_t len, struct rip_msg *out);

/* Encode into buf (cap bytes). Writes the RFC 2091 header for commands 9-11, then the
 * authentication entry if has_auth (simple: the password; crypto: the entry with
 * key_id/auth_data_len/sequence and a packet_len computed from nrtes — the struct's packet_len
 * is ignored —, and a trailer of 0xFFFF 0x0001 followed by auth_data_len zero bytes for the
 * caller to fill with the digest), then the entries.
 * Returns the length, or 0 if it does not fit or the message is invalid (nrtes > 25,
 * nrtes + has_auth > 25, an Update Acknowledge with route entries, an authentication type
 * other than simple or crypto). *digest_off (digest_off may be NULL) receives the trailer
 * digest's offset for crypto, 0 otherwise. */
size_t rip_encode(const struct rip_msg *m, uint8_t *buf, size_t cap, size_t *digest_off);

#endif
