/*
 * vigil_fleet_push: the local store's newest sweep into the fleet
 * database, in one transaction:
 *   1. the host's newest delivered sweep (its number is where the delta
 *      starts); the same sweep again: nothing to do (a retry);
 *   2. the rows the store wrote after that sweep, with their findings,
 *      by COPY into temporary tables;
 *   3. the versions the staged rows replace into the history, the current
 *      set merged (INSERT ... ON CONFLICT), the findings inserted;
 *   4. when the database then holds more files for the host than the
 *      store does, every stored path by COPY, and the rest moved to the
 *      history as removed;
 *   5. the sweep's row and the host's: a second push of the same sweep
 *      at the same time waits on the key and then finds it delivered.
 * Nothing is kept unless all of it commits, so a connection lost at any
 * point leaves the database as it was and the sweep spooled in the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fleet/fleet_internal.h"

#define FLUSH_BYTES (1u << 20)

struct push {
	vigil_fleet *f;
	struct vg_copybuf rows, fnd;
	uint64_t sent, findings;
	int failed;
};

static void time_param(int64_t ns, char out[32])
{
	/* seconds with microseconds, for to_timestamp() */
	long long s = (long long)(ns / 1000000000), us = (long long)(ns % 1000000000) / 1000;
	if (us < 0) {
		s--;
		us += 1000000;
	}
	snprintf(out, 32, "%lld.%06lld", s, us);
}

static int on_row(void *ctx, const vigil_store_row *r)
{
	struct push *p = ctx;
	struct vg_copybuf *b = &p->rows;
	size_t klen = strlen(r->key);
	vg_copy_bytea(b, r->key, klen, '\t');
	vg_copy_text(b, r->shown, 1, '\t');
	vg_copy_int(b, (long long)r->fs.dev, '\t');
	vg_copy_int(b, (long long)r->fs.ino, '\t');
	vg_copy_int(b, (long long)r->fs.size, '\t');
	vg_copy_int(b, r->fs.mtime_ns, '\t');
	vg_copy_int(b, r->fs.ctime_ns, '\t');
	vg_copy_int(b, r->fs.mode, '\t');
	vg_copy_int(b, r->fs.uid, '\t');
	vg_copy_int(b, r->fs.gid, '\t');
	vg_copy_text(b, r->md5, 1, '\t');
	vg_copy_text(b, r->sha1, 1, '\t');
	vg_copy_text(b, r->sha256, 1, '\t');
	vg_copy_int(b, r->skip, '\t');
	vg_copy_int(b, r->score, '\t');
	vg_copy_int(b, r->file_class, '\t');
	vg_copy_int(b, r->sweep_id, '\n');
	p->sent++;
	for (size_t i = 0; i < r->nfindings; i++) {
		const vigil_finding *g = &r->findings[i];
		struct vg_copybuf *c = &p->fnd;
		vg_copy_bytea(c, r->key, klen, '\t');
		vg_copy_int(c, r->sweep_id, '\t');
		vg_copy_int(c, (long long)i, '\t');
		vg_copy_text(c, r->shown, 1, '\t');
		vg_copy_text(c, g->kind, 1, '\t');
		vg_copy_text(c, g->id, 1, '\t');
		vg_copy_int(c, g->score, '\t');
		vg_copy_int(c, g->level, '\t');
		vg_copy_text(c, g->source, 1, '\t');
		vg_copy_text(c, g->message, 1, '\t');
		if (g->evidence)
			vg_copy_text(c, g->evidence, 1, '\n');
		else
			vg_copy_null(c, '\n');
		p->findings++;
	}
	if (p->fnd.oom || (b->n >= FLUSH_BYTES && vg_fleet_copy_put(p->f, b))) {
		p->failed = 1;
		return 1;
	}
	return 0;
}

static int on_path(void *ctx, const char *key)
{
	struct push *p = ctx;
	vg_copy_bytea(&p->rows, key, strlen(key), '\n');
	if (p->rows.n >= FLUSH_BYTES && vg_fleet_copy_put(p->f, &p->rows)) {
		p->failed = 1;
		return 1;
	}
	return 0;
}

static int start_copy(vigil_fleet *f, const char *sql)
{
	PGresult *r = PQexec(f->conn, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		vg_fleet_fail_res(f, "unable to start sending rows", r);
		return -1;
	}
	PQclear(r);
	return 0;
}

