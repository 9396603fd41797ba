/* Reading one file of a sweep (see readfile.h). */
/* O_PATH, Linux's open that reaches an inode without opening it for I/O,
 * and SEEK_DATA/SEEK_HOLE: the GNU names this file uses, only on Linux.
 * _GNU_SOURCE comes from CMakeLists.txt (lib/base/banned.h, put first,
 * includes system headers, so a #define here would come too late). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include "base/errors.h"
#include "source/readfile.h"

/* Read in pieces that the sink (the three digests) reads while they are
 * still in the L2 cache from the copy out of the page cache: in a
 * read-and-digest loop 64-128 KiB reads ran about 3 % faster than 1 MiB
 * ones on a 1 MiB L2; in a whole sweep 64 KiB to 1 MiB are within the
 * noise (docs/performance.md). The extra read() calls cost well under a
 * microsecond each. */
#define CHUNK (128u << 10)

static ssize_t read_full(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * A sparse file's holes, so that they are not read: the file's extents
 * as SEEK_DATA and SEEK_HOLE give them, [data, hole) being the data
 * extent at or after the reading position. Holes read as zeros, so the
 * zeros are handed out without a read (and counted); the digests still
 * see every byte. Off (on = 0) for a file that has all its blocks, and
 * where the system has no SEEK_DATA or the file system does not say.
 */
struct extents {
	int on;
	uint64_t size, data, hole, zeros;
};

/* Is the file worth asking for holes? Fewer blocks than its size needs
 * (by more than one read: small files may keep their data in the inode). */
static int maybe_sparse(const struct stat *st)
{
	return st->st_size > (off_t)CHUNK &&
	       (uint64_t)st->st_blocks * 512u + CHUNK < (uint64_t)st->st_size;
}

static void extents_init(struct extents *x, const struct stat *st)
{
	memset(x, 0, sizeof *x);
#ifdef SEEK_DATA
	x->on = maybe_sparse(st);
	x->size = (uint64_t)st->st_size;
#else
	(void)st;
#endif
}

/*
 * Up to n bytes at pos: from a data extent read(), from a hole zeros.
 * The descriptor's offset is kept at pos + what was returned, so that
 * the read past the end (growth check) works as for any file. Returns
 * the count (0 at the end), -1 with errno.
 */
static ssize_t read_piece(int fd, struct extents *x, uint64_t pos, uint8_t *to,
			  size_t n)
{
#ifdef SEEK_DATA
	if (x->on && pos < x->size && pos >= x->hole) {
		off_t d = lseek(fd, (off_t)pos, SEEK_DATA);
		if (d < 0 && errno == ENXIO)
			d = (off_t)x->size; /* a hole to the end */
		off_t h = d >= 0 && (uint64_t)d < x->size ? lseek(fd, d, SEEK_HOLE)
							  : (off_t)x->size;
		if (d < 0 || h < 0 || lseek(fd, (off_t)pos, SEEK_SET) < 0) {
			x->on = 0; /* the file system cannot say: read it all */
			if (lseek(fd, (off_t)pos, SEEK_SET) < 0)
				return -1;
		} else {
			x->data = (uint64_t)d;
			x->hole = (uint64_t)h > (uint64_t)d ? (uint64_t)h : (uint64_t)d;
		}
	}
	if (x->on && pos < x->data) {
		uint64_t z = x->data - pos;
		size_t k = z < n ? (size_t)z : n;
		memset(to, 0, k);
		if (lseek(fd, (off_t)(pos + k), SEEK_SET) < 0)
			return -1;
		x->zeros += k;
		return (ssize_t)k;
	}
	if (x->on && pos < x->hole && x->hole - pos < n)
		n = (size_t)(x->hole - pos);
#else
	(void)x, (void)pos;
#endif
	return read_full(fd, to, n);
}

/* Fill n bytes at pos (short only at the end of the file). */
static ssize_t read_at(int fd, struct extents *x, uint64_t pos, uint8_t *to,
		       size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read_piece(fd, x, pos + got, to + got, n - got);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* 1: buf holds need bytes; 0: out of memory; -1: the memory budget
 * cannot grant them (the buffer is as it was). */
static int reserve(vg_buf *b, size_t need, vg_membudget *memory)
{
	if (need <= b->cap)
		return 1;
	if (!vg_membudget_resize(memory, b->cap, need, 1))
		return -1;
	uint8_t *nb = realloc(b->data, need);
	if (!nb) {
		vg_membudget_resize(memory, need, b->cap, 1);
		return 0;
	}
	b->data = nb;
	b->cap = need;
	return 1;
}

void vg_buf_free(vg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->cap = 0;
}

void vg_buf_trim(vg_buf *b, vg_membudget *memory)
{
	if (memory && b->cap > vg_membudget_retained(memory)) {
		vg_membudget_resize(memory, b->cap, 0, 0);
		vg_buf_free(b);
	}
}

static void chunk(const vg_read_opts *opt, const uint8_t *p, size_t n)
{
	if (opt->chunk && n)
		opt->chunk(opt->chunk_ctx, p, n);
}

/*
 * Tell the kernel a file larger than one read is read from start to end:
 * a larger readahead window, and for a file read whole (at most max bytes,
 * all of which will be read) the readahead of all of it started now. A
 * streamed file may be far larger than memory: no WILLNEED for it. Advice
 * only: its failure changes nothing. macOS has no posix_fadvise.
 */
static void advise(int fd, uint64_t size, int whole)
{
#ifdef POSIX_FADV_SEQUENTIAL
	if (size <= CHUNK)
		return;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (whole)
		(void)posix_fadvise(fd, 0, (off_t)size, POSIX_FADV_WILLNEED);
#else
	(void)fd, (void)size, (void)whole;
#endif
}

/*
 * A file of at most max bytes, chunk by chunk: the whole of it into buf,
 * or with opt->discard each chunk over the last in a chunk-sized buffer,
 * which stays in the cache (a buffer the size of the file does not: the
 * copy out of the page cache then writes to memory, about 7 % more CPU
 * time for a read-and-digest loop). Returns 0 or an errno value.
 */
static int read_sized(int fd, const vg_read_opts *opt, vg_buf *buf,
		      vg_read *out)
{
	size_t size = (size_t)out->st.st_size, len = 0;
	if (reserve(buf, (opt->discard && size > CHUNK ? CHUNK : size) + 1,
		    opt->memory) != 1)
		return ENOMEM; /* the caller reserved what the budget allows */
	struct extents x;
	extents_init(&x, &out->st);
	advise(fd, size, !x.on);
	while (len < size) {
		vg_cpulimit_wait(opt->cpulimit);
		size_t want = size - len < CHUNK ? size - len : CHUNK;
		uint8_t *to = opt->discard ? buf->data : buf->data + len;
		ssize_t got = read_at(fd, &x, len, to, want);
		out->holes = x.zeros;
		if (got < 0)
			return errno;
		chunk(opt, to, (size_t)got);
		len += (size_t)got;
		out->len = len;
		if ((size_t)got < want)
			break;
	}
	out->whole = !opt->discard;
	struct stat now;
	if (x.on && fstat(fd, &now) == 0 && now.st_size != out->st.st_size) {
		/* past the end SEEK_DATA says "hole", not "shrank" */
		out->error = VIGIL_ERR_CHANGED;
		out->error_detail = "file changed size while read; examined as read";
	} else if (len < size) {
		out->error = VIGIL_ERR_CHANGED;
		out->error_detail = "file shrank while read; examined what was read";
	} else {
		uint8_t extra;
		if (read(fd, &extra, 1) > 0) {
			out->error = VIGIL_ERR_CHANGED;
			out->error_detail = "file grew while read; examined its first bytes";
		}
	}
	return 0;
}

/* Too large to keep: stream it through the sink. 0 or an errno value. */
static int read_stream(int fd, const vg_read_opts *opt, vg_buf *buf,
		       vg_read *out)
{
	if (reserve(buf, CHUNK, opt->memory) != 1)
		return ENOMEM; /* CHUNK is never charged */
	advise(fd, (uint64_t)out->st.st_size, 0);
	out->skip = VIGIL_SKIP_TOO_LARGE;
	struct extents x;
	extents_init(&x, &out->st);
	for (;;) {
		vg_cpulimit_wait(opt->cpulimit);
		ssize_t got = read_at(fd, &x, out->len, buf->data, CHUNK);
		out->holes = x.zeros;
		if (got < 0)
			return errno;
		if (got == 0)
			return 0;
		chunk(opt, buf->data, (size_t)got);
		out->len += (uint64_t)got;
	}
}

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif
#define READ_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)

#ifdef O_PATH
/*
 * Is /proc/self/fd/N the kernel's link to our descriptor N? Only procfs
 * makes it one; where /proc is not mounted (a container, an initramfs) the
 * name is nothing or, worse, a file someone put there. Asked once.
 */
static int proc_fd_usable(void)
{
	static atomic_int known; /* 0 unknown, 1 yes, 2 no */
	int k = atomic_load_explicit(&known, memory_order_relaxed);
	if (!k) {
		struct statfs sf;
		k = statfs("/proc/self/fd", &sf) == 0 &&
				    (unsigned long)sf.f_type == 0x9fa0 /* procfs */
			    ? 1
			    : 2;
		atomic_store_explicit(&known, k, memory_order_relaxed);
	}
	return k == 1;
}

/*
 * The inode behind the O_PATH descriptor pfd, opened for reading: through
 * procfs's link to pfd, which names that inode and no directory entry, so
 * no swap of the entry can reach anything else. -2 when /proc cannot do
 * it (then the caller opens the name again), -1 with errno on failure.
 */
static int reopen_proc(int pfd)
{
	if (!proc_fd_usable())
		return -2;
	char link[40];
	snprintf(link, sizeof link, "/proc/self/fd/%d", pfd);
	int fd = open(link, READ_FLAGS);
	if (fd < 0 && errno == ENOENT)
		return -2; /* procfs unmounted since it was checked */
	return fd;
}
#endif

/*
 * (readfile.h) Open dir/name (path when dir is NULL) for reading when, and
 * only when, it is a regular file, its stat in *st. Never opens a device, a FIFO or a
 * socket for I/O: on Linux the name is opened with O_PATH (no driver's
 * open runs, a FIFO cannot block), the type checked on that descriptor,
 * and only a regular file reopened through procfs. Without procfs, and
 * where there is no O_PATH (macOS), the name is opened non-blocking, with
 * O_NOCTTY, after fstatat says a regular file, and fstat on the descriptor
 * decides before any read; a swap between those two leaves a window in
 * which a device's open can run (docs/design.md). Returns the descriptor,
 * or -1 with *skip (not a regular file) or *err (errno) set.
 */
int vg_open_regular(vg_dir *dir, const char *name, const char *path,
		    int follow, struct stat *st, vigil_skip *skip, int *err)
{
	int at = dir ? vg_dir_fd(dir) : AT_FDCWD;
	const char *n = dir ? name : path;
	int nofollow = follow ? 0 : O_NOFOLLOW;
	*skip = VIGIL_SKIP_NONE;
	*err = 0;
	struct stat pst;
#ifdef O_PATH
	int pfd = openat(at, n, O_PATH | O_CLOEXEC | nofollow);
	if (pfd < 0) {
		*err = errno;
		return -1;
	}
	if (fstat(pfd, &pst) != 0) {
		*err = errno;
		close(pfd);
		return -1;
	}
	if (!S_ISREG(pst.st_mode)) {
		close(pfd);
		if (S_ISLNK(pst.st_mode)) /* O_PATH|O_NOFOLLOW opens a link */
			*err = ELOOP;
		else
			*skip = VIGIL_SKIP_SPECIAL;
		return -1;
	}
	int fd = reopen_proc(pfd);
	int e = errno;
	close(pfd);
	if (fd >= 0) {
		*st = pst;
		return fd;
	}
	if (fd == -1) {
		*err = e;
		return -1;
	}
#else
	if (fstatat(at, n, &pst, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
		*err = errno;
		return -1;
	}
	if (S_ISLNK(pst.st_mode)) {
		*err = ELOOP;
		return -1;
	}
	if (!S_ISREG(pst.st_mode)) {
		*skip = VIGIL_SKIP_SPECIAL;
		return -1;
	}
#endif
	int rfd = openat(at, n, READ_FLAGS | nofollow);
	if (rfd < 0) {
		*err = errno;
		return -1;
	}
	if (fstat(rfd, st) != 0 || !S_ISREG(st->st_mode) ||
	    st->st_dev != pst.st_dev || st->st_ino != pst.st_ino) {
		/* replaced by something else since it was looked at */
		close(rfd);
		*skip = VIGIL_SKIP_SPECIAL;
		return -1;
	}
	return rfd;
}

int vg_read_entry(vg_dir *dir, const char *name, const char *path,
		  const vg_read_opts *opt, vg_buf *buf, vg_read *out)
{
	memset(out, 0, sizeof *out);
	/* a root named by the user (no dir) may be followed, like find -H */
	int follow = opt->follow_symlinks || (!dir && opt->follow_root);
	int e;
	int fd = vg_open_regular(dir, name, path, follow, &out->st, &out->skip, &e);
	if (fd < 0) {
		if (e) {
			out->error = vg_error_from_errno(e, follow);
			out->error_detail = strerror(e);
		}
		return 0;
	}
	out->opened = 1;
	uint64_t size = (uint64_t)out->st.st_size;
	if (opt->max_hash && size > opt->max_hash) {
		/* not read at all: hashing a 15 TiB sparse file would keep a
		 * worker busy for a day */
		close(fd);
		out->skip = VIGIL_SKIP_HASH_LIMIT;
		uint64_t alloc = (uint64_t)out->st.st_blocks * 512u;
		if (alloc < size)
			snprintf(out->detail, sizeof out->detail,
				 "%llu bytes, over the hash limit of %llu; sparse: "
				 "%llu bytes allocated",
				 (unsigned long long)size,
				 (unsigned long long)opt->max_hash,
				 (unsigned long long)alloc);
		else
			snprintf(out->detail, sizeof out->detail,
				 "%llu bytes, over the hash limit of %llu",
				 (unsigned long long)size,
				 (unsigned long long)opt->max_hash);
		out->error_detail = out->detail;
		return 0;
	}
	int whole = size <= opt->max;
	if (whole && !opt->discard) {
		/* held whole: the bytes come from the memory budget, waited
		 * for; a file the budget can never hold is streamed */
		int got = reserve(buf, (size_t)size + 1, opt->memory);
		if (got == 0) {
			close(fd);
			out->error = VIGIL_ERR_IO;
			out->error_detail = "out of memory";
			return 0;
		}
		if (got < 0) {
			whole = 0;
			snprintf(out->detail, sizeof out->detail,
				 "%llu bytes, over what the memory budget can hold "
				 "(--memory-limit): hashed, not given to the rules",
				 (unsigned long long)size);
		}
	}
	e = whole ? read_sized(fd, opt, buf, out) : read_stream(fd, opt, buf, out);
	if (!whole && out->detail[0])
		out->skip_detail = out->detail;
	close(fd);
	if (e) {
		out->whole = 0;
		out->error = vg_error_from_errno(e, 0);
		out->error_detail = e == ENOMEM ? "out of memory" : strerror(e);
		return 0;
	}
	return 1;
}
