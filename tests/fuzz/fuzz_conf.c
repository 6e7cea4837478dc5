/* SPDX-License-Identifier: ISC */
/*
 * fuzz_conf.c — libFuzzer target for the configuration loader (conf/conf.c with the keys
 * of the daemon's protocols): every input is written to a file and loaded as routprotd.conf. A load
 * either succeeds without a message or fails with at least one, each a "FILE:LINE: text" line
 * ("FILE: text" about the whole file);
 * nothing may crash, leak or hang. Inputs with @include are skipped (an include names any file
 * the administrator chooses; reading it is libconfig's business, not the loader's).
 *
 * Built and run by tools/fuzz (seeds in tests/fuzz/seeds/conf).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "fuzz_util.h"
#include "routprotd/log.h"
#include "rip/rip_protocol.h"
#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct rp_protocol *const known[] = { &rip_protocol, &trace_protocol };

static void check_message(const char *msg, const char *file)
{
	const char *rest;

	if (strncmp(msg, file, strlen(file)) != 0 || msg[strlen(file)] != ':')
		fuzz_fail("message without the file name: %s", msg);
	rest = msg + strlen(file) + 1;
	if (rest[0] == ' ') /* about the whole file: no line */
		return;
	if (strspn(rest, "0123456789") == 0 || rest[strspn(rest, "0123456789")] != ':')
		fuzz_fail("message without a line number: %s", msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rp_conf_diag diag;
	struct conf *c;
	const char *file;

	if (fuzz_contains(data, size, "@include"))
		return 0;
	rp_log_set_sink(fuzz_quiet_log, NULL);
	file = fuzz_write_file("routprotd.conf", data, size);
	rp_conf_diag_init(&diag, file);
	c = conf_load(file, known, 2, &diag);
	if (c && !rp_conf_diag_ok(&diag))
		fuzz_fail("configuration loaded with %zu message(s)", diag.count);
	if (!c && diag.count == 0)
		fuzz_fail("configuration refused without a message");
	for (size_t i = 0; i < diag.count; i++)
		check_message(diag.messages[i], file);
	conf_free(c);
	rp_conf_diag_free(&diag);
	return 0;
}
