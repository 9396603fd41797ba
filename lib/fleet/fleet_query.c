/*
 * The fleet queries (vigil fleet hunt, file, findings, hosts). What the
 * caller gives (IOC values, a digest, a glob, a time) is COPY data or a
 * parameter; the statements' text is constant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "fleet/fleet_internal.h"

#define TS(x) "to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char *val(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int64_t num(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static int truth(const PGresult *r, int row, int col)
{
	const char *v = val(r, row, col);
	return v && *v == 't';
}

static int start_copy(vigil_fleet *f, const char *sql)
{
	PGresult *r = PQexec(f->conn, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		vg_fleet_fail_res(f, "unable to start sending the IOCs", r);
		return -1;
	}
	PQclear(r);
	return 0;
}

/* The hits of the temporary table hunt_iocs (kind: md5, sha1, sha256 or
 * path; value; shown for paths; comment; source; score) over the current
 * file sets and the versions that left them: one row per host, path,
 * content and IOC; last seen is the host's last push while the file is
 * still there, else when it was replaced or removed. */
#define HUNT_BRANCHES(col, icol, kind) \
	" SELECT f.host_id, f.shown, f.md5, f.sha1, f.sha256, f.first_seen AS first," \
	"  NULL::timestamptz AS gone, i.value, i.comment, i.source, i.score" \
	"  FROM pg_temp.hunt_iocs i JOIN vigil.files f ON f." col " = i." icol \
	"  WHERE i.kind = '" kind "'" \
	" UNION ALL" \
	" SELECT h.host_id, h.shown, h.md5, h.sha1, h.sha256, h.first_seen, h.at," \
	"  i.value, i.comment, i.source, i.score" \
	"  FROM pg_temp.hunt_iocs i JOIN vigil.file_history h ON h." col " = i." icol \
	"  WHERE i.kind = '" kind "'"
/* one pair of branches per kind of IOC the set has (a branch for a kind
 * with no IOC can still make the planner scan a table) */
static const struct { const char *kind, *sql; } hunt_branches[] = {
	{"sha256", HUNT_BRANCHES("sha256", "value", "sha256")},
	{"md5", HUNT_BRANCHES("md5", "value", "md5")},
	{"sha1", HUNT_BRANCHES("sha1", "value", "sha1")},
	{"path", HUNT_BRANCHES("shown", "shown", "path")},
};
static const char hunt_tail[] =
	")"
	" SELECT m.host_id, o.hostname, m.shown, m.md5, m.sha1, m.sha256, " TS("m.first") ","
	"  " TS("coalesce(m.gone, o.last_push)") ", m.gone IS NULL, m.value, m.comment,"
	"  m.source, m.score"
	" FROM m LEFT JOIN vigil.hosts o ON o.host_id = m.host_id"
	" ORDER BY m.host_id, m.shown, m.value, m.gone DESC NULLS FIRST";

/* The statement for the kinds present (have[i] for hunt_branches[i]):
 * constant pieces only. NULL when none or out of memory. */
static char *hunt_sql(const int have[4])
{
	size_t n = strlen("WITH m AS (") + strlen(hunt_tail) + 1;
	for (size_t i = 0; i < 4; i++)
		n += have[i] ? strlen(hunt_branches[i].sql) + strlen(" UNION ALL") : 0;
	char *q = malloc(n);
	if (!q)
		return NULL;
	size_t len = 0;
	int any = 0;
#define APPEND(t) (memcpy(q + len, (t), strlen(t)), len += strlen(t))
	APPEND("WITH m AS (");
	for (size_t i = 0; i < 4; i++) {
		if (!have[i])
			continue;
		if (any)
			APPEND(" UNION ALL");
		APPEND(hunt_branches[i].sql);
		any = 1;
	}
	APPEND(hunt_tail);
#undef APPEND
	q[len] = '\0';
	if (!any) {
		free(q);
		return NULL;
	}
	return q;
}

struct names {
	vigil_fleet *f;
	struct vg_copybuf *b;
	const char *shown;
	size_t matched;
};

