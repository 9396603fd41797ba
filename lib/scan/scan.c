/*
 * The sweep (see include/vigil/scan.h): the calling thread walks the roots
 * and queues file paths; worker threads read each file once into a buffer
 * and run every matcher on those bytes: digests, hash and file-name IOCs,
 * YARA, structural checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yara.h>

#include <vigil/checks.h>
#include <vigil/scan.h>

#include "base/cpulimit.h"
#include "base/errors.h"
#include "formats/filetype.h"
#include "iocs/iocs_internal.h"
#include "rules/rules_internal.h"
#include "base/util.h"
#include "source/walk.h"

#define QUEUE_CAP 1024
#define CHUNK (1u << 20)
#define DEFAULT_MAX_SIZE (128ull << 20)
#define DEFAULT_YARA_SCORE 75
#define YARA_TIMEOUT_S 60

struct vigil_scanner {
	vigil_scan_options opt;
	vigil_iocs *iocs;
	vigil_rules *rules;
	vigil_file_fn on_file;
	void *file_ctx;
	vigil_diag_fn diag;
	void *diag_ctx;
	pthread_mutex_t report_lock; /* serialises callbacks */

	/* the work queue */
	pthread_mutex_t qlock;
	pthread_cond_t qnonempty, qnonfull;
	struct qitem {
		vg_dir *dir;      /* the open directory holding the file, or NULL */
		const char *name; /* its entry there (points into path) */
		char *path;
	} queue[QUEUE_CAP];
	size_t qhead, qlen;
	int qdone;

	vg_cpulimit *cpulimit;
	double started;
	_Atomic uint64_t files_seen, files_scanned, bytes_read, dirs_seen, excluded;
	_Atomic uint64_t skipped[VIGIL_SKIP_COUNT], errors[VIGIL_ERR_COUNT];
	_Atomic uint64_t by_level[4];
};

/* Per-file findings; strings owned. */
struct findings {
	vigil_finding *items;
	size_t len, cap;
	int oom;
};

struct worker {
	vigil_scanner *s;
	pthread_t thread;
	uint8_t *buf;
	size_t cap;
	EVP_MD_CTX *md[3];
	YR_SCANNER *yr[VIGIL_FILE_CLASSES]; /* one per class of files */
	struct findings f;
	uid_t owner_uid;
	char owner[64];
};

static void add_finding(struct findings *f, const char *kind, const char *id,
			const char *source, const char *message, int score)
{
	if (!vg_grow(&f->items, &f->cap, f->len + 1, sizeof *f->items)) {
		f->oom = 1;
		return;
	}
	vigil_finding *x = &f->items[f->len];
	x->kind = kind; /* static strings */
	x->id = vg_strdup(id ? id : "");
	x->source = vg_strdup(source ? source : "");
	x->message = vg_strdup(message ? message : "");
	x->score = score < 0 ? 0 : score > 100 ? 100 : score;
	if (!x->id || !x->source || !x->message) {
		free((char *)x->id);
		free((char *)x->source);
		free((char *)x->message);
		f->oom = 1;
		return;
	}
	f->len++;
}

static void clear_findings(struct findings *f)
{
	for (size_t i = 0; i < f->len; i++) {
		free((char *)f->items[i].id);
		free((char *)f->items[i].source);
		free((char *)f->items[i].message);
	}
	f->len = 0;
	f->oom = 0;
}

static void add_ioc_finding(struct findings *f, const char *kind,
			    const vigil_ioc *ioc)
{
	char *src = ioc->line ? vg_asprintf("%s:%lu", ioc->source, ioc->line)
			      : vg_strdup(ioc->source);
	add_finding(f, kind, ioc->value, src ? src : ioc->source, ioc->comment,
		    ioc->score);
	free(src);
}

static void on_path_ioc(void *ctx, const vigil_ioc *ioc)
{
	add_ioc_finding(ctx, "filename", ioc);
}

static void on_check(void *ctx, const vigil_finding *fd)
{
	add_finding(ctx, "tamper", fd->id, fd->source, fd->message, fd->score);
}

