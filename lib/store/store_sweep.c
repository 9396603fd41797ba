/*
 * A sweep with the store: the rows below the roots are loaded once into a
 * hash map keyed by path (no query per file); the scanner's workers ask
 * it (vigil_store_reuse) whether a file is unchanged; results to write
 * are batched and written by one thread, one transaction per batch, so a
 * SIGKILL at any moment leaves whole batches or nothing; the end of a
 * complete sweep drops the rows of files no longer there.
 */
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base/util.h"
#include "store/store_internal.h"

#define BATCH_ROWS 2048
#define MAX_IDS 1024 /* distinct identity strings kept; more: not reused */

struct row {
	const char *key, *shown;
	vigil_file_stat fs;
	uint8_t md5[16], sha1[20], sha256[32];
	int skip, file_class;
	uint16_t id[VG_PARTS]; /* into the identity table; 0: unknown */
	vigil_finding *f;
	size_t nf;
	atomic_int seen;      /* reused or written by this sweep */
	atomic_int unchanged; /* reused with nothing recomputed */
};

struct root {
	char *shown;  /* as given, without trailing slashes but "/" */
	char *canon;  /* realpath */
	char *lo, *hi; /* key range of the paths below */
};

/* One row to write (or, del, to drop). */
struct rec {
	char *key, *shown;
	vigil_file_stat fs;
	char md5[33], sha1[41], sha256[65];
	int skip, file_class, score, del;
	vigil_finding *f;
	size_t nf;
	struct rec *next;
};

struct vg_store_sweep {
	vigil_store *st;
	vigil_store_parts parts;
	char cur[VG_PARTS][65]; /* the current identities, "" unknown */
	uint16_t cur_id[VG_PARTS];
	int64_t id;             /* this sweep's row in sweeps */
	struct root *roots;
	size_t nroots;
	/* identity strings of the loaded rows; [0] is "" (unknown) */
	char *ids[MAX_IDS];
	size_t nids;
	struct row *rows;
	size_t nrows, rowcap;
	uint32_t *slots;        /* 1 + row index; 0 empty */
	size_t nslots;
	vg_strpool pool;
	/* subsets of findings handed out by reuse */
	pthread_mutex_t keep_lock;
	void **keeps;
	size_t nkeeps, keepcap;
	/* the writer */
	pthread_t writer;
	int writer_started;
	pthread_mutex_t wlock;
	pthread_cond_t wcond, wdone;
	struct rec *pending, **ptail; /* being collected */
	size_t npending;
	struct rec *queue;            /* handed to the writer */
	int stop, failed;
	uint64_t written;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static struct row *lookup(const struct vg_store_sweep *w, const char *key)
{
	if (!w->nslots)
		return NULL;
	size_t mask = w->nslots - 1;
	for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
		uint32_t s = w->slots[i];
		if (!s)
			return NULL;
		if (strcmp(w->rows[s - 1].key, key) == 0)
			return &w->rows[s - 1];
	}
}

static void insert_slot(struct vg_store_sweep *w, size_t idx)
{
	size_t mask = w->nslots - 1;
	size_t i = hash_str(w->rows[idx].key) & mask;
	while (w->slots[i])
		i = (i + 1) & mask;
	w->slots[i] = (uint32_t)(idx + 1);
}

static int build_map(struct vg_store_sweep *w)
{
	size_t n = 16;
	while (n < w->nrows * 2 + 1)
		n <<= 1;
	if (!(w->slots = calloc(n, sizeof *w->slots)))
		return -1;
	w->nslots = n;
	for (size_t i = 0; i < w->nrows; i++) {
		/* a row loaded twice (overlapping roots): the first stands for
		 * it, the copy is never dropped */
		if (lookup(w, w->rows[i].key)) {
			atomic_store(&w->rows[i].seen, 1);
			continue;
		}
		insert_slot(w, i);
	}
	return 0;
}

