/*
 * One package at a time (pkg/pkg_internal.h): its .list (the ownership
 * set, and whether it has files at all), its md5sums against the files,
 * its conffiles against the status file's digests, and its cached .deb,
 * when apt's lists vouch for it, against both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/util.h"
#include "pkg/dpkg.h"
#include "pkg/pkg_deb.h"
#include "pkg/pkg_internal.h"
#include "source/readfile.h"

typedef struct wctx {
	vg_pkg_worker *w;
	vigil_pkgverify *v;
	vg_proot root;
	vg_digests *dg;
	vg_buf buf;
	vg_pkg *p;
	vg_pmap conf;     /* this package's conffiles */
	vg_pmap members;  /* its .deb's files -> MD5, when compared */
	int have_deb;
	int list_has_files; /* the .list names a regular file (not a conffile) */
	const char *list_path;
} wctx;

static void chunk(void *ctx, const uint8_t *p, size_t n)
{
	vg_digests_update(ctx, p, n);
}

static void hex(const uint8_t *d, size_t n, char **out)
{
	char h[65];
	vg_hex(d, n, h);
	*out = vg_strdup(h);
}

static void add(wctx *c, const char *id, int score, const char *path,
		const char *disk, const uint8_t *exp, const uint8_t *act, size_t dlen,
		char *message)
{
	vg_pkg_res r = {.id = id, .score = score, .message = message,
			.source = "dpkg"};
	r.path = path ? vg_strdup(path) : NULL;
	r.disk_path = disk && path && strcmp(disk, path) ? vg_strdup(disk) : NULL;
	if (exp)
		hex(exp, dlen, &r.expected);
	if (act)
		hex(act, dlen, &r.actual);
	if (exp || act)
		r.digest = dlen == 16 ? "md5" : "sha256";
	if (!message || (path && !r.path) || (exp && !r.expected) ||
	    (act && !r.actual) ||
	    vg_pkg_add(&c->p->res, &c->p->nres, &c->p->capres, &r) != 0) {
		free(r.path);
		free(r.disk_path);
		free(r.expected);
		free(r.actual);
		free(message);
		c->w->oom = 1;
	}
}

static void diag(wctx *c, vigil_severity sev, const char *file, unsigned long line,
		 char *msg)
{
	if (!msg) {
		c->w->oom = 1;
		return;
	}
	vg_pkg_diag(c->v, sev, file, line, msg);
	free(msg);
}

/* Where the package's path is on disk: a diversion by anyone but the
 * package itself moved it. */
static const char *diverted(wctx *c, const char *path)
{
	vg_pmap_slot *s = vg_pmap_find(&c->v->divert, path, strlen(path));
	if (!s)
		return path;
	const vg_pkg_divert *d = s->val;
	return strcmp(d->by, c->p->name) ? d->to : path;
}

enum got { GOT_OK, GOT_MISSING, GOT_NOT_REGULAR, GOT_ERROR };

/* The MD5 of path (as the system names it) under the root. */
static enum got hash_file(wctx *c, const char *path, uint8_t md5[16], char **disk_out)
{
	char *canon = NULL;
	*disk_out = NULL;
	int e = vg_proot_resolve(&c->root, path, strlen(path), &canon);
	if (e) {
		diag(c, VIGIL_DIAG_ERROR, path, 0,
		     vg_asprintf("unable to resolve the path: %s", strerror(e)));
		c->w->stats.unreadable++;
		return GOT_ERROR;
	}
	char *disk = vg_proot_disk(&c->root, canon);
	free(canon);
	if (!disk) {
		c->w->oom = 1;
		return GOT_ERROR;
	}
	*disk_out = disk;
	vg_read_opts ro = {.max = READ_WHOLE_BYTES, .chunk = chunk,
			   .chunk_ctx = c->dg, .discard = 1};
	vg_read rd;
	if (!vg_digests_init_md5(c->dg)) {
		c->w->oom = 1;
		return GOT_ERROR;
	}
	if (!vg_read_entry(NULL, NULL, disk, &ro, &c->buf, &rd)) {
		if (rd.error == VIGIL_ERR_VANISHED)
			return GOT_MISSING;
		if (rd.skip == VIGIL_SKIP_SPECIAL || rd.error == VIGIL_ERR_CHANGED)
			return GOT_NOT_REGULAR;
		diag(c, VIGIL_DIAG_ERROR, disk, 0,
		     vg_asprintf("unable to read: %s",
				 rd.error_detail ? rd.error_detail : vigil_error_name(rd.error)));
		c->w->stats.unreadable++;
		return GOT_ERROR;
	}
	if (rd.error == VIGIL_ERR_CHANGED)
		diag(c, VIGIL_DIAG_WARNING, disk, 0,
		     vg_asprintf("%s", rd.error_detail ? rd.error_detail : "changed while read"));
	uint8_t sha1[20], sha256[32];
	if (!vg_digests_final(c->dg, md5, sha1, sha256)) {
		diag(c, VIGIL_DIAG_ERROR, disk, 0, vg_asprintf("digest failed"));
		c->w->stats.unreadable++;
		return GOT_ERROR;
	}
	c->w->stats.bytes += rd.len;
	return GOT_OK;
}

