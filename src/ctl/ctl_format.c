/* SPDX-License-Identifier: ISC */
/*
 * ctl_format.c — routprotctl's human-readable rendering of reply data (see ctl_format.h): a tiny
 * growable text buffer, value-to-cell conversion, a column-aligned table writer driven by per
 * command column lists, and the one-line summaries of update-routes, clear autostatic, reload.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_format.h"

/* ---- text buffer ---- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool failed; /* an allocation failed: the result will be NULL */
};

static void sb_add(struct sbuf *sb, const char *s, size_t n)
{
	if (sb->failed)
		return;
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 256;
		char *p;

		while (cap < sb->len + n + 1)
			cap *= 2;
		p = realloc(sb->p, cap);
		if (!p) {
			sb->failed = true;
			return;
		}
		sb->p = p;
		sb->cap = cap;
	}
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

static void sb_str(struct sbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

static void sb_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = true;
		return;
	}
	sb_add(sb, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void sb_spaces(struct sbuf *sb, size_t n)
{
	while (n-- > 0)
		sb_add(sb, " ", 1);
}

/* The text, or NULL if anything failed (the buffer is released then). */
static char *sb_finish(struct sbuf *sb)
{
	if (!sb->failed && !sb->p)
		sb_add(sb, "", 0);
	if (sb->failed) {
		free(sb->p);
		return NULL;
	}
	return sb->p;
}

/* ---- values ---- */

/* Strings from the daemon go to a terminal: control characters become '?'. */
static void sb_safe(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		char c = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;

		sb_add(sb, &c, 1);
	}
}

static void sb_value(struct sbuf *sb, const json_t *v, const char *null_text);

/* Array elements joined by `sep`; "-" for an empty array. */
static void sb_joined(struct sbuf *sb, const json_t *arr, const char *sep)
{
	size_t i;
	const json_t *el;

	if (json_array_size(arr) == 0) {
		sb_str(sb, "-");
		return;
	}
	json_array_foreach(arr, i, el) {
		if (i > 0)
			sb_str(sb, sep);
		sb_value(sb, el, "-");
	}
}

/* One value as cell text: yes/no for booleans, `null_text` for null or absent. */
static void sb_value(struct sbuf *sb, const json_t *v, const char *null_text)
{
	char *dump;

	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		sb_safe(sb, json_string_value(v));
		break;
	case JSON_INTEGER:
		sb_printf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		sb_printf(sb, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		sb_str(sb, "yes");
		break;
	case JSON_FALSE:
		sb_str(sb, "no");
		break;
	case JSON_ARRAY:
		sb_joined(sb, v, ",");
		break;
	case JSON_OBJECT:
		dump = json_dumps(v, JSON_COMPACT);
		if (!dump) {
			sb->failed = true;
			break;
		}
		sb_safe(sb, dump);
		free(dump);
		break;
	case JSON_NULL:
	default:
		sb_str(sb, null_text);
		break;
	}
}

static bool is_scalar(const json_t *v)
{
	return !json_is_array(v) && !json_is_object(v);
}

/* ---- tables ---- */

struct column;
typedef void (*cell_fn)(struct sbuf *sb, const json_t *row, const struct column *col);

struct column {
	const char *header;
	const char *key;
	const char *null_text; /* for a null value; an absent key always shows "-" */
	cell_fn cell;          /* NULL: the plain value of `key` */
};

static void cell_plain(struct sbuf *sb, const json_t *row, const struct column *col)
{
	const json_t *v = json_object_get(row, col->key);

	sb_value(sb, v, v ? col->null_text : "-");
}

/* "12s" */
static void cell_seconds(struct sbuf *sb, const json_t *row, const struct column *col)
{
	const json_t *v = json_object_get(row, col->key);

	if (json_is_integer(v))
		sb_printf(sb, "%" JSON_INTEGER_FORMAT "s", json_integer_value(v));
	else if (json_is_real(v))
		sb_printf(sb, "%.0fs", json_real_value(v));
	else
		sb_value(sb, v, "-");
}