/* The identity table index of id (added when new); 0 when unknown. */
static uint16_t intern_id(struct vg_store_sweep *w, const char *id)
{
	if (!id || !*id)
		return 0;
	for (size_t i = 1; i < w->nids; i++)
		if (strcmp(w->ids[i], id) == 0)
			return (uint16_t)i;
	if (w->nids >= MAX_IDS || !(w->ids[w->nids] = vg_strdup(id)))
		return 0;
	return (uint16_t)w->nids++;
}

/* SHA-256 hex of a part's text with the size limit; "" when unknown. */
static int part_identity(const char *what, const char *text, uint64_t max_size,
			 char out[65])
{
	out[0] = '\0';
	if (!text || !*text)
		return 0;
	char *s = vg_asprintf("vigil-store-part-1 %s %llu %s", what,
			      (unsigned long long)max_size, text);
	uint8_t d[32];
	unsigned dl = 0;
	int ok = s && EVP_Digest(s, strlen(s), d, &dl, EVP_sha256(), NULL) == 1 && dl == 32;
	free(s);
	if (ok)
		vg_hex(d, 32, out);
	return ok ? 0 : -1;
}

/* The store's key of a path as the sweep shows it: the canonical root
 * and the rest. NULL when below no root (or out of memory). */
static char *key_of(const struct vg_store_sweep *w, const char *path)
{
	const struct root *best = NULL;
	size_t bl = 0;
	for (size_t i = 0; i < w->nroots; i++) {
		const struct root *r = &w->roots[i];
		if (!r->canon)
			continue;
		size_t l = strlen(r->shown);
		if (strncmp(path, r->shown, l) == 0 &&
		    (path[l] == '\0' || path[l] == '/' || (l && r->shown[l - 1] == '/')) &&
		    (!best || l > bl)) {
			best = r;
			bl = l;
		}
	}
	if (!best)
		return NULL;
	const char *rest = path + bl;
	if (*rest == '/' && best->canon[strlen(best->canon) - 1] == '/')
		rest++;
	else if (*rest && *rest != '/' && best->canon[strlen(best->canon) - 1] != '/')
		return vg_asprintf("%s/%s", best->canon, rest);
	return vg_asprintf("%s%s", best->canon, rest);
}

static int hex_to(const unsigned char *t, uint8_t *out, size_t n)
{
	if (!t || strlen((const char *)t) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			unsigned char c = t[2 * i + (size_t)k];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			if (d < 0)
				return -1;
			v = v * 16 + d;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

static const char *col_text(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? (const char *)t : "";
}

static int bind_range(sqlite3_stmt *q, const struct root *r)
{
	return sqlite3_bind_text(q, 1, r->canon, -1, SQLITE_STATIC) != SQLITE_OK ||
	       sqlite3_bind_text(q, 2, r->lo, -1, SQLITE_STATIC) != SQLITE_OK ||
	       sqlite3_bind_text(q, 3, r->hi, -1, SQLITE_STATIC) != SQLITE_OK;
}

#define RANGE " WHERE path = ?1 OR (path >= ?2 AND path < ?3)"

/* Load the rows and findings below root r into the map's arrays. */
static int load_root(struct vg_store_sweep *w, const struct root *r)
{
	vigil_store *st = w->st;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT path, shown, dev, ino, size, mtime_ns, ctime_ns, mode, uid, gid,"
			       " md5, sha1, sha256, skip, file_class, hash_iocs_id, name_iocs_id,"
			       " rules_id, checks_id FROM files" RANGE,
			       -1, &q, NULL) != SQLITE_OK || bind_range(q, r)) {
		vg_store_fail(st, "unable to read the stored files");
		sqlite3_finalize(q);
		return -1;
	}
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!vg_grow(&w->rows, &w->rowcap, w->nrows + 1, sizeof *w->rows))
			break;
		struct row *x = &w->rows[w->nrows];
		memset(x, 0, sizeof *x);
		x->key = vg_strpool_add(&w->pool, col_text(q, 0));
		x->shown = vg_strpool_add(&w->pool, col_text(q, 1));
		x->fs.dev = (uint64_t)sqlite3_column_int64(q, 2);
		x->fs.ino = (uint64_t)sqlite3_column_int64(q, 3);
		x->fs.size = (uint64_t)sqlite3_column_int64(q, 4);
		x->fs.mtime_ns = sqlite3_column_int64(q, 5);
		x->fs.ctime_ns = sqlite3_column_int64(q, 6);
		x->fs.mode = (uint32_t)sqlite3_column_int64(q, 7);
		x->fs.uid = (uint32_t)sqlite3_column_int64(q, 8);
		x->fs.gid = (uint32_t)sqlite3_column_int64(q, 9);
		int bad = hex_to(sqlite3_column_text(q, 10), x->md5, 16) ||
			  hex_to(sqlite3_column_text(q, 11), x->sha1, 20) ||
			  hex_to(sqlite3_column_text(q, 12), x->sha256, 32);
		x->skip = sqlite3_column_int(q, 13);
		x->file_class = sqlite3_column_int(q, 14);
		for (int p = 0; p < VG_PARTS; p++)
			x->id[p] = intern_id(w, col_text(q, 15 + p));
		if (!x->key || !x->shown)
			break;
		/* a row that does not parse is never reused (read again) */
		if (bad || x->skip < 0 || x->skip >= VIGIL_SKIP_COUNT)
			x->id[VG_PART_RULES] = 0;
		w->nrows++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		vg_store_fail(st, "unable to read the stored files");
		return -1;
	}
	return 0;
}

