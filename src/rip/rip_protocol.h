/* SPDX-License-Identifier: ISC */
/*
 * rip_protocol.h — the RIP module as the daemon sees it: its registration struct (the callback
 * table). Everything else about RIP is internal to src/rip.
 */
#ifndef ROUTPROTD_RIP_PROTOCOL_H
#define ROUTPROTD_RIP_PROTOCOL_H

#include "routprotd/routprot.h"

extern const struct rp_protocol rip_protocol;

#endif
