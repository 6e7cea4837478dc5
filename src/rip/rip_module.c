/* SPDX-License-Identifier: ISC */
/*
 * rip_module.c — the entry symbol of rip.so: the registration of RIP for the router manager.
 */
#include "config.h"

#include "rip/rip_protocol.h"

const struct rp_protocol *rp_module_register(void)
{
	return &rip_protocol;
}
