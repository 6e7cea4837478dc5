/* SPDX-License-Identifier: ISC */
/* prefix.c — IPv4 address and prefix parsing and formatting (see prefix.h). */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routprotd/prefix.h"

int rp_mask4_to_len(uint32_t mask)
{
	int len = 0;

	while (len < 32 && (mask & (0x80000000u >> len)))
		len++;
	return rp_prefix4_mask((unsigned)len) == mask ? len : -1;
}

bool rp_addr4_parse(const char *s, uint32_t *out)
{
	struct in_addr in;

	if (!s || inet_pton(AF_INET, s, &in) != 1)
		return false;
	*out = ntohl(in.s_addr);
	return true;
}

bool rp_prefix4_parse(const char *s, struct rp_prefix4 *out, bool allow_host_bits)
{
	char buf[RP_PREFIX4_STRLEN + 1];
	const char *slash;
	char *end;
	unsigned long len;
	uint32_t addr;
	size_t alen;

	if (!s || !(slash = strchr(s, '/')))
		return false;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= RP_ADDR4_STRLEN)
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!rp_addr4_parse(buf, &addr))
		return false;
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || len > 32 || end - (slash + 1) > 2)
		return false;
	if (!allow_host_bits && (addr & ~rp_prefix4_mask((unsigned)len)))
		return false;
	out->addr = addr & rp_prefix4_mask((unsigned)len);
	out->len = (uint8_t)len;
	return true;
}

const char *rp_addr4_format(uint32_t addr, char buf[RP_ADDR4_STRLEN])
{
	snprintf(buf, RP_ADDR4_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

const char *rp_prefix4_format(uint32_t addr, unsigned len, char buf[RP_PREFIX4_STRLEN])
{
	snprintf(buf, RP_PREFIX4_STRLEN, "%u.%u.%u.%u/%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff, len);
	return buf;
}
