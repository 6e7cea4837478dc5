/* SPDX-License-Identifier: ISC */
/*
 * trace.h — the trace protocol: a minimal routing protocol behind the callback table that routes
 * nothing and records every callback the router manager delivers. It keeps the RM honest (the
 * RM's unit tests run against it, with no RIP involved) and lets an operator watch what the RM
 * tells protocols about an interface (`trace = { interfaces = (...); }` in the config).
 * Its do_update_routes completes at once (UPDATE_COMPLETE NO_ERROR, or the result set by a test)
 * but it does not claim RF_DEMAND_UPDATE_ROUTES, so operators cannot start updates through it.
 */
#ifndef ROUTPROTD_TRACE_TRACE_H
#define ROUTPROTD_TRACE_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "routprotd/routprot.h"

extern const struct rp_protocol trace_protocol;

/* For tests: the calls received since the last trace_take_record, one per line, e.g.
 * "ADD_INTERFACE veth0 3\nADDRESS_CHANGE 3 active=0 198.18.0.1/24\nENABLED 3 active=0\n".
 * Returns a malloc'd string (caller frees) and clears the record. */
char *trace_take_record(void *inst);
/* For tests: the result the next do_update_routes will post (default NO_ERROR). */
void trace_set_update_result(void *inst, enum rp_result result);

#endif
