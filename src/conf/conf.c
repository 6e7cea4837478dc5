/* SPDX-License-Identifier: ISC */
/*
 * conf.c — loading routprotd.conf(5): the text (read by conf_source) parsed by libconfig, the
 * daemon-wide keys (router-id, state-dir, control, log, fib), the shape of each protocol
 * section and its `interfaces` list, and the hand-off of the keys inside them to the
 * protocol's rp_config_ops.
 * Every problem is collected in a rp_conf_diag; any problem makes the whole load fail.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf/conf.h"
#include "routprotd/conf_schema.h"
#include "conf/conf_source.h"
#include "routprotd/prefix.h"

#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)
#define GROUP_BUF_MAX (1u << 20) /* give up on absurdly large group entries */

/* State of one conf_load() call. */
struct load {
	const char *file;
	struct rp_conf_diag *diag;
	const struct rp_protocol *const *known;
	size_t nknown;
	struct conf *conf;
	bool ok; /* false once anything failed, even without a message */
};

static const char *const top_groups[] = { "control", "log", "fib", "netlink" };
static const char *const level_choices[] = { "error", "warning", "notice", "info", "debug",
					     NULL };
static const char *const skip_interfaces[] = { "interfaces", NULL };
static const char *const skip_name[] = { "name", NULL };

static int setting_line(const config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

/* ---- checks attached to the daemon-wide fields ---- */

static bool check_router_id(const config_setting_t *s, const void *target,
			    struct rp_conf_diag *diag)
{
	uint32_t a = ((const struct conf *)target)->router_id;
	char buf[RP_ADDR4_STRLEN];

	if (a == 0 || (a >> 28) == 0xe || a == 0xffffffffu) {
		rp_conf_diag_at(diag, s, "'%s' must be a unicast address (got %s)",
			     config_setting_name(s), rp_addr4_format(a, buf));
		return false;
	}
	return true;
}

static bool check_absolute(const config_setting_t *s, const void *target,
			   struct rp_conf_diag *diag)
{
	const char *v = config_setting_get_string(s);

	if (!v || v[0] != '/') {
		rp_conf_diag_at(diag, s, "'%s' must be an absolute path (got \"%s\")",
			     config_setting_name(s), v ? v : "");
		return false;
	}
	return true;
}

static bool check_fib_table(const config_setting_t *s, const void *target,
			    struct rp_conf_diag *diag)
{
	if (((const struct conf *)target)->fib_table == 255) {
		rp_conf_diag_at(diag, s, "'%s' must not be 255 (the kernel's local table)",
			     config_setting_name(s));
		return false;
	}
	return true;
}

static const struct rp_conf_field top_fields[] = {
	{ .name = "router-id", .kind = RP_CONF_ADDR4, .offset = offsetof(struct conf, router_id),
	  .check = check_router_id },
	{ .name = "state-dir", .kind = RP_CONF_STRING, .offset = offsetof(struct conf, state_dir),
	  .max = PATH_MAX - 1, .check = check_absolute },
};

static const struct rp_conf_field control_fields[] = {
	{ .name = "socket", .kind = RP_CONF_STRING, .offset = offsetof(struct conf, control_socket),
	  .max = SUN_PATH_MAX, .check = check_absolute },
	{ .name = "group", .kind = RP_CONF_STRING, .offset = offsetof(struct conf, control_group) },
	{ .name = "idle-timeout", .kind = RP_CONF_INT,
	  .offset = offsetof(struct conf, control_idle_timeout), .min = 1, .max = 3600 },
	{ .name = "request-timeout", .kind = RP_CONF_INT,
	  .offset = offsetof(struct conf, control_request_timeout), .min = 1, .max = 3600 },
};

static const struct rp_conf_field fib_fields[] = {
	{ .name = "table", .kind = RP_CONF_U32, .offset = offsetof(struct conf, fib_table),
	  .min = 1, .max = UINT32_MAX, .check = check_fib_table },
	{ .name = "metric", .kind = RP_CONF_U32, .offset = offsetof(struct conf, fib_metric),
	  .min = 0, .max = UINT32_MAX },
	{ .name = "stale-time", .kind = RP_CONF_INT, .offset = offsetof(struct conf, fib_stale_time),
	  .min = 1, .max = 3600 },
	{ .name = "retain-on-stop", .kind = RP_CONF_BOOL,
	  .offset = offsetof(struct conf, fib_retain_on_stop) },
};

static const struct rp_conf_field netlink_fields[] = {
	{ .name = "receive-buffer", .kind = RP_CONF_U32,
	  .offset = offsetof(struct conf, netlink_rcvbuf), .min = 4096, .max = 1u << 30 },
};

struct log_section {
	int level; /* index into level_choices, -1 = not given */
};

static const struct rp_conf_field log_fields[] = {
	{ .name = "level", .kind = RP_CONF_CHOICE, .offset = offsetof(struct log_section, level),
	  .choices = level_choices },
};

/* ---- defaults, lookup, free ---- */

struct conf *conf_new_default(void)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->state_dir = strdup(CONF_DEFAULT_STATE_DIR);
	c->control_socket = strdup(CONF_DEFAULT_SOCKET);
	if (!c->state_dir || !c->control_socket) {
		conf_free(c);
		return NULL;
	}
	c->control_gid = (gid_t)-1;
	c->control_idle_timeout = CONF_DEFAULT_CONTROL_IDLE_TIMEOUT;
	c->control_request_timeout = CONF_DEFAULT_CONTROL_REQUEST_TIMEOUT;
	c->log_level = RP_LOG_INFO;
	c->fib_table = CONF_DEFAULT_FIB_TABLE;
	c->fib_metric = CONF_DEFAULT_FIB_METRIC;
	c->netlink_rcvbuf = CONF_DEFAULT_NETLINK_RCVBUF;
	c->fib_stale_time = CONF_DEFAULT_FIB_STALE_TIME;
	c->fib_retain_on_stop = true;
	return c;
}

