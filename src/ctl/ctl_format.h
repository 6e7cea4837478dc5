/* SPDX-License-Identifier: ISC */
/*
 * ctl_format.h — routprotctl's human-readable output: pure functions from the data of a control
 * socket reply to text (aligned tables, "key: value" lines, one-line summaries). No I/O, no
 * daemon code: only jansson, so the client stays small and the output is unit-testable.
 */
#ifndef ROUTPROTD_CTL_FORMAT_H
#define ROUTPROTD_CTL_FORMAT_H

#include <jansson.h>

/* Render `data` (the "data" member of an ok:true reply; json null when absent) of the request
 * `command` with request arguments `args` (may be NULL). Tables have a header line, columns as
 * wide as their widest cell, two spaces between columns and no trailing blanks; data of an
 * unexpected shape (and unknown commands) is printed as indented JSON. Returns a malloc'ed text
 * ending with a newline, or NULL when out of memory. */
char *ctl_format_reply(const char *command, const json_t *args, const json_t *data);

/* Pretty JSON of any value (2-space indent), newline-terminated, malloc'ed; NULL on failure. */
char *ctl_format_json(const json_t *data);

/* routprotctl's exit code for an update-routes status: 0 NO_ERROR, 4 ERROR_CAN_NOT_COMPLETE,
 * 5 ERROR_INTERFACE_NOT_CONNECTED, 6 ERROR_UPDATE_IN_PROGRESS, 1 anything else (also NULL). */
int ctl_format_update_exit(const char *status);

#endif