static int yara_cb(YR_SCAN_CONTEXT *yctx, int msg, void *data, void *user)
{
	struct findings *f = user;
	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	YR_RULE *rule = data;
	YR_META *meta;
	int score = DEFAULT_YARA_SCORE;
	const char *desc = "";
	yr_rule_metas_foreach(rule, meta)
	{
		if (strcmp(meta->identifier, "score") == 0) {
			if (meta->type == META_TYPE_INTEGER)
				score = (int)meta->integer;
			else if (meta->type == META_TYPE_STRING)
				score = atoi(meta->string);
		} else if (strcmp(meta->identifier, "description") == 0 &&
			   meta->type == META_TYPE_STRING) {
			desc = meta->string;
		}
	}
	add_finding(f, "yara", rule->identifier, rule->ns->name, desc, score);
	return CALLBACK_CONTINUE;
}

static int finding_cmp(const void *a, const void *b)
{
	const vigil_finding *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	int k = strcmp(x->kind, y->kind);
	return k ? k : strcmp(x->id, y->id);
}

static void bump(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* Deliver one result to the user's callback, serialised. */
static void deliver(vigil_scanner *s, vigil_file_result *r, struct findings *f)
{
	if (f && f->len) {
		qsort(f->items, f->len, sizeof *f->items, finding_cmp);
		int scores[64];
		size_t n = f->len < 64 ? f->len : 64;
		for (size_t i = 0; i < n; i++)
			scores[i] = f->items[i].score;
		r->score = vigil_score_combine(scores, n);
		r->findings = f->items;
		r->nfindings = f->len;
	}
	bump(&s->by_level[vigil_score_level(r->score)], 1);
	if (r->skip)
		bump(&s->skipped[r->skip], 1);
	if (r->error)
		bump(&s->errors[r->error], 1);
	if (!s->on_file || (!r->nfindings && !r->skip && !r->error &&
			    !s->opt.report_all))
		return;
	pthread_mutex_lock(&s->report_lock);
	s->on_file(s->file_ctx, r);
	pthread_mutex_unlock(&s->report_lock);
}

static const char *owner_name(struct worker *w, uid_t uid)
{
	if (w->owner[0] && w->owner_uid == uid)
		return w->owner;
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
		snprintf(w->owner, sizeof w->owner, "%s", res->pw_name);
	else
		snprintf(w->owner, sizeof w->owner, "%lu", (unsigned long)uid);
	w->owner_uid = uid;
	return w->owner;
}

static void define_externals(YR_SCANNER *yr, struct worker *w, const char *path,
			     const struct stat *st, const uint8_t *buf,
			     size_t len, const char *md5hex)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	char ext[32] = "";
	if (dot && dot != base && strlen(dot) < sizeof ext) {
		/* Loki: the extension with its dot, lower-case */
		for (size_t i = 0; dot[i]; i++)
			ext[i] = (char)(dot[i] >= 'A' && dot[i] <= 'Z' ? dot[i] + 32 : dot[i]);
		ext[strlen(dot)] = '\0';
	}
	yr_scanner_define_string_variable(yr, "filename", base);
	yr_scanner_define_string_variable(yr, "filepath", path);
	yr_scanner_define_string_variable(yr, "extension", ext);
	yr_scanner_define_string_variable(yr, "filetype", vg_filetype(buf, len));
	yr_scanner_define_string_variable(yr, "owner", owner_name(w, st->st_uid));
	yr_scanner_define_string_variable(yr, "md5", md5hex);
}

