/* SPDX-License-Identifier: ISC */
/*
 * conf_scan.c — the walk through each configuration file before libconfig sees it: the lexical
 * states of libconfig 1.5's flex scanner (code, # and // comments, block comments, strings)
 * as a table of steps, so that `@include "FILE"` is recognised exactly where libconfig would
 * (at the start of a line, in code, after blanks only). Each such line is replaced by the
 * included file's text, read and checked by conf_source.c; everything else is copied as it is.
 * Refused here, with FILE:LINE: control characters in strings (raw, or written \n \r \t \f
 * \xHH), NUL bytes anywhere (libconfig would cut the text there), strings and comments that
 * never end, anything but blanks or a comment after an @include on its line, include loops
 * and nesting deeper than libconfig's.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_source.h"
#include "conf/conf_source_internal.h"

#define SCAN_PROBLEMS_MAX 50 /* reported by the scanner; binary junk stays readable */

enum lex_state { LEX_CODE, LEX_LINE_COMMENT, LEX_BLOCK_COMMENT, LEX_STRING };

/* Walking one file. */
struct scan {
	struct conf_source *src;
	struct rp_conf_diag *diag;
	const struct scan *parent; /* the file that includes this one; NULL for the main file */
	size_t file;               /* index into src->files */
	size_t depth;              /* of @include: 0 for the main file */
	const char *p, *end;
	const char *run;           /* the text from here to p is not yet copied out */
	size_t line;
	size_t open_line;          /* where the current string or block comment began */
	bool bol;                  /* at the start of a line: flex's ^ */
	bool nul_seen;             /* a NUL byte was reported in this file */
	bool string_bad;           /* the current string was reported */
};

static void scan_file(struct scan *sc);

static void problem(struct scan *sc, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct scan *sc, size_t line, const char *fmt, ...)
{
	va_list ap;

	if (sc->src->problems++ < SCAN_PROBLEMS_MAX) {
		va_start(ap, fmt);
		rp_conf_diag_vline(sc->diag, sc->src->files[sc->file].path, (int)line, fmt, ap);
		va_end(ap);
	} else if (sc->src->problems == SCAN_PROBLEMS_MAX + 1) {
		rp_conf_diag_line(sc->diag, sc->src->files[0].path, 0, "more problems not shown");
	}
}

static void nul_byte(struct scan *sc)
{
	if (!sc->nul_seen)
		problem(sc, sc->line, "the file holds a NUL byte");
	sc->nul_seen = true;
}

static void string_control(struct scan *sc, int c, const char *written)
{
	if (!sc->string_bad)
		problem(sc, sc->line, "a string holds the control character 0x%02x%s", c, written);
	sc->string_bad = true;
}

static void flush(struct scan *sc, const char *upto)
{
	if (upto > sc->run && !src_emit(sc->src, sc->run, (size_t)(upto - sc->run)))
		src_nomem(sc->src, sc->diag);
	sc->run = upto;
}

/* ---- @include lines ---- */

/* After the opening quote when the line at p starts as libconfig's `^[ \t]*@include[ \t]+\"`,
 * else NULL. */
static const char *include_open(const struct scan *sc)
{
	static const char kw[] = "@include";
	const char *q = sc->p;

	while (q < sc->end && (*q == ' ' || *q == '\t'))
		q++;
	if ((size_t)(sc->end - q) < sizeof(kw) - 1 || memcmp(q, kw, sizeof(kw) - 1) != 0)
		return NULL;
	q += sizeof(kw) - 1;
	if (q == sc->end || (*q != ' ' && *q != '\t'))
		return NULL;
	while (q < sc->end && (*q == ' ' || *q == '\t'))
		q++;
	return q < sc->end && *q == '"' ? q + 1 : NULL;
}

/* The name up to the closing quote, unescaped as libconfig does (\\ and \" only); NULL after
 * reporting. */
