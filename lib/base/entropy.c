#include <math.h>

#include "base/entropy.h"

double vg_entropy(const uint8_t *p, size_t n)
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