static int load_findings(struct vg_store_sweep *w, const struct root *r)
{
	vigil_store *st = w->st;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT path, kind, ident, score, level, source, message, evidence"
			       " FROM findings" RANGE " ORDER BY path, seq",
			       -1, &q, NULL) != SQLITE_OK || bind_range(q, r)) {
		vg_store_fail(st, "unable to read the stored findings");
		sqlite3_finalize(q);
		return -1;
	}
	int rc;
	struct row *x = NULL;
	size_t cap = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *key = col_text(q, 0);
		if (!x || strcmp(x->key, key) != 0) {
			x = lookup(w, key);
			cap = x ? x->nf : 0;
		}
		if (!x)
			continue;
		if (!vg_grow(&x->f, &cap, x->nf + 1, sizeof *x->f))
			break;
		vigil_finding *f = &x->f[x->nf];
		int part = vg_store_part_of(col_text(q, 1));
		static const char *const kinds[VG_PARTS] = {"hash", "filename", "yara", "tamper"};
		f->kind = kinds[part];
		f->id = vg_strpool_add(&w->pool, col_text(q, 2));
		f->score = sqlite3_column_int(q, 3);
		f->level = vigil_score_level(f->score);
		f->source = vg_strpool_add(&w->pool, col_text(q, 5));
		f->message = vg_strpool_add(&w->pool, col_text(q, 6));
		f->evidence = sqlite3_column_type(q, 7) == SQLITE_NULL
				      ? NULL : vg_strpool_add(&w->pool, col_text(q, 7));
		if (!f->id || !f->source || !f->message)
			break;
		x->nf++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		vg_store_fail(st, "unable to read the stored findings");
		return -1;
	}
	return 0;
}

static void free_rec(struct rec *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nf; i++) {
		free((char *)r->f[i].id);
		free((char *)r->f[i].source);
		free((char *)r->f[i].message);
		free((char *)r->f[i].evidence);
	}
	free(r->f);
	free(r->key);
	free(r->shown);
	free(r);
}

struct stmts {
	sqlite3_stmt *del_f, *del_file, *ins_file, *ins_f;
};

