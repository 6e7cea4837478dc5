/* SPDX-License-Identifier: ISC */
/*
 * conf_source.c — reading the configuration text for libconfig (see conf_source.h): the files,
 * opened without blocking and refused unless regular and within the size limit; the expansion
 * of @include lines into one text, with a map from its lines back to FILE:LINE; the parse of
 * that text and the settings given their own file and line back.
 * The scanner (conf_scan.c) walks each file as libconfig 1.5's flex scanner would, so that an
 * @include it expands is exactly one libconfig would have opened, and none is left over.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_source.h"
#include "conf/conf_source_internal.h"

/* ---- growing arrays ---- */

/* Room for `need` more items of `size` bytes in *arr (holding n of cap). */
static bool reserve(void **arr, size_t *cap, size_t n, size_t need, size_t size)
{
	size_t want = *cap ? *cap : 16;
	void *grown;

	if (n + need <= *cap)
		return true;
	while (want < n + need)
		want *= 2;
	grown = realloc(*arr, want * size);
	if (!grown)
		return false;
	*arr = grown;
	*cap = want;
	return true;
}

void src_nomem(struct conf_source *src, struct rp_conf_diag *diag)
{
	if (!src->nomem)
		rp_conf_diag_line(diag, src->files_n ? src->files[0].path : NULL, 0, "out of memory");
	src->nomem = true;
}

/* ---- reading one file ---- */

static const char *not_regular(mode_t m)
{
	if (S_ISDIR(m))
		return "not a regular file (a directory)";
	if (S_ISFIFO(m))
		return "not a regular file (a FIFO)";
	if (S_ISSOCK(m))
		return "not a regular file (a socket)";
	if (S_ISCHR(m))
		return "not a regular file (a character device)";
	if (S_ISBLK(m))
		return "not a regular file (a block device)";
	return "not a regular file";
}

static const char *too_large(struct conf_source *src)
{
	snprintf(src->why, sizeof(src->why),
		 "too large (the configuration and the files it includes may hold %u bytes in all)",
		 CONF_SOURCE_MAX);
	return src->why;
}

/* Everything `fd` holds, within the budget; NULL, or why not. `hint`: the size fstat saw (the
 * file may still grow while it is read). */
