/* YARA rule compilation (see include/vigil/rules.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include <openssl/evp.h>

#include "rules/rules_internal.h"
#include "rules/rules_split.h"
#include "base/digest.h"
#include "base/util.h"

/* Sources are collected first and compiled in vigil_rules_finish(), so
 * that a cached compilation of the same sources can be used instead. */
#define source vg_rule_source

struct vigil_rules {
	YR_COMPILER *compiler;
	/* per class and size (vg_rule_set_of); set[0] is the full set, which
	 * the others may share */
	YR_RULES *set[VG_RULE_SETS];
	vigil_diag_fn diag;
	void *ctx;
	struct source *src;
	size_t nsrc, srccap;
	const char *current; /* the source being compiled, for messages */
	char *cache_dir; /* NULL: no cache */
	struct vg_includes inc; /* what the full compilation included */
	int from_cache;
	int failed; /* a compile error: the compiler takes nothing more */
};

vigil_rules *vigil_rules_create(void)
{
	if (yr_initialize() != ERROR_SUCCESS)
		return NULL;
	vigil_rules *r = calloc(1, sizeof *r);
	if (!r || !(r->compiler = vg_rules_new_compiler())) {
		free(r);
		yr_finalize();
		return NULL;
	}
	return r;
}

void vigil_rules_set_diag(vigil_rules *r, vigil_diag_fn fn, void *ctx)
{
	r->diag = fn;
	r->ctx = ctx;
}

static void drop_sets(vigil_rules *r)
{
	YR_RULES *full = r->set[0];
	for (int c = 0; c < VG_RULE_SETS; c++)
		if (r->set[c] && (c == 0 || r->set[c] != full))
			yr_rules_destroy(r->set[c]);
}

void vigil_rules_destroy(vigil_rules *r)
{
	if (!r)
		return;
	if (r->compiler)
		yr_compiler_destroy(r->compiler);
	drop_sets(r);
	for (size_t i = 0; i < r->nsrc; i++) {
		free(r->src[i].name);
		free(r->src[i].text);
	}
	free(r->src);
	free(r->cache_dir);
	vg_includes_free(&r->inc);
	free(r);
	yr_finalize();
}

static void compile_cb(int level, const char *file, int line,
		       const YR_RULE *rule, const char *message, void *user)
{
	vigil_rules *r = user;
	/* past the include caps YARA reports every further include: the
	 * first says enough */
	if (r->inc.over > 1 &&
	    strncmp(message, "callback failed to provide include", 34) == 0)
		return;
	/* text given as a string has no file name in YARA's messages; an
	 * included file's is the name it was included by */
	vg_diag(r->diag, r->ctx,
		level == YARA_ERROR_LEVEL_ERROR ? VIGIL_DIAG_ERROR : VIGIL_DIAG_INFO,
		file ? vg_includes_path(&r->inc, file) : r->current, line > 0 ? (unsigned long)line : 0, "%s%s", message,
		level == YARA_ERROR_LEVEL_ERROR ? "" : " (warning)");
}

static int add_source(vigil_rules *r, const char *name, const char *text,
		      int file)
{
	if (r->set[0] || r->failed) {
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, name, 0,
			"rules can no longer be added");
		return VIGIL_FATAL;
	}
	if (!vg_grow(&r->src, &r->srccap, r->nsrc + 1, sizeof *r->src))
		return VIGIL_FATAL;
	struct source *s = &r->src[r->nsrc];
	s->name = vg_strdup(name);
	s->text = text ? vg_strdup(text) : NULL;
	s->file = file;
	if (!s->name || (text && !s->text)) {
		free(s->name);
		free(s->text);
		return VIGIL_FATAL;
	}
	r->nsrc++;
	return VIGIL_OK;
}

static int add_file(vigil_rules *r, const char *path)
{
	struct stat st;
	if (access(path, R_OK) != 0 || stat(path, &st) != 0) {
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to open rule file: %s", strerror(errno));
		return VIGIL_FATAL;
	}
	/* a FIFO or a device would block the compilation or never end */
	if (!S_ISREG(st.st_mode)) {
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to open rule file: not a regular file");
		return VIGIL_FATAL;
	}
	return add_source(r, path, NULL, 1);
}

