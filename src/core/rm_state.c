/* SPDX-License-Identifier: ISC */
/*
 * rm_state.c — reading and writing the autostatic state file (see rm_state.h). Format:
 *
 *   { "format": "routprotd-autostatic", "version": 1, "written": "2026-11-21T19:06:40.123Z",
 *     "interfaces": [ { "name": "ppp0", "updated": "2026-...Z",
 *                       "routes": [ { "prefix": "198.19.1.0/24", "nexthop": "198.18.1.2",
 *                                     "metric": 2, "tag": 0 } ] } ] }
 *
 * Every field is checked on reading; the first problem makes the whole file unusable.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/rm_state.h"
#include "routprotd/clock.h"
#include "routprotd/prefix.h"

#define STATE_MAX_BYTES (512L << 20)

static json_t *route_json(const struct rm_state_route *r)
{
	char p[RP_PREFIX4_STRLEN], a[RP_ADDR4_STRLEN];

	return json_pack("{s:s,s:s,s:I,s:I}", "prefix", rp_prefix4_format(r->prefix, r->len, p),
			 "nexthop", rp_addr4_format(r->gateway, a), "metric", (json_int_t)r->metric,
			 "tag", (json_int_t)r->tag);
}

static json_t *iface_json(const struct rm_state_iface *s)
{
	char when[RP_CLOCK_ISO8601_LEN];
	json_t *routes = json_array();

	for (size_t i = 0; routes && i < s->nroutes; i++)
		json_array_append_new(routes, route_json(&s->routes[i]));
	rp_clock_format_iso8601(s->updated_ms, when);
	return json_pack("{s:s,s:s,s:o*}", "name", s->name, "updated", when, "routes", routes);
}

static json_t *document(const struct rm_state_iface *ifs, size_t n)
{
	char when[RP_CLOCK_ISO8601_LEN];
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++)
		json_array_append_new(arr, iface_json(&ifs[i]));
	rp_clock_format_iso8601(rp_clock_wall_ms(), when);
	return json_pack("{s:s,s:i,s:s,s:o*}", "format", RM_STATE_FORMAT, "version",
			 RM_STATE_VERSION, "written", when, "interfaces", arr);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static int write_text(int fd, const char *text)
{
	if (write_all(fd, text, strlen(text)) != 0 || write_all(fd, "\n", 1) != 0 ||
	    fsync(fd) != 0) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return close(fd);
}

int rm_state_write(const char *dir, const struct rm_state_iface *ifs, size_t n, char *err,
		   size_t errlen)
{
	char path[4096], tmp[4096];
	json_t *doc = document(ifs, n);
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	int fd, rc = RM_STATE_UNCHANGED;

	json_decref(doc);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return RM_STATE_UNCHANGED;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, RM_STATE_FILE);
	snprintf(tmp, sizeof(tmp), "%s/%s", dir, RM_STATE_TEMP);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || write_text(fd, text) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
	} else if (fsync_dir(dir) != 0) {
		snprintf(err, errlen, "%s: syncing the directory: %s", dir, strerror(errno));
		rc = RM_STATE_REPLACED;
	} else {
		rc = RM_STATE_WRITTEN;
	}
	free(text);
	return rc;
}

int rm_state_remove_temp(const char *dir, char *err, size_t errlen)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s/%s", dir, RM_STATE_TEMP);
	if (unlink(tmp) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
	return -1;
}

/* ---- reading ---- */

static const char *read_route(json_t *o, struct rm_state_route *r)
{
	struct rp_prefix4 p;
	json_int_t metric, tag;
	const char *prefix, *nexthop;

	if (json_unpack(o, "{s:s,s:s,s:I,s:I}", "prefix", &prefix, "nexthop", &nexthop, "metric",
			&metric, "tag", &tag) != 0)
		return "a route lacks prefix, nexthop, metric or tag";
	if (!rp_prefix4_parse(prefix, &p, false))
		return "bad prefix";
	if (!rp_addr4_parse(nexthop, &r->gateway))
		return "bad nexthop";
	if (metric < 1 || metric > 15 || tag < 0 || tag > 65535)
		return "metric or tag out of range";
	r->prefix = p.addr;
	r->len = p.len;
	r->metric = (uint32_t)metric;
	r->tag = (uint32_t)tag;
	return NULL;
}

static const char *read_iface(json_t *o, struct rm_state_iface *s)
{
	const char *name, *updated, *why;
	json_t *routes;
	size_t i;
	json_t *r;

	if (json_unpack(o, "{s:s,s:s,s:o}", "name", &name, "updated", &updated, "routes",
			&routes) != 0 || !json_is_array(routes))
		return "an interface lacks name, updated or routes";
	if (strlen(name) == 0 || strlen(name) >= IF_NAMESIZE)
		return "bad interface name";
	snprintf(s->name, sizeof(s->name), "%s", name);
	if ((s->updated_ms = rp_clock_parse_iso8601(updated)) < 0)
		return "bad update time";
	s->routes = calloc(json_array_size(routes) ? json_array_size(routes) : 1,
			   sizeof(*s->routes));
	if (!s->routes)
		return "out of memory";
	json_array_foreach(routes, i, r) {
		if ((why = read_route(r, &s->routes[i])) != NULL)
			return why;
		s->nroutes++;
	}
	return NULL;
}

static const char *read_document(json_t *doc, struct rm_state_iface **out, size_t *n)
{
	const char *format;
	json_int_t version;
	json_t *arr, *o;
	size_t i;
	const char *why;

	if (json_unpack(doc, "{s:s,s:I,s:o}", "format", &format, "version", &version,
			"interfaces", &arr) != 0 || strcmp(format, RM_STATE_FORMAT) != 0)
		return "not a routprotd autostatic state file";
	if (version != RM_STATE_VERSION)
		return "written by another version of routprotd";
	if (!json_is_array(arr))
		return "interfaces is not a list";
	*out = calloc(json_array_size(arr) ? json_array_size(arr) : 1, sizeof(**out));
	if (!*out)
		return "out of memory";
	json_array_foreach(arr, i, o) {
		if ((why = read_iface(o, &(*out)[i])) != NULL) {
			*n = i + 1;
			return why;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp((*out)[k].name, (*out)[i].name) == 0) {
				*n = i + 1;
				return "an interface is listed twice";
			}
	}
	*n = json_array_size(arr);
	return NULL;
}

int rm_state_read(const char *dir, struct rm_state_iface **ifs, size_t *n, char *err,
		  size_t errlen)
{
	char path[4096];
	struct stat st;
	json_error_t jerr;
	json_t *doc;
	const char *why;

	*ifs = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, RM_STATE_FILE);
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > STATE_MAX_BYTES) {
		snprintf(err, errlen, "%s: not a regular file of a sensible size", path);
		return -1;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	why = read_document(doc, ifs, n);
	json_decref(doc);
	if (why) {
		snprintf(err, errlen, "%s: %s", path, why);
		rm_state_free(*ifs, *n);
		*ifs = NULL;
		*n = 0;
		return -1;
	}
	return 1;
}

int rm_state_set_aside(const char *dir, char *aside, size_t len)
{
	char path[4096], stamp[RP_CLOCK_ISO8601_LEN];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(path, sizeof(path), "%s/%s", dir, RM_STATE_FILE);
	snprintf(aside, len, "%s/%s.bad-%s", dir, RM_STATE_FILE, stamp);
	return rename(path, aside);
}

void rm_state_free(struct rm_state_iface *ifs, size_t n)
{
	for (size_t i = 0; ifs && i < n; i++)
		free(ifs[i].routes);
	free(ifs);
}
