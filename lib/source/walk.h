/*
 * The directory walk: iterative (an explicit stack, so depth is bounded by
 * memory, not by the C stack), no symlink following unless asked, with loop
 * protection when following, and pruning of excluded paths, pseudo file
 * systems and (optionally) other file systems. It walks open directories,
 * not path strings: the root is opened by its name, every directory below
 * it by its entry name relative to its parent's descriptor (O_NOFOLLOW
 * unless following), so a directory swapped for a symlink after it was
 * listed is reported (as changed) instead of followed out of the tree.
 */
#ifndef VIGIL_WALK_H
#define VIGIL_WALK_H

#include <stddef.h>
#include <sys/types.h>

#include <vigil/common.h>

/* A directory or file pruned by identity (vigil's own content, cache): a
 * directory by device and inode, a file by its directory's device and
 * inode and its entry name there, so that no file needs a stat. */
typedef struct vg_self_id {
	int is_dir;
	dev_t dev;
	ino_t ino;          /* the directory, or the file's directory */
	const char *name;   /* a file's entry name; NULL for a directory */
} vg_self_id;

/* The identity of path (followed) as a vg_self_id; name points into path.
 * 0, or -1 when it cannot be stat'ed. */
int vg_self_id_of(const char *path, vg_self_id *out);

typedef struct vg_walk_opts {
	int follow_symlinks;
	int one_file_system;
	const char *const *excludes;
	size_t nexcludes;
	const vg_self_id *self; /* pruned below the roots, reported to cb->self */
	size_t nself;
} vg_walk_opts;

/*
 * An open directory of the walk, shared by the files queued from it:
 * reference counted (atomically: references may be dropped on other
 * threads), closed when the last reference goes. Files are opened relative
 * to it (openat), so a directory swapped for a symlink after it was listed
 * cannot redirect the open.
 */
typedef struct vg_dir vg_dir;
int vg_dir_fd(const vg_dir *d);
vg_dir *vg_dir_ref(vg_dir *d);
void vg_dir_unref(vg_dir *d); /* NULL is fine */

/* Every callback is required (the walker calls them unchecked); one
 * that has nothing to do may be an empty function. */
typedef struct vg_walk_cb {
	/* A regular file (or a symlink to one, when following). dir is the
	 * open directory holding it and name its entry there (name points
	 * into path), or dir is NULL for a root named by path, to be opened
	 * as is. Takes ownership of path and of one reference to dir.
	 * Returns nonzero to stop the walk. */
	int (*file)(void *ctx, vg_dir *dir, const char *name, char *path);
	/* A directory entered. */
	void (*dir)(void *ctx, const char *path);
	/* Something not examined, or an error, with errno when relevant. */
	void (*event)(void *ctx, const char *path, vigil_skip skip,
		      vigil_error err, int errnum);
	/* Something pruned by --exclude. */
	void (*excluded)(void *ctx, const char *path);
	void *ctx;
	/* Something pruned as one of opts->self; may be NULL when none. */
	void (*self)(void *ctx, const char *path);
} vg_walk_cb;

/*
 * Walk one root. Returns VIGIL_OK; VIGIL_FAILED when the root itself could
 * not be swept (missing, unreadable, neither a file nor a directory: the
 * event callback was told why); VIGIL_FATAL on allocation failure.
 * Descriptors held: one per directory on the way down, plus one per
 * directory whose files the callback still holds references to. The first
 * call raises the process's soft RLIMIT_NOFILE towards the hard limit for
 * that reason; a directory that cannot be opened for want of descriptors
 * (EMFILE, ENFILE) is reported through event and the walk goes on.
 */
int vg_walk(const char *root, const vg_walk_opts *opt, const vg_walk_cb *cb);

/* Does the full path match one of the exclude globs? A glob without
 * wildcards also matches everything below it. */
int vg_walk_excluded(const char *path, const char *const *globs, size_t n);

#endif
