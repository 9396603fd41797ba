/*
 * vigil baseline init|check|update: walk the selected paths (fts(3),
 * physical: symlinks are recorded, never followed), read what lstat does
 * not say on a few threads (SHA-256, xattrs, symlink targets), compare
 * with the stored baseline in path order, and write the accepted state
 * back in one transaction, signed when a key is given.
 */
#include <errno.h>
#include <fts.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vigil/escape.h>

#include "base/util.h"
#include "report/json_write.h"
#include "store/baseline_internal.h"
#include "store/store_internal.h"

#define READ_BUF (128 * 1024)

void vigil_baseline_options_init(vigil_baseline_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->threads = 2;
}

struct run {
	vigil_store *st;
	const vigil_baseline_options *opt;
	vigil_diag_fn diag;
	void *dctx;
	vg_brules rules;
	char *self[4];        /* the store's own files: never recorded */
	vg_bentry *cur;       /* what the walk found */
	size_t ncur, capcur;
	char **unread;        /* directories that could not be listed */
	size_t nunread, capunread;
	vigil_baseline_summary *sum;
	atomic_size_t next;   /* the readers' next entry */
};

static int below(const char *p, const char *root)
{
	size_t l = strlen(root);
	if (l == 1 && root[0] == '/')
		return p[0] == '/';
	return strncmp(p, root, l) == 0 && (p[l] == '\0' || p[l] == '/');
}

static int below_any(const char *p, char *const *roots, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (below(p, roots[i]))
			return 1;
	return 0;
}

/* /proc, /sys and /dev are no baseline's business; the store's own files
 * change with every run. */
static int pruned(const struct run *r, const char *path)
{
	if (strcmp(path, "/proc") == 0 || strcmp(path, "/sys") == 0 ||
	    strcmp(path, "/dev") == 0)
		return 1;
	for (size_t i = 0; i < sizeof r->self / sizeof *r->self; i++)
		if (r->self[i] && strcmp(path, r->self[i]) == 0)
			return 1;
	return 0;
}

static int add_entry(struct run *r, const char *path, const struct stat *sb, unsigned attrs)
{
	if (!vg_grow(&r->cur, &r->capcur, r->ncur + 1, sizeof *r->cur))
		return -1;
	vg_bentry *e = &r->cur[r->ncur];
	memset(e, 0, sizeof *e);
	if (!(e->path = vg_strdup(path)))
		return -1;
	vg_bentry_from_stat(e, sb);
	e->attrs = attrs;
	r->ncur++;
	return 0;
}

static void walk_error(struct run *r, const char *path, int err, const char *what)
{
	vg_diag(r->diag, r->dctx, VIGIL_DIAG_ERROR, path, 0, "%s: %s", what, strerror(err));
	r->sum->errors++;
}

/* fts gives "//x" under the root "/". */
static const char *clean_path(const char *p)
{
	while (p[0] == '/' && p[1] == '/')
		p++;
	return p;
}

static int walk(struct run *r, char *const *roots, size_t n)
{
	if (n == 0)
		return 0;
	char **argv = calloc(n + 1, sizeof *argv);
	if (!argv)
		return -1;
	memcpy(argv, roots, n * sizeof *argv);
	FTS *fts = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!fts) {
		walk_error(r, roots[0], errno, "unable to walk");
		free(argv);
		return 0;
	}
	FTSENT *f;
	int rc = 0;
	while (rc == 0 && (f = fts_read(fts))) {
		const char *path = clean_path(f->fts_path);
		if (f->fts_info == FTS_DP || f->fts_info == FTS_DC)
			continue;
		if (f->fts_info == FTS_NS || f->fts_info == FTS_ERR) {
			walk_error(r, path, f->fts_errno, "unable to examine");
			continue;
		}
		unsigned attrs = 0;
		int m = pruned(r, path) ? 0 : vg_brules_match(&r->rules, path, &attrs);
		if (m == 0) {
			if (f->fts_info == FTS_D)
				fts_set(fts, f, FTS_SKIP);
			continue;
		}
		if (f->fts_info == FTS_DNR) {
			walk_error(r, path, f->fts_errno, "unable to list the directory");
			char *p = vg_strdup(path);
			if (!p || !vg_grow(&r->unread, &r->capunread, r->nunread + 1,
					   sizeof *r->unread)) {
				free(p);
				rc = -1;
				break;
			}
			r->unread[r->nunread++] = p;
		}
		if (m > 0 && add_entry(r, path, f->fts_statp, attrs))
			rc = -1;
	}
	if (rc == 0 && errno != 0 && !f) {
		/* fts_read's own failure ends the walk */
		if (errno != ENOENT)
			walk_error(r, roots[0], errno, "the walk stopped");
	}
	fts_close(fts);
	free(argv);
	return rc;
}

