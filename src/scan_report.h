/* Formatting of `vigil scan` results: text blocks or JSON Lines. */
#ifndef VIGIL_SCAN_REPORT_H
#define VIGIL_SCAN_REPORT_H

#include <stdio.h>

#include <vigil/scan.h>

struct scan_report;
struct allowlist;

struct scan_report_opts {
	int json;      /* JSON Lines */
	int lines;     /* --format lines: one line per finding */
	int quiet;     /* -q: findings only, no summary */
	int verbose;
	int min_score;
	const struct allowlist *allow; /* findings left out, or NULL */
};

struct scan_report *scan_report_create(FILE *out, const struct scan_report_opts *o);
/* Count files read apart from the sweep (standard input) in the summary. */
void scan_report_add_read(struct scan_report *rep, uint64_t files, uint64_t bytes);
/* vigil_file_fn: called serialised by the scanner. */
void scan_report_file(void *ctx, const vigil_file_result *r);
/* Print the remaining text blocks (strongest first) and the summary. */
void scan_report_finish(struct scan_report *rep, const vigil_scan_stats *st,
			unsigned long ioc_warnings);
/* The sweep was stopped by signame ("SIGINT"): the summary says so. */
void scan_report_set_interrupted(struct scan_report *rep, const char *signame);
/* Files at or above min_score. */
unsigned long scan_report_hits(const struct scan_report *rep);
void scan_report_destroy(struct scan_report *rep);

#endif