static ssize_t read_full(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static void digest_update(struct worker *w, const uint8_t *p, size_t n)
{
	for (int i = 0; i < 3; i++)
		EVP_DigestUpdate(w->md[i], p, n);
}

static void process_file(struct worker *w, vg_dir *dir, const char *name,
			 const char *path)
{
	vigil_scanner *s = w->s;
	vigil_file_result r = {0};
	struct stat st;
	r.path = path;
	bump(&s->files_seen, 1);

	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;
#ifdef O_CLOEXEC
	flags |= O_CLOEXEC;
#endif
	if (!s->opt.follow_symlinks)
		flags |= O_NOFOLLOW;
	int fd = dir ? openat(vg_dir_fd(dir), name, flags) : open(path, flags);
	if (fd < 0) {
		int e = errno;
		r.error = vg_error_from_errno(e, 0);
		r.error_detail = strerror(e);
		deliver(s, &r, NULL);
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		/* replaced by something else since it was listed */
		close(fd);
		r.skip = VIGIL_SKIP_SPECIAL;
		deliver(s, &r, NULL);
		return;
	}
	r.size = (uint64_t)st.st_size;
	uint64_t max = s->opt.max_size;
	int whole = r.size <= max;
	for (int i = 0; i < 3; i++)
		EVP_DigestInit_ex(w->md[i],
				  i == 0 ? EVP_md5() : i == 1 ? EVP_sha1() : EVP_sha256(),
				  NULL);

	size_t len = 0;
	int rerr = 0;
	if (whole) {
		/* the whole file in one buffer, read once, for every matcher */
		size_t need = (size_t)r.size + 1;
		if (need > w->cap) {
			uint8_t *nb = realloc(w->buf, need);
			if (!nb) {
				close(fd);
				r.error = VIGIL_ERR_IO;
				r.error_detail = "out of memory";
				deliver(s, &r, NULL);
				return;
			}
			w->buf = nb;
			w->cap = need;
		}
		for (size_t off = 0; off < (size_t)r.size;) {
			vg_cpulimit_wait(s->cpulimit);
			size_t want = (size_t)r.size - off < CHUNK ? (size_t)r.size - off : CHUNK;
			ssize_t got = read_full(fd, w->buf + off, want);
			if (got < 0) {
				rerr = errno;
				break;
			}
			/* digest each chunk while it is still in the CPU cache */
			digest_update(w, w->buf + off, (size_t)got);
			off += (size_t)got;
			len = off;
			if ((size_t)got < want)
				break;
		}
		if (!rerr && len == (size_t)r.size) {
			uint8_t extra;
			ssize_t more = read(fd, &extra, 1);
			if (more > 0) {
				r.error = VIGIL_ERR_CHANGED;
				r.error_detail = "file grew while read; examined its first bytes";
			}
		} else if (!rerr) {
			r.error = VIGIL_ERR_CHANGED;
			r.error_detail = "file shrank while read; examined what was read";
		}
	} else {
		/* too large for YARA: stream it through the digests only */
		if (w->cap < CHUNK) {
			uint8_t *nb = realloc(w->buf, CHUNK);
			if (nb) {
				w->buf = nb;
				w->cap = CHUNK;
			}
		}
		for (;;) {
			vg_cpulimit_wait(s->cpulimit);
			ssize_t got = w->cap >= CHUNK ? read_full(fd, w->buf, CHUNK) : -1;
			if (got < 0) {
				rerr = w->cap >= CHUNK ? errno : ENOMEM;
				break;
			}
			if (got == 0)
				break;
			digest_update(w, w->buf, (size_t)got);
			len += (size_t)got;
		}
		r.skip = VIGIL_SKIP_TOO_LARGE;
	}
	close(fd);
	bump(&s->bytes_read, len);
	if (rerr) {
		r.error = vg_error_from_errno(rerr, 0);
		r.error_detail = strerror(rerr);
		deliver(s, &r, NULL);
		return;
	}
	bump(&s->files_scanned, 1);

	unsigned dl;
	EVP_DigestFinal_ex(w->md[0], r.md5, &dl);
	EVP_DigestFinal_ex(w->md[1], r.sha1, &dl);
	EVP_DigestFinal_ex(w->md[2], r.sha256, &dl);
	r.hashed = 1;

	struct findings *f = &w->f;
	clear_findings(f);
	if (s->iocs) {
		const vigil_ioc *ioc;
		if ((ioc = vigil_iocs_find_hash(s->iocs, r.md5, 16)))
			add_ioc_finding(f, "hash", ioc);
		if ((ioc = vigil_iocs_find_hash(s->iocs, r.sha1, 20)))
			add_ioc_finding(f, "hash", ioc);
		if ((ioc = vigil_iocs_find_hash(s->iocs, r.sha256, 32)))
			add_ioc_finding(f, "hash", ioc);
		vigil_iocs_match_path(s->iocs, path, strlen(path), on_path_ioc, f);
	}
	if (whole && w->yr[VIGIL_FILE_MZ]) {
		/* the rules that can match a file starting as this one does */
		YR_SCANNER *yr = w->yr[vigil_file_class_of(w->buf, len)];
		char md5hex[33];
		vg_hex(r.md5, 16, md5hex);
		define_externals(yr, w, path, &st, w->buf, len, md5hex);
		yr_scanner_set_callback(yr, yara_cb, f);
		int yrc = yr_scanner_scan_mem(yr, w->buf, len);
		if (yrc != ERROR_SUCCESS && !r.error) {
			r.error = VIGIL_ERR_YARA;
			r.error_detail = yrc == ERROR_SCAN_TIMEOUT
						 ? "YARA timed out on the file"
						 : "YARA could not scan the file";
		}
	}
	if (whole && !s->opt.no_checks)
		vigil_checks_run(w->buf, len, on_check, f);
	if (f->oom && !r.error) {
		r.error = VIGIL_ERR_IO;
		r.error_detail = "out of memory while recording findings";
	}
	deliver(s, &r, f);
	clear_findings(f);
}

static int queue_pop(vigil_scanner *s, struct qitem *out)
{
	pthread_mutex_lock(&s->qlock);
	while (!s->qlen && !s->qdone)
		pthread_cond_wait(&s->qnonempty, &s->qlock);
	int got = 0;
	if (s->qlen) {
		*out = s->queue[s->qhead];
		got = 1;
		s->qhead = (s->qhead + 1) % QUEUE_CAP;
		s->qlen--;
		pthread_cond_signal(&s->qnonfull);
	}
	pthread_mutex_unlock(&s->qlock);
	return got;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct qitem it;
	while (queue_pop(w->s, &it)) {
		vg_cpulimit_wait(w->s->cpulimit);
		process_file(w, it.dir, it.name, it.path);
		vg_dir_unref(it.dir);
		free(it.path);
	}
	return NULL;
}

/* Walk callbacks (run on the walking thread). */
static int walk_file(void *ctx, vg_dir *dir, const char *name, char *path)
{
	vigil_scanner *s = ctx;
	pthread_mutex_lock(&s->qlock);
	while (s->qlen == QUEUE_CAP)
		pthread_cond_wait(&s->qnonfull, &s->qlock);
	s->queue[(s->qhead + s->qlen) % QUEUE_CAP] = (struct qitem){dir, name, path};
	s->qlen++;
	pthread_cond_signal(&s->qnonempty);
	pthread_mutex_unlock(&s->qlock);
	return 0;
}

static void walk_dir(void *ctx, const char *path)
{
	vigil_scanner *s = ctx;
	bump(&s->dirs_seen, 1);
}

static void walk_event(void *ctx, const char *path, vigil_skip skip,
		       vigil_error err, int errnum)
{
	vigil_scanner *s = ctx;
	vigil_file_result r = {0};
	r.path = path;
	r.skip = skip;
	r.error = err;
	r.error_detail = errnum ? strerror(errnum) : NULL;
	if (skip == VIGIL_SKIP_SPECIAL || skip == VIGIL_SKIP_SYMLINK)
		bump(&s->files_seen, 1);
	deliver(s, &r, NULL);
}

static void walk_excluded(void *ctx, const char *path)
{
	vigil_scanner *s = ctx;
	bump(&s->excluded, 1);
}

vigil_scanner *vigil_scanner_create(const vigil_scan_options *opt,
				    vigil_iocs *iocs, vigil_rules *rules)
{
	vigil_scanner *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->opt = *opt;
	if (!s->opt.max_size)
		s->opt.max_size = DEFAULT_MAX_SIZE;
	if (!s->opt.threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		s->opt.threads = n > 0 ? (unsigned)n : 1;
	}
	if (s->opt.threads > 256)
		s->opt.threads = 256;
	s->iocs = iocs;
	s->rules = rules;
	pthread_mutex_init(&s->report_lock, NULL);
	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qnonempty, NULL);
	pthread_cond_init(&s->qnonfull, NULL);
	return s;
}