static int write_rec(struct vg_store_sweep *w, struct stmts *s, const struct rec *r)
{
	sqlite3_bind_text(s->del_f, 1, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->del_file, 1, r->key, -1, SQLITE_STATIC);
	int ok = sqlite3_step(s->del_f) == SQLITE_DONE && sqlite3_step(s->del_file) == SQLITE_DONE;
	sqlite3_reset(s->del_f);
	sqlite3_reset(s->del_file);
	if (!ok || r->del)
		return ok;
	sqlite3_stmt *q = s->ins_file;
	sqlite3_bind_text(q, 1, r->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r->shown, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)r->fs.dev);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)r->fs.ino);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)r->fs.size);
	sqlite3_bind_int64(q, 6, r->fs.mtime_ns);
	sqlite3_bind_int64(q, 7, r->fs.ctime_ns);
	sqlite3_bind_int64(q, 8, r->fs.mode);
	sqlite3_bind_int64(q, 9, r->fs.uid);
	sqlite3_bind_int64(q, 10, r->fs.gid);
	sqlite3_bind_text(q, 11, r->md5, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 12, r->sha1, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 13, r->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 14, r->skip);
	sqlite3_bind_int(q, 15, r->score);
	for (int p = 0; p < VG_PARTS; p++)
		sqlite3_bind_text(q, 16 + p, w->cur[p], -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 20, w->id);
	sqlite3_bind_int64(q, 21, w->id);
	sqlite3_bind_int(q, 22, r->file_class);
	ok = sqlite3_step(q) == SQLITE_DONE;
	sqlite3_reset(q);
	for (size_t i = 0; ok && i < r->nf; i++) {
		const vigil_finding *f = &r->f[i];
		q = s->ins_f;
		sqlite3_bind_text(q, 1, r->key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
		sqlite3_bind_text(q, 3, vg_store_part_name(vg_store_part_of(f->kind)), -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, f->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 6, f->score);
		sqlite3_bind_int(q, 7, (int)f->level);
		sqlite3_bind_text(q, 8, f->source, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 9, f->message, -1, SQLITE_STATIC);
		if (f->evidence)
			sqlite3_bind_text(q, 10, f->evidence, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(q, 10);
		ok = sqlite3_step(q) == SQLITE_DONE;
		sqlite3_reset(q);
	}
	return ok;
}

/* Write one batch in one transaction; 0 or -1 (diagnosed). */
static int write_batch(struct vg_store_sweep *w, struct rec *list)
{
	vigil_store *st = w->st;
	struct stmts s = {0};
	int ok = sqlite3_prepare_v2(st->db, "DELETE FROM findings WHERE path = ?1", -1, &s.del_f, NULL) == SQLITE_OK &&
		 sqlite3_prepare_v2(st->db, "DELETE FROM files WHERE path = ?1", -1, &s.del_file, NULL) == SQLITE_OK &&
		 sqlite3_prepare_v2(st->db,
				    "INSERT INTO files (path, shown, dev, ino, size, mtime_ns, ctime_ns,"
				    " mode, uid, gid, md5, sha1, sha256, skip, score, hash_iocs_id,"
				    " name_iocs_id, rules_id, checks_id, sweep_id, seen_sweep_id, file_class)"
				    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
				    " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
				    -1, &s.ins_file, NULL) == SQLITE_OK &&
		 sqlite3_prepare_v2(st->db,
				    "INSERT INTO findings (path, seq, part, kind, ident, score, level,"
				    " source, message, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
				    -1, &s.ins_f, NULL) == SQLITE_OK;
	if (!ok)
		vg_store_fail(st, "unable to prepare the writes");
	ok = ok && !vg_store_exec(st, "BEGIN IMMEDIATE", "unable to start a write");
	uint64_t n = 0;
	for (struct rec *r = list; ok && r; r = r->next, n++)
		if (!write_rec(w, &s, r)) {
			vg_store_fail(st, "unable to write a file's results");
			ok = 0;
		}
	if (ok && vg_store_exec(st, "COMMIT", "unable to commit"))
		ok = 0;
	if (!ok)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	else
		w->written += n;
	sqlite3_finalize(s.del_f);
	sqlite3_finalize(s.del_file);
	sqlite3_finalize(s.ins_file);
	sqlite3_finalize(s.ins_f);
	return ok ? 0 : -1;
}

static void *writer_main(void *arg)
{
	struct vg_store_sweep *w = arg;
	pthread_mutex_lock(&w->wlock);
	for (;;) {
		while (!w->queue && !w->stop)
			pthread_cond_wait(&w->wcond, &w->wlock);
		struct rec *list = w->queue;
		w->queue = NULL;
		pthread_cond_broadcast(&w->wdone);
		if (!list && w->stop)
			break;
		int failed = w->failed;
		pthread_mutex_unlock(&w->wlock);
		if (!failed && write_batch(w, list))
			failed = 1;
		while (list) {
			struct rec *nx = list->next;
			free_rec(list);
			list = nx;
		}
		pthread_mutex_lock(&w->wlock);
		w->failed |= failed;
	}
	pthread_mutex_unlock(&w->wlock);
	return NULL;
}

/* Hand the collected records to the writer (waiting while it still has
 * the previous batch: memory stays bounded). Called with wlock held. */
static void hand_over(struct vg_store_sweep *w)
{
	if (!w->pending)
		return;
	while (w->queue)
		pthread_cond_wait(&w->wdone, &w->wlock);
	w->queue = w->pending;
	w->pending = NULL;
	w->ptail = &w->pending;
	w->npending = 0;
	pthread_cond_signal(&w->wcond);
}

static void sweep_free(struct vg_store_sweep *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nroots; i++) {
		free(w->roots[i].shown);
		free(w->roots[i].canon);
		free(w->roots[i].lo);
		free(w->roots[i].hi);
	}
	free(w->roots);
	for (size_t i = 1; i < w->nids; i++)
		free(w->ids[i]);
	for (size_t i = 0; i < w->nrows; i++)
		free(w->rows[i].f);
	free(w->rows);
	free(w->slots);
	vg_strpool_free(&w->pool);
	for (size_t i = 0; i < w->nkeeps; i++)
		free(w->keeps[i]);
	free(w->keeps);
	for (struct rec *r = w->pending; r;) {
		struct rec *nx = r->next;
		free_rec(r);
		r = nx;
	}
	pthread_mutex_destroy(&w->keep_lock);
	pthread_mutex_destroy(&w->wlock);
	pthread_cond_destroy(&w->wcond);
	pthread_cond_destroy(&w->wdone);
	free(w);
}

