/*
 * What the file system says of a file (its stat tuple), and the hook
 * through which a sweep may take a file's results from an earlier sweep
 * instead of reading it again (vigil_scanner_set_reuse; the store answers
 * it, see store.h).
 */
#ifndef VIGIL_FILESTATE_H
#define VIGIL_FILESTATE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "finding.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_file_stat {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
	uint32_t mode, uid, gid;
} vigil_file_stat;

/* Parts of a result that need no bytes, recomputed on reuse. */
#define VIGIL_REDO_HASH_IOCS 1u /* from the stored digests */
#define VIGIL_REDO_NAME_IOCS 2u /* from the path */

/* An earlier sweep's results for a file, as the reuse hook gives them. */
typedef struct vigil_reuse {
	uint8_t md5[16], sha1[20], sha256[32];
	vigil_skip skip;             /* VIGIL_SKIP_TOO_LARGE or none */
	int file_class;              /* as in vigil_file_result */
	const vigil_finding *kept;   /* findings of the parts still valid */
	size_t nkept;
	unsigned redo;               /* VIGIL_REDO_* */
} vigil_reuse;

/*
 * Asked, on a worker thread, before a file is opened: path as the sweep
 * shows it and the file's stat tuple (fstatat on the walk's directory,
 * not following symlinks unless the sweep follows them). Return 1 with
 * out filled to take the stored results (kept must stay valid until the
 * sweep ends), 0 to read the file. Called concurrently.
 */
typedef int (*vigil_reuse_fn)(void *ctx, const char *path,
			      const vigil_file_stat *st, vigil_reuse *out);

#ifdef __cplusplus
}
#endif

#endif
