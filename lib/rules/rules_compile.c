/*
 * What the full compilation (rules.c) and the per-class compilations
 * (rules_classes.c) share: a YARA compiler with Loki's externals, one
 * source into it under its own namespace, and counting compiled rules.
 * Calls neither of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yara.h>

#include "rules/rules_internal.h"

/* The external variables Loki and THOR define for every file. */
const char *const vg_rule_externals[] = {"filename", "filepath", "extension",
					 "filetype", "owner",    "md5", NULL};

/* NULL: YARA reports the include as failed. */
static const char *refuse_include(const char *name, const char *calling,
				  const char *ns, void *user)
{
	(void)name, (void)calling, (void)ns, (void)user;
	return NULL;
}

YR_COMPILER *vg_rules_new_compiler(void)
{
	YR_COMPILER *c;
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return NULL;
	for (int i = 0; vg_rule_externals[i]; i++)
		yr_compiler_define_string_variable(c, vg_rule_externals[i], "");
	yr_compiler_set_include_callback(c, refuse_include, NULL, NULL);
	return c;
}

int vg_rules_compile_one(YR_COMPILER *comp, const struct vg_rule_source *s,
			 const char *text)
{
	/* One namespace per source: rule names may repeat across files. */
	if (text || s->text)
		return yr_compiler_add_string(comp, text ? text : s->text, s->name);
	/* O_NONBLOCK: a FIFO put in the rule file's place must not block */
	int fd = open(s->name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0) {
		int e = fstat(fd, &st) != 0 ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
		if (e) {
			close(fd);
			fd = -1;
			errno = e;
		}
	}
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int errors = yr_compiler_add_file(comp, f, s->name, s->name);
	fclose(f);
	return errors;
}

unsigned vg_yara_rule_count(struct YR_RULES *rules)
{
	unsigned n = 0;
	const YR_RULE *rule;
	if (rules)
		yr_rules_foreach(rules, rule) n++;
	return n;
}

