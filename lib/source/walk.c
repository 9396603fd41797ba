/* The directory walk (see walk.h). */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include "base/errors.h"
#include "base/util.h"
#include "source/walk.h"

struct vg_dir {
	_Atomic unsigned refs;
	int fd;
};

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

static const char *base_of(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

struct dir_item {
	char *path;
	dev_t dev;
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
 * block or never end (/proc/kcore, /sys). */
static int is_pseudo_fs(const char *path)
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
	if (statfs(path, &sf) == 0)
		for (size_t i = 0; i < sizeof magics / sizeof *magics; i++)
			if ((unsigned long)sf.f_type == magics[i])
				return 1;
#endif
	return 0;
}

/* Directories seen, by (dev, ino): an open-addressing hash set. */
struct visited {
	struct vkey {
		dev_t dev;
		ino_t ino;
		int used;
	} *slots;
	size_t len, cap; /* cap is a power of two */
};

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

int vg_walk(const char *root, const vg_walk_opts *opt, const vg_walk_cb *cb)
{
	struct stat st;
	if (vg_walk_excluded(root, opt->excludes, opt->nexcludes)) {
		cb->excluded(cb->ctx, root);
		return VIGIL_OK;
	}
	/* Paths named on the command line are followed, like find -H. */
	if (stat(root, &st) != 0) {
		int e = errno;
		cb->event(cb->ctx, root, VIGIL_SKIP_NONE, vg_error_from_errno(e, 1), e);
		return VIGIL_OK;
	}
	if (S_ISREG(st.st_mode)) {
		char *p = vg_strdup(root);
		if (!p)
			return VIGIL_FATAL;
		cb->file(cb->ctx, NULL, p, p);
		return VIGIL_OK;
	}
	if (!S_ISDIR(st.st_mode)) {
		cb->event(cb->ctx, root, VIGIL_SKIP_SPECIAL, VIGIL_ERR_NONE, 0);
		return VIGIL_OK;
	}
	if (is_pseudo_fs(root)) {
		cb->event(cb->ctx, root, VIGIL_SKIP_PSEUDO_FS, VIGIL_ERR_NONE, 0);
		return VIGIL_OK;
	}

	dev_t root_dev = st.st_dev;
	struct visited seen = {0};
	struct dir_item *stack = NULL;
	size_t depth = 0, cap = 0;
	int rc = VIGIL_OK, stop = 0;
	if (opt->follow_symlinks)
		visit(&seen, &st);
	if (!vg_grow(&stack, &cap, 1, sizeof *stack) ||
	    !(stack[0].path = vg_strdup(root))) {
		free(stack);
		return VIGIL_FATAL;
	}
	stack[0].dev = st.st_dev;
	depth = 1;

	while (depth && !stop) {
		struct dir_item cur = stack[--depth];
		DIR *d = opendir(cur.path);
		if (!d) {
			int e = errno;
			cb->event(cb->ctx, cur.path, VIGIL_SKIP_NONE,
				  vg_error_from_errno(e, 1), e);
			free(cur.path);
			continue;
		}
		cb->dir(cb->ctx, cur.path);
		struct dirent *ent;
		while (!stop && (ent = readdir(d))) {
			const char *n = ent->d_name;
			if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2])))
				continue;
			char *path = join(cur.path, n);
			if (!path) {
				rc = VIGIL_FATAL;
				stop = 1;
				break;
			}
			if (vg_walk_excluded(path, opt->excludes, opt->nexcludes)) {
				cb->excluded(cb->ctx, path);
				free(path);
				continue;
			}
#ifdef DT_REG
			/* d_type saves an lstat for the common case */
			if (ent->d_type == DT_REG) {
				stop = cb->file(cb->ctx, NULL, base_of(path), path);
				continue;
			}
#endif
			if (lstat(path, &st) != 0) {
				int e = errno;
				cb->event(cb->ctx, path, VIGIL_SKIP_NONE,
					  vg_error_from_errno(e, 1), e);
				free(path);
				continue;
			}
			if (S_ISLNK(st.st_mode)) {
				if (!opt->follow_symlinks) {
					cb->event(cb->ctx, path, VIGIL_SKIP_SYMLINK,
						  VIGIL_ERR_NONE, 0);
					free(path);
					continue;
				}
				if (stat(path, &st) != 0) {
					int e = errno;
					cb->event(cb->ctx, path, VIGIL_SKIP_NONE,
						  vg_error_from_errno(e, 1), e);
					free(path);
					continue;
				}
			}
			if (S_ISREG(st.st_mode)) {
				stop = cb->file(cb->ctx, NULL, base_of(path), path);
				continue;
			}
			if (!S_ISDIR(st.st_mode)) {
				cb->event(cb->ctx, path, VIGIL_SKIP_SPECIAL,
					  VIGIL_ERR_NONE, 0);
				free(path);
				continue;
			}
			if (st.st_dev != cur.dev) {
				/* a mount point */
				vigil_skip why = VIGIL_SKIP_NONE;
				if (opt->one_file_system && st.st_dev != root_dev)
					why = VIGIL_SKIP_OTHER_FS;
				else if (is_pseudo_fs(path))
					why = VIGIL_SKIP_PSEUDO_FS;
				if (why != VIGIL_SKIP_NONE) {
					cb->event(cb->ctx, path, why, VIGIL_ERR_NONE, 0);
					free(path);
					continue;
				}
			}
			if (opt->follow_symlinks && !visit(&seen, &st)) {
				cb->event(cb->ctx, path, VIGIL_SKIP_NONE,
					  VIGIL_ERR_LOOP, ELOOP);
				free(path);
				continue;
			}
			if (!vg_grow(&stack, &cap, depth + 1, sizeof *stack)) {
				free(path);
				rc = VIGIL_FATAL;
				stop = 1;
				break;
			}
			stack[depth].path = path;
			stack[depth].dev = st.st_dev;
			depth++;
		}
		closedir(d);
		free(cur.path);
	}
	while (depth)
		free(stack[--depth].path);
	free(stack);
	free(seen.slots);
	return rc;
}
