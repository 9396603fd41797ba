/*
 * The retro-hunt (vigil_store_hunt): new IOCs against what the store
 * knows, without reading a file: hash IOCs against the stored digests,
 * file-name IOCs against the stored paths.
 */
#include <stdlib.h>
#include <string.h>

#include <vigil/report.h>

#include "base/util.h"
#include "store/store_internal.h"

#define MAX_SCORED 64

struct hits {
	vigil_finding *f;
	char **owned; /* the source strings made here */
	size_t n, cap, ncap;
	int oom;
};

static void add(struct hits *h, const char *kind, const vigil_ioc *ioc)
{
	if (!vg_grow(&h->f, &h->cap, h->n + 1, sizeof *h->f) ||
	    !vg_grow(&h->owned, &h->ncap, h->n + 1, sizeof *h->owned)) {
		h->oom = 1;
		return;
	}
	char *src = ioc->line ? vg_asprintf("%s:%lu", ioc->source, ioc->line)
			      : vg_strdup(ioc->source ? ioc->source : "");
	if (!src) {
		h->oom = 1;
		return;
	}
	h->owned[h->n] = src;
	h->f[h->n++] = (vigil_finding){
		.kind = kind, .id = ioc->value, .source = src,
		.message = ioc->comment ? ioc->comment : "",
		.score = ioc->score, .level = vigil_score_level(ioc->score),
	};
}

static void on_path(void *ctx, const vigil_ioc *ioc)
{
	add(ctx, "filename", ioc);
}

static int cmp_finding(const void *a, const void *b)
{
	const vigil_finding *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	int k = strcmp(x->kind, y->kind);
	return k ? k : strcmp(x->id, y->id);
}

static int unhex(const unsigned char *t, uint8_t *out, size_t n)
{
	if (!t || strlen((const char *)t) != 2 * n)
		return -1;
	for (size_t i = 0; i < 2 * n; i++) {
		unsigned char c = t[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(d << 4);
		else
			out[i / 2] |= (uint8_t)d;
	}
	return 0;
}

int vigil_store_hunt(vigil_store *st, const vigil_iocs *iocs,
		     vigil_hunt_fn fn, void *ctx, uint64_t *files_checked)
{
	sqlite3_stmt *q = NULL;
	if (files_checked)
		*files_checked = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT f.path, f.md5, f.sha1, f.sha256, f.size, f.dev, f.ino,"
			       " f.mtime_ns, f.ctime_ns, f.mode, f.uid, f.gid, s.started_ns"
			       " FROM files f LEFT JOIN sweeps s ON s.id = f.seen_sweep_id"
			       " ORDER BY f.path",
			       -1, &q, NULL) != SQLITE_OK) {
		vg_store_fail(st, "unable to read the stored files");
		return VIGIL_FATAL;
	}
	struct hits h = {0};
	int rc, ret = VIGIL_OK;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		vigil_file_result r = {0};
		vigil_file_stat fs = {0};
		r.path = (const char *)sqlite3_column_text(q, 0);
		if (!r.path)
			continue;
		if (files_checked)
			(*files_checked)++;
		h.n = 0;
		if (!unhex(sqlite3_column_text(q, 1), r.md5, 16) &&
		    !unhex(sqlite3_column_text(q, 2), r.sha1, 20) &&
		    !unhex(sqlite3_column_text(q, 3), r.sha256, 32)) {
			r.hashed = 1;
			const vigil_ioc *ioc;
			if ((ioc = vigil_iocs_find_hash(iocs, r.md5, 16)))
				add(&h, "hash", ioc);
			if ((ioc = vigil_iocs_find_hash(iocs, r.sha1, 20)))
				add(&h, "hash", ioc);
			if ((ioc = vigil_iocs_find_hash(iocs, r.sha256, 32)))
				add(&h, "hash", ioc);
		}
		if (vigil_iocs_match_path(iocs, r.path, strlen(r.path), on_path, &h) != VIGIL_OK)
			h.oom = 1;
		if (h.oom) {
			vg_diag(st->diag, st->diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
				"store: out of memory while hunting");
			ret = VIGIL_FATAL;
			break;
		}
		if (h.n) {
			qsort(h.f, h.n, sizeof *h.f, cmp_finding);
			int scores[MAX_SCORED];
			size_t ns = h.n < MAX_SCORED ? h.n : MAX_SCORED;
			for (size_t i = 0; i < ns; i++)
				scores[i] = h.f[i].score;
			fs.size = (uint64_t)sqlite3_column_int64(q, 4);
			fs.dev = (uint64_t)sqlite3_column_int64(q, 5);
			fs.ino = (uint64_t)sqlite3_column_int64(q, 6);
			fs.mtime_ns = sqlite3_column_int64(q, 7);
			fs.ctime_ns = sqlite3_column_int64(q, 8);
			fs.mode = (uint32_t)sqlite3_column_int64(q, 9);
			fs.uid = (uint32_t)sqlite3_column_int64(q, 10);
			fs.gid = (uint32_t)sqlite3_column_int64(q, 11);
			r.size = fs.size;
			r.stat = &fs;
			r.reused = 1;
			r.findings = h.f;
			r.nfindings = h.n;
			r.score = vigil_score_combine(scores, ns);
			fn(ctx, &r, sqlite3_column_int64(q, 12));
		}
		for (size_t i = 0; i < h.n; i++)
			free(h.owned[i]);
		h.n = 0;
	}
	if (ret == VIGIL_OK && rc != SQLITE_DONE) {
		vg_store_fail(st, "unable to read the stored files");
		ret = VIGIL_FATAL;
	}
	for (size_t i = 0; i < h.n; i++)
		free(h.owned[i]);
	free(h.f);
	free(h.owned);
	sqlite3_finalize(q);
	return ret;
}
