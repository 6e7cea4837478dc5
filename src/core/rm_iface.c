/* SPDX-License-Identifier: ISC */
/*
 * rm_iface.c — the router manager's interface table and the InterfaceStatus model: every link
 * snapshot from the netlink monitor is compared with what the RM knew, and each transition
 * becomes exactly one callback to every protocol that has the interface added:
 *
 *   enabled 1→0  DISABLED        media 1→0  MEDIA_ABSENT     binding changed  ADDRESS_CHANGE
 *   enabled 0→1  ENABLED         media 0→1  MEDIA_PRESENT
 *
 * The binding is the interface's every address, IPv4 and IPv6 (link-local included), with their
 * flags: an IPv6 address added or removed, or one whose flags change (tentative becoming valid,
 * DAD failing, deprecation), is an ADDRESS_CHANGE like an IPv4 one. Only IPv4 addresses make an
 * interface active, and only IPv4 changes concern the kernel routes and connected subnets.
 *
 * in that order (going down before the new binding, coming up after it), with `active`
 * recomputed after each step. A link whose name a protocol's configuration lists is added to that
 * protocol (AddInterface, then its current statuses); one that disappears, is renamed away or is
 * unconfigured gets DISABLED (if it was enabled) and DeleteInterface.
 */
#include "config.h"

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "core/rm_internal.h"
#include "routprotd/clock.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"

#define COMP "rm"

struct rm_iface *rm_iface_find(const struct rm *rm, uint32_t ifindex)
{
	size_t lo = 0, hi = rm->nifaces;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t k = rm->ifaces[mid]->ifindex;

