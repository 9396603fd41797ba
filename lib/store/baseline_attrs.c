/*
 * One baseline entry's attributes: taken from lstat, the symlink target,
 * the extended attributes (security.capability and the POSIX ACL xattrs
 * compared raw, as the kernel stores them) and the SHA-256 of a regular
 * file's bytes; and the comparison of a recorded entry with the current
 * one, attribute by attribute, as text for the report.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#if defined(__linux__) || defined(__APPLE__)
#include <sys/xattr.h>
#define VG_HAVE_XATTR 1
#endif

#include "base/util.h"
#include "store/baseline_internal.h"

static const char *const type_names[VG_BT_COUNT] = {
	"file", "dir", "symlink", "fifo", "socket", "char", "block", "other",
};

const char *vg_btype_name(int t)
{
	return t >= 0 && t < VG_BT_COUNT ? type_names[t] : "other";
}

int vg_btype_of_name(const char *s)
{
	for (int t = 0; t < VG_BT_COUNT; t++)
		if (strcmp(s, type_names[t]) == 0)
			return t;
	return -1;
}

int vg_btype_of_mode(uint32_t mode)
{
	if (S_ISREG(mode))
		return VG_BT_FILE;
	if (S_ISDIR(mode))
		return VG_BT_DIR;
	if (S_ISLNK(mode))
		return VG_BT_LINK;
	if (S_ISFIFO(mode))
		return VG_BT_FIFO;
	if (S_ISSOCK(mode))
		return VG_BT_SOCK;
	if (S_ISCHR(mode))
		return VG_BT_CHR;
	if (S_ISBLK(mode))
		return VG_BT_BLK;
	return VG_BT_OTHER;
}

void vg_bentry_from_stat(vg_bentry *e, const struct stat *st)
{
	e->type = vg_btype_of_mode((uint32_t)st->st_mode);
	e->mode = (uint32_t)st->st_mode;
	e->uid = (int64_t)st->st_uid;
	e->gid = (int64_t)st->st_gid;
	e->size = (int64_t)st->st_size;
	e->dev = (int64_t)st->st_dev;
	e->ino = (int64_t)st->st_ino;
	e->nlink = (int64_t)st->st_nlink;
#ifdef __APPLE__
	e->mtime_ns = (int64_t)st->st_mtimespec.tv_sec * 1000000000 + st->st_mtimespec.tv_nsec;
	e->ctime_ns = (int64_t)st->st_ctimespec.tv_sec * 1000000000 + st->st_ctimespec.tv_nsec;
#else
	e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	e->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
#endif
}

void vg_bentry_clear(vg_bentry *e)
{
	free(e->path);
	free(e->link);
	free(e->error);
	for (size_t i = 0; i < e->nxattrs; i++) {
		free(e->xattrs[i].name);
		free(e->xattrs[i].value);
	}
	free(e->xattrs);
	memset(e, 0, sizeof *e);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const vg_bentry *)a)->path, ((const vg_bentry *)b)->path);
}

void vg_bentries_sort(vg_bentry *e, size_t n)
{
	if (n > 1)
		qsort(e, n, sizeof *e, cmp_entry);
}

static int cmp_xattr(const void *a, const void *b)
{
	return strcmp(((const vg_bxattr *)a)->name, ((const vg_bxattr *)b)->name);
}

void vg_bentry_sort_xattrs(vg_bentry *e)
{
	if (e->nxattrs > 1)
		qsort(e->xattrs, e->nxattrs, sizeof *e->xattrs, cmp_xattr);
}

/* The selection bit an xattr's name belongs to. */
static unsigned xattr_class(const char *name)
{
	if (strcmp(name, "security.capability") == 0)
		return VG_BA_CAPS;
	if (strcmp(name, "system.posix_acl_access") == 0 ||
	    strcmp(name, "system.posix_acl_default") == 0)
		return VG_BA_ACL;
	return VG_BA_XATTRS;
}

static void set_error(vg_bentry *e, const char *what, int err)
{
	if (!e->error)
		e->error = vg_asprintf("%s: %s", what, strerror(err));
}

#ifdef VG_HAVE_XATTR
static ssize_t list_xattrs(const char *path, char *buf, size_t n)
{
#ifdef __APPLE__
	return listxattr(path, buf, n, XATTR_NOFOLLOW);
#else
	return llistxattr(path, buf, n);
#endif
}

static ssize_t get_xattr(const char *path, const char *name, void *buf, size_t n)
{
#ifdef __APPLE__
	return getxattr(path, name, buf, n, 0, XATTR_NOFOLLOW);
#else
	return lgetxattr(path, name, buf, n);
#endif
}

