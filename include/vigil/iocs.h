/*
 * IOC sets: hashes, file-name regexes and network indicators, loaded from
 * the signature-base/Loki text formats (and, through the same add functions,
 * from threat-intel formats).
 */
#ifndef VIGIL_IOCS_H
#define VIGIL_IOCS_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_iocs vigil_iocs;

typedef enum vigil_ioc_type {
	VIGIL_IOC_MD5 = 0,
	VIGIL_IOC_SHA1,
	VIGIL_IOC_SHA256,
	VIGIL_IOC_PATH_REGEX,
	VIGIL_IOC_DOMAIN,
	VIGIL_IOC_IPV4,   /* value may carry a /prefix (CIDR) */
	VIGIL_IOC_IPV6,   /* value may carry a /prefix (CIDR) */
	VIGIL_IOC_URL,
	VIGIL_IOC_TYPE_COUNT
} vigil_ioc_type;

/* One indicator as loaded. Strings live as long as the set. */
typedef struct vigil_ioc {
	vigil_ioc_type type;
	const char *value;   /* normalised: lower-case hex, refanged host... */
	const char *comment; /* description from the line or the comment above it */
	const char *source;  /* the file it came from */
	unsigned long line;  /* 1-based line in source, 0 if none */
	int score;           /* 0..100 */
} vigil_ioc;

vigil_iocs *vigil_iocs_create(void);
void vigil_iocs_destroy(vigil_iocs *set);

/* Diagnostics (malformed lines...) go here; without it they are dropped. */
void vigil_iocs_set_diag(vigil_iocs *set, vigil_diag_fn fn, void *ctx);

/*
 * Add single indicators (used by the loaders above and by threat-intel
 * readers). Returns VIGIL_OK or VIGIL_FAILED with a diagnostic naming
 * source:line; VIGIL_FATAL when out of memory or the set is sealed.
 */
int vigil_iocs_add_hash(vigil_iocs *set, const char *hex, int score,
			const char *comment, const char *source,
			unsigned long line);
int vigil_iocs_add_path_regex(vigil_iocs *set, const char *regex, int score,
			      const char *fp_regex, const char *comment,
			      const char *source, unsigned long line);
/* Domain, IPv4/IPv6 (with optional /prefix) or URL; defanged forms accepted. */
int vigil_iocs_add_network(vigil_iocs *set, const char *value, int score,
			   const char *comment, const char *source,
			   unsigned long line);

/*
 * End loading: sort the lookup tables and build the file-name prefilter.
 * Afterwards every add and load (vigil_iocs_add_*, vigil_iocs_load*) is
 * refused with VIGIL_FATAL and the diagnostic "IOC set is sealed", and the
 * lookups below are fast and thread-safe. Before sealing they give the
 * same answers by linear search, but they are not thread-safe (an add may
 * run beside them); hand a scanner or several threads a sealed set.
 * Sealing twice is harmless. Returns VIGIL_OK.
 */
int vigil_iocs_seal(vigil_iocs *set);

size_t vigil_iocs_count(const vigil_iocs *set, vigil_ioc_type type);
/* The i-th indicator of a type, in load order; NULL past the end. */
const vigil_ioc *vigil_iocs_get(const vigil_iocs *set, vigil_ioc_type type,
				size_t i);

/* Exact lookup of a binary digest (16, 20 or 32 bytes); NULL if absent.
 * Of duplicates, the one loaded first. */
const vigil_ioc *vigil_iocs_find_hash(const vigil_iocs *set,
				      const uint8_t *digest, size_t len);

/*
 * Call fn, in load order, for every file-name IOC whose regex matches path
 * and whose false-positive regex does not. '/' in path also matches '\\' in
 * the regex (Windows-style IOCs). VIGIL_FATAL when out of memory,
 * VIGIL_WARN when a regex could not be run to the end (below).
 */
typedef void (*vigil_ioc_match_fn)(void *ctx, const vigil_ioc *ioc);
int vigil_iocs_match_path(const vigil_iocs *set, const char *path, size_t len,
			  vigil_ioc_match_fn fn, void *ctx);
/*
 * The same, and err(ctx, ioc, why) for every file-name IOC whose regex (or
 * false-positive regex, after a match) could not be run to the end on
 * path: PCRE2's match, depth or heap limit (why is PCRE2's message). That
 * is neither a match nor none: VIGIL_WARN then (vigil_iocs_match_path
 * returns it too, without naming the IOC).
 */
typedef void (*vigil_ioc_error_fn)(void *ctx, const vigil_ioc *ioc,
				   const char *why);
int vigil_iocs_match_path_err(const vigil_iocs *set, const char *path,
			      size_t len, vigil_ioc_match_fn fn,
			      vigil_ioc_error_fn err, void *ctx);

/*
 * The identity of the IOCs of one type that a scan finding can come from:
 * the SHA-256 (hex) of a canonical serialisation of every such IOC in load
 * order (value, score, comment, source, line; for file-name IOCs also the
 * false-positive regex). VIGIL_IOC_MD5 stands for all three hash types
 * (one lookup answers for the three). Two sets with the same identity give
 * the same findings. VIGIL_OK, or VIGIL_FATAL (out of memory, digest).
 */
int vigil_iocs_identity(const vigil_iocs *set, vigil_ioc_type type,
			char out[65]);

/* Normalise a defanged indicator in place: hxxp -> http, [.] (.) -> . */
void vigil_refang(char *s);

#ifdef __cplusplus
}
#endif

#endif