		if (k == ifindex)
			return rm->ifaces[mid];
		if (k < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool rm_iface_active(const struct rm_iface *ifc)
{
	return ifc->enabled && ifc->media_present && ifc->naddrs > 0;
}

static void binding_of(const struct rm_iface *ifc, struct rp_binding *b)
{
	b->address_count = ifc->naddrs;
	b->addresses = ifc->addrs;
	b->mtu = ifc->mtu;
	b->remote_address = 0;
	b->bound_count = ifc->nbound;
	b->bound_addresses = ifc->bound;
	for (unsigned i = 0; i < ifc->naddrs; i++) {
		if (ifc->addrs[i].peer) {
			b->remote_address = ifc->addrs[i].peer;
			break;
		}
	}
}

/* One InterfaceStatus call to one protocol, recorded in the history. */
static void deliver_one(struct rm *rm, struct rm_iface *ifc, struct rm_proto *p,
			enum rp_status_type type)
{
	struct rp_binding b;
	bool active = rm_iface_active(ifc);
	enum rp_result r;
	struct rm_history_entry e = {
		.type = rp_status_type_name(type), .ifindex = ifc->ifindex,
		.active = active,
	};

	binding_of(ifc, &b);
	r = p->def->interface_status ? p->def->interface_status(p->inst, ifc->ifindex, active,
								type, &b)
				     : NO_ERROR;
	rm->counters.callbacks++;
	memcpy(e.ifname, ifc->name, sizeof(e.ifname));
	memcpy(e.protocol, p->name, sizeof(e.protocol));
	e.wall_ms = rp_clock_wall_ms();
	e.status = r == NO_ERROR ? NULL : rp_result_name(r);
	if (type == RIS_INTERFACE_ADDRESS_CHANGE) {
		e.nbound = ifc->nbound;
		e.bound = ifc->bound;
		e.families = ifc->changed_families;
	}
	rm_history_add(rm->history, &e);
	rp_log_info(COMP, "%s: %s to %s (active=%s)%s%s", ifc->name, e.type, p->name,
		 active ? "yes" : "no", r == NO_ERROR ? "" : " failed: ",
		 r == NO_ERROR ? "" : rp_result_name(r));
}

/* The transition to every protocol that has the interface. */
static void deliver(struct rm *rm, struct rm_iface *ifc, enum rp_status_type type)
{
	for (size_t s = 0; s < rm->nprotos; s++) {
		struct rm_proto *p = &rm->protos[s];

		if ((ifc->added_mask & (1u << s)) && rm_proto_running(p))
			deliver_one(rm, ifc, p, type);
	}
}

void rm_iface_attach(struct rm *rm, struct rm_iface *ifc, struct rm_proto *p,
		     const struct conf_interface *ci)
{
	enum rp_interface_type type = (ifc->flags & IFF_POINTOPOINT) ? RP_IF_DEMAND_DIAL
								      : RP_IF_PERMANENT;
	enum rp_result r = p->def->add_interface(p->inst, ifc->name, ifc->ifindex, type, ci->info);

	rm->counters.callbacks++;
	rm_record(rm, "ADD_INTERFACE", ifc, p, r);
	if (r != NO_ERROR) {
		rp_log_error(COMP, "%s: %s refused AddInterface: %s", ifc->name, p->name,
			  rp_result_name(r));
		return;
	}
	rp_log_info(COMP, "%s: added to %s (ifindex %u)", ifc->name, p->name, ifc->ifindex);
	ifc->added_mask |= 1u << p->slot;
	ifc->changed_families = rm_binding_changed_families(NULL, 0, ifc->bound, ifc->nbound);
	if (ifc->nbound > 0)
		deliver_one(rm, ifc, p, RIS_INTERFACE_ADDRESS_CHANGE);
	if (ifc->enabled)
		deliver_one(rm, ifc, p, RIS_INTERFACE_ENABLED);
	if (ifc->media_present)
		deliver_one(rm, ifc, p, RIS_INTERFACE_MEDIA_PRESENT);
}

void rm_iface_detach(struct rm *rm, struct rm_iface *ifc, struct rm_proto *p)
{
	enum rp_result r;
	bool was_enabled = ifc->enabled;

	if (!(ifc->added_mask & (1u << p->slot)))
		return;
	if (was_enabled && rm_proto_running(p)) {
		ifc->enabled = false; /* so that `active` reads false in the DISABLED call */
		deliver_one(rm, ifc, p, RIS_INTERFACE_DISABLED);
		ifc->enabled = was_enabled;
	}
	ifc->added_mask &= ~(1u << p->slot);
	r = p->def->delete_interface(p->inst, ifc->ifindex);
	rm->counters.callbacks++;
	rm_record(rm, "DELETE_INTERFACE", ifc, p, r);
	rp_log_info(COMP, "%s: deleted from %s", ifc->name, p->name);
}

/* Add the interface to every running protocol whose configuration names it. */
static void attach_configured(struct rm *rm, struct rm_iface *ifc)
{
	for (size_t s = 0; s < rm->nprotos; s++) {
		struct rm_proto *p = &rm->protos[s];
		const struct conf_interface *ci;

		if (!rm_proto_running(p) || (ifc->added_mask & (1u << s)))
			continue;
		ci = rm_configured_interface(rm, p, ifc->name);
		if (ci)
			rm_iface_attach(rm, ifc, p, ci);
	}
}

static void detach_all(struct rm *rm, struct rm_iface *ifc)
{
	for (size_t s = 0; s < rm->nprotos; s++)
		rm_iface_detach(rm, ifc, &rm->protos[s]);
}

static int binding_cmp(const void *a, const void *b)
{
	const struct rp_local_binding *x = a, *y = b;

	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	if (x->prefixlen != y->prefixlen)
		return x->prefixlen < y->prefixlen ? -1 : 1;
	if (x->peer != y->peer)
		return x->peer < y->peer ? -1 : 1;
	return 0;
}

/* Sorted, de-duplicated copy of a snapshot's addresses; false when memory runs out. */
static bool sorted_binding(const struct rm_link *l, struct rp_local_binding **out, unsigned *n)
{
	struct rp_local_binding *a = NULL;
	unsigned k = 0;

	if (l->naddrs > 0) {
		a = malloc(l->naddrs * sizeof(*a));
		if (!a)
			return false;
		memcpy(a, l->addrs, l->naddrs * sizeof(*a));
		qsort(a, l->naddrs, sizeof(*a), binding_cmp);
		for (unsigned i = 0; i < l->naddrs; i++)
			if (k == 0 || binding_cmp(&a[k - 1], &a[i]) != 0)
				a[k++] = a[i];
	}
	*out = a;
	*n = k;
	return true;
}

/* The kernel reports carrier changes through linkwatch, which coalesces a down/up within about
 * a second into one notification showing no change. Its transition counter still moved: turn
 * the hidden flap into the MEDIA_ABSENT + MEDIA_PRESENT pair (or the reverse) it was. */
static void deliver_hidden_flap(struct rm *rm, struct rm_iface *ifc, const struct rm_link *l)
{
	uint32_t seen = l->carrier_changes - ifc->carrier_changes;
	uint32_t visible = ifc->media_present != l->media_present;

	if (!ifc->has_carrier_changes || !l->has_carrier_changes || seen < visible + 2)
		return;
	rp_log_info(COMP, "%s: carrier flapped %u times between two notifications", ifc->name,
		 seen - visible);
	ifc->media_present = !ifc->media_present;
	deliver(rm, ifc, ifc->media_present ? RIS_INTERFACE_MEDIA_PRESENT
					    : RIS_INTERFACE_MEDIA_ABSENT);
	ifc->media_present = !ifc->media_present;
	deliver(rm, ifc, ifc->media_present ? RIS_INTERFACE_MEDIA_PRESENT
					    : RIS_INTERFACE_MEDIA_ABSENT);
}

/* What a link looked like before a snapshot was applied. */
struct link_before {
	bool enabled, media;
	unsigned naddrs;
	bool lost_address; /* an address present before is gone now */
};

static bool has_address(const struct rm_iface *ifc, const struct rp_local_binding *b)
{
	for (unsigned i = 0; i < ifc->naddrs; i++)
		if (binding_cmp(&ifc->addrs[i], b) == 0)
			return true;
	return false;
}

/* Kernel side effects of a link change: connected subnets for redistribution, and routes the
 * kernel flushed (admin down, address removed) or may accept again (up, address added). */
static void after_transitions(struct rm *rm, struct rm_iface *ifc, const struct link_before *b)
{
	bool flushed = (b->enabled && !ifc->enabled) || b->lost_address;
	bool opened = (!b->enabled && ifc->enabled) || (!b->media && ifc->media_present) ||
		      ifc->naddrs > b->naddrs;

	rm_redist_iface_changed(rm, ifc);
	if (b->enabled && !ifc->enabled)
		rm_redist_link_flushed(rm, ifc->ifindex);
	if ((b->enabled && b->media && b->naddrs > 0) != rm_iface_active(ifc))
		rm_autostatic_iface_changed(rm, ifc->name);
	if (flushed || opened)
		rm_routes_link_event(rm, flushed);
}

/* Compare the snapshot with what we knew and deliver one callback per transition. */
static void apply_transitions(struct rm *rm, struct rm_iface *ifc, const struct rm_link *l)
{
	struct rp_local_binding *addrs = NULL;
	struct rp_bound_address *bound = NULL;
	unsigned n, nbound;
	struct link_before before = { ifc->enabled, ifc->media_present, ifc->naddrs, false };

	if (!sorted_binding(l, &addrs, &n) || !rm_binding_build(l, addrs, n, &bound, &nbound)) {
		rp_log_error(COMP, "%s: out of memory reading its addresses", ifc->name);
		free(addrs);
		return;
	}
	ifc->flags = l->flags;
	ifc->mtu = l->mtu;
	deliver_hidden_flap(rm, ifc, l);
	ifc->has_carrier_changes = l->has_carrier_changes;
	ifc->carrier_changes = l->carrier_changes;
	if (ifc->enabled && !l->enabled) {
		ifc->enabled = false;
		deliver(rm, ifc, RIS_INTERFACE_DISABLED);
	}
	if (ifc->media_present && !l->media_present) {
		ifc->media_present = false;
		deliver(rm, ifc, RIS_INTERFACE_MEDIA_ABSENT);
	}
	if (!rm_binding_equal(ifc->bound, ifc->nbound, bound, nbound)) {
		for (unsigned i = 0; i < ifc->naddrs && !before.lost_address; i++) {
			struct rm_iface probe = { .addrs = addrs, .naddrs = n };

			before.lost_address = !has_address(&probe, &ifc->addrs[i]);
		}
		free(ifc->addrs);
		ifc->addrs = addrs;
		ifc->naddrs = n;
		addrs = NULL;
		ifc->changed_families = rm_binding_changed_families(ifc->bound, ifc->nbound, bound,
								    nbound);
		free(ifc->bound);
		ifc->bound = bound;
		ifc->nbound = nbound;
		bound = NULL;
		deliver(rm, ifc, RIS_INTERFACE_ADDRESS_CHANGE);
	}
	free(addrs);
	free(bound);
	if (!ifc->enabled && l->enabled) {
		ifc->enabled = true;
		deliver(rm, ifc, RIS_INTERFACE_ENABLED);
	}
	if (!ifc->media_present && l->media_present) {
		ifc->media_present = true;
		deliver(rm, ifc, RIS_INTERFACE_MEDIA_PRESENT);
	}
	after_transitions(rm, ifc, &before);
}

static struct rm_iface *iface_insert(struct rm *rm, const struct rm_link *l)
{
	struct rm_iface *ifc;
	size_t pos = 0;

	if (rm->nifaces == rm->ifaces_cap) {
		size_t cap = rm->ifaces_cap ? rm->ifaces_cap * 2 : 16;
		struct rm_iface **grown = realloc(rm->ifaces, cap * sizeof(*grown));

		if (!grown)
			return NULL;
		rm->ifaces = grown;
		rm->ifaces_cap = cap;
	}
	ifc = calloc(1, sizeof(*ifc));
	if (!ifc)
		return NULL;
	ifc->ifindex = l->ifindex;
	snprintf(ifc->name, sizeof(ifc->name), "%s", l->name);
	while (pos < rm->nifaces && rm->ifaces[pos]->ifindex < l->ifindex)
		pos++;
	memmove(&rm->ifaces[pos + 1], &rm->ifaces[pos], (rm->nifaces - pos) * sizeof(*rm->ifaces));
	rm->ifaces[pos] = ifc;
	rm->nifaces++;
	return ifc;
}

static void iface_remove(struct rm *rm, struct rm_iface *ifc)
{
	for (size_t i = 0; i < rm->nifaces; i++) {
		if (rm->ifaces[i] != ifc)
			continue;
		memmove(&rm->ifaces[i], &rm->ifaces[i + 1],
			(rm->nifaces - i - 1) * sizeof(*rm->ifaces));
		rm->nifaces--;
		break;
	}
	free(ifc->addrs);
	free(ifc->bound);
	free(ifc->conn);
	free(ifc);
}

/* First half of a rename: the protocols lose the interface under its old name. */
static void release_name(struct rm *rm, struct rm_iface *ifc, const char *new_name)
{
	char old[IF_NAMESIZE];

	rp_log_info(COMP, "%s: renamed to %s (ifindex %u)", ifc->name, new_name, ifc->ifindex);
	detach_all(rm, ifc);
	snprintf(old, sizeof(old), "%s", ifc->name);
	snprintf(ifc->name, sizeof(ifc->name), "%s", new_name);
	rm_autostatic_iface_changed(rm, old);
}

/* Second half: the interface as it is now, under its new name. */
static void take_name(struct rm *rm, struct rm_iface *ifc, const struct rm_link *l)
{
	apply_transitions(rm, ifc, l);
	rm_autostatic_iface_changed(rm, ifc->name);
	attach_configured(rm, ifc);
}

void rm_link_update(struct rm *rm, const struct rm_link *l)
{
	struct rm_iface *ifc = rm_iface_find(rm, l->ifindex);

	rm->counters.link_updates++;
	if (!ifc) {
		ifc = iface_insert(rm, l);
		if (!ifc) {
			rp_log_error(COMP, "%s: out of memory, link ignored", l->name);
			return;
		}
		rp_log_debug(COMP, "%s: link %u appeared", l->name, l->ifindex);
		take_name(rm, ifc, l); /* nobody has it yet: records the state, then adds it */
		return;
	}
	if (strncmp(ifc->name, l->name, sizeof(ifc->name)) != 0) {
		release_name(rm, ifc, l->name);
		take_name(rm, ifc, l);
		return;
	}
	apply_transitions(rm, ifc, l);
}

void rm_link_delete(struct rm *rm, uint32_t ifindex)
{
	struct rm_iface *ifc = rm_iface_find(rm, ifindex);
	char name[IF_NAMESIZE];

	if (!ifc)
		return;
	rp_log_debug(COMP, "%s: link %u deleted", ifc->name, ifindex);
	detach_all(rm, ifc);
	ifc->enabled = false;
	rm_redist_iface_changed(rm, ifc);
	rm_redist_link_flushed(rm, ifc->ifindex);
	rm_routes_link_event(rm, true);
	snprintf(name, sizeof(name), "%s", ifc->name);
	iface_remove(rm, ifc);
	rm_autostatic_iface_gone(rm, name);
	rm_autostatic_iface_changed(rm, name); /* its routes leave the table until it is back */
}

static bool link_listed(const struct rm_link *links, size_t n, uint32_t ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (links[i].ifindex == ifindex)
			return true;
	return false;
}

/* After lost notifications: vanished links go first, then every renamed link releases its old
 * name, and only then do links take their names — so a name moving from one link to another is
 * deleted before it is added, as the live notification order would have it. */
void rm_link_resync(struct rm *rm, const struct rm_link *links, size_t nlinks)
{
	bool *renamed = calloc(nlinks ? nlinks : 1, sizeof(*renamed));

	rm->counters.resyncs++;
	for (size_t i = rm->nifaces; i-- > 0;) {
		if (!link_listed(links, nlinks, rm->ifaces[i]->ifindex))
			rm_link_delete(rm, rm->ifaces[i]->ifindex);
	}
	for (size_t i = 0; renamed && i < nlinks; i++) {
		struct rm_iface *ifc = rm_iface_find(rm, links[i].ifindex);

		if (ifc && strncmp(ifc->name, links[i].name, sizeof(ifc->name)) != 0) {
			release_name(rm, ifc, links[i].name);
			renamed[i] = true;
		}
	}
	for (size_t i = 0; i < nlinks; i++) {
		struct rm_iface *ifc = rm_iface_find(rm, links[i].ifindex);

		if (renamed && renamed[i] && ifc)
			take_name(rm, ifc, &links[i]);
		else
			rm_link_update(rm, &links[i]);
	}
	free(renamed);
}

void rm_iface_free_all(struct rm *rm)
{
	for (size_t i = 0; i < rm->nifaces; i++) {
		free(rm->ifaces[i]->addrs);
		free(rm->ifaces[i]->bound);
		free(rm->ifaces[i]->conn);
		free(rm->ifaces[i]);
	}
	free(rm->ifaces);
	rm->ifaces = NULL;
	rm->nifaces = rm->ifaces_cap = 0;
}

const char *rm_ifname(const struct rm *rm, uint32_t ifindex)
{
	const struct rm_iface *ifc = rm_iface_find(rm, ifindex);

	return ifc ? ifc->name : NULL;
}
