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
/* Load path; 0 with *out set, 2 after saying why (exit status). */
int diff_cli_load(const char *path, const vigil_diff_options *o, struct cli_diag *d,
		  vigil_release **out);
/* The record as text, strongest component first; 0, or -1 when the text
 * is not a record (said). */
int diff_text_print(FILE *out, const char *json);
/* Write text (a record) as --json (one line), --sarif or text; 0 or -1. */
int diff_emit(FILE *out, const char *json, int as_json, int as_sarif);

#endif
