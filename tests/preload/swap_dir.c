/*
 * LD_PRELOAD shim for tests/e2e/scan_dir_swap.sh: the first time the
 * process opens the directory VIGIL_SWAP_DIR (an absolute path without
 * symlinks; opened by that path, or by its last name relative to a
 * descriptor of its parent), the shim first renames it to VIGIL_SWAP_AWAY
 * and puts a symlink to VIGIL_SWAP_TO in its place, then does the open.
 * That is a directory swapped between the walk listing it and opening it,
 * at the worst moment and every time, unlike a racing process. Linux only
 * (/proc/self/fd, RTLD_NEXT).
 */
#define _GNU_SOURCE
/* the shim defines open() itself: no fortified inline wrappers of it */
#undef _FORTIFY_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target.h"

static atomic_int swapped;

static void maybe_swap(int dirfd, const char *name)
{
	const char *dir = getenv("VIGIL_SWAP_DIR"), *to = getenv("VIGIL_SWAP_TO"),
		   *away = getenv("VIGIL_SWAP_AWAY");
	if (!dir || !to || !away || atomic_load(&swapped) || !name ||
	    !is_target(dirfd, name, dir))
		return;
	if (atomic_exchange(&swapped, 1))
		return;
	if (rename(dir, away) != 0 || symlink(to, dir) != 0)
		perror("swap_dir shim");
}

static void *next(const char *sym)
{
	return dlsym(RTLD_NEXT, sym);
}

/* The mode argument is there only with O_CREAT or O_TMPFILE. */
#define MODE_ARG(flags, mode)                                   \
	do {                                                    \
		if ((flags) & (O_CREAT | O_TMPFILE)) {          \
			va_list ap;                             \
			va_start(ap, flags);                    \
			mode = (mode_t)va_arg(ap, unsigned);    \
			va_end(ap);                             \
		}                                               \
	} while (0)

#define OPEN_SHIM(fn)                                                     \
	int fn(const char *path, int flags, ...)                          \
	{                                                                 \
		mode_t mode = 0;                                          \
		MODE_ARG(flags, mode);                                    \
		int (*real)(const char *, int, ...) = next(#fn);          \
		maybe_swap(AT_FDCWD, path);                               \
		return real(path, flags, mode);                           \
	}
#define OPENAT_SHIM(fn)                                                   \
	int fn(int dirfd, const char *path, int flags, ...)               \
	{                                                                 \
		mode_t mode = 0;                                          \
		MODE_ARG(flags, mode);                                    \
		int (*real)(int, const char *, int, ...) = next(#fn);     \
		maybe_swap(dirfd, path);                                  \
		return real(dirfd, path, flags, mode);                    \
	}
/* What _FORTIFY_SOURCE calls when the flags are not a constant (declared
 * by glibc only in fortified builds). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
#define OPEN2_SHIM(fn)                                                    \
	int fn(const char *path, int flags)                               \
	{                                                                 \
		int (*real)(const char *, int) = next(#fn);               \
		maybe_swap(AT_FDCWD, path);                               \
		return real(path, flags);                                 \
	}
#define OPENAT2_SHIM(fn)                                                  \
	int fn(int dirfd, const char *path, int flags)                    \
	{                                                                 \
		int (*real)(int, const char *, int) = next(#fn);          \
		maybe_swap(dirfd, path);                                  \
		return real(dirfd, path, flags);                          \
	}

OPEN_SHIM(open)
OPEN_SHIM(open64)
OPENAT_SHIM(openat)
OPENAT_SHIM(openat64)
OPEN2_SHIM(__open_2)
OPEN2_SHIM(__open64_2)
OPENAT2_SHIM(__openat_2)
OPENAT2_SHIM(__openat64_2)

/* glibc's opendir opens the directory without going through open(). */
DIR *opendir(const char *path)
{
	DIR *(*real)(const char *) = next("opendir");
	maybe_swap(AT_FDCWD, path);
	return real(path);
}