/* What an event says beyond its type and interface. */
static void cell_event_detail(struct sbuf *sb, const json_t *row, const struct column *col)
{
	const char *type = json_string_value(json_object_get(row, "type"));
	const json_t *protocol = json_object_get(row, "protocol");
	const json_t *active = json_object_get(row, "active");

	if (type && strcmp(type, "UPDATE_COMPLETE") == 0) {
		sb_str(sb, "status=");
		sb_value(sb, json_object_get(row, "status"), "-");
		return;
	}
	if (type && strcmp(type, "ADDRESS_CHANGE") == 0) {
		sb_value(sb, json_object_get(row, "addresses"), "-");
		return;
	}
	if (!protocol && !active) {
		sb_str(sb, "-");
		return;
	}
	if (protocol) {
		sb_str(sb, "protocol=");
		sb_value(sb, protocol, "-");
	}
	if (active) {
		sb_str(sb, protocol ? " active=" : "active=");
		sb_value(sb, active, "-");
	}
}

/* Display width of UTF-8 text: one column per code point. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

static char *render_cell(const json_t *row, const struct column *col)
{
	struct sbuf sb = { 0 };

	(col->cell ? col->cell : cell_plain)(&sb, row, col);
	return sb_finish(&sb);
}

static void free_cells(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

/* Write row r of the grid, padding every column but the last. */
static void sb_table_row(struct sbuf *sb, char **cells, const size_t *width, size_t ncols,
			 size_t r)
{
	for (size_t c = 0; c < ncols; c++) {
		const char *text = cells[r * ncols + c];

		sb_str(sb, text);
		if (c + 1 < ncols)
			sb_spaces(sb, width[c] - text_width(text) + 2);
	}
	sb_str(sb, "\n");
}

/* Table of an array of objects, one column per entry of `cols`. */
static char *format_table(const json_t *rows, const struct column *cols, size_t ncols)
{
	size_t nrows = json_array_size(rows) + 1, n = nrows * ncols;
	char **cells = calloc(n, sizeof(*cells));
	size_t *width = calloc(ncols, sizeof(*width));
	struct sbuf sb = { 0 };

	if (!cells || !width) {
		free(cells);
		free(width);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		size_t r = i / ncols, c = i % ncols;

		cells[i] = r == 0 ? strdup(cols[c].header)
				  : render_cell(json_array_get(rows, r - 1), &cols[c]);
		if (!cells[i]) {
			sb.failed = true;
			break;
		}
		if (text_width(cells[i]) > width[c])
			width[c] = text_width(cells[i]);
	}
	for (size_t r = 0; r < nrows && !sb.failed; r++)
		sb_table_row(&sb, cells, width, ncols, r);
	free_cells(cells, n);
	free(width);
	return sb_finish(&sb);
}

static bool is_array_of_objects(const json_t *data)
{
	size_t i;
	const json_t *el;

	if (!json_is_array(data))
		return false;
	json_array_foreach(data, i, el)
		if (!json_is_object(el))
			return false;
	return true;
}

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static const struct column interface_cols[] = {
	{ "NAME", "name", "-", NULL },
	{ "INDEX", "ifindex", "-", NULL },
	{ "ENABLED", "enabled", "-", NULL },
	{ "MEDIA", "media_present", "-", NULL },
	{ "ACTIVE", "active", "-", NULL },
	{ "MODE", "mode", "-", NULL },
	{ "ADDRESSES", "addresses", "-", NULL },
};

static const struct column route_cols[] = {
	{ "PREFIX", "prefix", "-", NULL },
	{ "NEXTHOP", "nexthop", "direct", NULL },
	{ "INTERFACE", "interface", "-", NULL },
	{ "METRIC", "metric", "-", NULL },
	{ "TAG", "tag", "-", NULL },
	{ "SOURCE", "source", "-", NULL },
	{ "FIB", "in_fib", "-", NULL },
};

