/*
 * The compiled-rules cache's file format (lib/rules/rules_cachefile.c): the
 * input is a whole cache file (seeds in hex, fuzz/hexseed.h). Checks that
 * a file passes only with a payload inside it, that a manifest parses only
 * when encoding its paths gives back exactly its bytes (the format has one
 * spelling), and that a header written for any bytes verifies them while a
 * flipped byte does not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hexseed.h"
#include "rules/rules_internal.h"

static void check_manifest(const uint8_t *p, size_t len)
{
	char **paths;
	size_t n, elen;
	int rc = vg_manifest_parse(p, len, &paths, &n);
	if (rc != 1)
		return;
	if (n > VG_MAX_INCLUDES)
		abort();
	uint8_t *again = vg_manifest_encode(paths, n, &elen);
	if (!again || elen != len || memcmp(again, p, len) != 0)
		abort();
	free(again);
	for (size_t i = 0; i < n; i++) {
		if (!paths[i][0] || strlen(paths[i]) > VG_MAX_INCLUDE_PATH)
			abort();
		free(paths[i]);
	}
	free(paths);
}

static void check_file(const char *magic, const uint8_t *data, size_t size)
{
	const uint8_t *payload;
	size_t plen;
	if (vg_cachefile_check(magic, data, size, &payload, &plen) != 1)
		return;
	if (payload != data + VG_CACHE_HEADER || plen != size - VG_CACHE_HEADER)
		abort();
	if (strcmp(magic, VG_CACHE_MANIFEST) == 0)
		check_manifest(payload, plen);
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
	check_file(VG_CACHE_MANIFEST, data, size);
	check_manifest(data, size);
	check_roundtrip(data, size);
	free(owned);
	return 0;
}
