/*
 * Loading IOC sets from files: the signature-base/Loki text formats and the
 * threat-intel formats (STIX 2.x, MISP JSON and CSV, plain lists), told
 * apart by content and name (docs/cli.md, "IOC input formats").
 */
#ifndef VIGIL_INTEL_H
#define VIGIL_INTEL_H

#include <stddef.h>

#include "common.h"
#include "iocs.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * VIGIL_IOC_AUTO tells the format by content first (JSON: a STIX 2.x bundle
 * or a MISP event; CSV with a header naming 'type' and 'value' columns: a
 * MISP CSV export), then by the file name as Loki does ("filename", "hash",
 * "c2" in it), else reads a plain list of values (docs/cli.md).
 */
typedef enum vigil_ioc_format {
	VIGIL_IOC_AUTO = 0,
	VIGIL_IOC_HASH,
	VIGIL_IOC_FILENAME,
	VIGIL_IOC_C2,
	VIGIL_IOC_STIX,     /* STIX 2.x bundle: indicator patterns */
	VIGIL_IOC_MISP,     /* MISP event JSON (or a list / response of events) */
	VIGIL_IOC_MISP_CSV, /* MISP CSV export */
	VIGIL_IOC_PLAIN,    /* one value per line, kind told per line */
} vigil_ioc_format;

/*
 * Load a file, or every regular file of a directory (not recursive, like
 * Loki's iocs folder; there a file is read when its name says a format:
 * "hash", "filename", "c2", "stix", "misp", "list", or ends in .json or
 * .csv). Returns VIGIL_OK, VIGIL_WARN when items were skipped (each
 * reported), VIGIL_FAILED when the path could not be read or a file is not
 * usable as a whole (malformed JSON...), VIGIL_FATAL when out of memory or
 * the set is sealed (vigil_iocs_seal).
 */
int vigil_iocs_load(vigil_iocs *set, const char *path, vigil_ioc_format fmt);

/* Parse an in-memory buffer as if it were the file 'name'. */
int vigil_iocs_load_buffer(vigil_iocs *set, const char *name, const char *buf,
			   size_t len, vigil_ioc_format fmt);

#ifdef __cplusplus
}
#endif

#endif
