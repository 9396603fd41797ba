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

uint8_t *vg_manifest_encode(char *const *paths, size_t n, size_t *len)
{
	if (n > VG_MAX_INCLUDES)
		return NULL;
	/* bounded: at most VG_MAX_INCLUDES paths of VG_MAX_INCLUDE_PATH */
	size_t total = 4;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(paths[i]);
		if (l == 0 || l > VG_MAX_INCLUDE_PATH)
			return NULL;
		total += 4 + l;
	}
	uint8_t *out = malloc(total), *p = out;
	if (!out)
		return NULL;
	put_le(p, n, 4);
	p += 4;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(paths[i]);
		put_le(p, l, 4);
		memcpy(p + 4, paths[i], l);
		p += 4 + l;
	}
	*len = total;
	return out;
}

static void free_paths(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int vg_manifest_parse(const uint8_t *p, size_t len, char ***paths, size_t *n)
{
	*paths = NULL;
	*n = 0;
	if (len < 4)
		return 0;
	uint64_t count = get_le(p, 4);
	size_t off = 4;
	if (count > VG_MAX_INCLUDES)
		return 0;
	char **v = calloc(count ? count : 1, sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < count; i++) {
		uint64_t l = len - off >= 4 ? get_le(p + off, 4) : 0;
		/* off + 4 <= len here, so len - off - 4 cannot wrap */
		if (l == 0 || l > VG_MAX_INCLUDE_PATH || l > len - off - 4 ||
		    memchr(p + off + 4, '\0', l)) {
			free_paths(v, i);
			return 0;
		}
		if (!(v[i] = vg_strndup((const char *)p + off + 4, l))) {
			free_paths(v, i);
			return -1;
		}
		off += 4 + l;
	}
	if (off != len) {
		free_paths(v, count);
		return 0;
	}
	*paths = v;
	*n = count;
	return 1;
}
