/*
 * LD_PRELOAD shim for tests/e2e/scan_file_swap.sh: the first time the
 * process opens the file VIGIL_SWAP_FILE (an absolute path without
 * symlinks; by that path or by its last name relative to a descriptor of
 * its parent), the shim renames it to VIGIL_SWAP_AWAY and puts in its
 * place, per VIGIL_SWAP_KIND:
 *   fifo      a FIFO;
 *   device    a character device with the numbers of /dev/null (mknod,
 *             needs CAP_MKNOD);
 *   link      a symbolic link to VIGIL_SWAP_TO (e.g. /dev/null), for a
 *             file that was a symlink to a regular file when listed;
 * then does the open. That is a file swapped between the walk listing it
 * and the reader opening it, at the worst moment, every time. Every open
 * for I/O (not O_PATH) that reaches the swapped-in node appends a line to
 * VIGIL_SWAP_LOG: the proof that a device's or FIFO's open ran.
 * VIGIL_SWAP_NOPROC=1 makes opens of /proc/self/fd/N fail with ENOENT, as
 * where /proc is not mounted. Linux only (/proc/self/fd, RTLD_NEXT).
 */
#define _GNU_SOURCE
/* the shim defines open() itself: no fortified inline wrappers of it */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "target.h"

static atomic_int swapped;
static dev_t node_dev;
static ino_t node_ino;
static atomic_int node_known;

static void maybe_swap(int dirfd, const char *name)
{
	const char *file = getenv("VIGIL_SWAP_FILE"), *kind = getenv("VIGIL_SWAP_KIND"),
		   *away = getenv("VIGIL_SWAP_AWAY");
	if (!file || !kind || !away || atomic_load(&swapped) || !name ||
	    !is_target(dirfd, name, file))
		return;
	if (atomic_exchange(&swapped, 1))
		return;
	if (rename(file, away) != 0) {
		perror("swap_file shim: rename");
		return;
	}
	int rc = -1;
	if (strcmp(kind, "fifo") == 0)
		rc = mkfifo(file, 0600);
	else if (strcmp(kind, "device") == 0)
		rc = mknod(file, S_IFCHR | 0600, makedev(1, 3));
	else if (strcmp(kind, "link") == 0 && getenv("VIGIL_SWAP_TO"))
		rc = symlink(getenv("VIGIL_SWAP_TO"), file);
	struct stat st;
	if (rc != 0 || stat(file, &st) != 0) {
		perror("swap_file shim");
		return;
	}
	node_dev = st.st_dev;
	node_ino = st.st_ino;
	atomic_store(&node_known, 1);
}

/* An open for I/O that reached the swapped-in node: say so. */
static void note(int fd, int flags)
{
	const char *log = getenv("VIGIL_SWAP_LOG");
	struct stat st;
	if (fd < 0 || (flags & O_PATH) || !log || !atomic_load(&node_known) ||
	    fstat(fd, &st) != 0 || st.st_dev != node_dev || st.st_ino != node_ino)
		return;
	FILE *f = fopen(log, "a");
	if (f) {
		fprintf(f, "opened for I/O (flags %#x, mode %o)\n", (unsigned)flags,
			(unsigned)(st.st_mode & S_IFMT));
		fclose(f);
	}
}

static int no_proc(const char *path)
{
	const char *v = getenv("VIGIL_SWAP_NOPROC");
	return v && *v == '1' && strncmp(path, "/proc/self/fd/", 14) == 0;
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
		if (no_proc(path)) {                                      \
			errno = ENOENT;                                   \
			return -1;                                        \
		}                                                         \
		maybe_swap(AT_FDCWD, path);                               \
		int fd = real(path, flags, mode);                         \
		note(fd, flags);                                          \
		return fd;                                                \
	}
#define OPENAT_SHIM(fn)                                                   \
	int fn(int dirfd, const char *path, int flags, ...)               \
	{                                                                 \
		mode_t mode = 0;                                          \
		MODE_ARG(flags, mode);                                    \
		int (*real)(int, const char *, int, ...) = next(#fn);     \
		if (no_proc(path)) {                                      \
			errno = ENOENT;                                   \
			return -1;                                        \
		}                                                         \
		maybe_swap(dirfd, path);                                  \
		int fd = real(dirfd, path, flags, mode);                  \
		note(fd, flags);                                          \
		return fd;                                                \
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
		if (no_proc(path)) {                                      \
			errno = ENOENT;                                   \
			return -1;                                        \
		}                                                         \
		maybe_swap(AT_FDCWD, path);                               \
		int fd = real(path, flags);                               \
		note(fd, flags);                                          \
		return fd;                                                \
	}
#define OPENAT2_SHIM(fn)                                                  \
	int fn(int dirfd, const char *path, int flags)                    \
	{                                                                 \
		int (*real)(int, const char *, int) = next(#fn);          \
		if (no_proc(path)) {                                      \
			errno = ENOENT;                                   \
			return -1;                                        \
		}                                                         \
		maybe_swap(dirfd, path);                                  \
		int fd = real(dirfd, path, flags);                        \
		note(fd, flags);                                          \
		return fd;                                                \
	}

OPEN_SHIM(open)
OPEN_SHIM(open64)
OPENAT_SHIM(openat)
OPENAT_SHIM(openat64)
OPEN2_SHIM(__open_2)
OPEN2_SHIM(__open64_2)
OPENAT2_SHIM(__openat_2)
OPENAT2_SHIM(__openat64_2)