/* Up to 64 KiB of names and 64 KiB per value: the Linux VFS limits. */
static void read_xattrs(vg_bentry *e)
{
	char names[65536];
	ssize_t n = list_xattrs(e->path, names, sizeof names);
	if (n < 0) {
		if (errno != ENOTSUP && errno != ENOENT)
			set_error(e, "unable to list extended attributes", errno);
		return;
	}
	size_t cap = 0;
	for (ssize_t i = 0; i < n;) {
		const char *name = names + i;
		size_t l = strnlen(name, (size_t)(n - i));
		i += (ssize_t)l + 1;
		if (l == 0 || !(xattr_class(name) & e->attrs))
			continue;
		uint8_t val[65536];
		ssize_t vl = get_xattr(e->path, name, val, sizeof val);
		if (vl < 0) {
			if (errno != ENODATA)
				set_error(e, "unable to read an extended attribute", errno);
			continue;
		}
		if (!vg_grow(&e->xattrs, &cap, e->nxattrs + 1, sizeof *e->xattrs))
			return;
		vg_bxattr *x = &e->xattrs[e->nxattrs];
		x->name = vg_strndup(name, l);
		x->value = malloc(vl ? (size_t)vl : 1);
		x->len = (size_t)vl;
		if (!x->name || !x->value) {
			free(x->name);
			free(x->value);
			return;
		}
		memcpy(x->value, val, (size_t)vl);
		e->nxattrs++;
	}
	vg_bentry_sort_xattrs(e);
}
#endif

static void read_link(vg_bentry *e)
{
	size_t cap = e->size > 0 && e->size < 65536 ? (size_t)e->size + 1 : 4096;
	for (;;) {
		char *b = malloc(cap);
		if (!b)
			return;
		ssize_t n = readlink(e->path, b, cap);
		if (n < 0) {
			set_error(e, "unable to read the symbolic link", errno);
			free(b);
			return;
		}
		if ((size_t)n < cap) {
			b[n] = '\0';
			e->link = b;
			return;
		}
		free(b);
		if (cap >= 1u << 20)
			return;
		cap *= 4;
	}
}

/* The SHA-256 of the regular file e names, opened without following and
 * checked to be the inode the walk saw. */
static void hash_file(vg_bentry *e, uint8_t *buf, size_t cap)
{
	int fd = open(e->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		set_error(e, "unable to open", errno);
		return;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (int64_t)st.st_ino != e->ino ||
	    (int64_t)st.st_dev != e->dev) {
		if (!e->error)
			e->error = vg_strdup("changed while examined (not the file listed)");
		close(fd);
		return;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
	for (;;) {
		ssize_t n = read(fd, buf, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_error(e, "unable to read", errno);
			ok = 0;
			break;
		}
		if (n == 0)
			break;
		if (ok && EVP_DigestUpdate(md, buf, (size_t)n) != 1)
			ok = 0;
	}
	close(fd);
	uint8_t d[32];
	unsigned dl = 0;
	if (ok && EVP_DigestFinal_ex(md, d, &dl) == 1 && dl == 32)
		vg_hex(d, 32, e->sha256);
	else if (!e->error)
		e->error = vg_strdup("SHA-256 failed");
	EVP_MD_CTX_free(md);
}

void vg_bentry_read(vg_bentry *e, uint8_t *buf, size_t cap)
{
	if (e->type == VG_BT_LINK)
		read_link(e);
#ifdef VG_HAVE_XATTR
	if (e->attrs & VG_BA_ANY_XATTR)
		read_xattrs(e);
#endif
	if (e->type == VG_BT_FILE && (e->attrs & VG_BA_SHA256) && !e->trust)
		hash_file(e, buf, cap);
}

/* ---- comparison ---- */

static char *time_text(int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	if (frac < 0) {
		frac += 1000000000;
		t--;
	}
	struct tm tm;
	char b[40];
	if (!gmtime_r(&t, &tm) || !strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm))
		return vg_asprintf("%lld ns", (long long)ns);
	return vg_asprintf("%s.%09ldZ", b, frac);
}

static char *hex_text(const uint8_t *p, size_t n)
{
	char *o = malloc(n * 2 + 1);
	if (o)
		vg_hex(p, n, o);
	return o;
}

struct diffs {
	vigil_baseline_attr *a;
	size_t n, cap;
	int oom;
};

/* Add name with old and new (taken; NULL: absent). */
static void add(struct diffs *d, char *name, char *o, char *n, int absent_ok)
{
	if (!name || (!o && !absent_ok) || (!n && !absent_ok) ||
	    !vg_grow(&d->a, &d->cap, d->n + 1, sizeof *d->a)) {
		free(name);
		free(o);
		free(n);
		d->oom = 1;
		return;
	}
	d->a[d->n].name = name;
	d->a[d->n].old_value = o;
	d->a[d->n].new_value = n;
	d->n++;
}