static void *reader(void *arg)
{
	struct run *r = arg;
	uint8_t *buf = malloc(READ_BUF);
	if (!buf)
		return NULL;
	for (;;) {
		size_t i = atomic_fetch_add(&r->next, 1);
		if (i >= r->ncur)
			break;
		vg_bentry_read(&r->cur[i], buf, READ_BUF);
	}
	free(buf);
	return NULL;
}

static void read_all(struct run *r)
{
	long nt = r->opt->threads > 0 ? r->opt->threads : 2;
	if (nt > 64)
		nt = 64;
	pthread_t th[64];
	long started = 0;
	atomic_store(&r->next, 0);
	for (long i = 1; i < nt && (size_t)i < r->ncur; i++) {
		if (pthread_create(&th[started], NULL, reader, r) != 0)
			break;
		started++;
	}
	reader(r); /* this thread too; alone when no thread could start */
	for (long i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

static const vg_bentry *find_row(const vg_bstate *s, const char *path)
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

/* --fast: an unchanged (dev, ino, size, mtime, ctime) keeps the stored
 * SHA-256. ctime cannot be set back by a user: a write with the mtime
 * restored still changes it. */
static void trust_unchanged(struct run *r, const vg_bstate *old)
{
	for (size_t i = 0; i < r->ncur; i++) {
		vg_bentry *e = &r->cur[i];
		if (e->type != VG_BT_FILE || !(e->attrs & VG_BA_SHA256))
			continue;
		const vg_bentry *o = find_row(old, e->path);
		if (o && o->type == VG_BT_FILE && o->sha256[0] && o->dev == e->dev &&
		    o->ino == e->ino && o->size == e->size && o->mtime_ns == e->mtime_ns &&
		    o->ctime_ns == e->ctime_ns) {
			memcpy(e->sha256, o->sha256, sizeof e->sha256);
			e->trust = 1;
			r->sum->trusted++;
		}
	}
}

/* Read the rules file, or make "ROOT R" rules for the roots. */
static int load_rules_text(struct run *r, char *const *roots, size_t n, char **text)
{
	if (r->opt->select_path) {
		size_t len = 0;
		int e = vg_read_file(r->opt->select_path, 1 << 20, text, &len);
		if (e) {
			vg_diag(r->diag, r->dctx, VIGIL_DIAG_ERROR, r->opt->select_path, 0,
				"unable to read the rules: %s", strerror(e));
			return -1;
		}
		if (memchr(*text, '\0', len)) {
			vg_diag(r->diag, r->dctx, VIGIL_DIAG_ERROR, r->opt->select_path, 0,
				"a NUL byte in the rules");
			free(*text);
			*text = NULL;
			return -1;
		}
		return 0;
	}
	size_t cap = 1;
	for (size_t i = 0; i < n; i++)
		cap += strlen(roots[i]) * 2 + 4;
	char *t = malloc(cap), *o = t;
	if (!t)
		return -1;
	for (size_t i = 0; i < n; i++) {
		for (const char *p = roots[i]; *p; p++) {
			if (strchr("*?[\\ \t\r#", *p))
				*o++ = '\\';
			*o++ = *p;
		}
		memcpy(o, " R\n", 3);
		o += 3;
	}
	*o = '\0';
	*text = t;
	return 0;
}

/* The canonical (realpath) form of each path; a path that no longer
 * exists keeps its canonical directory and its last name. */
static int canonical_paths(struct run *r, const char *const *paths, size_t n, char ***out)
{
	char **v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char buf[PATH_MAX];
		if (realpath(paths[i], buf)) {
			v[i] = vg_strdup(buf);
		} else {
			int err = errno;
			const char *slash = strrchr(paths[i], '/');
			char *dir = slash ? vg_strndup(paths[i], (size_t)(slash - paths[i])) : vg_strdup(".");
			char dbuf[PATH_MAX];
			if (err == ENOENT && dir && realpath(*dir ? dir : "/", dbuf) && slash && slash[1])
				v[i] = vg_asprintf("%s/%s", strcmp(dbuf, "/") ? dbuf : "", slash + 1);
			else if (err == ENOENT && dir && !slash && realpath(".", dbuf))
				v[i] = vg_asprintf("%s/%s", strcmp(dbuf, "/") ? dbuf : "", paths[i]);
			free(dir);
			if (!v[i]) {
				vg_diag(r->diag, r->dctx, VIGIL_DIAG_ERROR, paths[i], 0,
					"unable to resolve: %s", strerror(err));
				vg_free_list(v, n);
				return -1;
			}
		}
		if (!v[i]) {
			vg_free_list(v, n);
			return -1;
		}
	}
	*out = v;
	return 0;
}

static void emit(struct run *r, vigil_baseline_fn fn, void *ctx, vigil_baseline_kind kind,
		 const vg_bentry *e, const vigil_baseline_attr *a, size_t na)
{
	if (kind == VIGIL_BASELINE_ADDED)
		r->sum->added++;
	else if (kind == VIGIL_BASELINE_REMOVED)
		r->sum->removed++;
	else
		r->sum->changed++;
	if (!fn)
		return;
	vigil_baseline_change c = {
		.kind = kind, .path = e->path, .type = vg_btype_name(e->type),
		.attrs = a, .nattrs = na,
	};
	fn(ctx, &c);
}

/* Move entry *e into the new state (it is cleared). */
static int take(vg_bstate *s, size_t *cap, vg_bentry *e)
{
	if (!vg_grow(&s->rows, cap, s->n + 1, sizeof *s->rows))
		return -1;
	s->rows[s->n++] = *e;
	memset(e, 0, sizeof *e);
	return 0;
}

/*
 * Compare old (sorted) with r->cur (sorted) within scope; report the
 * changes; when next is not NULL build the accepted state there: old
 * rows outside scope, the current entries inside it (old rows below a
 * directory that could not be listed are kept: unknown, not removed).
 */
static int compare(struct run *r, vg_bstate *old, char *const *scope, size_t nscope,
		   vigil_baseline_fn fn, void *ctx, vg_bstate *next)
{
	size_t i = 0, j = 0, cap = 0;
	while (i < old->n || j < r->ncur) {
		vg_bentry *o = i < old->n ? &old->rows[i] : NULL;
		vg_bentry *c = j < r->ncur ? &r->cur[j] : NULL;
		if (o && !below_any(o->path, scope, nscope)) {
			if (next && take(next, &cap, o))
				return -1;
			i++;
			continue;
		}
		int k = !o ? 1 : !c ? -1 : strcmp(o->path, c->path);
		if (k < 0) {
			if (below_any(o->path, r->unread, r->nunread)) {
				if (next && take(next, &cap, o))
					return -1;
			} else {
				emit(r, fn, ctx, VIGIL_BASELINE_REMOVED, o, NULL, 0);
			}
			i++;
		} else if (k > 0) {
			emit(r, fn, ctx, VIGIL_BASELINE_ADDED, c, NULL, 0);
			if (next && take(next, &cap, c))
				return -1;
			j++;
		} else if (o && c) { /* k == 0: both exist (said for cppcheck) */
			vigil_baseline_attr *a = NULL;
			size_t na = 0;
			if (vg_bentry_diff(o, c, &a, &na))
				return -1;
			if (na)
				emit(r, fn, ctx, VIGIL_BASELINE_CHANGED, c, a, na);
			vg_bdiff_free(a, na);
			if (next && take(next, &cap, c))
				return -1;
			i++;
			j++;
		} else {
			break;
		}
	}
	return 0;
}

static void report_entry_errors(struct run *r)
{
	for (size_t i = 0; i < r->ncur; i++) {
		vg_bentry *e = &r->cur[i];
		if (r->cur[i].type == VG_BT_FILE && (e->attrs & VG_BA_SHA256) && !e->trust &&
		    !e->error)
			r->sum->hashed++;
		if (!e->error)
			continue;
		if (e->type == VG_BT_FILE && !e->sha256[0])
			r->sum->unreadable++;
		vg_diag(r->diag, r->dctx, VIGIL_DIAG_WARNING, e->path, 0, "%s", e->error);
	}
}

static int set_self(struct run *r)
{
	char buf[PATH_MAX];
	if (!r->st->path || !realpath(r->st->path, buf))
		return 0;
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++)
		if (!(r->self[i] = vg_asprintf("%s%s", buf, suffix[i])))
			return -1;
	return 0;
}

