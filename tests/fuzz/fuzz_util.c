/* SPDX-License-Identifier: ISC */
/*
 * fuzz_util.c — helpers shared by the fuzz targets (see fuzz_util.h).
 */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"

static char dir[64];
static char path[128];

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz target: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

bool fuzz_contains(const uint8_t *data, size_t size, const char *text)
{
	size_t n = strlen(text);

	for (size_t i = 0; n <= size && i <= size - n; i++)
		if (memcmp(data + i, text, n) == 0)
			return true;
	return false;
}

void fuzz_quiet_log(enum rp_log_level level, const char *line, void *arg)
{
}

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void remove_dir(void)
{
	if (dir[0])
		nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_dir(void)
{
	if (dir[0])
		return dir;
	snprintf(dir, sizeof(dir), "/tmp/routprotd-fuzz.XXXXXX");
	if (!mkdtemp(dir))
		fuzz_fail("mkdtemp: %m");
	atexit(remove_dir);
	return dir;
}

const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		fuzz_fail("open %s: %m", path);
	for (size_t done = 0; done < size;) {
		ssize_t n = write(fd, data + done, size - done);

		if (n < 0)
			fuzz_fail("write %s: %m", path);
		done += (size_t)n;
	}
	if (close(fd) != 0)
		fuzz_fail("close %s: %m", path);
	return path;
}
