/*
 * The sweep: walk paths, read each file once, hash it, match hash and
 * file-name IOCs, run YARA rules and structural checks on the same bytes.
 */
#ifndef VIGIL_SCAN_H
#define VIGIL_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "filestate.h"
#include "finding.h"
#include "iocs.h"
#include "rules.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_scan_options {
	unsigned threads;        /* 0: online CPUs */
	int follow_symlinks;
	int one_file_system;
	uint64_t max_size;       /* bytes given to YARA; 0: 128 MiB */
	uint64_t max_hash_size;  /* larger files are not read (skip HASH_LIMIT);
				  * 0: 4 GiB, UINT64_MAX: no limit */
	const char *const *excludes; /* globs on the full path */
	size_t nexcludes;
	int cpu_limit;           /* percent of the machine, 0: none */
	int no_checks;           /* turn the structural tampering checks off */
	int report_all;          /* call on_file for clean files too */
	int strings;             /* YARA findings carry their matched strings */
	/* containers (archives, installers, images) are opened and every
	 * member examined like a file, unless no_archives; the limits, 0
	 * for the defaults of docs/cli.md (depth 10, 8 GiB expanded per
	 * file, ratio 200 over a 1 GiB floor, 100,000 members per
	 * container, members of 4 GiB); members larger than max_size are
	 * streamed through the digests */
	int no_archives;
	unsigned max_depth;
	uint64_t max_expanded;
	uint64_t max_ratio;
	uint64_t max_members;
	uint64_t max_member_size;
	/* vigil's own files and directories (content loaded, rules cache):
	 * pruned wherever the walk meets them below a root, by identity
	 * (device and inode), counted in self_excluded */
	const char *const *self_paths;
	size_t nself_paths;
	/* bytes of file and member buffers all workers hold at once (one
	 * budget shared by the threads: a worker waits for bytes others
	 * give back; a file larger than the budget can hold is streamed,
	 * skip TOO_LARGE); 0: a quarter of physical memory, at most 1 GiB;
	 * UINT64_MAX: no budget (threads x max_size) */
	uint64_t memory_limit;
} vigil_scan_options;


typedef struct vigil_scan_stats {
	uint64_t files_seen;
	uint64_t files_scanned;  /* read and examined (fully or hashed only) */
	uint64_t files_reused;   /* results from the reuse hook, not read */
	uint64_t bytes_read;
	uint64_t dirs_seen;
	uint64_t excluded;       /* paths pruned by the exclude globs */
	uint64_t self_excluded;  /* paths pruned as one of self_paths */
	uint64_t skipped[VIGIL_SKIP_COUNT];
	uint64_t errors[VIGIL_ERR_COUNT];
	uint64_t files_by_level[4]; /* indexed by vigil_level, members too */
	uint64_t containers;     /* containers opened, at every level */
	uint64_t members;        /* members listed */
	uint64_t bytes_expanded; /* member bytes read, at every level */
	uint64_t limit_hits;     /* unpacking limits hit (skip "limit") */
	uint64_t memory_limit;   /* the memory budget in bytes (0: none) */
	uint64_t memory_peak;    /* most bytes of it held at once */
	uint64_t memory_waits;   /* files that waited for bytes of it */
	uint64_t memory_refused; /* files and members streamed for want of it */
	double elapsed;          /* seconds since run started */
} vigil_scan_stats;

typedef struct vigil_scanner vigil_scanner;

/* Called, serialised, for each file with findings, a skip or an error. */
typedef void (*vigil_file_fn)(void *ctx, const vigil_file_result *r);

/* Defaults: every field 0 but max_size (128 MiB) and max_hash_size
 * (4 GiB). */
void vigil_scan_options_init(vigil_scan_options *opt);

/* iocs (sealed: vigil_iocs_seal) and rules (finished) are borrowed, either
 * may be NULL, and must outlive the scanner. */
vigil_scanner *vigil_scanner_create(const vigil_scan_options *opt,
				    const vigil_iocs *iocs,
				    const vigil_rules *rules);
void vigil_scanner_destroy(vigil_scanner *s);
void vigil_scanner_set_callback(vigil_scanner *s, vigil_file_fn fn, void *ctx);
void vigil_scanner_set_diag(vigil_scanner *s, vigil_diag_fn fn, void *ctx);
/* Ask fn before reading each regular file (see filestate.h). */
void vigil_scanner_set_reuse(vigil_scanner *s, vigil_reuse_fn fn, void *ctx);
/* Rules loaded late: fn is called once, by the first worker that must
 * read a file, and gives the finished rules (NULL: none) through *out;
 * they replace those given to create. Not VIGIL_OK: the sweep stops and
 * run returns VIGIL_FATAL. A re-sweep that reads nothing loads nothing. */
typedef int (*vigil_rules_fn)(void *ctx, const vigil_rules **out);
void vigil_scanner_set_rules_loader(vigil_scanner *s, vigil_rules_fn fn,
				    void *ctx);

/* Sweep the roots. VIGIL_OK when the sweep ran (whatever it found);
 * VIGIL_FAILED when it ran but a root could not be swept (missing,
 * unreadable, neither file nor directory: said through the diagnostic
 * callback, the other roots swept); VIGIL_FATAL when it could not run. */
int vigil_scanner_run(vigil_scanner *s, const char *const *roots, size_t n);

/* Ask a running sweep to end early: the walk queues no more files, the
 * workers finish the file at hand (its members too) and take no other;
 * vigil_scanner_run then returns as it would at the end (VIGIL_OK, or
 * VIGIL_FAILED for a root that failed before). Only an atomic store:
 * safe from a signal handler and from any thread, also before run
 * (which then sweeps nothing). Not undone: the scanner stays stopped. */
void vigil_scanner_stop(vigil_scanner *s);

/* A consistent-enough snapshot, safe to call from another thread. */
void vigil_scanner_stats(vigil_scanner *s, vigil_scan_stats *out);

/*
 * The sweep's matching of one file's bytes, for a caller that has the bytes
 * already (`vigil inspect`): hash IOCs, file-name IOCs on name, YARA (with
 * the externals from name; owner_uid for `owner`, -1 when unknown) and,
 * when checks is 1, the structural checks. iocs (sealed) and rules
 * (finished) may be NULL. fn is called once, before the return, with the
 * result (findings strongest first, valid during the call; r->error when
 * YARA failed). VIGIL_OK; VIGIL_WARN when part of the matching failed
 * (fn's r->error says what); VIGIL_FATAL when out of memory (fn not called).
 */
int vigil_match_buffer(const vigil_iocs *iocs, const vigil_rules *rules, const char *name,
		       const uint8_t *buf, size_t len, long owner_uid, int checks,
		       vigil_file_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
