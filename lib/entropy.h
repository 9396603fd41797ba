/*
 * Shannon entropy of bytes, in bits per byte (0..8; 0 for no bytes). Header
 * only, so that every format parser can use it without a link dependency.
 * (lib/formats/pe.c on the pe branch has the same function as vg_entropy;
 * one of the two should go when both are on main.)
 */
#ifndef VIGIL_ENTROPY_H
#define VIGIL_ENTROPY_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

static inline double vg_shannon_entropy(const uint8_t *p, size_t n)
{
	if (!n)
		return 0.0;
	size_t count[256] = {0};
	for (size_t i = 0; i < n; i++)
		count[p[i]]++;
	double h = 0.0;
	for (int i = 0; i < 256; i++) {
		if (!count[i])
			continue;
		double q = (double)count[i] / (double)n;
		h -= q * log2(q);
	}
	return h;
}

#endif
