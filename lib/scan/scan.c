/*
 * The sweep (see include/vigil/scan.h): walk -> read -> match -> report.
 * The calling thread walks the roots (source/walk.c) and queues each file
 * with its open directory; worker threads read it once (source/readfile.c,
 * the digests fed chunk by chunk) and hand the bytes to their matcher
 * (scan/match.c); results reach the caller through one serialised
 * callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vigil/scan.h>

#include "base/cpulimit.h"
#include "base/digest.h"
#include "base/membudget.h"
#include "base/util.h"
#include "containers/unpack.h"
#include "scan/match.h"
#include "source/readfile.h"
#include "source/walk.h"

#define QUEUE_CAP 1024
/* the first bytes the container readers' probes look at */
#define VG_HEAD 65536
#define DEFAULT_MAX_SIZE (128ull << 20)
#define DEFAULT_MAX_HASH_SIZE (4ull << 30)

struct vigil_scanner {
	vigil_scan_options opt;
	const vigil_iocs *iocs;
	const vigil_rules *rules;
	vigil_file_fn on_file;
	void *file_ctx;
	vigil_diag_fn diag;
	void *diag_ctx;
	vigil_reuse_fn reuse;
	void *reuse_ctx;
	vigil_rules_fn rules_fn; /* rules loaded late, see need_rules */
	void *rules_ctx;
	pthread_mutex_t rules_lock;
	_Atomic int rules_state; /* 0 not loaded, 1 loaded, -1 failed */
	_Atomic int stop;
	_Atomic int interrupted; /* vigil_scanner_stop: queue no more, read no more */
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

	/* no rule and no check will read the bytes: the digests and IOCs
	 * are all, so files are not kept in memory while read */
	int digests_only;
	vg_cpulimit *cpulimit;
	vg_unpack_limits limits;
	double started;
	_Atomic uint64_t files_seen, files_scanned, files_reused, bytes_read, dirs_seen, excluded;
	_Atomic uint64_t self_excluded;
	_Atomic uint64_t skipped[VIGIL_SKIP_COUNT], errors[VIGIL_ERR_COUNT];
	_Atomic uint64_t by_level[4];
	_Atomic uint64_t containers, members, bytes_expanded, limit_hits;
	/* the root being walked, and roots that could not be swept */
	const char *cur_root;
	_Atomic uint64_t roots_failed;
	/* the file buffers of all workers (docs/design.md, "Memory") */
	vg_membudget *memory;
};

struct worker {
	vigil_scanner *s;
	pthread_t thread;
	vg_buf buf;
	vg_digests *dg;   /* fed while the file is read */
	vg_matcher *match;
	vg_unpack *unpack; /* NULL with no_archives */
	uid_t uid;         /* owner of the top-level file, for members */
	uint8_t head[VG_HEAD]; /* the first bytes of a file read in streaming */
	const vigil_rules *mrules; /* the rules match was made with */
};

