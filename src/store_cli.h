/* The store as the commands use it: --store/--no-store/--rebuild and
 * $VIGIL_STORE, the default path, and the scan's glue. */
#ifndef VIGIL_STORE_CLI_H
#define VIGIL_STORE_CLI_H

#include <vigil/vigil.h>

#include "cli.h"

struct store_cli {
	const char *path; /* --store */
	int off;          /* --no-store */
	int rebuild;      /* --rebuild */
};

/* Open the store the options and environment name; *st NULL when the
 * store is off. 0, or -1 after a message (the run stops). */
int store_cli_open(const struct store_cli *o, struct cli_diag *diag,
		   vigil_store **st);

/* The scan's use: parts from the loaded content (rules_id: the rules'
 * identity when known before they are finished, else NULL), then begin the sweep
 * and wire the scanner's reuse hook. 0 or -1. */
int store_cli_scan_begin(vigil_store *st, vigil_scanner *sc,
			 const vigil_iocs *iocs, const char *rules_id,
			 const vigil_rules *rules,
			 const vigil_scan_options *opt, int rescan,
			 const char *const *roots, size_t n);

/* vigil_rules_fn for rules loaded late: ctx is a struct store_cli_late,
 * its rules finished here (a compile error said on stderr, failed set). */
struct store_cli_late {
	vigil_rules *rules;
	int failed;
};
int store_cli_late_rules(void *ctx, const vigil_rules **out);

/* The scanner's callback with a store: record every result, hand those
 * worth showing (findings, skips, errors) to the report. */
struct store_cli_sink {
	vigil_store *st;
	void (*report)(void *ctx, const vigil_file_result *r);
	void *report_ctx;
};
void store_cli_scan_file(void *ctx, const vigil_file_result *r);

#endif