static void on_name(void *ctx, const vigil_ioc *ioc)
{
	struct names *n = ctx;
	vg_copy_text(n->b, "path", 0, '\t');
	vg_copy_text(n->b, ioc->value, 1, '\t');
	vg_copy_text(n->b, n->shown, 1, '\t');
	vg_copy_text(n->b, ioc->comment, 1, '\t');
	vg_copy_text(n->b, ioc->source, 1, '\t');
	vg_copy_int(n->b, ioc->score, '\n');
	n->matched++;
}

/* The file-name IOCs, by vigil's matcher, over the distinct reported
 * paths: the matches go into the COPY buffer, *matched counts them. 0 or
 * -1. */
static int match_names(vigil_fleet *f, const vigil_iocs *iocs, struct vg_copybuf *b,
		       size_t *matched)
{
	PGresult *r = PQexec(f->conn, "SELECT shown FROM vigil.files UNION SELECT shown FROM vigil.file_history");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		vg_fleet_fail_res(f, "unable to read the reported paths", r);
		return -1;
	}
	struct names n = {f, b, NULL, 0};
	for (int i = 0; i < PQntuples(r); i++) {
		n.shown = PQgetvalue(r, i, 0);
		vigil_iocs_match_path(iocs, n.shown, (size_t)PQgetlength(r, i, 0), on_name, &n);
	}
	PQclear(r);
	*matched = n.matched;
	return 0;
}

static void hit_rows(PGresult *r, vigil_fleet_row_fn fn, void *ctx, uint64_t *matches)
{
	for (int i = 0; i < PQntuples(r); i++) {
		vigil_fleet_row w = {0};
		w.host_id = val(r, i, 0);
		w.hostname = val(r, i, 1);
		w.path = val(r, i, 2);
		w.md5 = val(r, i, 3);
		w.sha1 = val(r, i, 4);
		w.sha256 = val(r, i, 5);
		w.first_seen = val(r, i, 6);
		w.last_seen = val(r, i, 7);
		w.present = truth(r, i, 8);
		w.ioc = val(r, i, 9);
		w.ioc_comment = val(r, i, 10);
		w.ioc_source = val(r, i, 11);
		w.score = (int)num(r, i, 12);
		fn(ctx, &w);
		(*matches)++;
	}
}

int vigil_fleet_hunt(vigil_fleet *f, const vigil_iocs *iocs,
		     vigil_fleet_row_fn fn, void *ctx, uint64_t *matches)
{
	*matches = 0;
	if (vg_fleet_exec(f, "BEGIN", "unable to start the hunt") ||
	    vg_fleet_exec(f, "CREATE TEMP TABLE hunt_iocs (kind text NOT NULL, value text NOT NULL,"
			     " shown text, comment text, source text, score integer) ON COMMIT DROP",
			  "unable to make the IOC table"))
		goto fail;
	struct vg_copybuf b = {0};
	static const struct { vigil_ioc_type t; const char *kind; } kinds[] = {
		{VIGIL_IOC_MD5, "md5"}, {VIGIL_IOC_SHA1, "sha1"}, {VIGIL_IOC_SHA256, "sha256"},
	};
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
		for (size_t i = 0; i < vigil_iocs_count(iocs, kinds[k].t); i++) {
			const vigil_ioc *ioc = vigil_iocs_get(iocs, kinds[k].t, i);
			vg_copy_text(&b, kinds[k].kind, 0, '\t');
			vg_copy_text(&b, ioc->value, 1, '\t');
			vg_copy_null(&b, '\t');
			vg_copy_text(&b, ioc->comment, 1, '\t');
			vg_copy_text(&b, ioc->source, 1, '\t');
			vg_copy_int(&b, ioc->score, '\n');
		}
	size_t named = 0;
	if (vigil_iocs_count(iocs, VIGIL_IOC_PATH_REGEX) && match_names(f, iocs, &b, &named)) {
		vg_copy_free(&b);
		goto fail;
	}
	int have[4] = {vigil_iocs_count(iocs, VIGIL_IOC_SHA256) > 0, vigil_iocs_count(iocs, VIGIL_IOC_MD5) > 0,
		       vigil_iocs_count(iocs, VIGIL_IOC_SHA1) > 0, named > 0};
	char *sql = hunt_sql(have);
	if (!sql) {
		/* no hash IOC and no reported path matched a name IOC */
		vg_copy_free(&b);
		PQclear(PQexec(f->conn, "ROLLBACK"));
		return VIGIL_OK;
	}
	int ok = !start_copy(f, "COPY pg_temp.hunt_iocs FROM STDIN") &&
		 !vg_fleet_copy_put(f, &b) && !vg_fleet_copy_end(f, "unable to send the IOCs");
	vg_copy_free(&b);
	PGresult *r = NULL;
	ok = ok && (r = vg_fleet_query(f, "ANALYZE pg_temp.hunt_iocs", 0, NULL, "unable to analyze"));
	PQclear(r);
	r = ok ? vg_fleet_query(f, sql, 0, NULL, "unable to hunt") : NULL;
	free(sql);
	if (!r)
		goto fail;
	hit_rows(r, fn, ctx, matches);
	PQclear(r);
	PQclear(PQexec(f->conn, "ROLLBACK"));
	return VIGIL_OK;
fail:
	PQclear(PQexec(f->conn, "ROLLBACK"));
	return VIGIL_FATAL;
}

