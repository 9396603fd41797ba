/*
 * The store's file (see include/vigil/store.h): open or create it (mode
 * 0600, WAL), refuse what is not a vigil store, is damaged or is newer,
 * and upgrade older schemas with ordered migration steps. The schema is
 * portable SQL (no SQLite-only types): integers for times in nanoseconds,
 * digests as lower-case hex text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "store/store_internal.h"

/* Migration step i takes the schema from version i to i + 1. */
static const char *const migrations[VIGIL_STORE_SCHEMA] = {
	/* 0 -> 1: the tables */
	"CREATE TABLE meta ("
	" name VARCHAR(64) PRIMARY KEY,"
	" value VARCHAR(256) NOT NULL);"
	"CREATE TABLE sweeps ("
	" id BIGINT PRIMARY KEY,"
	" started_ns BIGINT NOT NULL,"
	" finished_ns BIGINT,"
	" complete INTEGER NOT NULL,"
	" vigil_version VARCHAR(64) NOT NULL);"
	"CREATE TABLE files ("
	" path TEXT PRIMARY KEY,"
	" shown TEXT NOT NULL,"
	" dev BIGINT NOT NULL, ino BIGINT NOT NULL, size BIGINT NOT NULL,"
	" mtime_ns BIGINT NOT NULL, ctime_ns BIGINT NOT NULL,"
	" mode INTEGER NOT NULL, uid BIGINT NOT NULL, gid BIGINT NOT NULL,"
	" md5 CHAR(32) NOT NULL, sha1 CHAR(40) NOT NULL, sha256 CHAR(64) NOT NULL,"
	" skip INTEGER NOT NULL, score INTEGER NOT NULL,"
	" hash_iocs_id VARCHAR(64) NOT NULL, name_iocs_id VARCHAR(64) NOT NULL,"
	" rules_id VARCHAR(64) NOT NULL, checks_id VARCHAR(64) NOT NULL,"
	" sweep_id BIGINT NOT NULL, seen_sweep_id BIGINT NOT NULL);"
	"CREATE TABLE findings ("
	" path TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" part VARCHAR(8) NOT NULL,"
	" kind VARCHAR(16) NOT NULL,"
	" ident TEXT NOT NULL,"
	" score INTEGER NOT NULL,"
	" level INTEGER NOT NULL,"
	" source TEXT NOT NULL,"
	" message TEXT NOT NULL,"
	" evidence TEXT,"
	" PRIMARY KEY (path, seq));"
	"INSERT INTO meta (name, value) VALUES ('application', 'vigil');"
	"INSERT INTO meta (name, value) VALUES ('schema_version', '1');",
	/* 1 -> 2: the file class, and the digests indexed for the hunt */
	"ALTER TABLE files ADD COLUMN file_class INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX files_md5 ON files (md5);"
	"CREATE INDEX files_sha1 ON files (sha1);"
	"CREATE INDEX files_sha256 ON files (sha256);"
	"UPDATE meta SET value = '2' WHERE name = 'schema_version';",
	/* 2 -> 3: the integrity baseline (vigil baseline) */
	"CREATE TABLE baseline_meta ("
	" name VARCHAR(64) PRIMARY KEY,"
	" value TEXT NOT NULL);"
	"CREATE TABLE baseline_roots ("
	" path TEXT PRIMARY KEY);"
	"CREATE TABLE baseline_files ("
	" path TEXT PRIMARY KEY,"
	" file_type VARCHAR(8) NOT NULL,"
	" attrs INTEGER NOT NULL,"
	" mode INTEGER NOT NULL, uid BIGINT NOT NULL, gid BIGINT NOT NULL,"
	" size BIGINT NOT NULL, mtime_ns BIGINT NOT NULL, ctime_ns BIGINT NOT NULL,"
	" dev BIGINT NOT NULL, ino BIGINT NOT NULL, nlink BIGINT NOT NULL,"
	" link_target TEXT,"
	" sha256 CHAR(64));"
	"CREATE TABLE baseline_xattrs ("
	" path TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" value_hex TEXT NOT NULL,"
	" PRIMARY KEY (path, name));"
	"UPDATE meta SET value = '3' WHERE name = 'schema_version';",
};

void vigil_store_options_init(vigil_store_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->quick_check = 1;
}

int64_t vg_store_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void vg_store_fail(vigil_store *st, const char *what)
{
	vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
		"store: %s: %s", what, st->db ? sqlite3_errmsg(st->db) : "no database");
}

int vg_store_exec(vigil_store *st, const char *sql, const char *what)
{
	char *err = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
		"store: %s: %s", what, err ? err : sqlite3_errmsg(st->db));
	sqlite3_free(err);
	return -1;
}

int vg_store_version(vigil_store *st)
{
	sqlite3_stmt *q = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT value FROM meta WHERE name = 'schema_version'",
			       -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(q, 0);
			char *end;
			long n = t ? strtol(t, &end, 10) : -1;
			v = t && *end == '\0' && n >= 0 && n < 1000000 ? (int)n : -1;
		}
		sqlite3_finalize(q);
		return v;
	}
	/* no meta table: an empty database is version 0 */
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1,
			       &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0)
		v = 0;
	sqlite3_finalize(q);
	return v;
}