static void stop_writer(struct vg_store_sweep *w)
{
	if (!w->writer_started)
		return;
	pthread_mutex_lock(&w->wlock);
	hand_over(w);
	w->stop = 1;
	pthread_cond_signal(&w->wcond);
	pthread_mutex_unlock(&w->wlock);
	pthread_join(w->writer, NULL);
	w->writer_started = 0;
}

void vg_store_sweep_abort(vigil_store *st)
{
	if (!st->sweep)
		return;
	stop_writer(st->sweep);
	sweep_free(st->sweep);
	st->sweep = NULL;
}

static int add_root(struct vg_store_sweep *w, const char *root)
{
	struct root *r = &w->roots[w->nroots++];
	size_t l = strlen(root);
	while (l > 1 && root[l - 1] == '/')
		l--;
	if (!(r->shown = vg_asprintf("%.*s", (int)l, root)))
		return -1;
	char buf[PATH_MAX];
	if (!realpath(root, buf))
		return 0; /* not there: nothing loaded, nothing dropped */
	size_t cl = strlen(buf);
	if (!(r->canon = vg_strdup(buf)) ||
	    !(r->lo = vg_asprintf("%s%s", buf, cl && buf[cl - 1] == '/' ? "" : "/")) ||
	    !(r->hi = vg_strdup(r->lo)))
		return -1;
	r->hi[strlen(r->hi) - 1] = '/' + 1;
	return 0;
}

/* Is root i covered by another: an earlier root with the same canonical
 * path, or any root whose canonical path is a directory holding it? */
static int covered(const struct vg_store_sweep *w, size_t i)
{
	const char *c = w->roots[i].canon;
	for (size_t j = 0; j < w->nroots; j++) {
		const char *d = w->roots[j].canon;
		if (j == i || !d)
			continue;
		size_t dl = strlen(d);
		if (strcmp(c, d) == 0) {
			if (j < i)
				return 1;
		} else if (strncmp(c, d, dl) == 0 &&
			   (c[dl] == '/' || (dl && d[dl - 1] == '/'))) {
			return 1;
		}
	}
	return 0;
}

