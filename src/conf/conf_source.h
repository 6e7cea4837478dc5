/* SPDX-License-Identifier: ISC */
/*
 * conf_source.h — what libconfig gets to parse. The main file and every file it includes are
 * read here, never by libconfig: each must be a regular file, all of them together at most
 * CONF_SOURCE_MAX bytes; `@include "FILE"` lines are replaced by the file's text (a relative
 * name is taken from the directory of the main file), and strings holding control characters
 * are refused where they stand. libconfig then parses the whole text from memory, and every
 * setting is given back the file and line it came from, so FILE:LINE messages name the real
 * place. libconfig 1.5 has no include hook: left to itself, it opens whatever an @include
 * names, and its scanner exits the process when a read fails (a directory).
 */
#ifndef ROUTPROTD_CONF_SOURCE_H
#define ROUTPROTD_CONF_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include <libconfig.h>

#include "routprotd/conf_diag.h"

#define CONF_SOURCE_MAX (1u << 20)  /* bytes: the main file and its included files together */
#define CONF_INCLUDE_DEPTH_MAX 10   /* nesting of @include, as libconfig allows */

struct conf_source;

/* Read `file` and what it includes into `cfg` (initialised by the caller). Returns the source,
 * which must outlive `cfg` (its settings point to the file names it holds), or NULL after
 * reporting every problem in `diag`. */
struct conf_source *conf_source_load(config_t *cfg, const char *file, struct rp_conf_diag *diag);
void conf_source_free(struct conf_source *src);

/* True, with the literal in *literal, when the file gives integer setting `s` a plain literal
 * that libconfig 1.5 cut to 32 bits (4294967297 read as 1). Of two settings of one name on a
 * line, the literal that was cut to the value read is taken as this one's. Always false for a
 * setting not read through conf_source_load. */
bool conf_source_wrapped(const config_setting_t *s, long long *literal);

#endif
