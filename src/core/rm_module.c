/* SPDX-License-Identifier: ISC */
/*
 * rm_module.c — loading protocol modules with dlopen: every NAME.so of the module directory,
 * its rp_module_register() entry, the admission check of its registration (rm_register.c), and
 * dlclose when the daemon is done with them.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rm.h"
#include "core/rm_module.h"

struct rm_modules {
	size_t n;
	void **handles;
	const struct rp_protocol **protos;
};

typedef const struct rp_protocol *(*rm_module_entry)(void);

static bool is_module_name(const char *file)
{
	size_t n = strlen(file);

	return n > 3 && file[0] != '.' && strcmp(file + n - 3, ".so") == 0;
}

static int module_filter(const struct dirent *e)
{
	return is_module_name(e->d_name);
}

/* dlopen one module and admit its registration; false with the reason. */
static bool load_one(struct rm_modules *m, const char *dir, const char *file, char *why,
		     size_t len)
{
	char path[PATH_MAX];
	const struct rp_protocol *p;
	rm_module_entry entry;
	void *h;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
		snprintf(why, len, "protocol module %s/%s: path too long", dir, file);
		return false;
	}
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(why, len, "protocol module %s cannot be loaded: %s", path, dlerror());
		return false;
	}
	m->handles[m->n] = h;
	*(void **)&entry = dlsym(h, RM_MODULE_ENTRY);
	if (!entry) {
		snprintf(why, len, "protocol module %s has no %s()", path, RM_MODULE_ENTRY);
		return false;
	}
	p = entry();
	if (!rm_protocol_acceptable(p, path, why, len))
		return false;
	if (strncmp(p->name, file, strlen(file) - 3) != 0 || p->name[strlen(file) - 3] != '\0') {
		snprintf(why, len, "protocol module %s registers protocol '%s': its file must be %s.so",
			 path, p->name, p->name);
		return false;
	}
	m->protos[m->n++] = p;
	return true;
}

struct rm_modules *rm_modules_load(const char *dir, char *why, size_t len)
{
	struct rm_modules *m = calloc(1, sizeof(*m));
	struct dirent **list = NULL;
	int count = scandir(dir, &list, module_filter, alphasort);
	bool ok = count >= 0 && m;

	if (count < 0)
		snprintf(why, len, "module directory %s: %m", dir);
	else if (count > RM_MAX_PROTOCOLS)
		ok = false, snprintf(why, len, "module directory %s: more than %d modules", dir,
				     RM_MAX_PROTOCOLS);
	if (ok && count > 0) {
		m->handles = calloc((size_t)count, sizeof(*m->handles));
		m->protos = calloc((size_t)count, sizeof(*m->protos));
		ok = m->handles && m->protos;
		if (!ok)
			snprintf(why, len, "out of memory");
	}
	for (int i = 0; ok && i < count; i++)
		ok = load_one(m, dir, list[i]->d_name, why, len);
	for (int i = 0; i < count; i++)
		free(list[i]);
	free(list);
	if (!ok && m) {
		if (m->handles && m->handles[m->n])
			dlclose(m->handles[m->n]);
		rm_modules_free(m);
		m = NULL;
	} else if (!m) {
		snprintf(why, len, "out of memory");
	}
	return m;
}

const struct rp_protocol *const *rm_modules_protocols(const struct rm_modules *m, size_t *n)
{
	*n = m ? m->n : 0;
	return m ? m->protos : NULL;
}

void rm_modules_free(struct rm_modules *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		dlclose(m->handles[i]);
	free(m->handles);
	free(m->protos);
	free(m);
}

/* True when this program's directory is `dir` (the build tree holds its binaries there). */
static bool running_from(const char *dir)
{
	char exe[PATH_MAX], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0 || !realpath(dir, real))
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return strcmp(exe, real) == 0;
}

const char *rm_modules_dir(const char *option)
{
	if (option)
		return option;
	if (running_from(RP_BUILDDIR))
		return RP_BUILDDIR "/.libs";
	return RP_MODULEDIR;
}
