/* SPDX-License-Identifier: ISC */
/*
 * trace.c — the trace protocol (see trace.h): records callbacks, answers MIB queries about the
 * interfaces it has, posts UPDATE_COMPLETE through its event queue.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net/if.h>

#include "routprotd/conf_schema.h"
#include "routprotd/event_queue.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"
#include "trace/trace.h"

#define COMP "trace"
#define TRACE_RECORD_MAX (1u << 20) /* bytes of record kept between two takes */

struct trace_settings {
	bool verbose; /* log every callback at info level (otherwise debug) */
};

struct trace_iface {
	struct trace_iface *next;
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	bool active;
	struct trace_settings settings;
	unsigned statuses; /* InterfaceStatus calls received */
};

struct trace {
	struct rp_support support;
	struct trace_settings settings;
	struct rp_event_queue events;
	struct trace_iface *ifaces;
	enum rp_result update_result;
	unsigned long callbacks;
	char *record;
	size_t record_len;
};

static const struct rp_conf_field trace_fields[] = {
	{ .name = "verbose", .kind = RP_CONF_BOOL, .offset = offsetof(struct trace_settings, verbose) },
};

static const char *const skip_global[] = { "interfaces", NULL };
static const char *const skip_iface[] = { "name", NULL };

static void *parse_settings(const config_setting_t *s, const struct trace_settings *defaults,
			    const char *const *skip, const char *where, struct rp_conf_diag *diag)
{
	struct trace_settings *t = malloc(sizeof(*t));

	if (!t)
		return NULL;
	*t = defaults ? *defaults : (struct trace_settings){ 0 };
	if (!rp_conf_parse_fields(s, trace_fields, RP_CONF_NFIELDS(trace_fields), skip, where, t, diag)) {
		free(t);
		return NULL;
	}
	return t;
}

static void *trace_parse_global(const config_setting_t *s, struct rp_conf_diag *diag)
{
	return parse_settings(s, NULL, skip_global, "trace", diag);
}

static void *trace_parse_interface(const config_setting_t *s, const void *global,
				   struct rp_conf_diag *diag)
{
	return parse_settings(s, global, skip_iface, "trace interface", diag);
}

static bool trace_settings_equal(const void *a, const void *b)
{
	return rp_conf_fields_equal(trace_fields, RP_CONF_NFIELDS(trace_fields), a, b);
}

static const struct rp_config_ops trace_config_ops = {
	.parse_global = trace_parse_global,
	.parse_interface = trace_parse_interface,
	.global_equal = trace_settings_equal,
	.interface_equal = trace_settings_equal,
	.free_global = free,
	.free_interface = free,
};

/* Append one line to the record and log it. */
static void note(struct trace *t, bool verbose, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct trace *t, bool verbose, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	size_t n;
	char *grown;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	t->callbacks++;
	rp_log_msg(verbose ? RP_LOG_INFO : RP_LOG_DEBUG, COMP, "%s", line);
	n = strlen(line);
	if (t->record_len + n + 2 > TRACE_RECORD_MAX)
		return;
	grown = realloc(t->record, t->record_len + n + 2);
	if (!grown)
		return;
	t->record = grown;
	memcpy(t->record + t->record_len, line, n);
	t->record_len += n;
	t->record[t->record_len++] = '\n';
	t->record[t->record_len] = '\0';
}

static struct trace_iface *find_iface(struct trace *t, uint32_t ifindex)
{
	for (struct trace_iface *i = t->ifaces; i; i = i->next)
		if (i->ifindex == ifindex)
			return i;
	return NULL;
}

static enum rp_result trace_start(const struct rp_support *support, const void *global,
				  void **instance)
{
	struct trace *t = calloc(1, sizeof(*t));

	if (!t)
		return ERROR_CAN_NOT_COMPLETE;
	t->support = *support;
	if (global)
		t->settings = *(const struct trace_settings *)global;
	rp_event_queue_init(&t->events);
	note(t, t->settings.verbose, "START_PROTOCOL");
	*instance = t;
	return NO_ERROR;
}

static enum rp_result trace_start_complete(void *inst)
{
	struct trace *t = inst;

	note(t, t->settings.verbose, "START_COMPLETE");
	return NO_ERROR;
}

static enum rp_result trace_stop(void *inst)
{
	struct trace *t = inst;

	while (t->ifaces) {
		struct trace_iface *next = t->ifaces->next;

		free(t->ifaces);
		t->ifaces = next;
	}
	rp_event_queue_clear(&t->events);
	free(t->record);
	free(t);
	return NO_ERROR;
}

