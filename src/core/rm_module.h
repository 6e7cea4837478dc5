/* SPDX-License-Identifier: ISC */
/*
 * rm_module.h — protocol modules loaded as shared objects from one directory, on demand: the
 * configuration names a protocol, NAME.so is loaded; its rp_module_register() returns the
 * registration, which must be acceptable to this router manager and be named NAME. A module
 * whose protocol is no longer configured is unloaded (dlclose).
 */
#ifndef ROUTPROTD_CORE_RM_MODULE_H
#define ROUTPROTD_CORE_RM_MODULE_H

#include <stdbool.h>
#include <stddef.h>

#include "routprotd/routprot.h"

/* The entry symbol every module exports (routprotd-modules(7)). */
#define RM_MODULE_ENTRY "rp_module_register"

struct rm_modules;

/* Modules of `dir`, none loaded yet. NULL with the reason when the directory cannot be read. */
struct rm_modules *rm_modules_new(const char *dir, char *why, size_t len);
/* Load NAME.so for each of `names` that is not loaded yet and exists in the directory (other
 * names are left to the configuration loader to refuse), in name order. False with the reason
 * when one exists but cannot be used; the modules loaded before it stay loaded. */
bool rm_modules_want(struct rm_modules *m, char (*names)[RP_PROTOCOL_NAME_MAX], size_t n,
		     char *why, size_t len);
/* The registrations of the loaded modules; valid until the next load or unload. */
const struct rp_protocol *const *rm_modules_protocols(const struct rm_modules *m, size_t *n);
/* Unload the module of `p` (nothing may use its registration any more). */
void rm_modules_unload(struct rm_modules *m, const struct rp_protocol *p);
/* Unload every module and free `m`. */
void rm_modules_free(struct rm_modules *m);

/* The directory to load from: `option` when given, else the build tree's modules when this
 * program runs from its build tree, else the installed module directory. */
const char *rm_modules_dir(const char *option);

#endif