static int is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/* A glob on the file name as a LIKE pattern on the whole shown path:
 * '*' any run, '?' one character, LIKE's own % _ \ taken literally. */
static char *glob_like(const char *g)
{
	size_t n = strlen(g);
	char *p = malloc(2 * n + 3);
	if (!p)
		return NULL;
	size_t k = 0;
	p[k++] = '%';
	p[k++] = '/';
	for (size_t i = 0; i < n; i++) {
		char c = g[i];
		if (c == '*')
			p[k++] = '%';
		else if (c == '?')
			p[k++] = '_';
		else {
			if (c == '%' || c == '_' || c == '\\')
				p[k++] = '\\';
			p[k++] = c;
		}
	}
	p[k] = '\0';
	return p;
}

int vigil_fleet_file(vigil_fleet *f, const char *what, vigil_fleet_row_fn fn,
		     void *ctx, uint64_t *matches)
{
	*matches = 0;
	const char *col = is_hex(what, 64) ? "f.sha256 = $1" : is_hex(what, 40) ? "f.sha1 = $1"
			: is_hex(what, 32) ? "f.md5 = $1" : NULL;
	char *param = NULL;
	char *sql;
	if (col) {
		param = vg_strdup(what);
		for (char *s = param; s && *s; s++)
			if (*s >= 'A' && *s <= 'F')
				*s = (char)(*s - 'A' + 'a');
	} else {
		if (strchr(what, '/')) {
			vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_ERROR, NULL, 0,
				"fleet: '%s' is neither a digest nor a file name (no '/')", what);
			return VIGIL_FATAL;
		}
		param = glob_like(what);
	}
	sql = vg_asprintf(
		"SELECT f.host_id, o.hostname, f.shown, f.md5, f.sha1, f.sha256,"
		" " TS("f.first_seen") ", " TS("o.last_push") ", f.score"
		" FROM vigil.files f LEFT JOIN vigil.hosts o ON o.host_id = f.host_id"
		" WHERE %s ORDER BY f.host_id, f.shown",
		col ? col : "f.shown LIKE $1");
	if (!param || !sql) {
		free(param);
		free(sql);
		vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_ERROR, NULL, 0, "fleet: out of memory");
		return VIGIL_FATAL;
	}
	const char *p[1] = {param};
	PGresult *r = vg_fleet_query(f, sql, 1, p, "unable to look the file up");
	free(sql);
	free(param);
	if (!r)
		return VIGIL_FATAL;
	for (int i = 0; i < PQntuples(r); i++) {
		vigil_fleet_row w = {0};
		w.host_id = val(r, i, 0);
		w.hostname = val(r, i, 1);
		w.path = val(r, i, 2);
		w.md5 = val(r, i, 3);
		w.sha1 = val(r, i, 4);
		w.sha256 = val(r, i, 5);
		w.first_seen = val(r, i, 6);
		w.last_seen = val(r, i, 7);
		w.present = 1;
		w.score = (int)num(r, i, 8);
		fn(ctx, &w);
		(*matches)++;
	}
	PQclear(r);
	return VIGIL_OK;
}

