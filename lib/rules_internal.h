#ifndef VIGIL_RULES_INTERNAL_H
#define VIGIL_RULES_INTERNAL_H

#include <vigil/rules.h>

struct YR_RULES;

extern const char *const vg_rule_externals[];

/* A rule source: a file (text NULL, name is its path) or rule text. */
struct vg_rule_source {
	char *name;
	char *text;
};

/* The compiled rules (after vigil_rules_finish), or NULL. */
struct YR_RULES *vg_rules_yara(vigil_rules *r);

/*
 * The compiled-rules cache (lib/rules_cache.c). The key is a SHA-256 over
 * the YARA version, the externals and every source's name and content; 0
 * when the sources cannot be cached (unreadable, or using `include`, whose
 * targets the key would not cover).
 */
int vg_rules_cache_key(const struct vg_rule_source *src, size_t n,
		       char key[65]);
int vg_rules_cache_load(const char *dir, const char *key,
			struct YR_RULES **out);
int vg_rules_cache_save(const char *dir, const char *key,
			struct YR_RULES *rules);

#endif