static void bump(_Atomic uint64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* Count one result and hand it to the user's callback, serialised. */
static void deliver(vigil_scanner *s, const vigil_file_result *r)
{
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

static void digest_chunk(void *ctx, const uint8_t *p, size_t n)
{
	vg_digests_update(ctx, p, n);
}

static void member_stream_begin(void *ctx)
{
	struct worker *w = ctx;
	vg_digests_init(w->dg);
}

static void member_stream_chunk(void *ctx, const uint8_t *p, size_t n)
{
	struct worker *w = ctx;
	vg_digests_update(w->dg, p, n);
}

/* The skip or error kind of an unpacking record. */
static void member_status(const vg_unpack_item *it, vigil_file_result *r)
{
	switch (it->status) {
	case VG_UNPACK_OK:
		if (it->complete && !it->data) {
			r->skip = VIGIL_SKIP_TOO_LARGE;
			r->skip_detail = it->detail;
		}
		return;
	case VG_UNPACK_ENCRYPTED:
		r->skip = VIGIL_SKIP_ENCRYPTED;
		break;
	case VG_UNPACK_UNREADABLE:
		r->skip = VIGIL_SKIP_UNSUPPORTED;
		break;
	case VG_UNPACK_SYMLINK:
		r->skip = VIGIL_SKIP_SYMLINK;
		break;
	case VG_UNPACK_HARDLINK:
		r->skip = VIGIL_SKIP_HARDLINK;
		break;
	case VG_UNPACK_DEVICE:
		r->skip = VIGIL_SKIP_SPECIAL;
		break;
	case VG_UNPACK_LIMIT:
		r->skip = VIGIL_SKIP_LIMIT;
		break;
	case VG_UNPACK_DAMAGED:
	case VG_UNPACK_BROKEN:
		r->error = VIGIL_ERR_DAMAGED;
		r->error_detail = it->detail;
		return;
	}
	r->skip_detail = it->detail;
}

/* One record of the unpacking engine: a member goes through exactly what
 * a file gets. */
static void member_item(void *ctx, const vg_unpack_item *it)
{
	struct worker *w = ctx;
	vigil_scanner *s = w->s;
	vigil_file_result r = {0};
	r.path = it->path;
	r.chain = it->chain;
	r.chain_len = it->chain_len;
	if (it->member && it->complete)
		r.size = it->data ? it->len : it->streamed;
	else if (it->member && it->member->size != VG_SIZE_UNKNOWN)
		r.size = it->member->size;
	member_status(it, &r);
	if (it->complete) {
		if (!it->data && vg_digests_final(w->dg, r.md5, r.sha1, r.sha256))
			r.hashed = 1;
		vg_match_meta meta = {w->uid, 1};
		if ((it->data || r.hashed) &&
		    !vg_match(w->match, it->path, it->data, it->len, &meta,
			      !it->data, &r) && !r.error) {
			r.error = VIGIL_ERR_IO;
			r.error_detail = "the digests could not be computed";
		}
	}
	deliver(s, &r);
}

/* A file already read as a byte source for the containers: its buffer
 * when it was read whole, else the file reopened (as safely as the first
 * open, and the same file: device and inode as read), with its first
 * bytes in w->head. Then whether it is a container. 0: no container (or
 * gone, or replaced: its own record said what was read). */
static int container_of(struct worker *w, vg_dir *dir, const char *name,
			const char *path, const vg_read *rd, vg_blob *src,
			int *fd, const uint8_t **head, size_t *n)
{
	vigil_scanner *s = w->s;
	*fd = -1;
	if (rd->whole) {
		*src = vg_blob_mem(w->buf.data, (size_t)rd->len);
		*head = w->buf.data;
		*n = rd->len < VG_HEAD ? (size_t)rd->len : VG_HEAD;
	} else {
		struct stat st;
		vigil_skip skip = VIGIL_SKIP_NONE;
		int err = 0;
		*fd = vg_open_regular(dir, name, path, s->opt.follow_symlinks, &st,
				      &skip, &err);
		if (*fd < 0)
			return 0;
		*src = (vg_blob){NULL, *fd, (uint64_t)st.st_size};
		if (st.st_dev != rd->st.st_dev || st.st_ino != rd->st.st_ino ||
		    vg_blob_pread(src, w->head, VG_HEAD, 0, n) != 0) {
			close(*fd);
			*fd = -1;
			return 0;
		}
		*head = w->head;
	}
	const char *base = strrchr(path, '/');
	if (vg_container_detect(src, *head, *n, base ? base + 1 : path))
		return 1;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return 0;
}

/* Open the containers in a file already read (container_of said it is
 * one) and deliver every member's record. */
static void unpack_file(struct worker *w, const char *path, const vg_read *rd,
			const vg_blob *src, int fd, const uint8_t *head, size_t n)
{
	vigil_scanner *s = w->s;
	vg_unpack_cb cb = {member_stream_begin, member_stream_chunk,
			   member_item, w};
	vg_unpack_stats us = {0};
	w->uid = rd->st.st_uid;
	(void)vg_unpack_run(w->unpack, src, head, n, path, &cb, &us);
	if (fd >= 0)
		close(fd);
	bump(&s->containers, us.containers);
	bump(&s->members, us.members);
	bump(&s->bytes_expanded, us.bytes_expanded);
	bump(&s->limit_hits, us.limit_hits);
}

/* A root named by the caller could not be swept: an error at the end of
 * the run (vigil_scanner_run), and a message naming it whatever the
 * output shows of skips and errors. */
static void root_failed(vigil_scanner *s, const char *path,
			const vigil_file_result *r)
{
	bump(&s->roots_failed, 1);
	const char *why = r->error_detail ? r->error_detail
			  : r->error	  ? vigil_error_name(r->error)
			  : r->skip == VIGIL_SKIP_SPECIAL
				  ? "not a regular file or directory"
				  : vigil_skip_name(r->skip);
	vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_ERROR, path, 0,
		"unable to sweep: %s", why);
}

static void to_file_stat(const struct stat *st, vigil_file_stat *fs)
{
	fs->dev = (uint64_t)st->st_dev;
	fs->ino = (uint64_t)st->st_ino;
	fs->size = (uint64_t)st->st_size;
#ifdef __APPLE__
	fs->mtime_ns = (int64_t)st->st_mtimespec.tv_sec * 1000000000 + st->st_mtimespec.tv_nsec;
	fs->ctime_ns = (int64_t)st->st_ctimespec.tv_sec * 1000000000 + st->st_ctimespec.tv_nsec;
#else
	fs->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	fs->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
#endif
	fs->mode = (uint32_t)st->st_mode;
	fs->uid = (uint32_t)st->st_uid;
	fs->gid = (uint32_t)st->st_gid;
}

/* The reuse hook's answer for a regular file, before it is opened: 1 when
 * r holds the stored results (parts that need no bytes recomputed). */
static int reuse_file(struct worker *w, vg_dir *dir, const char *name,
		      const char *path, vigil_file_stat *fs, vigil_file_result *r)
{
	vigil_scanner *s = w->s;
	struct stat st;
	int flags = s->opt.follow_symlinks ? 0 : AT_SYMLINK_NOFOLLOW;
	if (fstatat(dir ? vg_dir_fd(dir) : AT_FDCWD, dir ? name : path, &st,
		    flags) != 0 || !S_ISREG(st.st_mode))
		return 0;
	to_file_stat(&st, fs);
	vigil_reuse ru;
	memset(&ru, 0, sizeof ru);
	if (s->reuse(s->reuse_ctx, path, fs, &ru) != 1)
		return 0;
	r->size = fs->size;
	r->stat = fs;
	r->skip = ru.skip;
	r->file_class = ru.file_class;
	r->reused = 1;
	vg_match_stored(w->match, path, &ru, r);
	return 1;
}

/* Before a file is read: the rules, loaded by the first worker that
 * needs them when they come late (vigil_scanner_set_rules_loader), and
 * this worker's matcher made with them. 0 when they failed to load. */
static int need_rules(struct worker *w)
{
	vigil_scanner *s = w->s;
	if (!s->rules_fn)
		return 1;
	if (atomic_load(&s->rules_state) == 0) {
		pthread_mutex_lock(&s->rules_lock);
		if (atomic_load(&s->rules_state) == 0) {
			const vigil_rules *r = NULL;
			int ok = s->rules_fn(s->rules_ctx, &r) == VIGIL_OK;
			if (ok) {
				s->rules = r;
				s->digests_only = s->opt.no_checks &&
						  (!r || !vigil_rules_count(r));
			}
			atomic_store(&s->stop, !ok);
			atomic_store(&s->rules_state, ok ? 1 : -1);
		}
		pthread_mutex_unlock(&s->rules_lock);
	}
	if (atomic_load(&s->rules_state) < 0)
		return 0;
	if (w->mrules != s->rules) {
		vg_matcher *m = vg_matcher_new(s->iocs, s->rules, s->opt.no_checks);
		if (!m)
			return 0;
		vg_matcher_set_strings(m, s->opt.strings);
		vg_matcher_free(w->match);
		w->match = m;
		w->mrules = s->rules;
	}
	return 1;
}

/* One file of the sweep: read it once, match the bytes, report. */
static void process_file(struct worker *w, vg_dir *dir, const char *name,
			 const char *path)
{
	vigil_scanner *s = w->s;
	vigil_file_result r = {0};
	vigil_file_stat fs;
	r.path = path;
	bump(&s->files_seen, 1);
	if (s->reuse && reuse_file(w, dir, name, path, &fs, &r)) {
		bump(&s->files_reused, 1);
		deliver(s, &r);
		return;
	}
	if (!need_rules(w))
		return; /* the sweep stops: the rules did not load */

	int dg_ok = vg_digests_init(w->dg);
	vg_read_opts ro = {
		.follow_symlinks = s->opt.follow_symlinks,
		.follow_root = 1,
		.max = s->opt.max_size,
		.max_hash = s->opt.max_hash_size,
		.cpulimit = s->cpulimit,
		.chunk = digest_chunk,
		.chunk_ctx = w->dg,
		.discard = s->digests_only,
		.memory = s->memory,
	};
	vg_read rd;
	int got = vg_read_entry(dir, name, path, &ro, &w->buf, &rd);
	bump(&s->bytes_read, rd.len);
	r.size = rd.opened ? (uint64_t)rd.st.st_size : 0;
	r.skip = rd.skip;
	r.error = rd.error;
	r.error_detail = rd.error_detail;
	r.skip_detail = rd.skip_detail;
	if (!got && rd.skip == VIGIL_SKIP_HASH_LIMIT) {
		/* not read: its name can still match */
		vg_match(w->match, path, NULL, 0, NULL, 1, &r);
		deliver(s, &r);
		return;
	}
	if (!got) {
		if (!dir) /* a file named as a root */
			root_failed(s, path, &r);
		deliver(s, &r);
		return;
	}
	if (rd.holes)
		vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_INFO, path, 0,
			"sparse file: %llu of its %llu bytes are holes, hashed as "
			"zeros without reading them",
			(unsigned long long)rd.holes, (unsigned long long)rd.len);
	bump(&s->files_scanned, 1);
	to_file_stat(&rd.st, &fs);
	r.stat = &fs;
	if (!s->digests_only && rd.len)
		r.file_class = 1 + (int)vigil_file_class_of(w->buf.data, (size_t)rd.len);
	if (dg_ok && vg_digests_final(w->dg, r.md5, r.sha1, r.sha256))
		r.hashed = 1;
	vg_match_meta meta = {rd.st.st_uid, 1};
	if (!vg_match(w->match, path, w->buf.data, (size_t)rd.len, &meta,
		      !rd.whole, &r) && !r.error) {
		r.error = VIGIL_ERR_IO;
		r.error_detail = "the digests could not be computed";
	}
	/* a container's result is not the whole answer (its members are
	 * delivered apart): said before it is delivered, so that a store
	 * does not answer for it alone */
	vg_blob src;
	int fd = -1;
	const uint8_t *head = NULL;
	size_t hn = 0;
	r.container = w->unpack &&
		      container_of(w, dir, name, path, &rd, &src, &fd, &head, &hn);
	deliver(s, &r);
	if (r.container)
		unpack_file(w, path, &rd, &src, fd, head, hn);
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
		/* once stopped, the paths still queued are dropped (popping
		 * them frees room for a walker waiting on a full queue) */
		if (!atomic_load(&w->s->interrupted)) {
			vg_cpulimit_wait(w->s->cpulimit);
			if (!atomic_load(&w->s->interrupted))
				process_file(w, it.dir, it.name, it.path);
			/* a large file's buffer is not kept for the next */
			vg_buf_trim(&w->buf, w->s->memory);
		}
		vg_dir_unref(it.dir);
		free(it.path);
	}
	return NULL;
}

