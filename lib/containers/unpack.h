/*
 * The unpacking engine: walks the members of a container, nests into
 * members that are containers themselves (vg_container_detect) and hands
 * every member's bytes to the caller, under limits that make bombs cost a
 * bounded time and memory. It knows nothing of IOCs or YARA: the scan, the
 * archive view of `vigil inspect` and a release diff all walk members
 * through it.
 *
 * Levels: the top-level file is level 0, its members level 1, their
 * members level 2... A member at level max_depth is still read and handed
 * over; when it is a container itself it is not opened, and its record
 * says so (limit "depth").
 *
 * Bytes of a member are read into the buffer of its level (one per level,
 * owned by the engine and reused from member to member and from file to
 * file: no allocation per member once the buffers have grown). A member of
 * at most max_whole bytes is handed over whole; a larger one streams
 * through the caller's stream_chunk (the digests, say) and is handed over
 * without bytes. A streamed member that is a container is copied while it
 * streams to an unlinked private temporary file (O_TMPFILE on Linux, else
 * mkstemp and unlink, in $TMPDIR or /tmp) and opened from there; nothing
 * else is ever written, and member names are never used as host paths.
 *
 * Nothing is silent: every member that is not a regular file, every member
 * whose bytes could not be read in full, every limit hit and every
 * container that could not be read to its end is a record with a status
 * and a detail text.
 */
#ifndef VIGIL_CONTAINERS_UNPACK_H
#define VIGIL_CONTAINERS_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "base/membudget.h"
#include "containers/container.h"

typedef struct vg_unpack_limits {
	/* deepest level read (default 10; at most VG_UNPACK_DEPTH_CAP) */
	unsigned max_depth;
	/* member bytes read at all levels for one top-level file (default
	 * 8 GiB: a DVD image or the largest Debian packages expand to a
	 * few GiB; at a few hundred MB/s of decompression this bounds one
	 * file to under a minute) */
	uint64_t max_expanded;
	/* member bytes read at all levels, per byte of the top-level file
	 * (default 200: real archives stay below about 20, zip and xz
	 * bombs reach thousands to millions); never below ratio_floor
	 * (default 1 GiB), so that a small archive of text never trips it */
	uint64_t max_ratio;
	uint64_t ratio_floor;
	/* members read per container (default 100,000); the rest is one
	 * record with limit "members" */
	uint64_t max_members;
	/* largest member read (default 4 GiB); a larger one is not read */
	uint64_t max_member_size;
	/* largest member held whole in memory (default 128 MiB, the scan's
	 * max_size); larger members stream */
	uint64_t max_whole;
	/* the sweep's shared memory budget (may be NULL): a level's buffer
	 * grows only by bytes taken from it, without waiting (the top-level
	 * file is already held); refused, the member streams. Level buffers
	 * holding charged bytes are let go after each top-level file */
	vg_membudget *memory;
} vg_unpack_limits;

#define VG_UNPACK_DEPTH_CAP 64

void vg_unpack_limits_init(vg_unpack_limits *l);

typedef enum vg_unpack_status {
	VG_UNPACK_OK = 0,
	VG_UNPACK_ENCRYPTED,  /* member encrypted: not read */
	VG_UNPACK_UNREADABLE, /* a codec or part the reader cannot decode */
	VG_UNPACK_SYMLINK,    /* reported, never followed */
	VG_UNPACK_HARDLINK,   /* reported, never followed */
	VG_UNPACK_DEVICE,     /* device, FIFO, socket or other non-file */
	VG_UNPACK_LIMIT,      /* a limit was hit (limit says which) */
	VG_UNPACK_DAMAGED,    /* the member's header or bytes are damaged */
	VG_UNPACK_BROKEN,     /* the container cannot be read (any further) */
} vg_unpack_status;

typedef enum vg_unpack_limit {
	VG_LIMIT_NONE = 0,
	VG_LIMIT_DEPTH,       /* a container at max_depth: not opened */
	VG_LIMIT_EXPANDED,    /* max_expanded: the rest of the file not read */
	VG_LIMIT_RATIO,       /* max_ratio: the rest of the file not read */
	VG_LIMIT_MEMBERS,     /* max_members: the rest of the container */
	VG_LIMIT_MEMBER_SIZE, /* max_member_size: member not (fully) read */
	VG_LIMIT_SPILL,       /* a streamed container could not be spilled */
	VG_LIMIT_COUNT
} vg_unpack_limit;

const char *vg_unpack_limit_name(vg_unpack_limit l);

/* One record: a member, or (member NULL) a container that could not be
 * read or whose remaining members a limit left unread. */
typedef struct vg_unpack_item {
	/* chain[0] is the top-level path, then each member name as stored
	 * (a nameless member: see container.h) */
	const char *const *chain;
	size_t chain_len;
	/* the one notation: "outer!/member", nested "a.zip!/b.tar!/x.dll";
	 * for a container record, the container's own path */
	const char *path;
	const vg_member *member; /* NULL for a container record */
	const char *format;      /* the format of the container holding it */
	unsigned depth;          /* chain_len - 1 */
	/* whole: data holds the member's len bytes; else (complete) they
	 * went through stream_chunk, streamed bytes in all */
	const uint8_t *data;
	size_t len;
	uint64_t streamed;
	int complete;            /* every byte of the member was read */
	int container;           /* the engine opens it after this record */
	vg_unpack_status status;
	vg_unpack_limit limit;
	const char *detail;      /* why, for every status but OK */
} vg_unpack_item;

typedef struct vg_unpack_cb {
	/* a member larger than max_whole starts streaming; may be NULL */
	void (*stream_begin)(void *ctx);
	/* its bytes, in order; may be NULL */
	void (*stream_chunk)(void *ctx, const uint8_t *p, size_t n);
	/* every record; required */
	void (*item)(void *ctx, const vg_unpack_item *it);
	void *ctx;
} vg_unpack_cb;

typedef struct vg_unpack_stats {
	uint64_t containers;     /* containers opened */
	uint64_t members;        /* members listed */
	uint64_t bytes_expanded; /* member bytes read, all levels */
	uint64_t limit_hits;     /* records with status LIMIT */
	uint64_t damaged;        /* records DAMAGED or BROKEN */
} vg_unpack_stats;

/* One engine per thread; reused from file to file. */
typedef struct vg_unpack vg_unpack;

vg_unpack *vg_unpack_new(const vg_unpack_limits *lim);
void vg_unpack_free(vg_unpack *u); /* NULL is fine */

/* The function that tells a container's reader (default
 * vg_container_detect): tests and callers that want fewer formats set
 * their own. */
typedef const vg_container_ops *(*vg_detect_fn)(const vg_blob *src,
						const uint8_t *head, size_t n,
						const char *name);
void vg_unpack_set_detect(vg_unpack *u, vg_detect_fn fn);

/*
 * If src (known as path) is a container, walk it: 1 when it was one
 * (whatever went wrong inside: that is in the records), 0 when it is no
 * container, -1 when memory ran out (records say where). head holds the
 * first n bytes of src (NULL: the engine reads them). Stats are added
 * to *st.
 */
int vg_unpack_run(vg_unpack *u, const vg_blob *src, const uint8_t *head,
		  size_t n, const char *path, const vg_unpack_cb *cb,
		  vg_unpack_stats *st);

#endif