static const char stage_sql[] =
	"CREATE TEMP TABLE stage_files ("
	" path bytea NOT NULL, shown text NOT NULL,"
	" dev bigint, ino bigint, size bigint, mtime_ns bigint, ctime_ns bigint,"
	" mode bigint, uid bigint, gid bigint, md5 text, sha1 text, sha256 text,"
	" skip integer, score integer, file_class integer, sweep_id bigint NOT NULL)"
	" ON COMMIT DROP;"
	"CREATE TEMP TABLE stage_findings ("
	" path bytea NOT NULL, sweep_id bigint NOT NULL, seq integer NOT NULL,"
	" shown text NOT NULL, kind text NOT NULL, ident text NOT NULL,"
	" score integer NOT NULL, level integer NOT NULL, source text NOT NULL,"
	" message text NOT NULL, evidence text) ON COMMIT DROP";

/* Step 3, before the merge: the versions the staged rows replace go to
 * the history. $1 host id. */
static const char history_sql[] =
	"INSERT INTO vigil.file_history (host_id, sweep_id, path, shown, change,"
	" size, md5, sha1, sha256, score, first_seen)"
	" SELECT $1, s.sweep_id, f.path, f.shown, 'M', f.size, f.md5, f.sha1,"
	" f.sha256, f.score, f.first_seen"
	" FROM pg_temp.stage_files s JOIN vigil.files f"
	" ON f.host_id = $1 AND f.path = s.path"
	" WHERE f.sha256 <> s.sha256 OR f.md5 <> s.md5"
	" ON CONFLICT DO NOTHING";
static const char merge_sql[] =
	"INSERT INTO vigil.files AS f (host_id, path, shown, dev, ino, size, mtime_ns,"
	" ctime_ns, mode, uid, gid, md5, sha1, sha256, skip, score, file_class,"
	" sweep_id, first_seen)"
	" SELECT $1, path, shown, dev, ino, size, mtime_ns, ctime_ns, mode, uid, gid,"
	" md5, sha1, sha256, skip, score, file_class, sweep_id, now()"
	" FROM pg_temp.stage_files"
	" ON CONFLICT (host_id, path) DO UPDATE SET shown = excluded.shown,"
	" dev = excluded.dev, ino = excluded.ino, size = excluded.size,"
	" mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,"
	" mode = excluded.mode, uid = excluded.uid, gid = excluded.gid,"
	" md5 = excluded.md5, sha1 = excluded.sha1, sha256 = excluded.sha256,"
	" skip = excluded.skip, score = excluded.score,"
	" file_class = excluded.file_class, sweep_id = excluded.sweep_id,"
	" first_seen = CASE WHEN f.sha256 = excluded.sha256 AND f.md5 = excluded.md5"
	" THEN f.first_seen ELSE excluded.first_seen END";
static const char findings_sql[] =
	"INSERT INTO vigil.findings (host_id, sweep_id, path, seq, shown, kind,"
	" ident, score, level, source, message, evidence)"
	" SELECT $1, sweep_id, path, seq, shown, kind, ident, score, level,"
	" source, message, evidence FROM pg_temp.stage_findings"
	" ON CONFLICT DO NOTHING";
/* $1 host, $2 sweep */
static const char removed_sql[] =
	"CREATE TEMP TABLE stage_paths (path bytea PRIMARY KEY) ON COMMIT DROP";
static const char removed_history_sql[] =
	"INSERT INTO vigil.file_history (host_id, sweep_id, path, shown, change,"
	" size, md5, sha1, sha256, score, first_seen)"
	" SELECT $1, $2::bigint, f.path, f.shown, 'D', f.size, f.md5, f.sha1,"
	" f.sha256, f.score, f.first_seen FROM vigil.files f"
	" WHERE f.host_id = $1 AND NOT EXISTS"
	" (SELECT 1 FROM pg_temp.stage_paths p WHERE p.path = f.path)"
	" ON CONFLICT DO NOTHING";
static const char removed_delete_sql[] =
	"DELETE FROM vigil.files f WHERE f.host_id = $1 AND NOT EXISTS"
	" (SELECT 1 FROM pg_temp.stage_paths p WHERE p.path = f.path)";

