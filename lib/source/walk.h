/*
 * The directory walk: iterative (an explicit stack, so depth is bounded by
 * memory, not by the C stack), no symlink following unless asked, with loop
 * protection when following, and pruning of excluded paths, pseudo file
 * systems and (optionally) other file systems.
 */
#ifndef VIGIL_WALK_H
#define VIGIL_WALK_H

#include <stddef.h>

#include <vigil/common.h>

typedef struct vg_walk_opts {
	int follow_symlinks;
	int one_file_system;
	const char *const *excludes;
	size_t nexcludes;
} vg_walk_opts;

/* Every callback is required (the walker calls them unchecked); one
 * that has nothing to do may be an empty function. */
typedef struct vg_walk_cb {
	/* A regular file (or a symlink to one, when following); takes
	 * ownership of path. Returns nonzero to stop the walk. */
	int (*file)(void *ctx, char *path);
	/* A directory entered. */
	void (*dir)(void *ctx, const char *path);
	/* Something not examined, or an error, with errno when relevant. */
	void (*event)(void *ctx, const char *path, vigil_skip skip,
		      vigil_error err, int errnum);
	/* Something pruned by --exclude. */
	void (*excluded)(void *ctx, const char *path);
	void *ctx;
} vg_walk_cb;

/* Walk one root. Returns VIGIL_OK, or VIGIL_FATAL on allocation failure. */
int vg_walk(const char *root, const vg_walk_opts *opt, const vg_walk_cb *cb);

/* Does the full path match one of the exclude globs? A glob without
 * wildcards also matches everything below it. */
int vg_walk_excluded(const char *path, const char *const *globs, size_t n);

#endif
