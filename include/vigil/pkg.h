/*
 * Package verification (`vigil pkg verify`): the files of the installed
 * packages against the package manager's digests, the cached .deb files
 * against apt's lists and their own data members, and executables in
 * system directories that no package owns. Debian's dpkg database only
 * for now (see docs/detections.md, "Packages").
 *
 * Every result is a vigil_pkg_result holding a vigil_finding of kind
 * "package" with a stable ID (VGL-PKG-...) scored like every other
 * finding, so that a sweep can carry them.
 */
#ifndef VIGIL_PKG_H
#define VIGIL_PKG_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "finding.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_pkg_options {
	const char *root;   /* the system's root directory; NULL or "/" for this host */
	unsigned threads;   /* 0: one per online CPU */
	const char *const *packages; /* only these (names, or name:arch); NULL: all */
	size_t npackages;
	int debs;           /* check cached .debs (default 1) */
	int unowned;        /* look for unowned executables (default 1, off
			     * when packages are named) */
} vigil_pkg_options;

void vigil_pkg_options_init(vigil_pkg_options *o);

/* One finding about one path (or one package). */
typedef struct vigil_pkg_result {
	const char *path;      /* as the package names it (raw bytes), or NULL */
	const char *disk_path; /* where it was read (diversions), or NULL */
	const char *package;   /* name[:arch], or NULL (unowned files) */
	const char *expected;  /* digest hex, or NULL */
	const char *actual;    /* digest hex, or NULL */
	const char *digest;    /* "md5" or "sha256", with expected/actual */
	vigil_finding finding; /* kind "package" */
} vigil_pkg_result;

typedef void (*vigil_pkg_fn)(void *ctx, const vigil_pkg_result *r);

typedef struct vigil_pkg_stats {
	unsigned long packages;  /* installed packages verified */
	unsigned long files;     /* files hashed */
	unsigned long conffiles; /* conffiles hashed */
	unsigned long debs;      /* cached .debs compared */
	unsigned long unowned_checked; /* files looked at for ownership */
	unsigned long unreadable; /* files that could not be read (diagnostics) */
	unsigned long malformed;  /* malformed lines of the databases */
	unsigned long not_installed; /* named packages that are not installed */
	uint64_t bytes;           /* bytes hashed */
	unsigned long by_level[VIGIL_LEVEL_ALERT + 1];
} vigil_pkg_stats;

typedef struct vigil_pkgverify vigil_pkgverify;

vigil_pkgverify *vigil_pkgverify_create(const vigil_pkg_options *opt);
void vigil_pkgverify_destroy(vigil_pkgverify *v);
void vigil_pkgverify_set_diag(vigil_pkgverify *v, vigil_diag_fn fn, void *ctx);
/* Results arrive from the calling thread, in package order, then the
 * unowned files in path order. */
void vigil_pkgverify_set_callback(vigil_pkgverify *v, vigil_pkg_fn fn, void *ctx);

/*
 * Run the verification. VIGIL_OK; VIGIL_WARN when some input was
 * malformed or unreadable (diagnostics said which); VIGIL_FATAL when no
 * package database was found under the root, or out of memory.
 */
int vigil_pkgverify_run(vigil_pkgverify *v);
void vigil_pkgverify_stats(const vigil_pkgverify *v, vigil_pkg_stats *out);

/* {"schema", "type": "package", "path", "disk_path", "package", "digest",
 * "expected", "actual", "finding"} as compact JSON text, without the
 * newline. New string (free()), NULL when out of memory. */
char *vigil_pkg_result_json(const vigil_pkg_result *r);

#ifdef __cplusplus
}
#endif

#endif