static enum rp_result trace_get_global(void *inst, const void **info)
{
	*info = &((struct trace *)inst)->settings;
	return NO_ERROR;
}

static enum rp_result trace_set_global(void *inst, const void *info)
{
	struct trace *t = inst;

	t->settings = *(const struct trace_settings *)info;
	note(t, t->settings.verbose, "SET_GLOBAL_INFO verbose=%d", t->settings.verbose);
	return NO_ERROR;
}

static enum rp_result trace_add_interface(void *inst, const char *name, uint32_t index,
					  enum rp_interface_type type, const void *info)
{
	struct trace *t = inst;
	struct trace_iface *i;

	if (find_iface(t, index))
		return ERROR_INVALID_PARAMETER;
	i = calloc(1, sizeof(*i));
	if (!i)
		return ERROR_CAN_NOT_COMPLETE;
	i->ifindex = index;
	snprintf(i->name, sizeof(i->name), "%s", name);
	if (info)
		i->settings = *(const struct trace_settings *)info;
	i->next = t->ifaces;
	t->ifaces = i;
	note(t, i->settings.verbose, "ADD_INTERFACE %s %u", name, index);
	return NO_ERROR;
}

static enum rp_result trace_delete_interface(void *inst, uint32_t index)
{
	struct trace *t = inst;

	for (struct trace_iface **pp = &t->ifaces; *pp; pp = &(*pp)->next) {
		struct trace_iface *i = *pp;

		if (i->ifindex != index)
			continue;
		*pp = i->next;
		note(t, i->settings.verbose, "DELETE_INTERFACE %u", index);
		free(i);
		return NO_ERROR;
	}
	return ERROR_INVALID_PARAMETER;
}

/* " 198.18.0.1/24 2001:db8::1/64 fe80::1/64[link-local,tentative]": the whole binding, both
 * families, each address with its flags. */
static void format_binding(const struct rp_binding *b, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t k = 0; b && k < b->bound_count && used + 2 * RP_PREFIX_STRLEN < len; k++) {
		const struct rp_bound_address *a = &b->bound_addresses[k];
		char p[RP_PREFIX_STRLEN];
		const char *sep = "[";

		used += (size_t)snprintf(out + used, len - used, " %s",
					 rp_prefix_format(&a->address, p));
		for (unsigned bit = 1; bit <= RP_ADDR_FLAGS_ALL && used < len; bit <<= 1) {
			if (!(a->flags & bit) || !rp_addr_flag_name(bit))
				continue;
			used += (size_t)snprintf(out + used, len - used, "%s%s", sep,
						 rp_addr_flag_name(bit));
			sep = ",";
		}
		if (a->flags && used < len)
			used += (size_t)snprintf(out + used, len - used, "]");
	}
}

static enum rp_result trace_interface_status(void *inst, uint32_t index, bool active,
					     enum rp_status_type type,
					     const struct rp_binding *binding)
{
	struct trace *t = inst;
	struct trace_iface *i = find_iface(t, index);
	char addrs[400] = "";

	if (!i)
		return ERROR_INVALID_PARAMETER;
	i->active = active;
	i->statuses++;
	if (type == RIS_INTERFACE_ADDRESS_CHANGE)
		format_binding(binding, addrs, sizeof(addrs));
	note(t, i->settings.verbose, "%s %u active=%d%s", rp_status_type_name(type), index, active,
	     addrs);
	return NO_ERROR;
}

static enum rp_result trace_get_interface(void *inst, uint32_t index, const void **info)
{
	struct trace_iface *i = find_iface(inst, index);

	if (!i)
		return ERROR_INVALID_PARAMETER;
	*info = &i->settings;
	return NO_ERROR;
}

static enum rp_result trace_set_interface(void *inst, uint32_t index, const void *info)
{
	struct trace *t = inst;
	struct trace_iface *i = find_iface(t, index);

	if (!i)
		return ERROR_INVALID_PARAMETER;
	i->settings = *(const struct trace_settings *)info;
	note(t, i->settings.verbose, "SET_INTERFACE_INFO %u verbose=%d", index,
	     i->settings.verbose);
	return NO_ERROR;
}

static enum rp_result trace_get_event(void *inst, enum rp_event_type *type,
				      union rp_message *msg)
{
	return rp_event_queue_pop(&((struct trace *)inst)->events, type, msg);
}