static void free_protocol(struct conf_protocol *p)
{
	const struct rp_config_ops *ops = p->protocol ? p->protocol->config : NULL;

	for (size_t i = 0; i < p->ninterfaces; i++) {
		if (p->interfaces[i].info && ops && ops->free_interface)
			ops->free_interface(p->interfaces[i].info);
	}
	free(p->interfaces);
	if (p->global && ops && ops->free_global)
		ops->free_global(p->global);
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nprotocols; i++)
		free_protocol(&c->protocols[i]);
	free(c->protocols);
	free(c->file);
	free(c->state_dir);
	free(c->control_socket);
	free(c->control_group);
	free(c);
}

const struct conf_protocol *conf_find_protocol(const struct conf *c, const char *name)
{
	for (size_t i = 0; c && i < c->nprotocols; i++) {
		if (strcmp(c->protocols[i].protocol->name, name) == 0)
			return &c->protocols[i];
	}
	return NULL;
}

const struct conf_interface *conf_find_interface(const struct conf_protocol *p,
						 const char *ifname)
{
	for (size_t i = 0; p && i < p->ninterfaces; i++) {
		if (strcmp(p->interfaces[i].name, ifname) == 0)
			return &p->interfaces[i];
	}
	return NULL;
}

/* ---- daemon-wide keys ---- */

/* 0: found; ENOENT: no such group; anything else: the lookup itself failed. */
static int lookup_group(const char *name, gid_t *gid)
{
	long hint = sysconf(_SC_GETGR_R_SIZE_MAX);
	size_t len = hint > 0 ? (size_t)hint : 1024;
	struct group gr, *res;
	char *buf;
	int rc;

	for (;;) {
		if (!(buf = malloc(len)))
			return ENOMEM;
		res = NULL;
		rc = getgrnam_r(name, &gr, buf, len, &res);
		if (rc != ERANGE || len >= GROUP_BUF_MAX)
			break;
		free(buf);
		len *= 2;
	}
	if (rc == 0 && res)
		*gid = gr.gr_gid;
	free(buf);
	if (rc == 0)
		return res ? 0 : ENOENT;
	return rc;
}

