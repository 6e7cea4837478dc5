/* SPDX-License-Identifier: ISC */
/*
 * conf_schema.c — the table-driven checker behind rp_conf_parse_fields(): one parser per
 * enum rp_conf_kind, each reporting its own problems with FILE:LINE, plus the helpers that let
 * callers free, compare and clone the structs such tables describe, and the "did you mean"
 * suggestion for misspelt keys.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_list.h"
#include "routprotd/conf_schema.h"
#include "conf/conf_source.h"
#include "routprotd/prefix.h"

#define CHOICES_TEXT_MAX 256 /* "a, b, c" as shown in messages */
#define SUGGEST_MAX_LEN 64   /* longer words get no suggestion */

static void *field_ptr(void *target, size_t offset)
{
	return (char *)target + offset;
}

static const void *field_cptr(const void *target, size_t offset)
{
	return (const char *)target + offset;
}

/* ---- suggestions ---- */

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment distance (Levenshtein plus adjacent transpositions). Both words are
 * at most SUGGEST_MAX_LEN bytes long. */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t rows[3][SUGGEST_MAX_LEN + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *tmp;

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		tmp = prev2;
		prev2 = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

/* How far a word may be from a candidate and still be taken for a typo of it. */
static size_t suggest_limit(size_t len)
{
	if (len <= 3)
		return 1;
	if (len <= 8)
		return 2;
	return len / 3;
}

struct suggestion {
	const char *word;
	size_t len;
	const char *best;
	size_t distance;
};

static void suggestion_try(struct suggestion *sg, const char *candidate)
{
	size_t lc, d;

	if (!candidate)
		return;
	lc = strlen(candidate);
	if (lc > SUGGEST_MAX_LEN)
		return;
	d = edit_distance(sg->word, sg->len, candidate, lc);
	if (d <= suggest_limit(sg->len) && d < lc && (!sg->best || d < sg->distance)) {
		sg->best = candidate;
		sg->distance = d;
	}
}

static bool suggestion_start(struct suggestion *sg, const char *word)
{
	memset(sg, 0, sizeof(*sg));
	sg->word = word;
	sg->len = word ? strlen(word) : 0;
	return word && sg->len > 0 && sg->len <= SUGGEST_MAX_LEN;
}

const char *rp_conf_suggest(const char *word, const char *const *candidates, size_t n)
{
	struct suggestion sg;

	if (!suggestion_start(&sg, word))
		return NULL;
	for (size_t i = 0; i < n; i++)
		suggestion_try(&sg, candidates[i]);
	return sg.best;
}

/* Closest key among the table and the names left to the caller. */
static const char *suggest_key(const char *word, const struct rp_conf_field *fields, size_t nfields,
			       const char *const *skip)
{
	struct suggestion sg;

	if (!suggestion_start(&sg, word))
		return NULL;
	for (size_t i = 0; i < nfields; i++)
		suggestion_try(&sg, fields[i].name);
	for (size_t i = 0; skip && skip[i]; i++)
		suggestion_try(&sg, skip[i]);
	return sg.best;
}

/* ---- small helpers shared by the kind parsers ---- */

static const char *choices_text(const char *const *choices, char buf[CHOICES_TEXT_MAX])
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; choices && choices[i]; i++) {
		int n = snprintf(buf + used, CHOICES_TEXT_MAX - used, "%s%s", i ? ", " : "",
				 choices[i]);

		if (n < 0 || (size_t)n >= CHOICES_TEXT_MAX - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

static int choice_index(const char *const *choices, const char *value)
{
	for (int i = 0; choices && choices[i]; i++) {
		if (strcmp(choices[i], value) == 0)
			return i;
	}
	return -1;
}

static bool setting_integer(const config_setting_t *s, long long *out)
{
	int type = config_setting_type(s);

	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return false;
	*out = config_setting_get_int64(s);
	return true;
}

static bool is_sequence(const config_setting_t *s)
{
	return config_setting_is_array(s) || config_setting_is_list(s);
}

/* ---- one parser per kind: report through diag, store into target only when valid ---- */

static bool parse_bool(const config_setting_t *s, const struct rp_conf_field *f, void *target,
		       struct rp_conf_diag *diag)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		rp_conf_diag_at(diag, s, "'%s' must be true or false", f->name);
		return false;
	}
	*(bool *)field_ptr(target, f->offset) = config_setting_get_bool(s) != 0;
	return true;
}

