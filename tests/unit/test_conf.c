/* SPDX-License-Identifier: ISC */
/*
 * test_conf.c — unit tests of the configuration loader (src/conf): conf_load() on files written
 * to a temporary directory, with a small fake protocol whose rp_config_ops parse their sections
 * through rp_conf_parse_fields(), so the loader and the schema are tested without the real RIP
 * module; plus the schema helpers (free, equal, copy, suggest) on their own.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "routprotd/conf_diag.h"
#include "routprotd/conf_schema.h"
#include "conf/conf_source.h"
#include "routprotd/prefix.h"

/* ---- the fake protocol ---- */

struct fake_global {
	int update_interval;
	int timeout;
	unsigned redistribute;
	char *description;
	int default_cost;
};

struct fake_if {
	bool passive;
	int cost;
	int mode;
	int split_horizon;
	int version;
	bool update_on_connect;
	uint32_t *neighbors;
	size_t nneighbors;
	char *label;
	uint32_t key_id;
	uint32_t source;
};

enum { MODE_PERIODIC, MODE_AUTOSTATIC, MODE_DEMAND };
enum { SH_NONE, SH_SIMPLE, SH_POISONED };
enum { VER_1, VER_2, VER_1_COMPAT };

static const char *const redist_choices[] = { "connected", "static", "kernel", "autostatic",
					      NULL };
static const char *const mode_choices[] = { "periodic", "autostatic", "demand", NULL };
static const char *const sh_choices[] = { "none", "simple", "poisoned-reverse", NULL };
static const char *const version_choices[] = { "1", "2", "1-compatible", NULL };

static const struct rp_conf_field fake_global_fields[] = {
	{ .name = "update-interval", .kind = RP_CONF_INT,
	  .offset = offsetof(struct fake_global, update_interval), .min = 5, .max = 3600 },
	{ .name = "timeout", .kind = RP_CONF_INT, .offset = offsetof(struct fake_global, timeout),
	  .min = 10, .max = 3600 },
	{ .name = "redistribute", .kind = RP_CONF_FLAGS,
	  .offset = offsetof(struct fake_global, redistribute), .choices = redist_choices },
	{ .name = "description", .kind = RP_CONF_STRING,
	  .offset = offsetof(struct fake_global, description), .max = 32 },
	{ .name = "default-cost", .kind = RP_CONF_INT,
	  .offset = offsetof(struct fake_global, default_cost), .min = 1, .max = 15 },
};

static const struct rp_conf_field fake_if_fields[] = {
	{ .name = "passive", .kind = RP_CONF_BOOL, .offset = offsetof(struct fake_if, passive) },
	{ .name = "cost", .kind = RP_CONF_INT, .offset = offsetof(struct fake_if, cost), .min = 1,
	  .max = 15 },
	{ .name = "mode", .kind = RP_CONF_CHOICE, .offset = offsetof(struct fake_if, mode),
	  .choices = mode_choices },
	{ .name = "split-horizon", .kind = RP_CONF_CHOICE,
	  .offset = offsetof(struct fake_if, split_horizon), .choices = sh_choices },
	{ .name = "version", .kind = RP_CONF_CHOICE, .offset = offsetof(struct fake_if, version),
	  .choices = version_choices },
	{ .name = "update-on-connect", .kind = RP_CONF_BOOL,
	  .offset = offsetof(struct fake_if, update_on_connect) },
	{ .name = "neighbors", .kind = RP_CONF_ADDR4_LIST,
	  .offset = offsetof(struct fake_if, neighbors),
	  .count_offset = offsetof(struct fake_if, nneighbors) },
	{ .name = "label", .kind = RP_CONF_STRING, .offset = offsetof(struct fake_if, label) },
	{ .name = "key-id", .kind = RP_CONF_U32, .offset = offsetof(struct fake_if, key_id) },
	{ .name = "source", .kind = RP_CONF_ADDR4, .offset = offsetof(struct fake_if, source) },
};

static void fake_free_global(void *p)
{
	struct fake_global *g = p;

	rp_conf_free_fields(fake_global_fields, RP_CONF_NFIELDS(fake_global_fields), g);
	free(g);
}

static void fake_free_interface(void *p)
{
	struct fake_if *fi = p;

	rp_conf_free_fields(fake_if_fields, RP_CONF_NFIELDS(fake_if_fields), fi);
	free(fi);
}

/* description = "fail-silently" makes the parser reject the section without a message. */
static void *fake_parse_global(const config_setting_t *section, struct rp_conf_diag *diag)
{
	struct fake_global *g = calloc(1, sizeof(*g));
	const char *const skip[] = { "interfaces", NULL };

	ck_assert_ptr_nonnull(g);
	g->update_interval = 30;
	g->timeout = 180;
	g->default_cost = 1;
	if (!rp_conf_parse_fields(section, fake_global_fields, RP_CONF_NFIELDS(fake_global_fields),
			       skip, "fake", g, diag) ||
	    (g->description && strcmp(g->description, "fail-silently") == 0)) {
		fake_free_global(g);
		return NULL;
	}
	return g;
}

static void *fake_parse_interface(const config_setting_t *ifsection, const void *global,
				  struct rp_conf_diag *diag)
{
	const struct fake_global *g = global;
	struct fake_if *fi = calloc(1, sizeof(*fi));
	const char *const skip[] = { "name", NULL };
	const char *name = "?";
	char where[64];

	ck_assert_ptr_nonnull(g);
	ck_assert_ptr_nonnull(fi);
	config_setting_lookup_string(ifsection, "name", &name);
	snprintf(where, sizeof(where), "interface %s", name);
	fi->cost = g->default_cost;
	fi->split_horizon = SH_POISONED;
	fi->version = VER_2;
	if (!rp_conf_parse_fields(ifsection, fake_if_fields, RP_CONF_NFIELDS(fake_if_fields), skip,
			       where, fi, diag)) {
		fake_free_interface(fi);
		return NULL;
	}
	return fi;
}

static const struct rp_config_ops fake_ops = {
	.parse_global = fake_parse_global,
	.parse_interface = fake_parse_interface,
	.free_global = fake_free_global,
	.free_interface = fake_free_interface,
};

static const struct rp_protocol fake_protocol = {
	RP_PROTOCOL_HEADER,
	.name = "fake",
	.config = &fake_ops,
};

/* A protocol without configuration keys. */
static const struct rp_protocol bare_protocol = {
	RP_PROTOCOL_HEADER,
	.name = "bare",
};

static const struct rp_protocol *const known[] = { &fake_protocol, &bare_protocol };

/* ---- fixture: a temporary directory per test ---- */

static char tmpdir[PATH_MAX];
static char conf_path[PATH_MAX + 32];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_conf.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(conf_path, sizeof(conf_path), "%s/routprotd.conf", tmpdir);
}

/* Remove `path` and, for a directory, what it holds (one level: tests make no deeper trees). */
static void remove_tree(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	char sub[PATH_MAX * 2];

	if (dir) {
		while ((e = readdir(dir))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			if (remove(sub) != 0)
				remove_tree(sub);
		}
		closedir(dir);
	}
	remove(path);
}

static void teardown(void)
{
	remove_tree(tmpdir);
}

