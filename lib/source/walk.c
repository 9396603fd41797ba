/*
 * The directory walk (see walk.h), on directory file descriptors: the root
 * is opened by its name, every directory below it by its entry name
 * relative to its parent's descriptor (openat, O_NOFOLLOW unless following
 * symlinks), and files are handed over with the directory that listed
 * them. A directory swapped for a symlink between being listed and being
 * opened, or while its files wait in the scanner's queue, cannot move the
 * walk or the reads out of the tree: no path string is resolved again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include "base/errors.h"
#include "base/util.h"
#include "source/walk.h"

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* What the soft RLIMIT_NOFILE is raised to at most (see raise_fd_limit). */
#define FD_LIMIT_CAP 65536

struct vg_dir {
	_Atomic unsigned refs;
	int fd;
	dev_t dev; /* for mount point checks on the subdirectories */
	int self_files; /* holds one of opts->self's files */
};

int vg_self_id_of(const char *path, vg_self_id *out)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	memset(out, 0, sizeof *out);
	if (S_ISDIR(st.st_mode)) {
		out->is_dir = 1;
		out->dev = st.st_dev;
		out->ino = st.st_ino;
		return 0;
	}
	/* a file: its directory's identity and its name there */
	const char *slash = strrchr(path, '/');
	out->name = slash ? slash + 1 : path;
	if (!*out->name)
		return -1;
	int r;
	if (!slash) {
		r = stat(".", &st);
	} else if (slash == path) {
		r = stat("/", &st);
	} else {
		char *dir = vg_strndup(path, (size_t)(slash - path));
		r = dir ? stat(dir, &st) : -1;
		free(dir);
	}
	if (r != 0)
		return -1;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	return 0;
}

/* Is the directory st one of opts->self? */
static int self_dir(const vg_walk_opts *o, const struct stat *st)
{
	for (size_t i = 0; i < o->nself; i++)
		if (o->self[i].is_dir && o->self[i].dev == st->st_dev &&
		    o->self[i].ino == st->st_ino)
			return 1;
	return 0;
}

/* Does the directory st hold one of opts->self's files? */
static int self_files(const vg_walk_opts *o, const struct stat *st)
{
	for (size_t i = 0; i < o->nself; i++)
		if (!o->self[i].is_dir && o->self[i].dev == st->st_dev &&
		    o->self[i].ino == st->st_ino)
			return 1;
	return 0;
}

/* Is the entry name of directory d one of opts->self's files? */
static int self_file(const vg_walk_opts *o, const vg_dir *d, const char *name)
{
	if (!d->self_files)
		return 0;
	struct stat st;
	if (fstat(d->fd, &st) != 0)
		return 0;
	for (size_t i = 0; i < o->nself; i++)
		if (!o->self[i].is_dir && o->self[i].dev == st.st_dev &&
		    o->self[i].ino == st.st_ino && strcmp(o->self[i].name, name) == 0)
			return 1;
	return 0;
}

int vg_dir_fd(const vg_dir *d)
{
	return d->fd;
}

vg_dir *vg_dir_ref(vg_dir *d)
{
	if (d)
		atomic_fetch_add_explicit(&d->refs, 1, memory_order_relaxed);
	return d;
}

void vg_dir_unref(vg_dir *d)
{
	if (d && atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) == 1) {
		close(d->fd);
		free(d);
	}
}

/* A subdirectory listed and not yet opened. */
struct pending {
	vg_dir *parent; /* one reference: the subdirectory is opened relative to it */
	char *path;     /* display path */
	const char *name; /* its entry name in parent (the tail of path) */
};

struct walker {
	const vg_walk_opts *opt;
	const vg_walk_cb *cb;
	dev_t root_dev;
	struct visited {
		struct vkey {
			dev_t dev;
			ino_t ino;
			int used;
		} *slots;
		size_t len, cap; /* cap is a power of two */
	} seen; /* directories by (dev, ino), when following symlinks */
	struct pending *stack;
	size_t depth, cap;
};

int vg_walk_excluded(const char *path, const char *const *globs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *g = globs[i];
		size_t gl = strlen(g);
		while (gl > 1 && g[gl - 1] == '/')
			gl--;
		if (strcspn(g, "*?[") >= gl) {
			/* a plain path: itself and everything below it */
			if (strncmp(path, g, gl) == 0 &&
			    (path[gl] == '\0' || path[gl] == '/'))
				return 1;
			continue;
		}
		/* no FNM_PATHNAME: '*' crosses '/', as users of find -path expect */
		if (fnmatch(g, path, 0) == 0)
			return 1;
	}
	return 0;
}

/* Kernel and virtual file systems that hold no files worth reading and may
 * block or never end (/proc/kcore, /sys). fd is the open directory, or -1
 * when it could not be opened (then the path is asked). */