static int verify(struct run *r, const vg_bstate *old)
{
	const char *key = r->opt->verify_key;
	if (!key) {
		r->sum->signature = old->signature ? VIGIL_BASELINE_NOT_VERIFIED
						   : VIGIL_BASELINE_UNSIGNED;
		return 0;
	}
	if (!old->signature) {
		vg_diag(r->diag, r->dctx, VIGIL_DIAG_ERROR, r->st->path, 0,
			"baseline: not signed, refused (--key asks for a signed baseline)");
		return -1;
	}
	uint8_t d[32];
	if (vg_baseline_digest(old->rules, (const char *const *)old->roots, old->nroots,
			       old->rows, old->n, d))
		return -1;
	int v = vg_baseline_verify(key, d, old->signature, r->diag, r->dctx);
	if (v < 0)
		return -1;
	if (v == 0) {
		vg_diag(r->diag, r->dctx, VIGIL_DIAG_ERROR, r->st->path, 0,
			"baseline: the signature does not verify with the key '%s' (rows changed since it was signed, or another key signed it): refused",
			key);
		return -1;
	}
	r->sum->signature = VIGIL_BASELINE_VERIFIED;
	return 0;
}

/* Sign (when a key is given) and write s. */
static int save(struct run *r, vg_bstate *s)
{
	if (s->signature && !r->opt->sign_key)
		vg_diag(r->diag, r->dctx, VIGIL_DIAG_WARNING, r->st->path, 0,
			"baseline: it was signed; written unsigned now (give --sign KEY to sign it)");
	free(s->signature);
	free(s->signer);
	s->signature = s->signer = NULL;
	s->updated_ns = vg_store_now_ns();
	if (!s->created_ns)
		s->created_ns = s->updated_ns;
	if (r->opt->sign_key) {
		uint8_t d[32];
		char sig[129], pub[65];
		if (vg_baseline_digest(s->rules, (const char *const *)s->roots, s->nroots, s->rows,
				       s->n, d) ||
		    vg_baseline_sign(r->opt->sign_key, d, sig, pub, r->diag, r->dctx))
			return -1;
		if (!(s->signature = vg_strdup(sig)) || !(s->signer = vg_strdup(pub)))
			return -1;
		r->sum->signature = VIGIL_BASELINE_SIGNED;
	}
	r->sum->stored = s->n;
	return vg_bdb_save(r->st, s);
}

