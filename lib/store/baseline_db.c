/*
 * The baseline's tables (schema 3, lib/store/store.c): baseline_meta
 * (rules, signature, signer, times), baseline_roots, baseline_files (one
 * row per entry) and baseline_xattrs (one row per extended attribute,
 * the value in hex). Read whole and written whole: a baseline is replaced
 * in one transaction, so a reader sees the old one or the new one.
 */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store/baseline_internal.h"
#include "store/store_internal.h"

void vg_bstate_free(vg_bstate *s)
{
	free(s->rules);
	vg_free_list(s->roots, s->nroots);
	for (size_t i = 0; i < s->n; i++)
		vg_bentry_clear(&s->rows[i]);
	free(s->rows);
	free(s->signature);
	free(s->signer);
	memset(s, 0, sizeof *s);
}

static char *col_dup(sqlite3_stmt *q, int i)
{
	const char *t = (const char *)sqlite3_column_text(q, i);
	return t ? vg_strdup(t) : NULL;
}

static int load_meta(vigil_store *st, vg_bstate *s)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT name, value FROM baseline_meta", -1, &q,
			       NULL) != SQLITE_OK) {
		vg_store_fail(st, "unable to read the baseline");
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 0);
		if (!name)
			continue;
		if (strcmp(name, "rules") == 0 && !s->rules)
			s->rules = col_dup(q, 1);
		else if (strcmp(name, "signature") == 0 && !s->signature)
			s->signature = col_dup(q, 1);
		else if (strcmp(name, "signer") == 0 && !s->signer)
			s->signer = col_dup(q, 1);
		else if (strcmp(name, "created_ns") == 0)
			s->created_ns = strtoll((const char *)sqlite3_column_text(q, 1), NULL, 10);
		else if (strcmp(name, "updated_ns") == 0)
			s->updated_ns = strtoll((const char *)sqlite3_column_text(q, 1), NULL, 10);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		vg_store_fail(st, "unable to read the baseline");
		return -1;
	}
	return 0;
}

static int load_roots(vigil_store *st, vg_bstate *s)
{
	sqlite3_stmt *q = NULL;
	size_t cap = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT path FROM baseline_roots", -1, &q, NULL) !=
	    SQLITE_OK) {
		vg_store_fail(st, "unable to read the baseline's roots");
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char *p = col_dup(q, 0);
		if (!p || !vg_grow(&s->roots, &cap, s->nroots + 1, sizeof *s->roots)) {
			free(p);
			sqlite3_finalize(q);
			return -1;
		}
		s->roots[s->nroots++] = p;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		vg_store_fail(st, "unable to read the baseline's roots");
		return -1;
	}
	return 0;
}

static const vg_bentry *find(const vg_bstate *s, const char *path)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->rows[mid].path, path);
		if (c == 0)
			return &s->rows[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int load_rows(vigil_store *st, vg_bstate *s)
{
	sqlite3_stmt *q = NULL;
	size_t cap = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT path, file_type, attrs, mode, uid, gid, size, mtime_ns,"
			       " ctime_ns, dev, ino, nlink, link_target, sha256 FROM baseline_files",
			       -1, &q, NULL) != SQLITE_OK) {
		vg_store_fail(st, "unable to read the baseline");
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!vg_grow(&s->rows, &cap, s->n + 1, sizeof *s->rows)) {
			sqlite3_finalize(q);
			return -1;
		}
		vg_bentry *e = &s->rows[s->n];
		memset(e, 0, sizeof *e);
		const char *type = (const char *)sqlite3_column_text(q, 1);
		const char *sha = (const char *)sqlite3_column_text(q, 13);
		e->path = col_dup(q, 0);
		e->type = type ? vg_btype_of_name(type) : -1;
		if (!e->path || e->type < 0) {
			vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
				"store: a baseline row without a path or with an unknown type");
			vg_bentry_clear(e);
			sqlite3_finalize(q);
			return -1;
		}
		s->n++;
		e->attrs = (unsigned)sqlite3_column_int64(q, 2) & VG_BA_ALL;
		e->mode = (uint32_t)sqlite3_column_int64(q, 3);
		e->uid = sqlite3_column_int64(q, 4);
		e->gid = sqlite3_column_int64(q, 5);
		e->size = sqlite3_column_int64(q, 6);
		e->mtime_ns = sqlite3_column_int64(q, 7);
		e->ctime_ns = sqlite3_column_int64(q, 8);
		e->dev = sqlite3_column_int64(q, 9);
		e->ino = sqlite3_column_int64(q, 10);
		e->nlink = sqlite3_column_int64(q, 11);
		e->link = col_dup(q, 12);
		if (sha && strlen(sha) == 64)
			memcpy(e->sha256, sha, 65);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		vg_store_fail(st, "unable to read the baseline");
		return -1;
	}
	/* the digest's order is the bytes', whatever the database's collation */
	vg_bentries_sort(s->rows, s->n);
	return 0;
}

