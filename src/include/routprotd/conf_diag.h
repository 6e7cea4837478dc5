/* SPDX-License-Identifier: ISC */
/*
 * conf_diag.h — configuration diagnostics: every problem found while loading a file becomes one
 * message "FILE:LINE: message" (or "FILE: message" when no line applies). Loading never stops at
 * the first problem: all of them are collected and shown together.
 */
#ifndef RP_SDK_CONF_DIAG_H
#define RP_SDK_CONF_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <libconfig.h>

struct rp_conf_diag {
	const char *file; /* used when a setting carries no file name */
	char **messages;
	size_t count;
	size_t cap;
	size_t lost; /* messages dropped for lack of memory (still make the load fail) */
};

void rp_conf_diag_init(struct rp_conf_diag *d, const char *file);
void rp_conf_diag_free(struct rp_conf_diag *d);
static inline bool rp_conf_diag_ok(const struct rp_conf_diag *d)
{
	return d->count == 0 && d->lost == 0;
}

/* "FILE:LINE: message" with FILE and LINE taken from the setting (its own source file for
 * @include'd files). */
void rp_conf_diag_at(struct rp_conf_diag *d, const config_setting_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* line <= 0: "FILE: message" */
void rp_conf_diag_line(struct rp_conf_diag *d, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void rp_conf_diag_vline(struct rp_conf_diag *d, const char *file, int line, const char *fmt,
		     va_list ap) __attribute__((format(printf, 4, 0)));

/* Write every message, one per line, to `out` (check mode, start-up and reload failures). */
void rp_conf_diag_print(const struct rp_conf_diag *d, FILE *out);

#endif
