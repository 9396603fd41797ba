/*
 * The integrity baseline (vigil baseline), kept in the store: every
 * selected file's type, permissions, owner, group, size, times, inode,
 * link count, symlink target, extended attributes (capabilities and POSIX
 * ACLs among them) and SHA-256, recorded by init, compared by check,
 * accepted by update. Paths are selected by rules (include and exclude
 * globs with an attribute set each, docs/cli.md "Baseline rules"). The
 * baseline can be signed with an Ed25519 key kept off the host; check
 * with a public key refuses a baseline whose signature does not verify.
 */
#ifndef VIGIL_BASELINE_H
#define VIGIL_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_baseline_options {
	const char *select_path; /* rules file (init, update); NULL: each PATH with R */
	const char *sign_key;    /* Ed25519 private key, PEM (init, update) */
	const char *verify_key;  /* Ed25519 public key, PEM (check) */
	int fast;                /* check: trust an unchanged stat tuple (no read) */
	int threads;             /* hashing threads; 0: 2 */
} vigil_baseline_options;

void vigil_baseline_options_init(vigil_baseline_options *opt);

typedef enum vigil_baseline_kind {
	VIGIL_BASELINE_ADDED,
	VIGIL_BASELINE_REMOVED,
	VIGIL_BASELINE_CHANGED,
} vigil_baseline_kind;

/* One attribute that differs: its name ("perm", "sha256", "xattr:user.x",
 * "caps", "acl_access"...) and the old and new values as text; NULL:
 * absent (no such xattr, not a symlink, not read). */
typedef struct vigil_baseline_attr {
	const char *name;
	const char *old_value, *new_value;
} vigil_baseline_attr;

typedef struct vigil_baseline_change {
	vigil_baseline_kind kind;
	const char *path;  /* absolute; raw bytes from disk */
	const char *type;  /* "file", "dir", "symlink", "fifo", "socket", "char", "block" */
	const vigil_baseline_attr *attrs; /* CHANGED only */
	size_t nattrs;
} vigil_baseline_change;

/* Called for each change, in path order. */
typedef void (*vigil_baseline_fn)(void *ctx, const vigil_baseline_change *c);

typedef enum vigil_baseline_signature {
	VIGIL_BASELINE_UNSIGNED,  /* no signature (check without --key) */
	VIGIL_BASELINE_SIGNED,    /* written with a signature */
	VIGIL_BASELINE_VERIFIED,  /* check --key: the signature verified */
	VIGIL_BASELINE_NOT_VERIFIED, /* signed, but check was given no key */
} vigil_baseline_signature;

typedef struct vigil_baseline_summary {
	uint64_t entries;     /* entries on disk examined */
	uint64_t hashed;      /* files read for their SHA-256 */
	uint64_t trusted;     /* --fast: files whose stored SHA-256 was kept */
	uint64_t unreadable;  /* files that could not be read (diagnosed) */
	uint64_t added, removed, changed;
	uint64_t stored;      /* rows in the baseline after the run */
	int errors;           /* walk errors (diagnosed): check exits 2 */
	vigil_baseline_signature signature;
} vigil_baseline_summary;

typedef enum vigil_baseline_op {
	VIGIL_BASELINE_INIT,   /* record a new baseline (replaces any) */
	VIGIL_BASELINE_CHECK,  /* compare, write nothing */
	VIGIL_BASELINE_UPDATE, /* compare, then accept the current state */
} vigil_baseline_op;

/*
 * Run op on the store's baseline. paths: init: the roots (NULL/0: those
 * of the rules); check: compare only what is at or below these (0: all);
 * update: accept only these (0: all). fn (may be NULL) gets every change
 * (init: none). VIGIL_OK (done: changes are in the summary), VIGIL_FATAL
 * (nothing usable: no baseline, a malformed rules file, a signature that
 * does not verify; diagnosed, naming the file and line).
 */
int vigil_baseline_run(vigil_store *st, vigil_baseline_op op,
		       const char *const *paths, size_t n,
		       const vigil_baseline_options *opt, vigil_baseline_fn fn,
		       void *ctx, vigil_diag_fn diag, void *diag_ctx,
		       vigil_baseline_summary *out);

/* Write a new Ed25519 key pair: path (private, PEM PKCS#8, mode 0600,
 * never overwritten) and path.pub (public, PEM). VIGIL_OK or VIGIL_FATAL. */
int vigil_baseline_keygen(const char *path, vigil_diag_fn diag, void *ctx);

/* A change as one JSON record {"type": "baseline", "change", "path"[,
 * "path_b64"], "file_type"[, "attributes": [{"name", "old", "new"}]]},
 * without the newline. New string (free()), NULL when out of memory. */
char *vigil_baseline_change_json(const vigil_baseline_change *c);

#ifdef __cplusplus
}
#endif

#endif
