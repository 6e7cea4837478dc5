/* SPDX-License-Identifier: ISC */
/*
 * test_state.c — unit tests of the autostatic state file: round trip, atomic replacement (no
 * temporary left, mode 0640), absent file, every kind of unusable file rejected as a whole with
 * a reason, setting a bad file aside, and writes that fail at each step (write, fsync, close,
 * rename, syncing the directory; injected through the linker's --wrap, see Makefile.am): the
 * previous file stays intact and no temporary is left, or the caller is told the file was
 * replaced without being synced; a leftover temporary is removed.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/rm_state.h"

#define A(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

/* ---- failure injection (the linker sends rm_state.c's calls here) ---- */

enum fault {
	FAULT_NONE, FAULT_WRITE, FAULT_FSYNC_FILE, FAULT_CLOSE, FAULT_RENAME, FAULT_FSYNC_DIR
};
static enum fault fault;
static int fault_errno;

ssize_t __real_write(int fd, const void *buf, size_t len);
int __real_fsync(int fd);
int __real_close(int fd);
int __real_rename(const char *from, const char *to);
ssize_t __wrap_write(int fd, const void *buf, size_t len);
int __wrap_fsync(int fd);
int __wrap_close(int fd);
int __wrap_rename(const char *from, const char *to);

static int injected_failure(void)
{
	errno = fault_errno;
	return -1;
}

/* The first write goes through in part (the disk fills up half-way), the next one fails. */
ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	static bool partial_done;

	if (fault != FAULT_WRITE || fd <= 2)
		return __real_write(fd, buf, len);
	if (!partial_done && len > 10) {
		partial_done = true;
		return __real_write(fd, buf, 10);
	}
	return injected_failure();
}

static bool is_dir(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

int __wrap_fsync(int fd)
{
	if ((fault == FAULT_FSYNC_FILE && !is_dir(fd)) || (fault == FAULT_FSYNC_DIR && is_dir(fd)))
		return injected_failure();
	return __real_fsync(fd);
}

int __wrap_close(int fd)
{
	if (fault == FAULT_CLOSE && fd > 2) {
		__real_close(fd); /* like NFS: the descriptor is gone, the data maybe not */
		return injected_failure();
	}
	return __real_close(fd);
}

int __wrap_rename(const char *from, const char *to)
{
	return fault == FAULT_RENAME ? injected_failure() : __real_rename(from, to);
}

static char dir[] = "/tmp/test_state.XXXXXX";
static char path[512];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, RM_STATE_FILE);
}

static void teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[600];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' && (e->d_name[1] == 0 || e->d_name[1] == '.'))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	strcpy(dir, "/tmp/test_state.XXXXXX");
}

static void write_text(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static int read_state(char *err, size_t len)
{
	struct rm_state_iface *ifs;
	size_t n;
	int rc = rm_state_read(dir, &ifs, &n, err, len);

	rm_state_free(ifs, n);
	return rc;
}

static unsigned count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (e->d_name[1] && e->d_name[1] != '.');
	if (d)
		closedir(d);
	return n;
}

START_TEST(round_trip)
{
	struct rm_state_route r0[] = { { A(198, 19, 1, 0), 24, A(198, 18, 5, 2), 2, 7 },
				       { A(198, 19, 2, 0), 24, A(198, 18, 5, 2), 3, 0 } };
	struct rm_state_iface in[2] = {
		{ .name = "ppp0", .updated_ms = 1795288000123LL, .routes = r0, .nroutes = 2 },
		{ .name = "ppp1", .updated_ms = 1795288001000LL, .routes = NULL, .nroutes = 0 },
	};
	struct rm_state_iface *out;
	size_t n;
	char err[256];
	struct stat st;

	ck_assert_int_eq(rm_state_write(dir, in, 2, err, sizeof(err)), 0);
	ck_assert_int_eq(rm_state_read(dir, &out, &n, err, sizeof(err)), 1);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0].name, "ppp0");
	ck_assert_int_eq(out[0].updated_ms, 1795288000123LL);
	ck_assert_uint_eq(out[0].nroutes, 2);
	ck_assert_uint_eq(out[0].routes[1].prefix, A(198, 19, 2, 0));
	ck_assert_uint_eq(out[0].routes[0].gateway, A(198, 18, 5, 2));
	ck_assert_uint_eq(out[0].routes[0].metric, 2);
	ck_assert_uint_eq(out[0].routes[0].tag, 7);
	ck_assert_uint_eq(out[1].nroutes, 0);
	rm_state_free(out, n);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	ck_assert_uint_eq(count_files(), 1); /* no temporary file left */
}
END_TEST

