/*
 * For the LD_PRELOAD shims: is (dirfd, name), as given to open/openat,
 * the absolute path target (without symlinks)? By the path itself, or by
 * the last name relative to a descriptor of target's parent, found
 * through /proc/self/fd. Linux only.
 */
#ifndef VIGIL_PRELOAD_TARGET_H
#define VIGIL_PRELOAD_TARGET_H

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int is_target(int dirfd, const char *name, const char *target)
{
	if (name[0] == '/')
		return strcmp(name, target) == 0;
	if (dirfd == AT_FDCWD)
		return 0; /* vigil is given absolute roots */
	char link[64], dir[PATH_MAX];
	snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
	ssize_t n = readlink(link, dir, sizeof dir - 1);
	if (n <= 0)
		return 0;
	size_t dl = (size_t)n, tl = strlen(target), nl = strlen(name);
	return dl + 1 + nl == tl && memcmp(target, dir, dl) == 0 &&
	       target[dl] == '/' && strcmp(target + dl + 1, name) == 0;
}

#endif