static int64_t num(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* In the transaction; 0 done, 1 already delivered, -1 failed. */
static int push_tx(vigil_fleet *f, vigil_store *st, const vigil_store_sweep_info *last,
		   vigil_fleet_push_stats *out)
{
	const char *hp[1] = {f->host_id};
	PGresult *r = vg_fleet_query(f,
				     "SELECT sweep_id, started_ns FROM vigil.sweeps WHERE host_id = $1"
				     " ORDER BY sweep_id DESC LIMIT 1",
				     1, hp, "unable to read the host's sweeps");
	if (!r)
		return -1;
	int64_t since = PQntuples(r) ? num(r, 0, 0) : 0;
	int64_t since_started = PQntuples(r) ? num(r, 0, 1) : 0;
	PQclear(r);
	out->since = since;
	if (since) {
		/* the same store? its sweep of that number started then */
		vigil_store_sweep_info mine;
		int s = vigil_store_sweep_info_of(st, since, &mine);
		if (s == VIGIL_FATAL)
			return -1;
		if (since > last->id || s != VIGIL_OK || mine.started_ns != since_started) {
			vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_ERROR, f->where, 0,
				"fleet: the database holds sweep %lld of host '%s', which this store "
				"did not make (a rebuilt store, or two stores with one host id); not pushed",
				(long long)since, f->host_id);
			return -1;
		}
		if (since == last->id)
			return 1;
	}
	char id[24], started[32], finished[32], sns[24];
	snprintf(id, sizeof id, "%lld", (long long)last->id);
	snprintf(sns, sizeof sns, "%lld", (long long)last->started_ns);
	time_param(last->started_ns, started);
	time_param(last->finished_ns, finished);
	/* step 2 */
	if (vg_fleet_exec(f, stage_sql, "unable to make the staging tables") ||
	    start_copy(f, "COPY pg_temp.stage_files FROM STDIN"))
		return -1;
	struct push p = {.f = f};
	int s = vigil_store_export(st, since, on_row, &p, &out->files);
	int ok = s == VIGIL_OK && !p.failed && !vg_fleet_copy_put(f, &p.rows);
	if (!ok) {
		PQputCopyEnd(f->conn, "vigil: the push stopped");
		PQclear(PQgetResult(f->conn));
	}
	ok = ok && !vg_fleet_copy_end(f, "unable to send the files");
	if (ok && p.findings)
		ok = !start_copy(f, "COPY pg_temp.stage_findings FROM STDIN") &&
		     !vg_fleet_copy_put(f, &p.fnd) &&
		     !vg_fleet_copy_end(f, "unable to send the findings");
	out->sent = p.sent;
	out->findings = p.findings;
	vg_copy_free(&p.rows);
	vg_copy_free(&p.fnd);
	if (!ok)
		return -1;
	/* step 3 */
	if (!(r = vg_fleet_query(f, history_sql, 1, hp, "unable to record the history")))
		return -1;
	PQclear(r);
	if (!(r = vg_fleet_query(f, merge_sql, 1, hp, "unable to merge the files")))
		return -1;
	PQclear(r);
	if (p.findings) {
		if (!(r = vg_fleet_query(f, findings_sql, 1, hp, "unable to insert the findings")))
			return -1;
		PQclear(r);
	}
	/* step 4 */
	if (!(r = vg_fleet_query(f, "SELECT count(*) FROM vigil.files WHERE host_id = $1", 1, hp,
				 "unable to count the host's files")))
		return -1;
	uint64_t held = (uint64_t)num(r, 0, 0);
	PQclear(r);
	out->removed = 0;
	if (held != out->files) {
		if (vg_fleet_exec(f, removed_sql, "unable to make the staging tables") ||
		    start_copy(f, "COPY pg_temp.stage_paths FROM STDIN"))
			return -1;
		struct push q = {.f = f};
		s = vigil_store_export_paths(st, on_path, &q);
		ok = s == VIGIL_OK && !q.failed && !vg_fleet_copy_put(f, &q.rows);
		if (!ok) {
			PQputCopyEnd(f->conn, "vigil: the push stopped");
			PQclear(PQgetResult(f->conn));
		}
		vg_copy_free(&q.rows);
		if (!ok || vg_fleet_copy_end(f, "unable to send the paths"))
			return -1;
		const char *rp[2] = {f->host_id, id};
		if (!(r = vg_fleet_query(f, removed_history_sql, 2, rp, "unable to record removed files")))
			return -1;
		PQclear(r);
		if (!(r = vg_fleet_query(f, removed_delete_sql, 1, hp, "unable to drop removed files")))
			return -1;
		out->removed = strtoull(PQcmdTuples(r), NULL, 10);
		PQclear(r);
	}
	char files[24], sent[24], removed[24];
	snprintf(files, sizeof files, "%llu", (unsigned long long)out->files);
	snprintf(sent, sizeof sent, "%llu", (unsigned long long)out->sent);
	snprintf(removed, sizeof removed, "%llu", (unsigned long long)out->removed);
	/* the sweep's row last: a second push of the same sweep at the same
	 * time waits on its key (or on the files' rows) and then finds it */
	const char *sp[11] = {f->host_id, id, started, sns, last->finished_ns ? finished : NULL,
			      last->complete ? "true" : "false", last->vigil_version,
			      f->content_version, files, sent, removed};
	r = PQexecParams(f->conn,
			 "INSERT INTO vigil.sweeps (host_id, sweep_id, started, started_ns, finished,"
			 " complete, vigil_version, content_version, files, sent, removed)"
			 " VALUES ($1, $2, to_timestamp($3::float8), $4, to_timestamp($5::float8),"
			 " $6, $7, $8, $9, $10, $11)",
			 11, NULL, sp, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "23505") == 0) {
			PQclear(r); /* delivered by a push at the same time */
			return 1;
		}
		vg_fleet_fail_res(f, "unable to record the sweep", r);
		return -1;
	}
	PQclear(r);
	const char *hostp[7] = {f->host_id, f->hostname, f->os, last->vigil_version,
				f->content_version, id, files};
	if (!(r = vg_fleet_query(f,
				 "INSERT INTO vigil.hosts (host_id, hostname, os, vigil_version,"
				 " content_version, last_sweep_id, files)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7)"
				 " ON CONFLICT (host_id) DO UPDATE SET hostname = excluded.hostname,"
				 " os = excluded.os, vigil_version = excluded.vigil_version,"
				 " content_version = excluded.content_version, last_push = now(),"
				 " last_sweep_id = excluded.last_sweep_id, files = excluded.files",
				 7, hostp, "unable to record the host")))
		return -1;
	PQclear(r);
	return 0;
}

