/* SPDX-License-Identifier: ISC */
/*
 * static.h — the example `static` protocol: announces the IPv4 routes listed under each
 * interface of its configuration section while that interface is active, withdraws them when
 * it goes down (see README.md). IPv4 only: routes of the SDK (struct rp_route) are IPv4.
 *
 *   static = {
 *     metric = 1;                 # default metric of the routes below (1..65535)
 *     interfaces = (
 *       { name = "veth0";
 *         routes = ( { prefix = "198.18.77.0/24"; nexthop = "198.18.1.2"; },
 *                    { prefix = "198.18.78.0/24"; metric = 5; } ); }   # no nexthop: on-link
 *     );
 *   };
 *
 * The same prefix under two interfaces is announced through the active one of lowest ifindex.
 */
#ifndef STATIC_STATIC_H
#define STATIC_STATIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/if.h>

#include <routprotd/routprot.h>

#define STATIC_COMP "static"      /* log component */
#define STATIC_PROTO 191          /* kernel route protocol number: ip route show proto 191 */
#define STATIC_PREFERENCE 1       /* administrative distance: ahead of RIP's 120 */

/* The global blob. */
struct static_global {
	uint32_t metric; /* default metric of every route */
};

/* The blob of one interface: its routes (nexthops[0].ifindex 0 until the interface is added). */
struct static_ifconf {
	size_t count;
	struct rp_route *routes;
};

extern const struct rp_config_ops static_config_ops;

/* The running instance. */
struct static_iface {
	struct static_iface *next;
	uint32_t ifindex;
	char name[IF_NAMESIZE];
	bool active;
	struct static_ifconf conf; /* our own copy */
};

struct static_proto {
	struct rp_support support;
	struct static_iface *ifaces;
	unsigned long announcements, withdrawals;
};

/* Whether `route` of `i` is the one announced for its prefix (i active, lowest ifindex). */
bool static_route_announced(const struct static_proto *s, const struct static_iface *i,
			    const struct rp_route *route);

/* MIB entry points (static_mib.c). */
enum rp_result static_mib_get(void *inst, enum rp_mib_table table, const json_t *key,
			      json_t **row);
enum rp_result static_mib_get_first(void *inst, enum rp_mib_table table, json_t **row);
enum rp_result static_mib_get_next(void *inst, enum rp_mib_table table, const json_t *key,
				   json_t **row);

#endif
