/*
 * The STIX pattern tokenizer alone (lib/intel_stix_pattern.c): whatever the
 * bytes, it returns comparisons with a path and a value, or a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "intel/intel_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > VG_STIX_MAX_PATTERN + 16)
		return 0;
	char *pat = malloc(size + 1);
	if (!pat)
		return 0;
	memcpy(pat, data, size);
	pat[size] = '\0';
	struct vg_stix_cmp *c;
	size_t n;
	char why[256];
	if (vg_stix_pattern(pat, &c, &n, why, sizeof why) == 0) {
		if (n == 0 || n > VG_STIX_MAX_CMPS)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!c[i].path || !strchr(c[i].path, ':') || !c[i].value)
				abort();
		vg_stix_cmps_free(c, n);
	} else if (!why[0] || c || n) {
		abort();
	}
	free(pat);
	return 0;
}
