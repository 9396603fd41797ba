/* Internals of the release diff (lib/diff): the capability table, the
 * tamper models, the facts of a component and the release. */
#ifndef VIGIL_DIFF_INTERNAL_H
#define VIGIL_DIFF_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include <vigil/diff.h>

/* Version of the snapshot's component record (snapshot_format). */
#define VG_SNAPSHOT_FORMAT 1
/* Bytes of a snapshot file read at most. */
#define VG_SNAPSHOT_MAX ((size_t)1 << 30)
/* Capability table and model lines kept at most; terms per line. */
#define VG_CAPS_MAX_LINES 4096
#define VG_CAPS_MAX_TERMS 8
/* A capability or model identifier, and a pattern. */
#define VG_CAPS_MAX_ID 64
#define VG_CAPS_MAX_PAT 128

typedef enum vg_term_kind {
	VG_TERM_IMPORT = 0, /* import:GLOB */
	VG_TERM_STRING,     /* string:TEXT (case-insensitive substring) */
	VG_TERM_SIGNAL,     /* a model's VGL-DIFF-... signal in the component */
	VG_TERM_NEWCAP,     /* a model's new-cap:ID (gained) */
	VG_TERM_CAP,        /* a model's cap:ID (has it in the new release) */
	VG_TERM_THIRD,      /* a model's third-party */
} vg_term_kind;

typedef struct vg_term {
	vg_term_kind kind;
	char pat[VG_CAPS_MAX_PAT]; /* lower-cased for IMPORT and STRING */
	size_t string_index;       /* STRING: its slot among the table's strings */
} vg_term;

typedef struct vg_capline {
	char id[VG_CAPS_MAX_ID];
	vigil_dlevel level;
	vg_term terms[VG_CAPS_MAX_TERMS]; /* all must hold */
	size_t nterms;
} vg_capline;

typedef struct vg_caps {
	vg_capline *caps;  /* capabilities.tab */
	size_t ncaps;
	vg_capline *models; /* models.tab */
	size_t nmodels;
	size_t nstrings;   /* STRING terms over the capability lines */
} vg_caps;

/* Load dir/capabilities.tab and dir/models.tab (docs/design.md). A
 * malformed line is said to diag with file and line and skipped; a
 * missing file leaves its table empty (said as a warning). 0, or -1 out
 * of memory. */
int vg_caps_load(vg_caps *c, const char *dir, vigil_diag_fn diag, void *ctx);
void vg_caps_free(vg_caps *c);
/* The capability lines whose terms hold for these imports (strings of a
 * JSON array) and string hits (hits[i]: STRING term slot i was seen),
 * as sorted unique identifiers appended to out (a JSON array). */
int vg_caps_derive(const vg_caps *c, const json_t *imports, const unsigned char *hits,
		   json_t *out);
/* Does glob (lower case) match the import s (any case)? A glob with '!'
 * matches the whole "dll!function"; one without matches the function
 * part (after the last '!', before an '@version'). */
int vg_caps_import_match(const char *glob, const char *s);
/* The level of capability id (the highest of its lines); INFO if unknown. */
vigil_dlevel vg_caps_level(const vg_caps *c, const char *id);

/* The facts of one component from its bytes (docs/design.md): a new JSON
 * object without "path", or NULL out of memory. complete: every byte
 * read. */
json_t *vg_diff_facts(const uint8_t *buf, size_t len, const vg_caps *caps);

/* An MSI SummaryInformation stream's stable properties as facts
 * "summary" and "summary_digest" (diff_msi.c); nothing when p is no
 * property set. 0, or -1 out of memory. */
int vg_msi_summary(const uint8_t *p, size_t n, json_t *facts);

/* sha256 of a buffer as 64 hex digits + NUL; 0 when OpenSSL failed. */
int vg_diff_sha256(const uint8_t *p, size_t n, char out[65]);

struct vigil_release {
	char *name;
	json_t *index;      /* normalised path -> facts (each has "path") */
	json_t *snapshot;   /* the record, components sorted by path */
	char *vendor;       /* signer of most signed components, or NULL */
	int winfold;        /* paths were case-folded */
	/* what the components were matched with: the identity of the rules
	 * and of the hash and file-name IOCs (64 hex digits; "" unknown;
	 * NULL none loaded), and, read from bytes in this process, the rules
	 * object itself (NULL from a snapshot) */
	char *rules_id, *iocs_id;
	const void *rules_obj, *iocs_obj;
};

/* A release from the snapshot text buf (named path in diagnostics):
 * VIGIL_OK, VIGIL_FAILED (not a snapshot, or malformed: said), or
 * VIGIL_FATAL. What vigil_release_load does with a snapshot file. */
int vg_release_snapshot_buf(const char *path, const char *buf, size_t len,
			    vigil_release **out, vigil_diag_fn diag, void *diag_ctx);

/* The release's vendor by the rule of docs/detections.md. */
char *vg_release_vendor(const json_t *components);

/* Small readers of a facts object that tolerate any JSON (a snapshot is
 * untrusted): NULL, 0 or an empty iteration when absent or mistyped. */
const char *vg_jstr(const json_t *o, const char *key);
int64_t vg_jint(const json_t *o, const char *key);
int vg_jbool(const json_t *o, const char *key);

/* 1 when o and n were matched with the same YARA rules. */
int vg_rules_comparable(const vigil_release *o, const vigil_release *n);

/* The component records of the diff of o and n (unchanged ones only
 * with all), *unchanged the count of unchanged components; see
 * diff_compare.c. NULL out of memory. */
json_t *vg_diff_records(const vigil_release *o, const vigil_release *n,
			const vg_caps *caps, int all, size_t *unchanged);
/* The signals of new_r's components alone (verify's default policy),
 * merged into the component records of recs (added, with change absent,
 * when missing). 0, or -1 out of memory. */
int vg_verify_checks(const vigil_release *n, json_t *recs, const char *absent);
/* The record of type ("diff", "verify") around recs (stolen): records
 * sorted strongest first, then by path; the summary (its "unchanged" is
 * the count given, listed or not); o may be NULL. */
json_t *vg_diff_finish(json_t *recs, const vigil_release *o, const vigil_release *n,
		       const char *type, size_t unchanged, vigil_dlevel *verdict);

#endif