static void load_control_group(struct load *ld, const config_setting_t *control)
{
	const config_setting_t *s = config_setting_get_member(control, "group");
	const char *name = ld->conf->control_group;
	int rc;

	if (!s || !name)
		return;
	rc = lookup_group(name, &ld->conf->control_gid);
	if (rc == ENOENT)
		rp_conf_diag_at(ld->diag, s, "unknown group '%s' in 'control'", name);
	else if (rc != 0)
		rp_conf_diag_at(ld->diag, s, "cannot look up group '%s': %s", name, strerror(rc));
	if (rc != 0)
		ld->ok = false;
}

static void load_log(struct load *ld, const config_setting_t *s)
{
	struct log_section sec = { .level = -1 };

	if (!rp_conf_parse_fields(s, log_fields, RP_CONF_NFIELDS(log_fields), NULL, "log", &sec,
			       ld->diag)) {
		ld->ok = false;
		return;
	}
	if (sec.level >= 0 && !rp_log_level_parse(level_choices[sec.level], &ld->conf->log_level))
		ld->ok = false;
}

static void load_top_group(struct load *ld, const config_setting_t *root, const char *name)
{
	const config_setting_t *s = config_setting_get_member(root, name);
	bool ok = true;

	if (!s)
		return;
	if (strcmp(name, "log") == 0) {
		load_log(ld, s);
		return;
	}
	if (strcmp(name, "control") == 0) {
		ok = rp_conf_parse_fields(s, control_fields, RP_CONF_NFIELDS(control_fields), NULL,
				       name, ld->conf, ld->diag);
		if (ok)
			load_control_group(ld, s);
	} else if (strcmp(name, "netlink") == 0) {
		ok = rp_conf_parse_fields(s, netlink_fields, RP_CONF_NFIELDS(netlink_fields), NULL,
				       name, ld->conf, ld->diag);
	} else {
		ok = rp_conf_parse_fields(s, fib_fields, RP_CONF_NFIELDS(fib_fields), NULL, name,
				       ld->conf, ld->diag);
	}
	if (!ok)
		ld->ok = false;
}

/* Top-level scalars, unknown top-level keys (the groups and protocol names are skipped here and
 * handled on their own). */
static void load_top(struct load *ld, const config_setting_t *root)
{
	size_t ngroups = sizeof(top_groups) / sizeof(top_groups[0]);
	const char **skip = calloc(ngroups + ld->nknown + 1, sizeof(*skip));

	if (!skip) {
		rp_conf_diag_line(ld->diag, ld->file, 0, "out of memory");
		ld->ok = false;
		return;
	}
	for (size_t i = 0; i < ngroups; i++)
		skip[i] = top_groups[i];
	for (size_t i = 0; i < ld->nknown; i++)
		skip[ngroups + i] = ld->known[i]->name;
	if (!rp_conf_parse_fields(root, top_fields, RP_CONF_NFIELDS(top_fields), skip, NULL, ld->conf,
			       ld->diag))
		ld->ok = false;
	free(skip);
	ld->conf->router_id_set = config_setting_get_member(root, "router-id") != NULL;
	for (size_t i = 0; i < ngroups; i++)
		load_top_group(ld, root, top_groups[i]);
}

/* ---- protocol sections ---- */

/* Why `name` cannot be a Linux interface name, or NULL when it can. */
static const char *ifname_problem(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "empty";
	if (len >= IF_NAMESIZE)
		return "longer than 15 bytes";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "reserved name";
	for (const char *p = name; *p; p++) {
		if (*p == '/')
			return "contains '/'";
		if (*p == ':')
			return "contains ':'";
		if (isspace((unsigned char)*p))
			return "contains whitespace";
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return "contains a byte that is not printable ASCII";
	}
	return NULL;
}

/* The `name` setting of an interface group when it is a string, else NULL. */
static const config_setting_t *ifname_setting(const config_setting_t *ifgroup)
{
	const config_setting_t *s;

	if (!config_setting_is_group(ifgroup))
		return NULL;
	s = config_setting_get_member(ifgroup, "name");
	if (!s || config_setting_type(s) != CONFIG_TYPE_STRING)
		return NULL;
	return s;
}

