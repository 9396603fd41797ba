#ifndef VIGIL_RULES_INTERNAL_H
#define VIGIL_RULES_INTERNAL_H

#include <stdint.h>
#include <sys/stat.h>

#include <vigil/rules.h>

struct YR_RULES;
struct _YR_COMPILER;

extern const char *const vg_rule_externals[];

/*
 * A rule source: rule text under a name, or a file (name is its path,
 * file is 1). vigil_rules_finish() reads each file once into text, so that
 * the cache key, the full set and the per-class subsets all come from the
 * same bytes; text stays NULL for a file that holds a NUL byte or cannot be
 * read: YARA then reads it itself (and the sources are not cached).
 */
struct vg_rule_source {
	char *name;
	char *text;
	int file;
};

/* Largest rule file read into memory, included files too. */
#define VG_MAX_RULE_FILE (64u << 20)

/*
 * YARA's `include` (lib/rules/rules_include.c). YARA's own callback opens
 * an include relative to the working directory whenever the including text
 * was given as a string, blocks on a FIFO, and follows any fan-out. This
 * one resolves a name relative to the file that names it, refuses absolute
 * names, non-regular files, NUL bytes and text sources, bounds depth,
 * cycles, count and bytes, and logs what it included (path, SHA-256) for
 * the cache key. Refusals are reported through diag; YARA then adds its
 * own error with the including file and line.
 */
#define VG_MAX_INCLUDE_DEPTH 16
#define VG_MAX_INCLUDES 4096
#define VG_MAX_INCLUDE_BYTES (256u << 20)
#define VG_MAX_INCLUDE_PATH 4096

struct vg_included {
	char *path;   /* as opened: the includer's directory + the name */
	char *raw;    /* the name as written, which YARA hands back as the
		       * includer's name when the included text includes */
	size_t parent; /* 1 + the includer's index; 0: the source itself */
	uint64_t dev, ino;
	uint8_t sha256[32];
};

struct vg_includes {
	struct vg_included *v;
	size_t n, cap;
	size_t first;  /* the current source's first entry */
	size_t bytes;  /* included so far */
	unsigned over; /* refusals past the count or byte cap */
	const struct vg_rule_source *src; /* being compiled */
	uint64_t src_dev, src_ino;
	int src_known;
	int digest_failed; /* a SHA-256 failed: the log cannot key a cache */
	vigil_diag_fn diag;
	void *ctx;
};

/* Install inc's include callback on comp; vg_includes_source() before each
 * source; vg_includes_free() frees the log (inc itself is the caller's). */
void vg_includes_attach(struct _YR_COMPILER *comp, struct vg_includes *inc);
void vg_includes_source(struct vg_includes *inc, const struct vg_rule_source *s);
void vg_includes_free(struct vg_includes *inc);
/* The path of the file YARA names in a message (the name an include was
 * written with), or name itself. */
const char *vg_includes_path(const struct vg_includes *inc, const char *name);

/* Read an included file as the callback does: regular (opened with
 * O_NONBLOCK, so that a FIFO cannot block; fstat decides), at most
 * VG_MAX_RULE_FILE bytes, no NUL byte. 0, or -1 with *why set. */
int vg_include_read(const char *path, char **text, size_t *len,
		    struct stat *st, const char **why);

/*
 * The compiled rule sets: one per class of files below
 * VIGIL_RULES_LARGE_FILE bytes, then one per class of larger files. Set 0
 * (MZ, small) is the full set; every other set is the full one or a
 * subset of it without rules that cannot match its files.
 */
#define VG_RULE_SETS (2 * VIGIL_FILE_CLASSES)

static inline unsigned vg_rule_set_of(vigil_file_class c, uint64_t size)
{
	return (unsigned)c + (size >= VIGIL_RULES_LARGE_FILE ? VIGIL_FILE_CLASSES : 0);
}

static inline vigil_file_class vg_rule_set_class(unsigned set)
{
	return (vigil_file_class)(set % VIGIL_FILE_CLASSES);
}

/* The smallest file the set is for. */
static inline uint64_t vg_rule_set_min_size(unsigned set)
{
	return set >= VIGIL_FILE_CLASSES ? VIGIL_RULES_LARGE_FILE : 0;
}

