/* SPDX-License-Identifier: ISC */
/*
 * prefix.h — IPv4 addresses and prefixes as the daemon handles them: uint32_t in host byte order
 * (conversion happens only in the wire codec, sockets and netlink), parsing and formatting of
 * "a.b.c.d" and "a.b.c.d/len", masks.
 */
#ifndef ROUTPROTD_LIB_PREFIX_H
#define ROUTPROTD_LIB_PREFIX_H

#include <stdbool.h>
#include <stdint.h>

#define ADDR4_STRLEN 16   /* "255.255.255.255" + NUL */
#define PREFIX4_STRLEN 19 /* "255.255.255.255/32" + NUL */

struct prefix4 {
	uint32_t addr; /* host order; host bits zero when normalised */
	uint8_t len;   /* 0..32 */
};

static inline uint32_t prefix4_mask(unsigned len)
{
	return len == 0 ? 0 : (len >= 32 ? 0xffffffffu : ~(0xffffffffu >> len));
}

/* Length of a contiguous mask, or -1 when the mask has holes. */
int mask4_to_len(uint32_t mask);

bool addr4_parse(const char *s, uint32_t *out);
/* Accepts "a.b.c.d/len"; host bits must be zero unless `allow_host_bits`. */
bool prefix4_parse(const char *s, struct prefix4 *out, bool allow_host_bits);

const char *addr4_format(uint32_t addr, char buf[ADDR4_STRLEN]);
const char *prefix4_format(uint32_t addr, unsigned len, char buf[PREFIX4_STRLEN]);

/* True when `addr` lies inside addr/len of `net`. */
static inline bool prefix4_contains(uint32_t net, unsigned len, uint32_t addr)
{
	return ((net ^ addr) & prefix4_mask(len)) == 0;
}

#endif
