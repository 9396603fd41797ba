/*
 * Reading one file of a sweep: open it without following a symlink put in
 * its place (relative to its directory's descriptor when the walk gave
 * one), check it is still a regular file, and read it once — whole into a
 * reusable buffer when it is at most max bytes, else streamed — handing
 * every chunk to a sink (the digests) while it is still in the CPU cache.
 * A file that grows or shrinks while read is reported as changed and
 * examined as read. read() rather than mmap(), so that a file truncated
 * under the reader cannot raise SIGBUS. A file over the hash limit is not
 * read; the holes of a sparse file are not read (zeros stand for them).
 */
#ifndef VIGIL_SOURCE_READFILE_H
#define VIGIL_SOURCE_READFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <vigil/common.h>

#include "base/cpulimit.h"
#include "base/membudget.h"
#include "source/walk.h"

/* A buffer reused from file to file by one thread. */
typedef struct vg_buf {
	uint8_t *data;
	size_t cap;
} vg_buf;

typedef void (*vg_chunk_fn)(void *ctx, const uint8_t *p, size_t n);

typedef struct vg_read_opts {
	int follow_symlinks; /* without it, O_NOFOLLOW */
	int follow_root;     /* a path given without dir is followed (a root the
			      * user named, like find -H); else as follow_symlinks */
	uint64_t max;        /* largest file read whole */
	uint64_t max_hash;   /* larger files are not read at all; 0: no limit */
	vg_cpulimit *cpulimit; /* waited on between chunks; may be NULL */
	vg_chunk_fn chunk;   /* every chunk read, in order; may be NULL */
	void *chunk_ctx;
	/* nothing but the sink needs the bytes (no rules, no checks): files
	 * of at most max bytes are read as fully and checked for changes as
	 * ever, but not kept (whole stays 0) */
	int discard;
	/* the sweep's shared memory budget (may be NULL): the buffer grows
	 * only by bytes taken from it, waiting for them; a file it cannot
	 * ever grant is streamed (skip TOO_LARGE, detail says why) */
	vg_membudget *memory;
} vg_read_opts;

typedef struct vg_read {
	struct stat st;      /* of the open file (valid when opened) */
	int opened;          /* a regular file was opened */
	int whole;           /* buf holds the file's len bytes (never with discard) */
	uint64_t len;        /* bytes read */
	uint64_t holes;      /* of len, bytes of a sparse file's holes: zeros
			      * handed out without reading them */
	vigil_skip skip;     /* SPECIAL: not a regular file; TOO_LARGE: streamed;
			      * HASH_LIMIT: over max_hash, not read */
	vigil_error error;   /* NONE, or why it could not be (fully) read */
	const char *error_detail; /* static text, detail, or NULL */
	const char *skip_detail;  /* why a file of at most max was streamed */
	char detail[128];    /* the text of a HASH_LIMIT skip */
} vg_read;

/*
 * Read dir/name (path when dir is NULL). Returns 1 when bytes were read
 * and can be examined (whole, or streamed through chunk; out->error may
 * still say CHANGED), 0 when nothing can be examined (out says why).
 */
int vg_read_entry(vg_dir *dir, const char *name, const char *path,
		  const vg_read_opts *opt, vg_buf *buf, vg_read *out);

void vg_buf_free(vg_buf *b);
/* After a file: a buffer larger than the budget lets a worker keep is
 * freed and its bytes given back (with memory NULL: kept, as ever). */
void vg_buf_trim(vg_buf *b, vg_membudget *memory);

/*
 * Open dir/name (path when dir is NULL; with follow, a symlink there is
 * followed) for reading if it is a regular file, never opening anything
 * else for I/O: on Linux through O_PATH, fstat and procfs's link to the
 * descriptor, so that a FIFO, device or socket swapped in after a listing
 * is neither opened nor waited on (docs/design.md). Returns the descriptor
 * (O_NONBLOCK, O_CLOEXEC) with *st from it; or -1 with *skip SPECIAL (not
 * a regular file) or *err an errno value (ELOOP: a symlink, not followed).
 */
int vg_open_regular(vg_dir *dir, const char *name, const char *path,
		    int follow, struct stat *st, vigil_skip *skip, int *err);

#endif
