/*
 * vigil logs output. Hits stream out as they are found (text or JSON
 * Lines); per IOC we keep first and last seen, a count and the distinct
 * clients (as 64-bit hashes, at most MAX_CLIENTS per IOC, so memory is
 * bounded by the IOC set, not by the logs).
 */
#include <stdlib.h>
#include <string.h>

#include <vigil/escape.h>
#include <vigil/report.h>

#include "cli.h"
#include "logs_report.h"

#define MAX_CLIENTS 4096
/* Clients named per IOC in the summary (the first ones seen, escaped). */
#define CLIENT_NAMES 8

struct ioc_stat {
	const vigil_ioc *ioc;
	uint64_t hits;
	int has_time;
	int64_t first, last;
	uint64_t *clients; /* open addressing, 0 = empty */
	size_t nclients, cap;
	int capped;
	char *names[CLIENT_NAMES];
	size_t nnames;
};

struct logs_report {
	FILE *out;
	int json, summary_only, oom;
	const char *interrupted; /* the signal that stopped the run, or NULL */
	struct ioc_stat *stats; /* open addressing on the IOC pointer */
	size_t nstats, cap;
};

struct logs_report *logs_report_create(FILE *out, int json, int summary_only)
{
	struct logs_report *rep = calloc(1, sizeof *rep);
	if (rep) {
		rep->out = out;
		rep->json = json;
		rep->summary_only = summary_only;
	}
	return rep;
}

void logs_report_destroy(struct logs_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->cap; i++) {
		free(rep->stats[i].clients);
		for (size_t j = 0; j < rep->stats[i].nnames; j++)
			free(rep->stats[i].names[j]);
	}
	free(rep->stats);
	free(rep);
}

void logs_report_set_interrupted(struct logs_report *rep, const char *signal)
{
	rep->interrupted = signal;
}

