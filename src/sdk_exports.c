/* SPDX-License-Identifier: ISC */
/*
 * sdk_exports.c — every function of the SDK (src/include/routprotd/), referenced once so that
 * the linker puts it into routprotd even when the daemon itself does not call it: protocol
 * modules find them in the daemon (routprotd.dynamic exports the rp_ names and nothing else).
 * A function added to an SDK header is added here.
 */
#include "config.h"

#include "routprotd/addr.h"
#include "routprotd/avl.h"
#include "routprotd/clock.h"
#include "routprotd/conf_diag.h"
#include "routprotd/conf_schema.h"
#include "routprotd/event_queue.h"
#include "routprotd/log.h"
#include "routprotd/prefix.h"
#include "routprotd/routprot.h"

typedef void (*sdk_fn)(void);

extern const sdk_fn sdk_exports[];
const sdk_fn sdk_exports[] = {
	(sdk_fn)rp_result_name, (sdk_fn)rp_status_type_name, (sdk_fn)rp_event_type_name,
	(sdk_fn)rp_addr_flag_name,
	(sdk_fn)rp_event_queue_init, (sdk_fn)rp_event_queue_post, (sdk_fn)rp_event_queue_pop,
	(sdk_fn)rp_event_queue_clear,
	(sdk_fn)rp_log_set_level, (sdk_fn)rp_log_get_level, (sdk_fn)rp_log_enabled,
	(sdk_fn)rp_log_level_name, (sdk_fn)rp_log_level_parse, (sdk_fn)rp_log_set_sink,
	(sdk_fn)rp_log_msg, (sdk_fn)rp_log_vmsg, (sdk_fn)rp_log_errno, (sdk_fn)rp_log_rl,
	(sdk_fn)rp_clock_now_ms, (sdk_fn)rp_clock_wall_ms, (sdk_fn)rp_clock_set_source,
	(sdk_fn)rp_clock_format_iso8601, (sdk_fn)rp_clock_parse_iso8601,
	(sdk_fn)rp_mask4_to_len, (sdk_fn)rp_addr4_parse, (sdk_fn)rp_prefix4_parse,
	(sdk_fn)rp_addr4_format, (sdk_fn)rp_prefix4_format,
	(sdk_fn)rp_family_bits, (sdk_fn)rp_prefix_v4, (sdk_fn)rp_prefix_v6, (sdk_fn)rp_prefix_to_v4,
	(sdk_fn)rp_prefix_normalise, (sdk_fn)rp_prefix_has_host_bits, (sdk_fn)rp_prefix_parse,
	(sdk_fn)rp_prefix_format, (sdk_fn)rp_addr_format, (sdk_fn)rp_prefix_contains,
	(sdk_fn)rp_prefix_cmp, (sdk_fn)rp_prefix_equal, (sdk_fn)rp_addr_is_link_local,
	(sdk_fn)rp_addr_is_unspecified, (sdk_fn)rp_addr_is_multicast,
	(sdk_fn)rp_avl_init, (sdk_fn)rp_avl_insert, (sdk_fn)rp_avl_remove, (sdk_fn)rp_avl_find,
	(sdk_fn)rp_avl_find_after, (sdk_fn)rp_avl_first, (sdk_fn)rp_avl_next,
	(sdk_fn)rp_conf_diag_init, (sdk_fn)rp_conf_diag_free, (sdk_fn)rp_conf_diag_at,
	(sdk_fn)rp_conf_diag_line, (sdk_fn)rp_conf_diag_vline, (sdk_fn)rp_conf_diag_print,
	(sdk_fn)rp_conf_parse_fields, (sdk_fn)rp_conf_parse_integer, (sdk_fn)rp_conf_free_fields,
	(sdk_fn)rp_conf_fields_equal, (sdk_fn)rp_conf_copy_fields, (sdk_fn)rp_conf_suggest,
};
