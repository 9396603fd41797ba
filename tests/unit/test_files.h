/*
 * Scratch files for the unit tests (include after <cmocka.h>):
 * test_scratch_path() names "<VIGIL_TEST_TMP or /tmp>/<name>-<pid>", making
 * the parent if missing; test_write_file() writes bytes and fails the test
 * if it cannot.
 */
#ifndef VIGIL_TEST_FILES_H
#define VIGIL_TEST_FILES_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static inline void test_scratch_path(const char *name, char *out, size_t n)
{
	const char *tmp = getenv("VIGIL_TEST_TMP");
	if (!tmp)
		tmp = "/tmp";
	mkdir(tmp, 0755); /* e2e tests run as nobody pass through it */
	snprintf(out, n, "%s/%s-%ld", tmp, name, (long)getpid());
}

static inline void test_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

#endif