int vigil_fleet_findings(vigil_fleet *f, const char *since, int min_score,
			 vigil_fleet_row_fn fn, void *ctx, uint64_t *matches)
{
	*matches = 0;
	char ms[16];
	snprintf(ms, sizeof ms, "%d", min_score);
	const char *p[2] = {ms, since && *since ? since : NULL};
	PGresult *r = vg_fleet_query(f,
		"SELECT g.host_id, o.hostname, g.shown, c.md5, c.sha1, c.sha256,"
		" " TS("g.at") ", " TS("o.last_push") ", g.score, g.kind, g.ident, g.message"
		" FROM vigil.findings g"
		" JOIN vigil.files c ON c.host_id = g.host_id AND c.path = g.path AND c.sweep_id = g.sweep_id"
		" LEFT JOIN vigil.hosts o ON o.host_id = g.host_id"
		" WHERE g.score >= $1::integer AND ($2::timestamptz IS NULL OR g.at >= $2::timestamptz)"
		" ORDER BY g.score DESC, g.host_id, g.shown, g.seq",
		2, p, "unable to read the findings");
	if (!r)
		return VIGIL_FATAL;
	for (int i = 0; i < PQntuples(r); i++) {
		vigil_fleet_row w = {0};
		w.host_id = val(r, i, 0);
		w.hostname = val(r, i, 1);
		w.path = val(r, i, 2);
		w.md5 = val(r, i, 3);
		w.sha1 = val(r, i, 4);
		w.sha256 = val(r, i, 5);
		w.first_seen = val(r, i, 6);
		w.last_seen = val(r, i, 7);
		w.present = 1;
		w.score = (int)num(r, i, 8);
		w.kind = val(r, i, 9);
		w.ident = val(r, i, 10);
		w.message = val(r, i, 11);
		fn(ctx, &w);
		(*matches)++;
	}
	PQclear(r);
	return VIGIL_OK;
}

int vigil_fleet_hosts(vigil_fleet *f, int stale_days, vigil_fleet_row_fn fn,
		      void *ctx, uint64_t *matches)
{
	*matches = 0;
	char days[16];
	snprintf(days, sizeof days, "%d", stale_days > 0 ? stale_days : 0);
	const char *p[1] = {days};
	PGresult *r = vg_fleet_query(f,
		"SELECT h.host_id, h.hostname, h.os, h.vigil_version, h.content_version,"
		" h.last_sweep_id, h.files, s.complete, " TS("s.started") ", " TS("h.first_push") ","
		" " TS("h.last_push") ", h.last_push < now() - make_interval(days => $1::integer)"
		" FROM vigil.hosts h LEFT JOIN vigil.sweeps s"
		" ON s.host_id = h.host_id AND s.sweep_id = h.last_sweep_id"
		" WHERE $1::integer = 0 OR h.last_push < now() - make_interval(days => $1::integer)"
		" ORDER BY h.host_id",
		1, p, "unable to read the hosts");
	if (!r)
		return VIGIL_FATAL;
	for (int i = 0; i < PQntuples(r); i++) {
		vigil_fleet_row w = {0};
		w.host_id = val(r, i, 0);
		w.hostname = val(r, i, 1);
		w.os = val(r, i, 2);
		w.vigil_version = val(r, i, 3);
		w.content_version = val(r, i, 4);
		w.sweep_id = num(r, i, 5);
		w.files = num(r, i, 6);
		w.complete = truth(r, i, 7);
		w.swept = val(r, i, 8);
		w.first_seen = val(r, i, 9);
		w.last_seen = val(r, i, 10);
		w.stale = stale_days > 0 && truth(r, i, 11);
		fn(ctx, &w);
		(*matches)++;
	}
	PQclear(r);
	return VIGIL_OK;
}
