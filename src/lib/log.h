/* SPDX-License-Identifier: ISC */
/*
 * log.h — the one logging API of routprotd: levels, a component prefix, one line per event on
 * stderr as `LEVEL component: message` (journald adds the time), and rate limits for anything a
 * remote party can trigger.
 */
#ifndef ROUTPROTD_LIB_LOG_H
#define ROUTPROTD_LIB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARNING = 1,
	LOG_LVL_NOTICE = 2,
	LOG_LVL_INFO = 3,
	LOG_LVL_DEBUG = 4,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);
const char *log_level_name(enum log_level level); /* "error", "warning", ... */
bool log_level_parse(const char *name, enum log_level *out);

/* Route all output into a callback instead of stderr (unit tests); NULL restores stderr. */
void log_set_sink(void (*sink)(enum log_level level, const char *line, void *arg), void *arg);

void log_msg(enum log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_level level, const char *component, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#define log_error(comp, ...) log_msg(LOG_LVL_ERROR, comp, __VA_ARGS__)
#define log_warning(comp, ...) log_msg(LOG_LVL_WARNING, comp, __VA_ARGS__)
#define log_notice(comp, ...) log_msg(LOG_LVL_NOTICE, comp, __VA_ARGS__)
#define log_info(comp, ...) log_msg(LOG_LVL_INFO, comp, __VA_ARGS__)
#define log_debug(comp, ...) \
	do { \
		if (log_enabled(LOG_LVL_DEBUG)) \
			log_msg(LOG_LVL_DEBUG, comp, __VA_ARGS__); \
	} while (0)

/* Rate limit: at most `burst` lines per `interval_ms`; the next line that passes reports how many
 * were suppressed. Zero-initialise with LOG_RATELIMIT_INIT. */
struct log_ratelimit {
	unsigned burst;
	int64_t interval_ms;
	int64_t window_start_ms;
	unsigned used;
	unsigned suppressed;
};
#define LOG_RATELIMIT_INIT(burst_, interval_ms_) \
	{ .burst = (burst_), .interval_ms = (interval_ms_) }

void log_rl(struct log_ratelimit *rl, enum log_level level, const char *component,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
