/* Internals of the integrity baseline (lib/store/baseline*.c). */
#ifndef VIGIL_BASELINE_INTERNAL_H
#define VIGIL_BASELINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <vigil/baseline.h>

/* The attributes a rule selects (docs/cli.md "Baseline rules"); the type
 * is always compared. */
enum {
	VG_BA_PERM = 1u << 0,   /* p: permission bits incl. setuid, setgid, sticky */
	VG_BA_INODE = 1u << 1,  /* i */
	VG_BA_NLINK = 1u << 2,  /* n */
	VG_BA_UID = 1u << 3,    /* u */
	VG_BA_GID = 1u << 4,    /* g */
	VG_BA_SIZE = 1u << 5,   /* s */
	VG_BA_MTIME = 1u << 6,  /* m */
	VG_BA_CTIME = 1u << 7,  /* c */
	VG_BA_LINK = 1u << 8,   /* l: symlink target */
	VG_BA_SHA256 = 1u << 9, /* sha256 */
	VG_BA_XATTRS = 1u << 10, /* xattrs: every xattr but caps and ACLs */
	VG_BA_ACL = 1u << 11,   /* acl: system.posix_acl_access/_default, raw */
	VG_BA_CAPS = 1u << 12,  /* caps: security.capability, raw */
	VG_BA_ALL = (1u << 13) - 1,
	VG_BA_ANY_XATTR = VG_BA_XATTRS | VG_BA_ACL | VG_BA_CAPS,
};

/* ---- rules (baseline_rules.c) ---- */
typedef struct vg_brule {
	char *glob;          /* fnmatch pattern (FNM_PATHNAME), backslash escapes kept */
	int exclude;         /* "!glob" */
	int literal;         /* no wildcard: compared as a path prefix */
	unsigned attrs;
	unsigned long line;
} vg_brule;

typedef struct vg_brules {
	vg_brule *r;
	size_t n;
} vg_brules;

/* Parse an attribute expression ("R", "p+u+g+sha256", "R-m-c"): 0, or -1
 * with *bad (pointing into s) at the term not understood. */
int vg_battrs_parse(const char *s, size_t len, unsigned *out, const char **bad,
		    size_t *badlen);
/* "p+i+n+...": the canonical text of a set (static storage per call site
 * is not used: out holds at least 128 bytes). */
void vg_battrs_text(unsigned attrs, char *out, size_t cap);

/* Parse rules text (len bytes, may hold NULs: refused) named file for
 * diagnostics: every malformed line is diagnosed as file:line; 0 when
 * none, -1 when any (out then empty). */
int vg_brules_parse(const char *text, size_t len, const char *file,
		    vigil_diag_fn diag, void *ctx, vg_brules *out);
void vg_brules_free(vg_brules *rs);
/* The last rule matching path (or a directory above it): 1 included
 * (*attrs set), 0 excluded, -1 no rule matches. */
int vg_brules_match(const vg_brules *rs, const char *path, unsigned *attrs);
/* The directories to walk for the include rules: each rule's leading
 * part without wildcards, unescaped; those inside another left out. New
 * array of new strings, 0 or -1 (out of memory). */
int vg_brules_roots(const vg_brules *rs, char ***out, size_t *n);

/* ---- one entry's attributes (baseline_attrs.c) ---- */
enum { VG_BT_FILE, VG_BT_DIR, VG_BT_LINK, VG_BT_FIFO, VG_BT_SOCK, VG_BT_CHR,
       VG_BT_BLK, VG_BT_OTHER, VG_BT_COUNT };
const char *vg_btype_name(int t);
int vg_btype_of_name(const char *s); /* -1 unknown */
int vg_btype_of_mode(uint32_t mode);

typedef struct vg_bxattr {
	char *name;
	uint8_t *value;
	size_t len;
} vg_bxattr;

typedef struct vg_bentry {
	char *path;
	int type;
	unsigned attrs;       /* the selection that applies */
	uint32_t mode;        /* st_mode */
	int64_t uid, gid, size, mtime_ns, ctime_ns, dev, ino, nlink;
	char *link;           /* symlink target; NULL when not a symlink */
	char sha256[65];      /* "" when not hashed or not readable */
	vg_bxattr *xattrs;    /* sorted by name (byte order) */
	size_t nxattrs;
	char *error;          /* why attributes could not be read (for a diag) */
	int trust;            /* --fast: sha256 taken from the stored row */
} vg_bentry;

void vg_bentry_from_stat(vg_bentry *e, const struct stat *st);
void vg_bentry_clear(vg_bentry *e);
/* Sort entries by path, in byte order. */
void vg_bentries_sort(vg_bentry *e, size_t n);
/* Read what the stat does not hold: the symlink target, the xattrs the
 * selection needs, and the SHA-256 (regular files, when selected and not
 * e->trust) with buf (cap bytes) as the read buffer. A failure sets
 * e->error (the entry stays, without what could not be read). */
void vg_bentry_read(vg_bentry *e, uint8_t *buf, size_t cap);
/* Set xattrs from a list of (name, value) pairs, sorted (takes them). */
void vg_bentry_sort_xattrs(vg_bentry *e);

/* The attributes of old that differ in cur, by old->attrs (the
 * selection recorded). *out: new array of names and values (free with
 * vg_bdiff_free). 0, or -1 out of memory. */
int vg_bentry_diff(const vg_bentry *old, const vg_bentry *cur,
		   vigil_baseline_attr **out, size_t *n);
void vg_bdiff_free(vigil_baseline_attr *a, size_t n);

/* ---- the canonical digest and the signature (baseline_sign.c) ---- */
/* SHA-256 over the rules text, the roots and every row (docs/design.md
 * "What is signed"). rows sorted by path. 0 or -1. */
int vg_baseline_digest(const char *rules, const char *const *roots, size_t nroots,
		       const vg_bentry *rows, size_t n, uint8_t out[32]);
/* Ed25519 signature of the digest with the private key in key_path (PEM):
 * sig_hex (129 bytes) and the public key as hex (65 bytes). 0 or -1. */
int vg_baseline_sign(const char *key_path, const uint8_t digest[32], char sig_hex[129],
		     char pub_hex[65], vigil_diag_fn diag, void *ctx);
/* 1 the signature verifies with the public key in pub_path, 0 it does not,
 * -1 the key cannot be used (diagnosed). */
int vg_baseline_verify(const char *pub_path, const uint8_t digest[32],
		       const char *sig_hex, vigil_diag_fn diag, void *ctx);

/* ---- the baseline in the store (baseline_db.c) ---- */
typedef struct vg_bstate {
	char *rules;          /* the rules text the selection came from */
	char **roots;
	size_t nroots;
	vg_bentry *rows;      /* sorted by path */
	size_t n;
	char *signature;      /* hex; NULL: unsigned */
	char *signer;         /* the signer's public key, hex; NULL: unsigned */
	int64_t created_ns, updated_ns;
} vg_bstate;

/* Load the store's baseline: 0, 1 when there is none, -1 (diagnosed). */
int vg_bdb_load(vigil_store *st, vg_bstate *out);
/* Replace the store's baseline by s in one transaction: 0 or -1. */
int vg_bdb_save(vigil_store *st, const vg_bstate *s);
void vg_bstate_free(vg_bstate *s);

#endif
