/*
 * The compiled-rules cache's file format (see rules_internal.h): bytes in,
 * verdicts out, no I/O, so that lib/rules/rules_cache.c stays about files
 * and fuzz/fuzz_rules_cache.c can feed it anything.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rules/rules_internal.h"
#include "base/util.h"

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned len = 0;
	return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32;
}

int vg_cachefile_header(const char magic[8], const void *payload, size_t len,
			uint8_t out[VG_CACHE_HEADER])
{
	memcpy(out, magic, 8);
	put_le(out + 8, len, 8);
	return sha256(payload, len, out + 16);
}

int vg_cachefile_check(const char magic[8], const uint8_t *buf, size_t len,
		       const uint8_t **payload, size_t *plen)
{
	if (len < VG_CACHE_HEADER || memcmp(buf, magic, 8) != 0 ||
	    get_le(buf + 8, 8) != len - VG_CACHE_HEADER)
		return 0;
	uint8_t d[32];
	if (!sha256(buf + VG_CACHE_HEADER, len - VG_CACHE_HEADER, d))
		return -1;
	if (memcmp(d, buf + 16, sizeof d) != 0)
		return 0;
	*payload = buf + VG_CACHE_HEADER;
	*plen = len - VG_CACHE_HEADER;
	return 1;
}
