/* SPDX-License-Identifier: ISC */
/*
 * conf_literal.c — the integer literals libconfig 1.5 silently cuts to 32 bits. A plain decimal
 * or hex literal (no L suffix) beyond them reads as its low 32 bits: 4294967297 as 1, with no
 * error. Each file's text is read once, after libconfig's parse, for `name = number` (or
 * `name: number`) outside comments and strings with such a number; the list, by the line of the
 * name, lets rp_conf_parse_integer() tell a setting whose literal was cut from one that says what
 * it holds, in constant time for a file that has none.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_source.h"
#include "conf/conf_source_internal.h"

struct literal_scan {
	const char *p, *end;
	int c;           /* current character, EOF at the end */
	size_t lines;    /* newlines read so far */
	size_t tok_line; /* newlines before the last token */
	const char *tok; /* where the last token starts */
};

static void scan_next(struct literal_scan *ls)
{
	ls->c = ls->p < ls->end ? (unsigned char)*ls->p++ : EOF;
	if (ls->c == '\n')
		ls->lines++;
}

/* Skip blanks and comments (# // and block comments). */
static void scan_space(struct literal_scan *ls)
{
	for (;;) {
		while (ls->c != EOF && isspace(ls->c))
			scan_next(ls);
		if (ls->c == '#') {
			while (ls->c != EOF && ls->c != '\n')
				scan_next(ls);
		} else if (ls->c == '/') {
			scan_next(ls);
			if (ls->c == '/') {
				while (ls->c != EOF && ls->c != '\n')
					scan_next(ls);
			} else if (ls->c == '*') {
				int prev = 0;

				scan_next(ls);
				while (ls->c != EOF && !(prev == '*' && ls->c == '/')) {
					prev = ls->c;
					scan_next(ls);
				}
				scan_next(ls);
			} else {
				return;
			}
		} else {
			return;
		}
	}
}

/* One token into buf: a word ([-A-Za-z0-9_*+.]), a string (skipped, returns "\""), or a single
 * punctuation character. Returns false at the end of the file. */
static bool scan_token(struct literal_scan *ls, char *buf, size_t cap)
{
	size_t n = 0;

	scan_space(ls);
	ls->tok_line = ls->lines;
	ls->tok = ls->p - 1;
	if (ls->c == EOF)
		return false;
	if (ls->c == '"') {
		scan_next(ls);
		while (ls->c != EOF && ls->c != '"') {
			if (ls->c == '\\')
				scan_next(ls);
			scan_next(ls);
		}
		scan_next(ls);
		snprintf(buf, cap, "\"");
		return true;
	}
	while (ls->c != EOF && (isalnum(ls->c) || strchr("-_*+.", ls->c))) {
		if (n + 1 < cap)
			buf[n++] = (char)ls->c;
		scan_next(ls);
	}
	if (n == 0) {
		buf[n++] = (char)ls->c;
		scan_next(ls);
	}
	buf[n] = '\0';
	return true;
}

/* Parse an integer literal as libconfig writes them (optional sign, decimal or 0x hex,
 * optional L suffix). */
static bool literal_value(const char *tok, long long *out)
{
	bool neg = *tok == '-';
	const char *p = tok + (*tok == '-' || *tok == '+');
	int base = (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) ? 16 : 10;
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*p))
		return false;
	errno = 0;
	v = strtoull(p, &end, base);
	if (*end == 'L' || *end == 'l')
		end++;
	if (*end != '\0' || errno || v > (unsigned long long)LLONG_MAX)
		return false;
	*out = neg ? -(long long)v : (long long)v;
	return true;
}

/* True when `literal` is what libconfig 1.5 turns into `read`: a number beyond 32 bits
 * truncated to them. */
static bool wraps_to(long long literal, long long read)
{
	return literal != read && (long long)(int32_t)(uint32_t)(unsigned long long)literal == read;
}

static bool add_wide(struct src_file *f, size_t *cap, const struct src_wide *w)
{
	struct src_wide *grown;

	if (f->nwide == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		grown = realloc(f->wide, *cap * sizeof(*grown));
		if (!grown)
			return false;
		f->wide = grown;
	}
	f->wide[f->nwide++] = *w;
	return true;
}

bool conf_literals_index(struct src_file *f)
{
	struct literal_scan ls = { .p = f->text, .end = f->text + f->len };
	enum { WANT_NAME, WANT_ASSIGN, WANT_VALUE } state = WANT_NAME;
	struct src_wide w = { 0 };
	size_t cap = 0;
	char tok[128];
	long long v;

	scan_next(&ls);
	while (scan_token(&ls, tok, sizeof(tok))) {
		size_t n = strlen(tok);

		if (state == WANT_VALUE && literal_value(tok, &v) && (v < INT32_MIN || v > INT32_MAX) &&
		    tok[n - 1] != 'L' && tok[n - 1] != 'l') {
			w.value = v;
			if (!add_wide(f, &cap, &w))
				return false;
		}
		if (state == WANT_ASSIGN && (strcmp(tok, "=") == 0 || strcmp(tok, ":") == 0)) {
			state = WANT_VALUE;
		} else if (isalpha((unsigned char)tok[0]) || tok[0] == '*') {
			w = (struct src_wide){ .line = ls.tok_line + 1, .name = ls.tok, .name_len = n };
			state = WANT_ASSIGN;
		} else {
			state = WANT_NAME;
		}
	}
	return true;
}

bool conf_source_wrapped(const config_setting_t *s, long long *literal)
{
	const struct src_file *f = s ? config_setting_get_hook(s) : NULL;
	const char *name = s ? config_setting_name(s) : NULL;
	size_t line = s ? config_setting_source_line(s) : 0, lo = 0, hi;
	long long read;

	if (!f || !name || config_setting_type(s) != CONFIG_TYPE_INT)
		return false;
	read = config_setting_get_int64(s);
	hi = f->nwide;
	while (lo < hi) { /* the first literal named on the setting's line or after */
		size_t mid = lo + (hi - lo) / 2;

		if (f->wide[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < f->nwide && f->wide[lo].line == line; lo++) {
		const struct src_wide *w = &f->wide[lo];

		if (w->name_len == strlen(name) && memcmp(w->name, name, w->name_len) == 0 &&
		    wraps_to(w->value, read)) {
			*literal = w->value;
			return true;
		}
	}
	return false;
}
