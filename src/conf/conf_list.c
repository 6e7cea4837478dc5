/* SPDX-License-Identifier: ISC */
/*
 * conf_list.c — the list kinds of the configuration schema (see conf_list.h): arrays of IPv4
 * addresses ("a.b.c.d") and of IPv4 prefixes ("a.b.c.d/len", or "a.b.c.d" for a /32), each
 * element checked with FILE:LINE problems (wrong type, bad value, host bits, duplicates), and
 * free, compare and copy of the C arrays they become.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_list.h"
#include "routprotd/prefix.h"

/* What one list kind stores and how one element is read, compared and shown. */
struct list_type {
	size_t size;      /* of one element */
	const char *noun; /* in "'name' must be an array of NOUN" */
	bool (*parse)(const config_setting_t *e, const char *name, void *out,
		      struct rp_conf_diag *diag);
	bool (*same)(const void *a, const void *b);
	const char *(*format)(const void *e, char buf[RP_PREFIX4_STRLEN]);
};

static void *slot_of(void *target, size_t offset)
{
	return (char *)target + offset;
}

static const void *cslot_of(const void *target, size_t offset)
{
	return (const char *)target + offset;
}

/* ---- elements ---- */

bool conf_parse_addr_value(const config_setting_t *s, const char *name, uint32_t *out,
			   struct rp_conf_diag *diag)
{
	const char *v = config_setting_get_string(s);

	if (config_setting_type(s) != CONFIG_TYPE_STRING || !v) {
		rp_conf_diag_at(diag, s, "'%s' must be an IPv4 address string (\"a.b.c.d\")", name);
		return false;
	}
	if (!rp_addr4_parse(v, out)) {
		rp_conf_diag_at(diag, s, "'%s' is not an IPv4 address: \"%s\"", name, v);
		return false;
	}
	return true;
}

static bool addr_parse(const config_setting_t *e, const char *name, void *out,
		       struct rp_conf_diag *diag)
{
	return conf_parse_addr_value(e, name, out, diag);
}

static bool addr_same(const void *a, const void *b)
{
	return *(const uint32_t *)a == *(const uint32_t *)b;
}

static const char *addr_format(const void *e, char buf[RP_PREFIX4_STRLEN])
{
	return rp_addr4_format(*(const uint32_t *)e, buf);
}

/* "a.b.c.d/len", or "a.b.c.d" for a host route; the network address, host bits zero. */
static bool prefix_parse(const config_setting_t *e, const char *name, void *out,
			 struct rp_conf_diag *diag)
{
	const char *v = config_setting_get_string(e);
	struct rp_prefix4 p = { 0 };
	char buf[RP_PREFIX4_STRLEN];

	if (strchr(v, '/') == NULL) {
		p.len = 32;
		if (!rp_addr4_parse(v, &p.addr)) {
			rp_conf_diag_at(diag, e, "'%s' is not an IPv4 prefix: \"%s\"", name, v);
			return false;
		}
	} else if (!rp_prefix4_parse(v, &p, true)) {
		rp_conf_diag_at(diag, e, "'%s' is not an IPv4 prefix (\"a.b.c.d/len\"): \"%s\"", name,
			     v);
		return false;
	} else if (!rp_prefix4_parse(v, &p, false)) {
		rp_prefix4_parse(v, &p, true); /* masked */
		rp_conf_diag_at(diag, e, "'%s': \"%s\" has host bits set; the network is %s", name, v,
			     rp_prefix4_format(p.addr, p.len, buf));
		return false;
	}
	memcpy(out, &p, sizeof(p));
	return true;
}

static bool prefix_same(const void *a, const void *b)
{
	const struct rp_prefix4 *x = a, *y = b;

	return x->addr == y->addr && x->len == y->len;
}

static const char *prefix_format(const void *e, char buf[RP_PREFIX4_STRLEN])
{
	const struct rp_prefix4 *p = e;

	return rp_prefix4_format(p->addr, p->len, buf);
}

static const struct list_type addr_list = {
	.size = sizeof(uint32_t), .noun = "IPv4 addresses",
	.parse = addr_parse, .same = addr_same, .format = addr_format,
};

