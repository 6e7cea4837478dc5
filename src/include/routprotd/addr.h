/* SPDX-License-Identifier: ISC */
/*
 * addr.h — the one address type for IPv4 and IPv6: a prefix of a family, a length and 16 bytes
 * in network byte order (IPv4 in the first 4). An address is a prefix of full length (32 or
 * 128), so routes, next hops, bindings and redistributed routes can share it. Parsing and
 * formatting ("198.18.0.0/15", "2001:db8::/32", "fe80::1"), masks, containment, an order for
 * trees, and the conversions from and to the IPv4 uint32_t (host byte order) used elsewhere.
 * Bytes past a prefix's family size and host bits of a normalised prefix are always zero, so
 * two prefixes are equal exactly when their bytes are.
 */
#ifndef RP_SDK_ADDR_H
#define RP_SDK_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h> /* AF_INET, AF_INET6 */

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" + NUL */
#define RP_PREFIX_STRLEN 50

struct rp_prefix {
	uint8_t family;    /* AF_INET or AF_INET6; 0 = none */
	uint8_t len;       /* 0..32 or 0..128 */
	uint8_t bytes[16]; /* network byte order; unused bytes zero */
};

/* Flags of rp_prefix_parse. */
#define RP_PARSE_HOST_BITS 0x1u /* host bits may be set (an address with its subnet length) */
#define RP_PARSE_NO_LENGTH 0x2u /* "a.b.c.d" or "x::y" without "/len" is a full-length prefix */

/* 32 for AF_INET, 128 for AF_INET6, 0 for anything else. */
unsigned rp_family_bits(int family);

/* An IPv4 prefix from host byte order; host bits are cleared. len above 32 is taken as 32. */
struct rp_prefix rp_prefix_v4(uint32_t addr, unsigned len);
/* An IPv6 prefix from 16 bytes in network order; host bits are cleared. */
struct rp_prefix rp_prefix_v6(const uint8_t bytes[16], unsigned len);
/* The IPv4 address of p in host byte order; false when p is not IPv4. */
bool rp_prefix_to_v4(const struct rp_prefix *p, uint32_t *addr);

/* Clears the host bits; false (and p unchanged) when the family or the length is invalid. */
bool rp_prefix_normalise(struct rp_prefix *p);
bool rp_prefix_has_host_bits(const struct rp_prefix *p);

/* Parses a prefix (see the RP_PARSE_* flags); false for anything else, out untouched. */
bool rp_prefix_parse(const char *s, struct rp_prefix *out, unsigned flags);
/* "addr/len"; addresses of full length also "addr/len" (use rp_addr_format for "addr"). */
const char *rp_prefix_format(const struct rp_prefix *p, char buf[RP_PREFIX_STRLEN]);
/* The address alone, without "/len". */
const char *rp_addr_format(const struct rp_prefix *p, char buf[RP_PREFIX_STRLEN]);

/* True when addr (of any length) lies inside net: same family, net->len <= addr->len, and
 * the first net->len bits equal. */
bool rp_prefix_contains(const struct rp_prefix *net, const struct rp_prefix *addr);
/* A total order: family, then bytes, then length (shorter first). */
int rp_prefix_cmp(const struct rp_prefix *a, const struct rp_prefix *b);
bool rp_prefix_equal(const struct rp_prefix *a, const struct rp_prefix *b);

/* IPv6 fe80::/10, or IPv4 169.254.0.0/16. */
bool rp_addr_is_link_local(const struct rp_prefix *p);
/* 0.0.0.0 or :: (whatever the length). */
bool rp_addr_is_unspecified(const struct rp_prefix *p);
/* IPv4 224.0.0.0/4 or IPv6 ff00::/8. */
bool rp_addr_is_multicast(const struct rp_prefix *p);

#endif
