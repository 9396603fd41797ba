/* Reading one file of a sweep (see readfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int reserve(vg_buf *b, size_t need)
{
	if (need <= b->cap)
		return 1;
	uint8_t *nb = realloc(b->data, need);
	if (!nb)
		return 0;
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
	if (!reserve(buf, (opt->discard && size > CHUNK ? CHUNK : size) + 1))
		return ENOMEM;
	advise(fd, size, 1);
	while (len < size) {
		vg_cpulimit_wait(opt->cpulimit);
		size_t want = size - len < CHUNK ? size - len : CHUNK;
		uint8_t *to = opt->discard ? buf->data : buf->data + len;
		ssize_t got = read_full(fd, to, want);
		if (got < 0)
			return errno;
		chunk(opt, to, (size_t)got);
		len += (size_t)got;
		out->len = len;
		if ((size_t)got < want)
			break;
	}
	out->whole = !opt->discard;
	if (len < size) {
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
	if (!reserve(buf, CHUNK))
		return ENOMEM;
	advise(fd, (uint64_t)out->st.st_size, 0);
	out->skip = VIGIL_SKIP_TOO_LARGE;
	for (;;) {
		vg_cpulimit_wait(opt->cpulimit);
		ssize_t got = read_full(fd, buf->data, CHUNK);
		if (got < 0)
			return errno;
		if (got == 0)
			return 0;
		chunk(opt, buf->data, (size_t)got);
		out->len += (uint64_t)got;
	}
}

int vg_read_entry(vg_dir *dir, const char *name, const char *path,
		  const vg_read_opts *opt, vg_buf *buf, vg_read *out)
{
	memset(out, 0, sizeof *out);
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
#ifdef O_CLOEXEC
	flags |= O_CLOEXEC;
#endif
	if (!opt->follow_symlinks)
		flags |= O_NOFOLLOW;
	int fd = dir ? openat(vg_dir_fd(dir), name, flags) : open(path, flags);
	if (fd < 0) {
		int e = errno;
		out->error = vg_error_from_errno(e, opt->follow_symlinks);
		out->error_detail = strerror(e);
		return 0;
	}
	if (fstat(fd, &out->st) != 0 || !S_ISREG(out->st.st_mode)) {
		/* replaced by something else since it was listed */
		close(fd);
		out->skip = VIGIL_SKIP_SPECIAL;
		return 0;
	}
	out->opened = 1;
	int e = (uint64_t)out->st.st_size <= opt->max
			? read_sized(fd, opt, buf, out)
			: read_stream(fd, opt, buf, out);
	close(fd);
	if (e) {
		out->whole = 0;
		out->error = vg_error_from_errno(e, 0);
		out->error_detail = e == ENOMEM ? "out of memory" : strerror(e);
		return 0;
	}
	return 1;
}