START_TEST(absent_file_is_not_an_error)
{
	char err[256];

	ck_assert_int_eq(read_state(err, sizeof(err)), 0);
}
END_TEST

static const char *const bad_files[] = {
	"{\"garbage",
	"[]",
	"{\"format\": \"something-else\", \"version\": 1, \"interfaces\": []}",
	"{\"format\": \"routprotd-autostatic\", \"version\": 99, \"interfaces\": []}",
	"{\"format\": \"routprotd-autostatic\", \"version\": 1, \"interfaces\": {}}",
	"{\"format\": \"routprotd-autostatic\", \"version\": 1, \"interfaces\": [{\"name\": "
	"\"ppp0\", \"updated\": \"2026-11-21T19:06:40Z\", \"routes\": [{\"prefix\": "
	"\"198.19.1.1/24\", \"nexthop\": \"198.18.5.2\", \"metric\": 2, \"tag\": 0}]}]}",
	"{\"format\": \"routprotd-autostatic\", \"version\": 1, \"interfaces\": [{\"name\": "
	"\"ppp0\", \"updated\": \"2026-11-21T19:06:40Z\", \"routes\": [{\"prefix\": "
	"\"198.19.1.0/24\", \"nexthop\": \"bogus\", \"metric\": 2, \"tag\": 0}]}]}",
	"{\"format\": \"routprotd-autostatic\", \"version\": 1, \"interfaces\": [{\"name\": "
	"\"ppp0\", \"updated\": \"2026-11-21T19:06:40Z\", \"routes\": [{\"prefix\": "
	"\"198.19.1.0/24\", \"nexthop\": \"198.18.5.2\", \"metric\": 16, \"tag\": 0}]}]}",
	"{\"format\": \"routprotd-autostatic\", \"version\": 1, \"interfaces\": [{\"name\": "
	"\"ppp0\", \"updated\": \"2026-11-21T19:06:40Z\", \"routes\": [{\"prefix\": "
	"\"198.19.1.0/24\", \"nexthop\": \"198.18.5.2\", \"metric\": 2, \"tag\": 70000}]}]}",
	"{\"format\": \"routprotd-autostatic\", \"version\": 1, \"interfaces\": [{\"name\": "
	"\"an-interface-name-too-long\", \"updated\": \"2026-11-21T19:06:40Z\", \"routes\": []}]}",
	"{\"format\": \"routprotd-autostatic\", \"version\": 1, \"interfaces\": [{\"name\": "
	"\"ppp0\", \"updated\": \"yesterday\", \"routes\": []}]}",
	"{\"format\": \"routprotd-autostatic\", \"version\": 1, \"interfaces\": [{\"name\": "
	"\"ppp0\", \"updated\": \"2026-11-21T19:06:40Z\"}]}",
	"{\"format\": \"routprotd-autostatic\", \"format\": \"routprotd-autostatic\", "
	"\"version\": 1, \"interfaces\": []}",
};

START_TEST(unusable_files_rejected_with_reason)
{
	char err[256] = "";

	write_text(bad_files[_i]);
	ck_assert_int_eq(read_state(err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, path) == err, "reason names the file: %s", err);
}
END_TEST

START_TEST(directory_in_place_of_the_file)
{
	char err[256];

	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(read_state(err, sizeof(err)), -1);
	rmdir(path);
}
END_TEST

START_TEST(set_aside_keeps_the_bad_file)
{
	char aside[600], err[256];
	struct stat st;

	write_text("{\"garbage");
	ck_assert_int_eq(rm_state_set_aside(dir, aside, sizeof(aside)), 0);
	ck_assert_ptr_nonnull(strstr(aside, "autostatic.json.bad-"));
	ck_assert_int_eq(stat(aside, &st), 0);
	ck_assert_int_eq(read_state(err, sizeof(err)), 0); /* gone from its place */
}
END_TEST

START_TEST(write_into_missing_directory_fails_cleanly)
{
	char err[256] = "";
	struct rm_state_iface one = { .name = "ppp0" };

	ck_assert_int_eq(rm_state_write("/nonexistent/routprotd", &one, 1, err, sizeof(err)),
			 RM_STATE_UNCHANGED);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/routprotd"));
}
END_TEST