static const char *read_fd(struct conf_source *src, int fd, size_t hint, struct src_file *f)
{
	size_t cap = hint + 1, len = 0;
	char *buf = malloc(cap + 1), *grown;
	ssize_t n;

	while (buf) {
		if (len == cap) {
			if (len > src->budget)
				break;
			grown = realloc(buf, cap * 2 + 1);
			if (!grown)
				break;
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return strerror(errno);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (buf && len > src->budget) {
		free(buf);
		return too_large(src);
	}
	if (!buf || len == cap) {
		free(buf);
		return "out of memory";
	}
	buf[len] = '\0';
	f->text = buf;
	f->len = len;
	return NULL;
}

/* Open and read `path` into *f (which takes `path`); NULL, or why it cannot be read. */
const char *src_read_file(struct conf_source *src, char *path, struct src_file *f)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	const char *why = NULL;
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->path = path;
	if (fd < 0)
		return strerror(errno);
	if (fstat(fd, &st) != 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = not_regular(st.st_mode);
	else if ((uintmax_t)st.st_size > src->budget)
		why = too_large(src);
	else
		why = read_fd(src, fd, (size_t)st.st_size, f);
	close(fd);
	if (!why && !conf_literals_index(f))
		why = "out of memory";
	if (why)
		return why;
	src->budget -= f->len;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	return NULL;
}

void src_file_free(struct src_file *f)
{
	free(f->path);
	free(f->text);
	free(f->wide);
	memset(f, 0, sizeof(*f));
}

/* Keep *f (its strings now belong to src); its index, or SIZE_MAX (f freed) without memory. */
size_t src_add_file(struct conf_source *src, struct src_file *f)
{
	if (!reserve((void **)&src->files, &src->files_cap, src->files_n, 1,
		     sizeof(*src->files))) {
		src_file_free(f);
		return SIZE_MAX;
	}
	src->files[src->files_n] = *f;
	return src->files_n++;
}

/* ---- the expanded text and its map ---- */

bool src_emit(struct conf_source *src, const char *text, size_t len)
{
	if (!reserve((void **)&src->text, &src->text_cap, src->text_len, len + 1, 1))
		return false;
	memcpy(src->text + src->text_len, text, len);
	src->text_len += len;
	src->text[src->text_len] = '\0';
	for (size_t i = 0; i < len; i++)
		src->out_line += text[i] == '\n';
	return true;
}

bool src_span(struct conf_source *src, size_t file, size_t line)
{
	if (!reserve((void **)&src->spans, &src->spans_cap, src->spans_n, 1, sizeof(*src->spans)))
		return false;
	src->spans[src->spans_n++] = (struct src_span){ .out = src->out_line, .file = file,
							.line = line };
	return true;
}

/* The file and line that line `out` of the expanded text comes from. */
static const struct src_file *src_where(const struct conf_source *src, size_t out, int *line)
{
	size_t lo = 0, hi = src->spans_n;
	const struct src_span *sp;

	while (hi - lo > 1) { /* the last span starting at or before `out` */
		size_t mid = lo + (hi - lo) / 2;

		if (src->spans[mid].out <= out)
			lo = mid;
		else
			hi = mid;
	}
	sp = &src->spans[lo];
	*line = (int)(sp->line + (out > sp->out ? out - sp->out : 0));
	return &src->files[sp->file];
}

/* ---- parsing ---- */

/* Every setting under `s` names its own file and line, and points to its file (hook). */
static void give_back_places(const struct conf_source *src, config_setting_t *s)
{
	const struct src_file *f;
	int line;

	if (s->line > 0) {
		f = src_where(src, s->line, &line);
		s->file = f->path;
		s->line = (unsigned)line;
		config_setting_set_hook(s, (void *)f);
	}
	for (int i = 0; i < config_setting_length(s); i++)
		give_back_places(src, config_setting_get_elem(s, (unsigned)i));
}

static bool parse(struct conf_source *src, config_t *cfg, struct rp_conf_diag *diag)
{
	const struct src_file *f;
	config_setting_t *root;
	int line;

	if (config_read_string(cfg, src->text ? src->text : "") != CONFIG_TRUE) {
		f = src_where(src, (size_t)config_error_line(cfg), &line);
		rp_conf_diag_line(diag, f->path, line, "%s", config_error_text(cfg));
		return false;
	}
	root = config_root_setting(cfg);
	give_back_places(src, root);
	root->file = src->files[0].path;
	return true;
}

/* ---- entry points ---- */

void conf_source_free(struct conf_source *src)
{
	if (!src)
		return;
	for (size_t i = 0; i < src->files_n; i++)
		src_file_free(&src->files[i]);
	free(src->files);
	free(src->spans);
	free(src->text);
	free(src->dir);
	free(src);
}

/* The source with the main file read, or NULL after reporting. */
static struct conf_source *read_main(const char *file, struct rp_conf_diag *diag)
{
	struct conf_source *src = calloc(1, sizeof(*src));
	char *path = strdup(file), *dir = strdup(file);
	struct src_file f;
	const char *why;

	if (!src || !path || !dir || !(src->dir = strdup(dirname(dir)))) {
		rp_conf_diag_line(diag, file, 0, "out of memory");
		free(path);
		free(dir);
		conf_source_free(src);
		return NULL;
	}
	free(dir);
	src->budget = CONF_SOURCE_MAX;
	src->out_line = 1;
	why = src_read_file(src, path, &f);
	if (why) {
		rp_conf_diag_line(diag, file, 0, "cannot read: %s", why);
		src_file_free(&f);
	} else if (src_add_file(src, &f) == SIZE_MAX) {
		rp_conf_diag_line(diag, file, 0, "out of memory");
	} else {
		return src;
	}
	conf_source_free(src);
	return NULL;
}

struct conf_source *conf_source_load(config_t *cfg, const char *file, struct rp_conf_diag *diag)
{
	struct conf_source *src = read_main(file, diag);

	if (!src)
		return NULL;
	if (conf_scan(src, diag) && !src->nomem && parse(src, cfg, diag))
		return src;
	conf_source_free(src);
	return NULL;
}
