/*
 * Executables no package owns: ELF, #! scripts and PE files with an
 * execute bit under the system directories (/usr/bin, /usr/sbin,
 * /usr/lib*, /bin, /sbin, /lib*, /etc/cron*, /etc/systemd), each resolved
 * inside the root so that a merged /usr (/bin -> usr/bin) is walked once
 * and /bin/ls in a .list owns /usr/bin/ls on disk. /usr/local and /opt are
 * walked apart: what is there is not package-managed by design.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "pkg/pkg_internal.h"
#include "source/walk.h"

struct uctx {
	vigil_pkgverify *v;
	size_t plen;   /* of the root prefix in walk paths */
	int unmanaged; /* walking /usr/local or /opt */
	int oom;
};

static const char *kind_of(int fd)
{
	unsigned char m[4];
	ssize_t n = pread(fd, m, sizeof m, 0);
	if (n >= 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F')
		return "ELF executable";
	if (n >= 2 && m[0] == '#' && m[1] == '!')
		return "script";
	if (n >= 2 && m[0] == 'M' && m[1] == 'Z')
		return "PE executable";
	return NULL;
}

static int on_file(void *ctx, vg_dir *dir, const char *name, char *path)
{
	struct uctx *u = ctx;
	vigil_pkgverify *v = u->v;
	struct stat st;
	if (!dir || fstatat(vg_dir_fd(dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		goto done;
	v->stats.unowned_checked++;
	const char *sys = path + u->plen;
	if (!u->unmanaged && (vg_pmap_find(&v->owned, sys, strlen(sys)) ||
			      vg_pmap_find(&v->divert_to, sys, strlen(sys))))
		goto done;
	int fd = openat(vg_dir_fd(dir), name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
							O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		goto done;
	struct stat fst;
	const char *kind = fstat(fd, &fst) == 0 && S_ISREG(fst.st_mode) ? kind_of(fd) : NULL;
	close(fd);
	if (!kind)
		goto done;
	vg_pkg_res r = {.id = u->unmanaged ? "VGL-PKG-UNMANAGED" : "VGL-PKG-UNOWNED",
			.score = u->unmanaged ? 20 : 70, .source = "dpkg"};
	r.path = vg_strdup(sys);
	r.message = u->unmanaged
			    ? vg_asprintf("%s outside package management (/usr/local, /opt)", kind)
			    : vg_asprintf("%s in a system directory that no package owns", kind);
	if (!r.path || !r.message ||
	    vg_pkg_add(&v->unowned, &v->nunowned, &v->capunowned, &r) != 0) {
		free(r.path);
		free(r.message);
		u->oom = 1;
	}
done:
	free(path);
	vg_dir_unref(dir);
	return u->oom;
}

static void on_dir(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

static void on_event(void *ctx, const char *path, vigil_skip skip, vigil_error err,
		     int errnum)
{
	struct uctx *u = ctx;
	if (err == VIGIL_ERR_NONE || err == VIGIL_ERR_VANISHED)
		return;
	u->v->stats.unreadable++;
	vg_diag(vg_pkg_diag_fn, u->v, VIGIL_DIAG_WARNING, path, 0, "not walked: %s",
		errnum ? strerror(errnum) : vigil_error_name(err));
	(void)skip;
}

static void on_excluded(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_res(const void *a, const void *b)
{
	const vg_pkg_res *x = a, *y = b;
	return strcmp(x->path, y->path);
}

/* Add the canonical form of sys (if it is a directory) to roots. */
static int add_root(vigil_pkgverify *v, const char *sys, char ***roots, size_t *n,
		    size_t *cap)
{
	char *canon = NULL;
	int e = vg_proot_resolve(&v->root_main, sys, strlen(sys), &canon);
	if (e)
		return e == ENOMEM ? -1 : 0;
	struct stat st;
	if (!canon[1] || fstatat(v->rootfd, canon + 1, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISDIR(st.st_mode)) {
		free(canon);
		return 0;
	}
	if (!vg_grow(roots, cap, *n + 1, sizeof **roots)) {
		free(canon);
		return -1;
	}
	(*roots)[(*n)++] = canon;
	return 0;
}

/* Entries of dir (a system path) whose name starts with prefix. */
static int add_matching(vigil_pkgverify *v, const char *dir, const char *prefix,
			char ***roots, size_t *n, size_t *cap)
{
	char *canon = NULL, **names = NULL;
	size_t nn = 0;
	if (vg_proot_resolve(&v->root_main, dir, strlen(dir), &canon) != 0)
		return 0;
	char *disk = vg_proot_disk(&v->root_main, canon);
	int rc = 0;
	if (disk && vg_list_dir(disk, &names, &nn) == 0) {
		for (size_t i = 0; i < nn && rc == 0; i++) {
			const char *b = strrchr(names[i], '/');
			b = b ? b + 1 : names[i];
			if (strncmp(b, prefix, strlen(prefix)))
				continue;
			char *sys = vg_asprintf("%s/%s", strcmp(canon, "/") ? canon : "", b);
			rc = sys ? add_root(v, sys, roots, n, cap) : -1;
			free(sys);
		}
	} else if (!disk) {
		rc = -1;
	}
	vg_free_list(names, nn);
	free(disk);
	free(canon);
	return rc;
}

static int walk_roots(vigil_pkgverify *v, char **roots, size_t n, int unmanaged)
{
	qsort(roots, n, sizeof *roots, cmp_str);
	struct uctx u = {v, strlen(v->prefix), unmanaged, 0};
	vg_walk_opts wo = {0};
	vg_walk_cb cb = {on_file, on_dir, on_event, on_excluded, &u, NULL};
	const char *last = NULL;
	for (size_t i = 0; i < n && !u.oom; i++) {
		size_t ll = last ? strlen(last) : 0;
		if (last && (!strcmp(roots[i], last) ||
			     (!strncmp(roots[i], last, ll) && roots[i][ll] == '/')))
			continue; /* the same, or inside one walked */
		last = roots[i];
		char *disk = vg_proot_disk(&v->root_main, roots[i]);
		if (!disk || vg_walk(disk, &wo, &cb) == VIGIL_FATAL)
			u.oom = 1;
		free(disk);
	}
	return u.oom ? -1 : 0;
}

int vg_pkg_unowned(vigil_pkgverify *v)
{
	static const char *const sys[] = {"/usr/bin", "/usr/sbin", "/bin", "/sbin",
					  "/etc/systemd"};
	static const char *const apart[] = {"/usr/local", "/opt"};
	char **roots = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (size_t i = 0; i < sizeof sys / sizeof *sys && rc == 0; i++)
		rc = add_root(v, sys[i], &roots, &n, &cap);
	if (rc == 0)
		rc = add_matching(v, "/usr", "lib", &roots, &n, &cap);
	if (rc == 0)
		rc = add_matching(v, "/", "lib", &roots, &n, &cap);
	if (rc == 0)
		rc = add_matching(v, "/etc", "cron", &roots, &n, &cap);
	if (rc == 0)
		rc = walk_roots(v, roots, n, 0);
	for (size_t i = 0; i < n; i++)
		free(roots[i]);
	n = 0;
	for (size_t i = 0; i < sizeof apart / sizeof *apart && rc == 0; i++)
		rc = add_root(v, apart[i], &roots, &n, &cap);
	if (rc == 0)
		rc = walk_roots(v, roots, n, 1);
	for (size_t i = 0; i < n; i++)
		free(roots[i]);
	free(roots);
	if (v->nunowned)
		qsort(v->unowned, v->nunowned, sizeof *v->unowned, cmp_res);
	return rc;
}
