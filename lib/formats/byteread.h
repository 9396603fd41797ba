/*
 * The one bounds-checked reader for untrusted bytes (YARA's fits_in_pe idea):
 * every read of a parsed structure asks vg_fits() first, and multi-byte
 * values are assembled explicitly little- or big-endian, never by casting.
 * PE is little-endian, Apple code-signature blobs and fat headers are
 * big-endian, and ELF files and thin Mach-O headers say their byte order in
 * the header: those read through a vg_bytes, which carries it. Every reader
 * returns 0 when [off, off + size) does not lie inside the buffer.
 */
#ifndef VIGIL_BYTEREAD_H
#define VIGIL_BYTEREAD_H

#include <stddef.h>
#include <stdint.h>

/* Does [off, off + n) lie inside a buffer of len bytes? Overflow-safe. */
static inline int vg_fits(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

static inline int vg_le16(const uint8_t *b, size_t len, uint64_t off, uint16_t *v)
{
	if (!vg_fits(len, off, 2))
		return 0;
	*v = (uint16_t)(b[off] | (uint16_t)b[off + 1] << 8);
	return 1;
}

static inline int vg_le32(const uint8_t *b, size_t len, uint64_t off, uint32_t *v)
{
	if (!vg_fits(len, off, 4))
		return 0;
	*v = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 |
	     (uint32_t)b[off + 2] << 16 | (uint32_t)b[off + 3] << 24;
	return 1;
}

static inline int vg_le64(const uint8_t *b, size_t len, uint64_t off, uint64_t *v)
{
	uint32_t lo, hi;
	if (!vg_le32(b, len, off, &lo) || !vg_le32(b, len, off + 4, &hi))
		return 0;
	*v = (uint64_t)hi << 32 | lo;
	return 1;
}

static inline int vg_be16(const uint8_t *b, size_t len, uint64_t off, uint16_t *v)
{
	if (!vg_fits(len, off, 2))
		return 0;
	*v = (uint16_t)((uint16_t)b[off] << 8 | b[off + 1]);
	return 1;
}

static inline int vg_be32(const uint8_t *b, size_t len, uint64_t off, uint32_t *v)
{
	if (!vg_fits(len, off, 4))
		return 0;
	*v = (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 |
	     (uint32_t)b[off + 2] << 8 | (uint32_t)b[off + 3];
	return 1;
}

static inline int vg_be64(const uint8_t *b, size_t len, uint64_t off, uint64_t *v)
{
	uint32_t hi, lo;
	if (!vg_be32(b, len, off, &hi) || !vg_be32(b, len, off + 4, &lo))
		return 0;
	*v = (uint64_t)hi << 32 | lo;
	return 1;
}

/* A buffer whose byte order is known only at run time (big != 0:
 * big-endian), as the ELF and Mach-O headers declare it. */
typedef struct vg_bytes {
	const uint8_t *b;
	size_t len;
	int big;
} vg_bytes;

static inline int vg_rd16(const vg_bytes *r, uint64_t off, uint16_t *v)
{
	return r->big ? vg_be16(r->b, r->len, off, v) : vg_le16(r->b, r->len, off, v);
}

static inline int vg_rd32(const vg_bytes *r, uint64_t off, uint32_t *v)
{
	return r->big ? vg_be32(r->b, r->len, off, v) : vg_le32(r->b, r->len, off, v);
}

static inline int vg_rd64(const vg_bytes *r, uint64_t off, uint64_t *v)
{
	return r->big ? vg_be64(r->b, r->len, off, v) : vg_le64(r->b, r->len, off, v);
}

static inline void vg_put_le32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

#endif