/* Walk callbacks (run on the walking thread). */
static int walk_file(void *ctx, vg_dir *dir, const char *name, char *path)
{
	vigil_scanner *s = ctx;
	if (atomic_load(&s->stop) || atomic_load(&s->interrupted)) {
		vg_dir_unref(dir);
		free(path);
		return 1;
	}
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
	if (s->cur_root && strcmp(path, s->cur_root) == 0 &&
	    (err || skip == VIGIL_SKIP_SPECIAL))
		root_failed(s, path, &r);
	deliver(s, &r);
}

static void walk_excluded(void *ctx, const char *path)
{
	vigil_scanner *s = ctx;
	bump(&s->excluded, 1);
}

static void walk_self(void *ctx, const char *path)
{
	vigil_scanner *s = ctx;
	bump(&s->self_excluded, 1);
	vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_INFO, path, 0,
		"vigil's own (content it loaded, or its cache): not swept");
}

/* The identities of opt.self_paths that exist; NULL when none. */
static vg_self_id *self_ids(const vigil_scanner *s, size_t *n)
{
	*n = 0;
	if (!s->opt.nself_paths)
		return NULL;
	vg_self_id *ids = calloc(s->opt.nself_paths, sizeof *ids);
	for (size_t i = 0; ids && i < s->opt.nself_paths; i++)
		if (vg_self_id_of(s->opt.self_paths[i], &ids[*n]) == 0)
			(*n)++;
	return ids;
}

