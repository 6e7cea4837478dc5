/* SPDX-License-Identifier: ISC */
/*
 * conf_source_internal.h — what conf_source.c (files, expanded text, map, parse) and
 * conf_scan.c (the walk through each file) share; nothing outside src/conf uses it.
 */
#ifndef ROUTPROTD_CONF_SOURCE_INTERNAL_H
#define ROUTPROTD_CONF_SOURCE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "routprotd/conf_diag.h"

/* An integer literal that libconfig 1.5 cut to 32 bits, after `name =` on `line`. */
struct src_wide {
	size_t line;
	const char *name; /* name_len bytes, in the file's text */
	size_t name_len;
	long long value;
};

struct src_file {
	char *path;             /* as opened: the main file's name, or DIR/NAME for an @include */
	char *text;             /* len bytes, then a NUL */
	size_t len;
	dev_t dev;              /* to find a file that includes itself */
	ino_t ino;
	struct src_wide *wide;  /* by line (conf_literal.c) */
	size_t nwide;
};

/* From line `out` of the expanded text on, the lines are those of files[file] from `line`. */
struct src_span {
	size_t out;
	size_t file;
	size_t line;
};

struct conf_source {
	struct src_file *files; /* files[0]: the main file */
	size_t files_n, files_cap;
	struct src_span *spans; /* in the order of `out` */
	size_t spans_n, spans_cap;
	char *text;             /* the expanded text handed to libconfig */
	size_t text_len, text_cap;
	size_t out_line;        /* the line of `text` being written, from 1 */
	size_t budget;          /* bytes that may still be read (CONF_SOURCE_MAX in all) */
	size_t problems;        /* reported by the scanner so far */
	char *dir;              /* directory of the main file: relative @include names start there */
	bool nomem;             /* something was lost for lack of memory (reported once) */
	char why[128];          /* room for a formatted reason */
};

const char *src_read_file(struct conf_source *src, char *path, struct src_file *f);
size_t src_add_file(struct conf_source *src, struct src_file *f);
void src_file_free(struct src_file *f);
bool src_emit(struct conf_source *src, const char *text, size_t len);
bool src_span(struct conf_source *src, size_t file, size_t line);
void src_nomem(struct conf_source *src, struct rp_conf_diag *diag);

/* List the literals of f that libconfig cut (f->wide); false without memory. */
bool conf_literals_index(struct src_file *f);

/* Walk the main file (and what it includes) into src->text; false when anything was wrong
 * (reported). */
bool conf_scan(struct conf_source *src, struct rp_conf_diag *diag);

#endif
