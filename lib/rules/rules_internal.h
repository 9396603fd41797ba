#ifndef VIGIL_RULES_INTERNAL_H
#define VIGIL_RULES_INTERNAL_H

#include <stdint.h>
#include <sys/stat.h>

#include <vigil/rules.h>

struct YR_RULES;
struct _YR_COMPILER;

extern const char *const vg_rule_externals[];

/*
 * A rule source: rule text under a name, or a file (name is its path).
 * vigil_rules_finish() reads each file once into text, so that
 * the cache key, the full set and the per-class subsets all come from the
 * same bytes; text stays NULL for a file that uses `include` (whose targets
 * are found relative to it), holds a NUL byte, or cannot be read: YARA then
 * reads it itself.
 */
struct vg_rule_source {
	char *name;
	char *text;
};

/* Largest rule file read into memory. */
#define VG_MAX_RULE_FILE (64u << 20)

/* Read the regular file open on fd (st: its fstat) into a new
 * NUL-terminated buffer of at most max bytes: 0, or an errno value (EFBIG
 * when larger). In lib/rules/rules_cache.c. */
int vg_rules_read_fd(int fd, const struct stat *st, size_t max, char **out,
		     size_t *len);

/* A line starting with `include` (YARA's directive). */
int vg_rules_uses_include(const char *text, size_t len);

/* The compiled rules for files of class c (after vigil_rules_finish), or
 * NULL. */
struct YR_RULES *vg_rules_yara(const vigil_rules *r, vigil_file_class c);

/* A compiler with the externals defined. */
struct _YR_COMPILER *vg_rules_new_compiler(void);

/* Compile one source (or text in its place) into comp under the source's
 * namespace; the number of errors, -1 when its file cannot be opened. */
int vg_rules_compile_one(struct _YR_COMPILER *comp,
			 const struct vg_rule_source *s, const char *text);

unsigned vg_yara_rule_count(struct YR_RULES *rules);

/*
 * The per-class rule sets (lib/rules_classes.c): start compiling them from
 * the sources (which must stay unchanged until finish), then collect:
 * set[c] is full or a subset of it without rules that cannot match class c.
 * full NULL (the full set did not compile) discards the subsets.
 */
struct vg_class_job;
struct vg_class_job *vg_rules_classes_start(const struct vg_rule_source *src,
					    size_t n);
void vg_rules_classes_finish(struct vg_class_job *job, struct YR_RULES *full,
			     struct YR_RULES *set[VIGIL_FILE_CLASSES]);

/*
 * The compiled-rules cache (lib/rules/rules_cache.c). The key is a SHA-256
 * over a format version, the YARA version, the externals and every
 * source's name and content: 1 with key set; 0 when the sources cannot be
 * cached (unreadable, or using `include`, whose targets the key would not
 * cover); -1 when OpenSSL could not compute the digest. Load reports
 * damaged files (removed) through diag.
 */
int vg_rules_cache_key(const struct vg_rule_source *src, size_t n,
		       char key[65]);
int vg_rules_cache_load(const char *dir, const char *key,
			struct YR_RULES *set[VIGIL_FILE_CLASSES],
			vigil_diag_fn diag, void *ctx);
int vg_rules_cache_save(const char *dir, const char *key,
			struct YR_RULES *set[VIGIL_FILE_CLASSES]);

/*
 * The cache's files (lib/rules/rules_cachefile.c): a header of their own
 * around the payload (YARA's compiled rules), so that a truncated or
 * damaged file is found before libyara reads it (libyara trusts its files:
 * a damaged one trips assertions inside it):
 *   magic (8 bytes: VG_CACHE_RULES)
 *   payload length (8, little-endian)
 *   SHA-256 of the payload (32)
 *   payload
 */
#define VG_CACHE_RULES "vgyarc1\n"
#define VG_CACHE_HEADER 48

/* Write the header for payload into out: 1, or 0 when OpenSSL fails. */
int vg_cachefile_header(const char magic[8], const void *payload, size_t len,
			uint8_t out[VG_CACHE_HEADER]);
/* Check a whole file's bytes: 1 with *payload and *plen set; 0 when the
 * magic, length or digest is wrong; -1 when OpenSSL fails. */
int vg_cachefile_check(const char magic[8], const uint8_t *buf, size_t len,
		       const uint8_t **payload, size_t *plen);

#endif