void vigil_scan_options_init(vigil_scan_options *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->max_size = DEFAULT_MAX_SIZE;
	opt->max_hash_size = DEFAULT_MAX_HASH_SIZE;
}

vigil_scanner *vigil_scanner_create(const vigil_scan_options *opt,
				    const vigil_iocs *iocs,
				    const vigil_rules *rules)
{
	vigil_scanner *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->opt = *opt;
	if (!s->opt.max_size)
		s->opt.max_size = DEFAULT_MAX_SIZE;
	if (!s->opt.max_hash_size)
		s->opt.max_hash_size = DEFAULT_MAX_HASH_SIZE;
	if (!s->opt.threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		s->opt.threads = n > 0 ? (unsigned)n : 1;
	}
	if (s->opt.threads > 256)
		s->opt.threads = 256;
	s->iocs = iocs;
	s->rules = rules;
	/* the per-class sets are subsets of the full one */
	s->digests_only = s->opt.no_checks && (!rules || !vigil_rules_count(rules));
	vg_unpack_limits_init(&s->limits);
	s->limits.max_whole = s->opt.max_size;
	if (s->opt.max_depth)
		s->limits.max_depth = s->opt.max_depth;
	if (s->opt.max_expanded)
		s->limits.max_expanded = s->opt.max_expanded;
	if (s->opt.max_ratio)
		s->limits.max_ratio = s->opt.max_ratio;
	if (s->opt.max_members)
		s->limits.max_members = s->opt.max_members;
	if (s->opt.max_member_size)
		s->limits.max_member_size = s->opt.max_member_size;
	pthread_mutex_init(&s->report_lock, NULL);
	pthread_mutex_init(&s->rules_lock, NULL);
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
	pthread_mutex_destroy(&s->rules_lock);
	pthread_mutex_destroy(&s->qlock);
	pthread_cond_destroy(&s->qnonempty);
	pthread_cond_destroy(&s->qnonfull);
	vg_membudget_free(s->memory);
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

void vigil_scanner_set_reuse(vigil_scanner *s, vigil_reuse_fn fn, void *ctx)
{
	s->reuse = fn;
	s->reuse_ctx = ctx;
}

void vigil_scanner_set_rules_loader(vigil_scanner *s, vigil_rules_fn fn,
				    void *ctx)
{
	s->rules_fn = fn;
	s->rules_ctx = ctx;
	s->rules = NULL;
}

static void worker_free(struct worker *w)
{
	vg_matcher_free(w->match);
	vg_unpack_free(w->unpack);
	vg_digests_free(w->dg);
	vg_membudget_resize(w->s->memory, w->buf.cap, 0, 0);
	vg_buf_free(&w->buf);
}

static int worker_init(struct worker *w, vigil_scanner *s)
{
	memset(w, 0, sizeof *w);
	w->s = s;
	w->dg = vg_digests_new();
	w->match = vg_matcher_new(s->iocs, s->rules, s->opt.no_checks);
	if (w->match)
		vg_matcher_set_strings(w->match, s->opt.strings);
	if (!s->opt.no_archives && !(w->unpack = vg_unpack_new(&s->limits)))
		return 0;
	w->mrules = s->rules;
	return w->dg && w->match;
}

int vigil_scanner_run(vigil_scanner *s, const char *const *roots, size_t n)
{
	unsigned nt = s->opt.threads;
	struct worker *ws = calloc(nt, sizeof *ws);
	if (!ws)
		return VIGIL_FATAL;
	unsigned started = 0;
	int rc = VIGIL_OK;
	vg_membudget_free(s->memory);
	s->memory = NULL;
	if (s->opt.memory_limit != UINT64_MAX) {
		uint64_t lim = s->opt.memory_limit ? s->opt.memory_limit
						   : vg_membudget_default();
		/* what each worker keeps between files: a quarter of the
		 * budget over the workers, from 256 KiB to 16 MiB */
		uint64_t keep = lim / 4 / nt;
		if (keep > (16u << 20))
			keep = 16u << 20;
		if (keep < VG_MEMBUDGET_FREE)
			keep = VG_MEMBUDGET_FREE;
		if (!(s->memory = vg_membudget_new(lim, (size_t)keep, nt))) {
			free(ws);
			return VIGIL_FATAL;
		}
	}
	s->limits.memory = s->memory;
	s->started = vg_now();
	s->qdone = 0;
	atomic_store(&s->roots_failed, 0);
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
	size_t nself;
	vg_self_id *self = self_ids(s, &nself);
	vg_walk_opts wo = {s->opt.follow_symlinks, s->opt.one_file_system,
			   s->opt.excludes, s->opt.nexcludes, self, nself};
	vg_walk_cb cb = {walk_file, walk_dir, walk_event, walk_excluded, s, walk_self};
	for (size_t i = 0; rc == VIGIL_OK && i < n && !atomic_load(&s->interrupted); i++) {
		s->cur_root = roots[i];
		if (vg_walk(roots[i], &wo, &cb) == VIGIL_FATAL) {
			vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_ERROR, roots[i], 0,
				"out of memory while walking");
			rc = VIGIL_FATAL;
		}
	}
	s->cur_root = NULL;
	pthread_mutex_lock(&s->qlock);
	s->qdone = 1;
	pthread_cond_broadcast(&s->qnonempty);
	pthread_mutex_unlock(&s->qlock);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(ws[i].thread, NULL);
		worker_free(&ws[i]);
	}
	if (atomic_load(&s->stop))
		rc = VIGIL_FATAL; /* the late rules did not load */
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
	free(self);
	if (rc == VIGIL_OK && atomic_load(&s->roots_failed))
		rc = VIGIL_FAILED;
	return rc;
}