static struct rm_state_route old_routes[] = { { A(198, 19, 1, 0), 24, A(198, 18, 5, 2), 2, 0 } };
static struct rm_state_route new_routes[] = { { A(198, 19, 7, 0), 24, A(198, 18, 5, 2), 3, 0 },
					      { A(198, 19, 8, 0), 24, A(198, 18, 5, 2), 3, 0 } };

/* Write a state file with one route, then try to replace it with two under `f`. */
static int replace_under(enum fault f, int err_no, char *err, size_t errlen)
{
	struct rm_state_iface old = { .name = "ppp0", .updated_ms = 1795288000000LL,
				      .routes = old_routes, .nroutes = 1 };
	struct rm_state_iface new = { .name = "ppp0", .updated_ms = 1795288009000LL,
				      .routes = new_routes, .nroutes = 2 };
	int rc;

	ck_assert_int_eq(rm_state_write(dir, &old, 1, err, errlen), RM_STATE_WRITTEN);
	fault = f;
	fault_errno = err_no;
	rc = rm_state_write(dir, &new, 1, err, errlen);
	fault = FAULT_NONE;
	return rc;
}

static size_t routes_in_file(void)
{
	struct rm_state_iface *ifs;
	size_t n, routes;
	char err[256];

	ck_assert_int_eq(rm_state_read(dir, &ifs, &n, err, sizeof(err)), 1);
	ck_assert_uint_eq(n, 1);
	routes = ifs[0].nroutes;
	rm_state_free(ifs, n);
	return routes;
}

static const struct {
	enum fault fault;
	int err_no;
	const char *names; /* what the reason must mention */
} failed_steps[] = {
	{ FAULT_WRITE, ENOSPC, RM_STATE_TEMP },
	{ FAULT_FSYNC_FILE, EIO, RM_STATE_TEMP },
	{ FAULT_CLOSE, EIO, RM_STATE_TEMP },
	{ FAULT_RENAME, EXDEV, RM_STATE_FILE },
};

START_TEST(failed_write_keeps_the_previous_file)
{
	char err[256] = "";

	ck_assert_int_eq(replace_under(failed_steps[_i].fault, failed_steps[_i].err_no, err,
				       sizeof(err)),
			 RM_STATE_UNCHANGED);
	ck_assert_msg(strstr(err, strerror(failed_steps[_i].err_no)) != NULL, "reason: %s", err);
	ck_assert_msg(strstr(err, failed_steps[_i].names) != NULL, "reason: %s", err);
	ck_assert_uint_eq(routes_in_file(), 1); /* the previous contents, whole */
	ck_assert_uint_eq(count_files(), 1);    /* no temporary left */
}
END_TEST

START_TEST(unsynced_directory_reported_as_replaced)
{
	char err[256] = "";

	ck_assert_int_eq(replace_under(FAULT_FSYNC_DIR, EIO, err, sizeof(err)), RM_STATE_REPLACED);
	ck_assert_msg(strstr(err, strerror(EIO)) != NULL && strstr(err, dir) == err, "reason: %s",
		      err);
	ck_assert_uint_eq(routes_in_file(), 2);
	ck_assert_uint_eq(count_files(), 1);
}
END_TEST

START_TEST(leftover_temporary_removed)
{
	char tmp[600], err[256] = "";
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/%s", dir, RM_STATE_TEMP);
	fd = open(tmp, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(__real_write(fd, "{\"form", 6), 6);
	close(fd);
	ck_assert_int_eq(rm_state_remove_temp(dir, err, sizeof(err)), 1);
	ck_assert_int_ne(access(tmp, F_OK), 0);
	ck_assert_int_eq(rm_state_remove_temp(dir, err, sizeof(err)), 0);
	ck_assert_int_eq(rm_state_remove_temp("/nonexistent/routprotd", err, sizeof(err)), 0);
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, absent_file_is_not_an_error);
	tcase_add_loop_test(tc, unusable_files_rejected_with_reason, 0,
			    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(tc, directory_in_place_of_the_file);
	tcase_add_test(tc, set_aside_keeps_the_bad_file);
	tcase_add_test(tc, write_into_missing_directory_fails_cleanly);
	tcase_add_loop_test(tc, failed_write_keeps_the_previous_file, 0,
			    (int)(sizeof(failed_steps) / sizeof(failed_steps[0])));
	tcase_add_test(tc, unsynced_directory_reported_as_replaced);
	tcase_add_test(tc, leftover_temporary_removed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(state_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