int vigil_fleet_push(vigil_fleet *f, vigil_store *st, vigil_fleet_push_stats *out)
{
	memset(out, 0, sizeof *out);
	if (!f->host_id[0]) {
		vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_ERROR, f->where, 0,
			"fleet: no host id (no /etc/machine-id): give --host-id");
		return VIGIL_FATAL;
	}
	vigil_store_sweep_info last;
	int s = vigil_store_last_sweep(st, &last);
	if (s == VIGIL_WARN)
		return VIGIL_OK; /* nothing swept yet */
	if (s != VIGIL_OK)
		return VIGIL_FATAL;
	if (!last.finished_ns) {
		/* the newest sweep never ended (killed): the store's rows are
		 * what it wrote; delivered as an incomplete sweep */
		last.complete = 0;
	}
	out->sweep_id = last.id;
	/* a host's login may push for its own host id only (the database's
	 * row-level security says so too; this says it clearly first) */
	PGresult *r = vg_fleet_query(f, "SELECT vigil.session_host()", 0, NULL,
				     "unable to ask the database which host this login is");
	if (!r)
		return vg_fleet_lost(f) ? VIGIL_FAILED : VIGIL_FATAL;
	int mismatch = !PQgetisnull(r, 0, 0) && strcmp(PQgetvalue(r, 0, 0), f->host_id) != 0;
	if (mismatch)
		vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_ERROR, f->where, 0,
			"fleet: this login pushes for host '%s', not '%s'",
			PQgetvalue(r, 0, 0), f->host_id);
	PQclear(r);
	if (mismatch)
		return VIGIL_FATAL;
	if (vg_fleet_exec(f, "BEGIN", "unable to start the push"))
		return vg_fleet_lost(f) ? VIGIL_FAILED : VIGIL_FATAL;
	int done = push_tx(f, st, &last, out);
	if (done < 0) {
		PQclear(PQexec(f->conn, "ROLLBACK"));
		return vg_fleet_lost(f) ? VIGIL_FAILED : VIGIL_FATAL;
	}
	out->already = done == 1;
	if (vg_fleet_exec(f, done == 1 ? "ROLLBACK" : "COMMIT", "unable to commit the push"))
		return vg_fleet_lost(f) ? VIGIL_FAILED : VIGIL_FATAL;
	if (out->already) {
		out->sent = out->removed = out->findings = 0;
	}
	if (vigil_store_mark_pushed(st, f->host_id, last.id) != VIGIL_OK)
		return VIGIL_FATAL;
	return VIGIL_OK;
}
