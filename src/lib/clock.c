/* SPDX-License-Identifier: ISC */
/* clock.c — monotonic and wall time, ISO 8601 formatting (see clock.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "routprotd/clock.h"

static int64_t (*clock_source)(void);

static int64_t read_clock(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rp_clock_now_ms(void)
{
	if (clock_source)
		return clock_source();
	return read_clock(CLOCK_MONOTONIC);
}

int64_t rp_clock_wall_ms(void)
{
	return read_clock(CLOCK_REALTIME);
}

void rp_clock_set_source(int64_t (*source)(void))
{
	clock_source = source;
}

void rp_clock_format_iso8601(int64_t wall_ms, char buf[RP_CLOCK_ISO8601_LEN])
{
	time_t secs = (time_t)(wall_ms / 1000);
	unsigned millis = (unsigned)((uint64_t)wall_ms % 1000u);
	struct tm tm;
	size_t n;

	if (!gmtime_r(&secs, &tm) ||
	    (n = strftime(buf, RP_CLOCK_ISO8601_LEN, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		snprintf(buf, RP_CLOCK_ISO8601_LEN, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(buf + n, RP_CLOCK_ISO8601_LEN - n, ".%03uZ", millis);
}

int64_t rp_clock_parse_iso8601(const char *s)
{
	struct tm tm = { 0 };
	int ms = 0, used = 0;
	char frac[4];

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 || used != 19)
		return -1;
	if (s[used] == '.') {
		if (sscanf(s + used + 1, "%3[0-9]", frac) != 1 || strlen(frac) != 3)
			return -1;
		ms = atoi(frac);
		used += 4;
	}
	if (strcmp(s + used, "Z") != 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}