static char *include_name(struct scan *sc)
{
	char buf[PATH_MAX], *name;
	bool bad = false;
	size_t n = 0;

	while (sc->p < sc->end && *sc->p != '"' && *sc->p != '\n') {
		unsigned char c = (unsigned char)*sc->p++;

		if (c == '\\' && sc->p < sc->end && (*sc->p == '\\' || *sc->p == '"')) {
			c = (unsigned char)*sc->p++;
		} else if (c == '\\') {
			if (!bad)
				problem(sc, sc->line, "@include: the file name holds a '\\' that "
				       "escapes nothing");
			bad = true;
		} else if (c < 0x20 || c == 0x7f) {
			if (!bad)
				problem(sc, sc->line, "@include: the file name holds the control "
				       "character 0x%02x", c);
			bad = true;
		}
		if (n < sizeof(buf))
			buf[n] = (char)c;
		n++;
	}
	if (sc->p == sc->end || *sc->p == '\n') {
		problem(sc, sc->line, "@include: the file name never ends (a missing '\"'?)");
		return NULL;
	}
	sc->p++;
	if (!bad && n == 0)
		problem(sc, sc->line, "@include without a file name");
	else if (!bad && n >= sizeof(buf))
		problem(sc, sc->line, "@include: the file name is longer than %zu bytes",
			sizeof(buf) - 1);
	if (bad || n == 0 || n >= sizeof(buf))
		return NULL;
	buf[n] = '\0';
	if (!(name = strdup(buf)))
		src_nomem(sc->src, sc->diag);
	return name;
}

/* Past the end of the line (its newline included); true when only blanks and a comment
 * were left on it. */