/* Integers in range; the hint covers libconfig 1.5, which wraps plain decimal or hex integers
 * above INT_MAX into negative ints unless they carry an L suffix. */
bool rp_conf_parse_integer(const config_setting_t *s, const char *name, long long min,
			long long max, long long *out, struct rp_conf_diag *diag)
{
	long long v, literal;

	if (!setting_integer(s, &v)) {
		rp_conf_diag_at(diag, s, "'%s' must be an integer", name);
		return false;
	}
	if (conf_source_wrapped(s, &literal)) {
		rp_conf_diag_at(diag, s,
			     "'%s' must be between %lld and %lld (got %lld, which does not fit in "
			     "32 bits: write larger integers with an L suffix, e.g. %lldL)",
			     name, min, max, literal, max);
		return false;
	}
	if (v >= min && v <= max) {
		*out = v;
		return true;
	}
	if (config_setting_type(s) == CONFIG_TYPE_INT && v < 0 && min >= 0 && max > INT_MAX)
		rp_conf_diag_at(diag, s,
			     "'%s' must be between %lld and %lld (got %lld; write integers above "
			     "%d with an L suffix, e.g. %lldL)",
			     name, min, max, v, INT_MAX, max);
	else
		rp_conf_diag_at(diag, s, "'%s' must be between %lld and %lld (got %lld)", name, min,
			     max, v);
	return false;
}

static bool parse_int(const config_setting_t *s, const struct rp_conf_field *f, void *target,
		      struct rp_conf_diag *diag)
{
	long long min = f->min, max = f->max, v;

	if (min == 0 && max == 0) {
		min = INT_MIN;
		max = INT_MAX;
	}
	if (!rp_conf_parse_integer(s, f->name, min, max, &v, diag))
		return false;
	*(int *)field_ptr(target, f->offset) = (int)v;
	return true;
}

static bool parse_u32(const config_setting_t *s, const struct rp_conf_field *f, void *target,
		      struct rp_conf_diag *diag)
{
	long long min = f->min < 0 ? 0 : f->min, max = f->max, v;

	if ((max == 0 && f->min == 0) || max > (long long)UINT32_MAX)
		max = UINT32_MAX;
	if (!rp_conf_parse_integer(s, f->name, min, max, &v, diag))
		return false;
	*(uint32_t *)field_ptr(target, f->offset) = (uint32_t)v;
	return true;
}

static bool parse_string(const config_setting_t *s, const struct rp_conf_field *f, void *target,
			 struct rp_conf_diag *diag)
{
	char **slot = field_ptr(target, f->offset);
	const char *v = config_setting_get_string(s);
	char *copy;

	if (config_setting_type(s) != CONFIG_TYPE_STRING || !v) {
		rp_conf_diag_at(diag, s, "'%s' must be a string", f->name);
		return false;
	}
	if (f->max > 0 && strlen(v) > (unsigned long long)f->max) {
		rp_conf_diag_at(diag, s, "'%s' is too long (%zu bytes, at most %lld)", f->name,
			     strlen(v), f->max);
		return false;
	}
	copy = strdup(v);
	if (!copy) {
		rp_conf_diag_at(diag, s, "out of memory");
		return false;
	}
	free(*slot);
	*slot = copy;
	return true;
}

static bool parse_choice(const config_setting_t *s, const struct rp_conf_field *f, void *target,
			 struct rp_conf_diag *diag)
{
	char text[CHOICES_TEXT_MAX];
	const char *v = config_setting_get_string(s);
	int idx;

	if (config_setting_type(s) != CONFIG_TYPE_STRING || !v) {
		rp_conf_diag_at(diag, s, "'%s' must be one of: %s", f->name,
			     choices_text(f->choices, text));
		return false;
	}
	idx = choice_index(f->choices, v);
	if (idx < 0) {
		rp_conf_diag_at(diag, s, "'%s' must be one of: %s (got \"%s\")", f->name,
			     choices_text(f->choices, text), v);
		return false;
	}
	*(int *)field_ptr(target, f->offset) = idx;
	return true;
}

/* One string element of a RP_CONF_FLAGS sequence into *bits; false after reporting it. */
static bool parse_flag(const config_setting_t *e, const struct rp_conf_field *f, unsigned *bits,
		       struct rp_conf_diag *diag)
{
	char text[CHOICES_TEXT_MAX];
	const char *v = config_setting_get_string(e);
	int idx;