void vigil_scanner_destroy(vigil_scanner *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->report_lock);
	pthread_mutex_destroy(&s->qlock);
	pthread_cond_destroy(&s->qnonempty);
	pthread_cond_destroy(&s->qnonfull);
	free(s);
}

void vigil_scanner_set_callback(vigil_scanner *s, vigil_file_fn fn, void *ctx)
{
	s->on_file = fn;
	s->file_ctx = ctx;
}

void vigil_scanner_set_diag(vigil_scanner *s, vigil_diag_fn fn, void *ctx)
{
	s->diag = fn;
	s->diag_ctx = ctx;
}

static void worker_free(struct worker *w)
{
	for (int i = 0; i < 3; i++)
		EVP_MD_CTX_free(w->md[i]);
	for (int c = 0; c < VIGIL_FILE_CLASSES; c++)
		if (w->yr[c])
			yr_scanner_destroy(w->yr[c]);
	clear_findings(&w->f);
	free(w->f.items);
	free(w->buf);
}

static int worker_init(struct worker *w, vigil_scanner *s)
{
	memset(w, 0, sizeof *w);
	w->s = s;
	for (int i = 0; i < 3; i++)
		if (!(w->md[i] = EVP_MD_CTX_new()))
			return 0;
	for (int c = 0; c < VIGIL_FILE_CLASSES; c++) {
		YR_RULES *yr = vg_rules_yara(s->rules, (vigil_file_class)c);
		if (!yr)
			continue;
		if (yr_scanner_create(yr, &w->yr[c]) != ERROR_SUCCESS)
			return 0;
		yr_scanner_set_timeout(w->yr[c], YARA_TIMEOUT_S);
	}
	return 1;
}

