/*
 * HFS+ and HFSX volumes (Apple's TN1150) read over any random-access byte
 * source: the volume header at 1024, the extents-overflow and catalog
 * B-trees, and each file's data fork (and a nonempty resource fork) as a
 * member. The DMG reader uses it over a partition's chunks; vg_reader_hfs
 * uses it over a standalone image. Hand-written on formats/byteread.h
 * (no Debian library reads HFS+): every size, count, node number, record
 * offset and extent is checked before it is used.
 */
#ifndef VIGIL_CONTAINERS_HFS_H
#define VIGIL_CONTAINERS_HFS_H

#include <stddef.h>
#include <stdint.h>

#include "containers/container.h"

/* Read up to n bytes at off: 0 with *got set (short only at the end of the
 * source), or nonzero with err set. */
typedef int (*vg_hfs_pread_fn)(void *ctx, void *buf, size_t n, uint64_t off,
			       size_t *got, char err[VG_C_ERRLEN]);

typedef struct vg_hfs vg_hfs;

/* Do the bytes at offset 1024 of a volume (p, n of them) start an HFS+
 * ('H+' version 4) or HFSX ('HX' version 5) volume header? */
int vg_hfs_signature(const uint8_t *p, size_t n);

/* Open the volume: reads the volume header, the extents-overflow records
 * and the catalog's folders. NULL with err set. */
vg_hfs *vg_hfs_open(vg_hfs_pread_fn rd, void *ctx, uint64_t size,
		    char err[VG_C_ERRLEN]);
/* vg_container_ops semantics (container.h). */
int vg_hfs_next(vg_hfs *h, vg_member *m, char err[VG_C_ERRLEN]);
int vg_hfs_read(vg_hfs *h, uint8_t *buf, size_t cap, size_t *got,
		char err[VG_C_ERRLEN]);
void vg_hfs_close(vg_hfs *h);

/* Limits of one volume. */
#define VG_HFS_MAX_FOLDERS (1u << 20)
#define VG_HFS_MAX_OVERFLOW 100000u /* extents-overflow records */
#define VG_HFS_MAX_DEPTH 256u       /* folders from the root to a member */
#define VG_HFS_MAX_MEMBERS (1u << 22)
#define VG_HFS_MAX_NODES (1u << 24) /* per B-tree: 64 GiB of 4 KiB nodes */

/* The standalone image reader (format "hfs+"). */
extern const vg_container_ops vg_reader_hfs;

#endif