/* The roots and scope of the run; old is the stored baseline (check,
 * update) or empty (init). */
static int plan(struct run *r, vigil_baseline_op op, char **given, size_t n, vg_bstate *old,
		vg_bstate *next, char ***scope, size_t *nscope)
{
	const char *rules_file = r->opt->select_path ? r->opt->select_path : "(baseline rules)";
	char *text = NULL;
	if (op == VIGIL_BASELINE_CHECK || (op == VIGIL_BASELINE_UPDATE && !r->opt->select_path)) {
		text = vg_strdup(old->rules);
		rules_file = "(rules stored with the baseline)";
	} else if (load_rules_text(r, given, op == VIGIL_BASELINE_INIT ? n : 0, &text)) {
		return -1;
	}
	if (!text)
		return -1;
	if (!r->opt->select_path && op == VIGIL_BASELINE_INIT && n == 0) {
		vg_diag(r->diag, r->dctx, VIGIL_DIAG_ERROR, NULL, 0,
			"baseline init needs a PATH or --select FILE");
		free(text);
		return -1;
	}
	if (vg_brules_parse(text, strlen(text), rules_file, r->diag, r->dctx, &r->rules)) {
		free(text);
		return -1;
	}
	next->rules = text;
	char **roots = NULL;
	size_t nroots = 0;
	if (op == VIGIL_BASELINE_INIT && n) {
		roots = calloc(n, sizeof *roots);
		for (size_t i = 0; roots && i < n; i++)
			if (!(roots[nroots++] = vg_strdup(given[i])))
				break;
		if (!roots || nroots != n || !roots[n - 1]) {
			vg_free_list(roots, nroots);
			return -1;
		}
	} else if (op == VIGIL_BASELINE_INIT || r->opt->select_path) {
		if (vg_brules_roots(&r->rules, &roots, &nroots))
			return -1;
		/* update --select keeps the roots it had and adds the rules' */
		for (size_t i = 0; op == VIGIL_BASELINE_UPDATE && i < old->nroots; i++) {
			char *p = vg_strdup(old->roots[i]);
			char **nr = p ? realloc(roots, (nroots + 1) * sizeof *nr) : NULL;
			if (!nr) {
				free(p);
				vg_free_list(roots, nroots);
				return -1;
			}
			roots = nr;
			roots[nroots++] = p;
		}
	} else {
		roots = old->roots;
		nroots = old->nroots;
		old->roots = NULL;
		old->nroots = 0;
	}
	next->roots = roots;
	next->nroots = nroots;
	if (op != VIGIL_BASELINE_INIT && n) {
		for (size_t i = 0; i < n; i++)
			if (!below_any(given[i], roots, nroots)) {
				vg_diag(r->diag, r->dctx, VIGIL_DIAG_ERROR, given[i], 0,
					"not below the baseline's roots (vigil baseline init or update --select to add it)");
				return -1;
			}
		*scope = given;
		*nscope = n;
	} else {
		*scope = roots;
		*nscope = nroots;
	}
	return 0;
}