static int is_rule_file(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (strcasecmp(dot, ".yar") == 0 || strcasecmp(dot, ".yara") == 0);
}

/* Rule directories are configuration, not hostile input; depth is capped
 * all the same. */
static int add_dir(vigil_rules *r, const char *path, int depth)
{
	if (depth > 16)
		return VIGIL_OK;
	char **names;
	size_t n;
	int err = vg_list_dir(path, &names, &n);
	if (err) {
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to open rule directory: %s", strerror(err));
		return VIGIL_FATAL;
	}
	int rc = VIGIL_OK;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == VIGIL_OK && stat(names[i], &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = add_dir(r, names[i], depth + 1);
			else if (S_ISREG(st.st_mode) && is_rule_file(names[i]))
				rc = add_file(r, names[i]);
		}
	}
	vg_free_list(names, n);
	return rc;
}

int vigil_rules_add_path(vigil_rules *r, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to read rules: %s", strerror(errno));
		return VIGIL_FATAL;
	}
	return S_ISDIR(st.st_mode) ? add_dir(r, path, 0) : add_file(r, path);
}

int vigil_rules_add_string(vigil_rules *r, const char *name, const char *text)
{
	return add_source(r, name, text, 0);
}

int vigil_rules_set_cache(vigil_rules *r, const char *dir)
{
	free(r->cache_dir);
	r->cache_dir = dir ? vg_strdup(dir) : NULL;
	return !dir || r->cache_dir ? VIGIL_OK : VIGIL_FATAL;
}

int vigil_rules_from_cache(const vigil_rules *r)
{
	return r->from_cache;
}

/* One source into the compiler; compile errors arrive via compile_cb,
 * include refusals via the include log's diag. */
static int compile_source(vigil_rules *r, const struct source *s)
{
	yr_compiler_set_callback(r->compiler, compile_cb, r);
	r->inc.diag = r->diag;
	r->inc.ctx = r->ctx;
	vg_includes_attach(r->compiler, &r->inc);
	vg_includes_source(&r->inc, s);
	r->current = s->name;
	int errors = vg_rules_compile_one(r->compiler, s, NULL);
	if (errors < 0)
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, s->name, 0,
			"unable to open rule file: %s", strerror(errno));
	return errors;
}

/* Read every rule file once (see struct vg_rule_source). */
static void load_sources(vigil_rules *r)
{
	for (size_t i = 0; i < r->nsrc; i++) {
		struct source *s = &r->src[i];
		char *text;
		size_t len;
		if (s->text || vg_read_file(s->name, VG_MAX_RULE_FILE, &text, &len) != 0)
			continue;
		/* YARA lexes text as a C string: it reads such a file itself */
		if (memchr(text, '\0', len)) {
			free(text);
			continue;
		}
		s->text = text;
	}
}

int vigil_rules_finish(vigil_rules *r)
{
	if (r->failed)
		return VIGIL_FATAL;
	if (r->set[0])
		return VIGIL_OK;
	load_sources(r);
	char key[65] = "";
	int cacheable = 0;
	if (r->cache_dir) {
		int k = vg_rules_cache_key(r->src, r->nsrc, key);
		/* compiling without the cache is always correct */
		if (k < 0)
			vg_diag(r->diag, r->ctx, VIGIL_DIAG_WARNING, r->cache_dir, 0,
				"rules cache not used: unable to compute the SHA-256 key");
		cacheable = k > 0;
	}
	if (cacheable &&
	    vg_rules_cache_load(r->cache_dir, key, r->set, r->diag, r->ctx)) {
		r->from_cache = 1;
		return VIGIL_OK;
	}
	struct vg_class_job *job = vg_rules_classes_start(r->src, r->nsrc);
	for (size_t i = 0; i < r->nsrc; i++)
		if (compile_source(r, &r->src[i]) != 0) {
			/* the compiler takes nothing more after an error */
			r->failed = 1;
			vg_rules_classes_finish(job, NULL, r->set);
			return VIGIL_FATAL;
		}
	YR_RULES *full = NULL;
	if (yr_compiler_get_rules(r->compiler, &full) != ERROR_SUCCESS) {
		vg_rules_classes_finish(job, NULL, r->set);
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, NULL, 0,
			"unable to finish compiling the rules");
		return VIGIL_FATAL;
	}
	yr_compiler_destroy(r->compiler);
	r->compiler = NULL;
	vg_rules_classes_finish(job, full, r->set);
	if (cacheable && !vg_rules_cache_save(r->cache_dir, key, &r->inc, r->set))
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_INFO, r->cache_dir, 0,
			"compiled rules not cached");
	return VIGIL_OK;
}

