/* Shared by `vigil diff`, `vigil snapshot` and `vigil verify`: loading a
 * release with the CLI's options and diagnostics, and the text view of a
 * diff or verify record. */
#ifndef VIGIL_DIFF_TEXT_H
#define VIGIL_DIFF_TEXT_H

#include <stdio.h>

#include <vigil/diff.h>

#include "cli.h"

/* The options every release command uses: the capability table of the
 * content directory ($VIGIL_CONTENT_DIR/capabilities). */
void diff_cli_options(vigil_diff_options *o);
/* --iocs, --rules and --no-rules-cache of the release commands: the same
 * meaning as scan's, without the built-in content packs (only what is
 * named is matched). */
#define DIFF_CONTENT_LONG_OPTS \
	{"iocs", required_argument, NULL, CLI_OPT_IOCS}, \
	{"rules", required_argument, NULL, CLI_OPT_RULES}, \
	{"no-rules-cache", no_argument, NULL, CLI_OPT_NO_CACHE}
#define DIFF_CONTENT_USAGE \
"  --rules PATH         YARA rule file (.yar/.yara) or directory, matched\n" \
"                       against every component; repeatable\n" \
"  --iocs PATH          IOC file or directory (hash and file-name IOCs, the\n" \
"                       formats of `vigil scan --iocs`); repeatable\n" \
"  --no-rules-cache     compile the rules even when a cached compilation\n" \
"                       of the same sources exists\n"
struct diff_content {
	struct cli_content_args args;
	vigil_iocs *iocs;
	vigil_rules *rules;
};
/* 1: c was one of those options (taken), 0: not one, -1: out of memory. */
int diff_content_opt(struct diff_content *c, int opt, const char *arg);
/* Load what --iocs and --rules named (nothing when neither was given)
 * into o->iocs and o->rules; 0, or 2 after saying why (exit status). */
int diff_content_open(struct diff_content *c, struct cli_diag *d, vigil_diff_options *o);
void diff_content_close(struct diff_content *c);
/* Load path; 0 with *out set, 2 after saying why (exit status). */
int diff_cli_load(const char *path, const vigil_diff_options *o, struct cli_diag *d,
		  vigil_release **out);
/* The record as text, strongest component first; 0, or -1 when the text
 * is not a record (said). */
int diff_text_print(FILE *out, const char *json);
/* Write text (a record) as --json (one line), --sarif or text; 0 or -1. */
int diff_emit(FILE *out, const char *json, int as_json, int as_sarif);

#endif
