/*
 * The local store (SQLite): every swept file's stat tuple, digests and
 * results with the identity of the content that produced each part, so
 * that a sweep again reads only what changed (vigil_store_reuse as the
 * scanner's reuse hook) and new IOCs can be hunted without a sweep
 * (vigil_store_hunt). One writer thread per sweep, batched transactions.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "filestate.h"
#include "finding.h"
#include "iocs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this vigil writes; older stores are upgraded. */
#define VIGIL_STORE_SCHEMA 3

typedef struct vigil_store vigil_store;

typedef struct vigil_store_options {
	const char *path;     /* the database file (created mode 0600) */
	int rebuild;          /* discard the file and start a new store */
	int busy_timeout_ms;  /* wait this long for another vigil; 0: 30 s */
	int quick_check;      /* run PRAGMA quick_check on open (default 1) */
} vigil_store_options;

void vigil_store_options_init(vigil_store_options *opt);

/*
 * Open (or create, or upgrade) the store. A file that is not a vigil
 * store, is damaged, or was written by a newer vigil is refused with a
 * diagnostic naming it: VIGIL_FATAL, *out NULL.
 */
int vigil_store_open(const vigil_store_options *opt, vigil_diag_fn diag,
		     void *ctx, vigil_store **out);
void vigil_store_close(vigil_store *st); /* NULL is fine */

/* The identities of the content a sweep uses: any text (the store keeps
 * a SHA-256 of each with max_size); "" or NULL: unknown, never reused. */
typedef struct vigil_store_parts {
	const char *hash_iocs;  /* vigil_iocs_identity(VIGIL_IOC_MD5) */
	const char *name_iocs;  /* vigil_iocs_identity(VIGIL_IOC_PATH_REGEX) */
	const char *rules;      /* vigil_rules_identity() */
	const char *checks;     /* the checks' version and whether they run */
	uint64_t max_size;      /* bytes given to YARA and the checks */
	int rescan;             /* reuse nothing (read every file) */
} vigil_store_parts;

/*
 * Start a sweep of roots: loads the stored rows below them into memory
 * and starts the writer thread. VIGIL_OK or VIGIL_FATAL.
 */
int vigil_store_sweep_begin(vigil_store *st, const char *const *roots,
			    size_t n, const vigil_store_parts *parts);
/* vigil_reuse_fn: ctx is the store. Thread-safe during the sweep. */
int vigil_store_reuse(void *ctx, const char *path, const vigil_file_stat *fs,
		      vigil_reuse *out);
/* Record one result (from the scanner's serialised callback). */
void vigil_store_record(vigil_store *st, const vigil_file_result *r);
/*
 * End the sweep: write what is pending; complete (every root swept to its
 * end): also drop the rows of files below the roots not seen. VIGIL_OK,
 * or VIGIL_FAILED when something could not be written (diagnosed).
 */
int vigil_store_sweep_end(vigil_store *st, int complete);

/* Rows written, rows dropped by the last sweep. */
void vigil_store_sweep_counts(const vigil_store *st, uint64_t *written,
			      uint64_t *dropped);

/*
 * Match iocs (hash IOCs against stored digests, file-name IOCs against
 * stored paths) over every stored file; fn gets each file with hits
 * (r->stat, r->findings) and the time (ns since the epoch) of the latest
 * sweep that saw it. VIGIL_OK or VIGIL_FATAL.
 */
typedef void (*vigil_hunt_fn)(void *ctx, const vigil_file_result *r,
			      int64_t seen_ns);
int vigil_store_hunt(vigil_store *st, const vigil_iocs *iocs,
		     vigil_hunt_fn fn, void *ctx, uint64_t *files_checked);

/*
 * Reading the store back out, for vigil push (lib/store/store_export.c).
 * The sweeps the store recorded, newest first, and the stored files whose
 * rows a sweep after a given one wrote (a reused, unchanged file keeps
 * the id of the sweep that wrote it), with their findings.
 */
typedef struct vigil_store_sweep_info {
	int64_t id;
	int64_t started_ns, finished_ns; /* finished 0: never ended */
	int complete;
	const char *vigil_version;       /* valid until the next call */
} vigil_store_sweep_info;

/* The newest sweep (VIGIL_OK), none yet (VIGIL_WARN), or VIGIL_FATAL. */
int vigil_store_last_sweep(vigil_store *st, vigil_store_sweep_info *out);
/* The sweep numbered id: VIGIL_OK, VIGIL_WARN (no such sweep), FATAL. */
int vigil_store_sweep_info_of(vigil_store *st, int64_t id,
			      vigil_store_sweep_info *out);

typedef struct vigil_store_row {
	const char *key;    /* the stored path (canonical root + rest): bytes */
	const char *shown;  /* the path as the sweep showed it */
	vigil_file_stat fs;
	const char *md5, *sha1, *sha256; /* lower-case hex */
	int skip, score, file_class;
	int64_t sweep_id;   /* the sweep that wrote the row */
	const vigil_finding *findings;
	size_t nfindings;
} vigil_store_row;

/* fn returns 0 to go on, non-zero to stop (returned as VIGIL_FAILED). */
typedef int (*vigil_store_row_fn)(void *ctx, const vigil_store_row *row);

/*
 * Every stored file whose row a sweep numbered above after_sweep wrote,
 * in path order; *nfiles (may be NULL): the number of stored files.
 * VIGIL_OK, VIGIL_FAILED (fn stopped), VIGIL_FATAL (diagnosed).
 */
int vigil_store_export(vigil_store *st, int64_t after_sweep,
		       vigil_store_row_fn fn, void *ctx, uint64_t *nfiles);
/* Every stored path (key), in path order; fn as above. */
typedef int (*vigil_store_path_fn)(void *ctx, const char *key);
int vigil_store_export_paths(vigil_store *st, vigil_store_path_fn fn, void *ctx);

/* Delivery of sweeps elsewhere (vigil push): record in the table pushes
 * that the sweeps up to sweep_id went to target (a host id). What the
 * next push sends is decided by the receiving database, which knows what
 * it holds; this is the host's own record. VIGIL_OK or VIGIL_FATAL. */
int vigil_store_mark_pushed(vigil_store *st, const char *target, int64_t sweep_id);

#ifdef __cplusplus
}
#endif

#endif