static const struct column neighbor_cols[] = {
	{ "ADDRESS", "address", "-", NULL },
	{ "INTERFACE", "interface", "-", NULL },
	{ "STATE", "state", "-", NULL },
	{ "VERSION", "version", "-", NULL },
	{ "LAST-HEARD", "last_heard", "-", cell_seconds },
	{ "BAD-PACKETS", "bad_packets", "-", NULL },
	{ "BAD-ROUTES", "bad_routes", "-", NULL },
};

static const struct column autostatic_cols[] = {
	{ "INTERFACE", "interface", "-", NULL },
	{ "PREFIX", "prefix", "-", NULL },
	{ "NEXTHOP", "nexthop", "-", NULL },
	{ "METRIC", "metric", "-", NULL },
	{ "UPDATED", "updated", "-", NULL },
};

static const struct column event_cols[] = {
	{ "TIME", "time", "-", NULL },
	{ "TYPE", "type", "-", NULL },
	{ "INTERFACE", "interface", "-", NULL },
	{ "DETAIL", NULL, "-", cell_event_detail },
};

struct table_command {
	const char *command;
	const struct column *cols;
	size_t ncols;
};

static const struct table_command table_commands[] = {
	{ "show interfaces", interface_cols, NCOLS(interface_cols) },
	{ "show routes", route_cols, NCOLS(route_cols) },
	{ "show neighbors", neighbor_cols, NCOLS(neighbor_cols) },
	{ "show autostatic", autostatic_cols, NCOLS(autostatic_cols) },
	{ "show events", event_cols, NCOLS(event_cols) },
};

/* ---- key: value output (show status) ---- */

static void sb_flatten(struct sbuf *sb, const char *name, const json_t *v);

static void sb_flatten_object(struct sbuf *sb, const char *name, const json_t *obj)
{
	const char *key;
	const json_t *v;

	if (json_object_size(obj) == 0 && *name) {
		sb_safe(sb, name);
		sb_str(sb, ": -\n");
		return;
	}
	json_object_foreach((json_t *)obj, key, v) {
		struct sbuf sub = { 0 };
		char *full;

		sb_str(&sub, name);
		sb_str(&sub, *name ? "." : "");
		sb_str(&sub, key);
		full = sb_finish(&sub);
		if (!full) {
			sb->failed = true;
			return;
		}
		sb_flatten(sb, full, v);
		free(full);
	}
}

/* Arrays of scalars on one line; arrays holding objects as name[i].key lines. */
static void sb_flatten_array(struct sbuf *sb, const char *name, const json_t *arr)
{
	size_t i;
	const json_t *el;
	bool scalars = true;

	json_array_foreach(arr, i, el)
		scalars = scalars && is_scalar(el);
	if (scalars) {
		sb_safe(sb, name);
		sb_str(sb, ": ");
		sb_joined(sb, arr, ", ");
		sb_str(sb, "\n");
		return;
	}
	json_array_foreach(arr, i, el) {
		struct sbuf sub = { 0 };
		char *full;

		sb_str(&sub, name);
		sb_printf(&sub, "[%zu]", i);
		full = sb_finish(&sub);
		if (!full) {
			sb->failed = true;
			return;
		}
		sb_flatten(sb, full, el);
		free(full);
	}
}

static void sb_flatten(struct sbuf *sb, const char *name, const json_t *v)
{
	if (json_is_object(v)) {
		sb_flatten_object(sb, name, v);
	} else if (json_is_array(v)) {
		sb_flatten_array(sb, name, v);
	} else {
		sb_safe(sb, name);
		sb_str(sb, ": ");
		sb_value(sb, v, "-");
		sb_str(sb, "\n");
	}
}

static char *format_status(const json_t *data)
{
	struct sbuf sb = { 0 };

	if (!json_is_object(data))
		return ctl_format_json(data);
	sb_flatten(&sb, "", data);
	return sb_finish(&sb);
}

/* ---- one-line summaries ---- */

