/* SPDX-License-Identifier: ISC */
/*
 * log.c — line logging to stderr with levels and rate limits. Under systemd (JOURNAL_STREAM
 * names our stderr) each line gets a `<N>` syslog priority prefix, which journald strips and
 * records as the priority.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "routprotd/clock.h"
#include "routprotd/log.h"

static enum rp_log_level current_level = RP_LOG_INFO;
static void (*log_sink)(enum rp_log_level, const char *, void *);
static void *log_sink_arg;
static int journal_prefix = -1; /* -1 = not decided yet */

static const char *const level_names[] = { "error", "warning", "notice", "info", "debug" };
static const char *const level_tags[] = { "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG" };
static const int syslog_prio[] = { 3, 4, 5, 6, 7 };

void rp_log_set_level(enum rp_log_level level)
{
	current_level = level;
}

enum rp_log_level rp_log_get_level(void)
{
	return current_level;
}

bool rp_log_enabled(enum rp_log_level level)
{
	return level <= current_level;
}

const char *rp_log_level_name(enum rp_log_level level)
{
	if ((unsigned)level > RP_LOG_DEBUG)
		return "?";
	return level_names[level];
}

bool rp_log_level_parse(const char *name, enum rp_log_level *out)
{
	for (unsigned i = 0; i <= RP_LOG_DEBUG; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum rp_log_level)i;
			return true;
		}
	}
	return false;
}

void rp_log_set_sink(void (*sink)(enum rp_log_level, const char *, void *), void *arg)
{
	log_sink = sink;
	log_sink_arg = arg;
}

/* True when stderr is the journal stream systemd gave us (see systemd.exec(5)). */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void rp_log_vmsg(enum rp_log_level level, const char *component, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (!rp_log_enabled(level))
		return;
	n = snprintf(line, sizeof(line), "%s %s: ", level_tags[level], component);
	if (n < 0)
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (log_sink) {
		log_sink(level, line, log_sink_arg);
		return;
	}
	if (journal_prefix < 0)
		journal_prefix = stderr_is_journal();
	if (journal_prefix)
		fprintf(stderr, "<%d>%s\n", syslog_prio[level], line);
	else
		fprintf(stderr, "%s\n", line);
}

void rp_log_msg(enum rp_log_level level, const char *component, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rp_log_vmsg(level, component, fmt, ap);
	va_end(ap);
}

void rp_log_errno(enum rp_log_level level, const char *component, const char *fmt, ...)
{
	const int saved = errno;
	char text[768];
	va_list ap;

	if (!rp_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rp_log_msg(level, component, "%s: %s", text, strerror(saved));
	errno = saved;
}

void rp_log_rl(struct rp_log_ratelimit *rl, enum rp_log_level level, const char *component,
	    const char *fmt, ...)
{
	int64_t now = rp_clock_now_ms();
	va_list ap;

	if (!rp_log_enabled(level))
		return;
	if (now - rl->window_start_ms >= rl->interval_ms || rl->window_start_ms == 0) {
		if (rl->suppressed > 0)
			rp_log_msg(level, component, "%u similar messages suppressed", rl->suppressed);
		rl->window_start_ms = now;
		rl->used = 0;
		rl->suppressed = 0;
	}
	if (rl->used >= rl->burst) {
		rl->suppressed++;
		return;
	}
	rl->used++;
	va_start(ap, fmt);
	rp_log_vmsg(level, component, fmt, ap);
	va_end(ap);
}
