/*
 * LD_PRELOAD shim for tests/e2e/scan_changing.sh: fstat() of a file whose
 * name ends in ".grows" reports one byte less than the file holds, and of
 * one ending in ".shrinks" 100 bytes more — what vigil sees when a writer
 * changes a file between its fstat() and its reads. Deterministic, unlike
 * a racing writer. Linux only (/proc/self/fd, RTLD_NEXT).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

int fstat(int fd, struct stat *st)
{
	static int (*real)(int, struct stat *);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "fstat");
	if (!real)
		return -1;
	int rc = real(fd, st);
	if (rc != 0 || !S_ISREG(st->st_mode))
		return rc;
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return rc;
	if (ends_with(path, (size_t)n, ".grows") && st->st_size > 0)
		st->st_size -= 1;
	else if (ends_with(path, (size_t)n, ".shrinks"))
		st->st_size += 100;
	return rc;
}
