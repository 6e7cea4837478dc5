/* SPDX-License-Identifier: ISC */
/*
 * rip_config_redist.c — the `redistribute` setting of the `rip` section (routprotd.conf(5)):
 * which other sources RIP announces, and the route tag each is announced with (RFC 2453 4.2):
 *
 *   redistribute = [ "connected", "static" ];          # tag: redistribute-tag
 *   redistribute = ( "connected",                      # names and groups may be mixed
 *                    { source = "static"; tag = 7; } ); # a tag of its own
 *
 * Each source at most once.
 */
#include "config.h"

#include <string.h>

#include "routprotd/conf_schema.h"
#include "rip/rip_config.h"

static const char *const source_names[] = { "connected", "static", "kernel", "autostatic",
					    NULL };
#define SOURCES_TEXT "connected, static, kernel, autostatic"
#define SHAPE_TEXT                                                                           \
	"'redistribute' must be an array of strings from: " SOURCES_TEXT                      \
	", or a list of them and of groups { source = ...; tag = ...; }"

/* One group element: { source = "..."; tag = N; } */
struct redist_entry {
	int source; /* index into source_names; -1 = not given */
	int tag;    /* -1 = not given */
};

static const struct rp_conf_field entry_fields[] = {
	{ .name = "source", .kind = RP_CONF_CHOICE, .offset = offsetof(struct redist_entry, source),
	  .choices = source_names },
	{ .name = "tag", .kind = RP_CONF_INT, .offset = offsetof(struct redist_entry, tag),
	  .min = 0, .max = 65535 },
};

static int source_index(const char *name)
{
	for (int i = 0; source_names[i]; i++)
		if (strcmp(name, source_names[i]) == 0)
			return i;
	return -1;
}

/* One element into *e; false after reporting it. */
static bool parse_element(const config_setting_t *el, struct redist_entry *e,
			  struct rp_conf_diag *diag)
{
	*e = (struct redist_entry){ .source = -1, .tag = -1 };
	if (config_setting_type(el) == CONFIG_TYPE_STRING) {
		e->source = source_index(config_setting_get_string(el));
		if (e->source >= 0)
			return true;
		rp_conf_diag_at(diag, el, "'redistribute' values must be among: " SOURCES_TEXT
			     " (got \"%s\")", config_setting_get_string(el));
		return false;
	}
	if (config_setting_type(el) != CONFIG_TYPE_GROUP) {
		rp_conf_diag_at(diag, el, SHAPE_TEXT);
		return false;
	}
	if (!rp_conf_parse_fields(el, entry_fields, RP_CONF_NFIELDS(entry_fields), NULL,
			       "redistribute", e, diag))
		return false;
	if (e->source >= 0)
		return true;
	rp_conf_diag_at(diag, el, "'redistribute' group without 'source'");
	return false;
}

bool rip_parse_redistribute(const config_setting_t *rip, struct rip_settings *g,
			    struct rp_conf_diag *diag)
{
	const config_setting_t *s = config_setting_get_member(rip, "redistribute");
	bool ok = true;
	int n;

	if (!s)
		return true;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		rp_conf_diag_at(diag, s, SHAPE_TEXT);
		return false;
	}
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(s, (unsigned)i);
		struct redist_entry e;

		if (!parse_element(el, &e, diag)) {
			ok = false;
			continue;
		}
		if (g->redistribute & (1u << e.source)) {
			rp_conf_diag_at(diag, el, "'redistribute' lists \"%s\" twice",
				     source_names[e.source]);
			ok = false;
			continue;
		}
		g->redistribute |= 1u << e.source;
		g->redistribute_tags[e.source] = e.tag;
	}
	return ok;
}

bool rip_redist_settings_equal(const struct rip_settings *a, const struct rip_settings *b)
{
	return a->redistribute == b->redistribute &&
	       memcmp(a->redistribute_tags, b->redistribute_tags,
		      sizeof(a->redistribute_tags)) == 0;
}

uint16_t rip_redist_tag(const struct rip_settings *s, unsigned kind)
{
	for (int i = 0; i < RIP_REDIST_KINDS; i++)
		if (kind == 1u << i && s->redistribute_tags[i] >= 0)
			return (uint16_t)s->redistribute_tags[i];
	return (uint16_t)s->redistribute_tag;
}
