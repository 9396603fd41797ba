/* Shannon entropy of bytes, shared by every format parser and checker. */
#ifndef VIGIL_ENTROPY_H
#define VIGIL_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

/* Bits per byte (0..8; 0 for no bytes). */
double vg_entropy(const uint8_t *p, size_t n);

#endif
