/*
 * `vigil pkg verify` on a dpkg system (include/vigil/pkg.h): the status
 * file and the diversions are read first; the packages are then shared
 * out among threads, each reading a package's .list and .md5sums, its
 * cached .deb when apt's lists vouch for it, and hashing its files; the
 * results are delivered in package order once every thread is done, then
 * the executables of the system directories are checked against the union
 * of the .list files.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vigil/pkg.h>

#include "base/digest.h"
#include "base/util.h"
#include "pkg/dpkg.h"
#include "pkg/pkg_deb.h"
#include "pkg/pkg_internal.h"
#include "pkg/pkg_map.h"
#include "pkg/pkg_root.h"
#include "source/readfile.h"


void vigil_pkg_options_init(vigil_pkg_options *o)
{
	memset(o, 0, sizeof *o);
	o->debs = 1;
	o->unowned = 1;
}

vigil_pkgverify *vigil_pkgverify_create(const vigil_pkg_options *opt)
{
	vigil_pkgverify *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	v->opt = *opt;
	v->rootfd = -1;
	const char *root = opt->root && opt->root[0] ? opt->root : "/";
	size_t n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	v->root = vg_strndup(root, n);
	v->prefix = vg_strndup(root, n == 1 && root[0] == '/' ? 0 : n);
	if (!v->root || !v->prefix) {
		vigil_pkgverify_destroy(v);
		return NULL;
	}
	pthread_mutex_init(&v->lock, NULL);
	return v;
}

static void free_results(vg_pkg_res *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].path);
		free(r[i].disk_path);
		free(r[i].expected);
		free(r[i].actual);
		free(r[i].message);
	}
	free(r);
}

static void free_pkg(vg_pkg *p)
{
	free(p->name);
	free(p->arch);
	free(p->version);
	free(p->id);
	free(p->info);
	free(p->deb);
	for (size_t i = 0; i < p->ncf; i++)
		free(p->cf[i].path);
	free(p->cf);
	free_results(p->res, p->nres);
	for (size_t i = 0; i < p->nowned; i++)
		free(p->owned[i]);
	free(p->owned);
}

void vigil_pkgverify_destroy(vigil_pkgverify *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->npkgs; i++)
		free_pkg(&v->pkgs[i]);
	free(v->pkgs);
	for (size_t i = 0; i < v->divert.cap; i++) {
		vg_pkg_divert *d = v->divert.slot[i].val;
		if (d) {
			free(d->to);
			free(d->by);
		}
	}
	v->divert.free_vals = 1;
	vg_pmap_clear(&v->divert);
	vg_pmap_clear(&v->divert_to);
	vg_pmap_clear(&v->owned);
	v->want.free_vals = 1;
	vg_pmap_clear(&v->want);
	vg_proot_clear(&v->root_main);
	free_results(v->unowned, v->nunowned);
	if (v->rootfd >= 0)
		close(v->rootfd);
	pthread_mutex_destroy(&v->lock);
	free(v->status_path);
	free(v->divert_path);
	free(v->root);
	free(v->prefix);
	free(v);
}

void vigil_pkgverify_set_diag(vigil_pkgverify *v, vigil_diag_fn fn, void *ctx)
{
	v->diag = fn;
	v->diag_ctx = ctx;
}

void vigil_pkgverify_set_callback(vigil_pkgverify *v, vigil_pkg_fn fn, void *ctx)
{
	v->cb = fn;
	v->cb_ctx = ctx;
}

void vigil_pkgverify_stats(const vigil_pkgverify *v, vigil_pkg_stats *out)
{
	*out = v->stats;
}

/* Diagnostics from any thread, one at a time. */
void vg_pkg_diag_fn(void *ctx, const vigil_diag *d)
{
	vigil_pkgverify *v = ctx;
	if (!v->diag)
		return;
	pthread_mutex_lock(&v->lock);
	v->diag(v->diag_ctx, d);
	pthread_mutex_unlock(&v->lock);
}

