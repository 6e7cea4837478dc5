/* SPDX-License-Identifier: ISC */
/*
 * rm_register.c — admission of a protocol's registration (struct rp_protocol): the interface
 * version and struct size it was built with must be the ones this router manager serves, and
 * the mandatory entry points must be there. A refusal says which module, its version and ours.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/rm.h"

static bool refuse(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* The name from the stable header, when the registration is long enough to hold one. */
static const char *name_of(const struct rp_protocol *p)
{
	const size_t end = offsetof(struct rp_protocol, name) + sizeof(p->name);

	return p->size >= end && p->name && p->name[0] ? p->name : "(unnamed)";
}

/* The first mandatory entry point missing, or NULL. */
static const char *missing_entry(const struct rp_protocol *p)
{
	if (!p->start_protocol)
		return "start_protocol";
	if (!p->stop_protocol)
		return "stop_protocol";
	if (!p->add_interface)
		return "add_interface";
	if (!p->delete_interface)
		return "delete_interface";
	if ((p->flags & RP_RF_DEMAND_UPDATE_ROUTES) && !p->do_update_routes)
		return "do_update_routes (RF_DEMAND_UPDATE_ROUTES is set)";
	if (!p->mib_get_first != !p->mib_get_next)
		return "mib_get_first or mib_get_next (one without the other)";
	return NULL;
}

/* Kernel route protocol numbers 1..4 are the kernel's and the administrator's (redirect,
 * kernel, boot, static): no module may claim them. */
#define RM_KERNEL_PROTO_RESERVED 4u

bool rm_protocol_acceptable(const struct rp_protocol *p, const char *module, char *why,
			    size_t len)
{
	const char *name = p ? name_of(p) : "(none)";
	const char *older_newer;
	const char *entry;

	if (!module)
		module = name;
	if (!p)
		return refuse(why, len, "protocol module %s: no registration", module);
	if (p->version != RP_INTERFACE_VERSION || p->size != sizeof(struct rp_protocol)) {
		older_newer = p->version < RP_INTERFACE_VERSION	  ? "an older"
			      : p->version > RP_INTERFACE_VERSION ? "a newer"
								  : "this";
		return refuse(why, len,
			      "protocol module %s (%s) refused: built for %s interface version %u "
			      "(registration of %u bytes); this routprotd serves interface "
			      "version %u (%zu bytes)",
			      module, name, older_newer, (unsigned)p->version, (unsigned)p->size,
			      (unsigned)RP_INTERFACE_VERSION, sizeof(struct rp_protocol));
	}
	if (!p->name || !p->name[0])
		return refuse(why, len, "protocol module %s refused: it has no name", module);
	if (strlen(p->name) >= RP_PROTOCOL_NAME_MAX)
		return refuse(why, len, "protocol module %s refused: its name is longer than %d bytes",
			      module, RP_PROTOCOL_NAME_MAX - 1);
	if ((p->protocol_id >= 1 && p->protocol_id <= RM_KERNEL_PROTO_RESERVED) ||
	    p->protocol_id > 255)
		return refuse(why, len, "protocol module %s (%s) refused: kernel route protocol "
			      "%u is not one a routing daemon may own (%u..255, or 0: no routes)",
			      module, name, (unsigned)p->protocol_id,
			      RM_KERNEL_PROTO_RESERVED + 1u);
	entry = missing_entry(p);
	if (entry)
		return refuse(why, len, "protocol module %s (%s) refused: mandatory entry point %s "
			      "is missing", module, name, entry);
	return true;
}
