/*
 * The compiled-rules cache's file format (lib/rules/rules_cachefile.c): the
 * input is a whole cache file (seeds in hex, fuzz/hexseed.h). Checks that
 * a file passes only with a payload inside it, and that a header written
 * for any bytes verifies them while a flipped byte does not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hexseed.h"
#include "rules/rules_internal.h"

static void check_file(const char *magic, const uint8_t *data, size_t size)
{
	const uint8_t *payload;
	size_t plen;
	if (vg_cachefile_check(magic, data, size, &payload, &plen) != 1)
		return;
	if (payload != data + VG_CACHE_HEADER || plen != size - VG_CACHE_HEADER)
		abort();
}

static void check_roundtrip(const uint8_t *data, size_t size)
{
	uint8_t *file = malloc(VG_CACHE_HEADER + size);
	const uint8_t *payload;
	size_t plen;
	if (!file || !vg_cachefile_header(VG_CACHE_RULES, data, size, file)) {
		free(file);
		return;
	}
	memcpy(file + VG_CACHE_HEADER, data, size);
	size_t len = VG_CACHE_HEADER + size;
	if (vg_cachefile_check(VG_CACHE_RULES, file, len, &payload, &plen) != 1 ||
	    plen != size)
		abort();
	/* a flipped byte, somewhere the input picks */
	size_t at = size ? data[0] % len : 0;
	file[at] ^= 0x20;
	if (vg_cachefile_check(VG_CACHE_RULES, file, len, &payload, &plen) == 1)
		abort();
	free(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed = 0;
	uint8_t *owned = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;
	check_file(VG_CACHE_RULES, data, size);
	check_roundtrip(data, size);
	free(owned);
	return 0;
}