static int load_xattrs(vigil_store *st, vg_bstate *s)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT path, name, value_hex FROM baseline_xattrs",
			       -1, &q, NULL) != SQLITE_OK) {
		vg_store_fail(st, "unable to read the baseline's extended attributes");
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(q, 0);
		const char *name = (const char *)sqlite3_column_text(q, 1);
		const char *hex = (const char *)sqlite3_column_text(q, 2);
		vg_bentry *e = path ? (vg_bentry *)find(s, path) : NULL;
		size_t hl = hex ? strlen(hex) : 1;
		if (!e || !name || hl % 2) {
			vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
				"store: a baseline extended attribute of no stored file, or not hex");
			sqlite3_finalize(q);
			return -1;
		}
		vg_bxattr *nx = realloc(e->xattrs, (e->nxattrs + 1) * sizeof *nx);
		if (!nx) {
			sqlite3_finalize(q);
			return -1;
		}
		e->xattrs = nx;
		vg_bxattr *x = &nx[e->nxattrs];
		x->name = vg_strdup(name);
		x->value = malloc(hl / 2 + 1);
		x->len = hl / 2;
		if (!x->name || !x->value ||
		    (hl && vg_unhex(hex, hl, x->value, hl / 2) != hl / 2)) {
			free(x->name);
			free(x->value);
			vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
				"store: a baseline extended attribute that is not hex");
			sqlite3_finalize(q);
			return -1;
		}
		e->nxattrs++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		vg_store_fail(st, "unable to read the baseline's extended attributes");
		return -1;
	}
	for (size_t i = 0; i < s->n; i++)
		vg_bentry_sort_xattrs(&s->rows[i]);
	return 0;
}

int vg_bdb_load(vigil_store *st, vg_bstate *out)
{
	memset(out, 0, sizeof *out);
	/* one read transaction: a concurrent update is seen whole or not */
	if (vg_store_exec(st, "BEGIN", "unable to read the baseline"))
		return -1;
	int rc = load_meta(st, out);
	if (rc == 0 && !out->rules)
		rc = 1;
	if (rc == 0)
		rc = load_roots(st, out) || load_rows(st, out) || load_xattrs(st, out) ? -1 : 0;
	vg_store_exec(st, "COMMIT", "unable to end the read");
	if (rc)
		vg_bstate_free(out);
	return rc;
}

static int bind_text(sqlite3_stmt *q, int i, const char *s)
{
	return s ? sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(q, i);
}