void vg_pkg_diag(vigil_pkgverify *v, vigil_severity sev, const char *file,
		 unsigned long line, const char *msg)
{
	vigil_diag d = {sev, file, line, msg};
	vg_pkg_diag_fn(v, &d);
}

int vg_pkg_add(vg_pkg_res **arr, size_t *n, size_t *cap, const vg_pkg_res *r)
{
	if (!vg_grow(arr, cap, *n + 1, sizeof **arr))
		return -1;
	(*arr)[(*n)++] = *r;
	return 0;
}

/* Read a database file under the root (path as the system names it)
 * into a new buffer. 0, or an errno value; *disk is the path read. */
int vg_pkg_read_db(vg_proot *r, const char *path, char **buf, size_t *len,
		   char **disk)
{
	char *canon = NULL;
	*buf = NULL;
	*disk = NULL;
	int e = vg_proot_resolve(r, path, strlen(path), &canon);
	if (e)
		return e;
	*disk = vg_proot_disk(r, canon);
	free(canon);
	if (!*disk)
		return ENOMEM;
	int fd = open(*disk, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return EINVAL;
	}
	e = vg_read_fd(fd, &st, DB_MAX_BYTES, buf, len);
	close(fd);
	return e;
}

/* --- the status file --- */

struct status_ctx {
	vigil_pkgverify *v;
	int oom;
};

/* Is a package in this state one whose files are on disk? */
static int has_files(vg_span status)
{
	vg_span s = status;
	size_t i = s.n;
	while (i && s.p[i - 1] != ' ')
		i--;
	vg_span w = {s.p + i, s.n - i};
	return vg_span_eq(w, "installed") || vg_span_eq(w, "half-configured") ||
	       vg_span_eq(w, "unpacked") || vg_span_eq(w, "half-installed") ||
	       vg_span_eq(w, "triggers-awaited") || vg_span_eq(w, "triggers-pending");
}

struct cf_ctx {
	vg_pkg *p;
	int oom;
};

static int on_conffile(void *ctx, const vg_dpkg_conffile *c)
{
	struct cf_ctx *cc = ctx;
	vg_pkg *p = cc->p;
	size_t cap = p->ncf;
	if (!vg_grow(&p->cf, &cap, p->ncf + 1, sizeof *p->cf)) {
		cc->oom = 1;
		return 1;
	}
	vg_pkg_conffile *d = &p->cf[p->ncf];
	if (!(d->path = vg_strndup(c->path.p, c->path.n))) {
		cc->oom = 1;
		return 1;
	}
	memcpy(d->md5, c->md5, 16);
	d->has_md5 = c->has_md5;
	d->obsolete = c->obsolete;
	p->ncf++;
	return 0;
}

static int wanted(const vigil_pkgverify *v, const vg_pkg *p)
{
	if (!v->opt.npackages)
		return 1;
	for (size_t i = 0; i < v->opt.npackages; i++)
		if (!strcmp(v->opt.packages[i], p->name) || !strcmp(v->opt.packages[i], p->id))
			return 1;
	return 0;
}

