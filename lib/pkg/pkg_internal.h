/* The verifier's state, shared by the files of lib/pkg/. */
#ifndef VIGIL_PKG_INTERNAL_H
#define VIGIL_PKG_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <vigil/pkg.h>

#include "pkg/pkg_map.h"
#include "pkg/pkg_root.h"

#define DB_MAX_BYTES ((size_t)512 << 20)    /* status, lists, md5sums */
#define DEB_MAX_BYTES ((uint64_t)1 << 30)   /* a cached .deb, read whole */
#define READ_WHOLE_BYTES ((uint64_t)1 << 20) /* larger files are streamed */

/* A finding before delivery: strings owned (source and id static). */
typedef struct vg_pkg_res {
	char *path, *disk_path, *expected, *actual, *message;
	const char *digest, *id, *source;
	int score;
} vg_pkg_res;

typedef struct vg_pkg_conffile {
	char *path;
	uint8_t md5[16];
	int has_md5, obsolete;
} vg_pkg_conffile;

typedef struct vg_pkg {
	char *name, *arch, *version;
	char *id;   /* name, or name:arch unless arch is all */
	char *info; /* the info files' base name, set by the worker */
	int selected;
	vg_pkg_conffile *cf;
	size_t ncf;
	char *deb;           /* canonical path of the cached .deb, or NULL */
	const uint8_t *deb_sha256; /* what the lists say it is, or NULL */
	vg_pkg_res *res;
	size_t nres, capres;
	char **owned; /* canonical paths of the .list */
	size_t nowned;
} vg_pkg;

typedef struct vg_pkg_divert {
	char *to, *by;
} vg_pkg_divert;

struct vigil_pkgverify {
	vigil_pkg_options opt;
	char *root, *prefix;
	int rootfd;
	vg_proot root_main;
	vigil_diag_fn diag;
	void *diag_ctx;
	vigil_pkg_fn cb;
	void *cb_ctx;
	pthread_mutex_t lock;
	char *status_path, *divert_path; /* where they were read (diagnostics) */
	vg_pkg *pkgs;
	size_t npkgs;
	vg_pmap divert;    /* from (as named) -> vg_pkg_divert */
	vg_pmap divert_to; /* canonical "to" paths */
	vg_pmap owned;     /* canonical paths of every .list */
	vg_pmap want;      /* vg_deb_key -> SHA-256 (32 bytes) once found */
	atomic_size_t next;
	vg_pkg_res *unowned;
	size_t nunowned, capunowned;
	vigil_pkg_stats stats;
};

typedef struct vg_pkg_worker {
	vigil_pkgverify *v;
	vigil_pkg_stats stats;
	int oom;
} vg_pkg_worker;

/* The diagnostic callback for any thread (ctx: the verifier). */
void vg_pkg_diag_fn(void *ctx, const vigil_diag *d);
void vg_pkg_diag(vigil_pkgverify *v, vigil_severity sev, const char *file,
		 unsigned long line, const char *msg);
int vg_pkg_add(vg_pkg_res **arr, size_t *n, size_t *cap, const vg_pkg_res *r);
int vg_pkg_read_db(vg_proot *r, const char *path, char **buf, size_t *len,
		   char **disk);

/* pkg_worker.c: verify packages until none is left. */
void *vg_pkg_worker_main(void *arg);
/* pkg_debs.c: find the cached .debs of the selected packages and their
 * SHA-256 in apt's lists. 0, or -1 when out of memory. */
int vg_pkg_find_debs(vigil_pkgverify *v);
/* pkg_unowned.c: executables of the system directories no package owns
 * (v->owned filled), into v->unowned sorted by path. 0, or -1. */
int vg_pkg_unowned(vigil_pkgverify *v);

#endif
