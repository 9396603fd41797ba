/* Shannon entropy of bytes, shared by every format parser and checker. */
#ifndef VIGIL_ENTROPY_H
#define VIGIL_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

/* Bits per byte (0..8; 0 for no bytes). */
double vg_entropy(const uint8_t *p, size_t n);

/*
 * The bytes a parser may pass to vg_entropy for one file's parts (sections,
 * segments) beyond the file's own size. Parts may overlap, so their sizes
 * can add up to many times the file (15,000 sections over the same 960 KB
 * took 23 s): once len + VG_ENTROPY_SLACK bytes are spent, the rest of the
 * parts are "not computed" and the parser says so.
 */
#define VG_ENTROPY_SLACK ((uint64_t)64 << 20)

#endif
