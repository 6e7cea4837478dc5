/* SPDX-License-Identifier: ISC */
/*
 * fuzz_state.c — libFuzzer target for the autostatic state file reader (core/rm_state.c):
 * every input is written as autostatic.json and read. A file that is refused must come with a
 * reason; a file that is accepted must survive a round trip: written again by rm_state_write and
 * read back, it gives exactly the same interfaces, times and routes.
 *
 * Built and run by tools/fuzz (seeds in tests/fuzz/seeds/state).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/rm_state.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool route_equal(const struct rm_state_route *a, const struct rm_state_route *b)
{
	return a->prefix == b->prefix && a->len == b->len && a->gateway == b->gateway &&
	       a->metric == b->metric && a->tag == b->tag;
}

static void compare(const struct rm_state_iface *a, size_t na, const struct rm_state_iface *b,
		    size_t nb)
{
	if (na != nb)
		fuzz_fail("%zu interfaces read, %zu after the round trip", na, nb);
	for (size_t i = 0; i < na; i++) {
		if (strcmp(a[i].name, b[i].name) != 0 || a[i].updated_ms != b[i].updated_ms ||
		    a[i].nroutes != b[i].nroutes)
			fuzz_fail("interface %zu (%s) differs after the round trip", i, a[i].name);
		for (size_t k = 0; k < a[i].nroutes; k++)
			if (!route_equal(&a[i].routes[k], &b[i].routes[k]))
				fuzz_fail("route %zu of %s differs after the round trip", k,
					  a[i].name);
	}
}

static void round_trip(const struct rm_state_iface *ifs, size_t n)
{
	char again[128], err[512];
	struct rm_state_iface *back;
	size_t nback;

	snprintf(again, sizeof(again), "%s/again", fuzz_dir());
	if (mkdir(again, 0700) != 0 && errno != EEXIST)
		fuzz_fail("mkdir %s: %m", again);
	if (rm_state_write(again, ifs, n, err, sizeof(err)) != 0)
		fuzz_fail("cannot write what was read: %s", err);
	if (rm_state_read(again, &back, &nback, err, sizeof(err)) != 1)
		fuzz_fail("cannot read what was written: %s", err);
	compare(ifs, n, back, nback);
	rm_state_free(back, nback);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rm_state_iface *ifs;
	char err[512] = "";
	size_t n;
	int rc;

	fuzz_write_file(RM_STATE_FILE, data, size);
	rc = rm_state_read(fuzz_dir(), &ifs, &n, err, sizeof(err));
	if (rc == 0)
		fuzz_fail("a file that exists was not found");
	if (rc < 0) {
		if (err[0] == '\0' || ifs != NULL || n != 0)
			fuzz_fail("refused without a reason, or with routes left");
		return 0;
	}
	round_trip(ifs, n);
	rm_state_free(ifs, n);
	return 0;
}