	idx = choice_index(f->choices, v);
	if (idx < 0 || (size_t)idx >= sizeof(unsigned) * CHAR_BIT) {
		rp_conf_diag_at(diag, e, "'%s' values must be among: %s (got \"%s\")", f->name,
			     choices_text(f->choices, text), v);
		return false;
	}
	if (*bits & (1u << idx)) {
		rp_conf_diag_at(diag, e, "'%s' lists \"%s\" twice", f->name, v);
		return false;
	}
	*bits |= 1u << idx;
	return true;
}

static bool parse_flags(const config_setting_t *s, const struct rp_conf_field *f, void *target,
			struct rp_conf_diag *diag)
{
	char text[CHOICES_TEXT_MAX];
	unsigned bits = 0;
	bool ok = true;
	int n;

	if (!is_sequence(s)) {
		rp_conf_diag_at(diag, s, "'%s' must be an array of strings from: %s", f->name,
			     choices_text(f->choices, text));
		return false;
	}
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			if (ok) /* once: an array of ints would repeat it for each element */
				rp_conf_diag_at(diag, e, "'%s' must be an array of strings from: %s",
					     f->name, choices_text(f->choices, text));
			ok = false;
		} else if (!parse_flag(e, f, &bits, diag)) {
			ok = false;
		}
	}
	if (ok)
		*(unsigned *)field_ptr(target, f->offset) = bits;
	return ok;
}


static bool parse_addr4(const config_setting_t *s, const struct rp_conf_field *f, void *target,
			struct rp_conf_diag *diag)
{
	uint32_t a;

	if (!conf_parse_addr_value(s, f->name, &a, diag))
		return false;
	*(uint32_t *)field_ptr(target, f->offset) = a;
	return true;
}




static bool parse_field(const config_setting_t *s, const struct rp_conf_field *f, void *target,
			struct rp_conf_diag *diag)
{
	switch (f->kind) {
	case RP_CONF_BOOL:
		return parse_bool(s, f, target, diag);
	case RP_CONF_INT:
		return parse_int(s, f, target, diag);
	case RP_CONF_U32:
		return parse_u32(s, f, target, diag);
	case RP_CONF_STRING:
		return parse_string(s, f, target, diag);
	case RP_CONF_CHOICE:
		return parse_choice(s, f, target, diag);
	case RP_CONF_FLAGS:
		return parse_flags(s, f, target, diag);
	case RP_CONF_ADDR4:
		return parse_addr4(s, f, target, diag);
	case RP_CONF_ADDR4_LIST:
	case RP_CONF_PREFIX4_LIST:
		return conf_list_parse(s, f, target, diag);
	}
	rp_conf_diag_at(diag, s, "'%s': internal error: unknown field kind %d", f->name,
		     (int)f->kind);
	return false;
}

/* ---- the table walk ---- */

static bool name_in(const char *name, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++) {
		if (strcmp(list[i], name) == 0)
			return true;
	}
	return false;
}

static const struct rp_conf_field *find_field(const struct rp_conf_field *fields, size_t nfields,
					   const char *name)
{
	for (size_t i = 0; i < nfields; i++) {
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	}
	return NULL;
}

static void report_unknown(const config_setting_t *s, const struct rp_conf_field *fields,
			   size_t nfields, const char *const *skip, const char *where,
			   struct rp_conf_diag *diag)
{
	const char *name = config_setting_name(s);
	const char *hint = suggest_key(name, fields, nfields, skip);
	char in[CHOICES_TEXT_MAX];

	if (where)
		snprintf(in, sizeof(in), " in '%s'", where);
	if (hint)
		rp_conf_diag_at(diag, s, "unknown %skey '%s'%s, did you mean '%s'?",
			     where ? "" : "top-level ", name, where ? in : "", hint);
	else
		rp_conf_diag_at(diag, s, "unknown %skey '%s'%s", where ? "" : "top-level ", name,
			     where ? in : "");
}

bool rp_conf_parse_fields(const config_setting_t *group, const struct rp_conf_field *fields,
		       size_t nfields, const char *const *skip, const char *where, void *target,
		       struct rp_conf_diag *diag)
{
	const char *name = config_setting_name(group);
	bool ok = true;
	int n;

