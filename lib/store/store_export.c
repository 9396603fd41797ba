/*
 * Reading the store back out for delivery elsewhere (vigil push): the
 * sweeps, the rows written after a given sweep with their findings, the
 * stored paths, and which sweeps went where (the pushes table, made on
 * first use; older vigils never read it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/report.h>

#include "base/util.h"
#include "store/store_internal.h"

static const char *text_of(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? (const char *)t : "";
}

static int sweep_query(vigil_store *st, const char *sql, int64_t id,
		       vigil_store_sweep_info *out)
{
	static _Thread_local char version[64];
	sqlite3_stmt *q = NULL;
	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK ||
	    (id && sqlite3_bind_int64(q, 1, id) != SQLITE_OK)) {
		vg_store_fail(st, "unable to read the sweeps");
		sqlite3_finalize(q);
		return VIGIL_FATAL;
	}
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(q, 0);
		out->started_ns = sqlite3_column_int64(q, 1);
		out->finished_ns = sqlite3_column_type(q, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 2);
		out->complete = sqlite3_column_int(q, 3);
		snprintf(version, sizeof version, "%s", text_of(q, 4));
		out->vigil_version = version;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		return VIGIL_OK;
	if (rc == SQLITE_DONE)
		return VIGIL_WARN;
	vg_store_fail(st, "unable to read the sweeps");
	return VIGIL_FATAL;
}

int vigil_store_last_sweep(vigil_store *st, vigil_store_sweep_info *out)
{
	return sweep_query(st, "SELECT id, started_ns, finished_ns, complete, vigil_version"
			       " FROM sweeps ORDER BY id DESC LIMIT 1", 0, out);
}

int vigil_store_sweep_info_of(vigil_store *st, int64_t id, vigil_store_sweep_info *out)
{
	if (id <= 0) {
		memset(out, 0, sizeof *out);
		return VIGIL_WARN;
	}
	return sweep_query(st, "SELECT id, started_ns, finished_ns, complete, vigil_version"
			       " FROM sweeps WHERE id = ?1", id, out);
}

/* The findings of one path from the findings cursor (ordered by path,
 * seq), which is left on the first row of a later path. */
struct fcursor {
	sqlite3_stmt *q;
	int rc;           /* of the last step */
	vigil_finding *f;
	size_t n, cap;
};

static int take_findings(struct fcursor *c, const char *key)
{
	c->n = 0;
	while (c->rc == SQLITE_ROW) {
		const char *p = text_of(c->q, 0);
		int cmp = strcmp(p, key);
		if (cmp > 0)
			break;
		if (cmp == 0) {
			if (!vg_grow(&c->f, &c->cap, c->n + 1, sizeof *c->f))
				return -1;
			vigil_finding *f = &c->f[c->n];
			memset(f, 0, sizeof *f);
			/* the column strings stay valid until the next step:
			 * copied, freed by the caller after fn */
			f->kind = vg_strdup(text_of(c->q, 1));
			f->id = vg_strdup(text_of(c->q, 2));
			f->score = sqlite3_column_int(c->q, 3);
			f->level = vigil_score_level(f->score);
			f->source = vg_strdup(text_of(c->q, 4));
			f->message = vg_strdup(text_of(c->q, 5));
			f->evidence = sqlite3_column_type(c->q, 6) == SQLITE_NULL
					      ? NULL : vg_strdup(text_of(c->q, 6));
			c->n++;
			if (!f->kind || !f->id || !f->source || !f->message)
				return -1;
		}
		c->rc = sqlite3_step(c->q);
	}
	return c->rc == SQLITE_ROW || c->rc == SQLITE_DONE ? 0 : -1;
}

static void drop_findings(struct fcursor *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free((char *)c->f[i].kind);
		free((char *)c->f[i].id);
		free((char *)c->f[i].source);
		free((char *)c->f[i].message);
		free((char *)c->f[i].evidence);
	}
	c->n = 0;
}

