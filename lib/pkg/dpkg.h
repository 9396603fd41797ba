/*
 * Parsers of dpkg's and apt's text databases: the deb822 stanzas of
 * var/lib/dpkg/status and apt's Packages lists, the Conffiles field,
 * info/<pkg>.md5sums, info/<pkg>.list and var/lib/dpkg/diversions. All of
 * them read untrusted text (a mounted image is whatever its author made
 * it) from a buffer with explicit bounds: a malformed line is reported
 * through the diagnostic callback with the file's name and the line
 * number and skipped; nothing is read past len, no line is kept beyond
 * VG_DPKG_MAX_LINE, no stanza holds more than VG_DPKG_MAX_FIELDS fields.
 * Values point into the caller's buffer (not NUL-terminated).
 */
#ifndef VIGIL_PKG_DPKG_H
#define VIGIL_PKG_DPKG_H

#include <stddef.h>
#include <stdint.h>

#include <vigil/common.h>

#define VG_DPKG_MAX_FIELDS 128
#define VG_DPKG_MAX_LINE (1 << 20) /* apt lists hold Provides: lines of 75 KB */

typedef struct vg_span {
	const char *p;
	size_t n;
} vg_span;

typedef struct vg_dpkg_field {
	vg_span name;
	vg_span value; /* from after the colon to the end of its last
			* continuation line, newlines inside kept, the first
			* line's leading blanks and the trailing newline cut */
	unsigned long line; /* of its name */
} vg_dpkg_field;

typedef struct vg_dpkg_stanza {
	vg_dpkg_field f[VG_DPKG_MAX_FIELDS];
	size_t n;
	unsigned long line; /* of its first field */
} vg_dpkg_stanza;

typedef struct vg_dpkg_diag {
	vigil_diag_fn fn;
	void *ctx;
	const char *file; /* named in every message */
	unsigned long problems; /* malformed lines seen */
} vg_dpkg_diag;

/* Called for each stanza; nonzero stops the parse. */
typedef int (*vg_dpkg_stanza_fn)(void *ctx, const vg_dpkg_stanza *s);

/* Parse deb822 stanzas (status, Packages). Returns 0, or what fn
 * returned when it stopped the parse. */
int vg_dpkg_parse_stanzas(const char *buf, size_t len, vg_dpkg_diag *dg,
			  vg_dpkg_stanza_fn fn, void *ctx);

/* A field's value by name (case-insensitive, as dpkg does), or NULL. */
const vg_span *vg_dpkg_get(const vg_dpkg_stanza *s, const char *name);

/* Does span equal the C string? */
int vg_span_eq(vg_span s, const char *c);

/* One conffile of the Conffiles field: " /path md5hex [obsolete|remove-on-upgrade]..." */
typedef struct vg_dpkg_conffile {
	vg_span path;
	uint8_t md5[16];
	int has_md5;  /* "newconffile" (not yet configured) has none */
	int obsolete; /* the flag "obsolete" */
} vg_dpkg_conffile;
typedef int (*vg_dpkg_conffile_fn)(void *ctx, const vg_dpkg_conffile *c);
/* Parse the value of a Conffiles field whose stanza starts at line. */
int vg_dpkg_parse_conffiles(vg_span value, unsigned long line, vg_dpkg_diag *dg,
			    vg_dpkg_conffile_fn fn, void *ctx);

/* One line of an md5sums file: 32 hex digits, blanks, a path relative to
 * the root (a leading "/" or "./" is dropped). The path may hold blanks. */
typedef int (*vg_dpkg_md5_fn)(void *ctx, const uint8_t md5[16], vg_span path,
			      unsigned long line);
int vg_dpkg_parse_md5sums(const char *buf, size_t len, vg_dpkg_diag *dg,
			  vg_dpkg_md5_fn fn, void *ctx);

/* One line of a .list file: an absolute path ("/." is the root). */
typedef int (*vg_dpkg_list_fn)(void *ctx, vg_span path, unsigned long line);
int vg_dpkg_parse_list(const char *buf, size_t len, vg_dpkg_diag *dg,
		       vg_dpkg_list_fn fn, void *ctx);

/* One diversion: three lines, the diverted path, where it went, and the
 * package that diverts it (":" for a local diversion). */
typedef int (*vg_dpkg_divert_fn)(void *ctx, vg_span from, vg_span to,
				 vg_span by, unsigned long line);
int vg_dpkg_parse_diversions(const char *buf, size_t len, vg_dpkg_diag *dg,
			     vg_dpkg_divert_fn fn, void *ctx);

#endif