static int is_pseudo_fs(const char *path, int fd)
{
	static const char *const pruned[] = {"/proc", "/sys", "/dev", NULL};
	for (int i = 0; pruned[i]; i++)
		if (strcmp(path, pruned[i]) == 0)
			return 1;
#ifdef __linux__
	static const unsigned long magics[] = {
		0x9fa0,     /* proc */
		0x62656572, /* sysfs */
		0x1cd1,     /* devpts */
		0x27e0eb,   /* cgroup */
		0x63677270, /* cgroup2 */
		0x64626720, /* debugfs */
		0x74726163, /* tracefs */
		0x73636673, /* securityfs */
		0x6165676c, /* pstore */
		0xcafe4a11, /* bpf */
		0x19800202, /* mqueue */
		0x62656570, /* configfs */
		0x65735543, /* fusectl */
		0x42494e4d, /* binfmt_misc */
		0xf97cff8c, /* selinuxfs */
		0xde5e81e4, /* efivarfs */
		0x6e736673, /* nsfs */
		0x0187,     /* autofs */
	};
	struct statfs sf;
	if ((fd >= 0 ? fstatfs(fd, &sf) : statfs(path, &sf)) == 0)
		for (size_t i = 0; i < sizeof magics / sizeof *magics; i++)
			if ((unsigned long)sf.f_type == magics[i])
				return 1;
#endif
	return 0;
}

static size_t vkey_hash(dev_t dev, ino_t ino, size_t mask)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev;
	return (size_t)(h ^ (h >> 29)) & mask;
}

static int vset_insert(struct vkey *slots, size_t cap, dev_t dev, ino_t ino)
{
	for (size_t i = vkey_hash(dev, ino, cap - 1);; i = (i + 1) & (cap - 1)) {
		if (!slots[i].used) {
			slots[i] = (struct vkey){dev, ino, 1};
			return 1;
		}
		if (slots[i].dev == dev && slots[i].ino == ino)
			return 0;
	}
}

/* Record a directory; 0 if it was seen before (a loop, or a second path
 * to the same directory through a symlink). */
static int visit(struct visited *v, const struct stat *st)
{
	if ((v->len + 1) * 2 > v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 64;
		struct vkey *ns = calloc(ncap, sizeof *ns);
		if (!ns)
			return 1; /* cannot record: do not report a false loop */
		for (size_t i = 0; i < v->cap; i++)
			if (v->slots[i].used)
				vset_insert(ns, ncap, v->slots[i].dev, v->slots[i].ino);
		free(v->slots);
		v->slots = ns;
		v->cap = ncap;
	}
	if (!vset_insert(v->slots, v->cap, st->st_dev, st->st_ino))
		return 0;
	v->len++;
	return 1;
}

static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	return vg_asprintf("%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/",
			   name);
}

static void report_errno(struct walker *w, const char *path, int e, int following)
{
	w->cb->event(w->cb->ctx, path, VIGIL_SKIP_NONE,
		     vg_error_from_errno(e, following), e);
}

/*
 * Every directory kept open holds a descriptor until the last file queued
 * from it is read: the walk's depth plus the directories with files still
 * queued. The usual soft limit (1024) is close to what a slow scan of many
 * small directories keeps queued, while the hard limit is usually far
 * above it; raise the soft one, once, capped so that no absurd table is
 * asked for. Failure is harmless: EMFILE is then reported per directory.
 */
