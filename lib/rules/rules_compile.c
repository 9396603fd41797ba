/*
 * What the full compilation (rules.c) and the per-class compilations
 * (rules_classes.c) share: a YARA compiler with Loki's externals, one
 * source into it under its own namespace, and counting compiled rules.
 * Calls neither of them.
 */
#include <stdio.h>
#include <yara.h>

#include "rules/rules_internal.h"

/* The external variables Loki and THOR define for every file. */
const char *const vg_rule_externals[] = {"filename", "filepath", "extension",
					 "filetype", "owner",    "md5", NULL};

YR_COMPILER *vg_rules_new_compiler(void)
{
	YR_COMPILER *c;
	if (yr_compiler_create(&c) != ERROR_SUCCESS)
		return NULL;
	for (int i = 0; vg_rule_externals[i]; i++)
		yr_compiler_define_string_variable(c, vg_rule_externals[i], "");
	return c;
}

int vg_rules_compile_one(YR_COMPILER *comp, const struct vg_rule_source *s,
			 const char *text)
{
	/* One namespace per source: rule names may repeat across files. */
	if (text || s->text)
		return yr_compiler_add_string(comp, text ? text : s->text, s->name);
	FILE *f = fopen(s->name, "r");
	if (!f)
		return -1;
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

