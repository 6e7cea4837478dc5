/* SPDX-License-Identifier: ISC */
/*
 * trace_module.c — the entry symbol of trace.so: the registration of trace for the router
 * manager.
 */
#include "config.h"

#include "trace/trace.h"

const struct rp_protocol *rp_module_register(void)
{
	return &trace_protocol;
}