int vg_store_migrate(vigil_store *st, int version)
{
	if (version > VIGIL_STORE_SCHEMA)
		return -1;
	for (;;) {
		if (vg_store_exec(st, "BEGIN IMMEDIATE", "unable to lock for the upgrade"))
			return -1;
		/* read again under the lock: another vigil may have upgraded */
		int v = vg_store_version(st);
		if (v < 0 || v >= version) {
			vg_store_exec(st, "ROLLBACK", "rollback");
			if (v < 0)
				vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
					"store: not a vigil store (no schema version)");
			return v < 0 ? -1 : 0;
		}
		if (vg_store_exec(st, migrations[v], "unable to upgrade the schema")) {
			vg_store_exec(st, "ROLLBACK", "rollback");
			return -1;
		}
		if (vg_store_exec(st, "COMMIT", "unable to commit the upgrade"))
			return -1;
	}
}

int vg_store_part_of(const char *kind)
{
	if (strcmp(kind, "hash") == 0)
		return VG_PART_HASH;
	if (strcmp(kind, "filename") == 0)
		return VG_PART_NAME;
	if (strcmp(kind, "yara") == 0)
		return VG_PART_RULES;
	return VG_PART_CHECKS;
}

const char *vg_store_part_name(int part)
{
	static const char *const names[VG_PARTS] = {"hash", "name", "rules", "checks"};
	return part >= 0 && part < VG_PARTS ? names[part] : "checks";
}

/* Remove the file and its WAL and shared-memory companions. */
static int remove_store(vigil_store *st)
{
	const char *suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
		char *p = vg_asprintf("%s%s", st->path, suffix[i]);
		if (!p)
			return -1;
		struct stat sb;
		if (lstat(p, &sb) == 0 && !S_ISREG(sb.st_mode)) {
			vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, p, 0,
				"store: not a regular file, not removed");
			free(p);
			return -1;
		}
		if (unlink(p) != 0 && errno != ENOENT) {
			vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, p, 0,
				"store: unable to remove: %s", strerror(errno));
			free(p);
			return -1;
		}
		free(p);
	}
	return 0;
}

/* The file exists as a regular file of mode 0600 (created so if absent). */
static int prepare_file(vigil_store *st)
{
	int fd = open(st->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0) {
		vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
			"store: unable to open: %s", strerror(errno));
		return -1;
	}
	struct stat sb;
	int ok = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	if (!ok)
		vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
			"store: not a regular file");
	else if ((sb.st_mode & 077) && sb.st_uid == geteuid())
		(void)fchmod(fd, 0600);
	close(fd);
	return ok ? 0 : -1;
}

static int quick_check(vigil_store *st)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &q, NULL) != SQLITE_OK) {
		vg_store_fail(st, "damaged store file (use --rebuild to start a new one)");
		return -1;
	}
	int rc = sqlite3_step(q);
	const char *t = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
	int ok = t && strcmp(t, "ok") == 0;
	if (!ok)
		vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
			"store: damaged store file (%s); use --rebuild to start a new one",
			t ? t : sqlite3_errmsg(st->db));
	sqlite3_finalize(q);
	return ok ? 0 : -1;
}

int vigil_store_open(const vigil_store_options *opt, vigil_diag_fn diag,
		     void *ctx, vigil_store **out)
{
	*out = NULL;
	vigil_store *st = calloc(1, sizeof *st);
	if (!st || !opt->path || !(st->path = vg_strdup(opt->path))) {
		free(st);
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, NULL, 0, "store: out of memory or no path");
		return VIGIL_FATAL;
	}
	st->diag = diag;
	st->diag_ctx = ctx;
	if ((opt->rebuild && remove_store(st)) || prepare_file(st))
		goto fail;
	if (sqlite3_open_v2(st->path, &st->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		vg_store_fail(st, "unable to open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : 30000);
	sqlite3_stmt *q = NULL;
	const char *mode = NULL;
	if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode=WAL", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		mode = (const char *)sqlite3_column_text(q, 0);
	int wal = mode && strcmp(mode, "wal") == 0;
	if (!wal) {
		int code = sqlite3_errcode(st->db);
		if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
			vg_store_fail(st, "busy: another vigil holds the store");
		else
			vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
				"store: not an SQLite database or damaged (%s); use --rebuild to start a new one",
				sqlite3_errmsg(st->db));
	}
	sqlite3_finalize(q);
	if (!wal)
		goto fail;
	if (opt->quick_check && quick_check(st))
		goto fail;
	if (vg_store_exec(st, "PRAGMA synchronous=NORMAL", "unable to set synchronous"))
		goto fail;
	int v = vg_store_version(st);
	if (v < 0) {
		vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
			"store: not a vigil store (tables without a schema version); use --rebuild to start a new one");
		goto fail;
	}
	if (v > VIGIL_STORE_SCHEMA) {
		vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
			"store: written by a newer vigil (schema %d, this vigil knows %d); not changed",
			v, VIGIL_STORE_SCHEMA);
		goto fail;
	}
	if (v < VIGIL_STORE_SCHEMA && vg_store_migrate(st, VIGIL_STORE_SCHEMA))
		goto fail;
	*out = st;
	return VIGIL_OK;
fail:
	vigil_store_close(st);
	return VIGIL_FATAL;
}

void vigil_store_close(vigil_store *st)
{
	if (!st)
		return;
	vg_store_sweep_abort(st);
	if (st->db)
		sqlite3_close(st->db);
	free(st->path);
	free(st);
}

void vigil_store_sweep_counts(const vigil_store *st, uint64_t *written,
			      uint64_t *dropped)
{
	*written = st->written;
	*dropped = st->dropped;
}