static void raise_fd_limit(void)
{
	static atomic_flag done = ATOMIC_FLAG_INIT;
	if (atomic_flag_test_and_set(&done))
		return;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	rlim_t want = rl.rlim_max;
	if (want == RLIM_INFINITY || want > FD_LIMIT_CAP)
		want = FD_LIMIT_CAP;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * Is a directory reached (st from its open descriptor fd, or from fstatat
 * when it could not be opened, fd -1) to be left out? A mount point on
 * another file system with --one-file-system, a pseudo file system, or,
 * when following symlinks, a directory seen before. Reports why; 1 if so.
 */
static int pruned(struct walker *w, const struct stat *st, dev_t parent_dev,
		  const char *path, int fd)
{
	if (st->st_dev != parent_dev) {
		/* a mount point */
		vigil_skip why = VIGIL_SKIP_NONE;
		if (w->opt->one_file_system && st->st_dev != w->root_dev)
			why = VIGIL_SKIP_OTHER_FS;
		else if (is_pseudo_fs(path, fd))
			why = VIGIL_SKIP_PSEUDO_FS;
		if (why != VIGIL_SKIP_NONE) {
			w->cb->event(w->cb->ctx, path, why, VIGIL_ERR_NONE, 0);
			return 1;
		}
	}
	if (w->opt->follow_symlinks && !visit(&w->seen, st)) {
		w->cb->event(w->cb->ctx, path, VIGIL_SKIP_NONE, VIGIL_ERR_LOOP, ELOOP);
		return 1;
	}
	return 0;
}

/*
 * The handle for directory fd (taken over) and a stream to list it. The
 * stream gets a duplicate, closed with it when the listing ends, while
 * the handle's descriptor lives as long as files queued from it. NULL
 * (reported for path) when either cannot be had, e.g. out of descriptors.
 */
static vg_dir *dir_handle(struct walker *w, int fd, const struct stat *st,
			  const char *path, DIR **ds)
{
	vg_dir *d = malloc(sizeof *d);
	int lfd = d ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	int e = d ? errno : ENOMEM;
	if (lfd >= 0 && !(*ds = fdopendir(lfd))) {
		e = errno;
		close(lfd);
		lfd = -1;
	}
	if (lfd < 0) {
		report_errno(w, path, e, w->opt->follow_symlinks);
		free(d);
		close(fd);
		return NULL;
	}
	atomic_init(&d->refs, 1);
	d->fd = fd;
	d->dev = st->st_dev;
	d->self_files = self_files(w->opt, st);
	return d;
}

/*
 * Open the subdirectory p, relative to its parent: without following a
 * symlink put in its place since it was listed (reported as changed)
 * unless following.
 * NULL when it is not to be listed (already reported).
 */
static vg_dir *open_pending(struct walker *w, const struct pending *p, DIR **ds)
{
	int follow = w->opt->follow_symlinks;
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK;
	if (!follow)
		flags |= O_NOFOLLOW;
	int pfd = vg_dir_fd(p->parent);
	int fd = openat(pfd, p->name, flags);
	struct stat st;
	if (fd < 0) {
		int e = errno;
		/* unreadable, but the verdict on a mount point or a loop comes
		 * first, as it did when the walk stat'ed entries before opening
		 * them */
		int stf = follow ? 0 : AT_SYMLINK_NOFOLLOW;
		if ((e == EACCES || e == EPERM) &&
		    fstatat(pfd, p->name, &st, stf) == 0 && S_ISDIR(st.st_mode) &&
		    pruned(w, &st, p->parent->dev, p->path, -1))
			return NULL;
		/* Linux gives ENOTDIR, not ELOOP, for a symlink opened with
		 * O_DIRECTORY | O_NOFOLLOW: still there but no directory any
		 * more is a change, not a disappearance */
		if (e == ENOTDIR && fstatat(pfd, p->name, &st, stf) == 0 &&
		    !S_ISDIR(st.st_mode)) {
			w->cb->event(w->cb->ctx, p->path, VIGIL_SKIP_NONE,
				     VIGIL_ERR_CHANGED, e);
			return NULL;
		}
		report_errno(w, p->path, e, follow);
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		report_errno(w, p->path, errno, follow);
		close(fd);
		return NULL;
	}
	if (pruned(w, &st, p->parent->dev, p->path, fd)) {
		close(fd);
		return NULL;
	}
	if (w->cb->self && self_dir(w->opt, &st)) {
		w->cb->self(w->cb->ctx, p->path);
		close(fd);
		return NULL;
	}
	return dir_handle(w, fd, &st, p->path, ds);
}

enum kind { K_UNKNOWN, K_FILE, K_DIR, K_LINK, K_OTHER };

static enum kind kind_of_mode(mode_t m)
{
	return S_ISREG(m) ? K_FILE : S_ISDIR(m) ? K_DIR : S_ISLNK(m) ? K_LINK : K_OTHER;
}

static enum kind kind_of_entry(const struct dirent *ent)
{
#ifdef DT_UNKNOWN
	switch (ent->d_type) {
	case DT_UNKNOWN:
		return K_UNKNOWN;
	case DT_REG:
		return K_FILE;
	case DT_DIR:
		return K_DIR;
	case DT_LNK:
		return K_LINK;
	default:
		return K_OTHER;
	}
#else
	(void)ent;
	return K_UNKNOWN;
#endif
}

/* Returns 0 to go on, 1 when a callback asked to stop, -1 out of memory. */
static int one_entry(struct walker *w, vg_dir *d, const char *dpath,
		     const struct dirent *ent)
{
	const char *n = ent->d_name;
	const vg_walk_cb *cb = w->cb;
	int follow = w->opt->follow_symlinks;
	char *path = join(dpath, n);
	if (!path)
		return -1;
	if (vg_walk_excluded(path, w->opt->excludes, w->opt->nexcludes)) {
		cb->excluded(cb->ctx, path);
		free(path);
		return 0;
	}
	const char *name = path + strlen(path) - strlen(n);
	/* d_type spares a stat where the file system fills it; a symlink
	 * being followed needs one to know what it points to */
	enum kind k = kind_of_entry(ent);
	if (k == K_UNKNOWN || (k == K_LINK && follow)) {
		struct stat st;
		if (fstatat(d->fd, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
			report_errno(w, path, errno, follow);
			free(path);
			return 0;
		}
		k = kind_of_mode(st.st_mode);
	}
	switch (k) {
	case K_FILE:
		if (cb->self && self_file(w->opt, d, name)) {
			cb->self(cb->ctx, path);
			break;
		}
		return cb->file(cb->ctx, vg_dir_ref(d), name, path) ? 1 : 0;
	case K_DIR:
		if (!vg_grow(&w->stack, &w->cap, w->depth + 1, sizeof *w->stack)) {
			free(path);
			return -1;
		}
		w->stack[w->depth++] = (struct pending){vg_dir_ref(d), path, name};
		return 0;
	case K_LINK:
		cb->event(cb->ctx, path, VIGIL_SKIP_SYMLINK, VIGIL_ERR_NONE, 0);
		break;
	default:
		cb->event(cb->ctx, path, VIGIL_SKIP_SPECIAL, VIGIL_ERR_NONE, 0);
		break;
	}
	free(path);
	return 0;
}

/* Enter directory d (its stream ds) and list it: files go to the callback,
 * subdirectories onto the stack. Returns as one_entry does. */
static int list_dir(struct walker *w, vg_dir *d, DIR *ds, const char *dpath)
{
	int r = 0;
	w->cb->dir(w->cb->ctx, dpath);
	struct dirent *ent;
	while (!r && (ent = readdir(ds))) {
		const char *n = ent->d_name;
		if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
			continue;
		r = one_entry(w, d, dpath, ent);
	}
	closedir(ds);
	return r;
}

/* The root, named on the command line: followed, like find -H. NULL when
 * there is no directory to list (reported, or handed over as a file);
 * *status VIGIL_FAILED when the root could not be swept at all (missing,
 * unreadable, not a file or directory), VIGIL_FATAL on allocation
 * failure. */
static vg_dir *open_root(struct walker *w, const char *root, DIR **ds, int *status)
{
	const vg_walk_cb *cb = w->cb;
	struct stat st;
	*status = VIGIL_FAILED;
	if (stat(root, &st) != 0) {
		report_errno(w, root, errno, 1);
		return NULL;
	}
	if (S_ISREG(st.st_mode)) {
		char *p = vg_strdup(root);
		if (!p)
			*status = VIGIL_FATAL;
		else {
			*status = VIGIL_OK;
			cb->file(cb->ctx, NULL, p, p);
		}
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		cb->event(cb->ctx, root, VIGIL_SKIP_SPECIAL, VIGIL_ERR_NONE, 0);
		return NULL;
	}
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		report_errno(w, root, errno, 1);
		return NULL;
	}
	/* what was opened, not what the name led to a moment before */
	if (fstat(fd, &st) != 0) {
		report_errno(w, root, errno, 1);
		close(fd);
		return NULL;
	}
	*status = VIGIL_OK;
	if (is_pseudo_fs(root, fd)) {
		/* pruned by design, as below any root */
		cb->event(cb->ctx, root, VIGIL_SKIP_PSEUDO_FS, VIGIL_ERR_NONE, 0);
		close(fd);
		return NULL;
	}
	w->root_dev = st.st_dev;
	if (w->opt->follow_symlinks)
		visit(&w->seen, &st);
	vg_dir *d = dir_handle(w, fd, &st, root, ds);
	if (!d)
		*status = VIGIL_FAILED;
	return d;
}

int vg_walk(const char *root, const vg_walk_opts *opt, const vg_walk_cb *cb)
{
	if (vg_walk_excluded(root, opt->excludes, opt->nexcludes)) {
		cb->excluded(cb->ctx, root);
		return VIGIL_OK;
	}
	raise_fd_limit();
	struct walker w = {.opt = opt, .cb = cb};
	int status;
	DIR *ds;
	vg_dir *d = open_root(&w, root, &ds, &status);
	int r = status == VIGIL_FATAL ? -1 : 0;
	if (d) {
		r = list_dir(&w, d, ds, root);
		vg_dir_unref(d);
	}
	/* Depth first: what is pending are siblings of the directories on the
	 * way down, so the directories held open are those on the way. */
	while (!r && w.depth) {
		struct pending p = w.stack[--w.depth];
		d = open_pending(&w, &p, &ds);
		vg_dir_unref(p.parent);
		if (d) {
			r = list_dir(&w, d, ds, p.path);
			vg_dir_unref(d);
		}
		free(p.path);
	}
	while (w.depth) {
		w.depth--;
		vg_dir_unref(w.stack[w.depth].parent);
		free(w.stack[w.depth].path);
	}
	free(w.stack);
	free(w.seen.slots);
	return r < 0 ? VIGIL_FATAL : status;
}
