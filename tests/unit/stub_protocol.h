/* SPDX-License-Identifier: ISC */
/*
 * stub_protocol.h — interface entry points that accept everything, for the minimal protocol
 * registrations of the router manager's unit tests.
 */
#ifndef ROUTPROTD_TESTS_STUB_PROTOCOL_H
#define ROUTPROTD_TESTS_STUB_PROTOCOL_H

#include "routprotd/routprot.h"

static inline enum rp_result stub_add_if(void *inst, const char *name, uint32_t index,
					 enum rp_interface_type type, const void *info)
{
	return NO_ERROR;
}

static inline enum rp_result stub_del_if(void *inst, uint32_t index)
{
	return NO_ERROR;
}

#endif
