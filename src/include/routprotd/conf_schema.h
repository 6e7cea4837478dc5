/* SPDX-License-Identifier: ISC */
/*
 * conf_schema.h — table-driven parsing of libconfig groups into C structs. A protocol (or the
 * loader itself) describes its keys once as a table of struct rp_conf_field; rp_conf_parse_fields()
 * checks every member of a group against it: unknown keys (with a "did you mean" hint), wrong
 * types, out-of-range integers, unknown choices, bad IPv4 addresses — each reported as
 * FILE:LINE through rp_conf_diag. The target struct is filled with defaults by the caller first;
 * only keys present in the group overwrite them.
 *
 * Ownership: RP_CONF_STRING and list (RP_CONF_ADDR4_LIST, RP_CONF_PREFIX4_LIST) members of a target hold malloc'd memory or NULL
 * (never a string literal): a key present in the group frees and replaces them, and
 * rp_conf_free_fields() releases them.
 */
#ifndef RP_SDK_CONF_SCHEMA_H
#define RP_SDK_CONF_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include <routprotd/conf_diag.h>

enum rp_conf_kind {
	RP_CONF_BOOL,       /* bool */
	RP_CONF_INT,        /* int, within [min, max] (min == max == 0: any int) */
	RP_CONF_U32,        /* uint32_t, within [min, max] (min == max == 0: any uint32_t) */
	RP_CONF_STRING,     /* char * (malloc'd; freed by rp_conf_free_fields); max = max length if > 0 */
	RP_CONF_CHOICE,     /* int: index into `choices` of the given string */
	RP_CONF_FLAGS,      /* unsigned: array/list of strings from `choices`, bit i = choices[i] */
	RP_CONF_ADDR4,      /* uint32_t, host order, from "a.b.c.d" */
	RP_CONF_ADDR4_LIST, /* uint32_t * (malloc'd) + size_t count at count_offset, from an array of
			    "a.b.c.d" strings; duplicates are errors */
	RP_CONF_PREFIX4_LIST, /* struct rp_prefix4 * (malloc'd) + size_t count at count_offset, from an
			      array of "a.b.c.d/len" (or "a.b.c.d": a /32) strings, network
			      addresses; duplicates are errors */
};

struct rp_conf_field {
	const char *name;
	enum rp_conf_kind kind;
	size_t offset;              /* of the value in the target struct */
	long long min, max;         /* RP_CONF_INT / RP_CONF_U32 ranges; RP_CONF_STRING: max length */
	const char *const *choices; /* RP_CONF_CHOICE / RP_CONF_FLAGS: NULL-terminated list */
	size_t count_offset;        /* list kinds: offset of the size_t count */
	/* Optional check after a successful parse of this field: return false after reporting
	 * through diag to reject the value. */
	bool (*check)(const config_setting_t *s, const void *target, struct rp_conf_diag *diag);
};

/* Parse every member of `group` (a CONFIG_TYPE_GROUP) against `fields` into `target`.
 * Members named in `skip` (NULL-terminated, may be NULL) are left to the caller.
 * `where` names the group in messages ("rip", "interface eth0"...); NULL means the group's own
 * name, and for the root group (no name) unknown keys are reported as "unknown top-level key".
 * Returns true when every member was valid. */
bool rp_conf_parse_fields(const config_setting_t *group, const struct rp_conf_field *fields,
		       size_t nfields, const char *const *skip, const char *where, void *target,
		       struct rp_conf_diag *diag);

/* One integer setting within [min, max] into *out, as RP_CONF_INT and RP_CONF_U32 fields are read:
 * a literal that libconfig 1.5 silently cut to 32 bits (4294967297 read as 1) is refused too.
 * For integers outside a rp_conf_field table (keys of a list, such as an authentication key id). */
bool rp_conf_parse_integer(const config_setting_t *s, const char *name, long long min,
			long long max, long long *out, struct rp_conf_diag *diag);

/* Free what rp_conf_parse_fields allocated in `target` (strings, address lists). */
void rp_conf_free_fields(const struct rp_conf_field *fields, size_t nfields, void *target);

/* Field-by-field equality of two targets described by the same table (used for reload diffs). */
bool rp_conf_fields_equal(const struct rp_conf_field *fields, size_t nfields, const void *a,
		       const void *b);

/* Deep copy of the fields of `src` into `dst` (strings and lists duplicated). The previous
 * pointers in `dst` are overwritten, not freed, so `*dst = *src` followed by this call is the
 * usual way to clone a struct. On allocation failure returns false with every string and list
 * of `dst` NULL (counts 0). */
bool rp_conf_copy_fields(const struct rp_conf_field *fields, size_t nfields, void *dst,
		      const void *src);

/* The closest of `candidates` to `word` within a small edit distance, or NULL. */
const char *rp_conf_suggest(const char *word, const char *const *candidates, size_t n);

#define RP_CONF_NFIELDS(table) (sizeof(table) / sizeof((table)[0]))

#endif
