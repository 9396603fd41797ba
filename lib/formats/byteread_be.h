/*
 * Big-endian readers beside formats/byteread.h (which has vg_fits and the
 * little-endian ones): ELF files of either byte order, Mach-O headers of
 * either order, and Apple code-signature blobs (always big-endian). Same
 * contract: 0 when [off, off + size) does not lie inside the buffer.
 */
#ifndef VIGIL_BYTEREAD_BE_H
#define VIGIL_BYTEREAD_BE_H

#include "formats/byteread.h"

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

/* Readers for a byte order chosen at run time (big != 0: big-endian). */
static inline int vg_rd16(int big, const uint8_t *b, size_t len, uint64_t off, uint16_t *v)
{
	return big ? vg_be16(b, len, off, v) : vg_le16(b, len, off, v);
}

static inline int vg_rd32(int big, const uint8_t *b, size_t len, uint64_t off, uint32_t *v)
{
	return big ? vg_be32(b, len, off, v) : vg_le32(b, len, off, v);
}

static inline int vg_rd64(int big, const uint8_t *b, size_t len, uint64_t off, uint64_t *v)
{
	return big ? vg_be64(b, len, off, v) : vg_le64(b, len, off, v);
}

#endif