	if (!where)
		where = name; /* NULL for the root: "unknown top-level key" */
	if (!config_setting_is_group(group)) {
		rp_conf_diag_at(diag, group, "'%s' must be a group: { ... }", where ? where : "?");
		return false;
	}
	n = config_setting_length(group);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const struct rp_conf_field *f;

		name = config_setting_name(s);
		if (!name || name_in(name, skip))
			continue;
		f = find_field(fields, nfields, name);
		if (!f) {
			report_unknown(s, fields, nfields, skip, where, diag);
			ok = false;
		} else if (!parse_field(s, f, target, diag) ||
			   (f->check && !f->check(s, target, diag))) {
			ok = false;
		}
	}
	return ok;
}

/* ---- free, compare, copy ---- */

void rp_conf_free_fields(const struct rp_conf_field *fields, size_t nfields, void *target)
{
	for (size_t i = 0; i < nfields; i++) {
		const struct rp_conf_field *f = &fields[i];

		if (f->kind == RP_CONF_STRING) {
			char **slot = field_ptr(target, f->offset);

			free(*slot);
			*slot = NULL;
		} else if (conf_kind_is_list(f->kind)) {
			conf_list_free(f, target);
		}
	}
}

static bool strings_equal(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}


static bool field_equal(const struct rp_conf_field *f, const void *a, const void *b)
{
	const void *pa = field_cptr(a, f->offset), *pb = field_cptr(b, f->offset);

	switch (f->kind) {
	case RP_CONF_BOOL:
		return *(const bool *)pa == *(const bool *)pb;
	case RP_CONF_INT:
	case RP_CONF_CHOICE:
		return *(const int *)pa == *(const int *)pb;
	case RP_CONF_U32:
	case RP_CONF_ADDR4:
		return *(const uint32_t *)pa == *(const uint32_t *)pb;
	case RP_CONF_FLAGS:
		return *(const unsigned *)pa == *(const unsigned *)pb;
	case RP_CONF_STRING:
		return strings_equal(*(char *const *)pa, *(char *const *)pb);
	case RP_CONF_ADDR4_LIST:
	case RP_CONF_PREFIX4_LIST:
		return conf_list_equal(f, a, b);
	}
	return false;
}

bool rp_conf_fields_equal(const struct rp_conf_field *fields, size_t nfields, const void *a,
		       const void *b)
{
	for (size_t i = 0; i < nfields; i++) {
		if (!field_equal(&fields[i], a, b))
			return false;
	}
	return true;
}

static bool copy_field(const struct rp_conf_field *f, void *dst, const void *src)
{
	void *pd = field_ptr(dst, f->offset);
	const void *ps = field_cptr(src, f->offset);

	switch (f->kind) {
	case RP_CONF_BOOL:
		memcpy(pd, ps, sizeof(bool));
		return true;
	case RP_CONF_INT:
	case RP_CONF_CHOICE:
		memcpy(pd, ps, sizeof(int));
		return true;
	case RP_CONF_U32:
	case RP_CONF_ADDR4:
		memcpy(pd, ps, sizeof(uint32_t));
		return true;
	case RP_CONF_FLAGS:
		memcpy(pd, ps, sizeof(unsigned));
		return true;
	case RP_CONF_STRING:
		if (!*(char *const *)ps)
			return true;
		*(char **)pd = strdup(*(char *const *)ps);
		return *(char **)pd != NULL;
	case RP_CONF_ADDR4_LIST:
	case RP_CONF_PREFIX4_LIST:
		return conf_list_copy(f, dst, src);
	}
	return false;
}

/* NULL every owned pointer of dst (they may alias src after a struct assignment). */
static void clear_owned(const struct rp_conf_field *fields, size_t nfields, void *dst)
{
	for (size_t i = 0; i < nfields; i++) {
		const struct rp_conf_field *f = &fields[i];

		if (f->kind == RP_CONF_STRING) {
			*(char **)field_ptr(dst, f->offset) = NULL;
		} else if (conf_kind_is_list(f->kind)) {
			conf_list_clear(f, dst);
		}
	}
}

bool rp_conf_copy_fields(const struct rp_conf_field *fields, size_t nfields, void *dst,
		      const void *src)
{
	clear_owned(fields, nfields, dst);
	for (size_t i = 0; i < nfields; i++) {
		if (!copy_field(&fields[i], dst, src)) {
			rp_conf_free_fields(fields, nfields, dst);
			return false;
		}
	}
	return true;
}
