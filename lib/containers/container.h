/*
 * Containers: installers, archives and disk images opened from a byte
 * source, yielding members whose bytes are read as a stream. One reader
 * per format family implements vg_container_ops; the registry
 * (containers/registry.c) tells which reader a byte source is for; the
 * unpacking engine (containers/unpack.c) walks the members, nests into
 * members that are containers themselves and enforces the limits.
 *
 * Everything a reader is given is hostile: member names are data (never a
 * path on the host; "../x", "/etc/x", names with control bytes are
 * reported as stored), declared sizes and counts are claims to be checked
 * against the bytes, and a reader never writes to disk. Readers of formats
 * without a Debian library (UDIF, HFS+, asar, PE overlays) parse with
 * formats/byteread.h and each has a libFuzzer harness.
 */
#ifndef VIGIL_CONTAINERS_CONTAINER_H
#define VIGIL_CONTAINERS_CONTAINER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A random-access byte source: bytes in memory (mem != NULL) or an open
 * file read with pread (fd >= 0, not owned). size is the source's length.
 */
typedef struct vg_blob {
	const uint8_t *mem;
	int fd;
	uint64_t size;
} vg_blob;

static inline vg_blob vg_blob_mem(const uint8_t *p, size_t n)
{
	vg_blob b = {p, -1, n};
	return b;
}

/* Read up to n bytes at off into buf: 0 with *got set (short only at the
 * end of the source), or an errno value. */
int vg_blob_pread(const vg_blob *b, void *buf, size_t n, uint64_t off,
		  size_t *got);

#define VG_SIZE_UNKNOWN UINT64_MAX
#define VG_MTIME_UNKNOWN INT64_MIN

typedef enum vg_member_type {
	VG_MEMBER_FILE = 0,
	VG_MEMBER_DIR,
	VG_MEMBER_SYMLINK,
	VG_MEMBER_HARDLINK,
	VG_MEMBER_DEVICE, /* character or block device, FIFO, socket */
	VG_MEMBER_OTHER,
} vg_member_type;

/*
 * One member as the container states it. Strings are owned by the reader
 * and valid until its next call of next() or close().
 */
typedef struct vg_member {
	const char *name;   /* as stored, NUL-terminated (a NUL in a stored
			     * name ends it); the reader's own names for
			     * nameless parts (an MSI stream, a DMG
			     * partition) say what they are */
	uint64_t size;      /* declared bytes, or VG_SIZE_UNKNOWN */
	uint32_t mode;      /* permission and type bits as stored, 0 unknown */
	int64_t mtime;      /* seconds since the epoch, or VG_MTIME_UNKNOWN */
	vg_member_type type;
	const char *link;   /* symlink or hard-link target as stored, or NULL */
	int encrypted;      /* the bytes are encrypted: not read */
	const char *unreadable; /* static text when the bytes cannot be read
				 * for another reason ("ADC-compressed chunks",
				 * "APFS volume"...), else NULL */
	int nameless;       /* the format stores no name (a lone compressed
			     * stream): the engine names the member after
			     * its container, less the compression suffix */
} vg_member;

/* Return codes of next() and read(). */
#define VG_C_OK 1      /* next: a member; read: bytes (count in *got) */
#define VG_C_END 0     /* next: no more members; read: end of the member */
#define VG_C_DAMAGED -1 /* this member is damaged (err says how); next()
			 * may still find the following ones */
#define VG_C_FATAL -2  /* the container cannot be read any further */

#define VG_C_ERRLEN 256

/* Format a reader's err text (truncated to VG_C_ERRLEN). */
void vg_c_seterr(char err[VG_C_ERRLEN], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

typedef struct vg_container_ops {
	const char *format; /* "zip", "msi", "dmg", "hfs+", "asar", "pe-overlay"... */
	/*
	 * Is src this format? head holds src's first n bytes (n is
	 * min(size, 64 KiB)); name is the source's own name (basename of the
	 * file or member) as a hint only: never decisive alone. Cheap: no
	 * allocation, at most a few preads for a trailer or a header.
	 */
	int (*probe)(const vg_blob *src, const uint8_t *head, size_t n,
		     const char *name);
	/* The reader's state, or NULL with err set. src stays valid until
	 * close(). */
	void *(*open)(const vg_blob *src, char err[VG_C_ERRLEN]);
	/* The next member: VG_C_OK with *m filled, VG_C_END, VG_C_DAMAGED (a
	 * member was found but its header is damaged; m->name set when known)
	 * or VG_C_FATAL, with err set on failure. The engine zeroes *m
	 * before the call, so a reader may leave unknown fields alone. */
	int (*next)(void *st, vg_member *m, char err[VG_C_ERRLEN]);
	/* Bytes of the current member into buf (up to cap): VG_C_OK with
	 * *got > 0, VG_C_END, or VG_C_DAMAGED/VG_C_FATAL with err set.
	 * A member not read to its end is skipped by the following next(). */
	int (*read)(void *st, uint8_t *buf, size_t cap, size_t *got,
		    char err[VG_C_ERRLEN]);
	void (*close)(void *st);
} vg_container_ops;

/*
 * The reader for src, or NULL when it is no container vigil opens.
 * Readers are asked in the registry's order (specific formats before
 * libarchive's catch-all).
 */
const vg_container_ops *vg_container_detect(const vg_blob *src,
					    const uint8_t *head, size_t n,
					    const char *name);

/* Every reader, NULL-terminated (for tests and `vigil inspect`). */
extern const vg_container_ops *const vg_container_readers[];

#endif
