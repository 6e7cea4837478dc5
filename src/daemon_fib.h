/* SPDX-License-Identifier: ISC */
/*
 * daemon_fib.h — adapters between the router manager's FIB interface (rm_fib_ops) and the
 * netlink FIB writer (fib_ops), see daemon_fib.c.
 */
#ifndef ROUTPROTD_DAEMON_FIB_H
#define ROUTPROTD_DAEMON_FIB_H

#include "core/rm.h"
#include "linux/fib.h"

/* rm_attach_fib(rm, &daemon_rm_fib_ops, fib) */
extern const struct rm_fib_ops daemon_rm_fib_ops;
/* fib_new(..., &daemon_fib_ops, rm, ...) */
extern const struct fib_ops daemon_fib_ops;

#endif