static int on_status(void *ctx, const vg_dpkg_stanza *s)
{
	struct status_ctx *c = ctx;
	vigil_pkgverify *v = c->v;
	const vg_span *name = vg_dpkg_get(s, "Package");
	const vg_span *status = vg_dpkg_get(s, "Status");
	const vg_span *arch = vg_dpkg_get(s, "Architecture");
	const vg_span *ver = vg_dpkg_get(s, "Version");
	const vg_span *cfs = vg_dpkg_get(s, "Conffiles");
	if (!name || !status) {
		vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_WARNING, v->status_path, s->line,
			"a stanza without %s skipped", name ? "Status" : "Package");
		v->stats.malformed++;
		return 0;
	}
	if (!has_files(*status))
		return 0;
	if (!name->n || name->n > 256 || memchr(name->p, '/', name->n) ||
	    memchr(name->p, '\n', name->n) || (arch && (arch->n > 64 ||
	    memchr(arch->p, '/', arch->n) || memchr(arch->p, '\n', arch->n)))) {
		vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_WARNING, v->status_path, s->line,
			"a package name or architecture that cannot be a file name");
		v->stats.malformed++;
		return 0;
	}
	size_t cap = v->npkgs;
	if (!vg_grow(&v->pkgs, &cap, v->npkgs + 1, sizeof *v->pkgs)) {
		c->oom = 1;
		return 1;
	}
	vg_pkg *p = &v->pkgs[v->npkgs++];
	memset(p, 0, sizeof *p);
	p->name = vg_strndup(name->p, name->n);
	p->arch = arch ? vg_strndup(arch->p, arch->n) : vg_strdup("");
	p->version = ver ? vg_strndup(ver->p, ver->n) : vg_strdup("");
	if (!p->name || !p->arch || !p->version) {
		c->oom = 1;
		return 1;
	}
	p->id = arch && arch->n && strcmp(p->arch, "all")
			? vg_asprintf("%s:%s", p->name, p->arch)
			: vg_strdup(p->name);
	if (!p->id) {
		c->oom = 1;
		return 1;
	}
	p->selected = wanted(v, p);
	if (cfs) {
		struct cf_ctx cc = {p, 0};
		vg_dpkg_diag dg = {vg_pkg_diag_fn, v, v->status_path, 0};
		size_t fi = 0;
		while (fi < s->n && &s->f[fi].value != cfs)
			fi++;
		vg_dpkg_parse_conffiles(*cfs, s->f[fi].line, &dg, on_conffile, &cc);
		v->stats.malformed += dg.problems;
		if (cc.oom) {
			c->oom = 1;
			return 1;
		}
	}
	return 0;
}

/* --- diversions --- */

static int on_divert(void *ctx, vg_span from, vg_span to, vg_span by,
		     unsigned long line)
{
	vigil_pkgverify *v = ctx;
	vg_pkg_divert *d = malloc(sizeof *d);
	if (!d)
		return 1;
	d->to = vg_strndup(to.p, to.n);
	d->by = vg_strndup(by.p, by.n);
	char *canon = NULL;
	if (!d->to || !d->by || vg_proot_resolve(&v->root_main, to.p, to.n, &canon) ||
	    vg_pmap_put(&v->divert_to, canon, strlen(canon), NULL) < 0) {
		free(canon);
		free(d->to);
		free(d->by);
		free(d);
		return 1;
	}
	free(canon);
	int put = vg_pmap_put(&v->divert, from.p, from.n, d);
	if (put != 1) {
		free(d->to);
		free(d->by);
		free(d);
		if (put < 0)
			return 1;
		vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_WARNING, v->divert_path, line,
			"'%.*s' diverted twice; the first kept", (int)from.n, from.p);
	}
	return 0;
}

static int load_db(vigil_pkgverify *v)
{
	char *buf = NULL, *disk = NULL;
	size_t len = 0;
	int e = vg_pkg_read_db(&v->root_main, "/var/lib/dpkg/status", &buf, &len, &disk);
	v->status_path = disk;
	if (e) {
		vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_ERROR, disk ? disk : v->root, 0,
			"no dpkg database: %s (only dpkg systems are verified)",
			strerror(e));
		free(buf);
		return VIGIL_FATAL;
	}
	struct status_ctx sc = {v, 0};
	vg_dpkg_diag dg = {vg_pkg_diag_fn, v, disk, 0};
	vg_dpkg_parse_stanzas(buf, len, &dg, on_status, &sc);
	v->stats.malformed += dg.problems;
	free(buf);
	if (sc.oom)
		return VIGIL_FATAL;
	for (size_t i = 0; i < v->opt.npackages; i++) {
		size_t k = 0;
		while (k < v->npkgs && strcmp(v->opt.packages[i], v->pkgs[k].name) &&
		       strcmp(v->opt.packages[i], v->pkgs[k].id))
			k++;
		if (k == v->npkgs) {
			vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_ERROR, v->opt.packages[i], 0,
				"package not installed");
			v->stats.not_installed++;
		}
	}

	e = vg_pkg_read_db(&v->root_main, "/var/lib/dpkg/diversions", &buf, &len, &disk);
	v->divert_path = disk;
	if (e == 0) {
		vg_dpkg_diag dd = {vg_pkg_diag_fn, v, disk, 0};
		int rc = vg_dpkg_parse_diversions(buf, len, &dd, on_divert, v);
		v->stats.malformed += dd.problems;
		free(buf);
		if (rc)
			return VIGIL_FATAL;
	} else if (e != ENOENT) {
		vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_WARNING, disk ? disk : v->root, 0,
			"unable to read the diversions: %s", strerror(e));
	}
	return VIGIL_OK;
}

