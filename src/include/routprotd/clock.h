/* SPDX-License-Identifier: ISC */
/*
 * clock.h — time for the whole daemon: monotonic milliseconds for timers (injectable so unit
 * tests can drive protocol timers), wall-clock milliseconds and ISO 8601 UTC formatting for
 * operators.
 */
#ifndef RP_SDK_CLOCK_H
#define RP_SDK_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define RP_CLOCK_ISO8601_LEN 32

int64_t rp_clock_now_ms(void);  /* CLOCK_MONOTONIC, or the test source */
int64_t rp_clock_wall_ms(void); /* CLOCK_REALTIME */

/* Replace the monotonic source (tests); NULL restores CLOCK_MONOTONIC. */
void rp_clock_set_source(int64_t (*source)(void));

/* "2026-11-21T19:06:00.123Z" */
void rp_clock_format_iso8601(int64_t wall_ms, char buf[RP_CLOCK_ISO8601_LEN]);
/* "YYYY-MM-DDTHH:MM:SS[.mmm]Z" → wall milliseconds; -1 when malformed. */
int64_t rp_clock_parse_iso8601(const char *s);

#endif
