/* SPDX-License-Identifier: ISC */
/*
 * fuzz_util.h — helpers shared by the fuzz targets: failing loudly (the fuzzer reports an
 * abort as a crash), a private temporary directory for targets that read files, and a log
 * sink that keeps the fuzzer's output readable.
 */
#ifndef ROUTPROTD_TESTS_FUZZ_UTIL_H
#define ROUTPROTD_TESTS_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routprotd/log.h"

void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
bool fuzz_contains(const uint8_t *data, size_t size, const char *text);
void fuzz_quiet_log(enum rp_log_level level, const char *line, void *arg);

/* This process's temporary directory (created on first use, removed at exit). */
const char *fuzz_dir(void);
/* Write data to NAME in fuzz_dir(); the file's path. */
const char *fuzz_write_file(const char *name, const uint8_t *data, size_t size);

#endif
