/* SPDX-License-Identifier: ISC */
/*
 * rm_module.h — the protocol modules of one directory, loaded as shared objects: each NAME.so
 * exports rp_module_register() returning its registration, which must be acceptable to this
 * router manager and be named NAME.
 */
#ifndef ROUTPROTD_CORE_RM_MODULE_H
#define ROUTPROTD_CORE_RM_MODULE_H

#include <stddef.h>

#include "routprotd/routprot.h"

/* The entry symbol every module exports (routprotd-modules(7)). */
#define RM_MODULE_ENTRY "rp_module_register"

struct rm_modules;

/* Load every NAME.so of `dir` in name order. NULL with the reason in `why` when one of them
 * cannot be loaded or is refused (nothing stays loaded then), or memory runs out. */
struct rm_modules *rm_modules_load(const char *dir, char *why, size_t len);
/* Their registrations, in name order; valid until rm_modules_free. */
const struct rp_protocol *const *rm_modules_protocols(const struct rm_modules *m, size_t *n);
/* Unload (dlclose) every module: call once nothing uses their registrations any more. */
void rm_modules_free(struct rm_modules *m);

/* The directory to load from: `option` when given, else the build tree's modules when this
 * program runs from its build tree, else the installed module directory. */
const char *rm_modules_dir(const char *option);

#endif