static const struct list_type prefix_list = {
	.size = sizeof(struct rp_prefix4), .noun = "IPv4 prefixes (\"a.b.c.d/len\")",
	.parse = prefix_parse, .same = prefix_same, .format = prefix_format,
};

static const struct list_type *type_of(enum rp_conf_kind kind)
{
	return kind == RP_CONF_ADDR4_LIST ? &addr_list : kind == RP_CONF_PREFIX4_LIST ? &prefix_list
									       : NULL;
}

bool conf_kind_is_list(enum rp_conf_kind kind)
{
	return type_of(kind) != NULL;
}

/* ---- lists ---- */

static bool list_has(const struct list_type *t, const char *list, size_t n, const void *e)
{
	for (size_t i = 0; i < n; i++) {
		if (t->same(list + i * t->size, e))
			return true;
	}
	return false;
}

/* Every element into list[] (room for all of them); how many were valid and unique goes to
 * *count; false when any was not. */
static bool parse_elems(const config_setting_t *s, const struct rp_conf_field *f,
			const struct list_type *t, char *list, size_t *count,
			struct rp_conf_diag *diag)
{
	char buf[RP_PREFIX4_STRLEN];
	int n = config_setting_length(s);
	bool ok = true, type_reported = false;

	*count = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		char *slot = list + *count * t->size;

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			if (!type_reported)
				rp_conf_diag_at(diag, e, "'%s' must be an array of %s", f->name,
					     t->noun);
			type_reported = true;
			ok = false;
		} else if (!t->parse(e, f->name, slot, diag)) {
			ok = false;
		} else if (list_has(t, list, *count, slot)) {
			rp_conf_diag_at(diag, e, "'%s' lists %s twice", f->name, t->format(slot, buf));
			ok = false;
		} else {
			(*count)++;
		}
	}
	return ok;
}

bool conf_list_parse(const config_setting_t *s, const struct rp_conf_field *f, void *target,
		     struct rp_conf_diag *diag)
{
	const struct list_type *t = type_of(f->kind);
	void **slot = slot_of(target, f->offset);
	char *list = NULL;
	size_t n, count;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		rp_conf_diag_at(diag, s, "'%s' must be an array of %s", f->name, t->noun);
		return false;
	}
	n = (size_t)config_setting_length(s);
	if (n > 0 && !(list = calloc(n, t->size))) {
		rp_conf_diag_at(diag, s, "out of memory");
		return false;
	}
	if (!parse_elems(s, f, t, list, &count, diag)) {
		free(list);
		return false;
	}
	free(*slot);
	*slot = list;
	*(size_t *)slot_of(target, f->count_offset) = count;
	return true;
}

void conf_list_free(const struct rp_conf_field *f, void *target)
{
	void **slot = slot_of(target, f->offset);

	free(*slot);
	conf_list_clear(f, target);
}

bool conf_list_equal(const struct rp_conf_field *f, const void *a, const void *b)
{
	const struct list_type *t = type_of(f->kind);
	const char *la = *(char *const *)cslot_of(a, f->offset);
	const char *lb = *(char *const *)cslot_of(b, f->offset);
	size_t na = *(const size_t *)cslot_of(a, f->count_offset);
	size_t nb = *(const size_t *)cslot_of(b, f->count_offset);

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		if (!list_has(t, lb, nb, la + i * t->size))
			return false;
	}
	return true;
}

bool conf_list_copy(const struct rp_conf_field *f, void *dst, const void *src)
{
	const struct list_type *t = type_of(f->kind);
	const void *from = *(void *const *)cslot_of(src, f->offset);
	size_t n = *(const size_t *)cslot_of(src, f->count_offset);
	void *copy;

	conf_list_clear(f, dst);
	if (n == 0 || !from)
		return true;
	copy = malloc(n * t->size);
	if (!copy)
		return false;
	memcpy(copy, from, n * t->size);
	*(void **)slot_of(dst, f->offset) = copy;
	*(size_t *)slot_of(dst, f->count_offset) = n;
	return true;
}

void conf_list_clear(const struct rp_conf_field *f, void *dst)
{
	*(void **)slot_of(dst, f->offset) = NULL;
	*(size_t *)slot_of(dst, f->count_offset) = 0;
}
