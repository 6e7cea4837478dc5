/* SPDX-License-Identifier: ISC */
/*
 * conf_list.h — the list kinds of the configuration schema (RP_CONF_ADDR4_LIST, RP_CONF_PREFIX4_LIST):
 * an array of strings in the file, a malloc'd C array plus a count in the target. Internal to
 * src/conf: conf_schema.c hands list fields to these functions.
 */
#ifndef ROUTPROTD_CONF_LIST_H
#define ROUTPROTD_CONF_LIST_H

#include <stdbool.h>
#include <stdint.h>

#include "routprotd/conf_schema.h"

bool conf_kind_is_list(enum rp_conf_kind kind);

/* Parse the array `s` into the field; false after reporting every bad element. */
bool conf_list_parse(const config_setting_t *s, const struct rp_conf_field *f, void *target,
		     struct rp_conf_diag *diag);
void conf_list_free(const struct rp_conf_field *f, void *target);
/* Same elements in any order (lists hold no duplicates). */
bool conf_list_equal(const struct rp_conf_field *f, const void *a, const void *b);
/* Deep copy into dst, whose pointer is overwritten; false when memory runs out. */
bool conf_list_copy(const struct rp_conf_field *f, void *dst, const void *src);
/* Forget dst's pointer without freeing it (it may alias another struct's). */
void conf_list_clear(const struct rp_conf_field *f, void *dst);

/* A dotted-quad string into *out; false after reporting it (at `s`, named `name`). */
bool conf_parse_addr_value(const config_setting_t *s, const char *name, uint32_t *out,
			   struct rp_conf_diag *diag);

#endif
