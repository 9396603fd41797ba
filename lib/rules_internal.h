#ifndef VIGIL_RULES_INTERNAL_H
#define VIGIL_RULES_INTERNAL_H

#include <vigil/rules.h>

struct YR_RULES;

extern const char *const vg_rule_externals[];

/* The compiled rules (after vigil_rules_finish), or NULL. */
struct YR_RULES *vg_rules_yara(vigil_rules *r);

#endif
