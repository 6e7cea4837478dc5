/* SPDX-License-Identifier: ISC */
/*
 * prefix.h — IPv4 addresses and prefixes as the daemon handles them: uint32_t in host byte order
 * (conversion happens only in the wire codec, sockets and netlink), parsing and formatting of
 * "a.b.c.d" and "a.b.c.d/len", masks.
 */
#ifndef RP_SDK_PREFIX_H
#define RP_SDK_PREFIX_H

#include <stdbool.h>
#include <stdint.h>

#define RP_ADDR4_STRLEN 16   /* "255.255.255.255" + NUL */
#define RP_PREFIX4_STRLEN 19 /* "255.255.255.255/32" + NUL */

struct rp_prefix4 {
	uint32_t addr; /* host order; host bits zero when normalised */
	uint8_t len;   /* 0..32 */
};

static inline uint32_t rp_prefix4_mask(unsigned len)
{
	return len == 0 ? 0 : (len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len));
}

/* Length of a contiguous mask, or -1 when the mask has holes. */
int rp_mask4_to_len(uint32_t mask);

bool rp_addr4_parse(const char *s, uint32_t *out);
/* Accepts "a.b.c.d/len"; host bits must be zero unless `allow_host_bits`. */
bool rp_prefix4_parse(const char *s, struct rp_prefix4 *out, bool allow_host_bits);

const char *rp_addr4_format(uint32_t addr, char buf[RP_ADDR4_STRLEN]);
const char *rp_prefix4_format(uint32_t addr, unsigned len, char buf[RP_PREFIX4_STRLEN]);

/* True when `addr` lies inside addr/len of `net`. */
static inline bool rp_prefix4_contains(uint32_t net, unsigned len, uint32_t addr)
{
	return ((net ^ addr) & rp_prefix4_mask(len)) == 0;
}

#endif
