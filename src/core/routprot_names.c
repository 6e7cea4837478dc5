/* SPDX-License-Identifier: ISC */
/* routprot_names.c — display names of the routprot.h enums (logs, JSON, history). */
#include "config.h"

#include "routprotd/routprot.h"

const char *rp_result_name(enum rp_result r)
{
	switch (r) {
	case NO_ERROR: return "NO_ERROR";
	case ERROR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
	case ERROR_INSUFFICIENT_BUFFER: return "ERROR_INSUFFICIENT_BUFFER";
	case ERROR_NO_MORE_ITEMS: return "ERROR_NO_MORE_ITEMS";
	case ERROR_CAN_NOT_COMPLETE: return "ERROR_CAN_NOT_COMPLETE";
	case ERROR_INTERFACE_NOT_CONNECTED: return "ERROR_INTERFACE_NOT_CONNECTED";
	case ERROR_PROTOCOL_STOP_PENDING: return "ERROR_PROTOCOL_STOP_PENDING";
	case ERROR_UPDATE_IN_PROGRESS: return "ERROR_UPDATE_IN_PROGRESS";
	}
	return "ERROR_UNKNOWN";
}

const char *rp_status_type_name(enum rp_status_type t)
{
	switch (t) {
	case RIS_INTERFACE_ADDRESS_CHANGE: return "ADDRESS_CHANGE";
	case RIS_INTERFACE_ENABLED: return "ENABLED";
	case RIS_INTERFACE_DISABLED: return "DISABLED";
	case RIS_INTERFACE_MEDIA_PRESENT: return "MEDIA_PRESENT";
	case RIS_INTERFACE_MEDIA_ABSENT: return "MEDIA_ABSENT";
	}
	return "UNKNOWN";
}

const char *rp_event_type_name(enum rp_event_type t)
{
	switch (t) {
	case ROUTER_STOPPED: return "ROUTER_STOPPED";
	case SAVE_GLOBAL_CONFIG_INFO: return "SAVE_GLOBAL_CONFIG_INFO";
	case SAVE_INTERFACE_CONFIG_INFO: return "SAVE_INTERFACE_CONFIG_INFO";
	case UPDATE_COMPLETE: return "UPDATE_COMPLETE";
	}
	return "UNKNOWN";
}

const char *rp_addr_flag_name(unsigned flag)
{
	switch (flag) {
	case RP_ADDR_LINK_LOCAL: return "link-local";
	case RP_ADDR_TENTATIVE: return "tentative";
	case RP_ADDR_DADFAILED: return "dadfailed";
	case RP_ADDR_DEPRECATED: return "deprecated";
	}
	return NULL;
}
