#ifndef VIGIL_RULES_INTERNAL_H
#define VIGIL_RULES_INTERNAL_H

#include <stdint.h>

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

/* A line starting with `include` (YARA's directive). */
int vg_rules_uses_include(const char *text, size_t len);

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
 * The compiled-rules cache (lib/rules_cache.c). The key is a SHA-256 over
 * the YARA version, the externals and every source's name and content: 1
 * with key set; 0 when the sources cannot be cached (unreadable, or using
 * `include`, whose targets the key would not cover); -1 when OpenSSL could
 * not compute the digest.
 */
int vg_rules_cache_key(const struct vg_rule_source *src, size_t n,
		       char key[65]);
int vg_rules_cache_load(const char *dir, const char *key,
			struct YR_RULES *set[VG_RULE_SETS]);
int vg_rules_cache_save(const char *dir, const char *key,
			struct YR_RULES *set[VG_RULE_SETS]);

#endif
