/* YARA rule compilation (see include/vigil/rules.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yara.h>

#include "rules_internal.h"
#include "util.h"

/* The external variables Loki and THOR define for every file. */
const char *const vg_rule_externals[] = {"filename", "filepath", "extension",
					 "filetype", "owner",    "md5", NULL};

struct vigil_rules {
	YR_COMPILER *compiler;
	YR_RULES *rules;
	vigil_diag_fn diag;
	void *ctx;
	unsigned files;
	int failed; /* a compile error: the compiler takes nothing more */
};

vigil_rules *vigil_rules_create(vigil_diag_fn diag, void *ctx)
{
	if (yr_initialize() != ERROR_SUCCESS)
		return NULL;
	vigil_rules *r = calloc(1, sizeof *r);
	if (!r || yr_compiler_create(&r->compiler) != ERROR_SUCCESS) {
		free(r);
		yr_finalize();
		return NULL;
	}
	r->diag = diag;
	r->ctx = ctx;
	for (int i = 0; vg_rule_externals[i]; i++)
		yr_compiler_define_string_variable(r->compiler,
						   vg_rule_externals[i], "");
	return r;
}

void vigil_rules_destroy(vigil_rules *r)
{
	if (!r)
		return;
	if (r->compiler)
		yr_compiler_destroy(r->compiler);
	if (r->rules)
		yr_rules_destroy(r->rules);
	free(r);
	yr_finalize();
}

static void compile_cb(int level, const char *file, int line,
		       const YR_RULE *rule, const char *message, void *user)
{
	vigil_rules *r = user;
	vg_diag(r->diag, r->ctx,
		level == YARA_ERROR_LEVEL_ERROR ? VIGIL_DIAG_ERROR : VIGIL_DIAG_INFO,
		file, line > 0 ? (unsigned long)line : 0, "%s%s", message,
		level == YARA_ERROR_LEVEL_ERROR ? "" : " (warning)");
}

static int add_source(vigil_rules *r, const char *name, FILE *f,
		      const char *text)
{
	if (r->failed || !r->compiler) {
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, name, 0,
			"rules can no longer be added");
		return VIGIL_FATAL;
	}
	yr_compiler_set_callback(r->compiler, compile_cb, r);
	/* One namespace per file: rule names may repeat across files. */
	int errors = f ? yr_compiler_add_file(r->compiler, f, name, name)
		       : yr_compiler_add_string(r->compiler, text, name);
	r->files++;
	if (errors) {
		r->failed = 1;
		return VIGIL_FATAL;
	}
	return VIGIL_OK;
}

static int add_file(vigil_rules *r, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to open rule file: %s", strerror(errno));
		return VIGIL_FATAL;
	}
	int rc = add_source(r, path, f, NULL);
	fclose(f);
	return rc;
}

static int is_rule_file(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (strcasecmp(dot, ".yar") == 0 || strcasecmp(dot, ".yara") == 0);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rule directories are configuration, not hostile input; depth is capped
 * all the same. */
static int add_dir(vigil_rules *r, const char *path, int depth)
{
	if (depth > 16)
		return VIGIL_OK;
	DIR *d = opendir(path);
	if (!d) {
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to open rule directory: %s", strerror(errno));
		return VIGIL_FATAL;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = VIGIL_OK;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = vg_asprintf("%s/%s", path, e->d_name);
		if (!p || !vg_grow(&names, &cap, n + 1, sizeof *names)) {
			free(p);
			rc = VIGIL_FATAL;
			break;
		}
		names[n++] = p;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, name_cmp);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == VIGIL_OK && stat(names[i], &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = add_dir(r, names[i], depth + 1);
			else if (S_ISREG(st.st_mode) && is_rule_file(names[i]))
				rc = add_file(r, names[i]);
		}
		free(names[i]);
	}
	free(names);
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
	return add_source(r, name, NULL, text);
}

int vigil_rules_finish(vigil_rules *r)
{
	if (r->failed)
		return VIGIL_FATAL;
	if (r->rules)
		return VIGIL_OK;
	if (yr_compiler_get_rules(r->compiler, &r->rules) != ERROR_SUCCESS) {
		vg_diag(r->diag, r->ctx, VIGIL_DIAG_ERROR, NULL, 0,
			"unable to finish compiling the rules");
		return VIGIL_FATAL;
	}
	yr_compiler_destroy(r->compiler);
	r->compiler = NULL;
	return VIGIL_OK;
}

unsigned vigil_rules_count(const vigil_rules *r)
{
	if (!r->rules)
		return 0;
	unsigned n = 0;
	const YR_RULE *rule;
	yr_rules_foreach(r->rules, rule) n++;
	return n;
}

unsigned vigil_rules_file_count(const vigil_rules *r)
{
	return r->files;
}

struct YR_RULES *vg_rules_yara(vigil_rules *r)
{
	return r ? r->rules : NULL;
}