static int run_threads(vigil_pkgverify *v)
{
	unsigned n = v->opt.threads;
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (unsigned)c : 1;
	}
	if (n > 64)
		n = 64;
	if (n > v->npkgs)
		n = v->npkgs ? (unsigned)v->npkgs : 1;
	pthread_t tid[64];
	vg_pkg_worker w[64];
	unsigned started = 0;
	atomic_store(&v->next, 0);
	for (unsigned i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].v = v;
		if (i && pthread_create(&tid[i], NULL, vg_pkg_worker_main, &w[i]) != 0)
			break;
		started++;
	}
	vg_pkg_worker_main(&w[0]);
	for (unsigned i = 1; i < started; i++)
		pthread_join(tid[i], NULL);
	int rc = VIGIL_OK;
	for (unsigned i = 0; i < started; i++) {
		v->stats.files += w[i].stats.files;
		v->stats.conffiles += w[i].stats.conffiles;
		v->stats.debs += w[i].stats.debs;
		v->stats.unreadable += w[i].stats.unreadable;
		v->stats.malformed += w[i].stats.malformed;
		v->stats.bytes += w[i].stats.bytes;
		v->stats.packages += w[i].stats.packages;
		if (w[i].oom)
			rc = VIGIL_FATAL;
	}
	return rc;
}

static void deliver(vigil_pkgverify *v, const vg_pkg_res *r, const char *pkg)
{
	vigil_pkg_result out = {
		.path = r->path,
		.disk_path = r->disk_path,
		.package = pkg,
		.expected = r->expected,
		.actual = r->actual,
		.digest = r->digest,
		.finding = {.kind = "package", .id = r->id, .source = r->source,
			    .message = r->message, .score = r->score,
			    .level = vigil_score_level(r->score)},
	};
	v->stats.by_level[out.finding.level]++;
	if (v->cb)
		v->cb(v->cb_ctx, &out);
}

int vigil_pkgverify_run(vigil_pkgverify *v)
{
	v->rootfd = open(v->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (v->rootfd < 0) {
		vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_ERROR, v->root, 0,
			"unable to open the root: %s", strerror(errno));
		return VIGIL_FATAL;
	}
	v->root_main.fd = v->rootfd;
	v->root_main.prefix = v->prefix;
	int rc = load_db(v);
	if (rc != VIGIL_OK)
		return rc;
	if (v->opt.npackages)
		v->opt.unowned = 0;
	if (v->opt.debs && vg_pkg_find_debs(v) != 0)
		return VIGIL_FATAL;
	if ((rc = run_threads(v)) != VIGIL_OK)
		return rc;
	for (size_t i = 0; i < v->npkgs; i++) {
		vg_pkg *p = &v->pkgs[i];
		for (size_t k = 0; k < p->nres; k++)
			deliver(v, &p->res[k], p->id);
		if (v->opt.unowned)
			for (size_t k = 0; k < p->nowned; k++)
				if (vg_pmap_put(&v->owned, p->owned[k], strlen(p->owned[k]), NULL) < 0)
					return VIGIL_FATAL;
	}
	if (v->opt.unowned) {
		if (vg_pkg_unowned(v) != 0)
			return VIGIL_FATAL;
		for (size_t k = 0; k < v->nunowned; k++)
			deliver(v, &v->unowned[k], NULL);
	}
	return v->stats.unreadable || v->stats.malformed || v->stats.not_installed
		       ? VIGIL_WARN : VIGIL_OK;
}