/* --- the .list --- */

static int on_list(void *ctx, vg_span path, unsigned long line)
{
	wctx *c = ctx;
	vg_pkg *p = c->p;
	char *canon = NULL;
	if (vg_proot_resolve(&c->root, path.p, path.n, &canon) != 0)
		return 0; /* too long or a loop: it owns nothing reachable */
	if (!c->list_has_files &&
	    !vg_pmap_find(&c->conf, path.p, path.n)) {
		struct stat st;
		if (canon[1] && fstatat(c->root.fd, canon + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			c->list_has_files = 1;
	}
	if (!c->v->opt.unowned) {
		free(canon);
		return 0;
	}
	size_t cap = p->nowned;
	if (!vg_grow(&p->owned, &cap, p->nowned + 1, sizeof *p->owned)) {
		free(canon);
		c->w->oom = 1;
		return 1;
	}
	p->owned[p->nowned++] = canon;
	(void)line;
	return 0;
}

static int info_exists(wctx *c, const char *base, const char *ext)
{
	char *path = vg_asprintf("/var/lib/dpkg/info/%s.%s", base, ext);
	char *canon = NULL;
	int ok = 0;
	if (path && vg_proot_resolve(&c->root, path, strlen(path), &canon) == 0) {
		struct stat st;
		ok = fstatat(c->root.fd, canon + 1, &st, AT_SYMLINK_NOFOLLOW) == 0;
	}
	free(path);
	free(canon);
	return ok;
}

static void read_list(wctx *c)
{
	char *path = vg_asprintf("/var/lib/dpkg/info/%s.list", c->p->info);
	char *buf = NULL, *disk = NULL;
	size_t len = 0;
	if (!path) {
		c->w->oom = 1;
		return;
	}
	int e = vg_pkg_read_db(&c->root, path, &buf, &len, &disk);
	if (e == 0) {
		vg_dpkg_diag dd = {vg_pkg_diag_fn, c->v, disk, 0};
		vg_dpkg_parse_list(buf, len, &dd, on_list, c);
		c->w->stats.malformed += dd.problems;
	} else if (e != ENOENT) {
		diag(c, VIGIL_DIAG_ERROR, disk ? disk : path, 0,
		     vg_asprintf("unable to read: %s", strerror(e)));
		c->w->stats.unreadable++;
	}
	free(buf);
	free(disk);
	free(path);
}

/* --- the cached .deb --- */

static void read_deb(wctx *c)
{
	vg_pkg *p = c->p;
	if (!p->deb || !p->deb_sha256)
		return;
	char *disk = vg_proot_disk(&c->root, p->deb);
	if (!disk) {
		c->w->oom = 1;
		return;
	}
	vg_read_opts ro = {.max = DEB_MAX_BYTES};
	vg_read rd;
	if (!vg_read_entry(NULL, NULL, disk, &ro, &c->buf, &rd) || !rd.whole ||
	    rd.error != VIGIL_ERR_NONE) {
		diag(c, VIGIL_DIAG_WARNING, disk, 0,
		     vg_asprintf("cached package not compared: %s",
				 rd.error_detail ? rd.error_detail :
				 rd.skip == VIGIL_SKIP_TOO_LARGE ? "too large" :
				 vigil_error_name(rd.error)));
		free(disk);
		return;
	}
	uint8_t md5[16], sha1[20], sha256[32];
	if (!vg_digests_buffer(c->dg, c->buf.data, (size_t)rd.len, md5, sha1, sha256)) {
		free(disk);
		c->w->stats.unreadable++;
		return;
	}
	c->w->stats.debs++;
	if (memcmp(sha256, p->deb_sha256, 32) != 0) {
		add(c, "VGL-PKG-DEB-DIGEST", 85, p->deb, NULL, p->deb_sha256, sha256, 32,
		    vg_asprintf("the cached package does not match the SHA-256 apt's "
				"lists give for %s %s; its files were not compared with it",
				p->id, p->version));
		free(disk);
		return;
	}
	char err[256] = "";
	if (vg_deb_members(c->buf.data, (size_t)rd.len, &c->members, err, sizeof err) != 0) {
		diag(c, VIGIL_DIAG_WARNING, disk, 0,
		     vg_asprintf("cached package not compared: %s", err));
		vg_pmap_clear(&c->members);
	} else {
		c->have_deb = 1;
	}
	free(disk);
}

/* --- md5sums and conffiles --- */

static void check_one(wctx *c, const char *path, const uint8_t want[16], int conffile)
{
	const char *where = diverted(c, path);
	uint8_t got[16];
	char *disk = NULL;
	enum got g = hash_file(c, where, got, &disk);
	if (conffile)
		c->w->stats.conffiles++;
	else
		c->w->stats.files++;
	switch (g) {
	case GOT_ERROR:
		break;
	case GOT_MISSING:
		if (conffile)
			add(c, "VGL-PKG-CONFFILE-MISSING", 40, path, where, NULL, NULL, 0,
			    vg_asprintf("conffile missing"));
		else
			add(c, "VGL-PKG-MISSING", 50, path, where, NULL, NULL, 0,
			    vg_asprintf("file missing"));
		break;
	case GOT_NOT_REGULAR:
		add(c, conffile ? "VGL-PKG-CONFFILE-CHANGED" : "VGL-PKG-REPLACED",
		    conffile ? 40 : 80, path, where, NULL, NULL, 0,
		    vg_asprintf("%s replaced by a symlink or a special file",
				conffile ? "conffile" : "packaged file"));
		break;
	case GOT_OK:
		if (memcmp(got, want, 16) != 0) {
			add(c, conffile ? "VGL-PKG-CONFFILE-CHANGED" : "VGL-PKG-CHANGED",
			    conffile ? 40 : 80, path, where, want, got, 16,
			    vg_asprintf(conffile ? "conffile changed since it was installed "
						   "(often an administrator's edit)"
						 : "content differs from the package's md5sums"));
		} else if (c->have_deb && !conffile) {
			vg_pmap_slot *m = vg_pmap_find(&c->members, path, strlen(path));
			if (!m)
				add(c, "VGL-PKG-NOT-IN-DEB", 60, path, where, NULL, got, 16,
				    vg_asprintf("listed in the md5sums but not in the "
						"package's cached .deb"));
			else if (memcmp(m->val, got, 16) != 0)
				add(c, "VGL-PKG-DEB-MISMATCH", 90, path, where, m->val, got, 16,
				    vg_asprintf("matches the md5sums on disk but not the "
						"package's cached .deb (verified against apt's "
						"lists): the md5sums were rewritten too"));
		}
		break;
	}
	free(disk);
}

static int on_md5(void *ctx, const uint8_t md5[16], vg_span rel, unsigned long line)
{
	wctx *c = ctx;
	char *path = vg_asprintf("/%.*s", (int)rel.n, rel.p);
	if (!path) {
		c->w->oom = 1;
		return 1;
	}
	if (!vg_pmap_find(&c->conf, path, strlen(path)))
		check_one(c, path, md5, 0);
	free(path);
	(void)line;
	return c->w->oom;
}

static void verify(wctx *c)
{
	vg_pkg *p = c->p;
	c->have_deb = 0;
	c->list_has_files = 0;
	if (!p->selected && !c->v->opt.unowned)
		return; /* neither verified nor needed for ownership */
	for (size_t i = 0; i < p->ncf; i++)
		if (vg_pmap_put(&c->conf, p->cf[i].path, strlen(p->cf[i].path), NULL) < 0) {
			c->w->oom = 1;
			return;
		}
	p->info = info_exists(c, p->id, "list") || info_exists(c, p->id, "md5sums")
			  ? vg_strdup(p->id)
			  : vg_asprintf("%s", p->name);
	if (!p->info) {
		c->w->oom = 1;
		return;
	}
	read_list(c);
	if (!p->selected)
		goto done;
	c->w->stats.packages++;
	read_deb(c);

	char *path = vg_asprintf("/var/lib/dpkg/info/%s.md5sums", p->info);
	char *buf = NULL, *disk = NULL;
	size_t len = 0;
	if (!path) {
		c->w->oom = 1;
		goto done;
	}
	int e = vg_pkg_read_db(&c->root, path, &buf, &len, &disk);
	if (e == 0) {
		vg_dpkg_diag dd = {vg_pkg_diag_fn, c->v, disk, 0};
		vg_dpkg_parse_md5sums(buf, len, &dd, on_md5, c);
		c->w->stats.malformed += dd.problems;
	} else if (e == ENOENT) {
		if (c->list_has_files)
			add(c, "VGL-PKG-NO-MD5SUMS", 40, NULL, NULL, NULL, NULL, 0,
			    vg_asprintf("installed files but no md5sums file: its files "
					"cannot be verified"));
	} else {
		diag(c, VIGIL_DIAG_ERROR, disk ? disk : path, 0,
		     vg_asprintf("unable to read: %s", strerror(e)));
		c->w->stats.unreadable++;
	}
	free(buf);
	free(disk);
	free(path);
	for (size_t i = 0; i < p->ncf && !c->w->oom; i++)
		if (!p->cf[i].obsolete && p->cf[i].has_md5)
			check_one(c, p->cf[i].path, p->cf[i].md5, 1);
done:
	vg_pmap_clear(&c->conf);
	vg_pmap_clear(&c->members);
}

void *vg_pkg_worker_main(void *arg)
{
	vg_pkg_worker *w = arg;
	vigil_pkgverify *v = w->v;
	wctx c = {.w = w, .v = v};
	c.root.fd = v->rootfd;
	c.root.prefix = v->prefix;
	c.members.free_vals = 1;
	if (!(c.dg = vg_digests_new())) {
		w->oom = 1;
		return NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&v->next, 1);
		if (i >= v->npkgs || w->oom)
			break;
		c.p = &v->pkgs[i];
		verify(&c);
	}
	vg_digests_free(c.dg);
	vg_buf_free(&c.buf);
	vg_proot_clear(&c.root);
	vg_pmap_clear(&c.conf);
	vg_pmap_clear(&c.members);
	return NULL;
}
