/*
 * Fleet mode: every host's sweeps in one PostgreSQL database (libpq).
 * A host pushes what its local store holds (vigil_fleet_push: the rows
 * changed since its last delivered sweep, by COPY, in one transaction
 * keyed by host and sweep id, so a retry never duplicates); analysts ask
 * the whole fleet (hunt, file, findings, hosts). Connection strings are
 * libpq's (postgresql:// URLs, key=value, libpq's environment variables
 * and service files). Every string from a host is COPY data or a query
 * parameter, never SQL text.
 */
#ifndef VIGIL_FLEET_H
#define VIGIL_FLEET_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "iocs.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_fleet vigil_fleet;

typedef struct vigil_fleet_options {
	const char *db;               /* libpq connection string or URL; NULL: libpq's env */
	const char *host_id;          /* NULL: vigil_fleet_machine_host_id() */
	const char *hostname;         /* NULL: uname's nodename */
	const char *os;               /* NULL: uname's sysname and release */
	const char *content_version;  /* the content's identity; NULL: "" */
	int connect_timeout_s;        /* 0: 10 s */
} vigil_fleet_options;

void vigil_fleet_options_init(vigil_fleet_options *opt);

/* The schema and roles (SQL text for the database owner). */
const char *vigil_fleet_schema_sql(void);

/*
 * The stable host id of this machine: the first 32 hex digits of a
 * SHA-256 over a vigil-specific salt and the machine id read from path
 * (NULL: /etc/machine-id); the raw id never leaves the machine.
 * VIGIL_OK or VIGIL_FATAL (unreadable, empty).
 */
int vigil_fleet_machine_host_id(const char *path, char out[33]);
/* 1 when id is a usable host id: 1..50 of A-Z a-z 0-9 . _ - */
int vigil_fleet_host_id_valid(const char *id);

/*
 * Connect. A server that cannot be reached gives VIGIL_FAILED (the
 * caller may spool and retry later); anything else wrong VIGIL_FATAL.
 */
int vigil_fleet_connect(const vigil_fleet_options *opt, vigil_diag_fn diag,
			void *ctx, vigil_fleet **out);
void vigil_fleet_close(vigil_fleet *f); /* NULL is fine */

/* Run the schema (vigil_fleet_schema_sql) in the connected database. */
int vigil_fleet_init_db(vigil_fleet *f);

typedef struct vigil_fleet_push_stats {
	int64_t sweep_id;   /* the newest sweep delivered (0: none in the store) */
	int64_t since;      /* the host's sweep the database held before */
	uint64_t files;     /* files the local store holds */
	uint64_t sent;      /* rows sent (changed since `since`) */
	uint64_t removed;   /* files the database held that the store no longer has */
	uint64_t findings;  /* findings sent */
	int already;        /* the database already had sweep_id: nothing sent */
} vigil_fleet_push_stats;

/*
 * Deliver the local store's newest sweep: the rows written after the
 * newest sweep of this host the database holds (all when none), then
 * record in the store that it was delivered. VIGIL_OK; VIGIL_FAILED
 * when the server went away (nothing of this push was kept: retry);
 * VIGIL_FATAL otherwise (diagnosed).
 */
int vigil_fleet_push(vigil_fleet *f, vigil_store *st, vigil_fleet_push_stats *out);

/* One answer of a fleet query; fields that do not apply are NULL / 0. */
typedef struct vigil_fleet_row {
	const char *host_id, *hostname;
	const char *path;                /* escaped display form */
	const char *md5, *sha1, *sha256;
	const char *first_seen, *last_seen; /* ISO 8601, UTC */
	int present;                     /* still in the host's current file set */
	const char *ioc;                 /* hunt: the IOC that matched */
	const char *ioc_comment;
	const char *ioc_source;
	int score;
	/* findings */
	const char *kind, *ident, *message;
	/* hosts */
	const char *os, *vigil_version, *content_version;
	const char *swept;               /* the last sweep's start (ISO 8601) */
	int64_t sweep_id, files;
	int complete, stale;
} vigil_fleet_row;

typedef void (*vigil_fleet_row_fn)(void *ctx, const vigil_fleet_row *row);

/*
 * Hash IOCs (sent by COPY into a temporary table, joined on the indexed
 * digests) and file-name IOCs (vigil's own matcher over the distinct
 * reported paths) against every version of every file any host reported:
 * one row per host, path and IOC, with first and last seen. *matches:
 * rows given. VIGIL_OK or VIGIL_FATAL.
 */
int vigil_fleet_hunt(vigil_fleet *f, const vigil_iocs *iocs,
		     vigil_fleet_row_fn fn, void *ctx, uint64_t *matches);
/* Where a file is: by digest (32, 40 or 64 hex digits) or by a glob on
 * the file name (* and ?); one row per host and path, sorted by host. */
int vigil_fleet_file(vigil_fleet *f, const char *what, vigil_fleet_row_fn fn,
		     void *ctx, uint64_t *matches);
/* Findings in the current file sets, newer than since (ISO 8601 text or
 * NULL) and scoring at least min_score. */
int vigil_fleet_findings(vigil_fleet *f, const char *since, int min_score,
			 vigil_fleet_row_fn fn, void *ctx, uint64_t *matches);
/* Every host with its last sweep (last_seen: its last push); stale_days
 * > 0: only hosts whose last push is older than that many days. */
int vigil_fleet_hosts(vigil_fleet *f, int stale_days, vigil_fleet_row_fn fn,
		      void *ctx, uint64_t *matches);

#ifdef __cplusplus
}
#endif

#endif