int vigil_store_export(vigil_store *st, int64_t after_sweep,
		       vigil_store_row_fn fn, void *ctx, uint64_t *nfiles)
{
	sqlite3_stmt *q = NULL, *cnt = NULL;
	struct fcursor c = {0};
	int status = VIGIL_FATAL;
	if (vg_store_exec(st, "BEGIN", "unable to read the store"))
		return VIGIL_FATAL;
	int ok = sqlite3_prepare_v2(st->db,
				    "SELECT path, shown, dev, ino, size, mtime_ns, ctime_ns, mode, uid, gid,"
				    " md5, sha1, sha256, skip, score, file_class, sweep_id"
				    " FROM files WHERE sweep_id > ?1 ORDER BY path",
				    -1, &q, NULL) == SQLITE_OK &&
		 sqlite3_bind_int64(q, 1, after_sweep) == SQLITE_OK &&
		 sqlite3_prepare_v2(st->db,
				    "SELECT g.path, g.kind, g.ident, g.score, g.source, g.message, g.evidence"
				    " FROM findings g JOIN files f ON f.path = g.path"
				    " WHERE f.sweep_id > ?1 ORDER BY g.path, g.seq",
				    -1, &c.q, NULL) == SQLITE_OK &&
		 sqlite3_bind_int64(c.q, 1, after_sweep) == SQLITE_OK &&
		 sqlite3_prepare_v2(st->db, "SELECT count(*) FROM files", -1, &cnt, NULL) == SQLITE_OK &&
		 sqlite3_step(cnt) == SQLITE_ROW;
	if (!ok) {
		vg_store_fail(st, "unable to read the stored files");
		goto done;
	}
	if (nfiles)
		*nfiles = (uint64_t)sqlite3_column_int64(cnt, 0);
	c.rc = sqlite3_step(c.q);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		vigil_store_row r = {0};
		r.key = text_of(q, 0);
		r.shown = text_of(q, 1);
		r.fs.dev = (uint64_t)sqlite3_column_int64(q, 2);
		r.fs.ino = (uint64_t)sqlite3_column_int64(q, 3);
		r.fs.size = (uint64_t)sqlite3_column_int64(q, 4);
		r.fs.mtime_ns = sqlite3_column_int64(q, 5);
		r.fs.ctime_ns = sqlite3_column_int64(q, 6);
		r.fs.mode = (uint32_t)sqlite3_column_int64(q, 7);
		r.fs.uid = (uint32_t)sqlite3_column_int64(q, 8);
		r.fs.gid = (uint32_t)sqlite3_column_int64(q, 9);
		r.md5 = text_of(q, 10);
		r.sha1 = text_of(q, 11);
		r.sha256 = text_of(q, 12);
		r.skip = sqlite3_column_int(q, 13);
		r.score = sqlite3_column_int(q, 14);
		r.file_class = sqlite3_column_int(q, 15);
		r.sweep_id = sqlite3_column_int64(q, 16);
		if (take_findings(&c, r.key)) {
			drop_findings(&c);
			vg_store_fail(st, "unable to read the stored findings");
			goto done;
		}
		r.findings = c.f;
		r.nfindings = c.n;
		int stop = fn(ctx, &r);
		drop_findings(&c);
		if (stop) {
			status = VIGIL_FAILED;
			goto done;
		}
	}
	if (rc != SQLITE_DONE) {
		vg_store_fail(st, "unable to read the stored files");
		goto done;
	}
	status = VIGIL_OK;
done:
	free(c.f);
	sqlite3_finalize(c.q);
	sqlite3_finalize(q);
	sqlite3_finalize(cnt);
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	return status;
}

int vigil_store_export_paths(vigil_store *st, vigil_store_path_fn fn, void *ctx)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT path FROM files ORDER BY path", -1, &q, NULL) != SQLITE_OK) {
		vg_store_fail(st, "unable to read the stored paths");
		return VIGIL_FATAL;
	}
	int rc, status = VIGIL_OK;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (fn(ctx, text_of(q, 0))) {
			status = VIGIL_FAILED;
			break;
		}
	if (status == VIGIL_OK && rc != SQLITE_DONE) {
		vg_store_fail(st, "unable to read the stored paths");
		status = VIGIL_FATAL;
	}
	sqlite3_finalize(q);
	return status;
}

#define PUSHES "CREATE TABLE IF NOT EXISTS pushes (" \
	       " target TEXT PRIMARY KEY, sweep_id BIGINT NOT NULL, pushed_ns BIGINT NOT NULL)"

int vigil_store_mark_pushed(vigil_store *st, const char *target, int64_t sweep_id)
{
	if (vg_store_exec(st, PUSHES, "unable to record the push"))
		return VIGIL_FATAL;
	sqlite3_stmt *q = NULL;
	int ok = sqlite3_prepare_v2(st->db,
				    "INSERT INTO pushes (target, sweep_id, pushed_ns) VALUES (?1, ?2, ?3)"
				    " ON CONFLICT (target) DO UPDATE SET sweep_id = max(sweep_id, excluded.sweep_id),"
				    " pushed_ns = excluded.pushed_ns",
				    -1, &q, NULL) == SQLITE_OK &&
		 sqlite3_bind_text(q, 1, target, -1, SQLITE_STATIC) == SQLITE_OK &&
		 sqlite3_bind_int64(q, 2, sweep_id) == SQLITE_OK &&
		 sqlite3_bind_int64(q, 3, vg_store_now_ns()) == SQLITE_OK &&
		 sqlite3_step(q) == SQLITE_DONE;
	if (!ok)
		vg_store_fail(st, "unable to record the push");
	sqlite3_finalize(q);
	return ok ? VIGIL_OK : VIGIL_FATAL;
}