int logs_report_ok(const struct logs_report *rep)
{
	return !rep->oom;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static struct ioc_stat *stat_slot(struct ioc_stat *tab, size_t cap,
				  const vigil_ioc *ioc)
{
	size_t i = mix((uint64_t)(uintptr_t)ioc) & (cap - 1);
	while (tab[i].ioc && tab[i].ioc != ioc)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static struct ioc_stat *stat_for(struct logs_report *rep, const vigil_ioc *ioc)
{
	if ((rep->nstats + 1) * 2 > rep->cap) {
		size_t ncap = rep->cap ? rep->cap * 2 : 64;
		struct ioc_stat *nt = calloc(ncap, sizeof *nt);
		if (!nt)
			return NULL;
		for (size_t i = 0; i < rep->cap; i++)
			if (rep->stats[i].ioc)
				*stat_slot(nt, ncap, rep->stats[i].ioc) = rep->stats[i];
		free(rep->stats);
		rep->stats = nt;
		rep->cap = ncap;
	}
	struct ioc_stat *s = stat_slot(rep->stats, rep->cap, ioc);
	if (!s->ioc) {
		s->ioc = ioc;
		rep->nstats++;
	}
	return s;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	return h ? h : 1;
}

static void add_client(struct logs_report *rep, struct ioc_stat *s,
		       const char *c, size_t n)
{
	uint64_t h = hash_bytes(c, n);
	if (s->cap) {
		size_t i = mix(h) & (s->cap - 1);
		for (; s->clients[i]; i = (i + 1) & (s->cap - 1))
			if (s->clients[i] == h)
				return;
	}
	if (s->nclients >= MAX_CLIENTS) {
		s->capped = 1;
		return;
	}
	if ((s->nclients + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 8;
		uint64_t *nt = calloc(ncap, sizeof *nt);
		if (!nt) {
			rep->oom = 1;
			return;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->clients[i]) {
				size_t j = mix(s->clients[i]) & (ncap - 1);
				while (nt[j])
					j = (j + 1) & (ncap - 1);
				nt[j] = s->clients[i];
			}
		free(s->clients);
		s->clients = nt;
		s->cap = ncap;
	}
	size_t i = mix(h) & (s->cap - 1);
	while (s->clients[i])
		i = (i + 1) & (s->cap - 1);
	s->clients[i] = h;
	s->nclients++;
	if (s->nnames < CLIENT_NAMES && (s->names[s->nnames] = vigil_escape(c, n)))
		s->nnames++;
}

static const char *type_name(vigil_ioc_type t)
{
	switch (t) {
	case VIGIL_IOC_DOMAIN:
		return "domain";
	case VIGIL_IOC_IPV4:
		return "ipv4";
	case VIGIL_IOC_IPV6:
		return "ipv6";
	case VIGIL_IOC_URL:
		return "url";
	default:
		return "other";
	}
}

static json_t *json_bytes(const char *p, size_t n)
{
	char *e = vigil_escape(p, n);
	json_t *j = e ? json_string(e) : NULL;
	free(e);
	return j ? j : json_null();
}

static json_t *json_time(int has, int64_t us)
{
	if (!has)
		return json_null();
	char buf[40];
	vigil_format_time(us, buf, sizeof buf);
	return json_string(buf);
}

/* "file:line" of an IOC, or the file alone */
static char *ioc_source(const vigil_ioc *ioc)
{
	size_t n = strlen(ioc->source) + 24;
	char *s = malloc(n);
	if (!s)
		return NULL;
	if (ioc->line)
		snprintf(s, n, "%s:%lu", ioc->source, ioc->line);
	else
		snprintf(s, n, "%s", ioc->source);
	return s;
}

/* The hit's finding as the library's finding writer has it (the same
 * object as in `vigil scan`), parsed back into a value of this record. */
static json_t *finding(const vigil_finding *f)
{
	char *text = vigil_finding_json(f);
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return j ? j : json_null();
}

static void ioc_fields(json_t *rec, const vigil_ioc *ioc)
{
	char *src = ioc_source(ioc);
	json_object_set_new(rec, "ioc", cli_json_text(ioc->value));
	json_object_set_new(rec, "ioc_type", json_string(type_name(ioc->type)));
	json_object_set_new(rec, "ioc_source", src ? cli_json_path(src) : json_null());
	json_object_set_new(rec, "ioc_comment",
			    cli_json_text(ioc->comment ? ioc->comment : ""));
	json_object_set_new(rec, "score", json_integer(ioc->score));
	free(src);
}

void logs_report_hit(void *ctx, const vigil_loghit *h)
{
	struct logs_report *rep = ctx;
	struct ioc_stat *s = stat_for(rep, h->ioc);
	if (!s) {
		rep->oom = 1;
	} else {
		s->hits++;
		if (h->has_time) {
			if (!s->has_time || h->time_us < s->first)
				s->first = h->time_us;
			if (!s->has_time || h->time_us > s->last)
				s->last = h->time_us;
			s->has_time = 1;
		}
		if (h->client)
			add_client(rep, s, h->client, h->client_len);
	}
	if (rep->summary_only)
		return;
	if (rep->json) {
		json_t *rec = cli_json_record("hit");
		json_object_set_new(rec, "file", cli_json_path(h->file));
		json_object_set_new(rec, "line", json_integer((json_int_t)h->line));
		json_object_set_new(rec, "format", json_string(vigil_logfmt_name(h->format)));
		json_object_set_new(rec, "time", json_time(h->has_time, h->time_us));
		json_object_set_new(rec, "client", h->client ? json_bytes(h->client, h->client_len)
							      : json_null());
		json_object_set_new(rec, "field", json_string(h->field));
		json_object_set_new(rec, "value", json_bytes(h->value, h->value_len));
		ioc_fields(rec, h->ioc);
		json_object_set_new(rec, "finding", finding(&h->finding));
		cli_json_emit(rep->out, rec);
		fflush(rep->out); /* each record whole, even if the run is killed */
		return;
	}
	char t[40] = "-";
	if (h->has_time)
		vigil_format_time(h->time_us, t, sizeof t);
	char *file = vigil_escape_str(h->file);
	char *client = h->client ? vigil_escape(h->client, h->client_len) : NULL;
	char *value = vigil_escape(h->value, h->value_len);
	char *ioc = vigil_escape_str(h->ioc->value);
	char *src = ioc_source(h->ioc);
	char *esrc = src ? vigil_escape_str(src) : NULL;
	char *comment = vigil_escape_str(h->ioc->comment);
	fprintf(rep->out, "%s:%lu: %s client %s %s %s matches %s %s (%s%s%s)\n",
		file ? file : "?", h->line, t, client ? client : "-", h->field,
		value ? value : "?", type_name(h->ioc->type), ioc ? ioc : "?",
		esrc ? esrc : "?", comment && *comment ? ": " : "",
		comment ? comment : "");
	fflush(rep->out);
	free(file);
	free(client);
	free(value);
	free(ioc);
	free(src);
	free(esrc);
	free(comment);
}

static int by_first_seen(const void *x, const void *y)
{
	const struct ioc_stat *a = x, *b = y;
	if (a->has_time != b->has_time)
		return a->has_time ? -1 : 1;
	if (a->has_time && a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return strcmp(a->ioc->value, b->ioc->value);
}

void logs_report_finish(struct logs_report *rep, const vigil_logstats *st,
			double elapsed, unsigned long ioc_warnings,
			size_t network_iocs)
{
	/* compact the table, then order by first seen */
	size_t n = 0;
	for (size_t i = 0; i < rep->cap; i++)
		if (rep->stats[i].ioc)
			rep->stats[n++] = rep->stats[i];
	for (size_t i = n; i < rep->cap; i++)
		rep->stats[i] = (struct ioc_stat){0};
	if (n > 1)
		qsort(rep->stats, n, sizeof *rep->stats, by_first_seen);
	rep->nstats = n;
	double mb = (double)st->bytes / 1048576.0;
	double rate = elapsed > 0 ? mb / elapsed : 0.0;
	if (rep->json) {
		for (size_t i = 0; i < n; i++) {
			const struct ioc_stat *s = &rep->stats[i];
			json_t *rec = cli_json_record("ioc");
			ioc_fields(rec, s->ioc);
			json_object_set_new(rec, "hits", json_integer((json_int_t)s->hits));
			json_object_set_new(rec, "clients", json_integer((json_int_t)s->nclients));
			json_object_set_new(rec, "clients_capped", json_boolean(s->capped));
			json_t *names = json_array();
			for (size_t j = 0; j < s->nnames; j++)
				json_array_append_new(names, json_string(s->names[j]));
			json_object_set_new(rec, "client_names", names);
			json_object_set_new(rec, "first_seen", json_time(s->has_time, s->first));
			json_object_set_new(rec, "last_seen", json_time(s->has_time, s->last));
			cli_json_emit(rep->out, rec);
		}
		json_t *rec = cli_json_record("summary");
		json_object_set_new(rec, "files", json_integer((json_int_t)st->files));
		json_object_set_new(rec, "files_failed", json_integer((json_int_t)st->files_failed));
		json_object_set_new(rec, "lines", json_integer((json_int_t)st->lines));
		json_object_set_new(rec, "bytes", json_integer((json_int_t)st->bytes));
		json_object_set_new(rec, "malformed_lines", json_integer((json_int_t)st->malformed));
		json_object_set_new(rec, "long_lines", json_integer((json_int_t)st->too_long));
		json_object_set_new(rec, "network_iocs", json_integer((json_int_t)network_iocs));
		json_object_set_new(rec, "ioc_warnings", json_integer((json_int_t)ioc_warnings));
		json_object_set_new(rec, "hits", json_integer((json_int_t)st->hits));
		json_object_set_new(rec, "iocs_hit", json_integer((json_int_t)n));
		json_object_set_new(rec, "elapsed_s", json_real(elapsed));
		json_object_set_new(rec, "mb_per_s", json_real(rate));
		json_object_set_new(rec, "interrupted", json_boolean(rep->interrupted != NULL));
		if (rep->interrupted)
			json_object_set_new(rec, "signal", json_string(rep->interrupted));
		cli_json_emit(rep->out, rec);
		return;
	}
	if (n)
		fprintf(rep->out, "%sIOCs seen:\n", rep->summary_only ? "" : "\n");
	for (size_t i = 0; i < n; i++) {
		const struct ioc_stat *s = &rep->stats[i];
		char first[40] = "-", last[40] = "-";
		if (s->has_time) {
			vigil_format_time(s->first, first, sizeof first);
			vigil_format_time(s->last, last, sizeof last);
		}
		char *v = vigil_escape_str(s->ioc->value);
		char *src = ioc_source(s->ioc);
		char *esrc = src ? vigil_escape_str(src) : NULL;
		fprintf(rep->out, "  %s %s  hits %llu  clients %zu%s  first %s  last %s  (%s)\n",
			type_name(s->ioc->type), v ? v : "?", (unsigned long long)s->hits,
			s->nclients, s->capped ? "+" : "", first, last, esrc ? esrc : "?");
		if (s->nnames) {
			fputs("    clients:", rep->out);
			for (size_t j = 0; j < s->nnames; j++)
				fprintf(rep->out, "%s %s", j ? "," : "", s->names[j]);
			if (s->nclients > s->nnames || s->capped)
				fprintf(rep->out, " (and %zu%s more)", s->nclients - s->nnames,
					s->capped ? "+" : "");
			fputc('\n', rep->out);
		}
		free(v);
		free(src);
		free(esrc);
	}
	if (rep->interrupted)
		fprintf(rep->out, "\ninterrupted by %s: the run stopped early, the counts are of what it read\n",
			rep->interrupted);
	fprintf(rep->out,
		"\n%llu files (%llu failed), %llu lines, %.1f MiB, %llu malformed, "
		"%llu too long; %zu network IOCs (%lu IOC warnings); %llu hits on %zu IOCs; "
		"%.2f s, %.1f MiB/s\n",
		(unsigned long long)st->files, (unsigned long long)st->files_failed,
		(unsigned long long)st->lines, mb, (unsigned long long)st->malformed,
		(unsigned long long)st->too_long, network_iocs, ioc_warnings,
		(unsigned long long)st->hits, n, elapsed, rate);
}