static void add_int(struct diffs *d, const char *name, int64_t o, int64_t n)
{
	if (o != n)
		add(d, vg_strdup(name), vg_asprintf("%lld", (long long)o),
		    vg_asprintf("%lld", (long long)n), 0);
}

static void add_time(struct diffs *d, const char *name, int64_t o, int64_t n)
{
	if (o != n)
		add(d, vg_strdup(name), time_text(o), time_text(n), 0);
}

static char *opt_dup(const char *s)
{
	return s && *s ? vg_strdup(s) : NULL;
}

static int str_differs(const char *a, const char *b)
{
	if (!a || !*a)
		return b && *b;
	return !b || strcmp(a, b) != 0;
}

static char *xattr_label(const char *name)
{
	if (strcmp(name, "security.capability") == 0)
		return vg_strdup("caps");
	if (strcmp(name, "system.posix_acl_access") == 0)
		return vg_strdup("acl_access");
	if (strcmp(name, "system.posix_acl_default") == 0)
		return vg_strdup("acl_default");
	return vg_asprintf("xattr:%s", name);
}

static void diff_xattrs(struct diffs *d, const vg_bentry *o, const vg_bentry *c)
{
	size_t i = 0, j = 0;
	while (i < o->nxattrs || j < c->nxattrs) {
		const vg_bxattr *a = i < o->nxattrs ? &o->xattrs[i] : NULL;
		const vg_bxattr *b = j < c->nxattrs ? &c->xattrs[j] : NULL;
		int k = !a ? 1 : !b ? -1 : strcmp(a->name, b->name);
		if (k < 0) {
			if (xattr_class(a->name) & o->attrs)
				add(d, xattr_label(a->name), hex_text(a->value, a->len), NULL, 1);
			i++;
		} else if (k > 0) {
			if (xattr_class(b->name) & o->attrs)
				add(d, xattr_label(b->name), NULL, hex_text(b->value, b->len), 1);
			j++;
		} else {
			if ((xattr_class(a->name) & o->attrs) &&
			    (a->len != b->len || memcmp(a->value, b->value, a->len) != 0))
				add(d, xattr_label(a->name), hex_text(a->value, a->len),
				    hex_text(b->value, b->len), 1);
			i++;
			j++;
		}
	}
}

int vg_bentry_diff(const vg_bentry *o, const vg_bentry *c, vigil_baseline_attr **out,
		   size_t *n)
{
	struct diffs d = {0};
	unsigned s = o->attrs;
	if (o->type != c->type)
		add(&d, vg_strdup("type"), vg_strdup(vg_btype_name(o->type)),
		    vg_strdup(vg_btype_name(c->type)), 0);
	if ((s & VG_BA_PERM) && (o->mode & 07777) != (c->mode & 07777))
		add(&d, vg_strdup("perm"), vg_asprintf("%04o", (unsigned)(o->mode & 07777)),
		    vg_asprintf("%04o", (unsigned)(c->mode & 07777)), 0);
	if (s & VG_BA_UID)
		add_int(&d, "uid", o->uid, c->uid);
	if (s & VG_BA_GID)
		add_int(&d, "gid", o->gid, c->gid);
	if (s & VG_BA_SIZE)
		add_int(&d, "size", o->size, c->size);
	if (s & VG_BA_MTIME)
		add_time(&d, "mtime", o->mtime_ns, c->mtime_ns);
	if (s & VG_BA_CTIME)
		add_time(&d, "ctime", o->ctime_ns, c->ctime_ns);
	if (s & VG_BA_INODE)
		add_int(&d, "inode", o->ino, c->ino);
	if (s & VG_BA_NLINK)
		add_int(&d, "nlink", o->nlink, c->nlink);
	if ((s & VG_BA_LINK) && str_differs(o->link, c->link))
		add(&d, vg_strdup("link"), opt_dup(o->link), opt_dup(c->link), 1);
	if ((s & VG_BA_SHA256) && (o->type == VG_BT_FILE || c->type == VG_BT_FILE) &&
	    str_differs(o->sha256, c->sha256))
		add(&d, vg_strdup("sha256"), opt_dup(o->sha256), opt_dup(c->sha256), 1);
	if (s & VG_BA_ANY_XATTR)
		diff_xattrs(&d, o, c);
	if (d.oom) {
		vg_bdiff_free(d.a, d.n);
		return -1;
	}
	*out = d.a;
	*n = d.n;
	return 0;
}

void vg_bdiff_free(vigil_baseline_attr *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)a[i].name);
		free((char *)a[i].old_value);
		free((char *)a[i].new_value);
	}
	free(a);
}