static enum rp_result trace_update_routes(void *inst, uint32_t index, unsigned timeout_s)
{
	struct trace *t = inst;
	union rp_message msg = { .update_complete = {
		.interface_index = index, .update_type = DEMAND_UPDATE_ROUTES,
		.update_status = t->update_result } };

	if (!find_iface(t, index))
		return ERROR_INVALID_PARAMETER;
	note(t, t->settings.verbose, "DO_UPDATE_ROUTES %u", index);
	if (!rp_event_queue_post(&t->events, UPDATE_COMPLETE, &msg))
		return ERROR_CAN_NOT_COMPLETE;
	t->support.signal_event(t->support.host);
	return NO_ERROR;
}

static json_t *iface_row(const struct trace_iface *i)
{
	return json_pack("{s:I,s:s,s:b,s:I,s:b}", "ifindex", (json_int_t)i->ifindex, "name",
			 i->name, "active", i->active, "statuses", (json_int_t)i->statuses,
			 "verbose", i->settings.verbose);
}

static enum rp_result trace_mib_get(void *inst, enum rp_mib_table table, const json_t *key,
				    json_t **row)
{
	struct trace *t = inst;
	struct trace_iface *i;

	if (table == RP_MIB_GLOBAL) {
		*row = json_pack("{s:I}", "callbacks", (json_int_t)t->callbacks);
		return *row ? NO_ERROR : ERROR_CAN_NOT_COMPLETE;
	}
	if (table != RP_MIB_INTERFACE || !json_is_integer(json_object_get(key, "ifindex")))
		return ERROR_INVALID_PARAMETER;
	i = find_iface(t, (uint32_t)json_integer_value(json_object_get(key, "ifindex")));
	if (!i)
		return ERROR_NO_MORE_ITEMS;
	*row = iface_row(i);
	return *row ? NO_ERROR : ERROR_CAN_NOT_COMPLETE;
}

/* Interfaces in ifindex order: first = smallest, next = smallest above the key. */
static enum rp_result trace_mib_next_above(struct trace *t, enum rp_mib_table table,
					   long long above, json_t **row)
{
	struct trace_iface *best = NULL;

	if (table == RP_MIB_GLOBAL)
		return above < 0 ? trace_mib_get(t, table, NULL, row) : ERROR_NO_MORE_ITEMS;
	if (table != RP_MIB_INTERFACE)
		return ERROR_NO_MORE_ITEMS;
	for (struct trace_iface *i = t->ifaces; i; i = i->next)
		if ((long long)i->ifindex > above && (!best || i->ifindex < best->ifindex))
			best = i;
	if (!best)
		return ERROR_NO_MORE_ITEMS;
	*row = iface_row(best);
	return *row ? NO_ERROR : ERROR_CAN_NOT_COMPLETE;
}

static enum rp_result trace_mib_get_first(void *inst, enum rp_mib_table table, json_t **row)
{
	return trace_mib_next_above(inst, table, -1, row);
}

static enum rp_result trace_mib_get_next(void *inst, enum rp_mib_table table,
					 const json_t *key, json_t **row)
{
	json_t *k = json_object_get(key, "ifindex");

	if (table == RP_MIB_GLOBAL)
		return ERROR_NO_MORE_ITEMS;
	if (!json_is_integer(k))
		return ERROR_INVALID_PARAMETER;
	return trace_mib_next_above(inst, table, json_integer_value(k), row);
}

char *trace_take_record(void *inst)
{
	struct trace *t = inst;
	char *r = t->record ? t->record : strdup("");

	t->record = NULL;
	t->record_len = 0;
	return r;
}

void trace_set_update_result(void *inst, enum rp_result result)
{
	((struct trace *)inst)->update_result = result;
}

const struct rp_protocol trace_protocol = {
	RP_PROTOCOL_HEADER,
	.protocol_id = 0, /* installs no routes */
	.flags = RF_ROUTING, /* do_update_routes exists for the RM's tests, not for operators */
	.name = "trace",
	.config = &trace_config_ops,
	.start_protocol = trace_start,
	.start_complete = trace_start_complete,
	.stop_protocol = trace_stop,
	.get_global_info = trace_get_global,
	.set_global_info = trace_set_global,
	.add_interface = trace_add_interface,
	.delete_interface = trace_delete_interface,
	.interface_status = trace_interface_status,
	.get_interface_info = trace_get_interface,
	.set_interface_info = trace_set_interface,
	.get_event_message = trace_get_event,
	.do_update_routes = trace_update_routes,
	.mib_get = trace_mib_get,
	.mib_get_first = trace_mib_get_first,
	.mib_get_next = trace_mib_get_next,
};
