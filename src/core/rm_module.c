/* SPDX-License-Identifier: ISC */
/*
 * rm_module.c — loading protocol modules with dlopen: NAME.so of the module directory when the
 * configuration names protocol NAME, its rp_module_register() entry, the admission check of its
 * registration (rm_register.c), and dlclose once the protocol is no longer configured.
 */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rm.h"
#include "core/rm_module.h"

struct rm_modules {
	char *dir;
	size_t n;
	void *handles[RM_MAX_PROTOCOLS];
	const struct rp_protocol *protos[RM_MAX_PROTOCOLS];
};

typedef const struct rp_protocol *(*rm_module_entry)(void);

struct rm_modules *rm_modules_new(const char *dir, char *why, size_t len)
{
	struct rm_modules *m;
	DIR *d = opendir(dir);

	if (!d) {
		snprintf(why, len, "module directory %s: %s", dir, strerror(errno));
		return NULL;
	}
	closedir(d);
	m = calloc(1, sizeof(*m));
	if (m && !(m->dir = strdup(dir))) {
		free(m);
		m = NULL;
	}
	if (!m)
		snprintf(why, len, "out of memory");
	return m;
}

static bool loaded(const struct rm_modules *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->protos[i]->name, name) == 0)
			return true;
	return false;
}

/* The registration of the module at `path` (dlopen'ed as *h), or NULL with the reason. */
static const struct rp_protocol *open_module(const char *path, const char *name, void **h,
					     char *why, size_t len)
{
	const struct rp_protocol *p;
	rm_module_entry entry;

	*h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!*h) {
		snprintf(why, len, "protocol module %s cannot be loaded: %s", path, dlerror());
		return NULL;
	}
	*(void **)&entry = dlsym(*h, RM_MODULE_ENTRY);
	if (!entry) {
		snprintf(why, len, "protocol module %s has no %s()", path, RM_MODULE_ENTRY);
		return NULL;
	}
	p = entry();
	if (!rm_protocol_acceptable(p, path, why, len))
		return NULL;
	if (strcmp(p->name, name) != 0) {
		snprintf(why, len, "protocol module %s registers protocol '%s': its file must be %s.so",
			 path, p->name, p->name);
		return NULL;
	}
	return p;
}

/* Load NAME.so when it exists; false with the reason when it cannot be used. */
static bool load_one(struct rm_modules *m, const char *name, char *why, size_t len)
{
	char path[PATH_MAX];
	const struct rp_protocol *p;
	void *h;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s.so", m->dir, name) >= sizeof(path)) {
		snprintf(why, len, "protocol module %s/%s.so: path too long", m->dir, name);
		return false;
	}
	if (access(path, F_OK) != 0)
		return true; /* no such protocol: the configuration loader says so */
	if (m->n == RM_MAX_PROTOCOLS) {
		snprintf(why, len, "protocol module %s: more than %d protocols", path,
			 RM_MAX_PROTOCOLS);
		return false;
	}
	p = open_module(path, name, &h, why, len);
	if (!p) {
		if (h)
			dlclose(h);
		return false;
	}
	m->handles[m->n] = h;
	m->protos[m->n++] = p;
	return true;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

bool rm_modules_want(struct rm_modules *m, char (*names)[RP_PROTOCOL_NAME_MAX], size_t n,
		     char *why, size_t len)
{
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n; i++)
		if (!loaded(m, names[i]) && !load_one(m, names[i], why, len))
			return false;
	return true;
}

const struct rp_protocol *const *rm_modules_protocols(const struct rm_modules *m, size_t *n)
{
	*n = m ? m->n : 0;
	return m ? m->protos : NULL;
}

void rm_modules_unload(struct rm_modules *m, const struct rp_protocol *p)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->protos[i] != p)
			continue;
		dlclose(m->handles[i]);
		m->n--;
		memmove(&m->handles[i], &m->handles[i + 1], (m->n - i) * sizeof(m->handles[0]));
		memmove(&m->protos[i], &m->protos[i + 1], (m->n - i) * sizeof(m->protos[0]));
		return;
	}
}

void rm_modules_free(struct rm_modules *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		dlclose(m->handles[i]);
	free(m->dir);
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