/* `name` under the test directory. */
static const char *in_tmp(const char *name)
{
	static char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void write_bytes(const char *name, const char *bytes, size_t len)
{
	FILE *f = fopen(in_tmp(name), "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void write_named(const char *name, const char *text)
{
	write_bytes(name, text, strlen(text));
}

/* Write routprotd.conf and load it with the fake and bare protocols. */
static struct conf *load(const char *text, struct rp_conf_diag *d)
{
	write_named("routprotd.conf", text);
	rp_conf_diag_init(d, conf_path);
	return conf_load(conf_path, known, 2, d);
}

static char *all_messages(const struct rp_conf_diag *d)
{
	static char buf[8192];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->count && used < sizeof(buf); i++) {
		int n = snprintf(buf + used, sizeof(buf) - used, "\n  [%s]", d->messages[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

static bool has_message(const struct rp_conf_diag *d, const char *want)
{
	for (size_t i = 0; i < d->count; i++) {
		if (strcmp(d->messages[i], want) == 0)
			return true;
	}
	return false;
}

/* Assert that "FILE:LINE: msg" was reported (FILE = routprotd.conf unless given). */
static void expect_in(const struct rp_conf_diag *d, const char *file, int line, const char *msg)
{
	char want[PATH_MAX + 512];

	if (line > 0)
		snprintf(want, sizeof(want), "%s:%d: %s", file, line, msg);
	else
		snprintf(want, sizeof(want), "%s: %s", file, msg);
	ck_assert_msg(has_message(d, want), "missing \"%s\" among:%s", want, all_messages(d));
}

static void expect(const struct rp_conf_diag *d, int line, const char *msg)
{
	expect_in(d, conf_path, line, msg);
}

/* "FILE:LINE: cannot open include file DIR/name: why" at `line` of routprotd.conf. */
static void expect_include(const struct rp_conf_diag *d, int line, const char *name, const char *why)
{
	char want[PATH_MAX * 3];

	snprintf(want, sizeof(want), "cannot open include file %s/%s: %s", tmpdir, name, why);
	expect(d, line, want);
}

/* Load `text`, which must fail with exactly `n` messages; the diag stays for inspection. */
static void load_fails(const char *text, struct rp_conf_diag *d, size_t n)
{
	struct conf *c = load(text, d);

	ck_assert_msg(c == NULL, "load unexpectedly succeeded");
	ck_assert_msg(d->count == n, "expected %zu messages, got %zu:%s", n, d->count,
		      all_messages(d));
}

static struct conf *load_ok(const char *text, struct rp_conf_diag *d)
{
	struct conf *c = load(text, d);

	ck_assert_msg(c != NULL, "load failed:%s", all_messages(d));
	ck_assert_uint_eq(d->count, 0);
	return c;
}

static const char *my_group_name(void)
{
	struct group *gr = getgrgid(getegid());

	ck_assert_ptr_nonnull(gr);
	return gr->gr_name;
}

/* ---- whole files ---- */

START_TEST(test_full_example)
{
	struct rp_conf_diag d;
	char text[2048];
	const struct conf_protocol *p;
	const struct conf_interface *ci;
	const struct fake_global *g;
	const struct fake_if *fi;
	struct conf *c;

	snprintf(text, sizeof(text),
		 "router-id = \"10.0.0.1\";\n"
		 "state-dir = \"/var/lib/routprotd-test\";\n"
		 "control = { socket = \"/run/rp-test.sock\"; group = \"%s\"; };\n"
		 "log = { level = \"debug\"; };\n"
		 "fib = { table = 100; metric = 30; };\n"
		 "bare = { interfaces = ( { name = \"lo\"; } ); };\n"
		 "fake = {\n"
		 "  update-interval = 20; timeout = 120;\n"
		 "  redistribute = [ \"connected\", \"kernel\" ];\n"
		 "  description = \"lab\";\n"
		 "  interfaces = (\n"
		 "    { name = \"eth0\"; },\n"
		 "    { name = \"eth1\"; passive = true; },\n"
		 "    { name = \"eth2\"; split-horizon = \"simple\"; cost = 3;\n"
		 "      version = \"1-compatible\";\n"
		 "      neighbors = [ \"192.0.2.7\", \"192.0.2.8\" ]; },\n"
		 "    { name = \"ppp0\"; mode = \"autostatic\"; update-on-connect = true; },\n"
		 "    { name = \"tun0\"; mode = \"demand\"; label = \"to-hq\";\n"
		 "      key-id = 3000000000L; source = \"10.1.2.3\"; }\n"
		 "  );\n"
		 "};\n",
		 my_group_name());
	c = load_ok(text, &d);
	ck_assert_str_eq(c->file, conf_path);
	ck_assert(c->router_id_set);
	ck_assert_uint_eq(c->router_id, 0x0a000001u);
	ck_assert_str_eq(c->state_dir, "/var/lib/routprotd-test");
	ck_assert_str_eq(c->control_socket, "/run/rp-test.sock");
	ck_assert_str_eq(c->control_group, my_group_name());
	ck_assert_uint_eq(c->control_gid, getegid());
	ck_assert_int_eq(c->log_level, RP_LOG_DEBUG);
	ck_assert_uint_eq(c->fib_table, 100);
	ck_assert_uint_eq(c->fib_metric, 30);

	/* protocols in the order of `known`, not of the file */
	ck_assert_uint_eq(c->nprotocols, 2);
	ck_assert_str_eq(c->protocols[0].protocol->name, "fake");
	ck_assert_int_eq(c->protocols[0].line, 7);
	ck_assert_str_eq(c->protocols[1].protocol->name, "bare");
	ck_assert_ptr_null(c->protocols[1].global);
	ck_assert_uint_eq(c->protocols[1].ninterfaces, 1);
	ck_assert_ptr_null(c->protocols[1].interfaces[0].info);

	p = conf_find_protocol(c, "fake");
	ck_assert_ptr_eq(p, &c->protocols[0]);
	ck_assert_ptr_null(conf_find_protocol(c, "rip"));
	g = p->global;
	ck_assert_int_eq(g->update_interval, 20);
	ck_assert_int_eq(g->timeout, 120);
	ck_assert_uint_eq(g->redistribute, (1u << 0) | (1u << 2));
	ck_assert_str_eq(g->description, "lab");

	ck_assert_uint_eq(p->ninterfaces, 5);
	ck_assert_str_eq(p->interfaces[0].name, "eth0");
	ck_assert_int_eq(p->interfaces[0].line, 12);
	ck_assert_str_eq(p->interfaces[4].name, "tun0");
	ck_assert_int_eq(p->interfaces[4].line, 18);
	ck_assert_ptr_null(conf_find_interface(p, "eth9"));

	fi = conf_find_interface(p, "eth0")->info;
	ck_assert(!fi->passive);
	ck_assert_int_eq(fi->cost, 1);
	ck_assert_int_eq(fi->mode, MODE_PERIODIC);
	ck_assert_int_eq(fi->split_horizon, SH_POISONED);
	ck_assert_int_eq(fi->version, VER_2);
	ck_assert_uint_eq(fi->nneighbors, 0);

	fi = conf_find_interface(p, "eth1")->info;
	ck_assert(fi->passive);

	fi = conf_find_interface(p, "eth2")->info;
	ck_assert_int_eq(fi->split_horizon, SH_SIMPLE);
	ck_assert_int_eq(fi->cost, 3);
	ck_assert_int_eq(fi->version, VER_1_COMPAT);
	ck_assert_uint_eq(fi->nneighbors, 2);
	ck_assert_uint_eq(fi->neighbors[0], 0xc0000207u);
	ck_assert_uint_eq(fi->neighbors[1], 0xc0000208u);

	fi = conf_find_interface(p, "ppp0")->info;
	ck_assert_int_eq(fi->mode, MODE_AUTOSTATIC);
	ck_assert(fi->update_on_connect);

	ci = conf_find_interface(p, "tun0");
	fi = ci->info;
	ck_assert_int_eq(fi->mode, MODE_DEMAND);
	ck_assert_str_eq(fi->label, "to-hq");
	ck_assert_uint_eq(fi->key_id, 3000000000u);
	ck_assert_uint_eq(fi->source, 0x0a010203u);

	conf_free(c);
	rp_conf_diag_free(&d);
}
END_TEST

static void assert_defaults(const struct conf *c)
{
	ck_assert(!c->router_id_set);
	ck_assert_str_eq(c->state_dir, CONF_DEFAULT_STATE_DIR);
	ck_assert_str_eq(c->control_socket, CONF_DEFAULT_SOCKET);
	ck_assert_ptr_null(c->control_group);
	ck_assert_int_eq(c->log_level, RP_LOG_INFO);
	ck_assert_uint_eq(c->fib_table, CONF_DEFAULT_FIB_TABLE);
	ck_assert_uint_eq(c->fib_metric, CONF_DEFAULT_FIB_METRIC);
	ck_assert_uint_eq(c->nprotocols, 0);
}

START_TEST(test_defaults)
{
	struct rp_conf_diag d;
	struct conf *c = load_ok("# nothing but a comment\n", &d);

	assert_defaults(c);
	conf_free(c);
	rp_conf_diag_free(&d);

	c = conf_new_default();
	ck_assert_ptr_nonnull(c);
	assert_defaults(c);
	ck_assert_ptr_null(c->file);
	conf_free(c);
	conf_free(NULL);
}
END_TEST

START_TEST(test_protocol_defaults)
{
	struct rp_conf_diag d;
	struct conf *c = load_ok("fake = { default-cost = 4;\n"
				 "  interfaces = ( { name = \"e0\"; } ); };\n"
				 "bare = { interfaces = []; };\n"
				 "log = {};\n",
				 &d);
	const struct conf_protocol *p = conf_find_protocol(c, "fake");
	const struct fake_global *g = p->global;
	const struct fake_if *fi = p->interfaces[0].info;

	ck_assert_int_eq(g->update_interval, 30);
	ck_assert_uint_eq(g->redistribute, 0);
	ck_assert_ptr_null(g->description);
	ck_assert_int_eq(fi->cost, 4); /* inherited through the global blob */
	ck_assert_uint_eq(conf_find_protocol(c, "bare")->ninterfaces, 0);
	ck_assert_int_eq(c->log_level, RP_LOG_INFO);
	conf_free(c);
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_syntax_error)
{
	struct rp_conf_diag d;

	load_fails("router-id = \"10.0.0.1\";\n"
		   "\n"
		   "fib = { table = ; };\n",
		   &d, 1);
	expect(&d, 3, "syntax error");
	rp_conf_diag_free(&d);

	load_fails("fib = { table = 1; };\nfib = { metric = 1; };\n", &d, 1);
	expect(&d, 2, "duplicate setting name");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_missing_file)
{
	struct rp_conf_diag d;
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
	rp_conf_diag_init(&d, path);
	ck_assert_ptr_null(conf_load(path, known, 2, &d));
	ck_assert_uint_eq(d.count, 1);
	expect_in(&d, path, 0, "cannot read: No such file or directory");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_unknown_top_level)
{
	struct rp_conf_diag d;

	load_fails("rotuer-id = \"10.0.0.1\";\n"
		   "fkae = { };\n"
		   "zzzzzz = 1;\n"
		   "rip = { };\n"
		   "lgo = { level = \"info\"; };\n",
		   &d, 5);
	expect(&d, 1, "unknown top-level key 'rotuer-id', did you mean 'router-id'?");
	expect(&d, 2, "unknown top-level key 'fkae', did you mean 'fake'?");
	expect(&d, 3, "unknown top-level key 'zzzzzz'");
	expect(&d, 4, "unknown top-level key 'rip'");
	expect(&d, 5, "unknown top-level key 'lgo', did you mean 'log'?");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_unknown_keys_in_sections)
{
	struct rp_conf_diag d;

	load_fails("fake = {\n"
		   "  updte-interval = 10;\n"
		   "  interface = ();\n"
		   "};\n"
		   "bare = { foo = 1; interfaces = ( { name = \"lo\"; nmae = \"x\"; } ); };\n"
		   "control = { sock = \"/x\"; };\n"
		   "fib = { tabel = 3; };\n",
		   &d, 6);
	expect(&d, 2, "unknown key 'updte-interval' in 'fake', did you mean 'update-interval'?");
	expect(&d, 3, "unknown key 'interface' in 'fake', did you mean 'interfaces'?");
	expect(&d, 5, "unknown key 'foo' in 'bare'");
	expect(&d, 5, "unknown key 'nmae' in 'interface lo', did you mean 'name'?");
	expect(&d, 6, "unknown key 'sock' in 'control', did you mean 'socket'?");
	expect(&d, 7, "unknown key 'tabel' in 'fib', did you mean 'table'?");
	rp_conf_diag_free(&d);

	load_fails("fake = {\n"
		   "  interfaces = (\n"
		   "    { name = \"eth0\"; cots = 2; },\n"
		   "    { name = \"eth1\";\n"
		   "      passive = false; zzz = 1; }\n"
		   "  );\n"
		   "};\n",
		   &d, 2);
	expect(&d, 3, "unknown key 'cots' in 'interface eth0', did you mean 'cost'?");
	expect(&d, 5, "unknown key 'zzz' in 'interface eth1'");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_wrong_types)
{
	struct rp_conf_diag d;

	load_fails("fake = {\n"
		   "  update-interval = \"30\";\n"
		   "  redistribute = \"connected\";\n"
		   "  description = 7;\n"
		   "  interfaces = ( {\n"
		   "    name = \"eth0\";\n"
		   "    passive = 1;\n"
		   "    cost = 1.5;\n"
		   "    mode = 2;\n"
		   "    neighbors = \"192.0.2.1\";\n"
		   "    source = 10;\n"
		   "  } );\n"
		   "};\n"
		   "log = 3;\n"
		   "fake2 = 1;\n",
		   &d, 5);
	expect(&d, 2, "'update-interval' must be an integer");
	expect(&d, 3, "'redistribute' must be an array of strings from: "
		      "connected, static, kernel, autostatic");
	expect(&d, 4, "'description' must be a string");
	expect(&d, 14, "'log' must be a group: { ... }");
	expect(&d, 15, "unknown top-level key 'fake2', did you mean 'fake'?");
	rp_conf_diag_free(&d);

	/* the interface is checked on its own once the global section is valid */
	load_fails("fake = {\n"
		   "  interfaces = ( {\n"
		   "    name = \"eth0\";\n"
		   "    passive = 1;\n"
		   "    cost = 1.5;\n"
		   "    mode = 2;\n"
		   "    neighbors = \"192.0.2.1\";\n"
		   "    source = 10;\n"
		   "    label = [ \"a\" ];\n"
		   "  } );\n"
		   "};\n",
		   &d, 6);
	expect(&d, 4, "'passive' must be true or false");
	expect(&d, 5, "'cost' must be an integer");
	expect(&d, 6, "'mode' must be one of: periodic, autostatic, demand");
	expect(&d, 7, "'neighbors' must be an array of IPv4 addresses");
	expect(&d, 8, "'source' must be an IPv4 address string (\"a.b.c.d\")");
	expect(&d, 9, "'label' must be a string");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_protocol_shape)
{
	struct rp_conf_diag d;

	load_fails("fake = 5;\n"
		   "bare = { interfaces = \"eth0\"; };\n",
		   &d, 2);
	expect(&d, 1, "'fake' must be a group: fake = { ... };");
	expect(&d, 2, "'interfaces' in 'bare' must be a list of groups: "
		      "( { name = \"eth0\"; }, ... )");
	rp_conf_diag_free(&d);

	load_fails("bare = {\n"
		   "  interfaces = ( \"eth0\", { name = \"eth1\"; } );\n"
		   "};\n"
		   "fake = { interfaces = [ \"eth0\" ]; };\n",
		   &d, 2);
	expect(&d, 2, "each entry of 'interfaces' in 'bare' must be a group: { name = \"...\"; }");
	expect(&d, 4, "'interfaces' in 'fake' must be a list of groups: "
		      "( { name = \"eth0\"; }, ... )");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_out_of_range)
{
	struct rp_conf_diag d;

	load_fails("fake = {\n"
		   "  update-interval = 1;\n"
		   "  interfaces = ( { name = \"eth0\"; cost = 40; } );\n"
		   "};\n",
		   &d, 1);
	expect(&d, 2, "'update-interval' must be between 5 and 3600 (got 1)");
	rp_conf_diag_free(&d);

	load_fails("fake = { interfaces = ( { name = \"eth0\"; cost = 40; },\n"
		   "  { name = \"eth1\"; cost = 0; key-id = -1; } ); };\n"
		   "fib = { table = 255; metric = -5; };\n",
		   &d, 5);
	expect(&d, 1, "'cost' must be between 1 and 15 (got 40)");
	expect(&d, 2, "'cost' must be between 1 and 15 (got 0)");
	expect(&d, 2, "'key-id' must be between 0 and 4294967295 (got -1; write integers above "
		      "2147483647 with an L suffix, e.g. 4294967295L)");
	expect(&d, 3, "'table' must not be 255 (the kernel's local table)");
	expect(&d, 3, "'metric' must be between 0 and 4294967295 (got -5; write integers above "
		      "2147483647 with an L suffix, e.g. 4294967295L)");
	rp_conf_diag_free(&d);

	load_fails("fib = { table = 0; };\n", &d, 1);
	expect(&d, 1, "'table' must be between 1 and 4294967295 (got 0)");
	rp_conf_diag_free(&d);

	load_fails("fib = { table = 4294967296L; };\n", &d, 1);
	expect(&d, 1, "'table' must be between 1 and 4294967295 (got 4294967296)");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_large_u32)
{
	struct rp_conf_diag d;
	struct conf *c = load_ok("fib = { table = 4294967295L; metric = 0; };\n", &d);

	ck_assert_uint_eq(c->fib_table, 4294967295u);
	ck_assert_uint_eq(c->fib_metric, 0);
	conf_free(c);
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_wrapped_literal)
{
	struct rp_conf_diag d;
	struct conf *c;

	load_fails("fib = { table = 4294967297; };\n", &d, 1);
	expect(&d, 1, "'table' must be between 1 and 4294967295 (got 4294967297, which does not "
		      "fit in 32 bits: write larger integers with an L suffix, e.g. 4294967295L)");
	rp_conf_diag_free(&d);

	load_fails("fib = {\n  /* table = 1 */ table =\n    0x100000001; };\n", &d, 1);
	expect(&d, 2, "'table' must be between 1 and 4294967295 (got 4294967297, which does not "
		      "fit in 32 bits: write larger integers with an L suffix, e.g. 4294967295L)");
	rp_conf_diag_free(&d);

	c = load_ok("fib = {\n  # table = 4294967297\n  metric = 3; // table = 1\n"
		    "  table = 7; };\n", &d);
	ck_assert_uint_eq(c->fib_table, 7);
	ck_assert_uint_eq(c->fib_metric, 3);
	conf_free(c);
	rp_conf_diag_free(&d);

	/* two settings of one name on a line: each is matched with its own literal */
	c = load_ok("fake = { interfaces = ( { name = \"eth1\"; cost = 3; }, "
		    "{ name = \"eth2\"; cost = 5; } ); };\n", &d);
	conf_free(c);
	rp_conf_diag_free(&d);
	load_fails("fake = { interfaces = ( { name = \"eth1\"; cost = 3; }, "
		   "{ name = \"eth2\"; cost = 4294967301; } ); };\n", &d, 1);
	expect(&d, 1, "'cost' must be between 1 and 15 (got 4294967301, which does not fit in 32 "
		      "bits: write larger integers with an L suffix, e.g. 15L)");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_bad_choice)
{
	struct rp_conf_diag d;

	load_fails("fake = { interfaces = (\n"
		   "  { name = \"eth0\"; mode = \"x\"; },\n"
		   "  { name = \"eth1\"; version = \"3\"; }\n"
		   "); };\n"
		   "log = { level = \"verbose\"; };\n",
		   &d, 3);
	expect(&d, 2, "'mode' must be one of: periodic, autostatic, demand (got \"x\")");
	expect(&d, 3, "'version' must be one of: 1, 2, 1-compatible (got \"3\")");
	expect(&d, 5, "'level' must be one of: error, warning, notice, info, debug "
		      "(got \"verbose\")");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_bad_flags)
{
	struct rp_conf_diag d;

	load_fails("fake = {\n"
		   "  redistribute = [ \"connected\",\n"
		   "                   \"bgp\",\n"
		   "                   \"connected\" ];\n"
		   "};\n",
		   &d, 2);
	expect(&d, 3, "'redistribute' values must be among: connected, static, kernel, "
		      "autostatic (got \"bgp\")");
	expect(&d, 4, "'redistribute' lists \"connected\" twice");
	rp_conf_diag_free(&d);

	load_fails("fake = { redistribute = ( \"static\", 3 ); };\n", &d, 1);
	expect(&d, 1, "'redistribute' must be an array of strings from: "
		      "connected, static, kernel, autostatic");
	rp_conf_diag_free(&d);

	load_fails("fake = { redistribute = [ 1, 2, 3 ]; };\n", &d, 1);
	expect(&d, 1, "'redistribute' must be an array of strings from: "
		      "connected, static, kernel, autostatic");
	rp_conf_diag_free(&d);

	load_fails("fake = { interfaces = ( { name = \"e\"; neighbors = [ 1, 2 ]; } ); };\n", &d,
		   1);
	expect(&d, 1, "'neighbors' must be an array of IPv4 addresses");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_flags_list_and_empty)
{
	struct rp_conf_diag d;
	struct conf *c = load_ok("fake = { redistribute = ( \"static\", \"autostatic\" ); };\n",
				 &d);
	const struct fake_global *g = conf_find_protocol(c, "fake")->global;

	ck_assert_uint_eq(g->redistribute, (1u << 1) | (1u << 3));
	conf_free(c);
	rp_conf_diag_free(&d);

	c = load_ok("fake = { redistribute = [ ]; };\n", &d);
	g = conf_find_protocol(c, "fake")->global;
	ck_assert_uint_eq(g->redistribute, 0);
	conf_free(c);
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_bad_address)
{
	struct rp_conf_diag d;

	load_fails("router-id = \"10.0.0\";\n"
		   "fake = { interfaces = ( { name = \"eth0\";\n"
		   "  neighbors = [ \"192.0.2.1\",\n"
		   "                \"192.0.2.300\",\n"
		   "                \"192.0.2.1\" ];\n"
		   "  source = \"host.example\"; } ); };\n",
		   &d, 4);
	expect(&d, 1, "'router-id' is not an IPv4 address: \"10.0.0\"");
	expect(&d, 4, "'neighbors' is not an IPv4 address: \"192.0.2.300\"");
	expect(&d, 5, "'neighbors' lists 192.0.2.1 twice");
	expect(&d, 6, "'source' is not an IPv4 address: \"host.example\"");
	rp_conf_diag_free(&d);

	load_fails("router-id = \"224.0.0.9\";\n", &d, 1);
	expect(&d, 1, "'router-id' must be a unicast address (got 224.0.0.9)");
	rp_conf_diag_free(&d);
	load_fails("router-id = \"0.0.0.0\";\n", &d, 1);
	expect(&d, 1, "'router-id' must be a unicast address (got 0.0.0.0)");
	rp_conf_diag_free(&d);
	load_fails("router-id = \"255.255.255.255\";\n", &d, 1);
	expect(&d, 1, "'router-id' must be a unicast address (got 255.255.255.255)");
	rp_conf_diag_free(&d);
	load_fails("router-id = 167772161;\n", &d, 1);
	expect(&d, 1, "'router-id' must be an IPv4 address string (\"a.b.c.d\")");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_duplicate_interface)
{
	struct rp_conf_diag d;

	load_fails("fake = {\n"
		   "  interfaces = (\n"
		   "    { name = \"eth0\"; },\n"
		   "    { name = \"eth1\"; },\n"
		   "    {\n"
		   "      name = \"eth0\"; cost = 2;\n"
		   "    }\n"
		   "  );\n"
		   "};\n"
		   "bare = { interfaces = ( { name = \"eth0\"; } ); };\n",
		   &d, 1);
	expect(&d, 6, "interface 'eth0' is listed twice in 'fake' (first at line 3)");
	rp_conf_diag_free(&d);

	/* every repeat names the first; a name that is not a string takes part in nothing */
	load_fails("bare = { interfaces = (\n"
		   "  { name = \"b\"; }, { name = \"a\"; }, { name = 7; },\n"
		   "  { name = \"a\"; },\n"
		   "  { name = \"b\"; }, { name = \"a\"; } ); };\n",
		   &d, 4);
	expect(&d, 2, "'name' must be a string");
	expect(&d, 3, "interface 'a' is listed twice in 'bare' (first at line 2)");
	ck_assert_msg(strcmp(d.messages[2], d.messages[3]) != 0 &&
			      strstr(d.messages[2], "interface 'b'") &&
			      strstr(d.messages[3], "interface 'a'"),
		      "%s", all_messages(&d));
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_missing_interface_name)
{
	struct rp_conf_diag d;

	load_fails("fake = {\n"
		   "  interfaces = (\n"
		   "    { cost = 2; },\n"
		   "    { name = 5; }\n"
		   "  );\n"
		   "};\n",
		   &d, 2);
	expect(&d, 3, "interface without 'name' in 'fake'");
	expect(&d, 4, "'name' must be a string");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_invalid_interface_name)
{
	struct rp_conf_diag d;

	load_fails("bare = { interfaces = (\n"
		   "  { name = \"\"; },\n"
		   "  { name = \"0123456789abcdef\"; },\n"
		   "  { name = \".\"; },\n"
		   "  { name = \"..\"; },\n"
		   "  { name = \"eth0/1\"; },\n"
		   "  { name = \"eth0:1\"; },\n"
		   "  { name = \"my eth\"; },\n"
		   "  { name = \"0123456789abcde\"; },\n"
		   "  { name = \"eth\xc3\xa9\"; }\n"
		   "); };\n",
		   &d, 8);
	expect(&d, 2, "'name' is not a valid interface name: \"\" (empty)");
	expect(&d, 3, "'name' is not a valid interface name: \"0123456789abcdef\" "
		      "(longer than 15 bytes)");
	expect(&d, 4, "'name' is not a valid interface name: \".\" (reserved name)");
	expect(&d, 5, "'name' is not a valid interface name: \"..\" (reserved name)");
	expect(&d, 6, "'name' is not a valid interface name: \"eth0/1\" (contains '/')");
	expect(&d, 7, "'name' is not a valid interface name: \"eth0:1\" (contains ':')");
	expect(&d, 8, "'name' is not a valid interface name: \"my eth\" (contains whitespace)");
	expect(&d, 10, "'name' is not a valid interface name: \"eth\xc3\xa9\" (contains a byte "
		       "that is not printable ASCII)");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_control)
{
	struct rp_conf_diag d;
	char text[512];

	load_fails("control = {\n"
		   "  group = \"no-such-group-routprotd-test\";\n"
		   "};\n",
		   &d, 1);
	expect(&d, 2, "unknown group 'no-such-group-routprotd-test' in 'control'");
	rp_conf_diag_free(&d);

	snprintf(text, sizeof(text), "control = {\n  socket = \"/run/%0120d.sock\";\n};\n", 0);
	load_fails(text, &d, 1);
	expect(&d, 2, "'socket' is too long (130 bytes, at most 107)");
	rp_conf_diag_free(&d);

	load_fails("control = { socket = \"run/x.sock\"; };\n", &d, 1);
	expect(&d, 1, "'socket' must be an absolute path (got \"run/x.sock\")");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_relative_state_dir)
{
	struct rp_conf_diag d;

	load_fails("\nstate-dir = \"var/lib/routprotd\";\n", &d, 1);
	expect(&d, 2, "'state-dir' must be an absolute path (got \"var/lib/routprotd\")");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_many_errors_at_once)
{
	struct rp_conf_diag d;

	load_fails("router-id = \"1.2.3\";\n"
		   "state-dir = \"relative\";\n"
		   "log = { level = \"loud\"; };\n"
		   "fib = { table = 255; };\n"
		   "fake = {\n"
		   "  timeout = 5;\n"
		   "  interfaces = ( { name = \"eth0\"; }, { name = \"eth0\"; }, { } );\n"
		   "};\n"
		   "bare = { extra = true; };\n"
		   "ripp = { };\n",
		   &d, 9);
	expect(&d, 1, "'router-id' is not an IPv4 address: \"1.2.3\"");
	expect(&d, 2, "'state-dir' must be an absolute path (got \"relative\")");
	expect(&d, 3, "'level' must be one of: error, warning, notice, info, debug (got \"loud\")");
	expect(&d, 4, "'table' must not be 255 (the kernel's local table)");
	expect(&d, 6, "'timeout' must be between 10 and 3600 (got 5)");
	expect(&d, 7, "interface 'eth0' is listed twice in 'fake' (first at line 7)");
	expect(&d, 7, "interface without 'name' in 'fake'");
	expect(&d, 9, "unknown key 'extra' in 'bare'");
	expect(&d, 10, "unknown top-level key 'ripp'");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_silent_protocol_failure)
{
	struct rp_conf_diag d;

	load_fails("fake = { description = \"fail-silently\"; };\n", &d, 1);
	expect(&d, 0, "invalid configuration");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_string_max)
{
	struct rp_conf_diag d;

	load_fails("fake = { description = \"0123456789012345678901234567890123\"; };\n", &d, 1);
	expect(&d, 1, "'description' is too long (34 bytes, at most 32)");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_include)
{
	struct rp_conf_diag d;
	struct conf *c;

	write_named("ifaces.conf",
		    "# interfaces of the fake protocol\n"
		    "fake = { interfaces = ( { name = \"eth0\"; cost = 3; } ); };\n");
	c = load_ok("log = { level = \"error\"; };\n@include \"ifaces.conf\"\n", &d);
	ck_assert_int_eq(c->log_level, RP_LOG_ERROR);
	ck_assert_int_eq(((const struct fake_if *)conf_find_interface(
				  conf_find_protocol(c, "fake"), "eth0")->info)->cost,
			 3);
	conf_free(c);
	rp_conf_diag_free(&d);

	write_named("bad.conf", "# broken\nfake = { cost = ; };\n");
	load_fails("log = { level = \"error\"; };\n@include \"bad.conf\"\n", &d, 1);
	expect_in(&d, in_tmp("bad.conf"), 2, "syntax error");
	rp_conf_diag_free(&d);

	write_named("wrong.conf",
		    "fake = {\n"
		    "  interfaces = (\n"
		    "    { name = \"eth0\"; cost = 99; },\n"
		    "    { name = \"eth0\"; } ); };\n"
		    "zzz = 1;\n");
	load_fails("log = { level = \"error\"; };\n\n@include \"wrong.conf\"\n", &d, 3);
	expect_in(&d, in_tmp("wrong.conf"), 3, "'cost' must be between 1 and 15 (got 99)");
	expect_in(&d, in_tmp("wrong.conf"), 4, "interface 'eth0' is listed twice in 'fake' "
					       "(first at line 3)");
	expect_in(&d, in_tmp("wrong.conf"), 5, "unknown top-level key 'zzz'");
	rp_conf_diag_free(&d);

	load_fails("\n@include \"absent.conf\"\n", &d, 1);
	expect_include(&d, 2, "absent.conf", "No such file or directory");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_include_duplicate_across_files)
{
	struct rp_conf_diag d;

	write_named("more.conf", "\n{ name = \"eth0\"; }\n");
	load_fails("fake = { interfaces = (\n"
		   "  { name = \"eth0\"; },\n"
		   "@include \"more.conf\"\n"
		   "); };\n",
		   &d, 1);
	ck_assert_msg(strstr(d.messages[0], "more.conf:2: interface 'eth0' is listed twice in "
					    "'fake' (first at ") != NULL,
		      "got %s", d.messages[0]);
	rp_conf_diag_free(&d);
}
END_TEST

/* ---- what is read: regular files within the size limit, @include on a line of its own ---- */

START_TEST(test_include_of_a_directory)
{
	struct rp_conf_diag d;

	ck_assert_int_eq(mkdir(in_tmp("conf.d"), 0700), 0);
	load_fails("log = { level = \"error\"; };\n@include \"conf.d\"\n", &d, 1);
	expect_include(&d, 2, "conf.d", "not a regular file (a directory)");
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_include_of_a_fifo)
{
	struct rp_conf_diag d;

	ck_assert_int_eq(mkfifo(in_tmp("pipe"), 0600), 0);
	load_fails("\n\n@include \"pipe\"\n", &d, 1);
	expect_include(&d, 3, "pipe", "not a regular file (a FIFO)");
	rp_conf_diag_free(&d);
}
END_TEST

/* Loading routprotd.conf, as it is, fails with the one message "FILE: why". */
static void expect_refused_file(const char *why)
{
	struct rp_conf_diag d;

	rp_conf_diag_init(&d, conf_path);
	ck_assert_ptr_null(conf_load(conf_path, known, 2, &d));
	ck_assert_uint_eq(d.count, 1);
	expect(&d, 0, why);
	rp_conf_diag_free(&d);
}

/* The main file itself a directory or a FIFO: refused without reading (no hang, no exit). */
START_TEST(test_main_file_not_regular)
{
	ck_assert_int_eq(mkfifo(conf_path, 0600), 0);
	expect_refused_file("cannot read: not a regular file (a FIFO)");
	ck_assert_int_eq(unlink(conf_path), 0);
	ck_assert_int_eq(mkdir(conf_path, 0700), 0);
	expect_refused_file("cannot read: not a regular file (a directory)");
}
END_TEST

/* `size` bytes of comment lines (the last one ends the text). */
static char *comment_text(size_t size)
{
	char *t = malloc(size + 1);

	ck_assert_ptr_nonnull(t);
	memset(t, 'x', size);
	for (size_t i = 0; i < size; i += 64) {
		t[i] = '#';
		t[i + 63 < size ? i + 63 : size - 1] = '\n';
	}
	t[size] = '\0';
	return t;
}

#define TOO_LARGE "too large (the configuration and the files it includes may hold 1048576 " \
		  "bytes in all)"

START_TEST(test_size_limit)
{
	static const char head[] = "@include \"half.conf\"";
	const size_t half = CONF_SOURCE_MAX / 2;
	char *big = comment_text(CONF_SOURCE_MAX + 1), *main_text = comment_text(half);
	struct rp_conf_diag d;
	struct conf *c;

	ck_assert_uint_eq(CONF_SOURCE_MAX, 1048576);
	write_named("routprotd.conf", big);
	expect_refused_file("cannot read: " TOO_LARGE);

	/* exactly the limit, in two files: accepted; one byte more: refused */
	memset(main_text, ' ', 63); /* the first line, up to its newline */
	memcpy(main_text, head, strlen(head));
	big[half] = '\0';
	write_named("half.conf", big);
	c = load_ok(main_text, &d);
	conf_free(c);
	rp_conf_diag_free(&d);
	big[half] = '\n';
	big[half + 1] = '\0';
	write_named("half.conf", big);
	load_fails(main_text, &d, 1);
	expect_include(&d, 1, "half.conf", TOO_LARGE);
	rp_conf_diag_free(&d);
	free(big);
	free(main_text);
}
END_TEST

START_TEST(test_include_placement)
{
	struct rp_conf_diag d;
	struct conf *c;
	char text[PATH_MAX * 3];

	write_named("ifaces.conf", "fake = { interfaces = ( { name = \"eth0\"; } ); };");
	/* blanks and a comment after the name are fine; an absolute name is taken as it is */
	snprintf(text, sizeof(text), "  @include \"%s\"  # the interfaces\r\nlog = { level = "
		 "\"error\"; };\n", in_tmp("ifaces.conf"));
	c = load_ok(text, &d);
	ck_assert_ptr_nonnull(conf_find_interface(conf_find_protocol(c, "fake"), "eth0"));
	ck_assert_int_eq(c->log_level, RP_LOG_ERROR);
	conf_free(c);
	rp_conf_diag_free(&d);

	load_fails("@include \"ifaces.conf\" log = { level = \"error\"; };\n", &d, 1);
	expect(&d, 1, "text after @include \"ifaces.conf\" on its line");
	rp_conf_diag_free(&d);

	load_fails("\n@include \"\"\n", &d, 1);
	expect(&d, 2, "@include without a file name");
	rp_conf_diag_free(&d);

	load_fails("@include \"if\\aces.conf\"\n", &d, 1);
	expect(&d, 1, "@include: the file name holds a '\\' that escapes nothing");
	rp_conf_diag_free(&d);

	/* not at the start of a line: libconfig's syntax error, nothing opened */
	load_fails("log = { level = \"error\"; }; @include \"ifaces.conf\"\n", &d, 1);
	expect(&d, 1, "syntax error");
	rp_conf_diag_free(&d);
}
END_TEST

/* An @include is expanded exactly where libconfig's scanner would take one, and nowhere else:
 * every case names a FIFO, which would hang the test if anything opened it. */
START_TEST(test_include_only_where_libconfig_sees_one)
{
	static const struct {
		const char *text;
		int line;         /* of the one problem; 0: valid */
		const char *msg;
	} cases[] = {
		{ "# @include \"pipe\"\n", 0, NULL },
		{ "// @include \"pipe\"\n", 0, NULL },
		{ "/*\n@include \"pipe\"\n*/\n", 0, NULL },
		{ "fake = { description = \"@include \\\"pipe\\\"\"; };\n", 0, NULL },
		{ "/* c */ @include \"pipe\"\n", 1, "syntax error" },
		{ "@includex \"pipe\"\n", 1, "syntax error" },
		{ "\n\t @include\t\"pipe\"\n", 2, NULL },
	};
	struct rp_conf_diag d;
	struct conf *c;

	ck_assert_int_eq(mkfifo(in_tmp("pipe"), 0600), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].line == 0) {
			c = load_ok(cases[i].text, &d);
			conf_free(c);
		} else {
			load_fails(cases[i].text, &d, 1);
			if (cases[i].msg)
				expect(&d, cases[i].line, cases[i].msg);
			else
				expect_include(&d, cases[i].line, "pipe",
					       "not a regular file (a FIFO)");
		}
		rp_conf_diag_free(&d);
	}
	c = load_ok("fake = { description = \"@include \\\"pipe\\\"\"; };\n", &d);
	ck_assert_str_eq(((const struct fake_global *)conf_find_protocol(c, "fake")->global)
				 ->description,
			 "@include \"pipe\"");
	conf_free(c);
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_include_loop)
{
	struct rp_conf_diag d;
	char want[PATH_MAX * 3];

	write_named("a.conf", "# a\n@include \"b.conf\"\n");
	write_named("b.conf", "@include \"a.conf\"\n");
	load_fails("@include \"a.conf\"\n", &d, 1);
	snprintf(want, sizeof(want), "cannot open include file %s: it includes itself",
		 in_tmp("a.conf"));
	expect_in(&d, in_tmp("b.conf"), 1, want);
	rp_conf_diag_free(&d);
}
END_TEST

/* The integer-wrap check reads the included file's own text, wherever the daemon runs. */
START_TEST(test_wrapped_literal_in_an_include)
{
	struct rp_conf_diag d;

	write_named("fib.conf", "\nfib = { table = 4294967297; };\n");
	load_fails("@include \"fib.conf\"\n", &d, 1);
	expect_in(&d, in_tmp("fib.conf"), 2, "'table' must be between 1 and 4294967295 (got "
		  "4294967297, which does not fit in 32 bits: write larger integers with an L "
		  "suffix, e.g. 4294967295L)");
	rp_conf_diag_free(&d);
}
END_TEST

/* Control characters in strings, however written, are refused where they stand. */
START_TEST(test_control_characters_in_strings)
{
	static const char nul_text[] = "fake = { description = \"a\0b\"; };\n# \0\n";
	struct rp_conf_diag d;
	struct conf *c;

	load_fails("fake = { description = \"a\\x1bb\";\n"
		   "  interfaces = ( { name = \"eth\\x000\"; },\n"
		   "    { name = \"eth\\n1\"; },\n"
		   "    { name = \"eth\t2\"; },\n"
		   "    { name = \"eth3\n\"; } ); };\n",
		   &d, 5);
	expect(&d, 1, "a string holds the control character 0x1b (written \\x1b)");
	expect(&d, 2, "a string holds the control character 0x00 (written \\x00)");
	expect(&d, 3, "a string holds the control character 0x0a (written \\n)");
	expect(&d, 4, "a string holds the control character 0x09");
	expect(&d, 5, "a string holds the control character 0x0a (a missing '\"'?)");
	rp_conf_diag_free(&d);

	write_bytes("routprotd.conf", nul_text, sizeof(nul_text) - 1);
	rp_conf_diag_init(&d, conf_path);
	ck_assert_ptr_null(conf_load(conf_path, known, 2, &d));
	ck_assert_uint_eq(d.count, 2);
	expect(&d, 1, "a string holds the control character 0x00");
	expect(&d, 2, "the file holds a NUL byte");
	rp_conf_diag_free(&d);

	load_fails("fake = { description = \"never closed; };\n", &d, 1);
	expect(&d, 1, "a string holds the control character 0x0a (a missing '\"'?)");
	rp_conf_diag_free(&d);

	load_fails("fake = { };\n/* never closed\n\n", &d, 1);
	expect(&d, 2, "a comment that never ends (a missing '*/'?)");
	rp_conf_diag_free(&d);

	/* printable escapes and text beyond ASCII stay allowed outside interface names */
	c = load_ok("fake = { description = \"caf\xc3\xa9 \\\"x\\\" \\\\ \\x41\"; };\n", &d);
	ck_assert_str_eq(((const struct fake_global *)conf_find_protocol(c, "fake")->global)
				 ->description,
			 "caf\xc3\xa9 \"x\" \\ A");
	conf_free(c);
	rp_conf_diag_free(&d);
}
END_TEST

/* ---- schema helpers ---- */

static void fill_if(struct fake_if *fi, const char *label, const uint32_t *nb, size_t n)
{
	memset(fi, 0, sizeof(*fi));
	fi->cost = 3;
	fi->mode = MODE_DEMAND;
	fi->passive = true;
	fi->key_id = 7;
	fi->source = 0x0a000001u;
	fi->label = label ? strdup(label) : NULL;
	if (n) {
		fi->neighbors = malloc(n * sizeof(*nb));
		ck_assert_ptr_nonnull(fi->neighbors);
		memcpy(fi->neighbors, nb, n * sizeof(*nb));
	}
	fi->nneighbors = n;
}

START_TEST(test_fields_equal_copy_free)
{
	static const uint32_t nb[] = { 0xc0000201u, 0xc0000202u };
	static const uint32_t nb_swapped[] = { 0xc0000202u, 0xc0000201u };
	const size_t n = RP_CONF_NFIELDS(fake_if_fields);
	struct fake_if a, b, copy;

	fill_if(&a, "uplink", nb, 2);
	fill_if(&b, "uplink", nb_swapped, 2);
	ck_assert(rp_conf_fields_equal(fake_if_fields, n, &a, &b)); /* order of a list ignored */

	copy = a; /* shallow, then deep */
	ck_assert(rp_conf_copy_fields(fake_if_fields, n, &copy, &a));
	ck_assert_ptr_ne(copy.label, a.label);
	ck_assert_ptr_ne(copy.neighbors, a.neighbors);
	ck_assert_str_eq(copy.label, "uplink");
	ck_assert_uint_eq(copy.nneighbors, 2);
	ck_assert(rp_conf_fields_equal(fake_if_fields, n, &a, &copy));

	copy.cost = 4;
	ck_assert(!rp_conf_fields_equal(fake_if_fields, n, &a, &copy));
	copy.cost = 3;
	copy.label[0] = 'U';
	ck_assert(!rp_conf_fields_equal(fake_if_fields, n, &a, &copy));
	copy.label[0] = 'u';
	copy.neighbors[1] = 0xc0000203u;
	ck_assert(!rp_conf_fields_equal(fake_if_fields, n, &a, &copy));
	copy.neighbors[1] = 0xc0000202u;
	copy.nneighbors = 1;
	ck_assert(!rp_conf_fields_equal(fake_if_fields, n, &a, &copy));
	copy.nneighbors = 2;
	copy.passive = false;
	ck_assert(!rp_conf_fields_equal(fake_if_fields, n, &a, &copy));
	copy.passive = true;
	ck_assert(rp_conf_fields_equal(fake_if_fields, n, &a, &copy));

	rp_conf_free_fields(fake_if_fields, n, &copy);
	ck_assert_ptr_null(copy.label);
	ck_assert_ptr_null(copy.neighbors);
	ck_assert_uint_eq(copy.nneighbors, 0);
	ck_assert(!rp_conf_fields_equal(fake_if_fields, n, &a, &copy));
	rp_conf_free_fields(fake_if_fields, n, &copy); /* idempotent */

	rp_conf_free_fields(fake_if_fields, n, &b);
	fill_if(&b, NULL, NULL, 0);
	copy = b;
	ck_assert(rp_conf_copy_fields(fake_if_fields, n, &copy, &b));
	ck_assert_ptr_null(copy.label);
	ck_assert_ptr_null(copy.neighbors);
	ck_assert(rp_conf_fields_equal(fake_if_fields, n, &b, &copy));
	ck_assert(!rp_conf_fields_equal(fake_if_fields, n, &a, &b));

	rp_conf_free_fields(fake_if_fields, n, &a);
	rp_conf_free_fields(fake_if_fields, n, &b);
	rp_conf_free_fields(fake_if_fields, n, &copy);
}
END_TEST

START_TEST(test_parse_fields_replaces_owned_values)
{
	struct rp_conf_diag d;
	struct fake_if fi;
	config_t cfg;
	const config_setting_t *g;
	static const uint32_t nb[] = { 1, 2, 3 };

	config_init(&cfg);
	ck_assert(config_read_string(&cfg, "g = { label = \"new\"; neighbors = [ \"10.0.0.9\" ]; "
					   "cost = 9; };\n") == CONFIG_TRUE);
	g = config_lookup(&cfg, "g");
	fill_if(&fi, "old", nb, 3);
	rp_conf_diag_init(&d, "mem.conf");
	ck_assert(rp_conf_parse_fields(g, fake_if_fields, RP_CONF_NFIELDS(fake_if_fields), NULL, "g",
				    &fi, &d));
	ck_assert_uint_eq(d.count, 0);
	ck_assert_str_eq(fi.label, "new");
	ck_assert_uint_eq(fi.nneighbors, 1);
	ck_assert_uint_eq(fi.neighbors[0], 0x0a000009u);
	ck_assert_int_eq(fi.cost, 9);
	ck_assert_int_eq(fi.mode, MODE_DEMAND); /* untouched default */
	rp_conf_free_fields(fake_if_fields, RP_CONF_NFIELDS(fake_if_fields), &fi);

	/* not a group; and a setting without a file name falls back to diag->file */
	ck_assert(!rp_conf_parse_fields(config_lookup(&cfg, "g.cost"), fake_if_fields,
				     RP_CONF_NFIELDS(fake_if_fields), NULL, "cost", &fi, &d));
	ck_assert_uint_eq(d.count, 1);
	ck_assert_str_eq(d.messages[0], "mem.conf:1: 'cost' must be a group: { ... }");
	rp_conf_diag_free(&d);
	config_destroy(&cfg);
}
END_TEST

START_TEST(test_suggest)
{
	static const char *const words[] = { "update-interval", "timeout", "garbage", "rip",
					     "fib", "log", "interfaces", "name" };
	const size_t n = sizeof(words) / sizeof(words[0]);

	ck_assert_str_eq(rp_conf_suggest("update-intervl", words, n), "update-interval");
	ck_assert_str_eq(rp_conf_suggest("udpate-interval", words, n), "update-interval");
	ck_assert_str_eq(rp_conf_suggest("timeot", words, n), "timeout");
	ck_assert_str_eq(rp_conf_suggest("garbge", words, n), "garbage");
	ck_assert_str_eq(rp_conf_suggest("rpi", words, n), "rip");
	ck_assert_str_eq(rp_conf_suggest("lg", words, n), "log");
	ck_assert_str_eq(rp_conf_suggest("interface", words, n), "interfaces");
	ck_assert_str_eq(rp_conf_suggest("Name", words, n), "name");
	ck_assert_ptr_null(rp_conf_suggest("xyz", words, n));
	ck_assert_ptr_null(rp_conf_suggest("metric", words, n));
	ck_assert_ptr_null(rp_conf_suggest("", words, n));
	ck_assert_ptr_null(rp_conf_suggest("rip", words, 0));
	ck_assert_ptr_null(rp_conf_suggest("a", words, n));
}
END_TEST

START_TEST(test_diag)
{
	struct rp_conf_diag d;
	config_t cfg;

	rp_conf_diag_init(&d, "x.conf");
	ck_assert(rp_conf_diag_ok(&d));
	rp_conf_diag_line(&d, NULL, 0, "no line");
	rp_conf_diag_line(&d, "y.conf", 12, "value %d", 5);
	rp_conf_diag_at(&d, NULL, "nowhere");
	config_init(&cfg);
	ck_assert(config_read_string(&cfg, "\n\na = 1;\n") == CONFIG_TRUE);
	rp_conf_diag_at(&d, config_lookup(&cfg, "a"), "'%s' here", "a");
	config_destroy(&cfg);
	ck_assert(!rp_conf_diag_ok(&d));
	ck_assert_uint_eq(d.count, 4);
	ck_assert_str_eq(d.messages[0], "x.conf: no line");
	ck_assert_str_eq(d.messages[1], "y.conf:12: value 5");
	ck_assert_str_eq(d.messages[2], "x.conf: nowhere");
	ck_assert_str_eq(d.messages[3], "x.conf:3: 'a' here");
	for (int i = 0; i < 40; i++)
		rp_conf_diag_line(&d, "z.conf", i + 1, "message %d", i);
	ck_assert_uint_eq(d.count, 44);
	ck_assert_str_eq(d.messages[43], "z.conf:40: message 39");
	rp_conf_diag_free(&d);
	ck_assert(rp_conf_diag_ok(&d));
	rp_conf_diag_free(&d);
}
END_TEST

START_TEST(test_diag_print)
{
	struct rp_conf_diag d;
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	rp_conf_diag_init(&d, "p.conf");
	rp_conf_diag_line(&d, NULL, 2, "first");
	rp_conf_diag_line(&d, NULL, 3, "second");
	rp_conf_diag_print(&d, f);
	fclose(f);
	ck_assert_str_eq(buf, "p.conf:2: first\np.conf:3: second\n");
	rp_conf_diag_free(&d);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *load_tc = tcase_create("load");
	TCase *schema_tc = tcase_create("schema");

	tcase_add_checked_fixture(load_tc, setup, teardown);
	tcase_add_test(load_tc, test_full_example);
	tcase_add_test(load_tc, test_defaults);
	tcase_add_test(load_tc, test_protocol_defaults);
	tcase_add_test(load_tc, test_syntax_error);
	tcase_add_test(load_tc, test_missing_file);
	tcase_add_test(load_tc, test_unknown_top_level);
	tcase_add_test(load_tc, test_unknown_keys_in_sections);
	tcase_add_test(load_tc, test_wrong_types);
	tcase_add_test(load_tc, test_protocol_shape);
	tcase_add_test(load_tc, test_out_of_range);
	tcase_add_test(load_tc, test_large_u32);
	tcase_add_test(load_tc, test_wrapped_literal);
	tcase_add_test(load_tc, test_bad_choice);
	tcase_add_test(load_tc, test_bad_flags);
	tcase_add_test(load_tc, test_flags_list_and_empty);
	tcase_add_test(load_tc, test_bad_address);
	tcase_add_test(load_tc, test_duplicate_interface);
	tcase_add_test(load_tc, test_missing_interface_name);
	tcase_add_test(load_tc, test_invalid_interface_name);
	tcase_add_test(load_tc, test_control);
	tcase_add_test(load_tc, test_relative_state_dir);
	tcase_add_test(load_tc, test_many_errors_at_once);
	tcase_add_test(load_tc, test_silent_protocol_failure);
	tcase_add_test(load_tc, test_string_max);
	tcase_add_test(load_tc, test_include);
	tcase_add_test(load_tc, test_include_duplicate_across_files);
	tcase_add_test(load_tc, test_include_of_a_directory);
	tcase_add_test(load_tc, test_include_of_a_fifo);
	tcase_add_test(load_tc, test_main_file_not_regular);
	tcase_add_test(load_tc, test_size_limit);
	tcase_add_test(load_tc, test_include_placement);
	tcase_add_test(load_tc, test_include_only_where_libconfig_sees_one);
	tcase_add_test(load_tc, test_include_loop);
	tcase_add_test(load_tc, test_wrapped_literal_in_an_include);
	tcase_add_test(load_tc, test_control_characters_in_strings);
	suite_add_tcase(s, load_tc);

	tcase_add_test(schema_tc, test_fields_equal_copy_free);
	tcase_add_test(schema_tc, test_parse_fields_replaces_owned_values);
	tcase_add_test(schema_tc, test_suggest);
	tcase_add_test(schema_tc, test_diag);
	tcase_add_test(schema_tc, test_diag_print);
	suite_add_tcase(s, schema_tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
