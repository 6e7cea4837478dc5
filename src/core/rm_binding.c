/* SPDX-License-Identifier: ISC */
/*
 * rm_binding.c — the whole binding of an interface, both families: the IPv4 addresses of a link
 * snapshot (as rp_local_binding) and its IPv6 addresses (with their flags) merged into one
 * sorted, de-duplicated array of rp_bound_address (IPv4 first, since rp_prefix_cmp orders by
 * family), compared to notice any change, and shown as JSON.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "core/rm_internal.h"

static int bound_cmp(const void *a, const void *b)
{
	const struct rp_bound_address *x = a, *y = b;
	int c = rp_prefix_cmp(&x->address, &y->address);

	if (c == 0)
		c = rp_prefix_cmp(&x->peer, &y->peer);
	if (c == 0 && x->flags != y->flags)
		c = x->flags < y->flags ? -1 : 1;
	return c;
}

static struct rp_bound_address bound_v4(const struct rp_local_binding *b)
{
	struct rp_bound_address a = { .address = rp_prefix_v4(b->address, 32) };

	a.address.len = b->prefixlen <= 32 ? b->prefixlen : 32;
	if (b->peer)
		a.peer = rp_prefix_v4(b->peer, 32);
	if (rp_addr_is_link_local(&a.address))
		a.flags |= RP_ADDR_LINK_LOCAL;
	return a;
}

/* The IPv6 entries of a snapshot that make sense; anything else is left out. */
static bool usable_v6(const struct rp_bound_address *a)
{
	return a->address.family == AF_INET6 && a->address.len <= 128 &&
	       (a->peer.family == 0 || a->peer.family == AF_INET6);
}

bool rm_binding_build(const struct rm_link *l, const struct rp_local_binding *v4, unsigned n4,
		      struct rp_bound_address **out, unsigned *n)
{
	size_t cap = (size_t)n4 + l->naddrs6;
	struct rp_bound_address *a = NULL;
	unsigned k = 0;

	if (cap > 0) {
		a = calloc(cap, sizeof(*a));
		if (!a)
			return false;
	}
	for (unsigned i = 0; i < n4; i++)
		a[k++] = bound_v4(&v4[i]);
	for (unsigned i = 0; i < l->naddrs6; i++) {
		if (!usable_v6(&l->addrs6[i]))
			continue;
		a[k] = l->addrs6[i];
		a[k].flags &= RP_ADDR_FLAGS_ALL;
		if (rp_addr_is_link_local(&a[k].address))
			a[k].flags |= RP_ADDR_LINK_LOCAL;
		k++;
	}
	if (k > 0)
		qsort(a, k, sizeof(*a), bound_cmp);
	*n = 0;
	for (unsigned i = 0; i < k; i++)
		if (*n == 0 || bound_cmp(&a[*n - 1], &a[i]) != 0)
			a[(*n)++] = a[i];
	*out = a;
	return true;
}

bool rm_binding_equal(const struct rp_bound_address *a, unsigned na,
		      const struct rp_bound_address *b, unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++)
		if (bound_cmp(&a[i], &b[i]) != 0)
			return false;
	return true;
}

/* The entries of one family: a sorted binding holds them in one run. */
static const struct rp_bound_address *family_run(const struct rp_bound_address *a, unsigned n,
						 int family, unsigned *count)
{
	unsigned i = 0, k;

	if (!a) {
		*count = 0;
		return a;
	}
	while (i < n && a[i].address.family != family)
		i++;
	for (k = i; k < n && a[k].address.family == family; k++)
		;
	*count = k - i;
	return a + i;
}

unsigned rm_binding_changed_families(const struct rp_bound_address *a, unsigned na,
				     const struct rp_bound_address *b, unsigned nb)
{
	static const struct { int family; unsigned bit; } fams[] = {
		{ AF_INET, RM_FAMILY_IPV4 }, { AF_INET6, RM_FAMILY_IPV6 },
	};
	unsigned changed = 0;

	for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		unsigned ca, cb;
		const struct rp_bound_address *ra = family_run(a, na, fams[f].family, &ca);
		const struct rp_bound_address *rb = family_run(b, nb, fams[f].family, &cb);

		if (!rm_binding_equal(ra, ca, rb, cb))
			changed |= fams[f].bit;
	}
	return changed;
}

json_t *rm_families_json(unsigned families)
{
	json_t *arr = json_array();

	if (arr && (families & RM_FAMILY_IPV4))
		json_array_append_new(arr, json_string("ipv4"));
	if (arr && (families & RM_FAMILY_IPV6))
		json_array_append_new(arr, json_string("ipv6"));
	return arr;
}

json_t *rm_binding_addresses_json(const struct rp_bound_address *a, unsigned n)
{
	json_t *arr = json_array();
	char buf[RP_PREFIX_STRLEN];

	for (unsigned i = 0; arr && i < n; i++)
		json_array_append_new(arr, json_string(rp_prefix_format(&a[i].address, buf)));
	return arr;
}

static json_t *flags_json(unsigned flags)
{
	json_t *arr = json_array();

	for (unsigned bit = 1; arr && bit <= RP_ADDR_FLAGS_ALL; bit <<= 1)
		if ((flags & bit) && rp_addr_flag_name(bit))
			json_array_append_new(arr, json_string(rp_addr_flag_name(bit)));
	return arr;
}

json_t *rm_binding_flags_json(const struct rp_bound_address *a, unsigned n)
{
	json_t *o = json_object();
	char buf[RP_PREFIX_STRLEN];

	for (unsigned i = 0; o && i < n; i++)
		if (a[i].flags)
			json_object_set_new(o, rp_prefix_format(&a[i].address, buf),
					    flags_json(a[i].flags));
	return o;
}