unsigned vigil_rules_count(const vigil_rules *r)
{
	return vg_yara_rule_count(r->set[0]);
}

unsigned vigil_rules_class_count(const vigil_rules *r, vigil_file_class c)
{
	return c < VIGIL_FILE_CLASSES ? vg_yara_rule_count(r->set[vg_rule_set_of(c, 0)]) : 0;
}

unsigned vigil_rules_large_class_count(const vigil_rules *r, vigil_file_class c)
{
	return c < VIGIL_FILE_CLASSES
		       ? vg_yara_rule_count(r->set[vg_rule_set_of(c, VIGIL_RULES_LARGE_FILE)])
		       : 0;
}

unsigned vigil_rules_file_count(const vigil_rules *r)
{
	return (unsigned)r->nsrc;
}

struct YR_RULES *vg_rules_yara(const vigil_rules *r, unsigned set)
{
	return r && set < VG_RULE_SETS ? r->set[set] : NULL;
}

int vigil_rules_identity(const vigil_rules *r, char out[65])
{
	out[0] = '\0';
	if (!r->set[0] || r->failed)
		return VIGIL_FAILED;
	char key[65];
	if (vg_rules_cache_key(r->src, r->nsrc, key) != 1)
		return VIGIL_FAILED;
	/* a compilation taken from the cache did not log its includes (the
	 * cache keeps a manifest, <key>.inc, for sources that include): the
	 * identity would not cover what they included */
	if (r->from_cache && !r->inc.n) {
		char *man = vg_asprintf("%s/%s.inc", r->cache_dir ? r->cache_dir : "", key);
		struct stat sb;
		int has = !man || lstat(man, &sb) == 0;
		free(man);
		if (has)
			return VIGIL_FAILED;
	}
	if (!r->inc.n) {
		memcpy(out, key, 65);
		return VIGIL_OK;
	}
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char head[128];
	int hl = snprintf(head, sizeof head, "vigil-rules-identity-1 %s %zu", key, r->inc.n);
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(md, head, (size_t)hl + 1) == 1;
	for (size_t i = 0; ok && i < r->inc.n; i++)
		ok = EVP_DigestUpdate(md, r->inc.v[i].path, strlen(r->inc.v[i].path) + 1) == 1 &&
		     EVP_DigestUpdate(md, r->inc.v[i].sha256, 32) == 1;
	return vg_sha256_hex_final(md, ok, out) ? VIGIL_OK : VIGIL_FATAL;
}

/* May text hold YARA's include statement? The lexer's pattern
 * ("include", blanks, a quote) first; where it occurs (also in comments
 * and strings), the rule reader decides: a text it understands whole has
 * no include. Unsure: yes (callers only lose the shortcut). */
static int may_include(const char *text)
{
	int seen = 0;
	for (const char *p = text; !seen && (p = strstr(p, "include")); p++) {
		const char *q = p + 7;
		if (*q != ' ' && *q != '\t')
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		seen = *q == '"';
	}
	if (!seen)
		return 0;
	struct vg_rule_list l = {0};
	int understood = vg_rules_parse(text, strlen(text), &l) == 1;
	vg_rule_list_free(&l);
	return !understood;
}

int vigil_rules_source_identity(vigil_rules *r, char out[65])
{
	out[0] = '\0';
	if (r->failed)
		return VIGIL_FAILED;
	load_sources(r);
	for (size_t i = 0; i < r->nsrc; i++)
		if (!r->src[i].text || may_include(r->src[i].text))
			return VIGIL_FAILED;
	char key[65];
	if (vg_rules_cache_key(r->src, r->nsrc, key) != 1)
		return VIGIL_FAILED;
	memcpy(out, key, 65);
	return VIGIL_OK;
}
