/*
 * Paths of a package database inside a root directory (the host's "/" or
 * a mounted image): a path is resolved the way the system itself would see
 * it — a symlink on the way (/bin -> usr/bin on a merged-/usr system) is
 * followed *inside* the root, an absolute target starting again at the
 * root and ".." stopping there — so a symlink in an image never leads out
 * of it. The last component is never followed. Directories resolved once
 * are cached (one resolver per thread).
 */
#ifndef VIGIL_PKG_ROOT_H
#define VIGIL_PKG_ROOT_H

#include <stddef.h>

#include "pkg/pkg_map.h"

typedef struct vg_proot {
	int fd;             /* the root directory, open */
	const char *prefix; /* its path without a trailing '/' ("" for /) */
	vg_pmap cache;      /* directory as named -> canonical directory */
} vg_proot;

/* The canonical absolute path ("/usr/bin/ls") of path (absolute, as the
 * package database names it, n bytes) under the root, every directory on
 * the way a real directory or missing (then kept as named) when this
 * returned. 0, or an errno value (ELOOP: more than 40 symlinks,
 * ENAMETOOLONG, ENOMEM). *out is a new string. */
int vg_proot_resolve(vg_proot *r, const char *path, size_t n, char **out);

/* prefix + canonical path: where to open it. New string, NULL when out
 * of memory. */
char *vg_proot_disk(const vg_proot *r, const char *canon);

void vg_proot_clear(vg_proot *r); /* the cache; fd is the owner's */

#endif