/* Compiled set number set (after vigil_rules_finish), or NULL. */
struct YR_RULES *vg_rules_yara(const vigil_rules *r, unsigned set);

/* A compiler with the externals defined and every include refused (YARA's
 * default would open it relative to the working directory): the full
 * compilation attaches vg_includes; the per-class ones keep refusing. */
struct _YR_COMPILER *vg_rules_new_compiler(void);

/* Compile one source (or text in its place) into comp under the source's
 * namespace; the number of errors, -1 when its file cannot be opened. */
int vg_rules_compile_one(struct _YR_COMPILER *comp,
			 const struct vg_rule_source *s, const char *text);

unsigned vg_yara_rule_count(struct YR_RULES *rules);

/*
 * The per-class rule sets (lib/rules_classes.c): start compiling them from
 * the sources (which must stay unchanged until finish), then collect:
 * set[i] is full or a subset of it without rules that cannot match set i's
 * files.
 * full NULL (the full set did not compile) discards the subsets.
 */
struct vg_class_job;
struct vg_class_job *vg_rules_classes_start(const struct vg_rule_source *src,
					    size_t n);
void vg_rules_classes_finish(struct vg_class_job *job, struct YR_RULES *full,
			     struct YR_RULES *set[VG_RULE_SETS]);

/*
 * The compiled-rules cache (lib/rules/rules_cache.c). The key is a SHA-256
 * over a format version, the YARA version, the externals and every
 * source's name and content: 1 with key set; 0 when the sources cannot be
 * cached (YARA reads one itself); -1 when OpenSSL could not compute it.
 * Sources that include files are stored under a second key that adds each
 * included file's path and content; a manifest under the first key lists
 * those paths, so that a load reads the included files as they are now.
 * Load reports damaged files (removed) through diag.
 */
int vg_rules_cache_key(const struct vg_rule_source *src, size_t n,
		       char key[65]);
int vg_rules_cache_load(const char *dir, const char *key,
			struct YR_RULES *set[VG_RULE_SETS],
			vigil_diag_fn diag, void *ctx);
int vg_rules_cache_save(const char *dir, const char *key,
			const struct vg_includes *inc,
			struct YR_RULES *set[VG_RULE_SETS]);

/*
 * The cache's files (lib/rules/rules_cachefile.c): a header of their own
 * around the payload (YARA's compiled rules, or a manifest), so that a
 * truncated or damaged file is found before libyara reads it (libyara
 * trusts its files: a damaged one trips assertions inside it):
 *   magic (8 bytes: VG_CACHE_RULES or VG_CACHE_MANIFEST)
 *   payload length (8, little-endian)
 *   SHA-256 of the payload (32)
 *   payload
 * A manifest's payload: a count (4, little-endian), then per path its
 * length (4, little-endian, 1 to VG_MAX_INCLUDE_PATH) and its bytes (no
 * NUL); at most VG_MAX_INCLUDES paths, nothing after the last.
 */
#define VG_CACHE_RULES "vgyarc1\n"
#define VG_CACHE_MANIFEST "vginc1\n\n"
#define VG_CACHE_HEADER 48

/* Write the header for payload into out: 1, or 0 when OpenSSL fails. */
int vg_cachefile_header(const char magic[8], const void *payload, size_t len,
			uint8_t out[VG_CACHE_HEADER]);
/* Check a whole file's bytes: 1 with *payload and *plen set; 0 when the
 * magic, length or digest is wrong; -1 when OpenSSL fails. */
int vg_cachefile_check(const char magic[8], const uint8_t *buf, size_t len,
		       const uint8_t **payload, size_t *plen);
/* A manifest's payload from paths, or NULL (out of memory, too many). */
uint8_t *vg_manifest_encode(char *const *paths, size_t n, size_t *len);
/* The paths of a manifest's payload: 1 with *paths (free each and the
 * array) and *n; 0 when malformed; -1 out of memory. */
int vg_manifest_parse(const uint8_t *p, size_t len, char ***paths, size_t *n);

#endif
