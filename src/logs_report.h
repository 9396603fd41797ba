/* vigil logs output: one line or record per hit as it comes, then a
 * per-IOC summary and a run summary. */
#ifndef VIGIL_LOGS_REPORT_H
#define VIGIL_LOGS_REPORT_H

#include <stdio.h>

#include <vigil/logs.h>

struct logs_report;

struct logs_report *logs_report_create(FILE *out, int json, int summary_only);
void logs_report_destroy(struct logs_report *rep);
/* vigil_loghit_fn */
void logs_report_hit(void *rep, const vigil_loghit *hit);
void logs_report_finish(struct logs_report *rep, const vigil_logstats *st,
			double elapsed, unsigned long ioc_warnings,
			size_t network_iocs);
/* The run was stopped by signal (a static name): said in the summary. */
void logs_report_set_interrupted(struct logs_report *rep, const char *signal);
/* 0 when out of memory happened while counting */
int logs_report_ok(const struct logs_report *rep);

#endif