static int step_reset(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int put_meta(sqlite3_stmt *q, const char *name, const char *value)
{
	if (!value)
		return 0;
	bind_text(q, 1, name);
	bind_text(q, 2, value);
	return step_reset(q);
}

static int save_rows(vigil_store *st, const vg_bstate *s)
{
	sqlite3_stmt *f = NULL, *x = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO baseline_files (path, file_type, attrs, mode, uid, gid,"
			       " size, mtime_ns, ctime_ns, dev, ino, nlink, link_target, sha256)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &f, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "INSERT INTO baseline_xattrs (path, name, value_hex) VALUES (?, ?, ?)",
			       -1, &x, NULL) != SQLITE_OK)
		goto done;
	for (size_t i = 0; i < s->n; i++) {
		const vg_bentry *e = &s->rows[i];
		bind_text(f, 1, e->path);
		bind_text(f, 2, vg_btype_name(e->type));
		sqlite3_bind_int64(f, 3, e->attrs);
		sqlite3_bind_int64(f, 4, e->mode);
		sqlite3_bind_int64(f, 5, e->uid);
		sqlite3_bind_int64(f, 6, e->gid);
		sqlite3_bind_int64(f, 7, e->size);
		sqlite3_bind_int64(f, 8, e->mtime_ns);
		sqlite3_bind_int64(f, 9, e->ctime_ns);
		sqlite3_bind_int64(f, 10, e->dev);
		sqlite3_bind_int64(f, 11, e->ino);
		sqlite3_bind_int64(f, 12, e->nlink);
		bind_text(f, 13, e->link);
		bind_text(f, 14, e->sha256[0] ? e->sha256 : NULL);
		if (step_reset(f))
			goto done;
		for (size_t k = 0; k < e->nxattrs; k++) {
			char *hex = malloc(e->xattrs[k].len * 2 + 1);
			if (!hex)
				goto done;
			vg_hex(e->xattrs[k].value, e->xattrs[k].len, hex);
			bind_text(x, 1, e->path);
			bind_text(x, 2, e->xattrs[k].name);
			bind_text(x, 3, hex);
			int r = step_reset(x);
			free(hex);
			if (r)
				goto done;
		}
	}
	rc = 0;
done:
	if (rc)
		vg_store_fail(st, "unable to write the baseline");
	sqlite3_finalize(f);
	sqlite3_finalize(x);
	return rc;
}

int vg_bdb_save(vigil_store *st, const vg_bstate *s)
{
	if (vg_store_exec(st, "BEGIN IMMEDIATE", "unable to lock the store for the baseline"))
		return -1;
	int rc = vg_store_exec(st,
			       "DELETE FROM baseline_xattrs; DELETE FROM baseline_files;"
			       " DELETE FROM baseline_roots; DELETE FROM baseline_meta;",
			       "unable to replace the baseline");
	sqlite3_stmt *m = NULL, *r = NULL;
	if (!rc && (sqlite3_prepare_v2(st->db,
				       "INSERT INTO baseline_meta (name, value) VALUES (?, ?)", -1,
				       &m, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(st->db, "INSERT INTO baseline_roots (path) VALUES (?)",
				       -1, &r, NULL) != SQLITE_OK)) {
		vg_store_fail(st, "unable to write the baseline");
		rc = -1;
	}
	char created[32], updated[32];
	snprintf(created, sizeof created, "%lld", (long long)s->created_ns);
	snprintf(updated, sizeof updated, "%lld", (long long)s->updated_ns);
	if (!rc && (put_meta(m, "rules", s->rules ? s->rules : "") ||
		    put_meta(m, "created_ns", created) || put_meta(m, "updated_ns", updated) ||
		    put_meta(m, "signature", s->signature) || put_meta(m, "signer", s->signer))) {
		vg_store_fail(st, "unable to write the baseline");
		rc = -1;
	}
	for (size_t i = 0; !rc && i < s->nroots; i++) {
		bind_text(r, 1, s->roots[i]);
		if (step_reset(r)) {
			vg_store_fail(st, "unable to write the baseline's roots");
			rc = -1;
		}
	}
	sqlite3_finalize(m);
	sqlite3_finalize(r);
	if (!rc)
		rc = save_rows(st, s);
	if (rc) {
		vg_store_exec(st, "ROLLBACK", "rollback");
		return -1;
	}
	return vg_store_exec(st, "COMMIT", "unable to commit the baseline");
}