struct ifname_ref {
	const char *name;
	unsigned idx;
};

static int ifname_ref_cmp(const void *a, const void *b)
{
	const struct ifname_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* For each of the n entries of `list`, the index of the first entry with the same name (its
 * own index when none comes before it). Sorted, not compared pairwise: a list of tens of
 * thousands of interfaces is checked in moments. NULL without memory. */
static unsigned *ifname_firsts(const config_setting_t *list, unsigned n)
{
	struct ifname_ref *refs = malloc(n * sizeof(*refs));
	unsigned *first = malloc(n * sizeof(*first));
	unsigned m = 0;

	if (!refs || !first) {
		free(refs);
		free(first);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *s = ifname_setting(config_setting_get_elem(list, i));

		first[i] = i;
		if (s)
			refs[m++] = (struct ifname_ref){ .name = config_setting_get_string(s),
							 .idx = i };
	}
	qsort(refs, m, sizeof(*refs), ifname_ref_cmp);
	for (unsigned k = 1; k < m; k++)
		if (strcmp(refs[k].name, refs[k - 1].name) == 0)
			first[refs[k].idx] = first[refs[k - 1].idx];
	free(refs);
	return first;
}

static void report_duplicate(struct load *ld, const char *proto, const char *name,
			     const config_setting_t *again, const config_setting_t *first)
{
	const char *f1 = config_setting_source_file(first);
	const char *f2 = config_setting_source_file(again);

	if (f1 && f2 && strcmp(f1, f2) != 0)
		rp_conf_diag_at(ld->diag, again,
			     "interface '%s' is listed twice in '%s' (first at %s:%d)", name, proto,
			     f1, setting_line(first));
	else
		rp_conf_diag_at(ld->diag, again,
			     "interface '%s' is listed twice in '%s' (first at line %d)", name,
			     proto, setting_line(first));
}

/* The validated, unique name of element `idx` of `list` (whose name first appears at element
 * `first`), or NULL after reporting. */
static const char *interface_name(struct load *ld, const char *proto,
				  const config_setting_t *list, unsigned idx, unsigned first)
{
	const config_setting_t *ifgroup = config_setting_get_elem(list, idx);
	const config_setting_t *s = config_setting_get_member(ifgroup, "name");
	const char *name, *why;

	if (!s) {
		rp_conf_diag_at(ld->diag, ifgroup, "interface without 'name' in '%s'", proto);
		return NULL;
	}
	name = config_setting_get_string(s);
	if (config_setting_type(s) != CONFIG_TYPE_STRING || !name) {
		rp_conf_diag_at(ld->diag, s, "'name' must be a string");
		return NULL;
	}
	why = ifname_problem(name);
	if (why) {
		rp_conf_diag_at(ld->diag, s, "'name' is not a valid interface name: \"%s\" (%s)", name,
			     why);
		return NULL;
	}
	if (first != idx) {
		report_duplicate(ld, proto, name, s,
				 ifname_setting(config_setting_get_elem(list, first)));
		return NULL;
	}
	return name;
}

/* The protocol's blob for one interface; false when invalid. *info may be NULL when valid (a
 * protocol without a parser). */
static bool parse_interface(struct load *ld, const struct rp_protocol *proto,
			    const config_setting_t *ifgroup, const char *name, const void *global,
			    void **info)
{
	const struct rp_config_ops *ops = proto->config;
	char where[IF_NAMESIZE + 16];

	*info = NULL;
	if (ops && ops->parse_interface) {
		*info = ops->parse_interface(ifgroup, global, ld->diag);
		return *info != NULL;
	}
	snprintf(where, sizeof(where), "interface %s", name ? name : "?");
	return rp_conf_parse_fields(ifgroup, NULL, 0, skip_name, where, NULL, ld->diag);
}

static void discard_interface(const struct rp_protocol *proto, void *info)
{
	if (info && proto->config && proto->config->free_interface)
		proto->config->free_interface(info);
}

/* One element of `interfaces` (its name first used by element `first`). The protocol parses
 * it only when `parse_ok` (its global section was valid: parse_interface may rely on the global
 * blob). */
static void load_interface(struct load *ld, struct conf_protocol *cp,
			   const config_setting_t *list, unsigned idx, unsigned first, bool parse_ok)
{
	const config_setting_t *ifgroup = config_setting_get_elem(list, idx);
	const char *pname = cp->protocol->name;
	struct conf_interface *ci;
	const char *name;
	void *info = NULL;
	bool parsed = true;

	if (!config_setting_is_group(ifgroup)) {
		rp_conf_diag_at(ld->diag, ifgroup,
			     "each entry of 'interfaces' in '%s' must be a group: "
			     "{ name = \"...\"; }",
			     pname);
		ld->ok = false;
		return;
	}
	name = interface_name(ld, pname, list, idx, first);
	if (parse_ok)
		parsed = parse_interface(ld, cp->protocol, ifgroup, name, cp->global, &info);
	if (!name || !parsed) {
		ld->ok = false;
		discard_interface(cp->protocol, info);
		return;
	}
	ci = &cp->interfaces[cp->ninterfaces++];
	snprintf(ci->name, sizeof(ci->name), "%s", name);
	ci->line = setting_line(ifgroup);
	ci->info = info;
}

/* `interfaces` must be a list of groups; an empty array `[]` is taken as an empty list. */
static bool interfaces_shape_ok(struct load *ld, const char *pname,
				const config_setting_t *list)
{
	if (config_setting_is_list(list) ||
	    (config_setting_is_array(list) && config_setting_length(list) == 0))
		return true;
	rp_conf_diag_at(ld->diag, list,
		     "'interfaces' in '%s' must be a list of groups: ( { name = \"eth0\"; }, ... )",
		     pname);
	ld->ok = false;
	return false;
}

static void load_interfaces(struct load *ld, struct conf_protocol *cp,
			    const config_setting_t *list, bool parse_ok)
{
	unsigned n, *first;

	if (!interfaces_shape_ok(ld, cp->protocol->name, list))
		return;
	n = (unsigned)config_setting_length(list);
	if (n == 0)
		return;
	cp->interfaces = calloc(n, sizeof(*cp->interfaces));
	first = ifname_firsts(list, n);
	if (!cp->interfaces || !first) {
		rp_conf_diag_at(ld->diag, list, "out of memory");
		ld->ok = false;
		free(first);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		load_interface(ld, cp, list, i, first[i], parse_ok);
	free(first);
}

/* The protocol's global blob; false when invalid. */
static bool parse_global(struct load *ld, struct conf_protocol *cp,
			 const config_setting_t *section)
{
	const struct rp_config_ops *ops = cp->protocol->config;

	if (ops && ops->parse_global) {
		cp->global = ops->parse_global(section, ld->diag);
		return cp->global != NULL;
	}
	return rp_conf_parse_fields(section, NULL, 0, skip_interfaces, cp->protocol->name, NULL,
				 ld->diag);
}

/* `preference = N;` belongs to the router manager: read, then taken out of the section
 * before the protocol parses the rest of it. */
static void take_preference(struct load *ld, struct conf_protocol *cp,
			    const config_setting_t *section)
{
	config_setting_t *s = config_setting_get_member(section, "preference");
	long long v;

	if (!s)
		return;
	if (rp_conf_parse_integer(s, "preference", 1, RP_PREFERENCE_MAX, &v, ld->diag))
		cp->preference = (unsigned)v;
	else
		ld->ok = false;
	config_setting_remove((config_setting_t *)section, "preference");
}

static void load_protocol(struct load *ld, const struct rp_protocol *proto,
			  const config_setting_t *section)
{
	struct conf_protocol *cp = &ld->conf->protocols[ld->conf->nprotocols++];
	const bool has_global = proto->config && proto->config->parse_global;
	const config_setting_t *list;
	bool global_ok;

	cp->protocol = proto;
	cp->line = setting_line(section);
	if (!config_setting_is_group(section)) {
		rp_conf_diag_at(ld->diag, section, "'%s' must be a group: %s = { ... };", proto->name,
			     proto->name);
		ld->ok = false;
		return;
	}
	take_preference(ld, cp, section);
	global_ok = parse_global(ld, cp, section);
	if (!global_ok)
		ld->ok = false;
	/* Without a global parser there is no blob to wait for: check the interfaces anyway. */
	list = config_setting_get_member(section, "interfaces");
	if (list)
		load_interfaces(ld, cp, list, global_ok || !has_global);
}

static void load_protocols(struct load *ld, const config_setting_t *root)
{
	if (ld->nknown == 0)
		return;
	ld->conf->protocols = calloc(ld->nknown, sizeof(*ld->conf->protocols));
	if (!ld->conf->protocols) {
		rp_conf_diag_line(ld->diag, ld->file, 0, "out of memory");
		ld->ok = false;
		return;
	}
	for (size_t i = 0; i < ld->nknown; i++) {
		const config_setting_t *s = config_setting_get_member(root, ld->known[i]->name);

		if (s)
			load_protocol(ld, ld->known[i], s);
	}
}

/* ---- entry point ---- */

static struct conf *load_config(struct load *ld, const config_setting_t *root)
{
	ld->conf = conf_new_default();
	if (!ld->conf || !(ld->conf->file = strdup(ld->file))) {
		rp_conf_diag_line(ld->diag, ld->file, 0, "out of memory");
		conf_free(ld->conf);
		return NULL;
	}
	load_top(ld, root);
	load_protocols(ld, root);
	return ld->conf;
}

/* True when `name` may name a protocol section: not one of the daemon's own groups. */
static bool protocol_section(const config_setting_t *s)
{
	const char *name = config_setting_name(s);

	if (!name || !config_setting_is_group(s))
		return false;
	for (size_t i = 0; i < sizeof(top_groups) / sizeof(top_groups[0]); i++)
		if (strcmp(name, top_groups[i]) == 0)
			return false;
	return strlen(name) < RP_PROTOCOL_NAME_MAX;
}

size_t conf_section_names(const char *file, char (*names)[RP_PROTOCOL_NAME_MAX], size_t max)
{
	struct rp_conf_diag scratch;
	struct conf_source *src;
	const config_setting_t *root;
	size_t n = 0;
	config_t cfg;

	rp_conf_diag_init(&scratch, file);
	config_init(&cfg);
	src = conf_source_load(&cfg, file, &scratch);
	root = src ? config_root_setting(&cfg) : NULL;
	for (int i = 0; root && i < config_setting_length(root) && n < max; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);

		if (protocol_section(s))
			snprintf(names[n++], RP_PROTOCOL_NAME_MAX, "%s", config_setting_name(s));
	}
	config_destroy(&cfg);
	conf_source_free(src);
	rp_conf_diag_free(&scratch);
	return n;
}

struct conf *conf_load(const char *file, const struct rp_protocol *const *known, size_t nknown,
		       struct rp_conf_diag *diag)
{
	struct load ld = { .file = file, .diag = diag, .known = known, .nknown = nknown,
			   .ok = true };
	size_t count0 = diag->count, lost0 = diag->lost;
	const char *saved_file = diag->file;
	struct conf_source *src;
	struct conf *c = NULL;
	config_t cfg;

	if (!diag->file)
		diag->file = file;
	config_init(&cfg);
	if ((src = conf_source_load(&cfg, file, diag)))
		c = load_config(&ld, config_root_setting(&cfg));
	config_destroy(&cfg);
	conf_source_free(src);
	if (c && (!ld.ok || diag->count != count0 || diag->lost != lost0)) {
		conf_free(c);
		c = NULL;
	}
	if (!c && diag->count == count0 && diag->lost == lost0)
		rp_conf_diag_line(diag, file, 0, "invalid configuration");
	diag->file = saved_file;
	return c;
}
