/* SPDX-License-Identifier: ISC */
/* addr.c — the one address and prefix type for IPv4 and IPv6 (see addr.h). */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "routprotd/addr.h"

unsigned rp_family_bits(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

/* Clears every bit from `len` on, up to the end of the 16 bytes. */
static void clear_from(uint8_t bytes[16], unsigned len)
{
	unsigned i = len / 8;

	if (len % 8) {
		bytes[i] &= (uint8_t)(0xffu << (8 - len % 8));
		i++;
	}
	if (i < 16)
		memset(bytes + i, 0, 16 - i);
}

struct rp_prefix rp_prefix_v4(uint32_t addr, unsigned len)
{
	struct rp_prefix p = { .family = AF_INET, .len = (uint8_t)(len > 32 ? 32 : len) };

	p.bytes[0] = (uint8_t)(addr >> 24);
	p.bytes[1] = (uint8_t)(addr >> 16);
	p.bytes[2] = (uint8_t)(addr >> 8);
	p.bytes[3] = (uint8_t)addr;
	clear_from(p.bytes, p.len);
	return p;
}

struct rp_prefix rp_prefix_v6(const uint8_t bytes[16], unsigned len)
{
	struct rp_prefix p = { .family = AF_INET6, .len = (uint8_t)(len > 128 ? 128 : len) };

	memcpy(p.bytes, bytes, 16);
	clear_from(p.bytes, p.len);
	return p;
}

bool rp_prefix_to_v4(const struct rp_prefix *p, uint32_t *addr)
{
	if (p->family != AF_INET)
		return false;
	*addr = (uint32_t)p->bytes[0] << 24 | (uint32_t)p->bytes[1] << 16 |
		(uint32_t)p->bytes[2] << 8 | p->bytes[3];
	return true;
}

bool rp_prefix_normalise(struct rp_prefix *p)
{
	unsigned bits = rp_family_bits(p->family);

	if (!bits || p->len > bits)
		return false;
	clear_from(p->bytes, p->len);
	return true;
}

bool rp_prefix_has_host_bits(const struct rp_prefix *p)
{
	struct rp_prefix n = *p;

	return rp_prefix_normalise(&n) && memcmp(n.bytes, p->bytes, 16) != 0;
}

/* "len" of a prefix: decimal, no sign, no leading zero, at most `bits`. */
static bool parse_len(const char *s, unsigned bits, unsigned *len)
{
	unsigned v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > bits)
			return false;
	}
	*len = v;
	return true;
}

/* The address part: IPv4 first (so "1.2.3.4" is never read as IPv6), then IPv6. */
static bool parse_address(const char *s, struct rp_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, s, p->bytes) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, s, p->bytes) == 1)
		p->family = AF_INET6;
	else
		return false;
	p->len = (uint8_t)rp_family_bits(p->family);
	return true;
}

bool rp_prefix_parse(const char *s, struct rp_prefix *out, unsigned flags)
{
	char buf[RP_PREFIX_STRLEN];
	const char *slash;
	struct rp_prefix p;
	unsigned len;
	size_t alen;

	if (!s)
		return false;
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(buf) || (!slash && !(flags & RP_PARSE_NO_LENGTH)))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!parse_address(buf, &p))
		return false;
	if (slash) {
		if (!parse_len(slash + 1, rp_family_bits(p.family), &len))
			return false;
		p.len = (uint8_t)len;
	}
	if (!(flags & RP_PARSE_HOST_BITS) && rp_prefix_has_host_bits(&p))
		return false;
	*out = p;
	return true;
}

const char *rp_addr_format(const struct rp_prefix *p, char buf[RP_PREFIX_STRLEN])
{
	if (!rp_family_bits(p->family) || !inet_ntop(p->family, p->bytes, buf, RP_PREFIX_STRLEN))
		snprintf(buf, RP_PREFIX_STRLEN, "?");
	return buf;
}

const char *rp_prefix_format(const struct rp_prefix *p, char buf[RP_PREFIX_STRLEN])
{
	size_t n;

	rp_addr_format(p, buf);
	if (buf[0] != '?') {
		n = strlen(buf);
		snprintf(buf + n, RP_PREFIX_STRLEN - n, "/%u", p->len);
	}
	return buf;
}

bool rp_prefix_contains(const struct rp_prefix *net, const struct rp_prefix *addr)
{
	struct rp_prefix n = *net, a = *addr;

	if (n.family != a.family || n.len > a.len || !rp_family_bits(n.family))
		return false;
	clear_from(n.bytes, n.len);
	clear_from(a.bytes, n.len);
	return memcmp(a.bytes, n.bytes, 16) == 0;
}

int rp_prefix_cmp(const struct rp_prefix *a, const struct rp_prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->bytes, b->bytes, 16);
	if (c)
		return c < 0 ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

bool rp_prefix_equal(const struct rp_prefix *a, const struct rp_prefix *b)
{
	return rp_prefix_cmp(a, b) == 0;
}

bool rp_addr_is_link_local(const struct rp_prefix *p)
{
	if (p->family == AF_INET6)
		return p->bytes[0] == 0xfe && (p->bytes[1] & 0xc0) == 0x80;
	return p->family == AF_INET && p->bytes[0] == 169 && p->bytes[1] == 254;
}

bool rp_addr_is_unspecified(const struct rp_prefix *p)
{
	static const uint8_t zero[16];

	return rp_family_bits(p->family) && memcmp(p->bytes, zero, 16) == 0;
}

bool rp_addr_is_multicast(const struct rp_prefix *p)
{
	if (p->family == AF_INET6)
		return p->bytes[0] == 0xff;
	return p->family == AF_INET && (p->bytes[0] & 0xf0) == 0xe0;
}