int vigil_store_sweep_begin(vigil_store *st, const char *const *roots,
			    size_t n, const vigil_store_parts *parts)
{
	vg_store_sweep_abort(st);
	struct vg_store_sweep *w = calloc(1, sizeof *w);
	if (!w)
		return VIGIL_FATAL;
	w->st = st;
	w->parts = *parts;
	w->ptail = &w->pending;
	w->nids = 1;
	pthread_mutex_init(&w->keep_lock, NULL);
	pthread_mutex_init(&w->wlock, NULL);
	pthread_cond_init(&w->wcond, NULL);
	pthread_cond_init(&w->wdone, NULL);
	st->sweep = w;
	st->written = st->dropped = 0;
	const char *texts[VG_PARTS] = {parts->hash_iocs, parts->name_iocs, parts->rules, parts->checks};
	for (int p = 0; p < VG_PARTS; p++)
		if (part_identity(vg_store_part_name(p), texts[p], parts->max_size, w->cur[p]))
			goto fail;
	if (!(w->roots = calloc(n ? n : 1, sizeof *w->roots)))
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (add_root(w, roots[i]))
			goto fail;
	/* the sweep's own row, numbered under the write lock */
	if (vg_store_exec(st, "BEGIN IMMEDIATE", "unable to start a sweep"))
		goto fail;
	sqlite3_stmt *q = NULL;
	int ok = sqlite3_prepare_v2(st->db, "SELECT COALESCE(MAX(id), 0) + 1 FROM sweeps", -1, &q, NULL) == SQLITE_OK &&
		 sqlite3_step(q) == SQLITE_ROW;
	w->id = ok ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	q = NULL;
	ok = ok && sqlite3_prepare_v2(st->db,
				      "INSERT INTO sweeps (id, started_ns, finished_ns, complete, vigil_version)"
				      " VALUES (?1, ?2, NULL, 0, ?3)", -1, &q, NULL) == SQLITE_OK &&
	     sqlite3_bind_int64(q, 1, w->id) == SQLITE_OK &&
	     sqlite3_bind_int64(q, 2, vg_store_now_ns()) == SQLITE_OK &&
	     sqlite3_bind_text(q, 3, vigil_version(), -1, SQLITE_STATIC) == SQLITE_OK &&
	     sqlite3_step(q) == SQLITE_DONE;
	sqlite3_finalize(q);
	if (!ok || vg_store_exec(st, "COMMIT", "unable to record the sweep")) {
		if (!ok)
			vg_store_fail(st, "unable to record the sweep");
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	/* rows first (the map), then their findings; a root that another
	 * covers (the same file or directory by another name, or one inside
	 * another root) loads nothing: its rows and findings come once */
	for (size_t i = 0; i < w->nroots; i++)
		if (w->roots[i].canon && !covered(w, i) && load_root(w, &w->roots[i]))
			goto fail;
	if (build_map(w))
		goto fail;
	for (size_t i = 0; i < w->nroots; i++)
		if (w->roots[i].canon && !covered(w, i) && load_findings(w, &w->roots[i]))
			goto fail;
	for (int p = 0; p < VG_PARTS; p++)
		w->cur_id[p] = intern_id(w, w->cur[p]);
	if (pthread_create(&w->writer, NULL, writer_main, w) != 0)
		goto fail;
	w->writer_started = 1;
	return VIGIL_OK;
fail:
	vg_store_sweep_abort(st);
	return VIGIL_FATAL;
}

static int same_tuple(const vigil_file_stat *a, const vigil_file_stat *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns &&
	       a->mode == b->mode && a->uid == b->uid && a->gid == b->gid;
}

static int part_same(const struct vg_store_sweep *w, const struct row *x, int p)
{
	return w->cur_id[p] && x->id[p] == w->cur_id[p];
}

int vigil_store_reuse(void *ctx, const char *path, const vigil_file_stat *fs,
		      vigil_reuse *out)
{
	vigil_store *st = ctx;
	struct vg_store_sweep *w = st ? st->sweep : NULL;
	if (!w || w->parts.rescan)
		return 0;
	char *key = key_of(w, path);
	struct row *x = key ? lookup(w, key) : NULL;
	free(key);
	/* bytes needed again: changed file (ctime too), rules or checks */
	if (!x || strcmp(x->shown, path) != 0 || !same_tuple(&x->fs, fs) ||
	    !part_same(w, x, VG_PART_RULES) || !part_same(w, x, VG_PART_CHECKS))
		return 0;
	memcpy(out->md5, x->md5, 16);
	memcpy(out->sha1, x->sha1, 20);
	memcpy(out->sha256, x->sha256, 32);
	out->skip = (vigil_skip)x->skip;
	out->file_class = x->file_class;
	out->redo = (part_same(w, x, VG_PART_HASH) ? 0 : VIGIL_REDO_HASH_IOCS) |
		    (part_same(w, x, VG_PART_NAME) ? 0 : VIGIL_REDO_NAME_IOCS);
	out->kept = x->f;
	out->nkept = x->nf;
	if (out->redo && x->nf) {
		/* only the findings of the parts that stay */
		vigil_finding *k = malloc(x->nf * sizeof *k);
		if (!k)
			return 0;
		size_t nk = 0;
		for (size_t i = 0; i < x->nf; i++) {
			int p = vg_store_part_of(x->f[i].kind);
			if (!((p == VG_PART_HASH && (out->redo & VIGIL_REDO_HASH_IOCS)) ||
			      (p == VG_PART_NAME && (out->redo & VIGIL_REDO_NAME_IOCS))))
				k[nk++] = x->f[i];
		}
		pthread_mutex_lock(&w->keep_lock);
		int kept = vg_grow(&w->keeps, &w->keepcap, w->nkeeps + 1, sizeof *w->keeps);
		if (kept)
			w->keeps[w->nkeeps++] = k;
		pthread_mutex_unlock(&w->keep_lock);
		if (!kept) {
			free(k);
			return 0;
		}
		out->kept = k;
		out->nkept = nk;
	}
	atomic_store(&x->unchanged, out->redo == 0);
	atomic_store(&x->seen, 1);
	return 1;
}

static char *dup0(const char *s)
{
	return vg_strdup(s ? s : "");
}

void vigil_store_record(vigil_store *st, const vigil_file_result *r)
{
	struct vg_store_sweep *w = st ? st->sweep : NULL;
	if (!w)
		return;
	char *key = key_of(w, r->path);
	if (!key)
		return;
	struct row *x = lookup(w, key);
	/* a container's record is not stored: its members' results are not
	 * (they have no stat tuple of their own), and reusing the container's
	 * alone would lose them; it is read again */
	int keep = r->hashed && !r->error && r->stat && !r->container;
	if (r->reused && x && atomic_load(&x->unchanged)) {
		free(key);
		return; /* the stored row says it all */
	}
	if (!keep && !x) {
		free(key);
		return; /* nothing stored, nothing to store */
	}
	struct rec *rec = calloc(1, sizeof *rec);
	if (!rec) {
		free(key);
		return;
	}
	rec->key = key;
	rec->del = !keep;
	int ok = 1;
	if (keep) {
		rec->fs = *r->stat;
		vg_hex(r->md5, 16, rec->md5);
		vg_hex(r->sha1, 20, rec->sha1);
		vg_hex(r->sha256, 32, rec->sha256);
		rec->skip = (int)r->skip;
		rec->file_class = r->file_class;
		rec->score = r->score;
		ok = (rec->shown = vg_strdup(r->path)) != NULL;
		if (ok && r->nfindings && !(rec->f = calloc(r->nfindings, sizeof *rec->f)))
			ok = 0;
		for (size_t i = 0; ok && i < r->nfindings; i++) {
			const vigil_finding *f = &r->findings[i];
			vigil_finding *g = &rec->f[i];
			g->kind = f->kind; /* static strings of the matcher */
			g->score = f->score;
			g->level = f->level;
			g->id = dup0(f->id);
			g->source = dup0(f->source);
			g->message = dup0(f->message);
			g->evidence = f->evidence ? vg_strdup(f->evidence) : NULL;
			rec->nf = i + 1;
			ok = g->id && g->source && g->message && (!f->evidence || g->evidence);
		}
	}
	if (!ok) {
		free_rec(rec);
		return;
	}
	if (x && keep)
		atomic_store(&x->seen, 1);
	pthread_mutex_lock(&w->wlock);
	*w->ptail = rec;
	w->ptail = &rec->next;
	if (++w->npending >= BATCH_ROWS)
		hand_over(w);
	pthread_mutex_unlock(&w->wlock);
}

/* The end of a complete sweep: drop the rows of files not seen below the
 * roots, and mark the rest as seen by this sweep, in one transaction. */
static int finish_complete(struct vg_store_sweep *w)
{
	vigil_store *st = w->st;
	sqlite3_stmt *del_f = NULL, *del = NULL, *seen = NULL;
	int ok = sqlite3_prepare_v2(st->db, "DELETE FROM findings WHERE path = ?1", -1, &del_f, NULL) == SQLITE_OK &&
		 sqlite3_prepare_v2(st->db, "DELETE FROM files WHERE path = ?1", -1, &del, NULL) == SQLITE_OK &&
		 sqlite3_prepare_v2(st->db, "UPDATE files SET seen_sweep_id = ?4" RANGE, -1, &seen, NULL) == SQLITE_OK;
	if (!ok)
		vg_store_fail(st, "unable to prepare the end of the sweep");
	ok = ok && !vg_store_exec(st, "BEGIN IMMEDIATE", "unable to start the end of the sweep");
	for (size_t i = 0; ok && i < w->nrows; i++) {
		if (atomic_load(&w->rows[i].seen))
			continue;
		sqlite3_bind_text(del_f, 1, w->rows[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(del, 1, w->rows[i].key, -1, SQLITE_STATIC);
		ok = sqlite3_step(del_f) == SQLITE_DONE && sqlite3_step(del) == SQLITE_DONE;
		if (ok && sqlite3_changes(st->db))
			st->dropped++;
		sqlite3_reset(del_f);
		sqlite3_reset(del);
	}
	for (size_t i = 0; ok && i < w->nroots; i++) {
		if (!w->roots[i].canon)
			continue;
		ok = !bind_range(seen, &w->roots[i]) &&
		     sqlite3_bind_int64(seen, 4, w->id) == SQLITE_OK &&
		     sqlite3_step(seen) == SQLITE_DONE;
		sqlite3_reset(seen);
	}
	if (!ok)
		vg_store_fail(st, "unable to finish the sweep");
	sqlite3_finalize(del_f);
	sqlite3_finalize(del);
	sqlite3_finalize(seen);
	return ok ? 0 : -1;
}

int vigil_store_sweep_end(vigil_store *st, int complete)
{
	struct vg_store_sweep *w = st->sweep;
	if (!w)
		return VIGIL_FAILED;
	stop_writer(w);
	int failed = w->failed;
	st->written = w->written;
	if (!failed && complete && finish_complete(w)) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		failed = 1;
	} else if (!failed && !complete &&
		   vg_store_exec(st, "BEGIN IMMEDIATE", "unable to start the end of the sweep")) {
		failed = 1;
	}
	if (!failed) {
		sqlite3_stmt *q = NULL;
		int ok = sqlite3_prepare_v2(st->db,
					    "UPDATE sweeps SET finished_ns = ?1, complete = ?2 WHERE id = ?3",
					    -1, &q, NULL) == SQLITE_OK &&
			 sqlite3_bind_int64(q, 1, vg_store_now_ns()) == SQLITE_OK &&
			 sqlite3_bind_int(q, 2, complete ? 1 : 0) == SQLITE_OK &&
			 sqlite3_bind_int64(q, 3, w->id) == SQLITE_OK &&
			 sqlite3_step(q) == SQLITE_DONE;
		sqlite3_finalize(q);
		if (!ok || vg_store_exec(st, "COMMIT", "unable to commit the end of the sweep")) {
			if (!ok)
				vg_store_fail(st, "unable to record the end of the sweep");
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			failed = 1;
		}
	}
	if (!failed)
		sqlite3_exec(st->db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
	sweep_free(w);
	st->sweep = NULL;
	return failed ? VIGIL_FAILED : VIGIL_OK;
}
