/*
 * Shared body of the IOC-reader harnesses: load the input as one format,
 * then use what was loaded (hash lookup, path matching) so that a bad IOC
 * that loads is exercised too, before and after sealing the set.
 */
#ifndef VIGIL_FUZZ_INTEL_COMMON_H
#define VIGIL_FUZZ_INTEL_COMMON_H

#include <stdlib.h>
#include <string.h>

#include <vigil/intel.h>
#include <vigil/iocs.h>

#include "base/util.h"

static void fuzz_diag(void *ctx, const vigil_diag *d)
{
	(void)ctx;
	/* every message names something and has text */
	if (!d->message || strlen(d->message) > (1u << 20))
		abort();
}

static void fuzz_hit(void *ctx, const vigil_ioc *ioc)
{
	if (ioc->type != VIGIL_IOC_PATH_REGEX)
		abort();
	++*(size_t *)ctx;
}

static const uint8_t fuzz_digest[32] = {0x11, 0xbe, 0x18, 0x03};
static const char fuzz_path[] = "/opt/3CXDesktopApp/app/ffmpeg.dll";

/* What the lookups answer, to compare the unsealed set with the sealed
 * one: a fixed digest of two lengths, the first hash IOCs of each type
 * (the unsealed search is linear, hence the cap), and a path. */
struct fuzz_answers {
	const vigil_ioc *hash[32];
	size_t nhash, paths;
};

static void fuzz_lookups(const vigil_iocs *set, struct fuzz_answers *a)
{
	memset(a, 0, sizeof *a);
	a->hash[a->nhash++] = vigil_iocs_find_hash(set, fuzz_digest, 16);
	a->hash[a->nhash++] = vigil_iocs_find_hash(set, fuzz_digest, 32);
	for (int t = VIGIL_IOC_MD5; t <= VIGIL_IOC_SHA256; t++)
		for (size_t i = 0; i < 10 && i < vigil_iocs_count(set, (vigil_ioc_type)t); i++) {
			const vigil_ioc *ioc = vigil_iocs_get(set, (vigil_ioc_type)t, i);
			uint8_t d[32];
			size_t len = vg_unhex(ioc->value, strlen(ioc->value), d, sizeof d);
			const vigil_ioc *hit = vigil_iocs_find_hash(set, d, len);
			/* a loaded hash is found: itself or an equal one loaded before */
			if (!hit || strcmp(hit->value, ioc->value) != 0)
				abort();
			a->hash[a->nhash++] = hit;
		}
	vigil_iocs_match_path(set, fuzz_path, sizeof fuzz_path - 1, fuzz_hit, &a->paths);
}

static int fuzz_load(const char *name, const uint8_t *data, size_t size,
		     vigil_ioc_format fmt)
{
	vigil_iocs *set = vigil_iocs_create();
	if (!set)
		return 0;
	vigil_iocs_set_diag(set, fuzz_diag, NULL);
	int rc = vigil_iocs_load_buffer(set, name, (const char *)data, size, fmt);
	if (rc < VIGIL_OK || rc > VIGIL_FATAL)
		abort();
	for (int t = 0; t < VIGIL_IOC_TYPE_COUNT; t++)
		for (size_t i = 0; i < vigil_iocs_count(set, (vigil_ioc_type)t); i++) {
			const vigil_ioc *ioc = vigil_iocs_get(set, (vigil_ioc_type)t, i);
			if (!ioc || ioc->type != (vigil_ioc_type)t || !ioc->value ||
			    !*ioc->value || ioc->score < 0 || ioc->score > 100)
				abort();
		}
	struct fuzz_answers before, after;
	fuzz_lookups(set, &before);
	if (vigil_iocs_seal(set) != VIGIL_OK)
		abort();
	fuzz_lookups(set, &after);
	/* sealing changes how lookups search, never what they find */
	if (memcmp(&before, &after, sizeof before) != 0)
		abort();
	if (vigil_iocs_load_buffer(set, name, (const char *)data, size, fmt) != VIGIL_FATAL)
		abort();
	vigil_iocs_destroy(set);
	return 0;
}

#endif