int vigil_scanner_run(vigil_scanner *s, const char *const *roots, size_t n)
{
	unsigned nt = s->opt.threads;
	struct worker *ws = calloc(nt, sizeof *ws);
	if (!ws)
		return VIGIL_FATAL;
	unsigned started = 0;
	int rc = VIGIL_OK;
	s->started = vg_now();
	s->qdone = 0;
	s->cpulimit = vg_cpulimit_start(s->opt.cpu_limit);
	for (; started < nt; started++) {
		if (!worker_init(&ws[started], s) ||
		    pthread_create(&ws[started].thread, NULL, worker_main,
				   &ws[started]) != 0) {
			worker_free(&ws[started]);
			break;
		}
	}
	if (!started) {
		vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_ERROR, NULL, 0,
			"unable to start the scan threads");
		rc = VIGIL_FATAL;
	}
	vg_walk_opts wo = {s->opt.follow_symlinks, s->opt.one_file_system,
			   s->opt.excludes, s->opt.nexcludes};
	vg_walk_cb cb = {walk_file, walk_dir, walk_event, walk_excluded, s};
	for (size_t i = 0; rc == VIGIL_OK && i < n; i++)
		if (vg_walk(roots[i], &wo, &cb) == VIGIL_FATAL) {
			vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_ERROR, roots[i], 0,
				"out of memory while walking");
			rc = VIGIL_FATAL;
		}
	pthread_mutex_lock(&s->qlock);
	s->qdone = 1;
	pthread_cond_broadcast(&s->qnonempty);
	pthread_mutex_unlock(&s->qlock);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(ws[i].thread, NULL);
		worker_free(&ws[i]);
	}
	/* paths queued but never taken (no worker started) */
	while (s->qlen) {
		vg_dir_unref(s->queue[s->qhead].dir);
		free(s->queue[s->qhead].path);
		s->qhead = (s->qhead + 1) % QUEUE_CAP;
		s->qlen--;
	}
	vg_cpulimit_stop(s->cpulimit);
	s->cpulimit = NULL;
	free(ws);
	return rc;
}

void vigil_scanner_stats(vigil_scanner *s, vigil_scan_stats *out)
{
	memset(out, 0, sizeof *out);
	out->files_seen = atomic_load(&s->files_seen);
	out->files_scanned = atomic_load(&s->files_scanned);
	out->bytes_read = atomic_load(&s->bytes_read);
	out->dirs_seen = atomic_load(&s->dirs_seen);
	out->excluded = atomic_load(&s->excluded);
	for (int i = 0; i < VIGIL_SKIP_COUNT; i++)
		out->skipped[i] = atomic_load(&s->skipped[i]);
	for (int i = 0; i < VIGIL_ERR_COUNT; i++)
		out->errors[i] = atomic_load(&s->errors[i]);
	for (int i = 0; i < 4; i++)
		out->files_by_level[i] = atomic_load(&s->by_level[i]);
	out->elapsed = s->started ? vg_now() - s->started : 0;
}