static bool skip_line_rest(struct scan *sc)
{
	const char *q = sc->p;
	bool ok;

	while (q < sc->end && (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\f'))
		q++;
	ok = q == sc->end || *q == '\n' || *q == '#' ||
	     (*q == '/' && q + 1 < sc->end && q[1] == '/');
	while (q < sc->end && *q != '\n')
		q++;
	if (q < sc->end) {
		q++;
		sc->line++;
	}
	sc->p = q;
	return ok;
}

static bool includes_itself(const struct scan *sc, const struct src_file *f)
{
	for (const struct scan *a = sc; a; a = a->parent) {
		const struct src_file *af = &a->src->files[a->file];

		if (af->dev == f->dev && af->ino == f->ino)
			return true;
	}
	return false;
}

/* DIR/name for a relative name. */
static char *include_path(const struct conf_source *src, const char *name)
{
	char *path;

	if (name[0] == '/')
		return strdup(name);
	if (asprintf(&path, "%s/%s", src->dir, name) < 0)
		return NULL;
	return path;
}

/* Read and walk the file an @include at `line` names; its text ends with a newline. */
static void include_file(struct scan *sc, const char *name, size_t line)
{
	struct conf_source *src = sc->src;
	char *path = include_path(src, name);
	struct scan child;
	struct src_file f;
	const char *why;

	if (!path) {
		src_nomem(src, sc->diag);
		return;
	}
	if (sc->depth >= CONF_INCLUDE_DEPTH_MAX) {
		problem(sc, line, "cannot open include file %s: @include nested more than %d deep",
			path, CONF_INCLUDE_DEPTH_MAX);
		free(path);
		return;
	}
	why = src_read_file(src, path, &f);
	if (!why && includes_itself(sc, &f))
		why = "it includes itself";
	if (why) {
		problem(sc, line, "cannot open include file %s: %s", f.path, why);
		src_file_free(&f);
		return;
	}
	child = (struct scan){ .src = src, .diag = sc->diag, .parent = sc, .depth = sc->depth + 1,
			       .line = 1, .bol = true };
	if ((child.file = src_add_file(src, &f)) == SIZE_MAX) {
		src_nomem(src, sc->diag);
		return;
	}
	child.p = child.run = src->files[child.file].text;
	child.end = child.p + src->files[child.file].len;
	scan_file(&child);
	if (src->text_len && src->text[src->text_len - 1] != '\n' && !src_emit(src, "\n", 1))
		src_nomem(src, sc->diag);
}

/* At the start of a line: when it is an @include, replace it by the file. */
static bool include_line(struct scan *sc)
{
	const char *name_at = include_open(sc);
	size_t line = sc->line;
	char *name;

	if (!name_at)
		return false;
	flush(sc, sc->p);
	sc->p = name_at;
	name = include_name(sc);
	if (!skip_line_rest(sc) && name)
		problem(sc, line, "text after @include \"%s\" on its line", name);
	else if (name)
		include_file(sc, name, line);
	free(name);
	sc->run = sc->p;
	sc->bol = true;
	if (!src_span(sc->src, sc->file, sc->line))
		src_nomem(sc->src, sc->diag);
	return true;
}

/* ---- the lexical states: each step reads at least one byte ---- */

static enum lex_state lex_code(struct scan *sc)
{
	char c;

	if (sc->bol && include_line(sc))
		return LEX_CODE;
	c = *sc->p++;
	sc->bol = c == '\n';
	switch (c) {
	case '\n':
		sc->line++;
		break;
	case '\0':
		nul_byte(sc);
		break;
	case '"':
		sc->open_line = sc->line;
		sc->string_bad = false;
		return LEX_STRING;
	case '#':
		return LEX_LINE_COMMENT;
	case '/':
		if (sc->p < sc->end && *sc->p == '/') {
			sc->p++;
			return LEX_LINE_COMMENT;
		}
		if (sc->p < sc->end && *sc->p == '*') {
			sc->p++;
			sc->open_line = sc->line;
			return LEX_BLOCK_COMMENT;
		}
		break;
	default:
		break;
	}
	return LEX_CODE;
}

/* Up to the newline, which code reads (it starts a line). */
static enum lex_state lex_line_comment(struct scan *sc)
{
	if (*sc->p == '\n')
		return LEX_CODE;
	if (*sc->p == '\0')
		nul_byte(sc);
	sc->p++;
	return LEX_LINE_COMMENT;
}

static enum lex_state lex_block_comment(struct scan *sc)
{
	char c = *sc->p++;

	if (c == '*' && sc->p < sc->end && *sc->p == '/') {
		sc->p++;
		return LEX_CODE;
	}
	if (c == '\n')
		sc->line++;
	else if (c == '\0')
		nul_byte(sc);
	return LEX_BLOCK_COMMENT;
}

/* A backslash in a string: libconfig's escapes \n \r \t \f \\ \" \xHH; any other backslash
 * stands for itself. */
static enum lex_state string_escape(struct scan *sc)
{
	static const char simple[] = "n\nr\rt\tf\f";
	const char *e = ++sc->p, *hit;
	char written[16];
	int v, n = 1;

	if (e == sc->end)
		return LEX_STRING;
	if (*e == '\\' || *e == '"') {
		sc->p++;
		return LEX_STRING;
	}
	if ((*e == 'x' || *e == 'X') && sc->end - e >= 3 && isxdigit((unsigned char)e[1]) &&
	    isxdigit((unsigned char)e[2])) {
		char hex[3] = { e[1], e[2], '\0' };

		v = (int)strtol(hex, NULL, 16);
		n = 3;
	} else if (*e && (hit = strchr(simple, *e)) && (hit - simple) % 2 == 0) {
		v = hit[1];
	} else {
		return LEX_STRING;
	}
	if (v < 0x20 || v == 0x7f) {
		snprintf(written, sizeof(written), " (written \\%.*s)", n, e);
		string_control(sc, v, written);
	}
	sc->p += n;
	return LEX_STRING;
}

static enum lex_state lex_string(struct scan *sc)
{
	unsigned char c = (unsigned char)*sc->p;

	if (c == '"') {
		sc->p++;
		return LEX_CODE;
	}
	if (c == '\\')
		return string_escape(sc);
	sc->p++;
	if (c == '\n') {
		string_control(sc, c, " (a missing '\"'?)");
		sc->line++;
	} else if (c < 0x20 || c == 0x7f) {
		string_control(sc, c, "");
	}
	return LEX_STRING;
}

static enum lex_state (*const lex_step[])(struct scan *) = {
	[LEX_CODE] = lex_code,
	[LEX_LINE_COMMENT] = lex_line_comment,
	[LEX_BLOCK_COMMENT] = lex_block_comment,
	[LEX_STRING] = lex_string,
};

static void scan_file(struct scan *sc)
{
	enum lex_state st = LEX_CODE;

	if (!src_span(sc->src, sc->file, 1))
		src_nomem(sc->src, sc->diag);
	while (sc->p < sc->end)
		st = lex_step[st](sc);
	flush(sc, sc->end);
	if (st == LEX_STRING && !sc->string_bad)
		problem(sc, sc->open_line, "a string that never ends (a missing '\"'?)");
	else if (st == LEX_BLOCK_COMMENT)
		problem(sc, sc->open_line, "a comment that never ends (a missing '*/'?)");
}

bool conf_scan(struct conf_source *src, struct rp_conf_diag *diag)
{
	struct scan sc = { .src = src, .diag = diag, .line = 1, .bol = true };

	sc.p = sc.run = src->files[0].text;
	sc.end = sc.p + src->files[0].len;
	scan_file(&sc);
	return src->problems == 0;
}
