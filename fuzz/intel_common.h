/*
 * Shared body of the IOC-reader harnesses: load the input as one format,
 * then use what was loaded (hash lookup, path matching) so that a bad IOC
 * that loads is exercised too.
 */
#ifndef VIGIL_FUZZ_INTEL_COMMON_H
#define VIGIL_FUZZ_INTEL_COMMON_H

#include <stdlib.h>
#include <string.h>

#include <vigil/intel.h>
#include <vigil/iocs.h>

static void fuzz_diag(void *ctx, const vigil_diag *d)
{
	(void)ctx;
	/* every message names something and has text */
	if (!d->message || strlen(d->message) > (1u << 20))
		abort();
}

static void fuzz_hit(void *ctx, const vigil_ioc *ioc)
{
	(void)ctx;
	if (ioc->type != VIGIL_IOC_PATH_REGEX)
		abort();
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
	static const uint8_t digest[32] = {0x11, 0xbe, 0x18, 0x03};
	vigil_iocs_find_hash(set, digest, 16);
	vigil_iocs_find_hash(set, digest, 32);
	static const char path[] = "/opt/3CXDesktopApp/app/ffmpeg.dll";
	vigil_iocs_match_path(set, path, sizeof path - 1, fuzz_hit, NULL);
	vigil_iocs_destroy(set);
	return 0;
}

#endif
