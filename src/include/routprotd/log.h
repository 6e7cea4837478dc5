/* SPDX-License-Identifier: ISC */
/*
 * log.h — the one logging API of routprotd: levels, a component prefix, one line per event on
 * stderr as `LEVEL component: message` (journald adds the time), and rate limits for anything a
 * remote party can trigger.
 */
#ifndef RP_SDK_LOG_H
#define RP_SDK_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum rp_log_level {
	RP_LOG_ERROR = 0,
	RP_LOG_WARNING = 1,
	RP_LOG_NOTICE = 2,
	RP_LOG_INFO = 3,
	RP_LOG_DEBUG = 4,
};

void rp_log_set_level(enum rp_log_level level);
enum rp_log_level rp_log_get_level(void);
bool rp_log_enabled(enum rp_log_level level);
const char *rp_log_level_name(enum rp_log_level level); /* "error", "warning", ... */
bool rp_log_level_parse(const char *name, enum rp_log_level *out);

/* Route all output into a callback instead of stderr (unit tests); NULL restores stderr. */
void rp_log_set_sink(void (*sink)(enum rp_log_level level, const char *line, void *arg), void *arg);

void rp_log_msg(enum rp_log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rp_log_vmsg(enum rp_log_level level, const char *component, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* As rp_log_msg, with ": " and strerror(errno) appended (errno as it was at the call). */
void rp_log_errno(enum rp_log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define rp_log_error(comp, ...) rp_log_msg(RP_LOG_ERROR, comp, __VA_ARGS__)
#define rp_log_warning(comp, ...) rp_log_msg(RP_LOG_WARNING, comp, __VA_ARGS__)
#define rp_log_notice(comp, ...) rp_log_msg(RP_LOG_NOTICE, comp, __VA_ARGS__)
#define rp_log_info(comp, ...) rp_log_msg(RP_LOG_INFO, comp, __VA_ARGS__)
#define rp_log_debug(comp, ...) \
	do { \
		if (rp_log_enabled(RP_LOG_DEBUG)) \
			rp_log_msg(RP_LOG_DEBUG, comp, __VA_ARGS__); \
	} while (0)

/* Rate limit: at most `burst` lines per `interval_ms`; the next line that passes reports how many
 * were suppressed. Zero-initialise with RP_LOG_RATELIMIT_INIT. */
struct rp_log_ratelimit {
	unsigned burst;
	int64_t interval_ms;
	int64_t window_start_ms;
	unsigned used;
	unsigned suppressed;
};
#define RP_LOG_RATELIMIT_INIT(burst_, interval_ms_) \
	{ .burst = (burst_), .interval_ms = (interval_ms_) }

void rp_log_rl(struct rp_log_ratelimit *rl, enum rp_log_level level, const char *component,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
