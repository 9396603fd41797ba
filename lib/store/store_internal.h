/* Internals shared by the store's files (lib/store/). */
#ifndef VIGIL_STORE_INTERNAL_H
#define VIGIL_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include <vigil/store.h>

#include "base/strpool.h"

/* The parts of a result, each with its own content identity. */
enum { VG_PART_HASH, VG_PART_NAME, VG_PART_RULES, VG_PART_CHECKS, VG_PARTS };

struct vg_store_sweep; /* store_sweep.c */

struct vigil_store {
	sqlite3 *db;
	char *path;
	vigil_diag_fn diag;
	void *diag_ctx;
	struct vg_store_sweep *sweep; /* during a sweep */
	uint64_t written, dropped;
};

/* Apply the migrations up to version (1..VIGIL_STORE_SCHEMA) to db, each
 * in its own transaction; the schema version read from meta (0 when the
 * database is empty) decides where to start. 0, or -1 with a diagnostic. */
int vg_store_migrate(vigil_store *st, int version);
/* The schema version of db: 0 empty, -1 not a vigil store or unreadable. */
int vg_store_version(vigil_store *st);
/* Run one statement without results; 0 or -1 (diagnosed with what). */
int vg_store_exec(vigil_store *st, const char *sql, const char *what);
/* A diagnostic naming the store file, with SQLite's message. */
void vg_store_fail(vigil_store *st, const char *what);
/* The part a finding's kind belongs to. */
int vg_store_part_of(const char *kind);
const char *vg_store_part_name(int part);
/* Nanoseconds since the epoch. */
int64_t vg_store_now_ns(void);
/* Stop an unfinished sweep (close without sweep_end). */
void vg_store_sweep_abort(vigil_store *st);

#endif