void vigil_scanner_stop(vigil_scanner *s)
{
	atomic_store(&s->interrupted, 1);
}

void vigil_scanner_stats(vigil_scanner *s, vigil_scan_stats *out)
{
	memset(out, 0, sizeof *out);
	out->files_seen = atomic_load(&s->files_seen);
	out->files_scanned = atomic_load(&s->files_scanned);
	out->files_reused = atomic_load(&s->files_reused);
	out->bytes_read = atomic_load(&s->bytes_read);
	out->dirs_seen = atomic_load(&s->dirs_seen);
	out->excluded = atomic_load(&s->excluded);
	out->self_excluded = atomic_load(&s->self_excluded);
	for (int i = 0; i < VIGIL_SKIP_COUNT; i++)
		out->skipped[i] = atomic_load(&s->skipped[i]);
	for (int i = 0; i < VIGIL_ERR_COUNT; i++)
		out->errors[i] = atomic_load(&s->errors[i]);
	for (int i = 0; i < 4; i++)
		out->files_by_level[i] = atomic_load(&s->by_level[i]);
	out->containers = atomic_load(&s->containers);
	out->members = atomic_load(&s->members);
	out->bytes_expanded = atomic_load(&s->bytes_expanded);
	out->limit_hits = atomic_load(&s->limit_hits);
	vg_membudget_stats ms;
	vg_membudget_stats_get(s->memory, &ms);
	out->memory_limit = ms.limit;
	out->memory_peak = ms.peak;
	out->memory_waits = ms.waits;
	out->memory_refused = ms.refused;
	out->elapsed = s->started ? vg_now() - s->started : 0;
}
