/*
 * Threat-intel readers that feed the IOC set: STIX 2.x bundles, MISP event
 * JSON, MISP CSV exports and plain value lists (docs/cli.md, "IOC input
 * formats"). Each reader lives in its own intel_*.c file; this header holds
 * what they share: a per-file run that counts and caps diagnostics, and the
 * add helpers that check a value against the kind the input claims.
 */
#ifndef VIGIL_INTEL_INTERNAL_H
#define VIGIL_INTEL_INTERNAL_H

#include <jansson.h>

#include <vigil/intel.h>
#include <vigil/intel.h>
#include <vigil/iocs.h>

/* Largest JSON document parsed (jansson holds it all in memory). */
#define VG_INTEL_MAX_JSON (64u << 20)
/* Most items (STIX objects, MISP attributes, CSV records) read per file. */
#define VG_INTEL_MAX_ITEMS (1u << 20)
/* Per-item warnings shown per file; the rest are counted in one message. */
#define VG_INTEL_MAX_WARNINGS 100

/* One file being read: diagnostics of the set are routed through it. */
struct vg_intel {
	vigil_iocs *set;
	const char *src;
	vigil_diag_fn up; /* the set's own callback, restored at the end */
	void *up_ctx;
	unsigned long warnings, hidden;
	int status; /* worst of VIGIL_OK / WARN / FAILED / FATAL so far */
	/* the item being read ("indicator 'ID'", "event 0 attribute 3"): the
	 * set's own messages about it are prefixed with it; NULL for line-
	 * oriented input, whose messages carry the line */
	const char *where;
	size_t added;
};

void vg_intel_begin(struct vg_intel *in, vigil_iocs *set, const char *src);
/* Restores the set's callback, reports hidden warnings; returns status. */
int vg_intel_end(struct vg_intel *in);

/* A skipped item: warning, status at least VIGIL_WARN. */
void vg_intel_warn(struct vg_intel *in, unsigned long line, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));
/* Something honoured on purpose (expired, revoked...): info only. */
void vg_intel_info(struct vg_intel *in, unsigned long line, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));
/* The file as a whole is unusable: error, status VIGIL_FAILED. */
void vg_intel_fail(struct vg_intel *in, unsigned long line, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

/*
 * Add helpers. want is the hash type the input claims (VIGIL_IOC_MD5,
 * SHA1, SHA256) or VIGIL_IOC_TYPE_COUNT for "by length". A file name
 * becomes an anchored, escaped, case-insensitive regex on the base name.
 * Return 1 when added, 0 when skipped (reported), -1 out of memory.
 */
int vg_intel_add_hash(struct vg_intel *in, vigil_ioc_type want,
		      const char *hex, int score, const char *comment,
		      unsigned long line);
int vg_intel_add_network(struct vg_intel *in, const char *value, int score,
			 const char *comment, unsigned long line);
int vg_intel_add_filename(struct vg_intel *in, const char *name, int score,
			  const char *comment, unsigned long line);
/* A URL without a scheme ("host[:port]/path", host lower case, checked by
 * the caller), matched as http and https URLs (iocs/netmatch.c). */
int vg_intel_add_url_any_scheme(struct vg_intel *in, const char *value, int score,
				const char *comment, unsigned long line);

/* Is s (length n) 32, 40 or 64 hex digits? */
int vg_intel_is_hash(const char *s, size_t n);

/* The readers. The JSON ones take the parsed root. */
int vg_intel_stix(struct vg_intel *in, json_t *root);
int vg_intel_misp(struct vg_intel *in, json_t *root);
int vg_intel_misp_csv(struct vg_intel *in, const char *buf, size_t len);
int vg_intel_plain(struct vg_intel *in, const char *buf, size_t len);
/* The Loki text formats (fmt HASH, FILENAME or C2), line by line. */
int vg_intel_loki(vigil_iocs *set, const char *name, const char *buf,
		  size_t len, vigil_ioc_format fmt);

/* Does root look like a STIX bundle / MISP event(s)? */
int vg_intel_is_stix(json_t *root);
int vg_intel_is_misp(json_t *root);

/*
 * STIX patterns vigil can evaluate: '=' comparisons with a string value,
 * joined by OR inside and between observation brackets (parentheses
 * allowed). Each comparison is one alternative; path is lower-cased with
 * quotes removed ("file:hashes.sha-256"). Returns 0, or -1 with the reason
 * (malformed, or the construct vigil does not evaluate) in why.
 */
struct vg_stix_cmp {
	char *path, *value;
};
#define VG_STIX_MAX_PATTERN 65536
#define VG_STIX_MAX_CMPS 1024
int vg_stix_pattern(const char *pat, struct vg_stix_cmp **out, size_t *n,
		    char *why, size_t whylen);
void vg_stix_cmps_free(struct vg_stix_cmp *c, size_t n);

/* MISP attribute handling shared by the JSON and CSV readers. */
struct vg_misp_type_count {
	char type[48];
	unsigned long count, for_ids;
};
struct vg_misp {
	struct vg_intel *in;
	struct vg_misp_type_count *unsupported;
	size_t nunsupported, cap;
	unsigned long other_types; /* beyond the table's cap */
	unsigned long deleted, attributes;
};
/* One attribute; where names it in messages ("" for CSV, which has line).
 * Returns -1 out of memory, else 0. */
int vg_misp_attribute(struct vg_misp *m, const char *type, const char *value,
		      int to_ids, const char *comment, unsigned long line,
		      const char *where);
/* Reports unsupported types once each, frees the table. */
void vg_misp_finish(struct vg_misp *m);

/* Score of a MISP attribute: 100, or this when to_ids is false. */
#define VG_MISP_HUNTING_SCORE 40

#endif
