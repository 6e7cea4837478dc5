/* SPDX-License-Identifier: ISC */
/*
 * notify.h — the service manager protocol (sd_notify): READY, RELOADING, STOPPING, STATUS and
 * WATCHDOG messages to $NOTIFY_SOCKET. Without libsystemd at build time every call is a no-op.
 */
#ifndef ROUTPROTD_LIB_NOTIFY_H
#define ROUTPROTD_LIB_NOTIFY_H

#include <stdint.h>

void notify_ready(const char *status);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(const char *status);
void notify_watchdog(void);
/* Watchdog interval requested by the service manager in microseconds, 0 if none. */
uint64_t notify_watchdog_usec(void);

#endif