/* The interface a reply is about: its "interface" key, else the request's first argument. */
static void sb_interface(struct sbuf *sb, const json_t *data, const json_t *args)
{
	const json_t *name = json_object_get(data, "interface");

	if (!json_is_string(name))
		name = json_array_get(args, 0);
	sb_value(sb, name, "-");
}

/* A count other than exactly 1 takes the plural. */
static bool plural(const json_t *count)
{
	return !json_is_integer(count) || json_integer_value(count) != 1;
}

static char *format_update(const json_t *data, const json_t *args)
{
	struct sbuf sb = { 0 };

	if (!json_is_object(data) || !json_object_get(data, "status"))
		return ctl_format_json(data);
	sb_interface(&sb, data, args);
	sb_str(&sb, ": ");
	sb_value(&sb, json_object_get(data, "status"), "-");
	sb_str(&sb, ", ");
	sb_value(&sb, json_object_get(data, "routes"), "-");
	sb_str(&sb, plural(json_object_get(data, "routes")) ? " autostatic routes\n"
							    : " autostatic route\n");
	return sb_finish(&sb);
}

static char *format_clear(const json_t *data, const json_t *args)
{
	struct sbuf sb = { 0 };

	if (!json_is_object(data) || !json_object_get(data, "removed"))
		return ctl_format_json(data);
	sb_interface(&sb, data, args);
	sb_str(&sb, ": ");
	sb_value(&sb, json_object_get(data, "removed"), "-");
	sb_str(&sb, plural(json_object_get(data, "removed")) ? " autostatic routes removed\n"
							     : " autostatic route removed\n");
	return sb_finish(&sb);
}

static char *format_reload(const json_t *data)
{
	const json_t *changes = json_object_get(data, "changes");
	struct sbuf sb = { 0 };
	size_t i;
	const json_t *el;

	sb_str(&sb, "configuration reloaded\n");
	if (json_is_array(changes)) {
		json_array_foreach(changes, i, el) {
			sb_str(&sb, "  ");
			sb_value(&sb, el, "-");
			sb_str(&sb, "\n");
		}
	} else if (changes) {
		sb_str(&sb, "  ");
		sb_value(&sb, changes, "-");
		sb_str(&sb, "\n");
	}
	return sb_finish(&sb);
}

/* ---- entry points ---- */

char *ctl_format_json(const json_t *data)
{
	struct sbuf sb = { 0 };
	char *dump = json_dumps(data ? data : json_null(), JSON_INDENT(2) | JSON_ENCODE_ANY);

	if (!dump)
		return NULL;
	sb_str(&sb, dump);
	sb_str(&sb, "\n");
	free(dump);
	return sb_finish(&sb);
}

char *ctl_format_reply(const char *command, const json_t *args, const json_t *data)
{
	for (size_t i = 0; i < NCOLS(table_commands); i++) {
		const struct table_command *t = &table_commands[i];

		if (strcmp(command, t->command) != 0)
			continue;
		if (!is_array_of_objects(data))
			return ctl_format_json(data);
		return format_table(data, t->cols, t->ncols);
	}
	if (strcmp(command, "show status") == 0)
		return format_status(data);
	if (strcmp(command, "update-routes") == 0)
		return format_update(data, args);
	if (strcmp(command, "clear autostatic") == 0)
		return format_clear(data, args);
	if (strcmp(command, "reload") == 0)
		return format_reload(data);
	return ctl_format_json(data);
}

int ctl_format_update_exit(const char *status)
{
	static const struct {
		const char *status;
		int code;
	} codes[] = {
		{ "NO_ERROR", 0 },
		{ "ERROR_CAN_NOT_COMPLETE", 4 },
		{ "ERROR_INTERFACE_NOT_CONNECTED", 5 },
		{ "ERROR_UPDATE_IN_PROGRESS", 6 },
	};

	for (size_t i = 0; status && i < NCOLS(codes); i++)
		if (strcmp(status, codes[i].status) == 0)
			return codes[i].code;
	return 1;
}
