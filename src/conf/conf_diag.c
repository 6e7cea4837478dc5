/* SPDX-License-Identifier: ISC */
/*
 * conf_diag.c — collection of configuration problems as "FILE:LINE: message" strings. Messages
 * are kept in the order they were found; running out of memory never hides that a problem
 * existed (it is counted in `lost`).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routprotd/conf_diag.h"

void rp_conf_diag_init(struct rp_conf_diag *d, const char *file)
{
	memset(d, 0, sizeof(*d));
	d->file = file;
}

void rp_conf_diag_free(struct rp_conf_diag *d)
{
	for (size_t i = 0; i < d->count; i++)
		free(d->messages[i]);
	free(d->messages);
	d->messages = NULL;
	d->count = 0;
	d->cap = 0;
	d->lost = 0;
}

static bool diag_reserve(struct rp_conf_diag *d)
{
	char **grown;
	size_t cap;

	if (d->count < d->cap)
		return true;
	cap = d->cap ? d->cap * 2 : 8;
	grown = realloc(d->messages, cap * sizeof(*grown));
	if (!grown)
		return false;
	d->messages = grown;
	d->cap = cap;
	return true;
}

/* Format the message body, then prefix it with FILE[:LINE]. */
static void diag_vadd(struct rp_conf_diag *d, const char *file, int line, const char *fmt,
		      va_list ap) __attribute__((format(printf, 4, 0)));

static void diag_vadd(struct rp_conf_diag *d, const char *file, int line, const char *fmt,
		      va_list ap)
{
	char *body = NULL;
	char *msg = NULL;
	int n;

	if (!file)
		file = d->file ? d->file : "(config)";
	if (vasprintf(&body, fmt, ap) < 0)
		body = NULL;
	if (body) {
		if (line > 0)
			n = asprintf(&msg, "%s:%d: %s", file, line, body);
		else
			n = asprintf(&msg, "%s: %s", file, body);
		if (n < 0)
			msg = NULL;
	}
	free(body);
	if (!msg || !diag_reserve(d)) {
		free(msg);
		d->lost++;
		return;
	}
	d->messages[d->count++] = msg;
}

void rp_conf_diag_at(struct rp_conf_diag *d, const config_setting_t *at, const char *fmt, ...)
{
	const char *file = NULL;
	int line = 0;
	va_list ap;

	if (at) {
		file = config_setting_source_file(at);
		line = (int)config_setting_source_line(at);
	}
	va_start(ap, fmt);
	diag_vadd(d, file, line, fmt, ap);
	va_end(ap);
}

void rp_conf_diag_line(struct rp_conf_diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, file, line, fmt, ap);
	va_end(ap);
}

void rp_conf_diag_vline(struct rp_conf_diag *d, const char *file, int line, const char *fmt,
		     va_list ap)
{
	diag_vadd(d, file, line, fmt, ap);
}

void rp_conf_diag_print(const struct rp_conf_diag *d, FILE *out)
{
	for (size_t i = 0; i < d->count; i++)
		fprintf(out, "%s\n", d->messages[i]);
	if (d->lost)
		fprintf(out, "%s: %zu more problem(s) not shown (out of memory)\n",
			d->file ? d->file : "(config)", d->lost);
}