/* The scope's paths that exist (a removed file is in scope, not walked). */
static int walk_scope(struct run *r, char **scope, size_t n)
{
	char **live = calloc(n ? n : 1, sizeof *live);
	size_t k = 0;
	if (!live)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (lstat(scope[i], &sb) == 0)
			live[k++] = scope[i];
		else if (errno != ENOENT)
			walk_error(r, scope[i], errno, "unable to examine");
	}
	int rc = walk(r, live, k);
	free(live);
	return rc;
}

int vigil_baseline_run(vigil_store *st, vigil_baseline_op op, const char *const *paths,
		       size_t n, const vigil_baseline_options *opt, vigil_baseline_fn fn,
		       void *ctx, vigil_diag_fn diag, void *diag_ctx,
		       vigil_baseline_summary *out)
{
	memset(out, 0, sizeof *out);
	struct run r = {.st = st, .opt = opt, .diag = diag, .dctx = diag_ctx, .sum = out};
	vg_bstate old = {0}, next = {0};
	char **given = NULL, **scope = NULL;
	size_t nscope = 0;
	int rc = VIGIL_FATAL;
	if (set_self(&r) || canonical_paths(&r, paths, n, &given))
		goto done;
	if (op != VIGIL_BASELINE_INIT) {
		int l = vg_bdb_load(st, &old);
		if (l < 0)
			goto done;
		if (l > 0) {
			vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, st->path, 0,
				"baseline: none in this store (vigil baseline init first)");
			goto done;
		}
		if (verify(&r, &old))
			goto done;
		next.created_ns = old.created_ns;
		next.signature = old.signature ? vg_strdup(old.signature) : NULL;
	}
	if (plan(&r, op, given, n, &old, &next, &scope, &nscope) || walk_scope(&r, scope, nscope))
		goto done;
	if (opt->fast && op != VIGIL_BASELINE_INIT)
		trust_unchanged(&r, &old);
	read_all(&r);
	vg_bentries_sort(r.cur, r.ncur);
	out->entries = r.ncur;
	report_entry_errors(&r);
	if (compare(&r, &old, scope, nscope, op == VIGIL_BASELINE_INIT ? NULL : fn, ctx,
		    op == VIGIL_BASELINE_CHECK ? NULL : &next))
		goto done;
	if (op == VIGIL_BASELINE_CHECK) {
		out->stored = old.n;
	} else {
		if (op == VIGIL_BASELINE_INIT)
			out->added = 0;
		if (save(&r, &next))
			goto done;
	}
	rc = VIGIL_OK;
done:
	vg_brules_free(&r.rules);
	for (size_t i = 0; i < r.ncur; i++)
		vg_bentry_clear(&r.cur[i]);
	free(r.cur);
	vg_free_list(r.unread, r.nunread);
	for (size_t i = 0; i < sizeof r.self / sizeof *r.self; i++)
		free(r.self[i]);
	vg_free_list(given, n);
	vg_bstate_free(&old);
	vg_bstate_free(&next);
	return rc;
}

char *vigil_baseline_change_json(const vigil_baseline_change *c)
{
	static const char *const kinds[] = {"added", "removed", "changed"};
	json_t *rec = vg_json_record("baseline");
	if (!rec)
		return NULL;
	int bad = vg_json_put(rec, "change", json_string(kinds[c->kind % 3]));
	bad |= vg_json_put_path(rec, "path", c->path);
	bad |= vg_json_put(rec, "file_type", json_string(c->type));
	if (c->kind == VIGIL_BASELINE_CHANGED) {
		json_t *arr = json_array();
		for (size_t i = 0; arr && i < c->nattrs; i++) {
			json_t *a = json_object();
			if (!a || vg_json_put(a, "name", vg_json_text(c->attrs[i].name)) ||
			    vg_json_put(a, "old", vg_json_text(c->attrs[i].old_value)) ||
			    vg_json_put(a, "new", vg_json_text(c->attrs[i].new_value)) ||
			    json_array_append_new(arr, a)) {
				bad = 1;
				break;
			}
		}
		bad |= vg_json_put(rec, "attributes", arr);
	}
	if (bad) {
		json_decref(rec);
		return NULL;
	}
	return vg_json_dump(rec);
}
