/*
 * Text output keeps the files with findings and prints them at the end,
 * strongest first, one block per file (also after SIGINT or SIGTERM: the
 * run returns first); JSON Lines output streams one record per file as
 * results arrive, each flushed whole, then a summary record.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/escape.h>
#include <vigil/report.h>

#include "allowlist.h"
#include "cli.h"
#include "scan_report.h"

/* Files not fully examined that the text output lists without -v. */
#define PARTIAL_SHOWN 20

struct text_block {
	int score;
	char *path; /* escaped */
	char *body;
};

struct scan_report {
	FILE *out;
	int json, verbose, min_score, lines, quiet;
	const struct allowlist *allow;
	/* findings left out by the allow-list, and the files they were in */
	unsigned long suppressed, suppressed_files;
	/* results by level after the allow-list (the sweep counts before) */
	uint64_t by_level[4];
	/* standard input, swept apart from the walk */
	uint64_t extra_files, extra_bytes;
	const char *interrupted; /* the signal's name, or NULL */
	unsigned long hits;
	struct text_block *blocks;
	size_t nblocks, cap;
	/* files not fully examined (errors, too-large, hash-limit): how
	 * many, and the first lines kept for the text output */
	unsigned long partial, partial_unlisted;
	char *partial_lines[PARTIAL_SHOWN];
	size_t npartial_lines;
};

struct scan_report *scan_report_create(FILE *out, const struct scan_report_opts *o)
{
	struct scan_report *rep = calloc(1, sizeof *rep);
	if (rep) {
		rep->out = out;
		rep->json = o->json;
		rep->lines = o->lines && !o->json;
		rep->quiet = o->quiet;
		rep->verbose = o->verbose;
		rep->min_score = o->min_score;
		rep->allow = o->allow;
	}
	return rep;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[d[i] >> 4];
		out[2 * i + 1] = h[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void json_file(struct scan_report *rep, const vigil_file_result *r)
{
	char *rec = vigil_file_result_json(r);
	if (!rec) {
		fputs("vigil: out of memory writing a record\n", stderr);
		return;
	}
	cli_record_puts(rep->out, rec);
	fflush(rep->out); /* a reader (or a kill) sees whole records */
	free(rec);
}

/* Append printf output to a growing string. */
static void appendf(char **s, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void appendf(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *ns = n >= 0 ? realloc(*s, *len + (size_t)n + 1) : NULL;
	if (ns) {
		vsnprintf(ns + *len, (size_t)n + 1, fmt, ap2);
		*s = ns;
		*len += (size_t)n;
	}
	va_end(ap2);
}

/* Was the file looked at less than fully: an error, or too large for
 * YARA and the checks, or for reading at all? (Special files, symlinks
 * and pruned file systems are not files to examine.) */
static int not_fully_examined(const vigil_file_result *r)
{
	return r->error || r->skip == VIGIL_SKIP_TOO_LARGE ||
	       r->skip == VIGIL_SKIP_HASH_LIMIT || r->skip == VIGIL_SKIP_ENCRYPTED ||
	       r->skip == VIGIL_SKIP_UNSUPPORTED || r->skip == VIGIL_SKIP_LIMIT;
}

/* "error    PATH: kind: detail" or "skipped  PATH: kind[: detail]", the
 * detail escaped (it may quote a rule file's or an IOC's text). */
static char *skip_line(const char *path, const vigil_file_result *r)
{
	const char *raw = r->error_detail ? r->error_detail : r->skip_detail;
	char *detail = raw ? vigil_escape_str(raw) : NULL;
	const char *kind = r->error ? vigil_error_name(r->error) : vigil_skip_name(r->skip);
	char *line = NULL;
	size_t len = 0;
	appendf(&line, &len, "%s %s: %s%s%s\n", r->error ? "error   " : "skipped ",
		path, kind, detail ? ": " : "", detail ? detail : "");
	free(detail);
	return line;
}

static void text_file(struct scan_report *rep, const vigil_file_result *r)
{
	char *path = vigil_escape_str(r->path);
	if (!path)
		return;
	if (r->nfindings && not_fully_examined(r))
		rep->partial++;
	if (!r->nfindings) {
		/* with --verbose every skip and error as it comes; without,
		 * the first files not fully examined at the end */
		int partial = not_fully_examined(r);
		rep->partial += partial;
		char *line = rep->verbose || (partial && rep->npartial_lines < PARTIAL_SHOWN)
				     ? skip_line(path, r)
				     : NULL;
		if (line && rep->verbose) {
			fputs(line, rep->out);
			free(line);
		} else if (line) {
			rep->partial_lines[rep->npartial_lines++] = line;
		} else if (partial) {
			rep->partial_unlisted++;
		}
		free(path);
		return;
	}
	char *body = NULL;
	size_t len = 0;
	char m[33], s1[41], s2[65];
	if (r->hashed) {
		hex(r->md5, 16, m);
		hex(r->sha1, 20, s1);
		hex(r->sha256, 32, s2);
		appendf(&body, &len, "  size %llu  md5 %s\n  sha1 %s\n  sha256 %s\n",
			(unsigned long long)r->size, m, s1, s2);
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		const vigil_finding *f = &r->findings[i];
		/* IOC and rule text as written (backslashes single), only
		 * what a terminal acts on escaped */
		char *id = vigil_escape_text_str(f->id), *src = vigil_escape_text_str(f->source),
		     *msg = vigil_escape_text_str(f->message);
		appendf(&body, &len, "  [%3d] %-8s %s\n        %s%s%s\n", f->score,
			f->kind, id ? id : "", msg && *msg ? msg : "",
			msg && *msg ? "  " : "", src && *src ? src : "");
		free(id);
		free(src);
		free(msg);
		/* --strings: as `yara -s` prints them, OFFSET:ID: DATA */
		for (size_t j = 0; j < f->nstrings; j++) {
			const vigil_string_match *sm = &f->strings[j];
			char *sid = vigil_escape_text_str(sm->identifier ? sm->identifier : "");
			char *data = vigil_escape((const char *)sm->data, sm->data_len);
			appendf(&body, &len, "        0x%llx:%s: %s%s\n",
				(unsigned long long)sm->offset, sid ? sid : "", data ? data : "",
				sm->length > sm->data_len ? "..." : "");
			free(sid);
			free(data);
		}
	}
	if (not_fully_examined(r)) {
		const char *raw = r->error_detail ? r->error_detail : r->skip_detail;
		char *d = raw ? vigil_escape_str(raw) : NULL;
		appendf(&body, &len, "  note: %s%s%s\n",
			r->error ? vigil_error_name(r->error) : vigil_skip_name(r->skip),
			d ? ": " : "", d ? d : "");
		free(d);
	}
	struct text_block *nb = realloc(rep->blocks, (rep->nblocks + 1) * sizeof *nb);
	if (!nb) {
		free(path);
		free(body);
		return;
	}
	rep->blocks = nb;
	rep->blocks[rep->nblocks++] = (struct text_block){r->score, path, body};
}

/* "LEVEL<TAB>SCORE<TAB>ID<TAB>PATH", one line per finding, as it comes:
 * tab-separated so that a path with spaces is one awk field, the path
 * last and escaped (no raw tab or newline in any field). */
static void lines_file(struct scan_report *rep, const vigil_file_result *r)
{
	if (!r->nfindings)
		return;
	char *path = vigil_escape_str(r->path);
	for (size_t i = 0; path && i < r->nfindings; i++) {
		const vigil_finding *f = &r->findings[i];
		char *id = vigil_escape_text_str(f->id ? f->id : "");
		fprintf(rep->out, "%s\t%d\t%s\t%s\n",
			vigil_level_name(vigil_score_level(f->score)), f->score,
			id ? id : "", path);
		free(id);
	}
	free(path);
	fflush(rep->out);
}

void scan_report_file(void *ctx, const vigil_file_result *in)
{
	struct scan_report *rep = ctx;
	vigil_finding keep_buf[64];
	vigil_finding *keep = in->nfindings <= 64 ? keep_buf
						  : malloc(in->nfindings * sizeof *keep);
	vigil_file_result filtered;
	const vigil_file_result *r = in;
	if (keep) {
		size_t left = allowlist_filter(rep->allow, in, keep, &filtered);
		if (left) {
			rep->suppressed += left;
			rep->suppressed_files++;
			r = &filtered;
		}
	}
	if (r->nfindings && r->score >= rep->min_score)
		rep->hits++;
	if (r->nfindings)
		rep->by_level[vigil_score_level(r->score)]++;
	if (rep->json)
		json_file(rep, r);
	else if (rep->lines)
		lines_file(rep, r);
	else
		text_file(rep, r);
	if (keep != keep_buf)
		free(keep);
}

void scan_report_add_read(struct scan_report *rep, uint64_t files, uint64_t bytes)
{
	rep->extra_files += files;
	rep->extra_bytes += bytes;
}

static int block_cmp(const void *a, const void *b)
{
	const struct text_block *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	return strcmp(x->path, y->path);
}

void scan_report_finish(struct scan_report *rep, const vigil_scan_stats *sweep,
			unsigned long ioc_warnings)
{
	/* the counts as written: standard input added, levels after the
	 * allow-list */
	vigil_scan_stats adj = *sweep;
	const vigil_scan_stats *st = &adj;
	adj.files_seen += rep->extra_files;
	adj.files_scanned += rep->extra_files;
	adj.bytes_read += rep->extra_bytes;
	for (int i = 1; i < 4; i++)
		adj.files_by_level[i] = rep->by_level[i];
	double mb = st->bytes_read / 1048576.0;
	double rate = st->elapsed > 0 ? mb / st->elapsed : 0;
	if (rep->json) {
		json_t *rec = cli_json_record("summary");
		json_object_set_new(rec, "files_seen", json_integer((json_int_t)st->files_seen));
		json_object_set_new(rec, "files_scanned", json_integer((json_int_t)st->files_scanned));
		json_object_set_new(rec, "files_read", json_integer((json_int_t)st->files_scanned));
		json_object_set_new(rec, "files_reused", json_integer((json_int_t)st->files_reused));
		json_object_set_new(rec, "dirs_seen", json_integer((json_int_t)st->dirs_seen));
		json_object_set_new(rec, "excluded", json_integer((json_int_t)st->excluded));
		json_object_set_new(rec, "self_excluded", json_integer((json_int_t)st->self_excluded));
		json_object_set_new(rec, "bytes_read", json_integer((json_int_t)st->bytes_read));
		json_object_set_new(rec, "containers", json_integer((json_int_t)st->containers));
		json_object_set_new(rec, "members", json_integer((json_int_t)st->members));
		json_object_set_new(rec, "bytes_expanded", json_integer((json_int_t)st->bytes_expanded));
		json_object_set_new(rec, "limit_hits", json_integer((json_int_t)st->limit_hits));
		json_t *mem = json_object();
		json_object_set_new(mem, "limit", json_integer((json_int_t)st->memory_limit));
		json_object_set_new(mem, "peak", json_integer((json_int_t)st->memory_peak));
		json_object_set_new(mem, "waits", json_integer((json_int_t)st->memory_waits));
		json_object_set_new(mem, "refused", json_integer((json_int_t)st->memory_refused));
		json_object_set_new(rec, "memory", mem);
		json_t *sk = json_object(), *er = json_object(), *lv = json_object();
		for (int i = 1; i < VIGIL_SKIP_COUNT; i++)
			json_object_set_new(sk, vigil_skip_name(i), json_integer((json_int_t)st->skipped[i]));
		for (int i = 1; i < VIGIL_ERR_COUNT; i++)
			json_object_set_new(er, vigil_error_name(i), json_integer((json_int_t)st->errors[i]));
		for (int i = 1; i < 4; i++)
			json_object_set_new(lv, vigil_level_name(i), json_integer((json_int_t)st->files_by_level[i]));
		json_object_set_new(rec, "skipped", sk);
		json_object_set_new(rec, "errors", er);
		json_object_set_new(rec, "files_by_level", lv);
		json_object_set_new(rec, "ioc_warnings", json_integer((json_int_t)ioc_warnings));
		json_object_set_new(rec, "hits", json_integer((json_int_t)rep->hits));
		json_object_set_new(rec, "suppressed", json_integer((json_int_t)rep->suppressed));
		json_object_set_new(rec, "suppressed_files",
				    json_integer((json_int_t)rep->suppressed_files));
		json_object_set_new(rec, "interrupted", json_boolean(rep->interrupted != NULL));
		if (rep->interrupted)
			json_object_set_new(rec, "signal", json_string(rep->interrupted));
		json_object_set_new(rec, "elapsed_s", json_real(st->elapsed));
		json_object_set_new(rec, "mb_per_s", json_real(rate));
		cli_json_emit(rep->out, rec);
		fflush(rep->out);
		return;
	}
	FILE *sum = rep->out;
	if (rep->lines) {
		/* the finding lines alone on the output; the summary apart */
		if (rep->quiet)
			return;
		sum = stderr;
	}
	if (rep->nblocks > 1)
		qsort(rep->blocks, rep->nblocks, sizeof *rep->blocks, block_cmp);
	for (size_t i = 0; i < rep->nblocks; i++) {
		struct text_block *b = &rep->blocks[i];
		const char *lv = vigil_level_name(vigil_score_level(b->score));
		fprintf(rep->out, "%s%-7s score %3d  %s\n%s", i ? "\n" : "", lv,
			b->score, b->path, b->body ? b->body : "");
	}
	if (rep->quiet) {
		fflush(rep->out);
		return;
	}
	if (rep->npartial_lines) {
		fprintf(rep->out, "%snot fully examined:\n", rep->nblocks ? "\n" : "");
		for (size_t i = 0; i < rep->npartial_lines; i++)
			fprintf(rep->out, "  %s", rep->partial_lines[i]);
		if (rep->partial_unlisted)
			fprintf(rep->out, "  ... and %lu more (-v lists every one)\n",
				rep->partial_unlisted);
	}
	fprintf(sum, "%s--- summary ---\n",
		sum == rep->out && (rep->nblocks || rep->npartial_lines) ? "\n" : "");
	if (rep->interrupted)
		fprintf(sum, "interrupted by %s: the sweep stopped early, the counts are of what it swept\n",
			rep->interrupted);
	fprintf(sum, "files seen %llu, scanned %llu, directories %llu, read %.1f MiB in %.2f s (%.1f MiB/s)\n",
		(unsigned long long)st->files_seen, (unsigned long long)st->files_scanned,
		(unsigned long long)st->dirs_seen, mb, st->elapsed, rate);
	fprintf(sum, "containers opened %llu, members %llu, expanded %.1f MiB, limits hit %llu\n",
		(unsigned long long)st->containers, (unsigned long long)st->members,
		st->bytes_expanded / 1048576.0, (unsigned long long)st->limit_hits);
	if (st->memory_refused)
		fprintf(rep->out, "memory budget %.0f MiB (--memory-limit): %llu files or members streamed, not held for the rules\n",
			st->memory_limit / 1048576.0, (unsigned long long)st->memory_refused);
	if (st->files_reused)
		fprintf(sum, "files unchanged since the last sweep (results from the store, not read): %llu\n",
			(unsigned long long)st->files_reused);
	fprintf(sum, "findings: alert %llu, warning %llu, notice %llu\n",
		(unsigned long long)st->files_by_level[VIGIL_LEVEL_ALERT],
		(unsigned long long)st->files_by_level[VIGIL_LEVEL_WARNING],
		(unsigned long long)st->files_by_level[VIGIL_LEVEL_NOTICE]);
	fprintf(sum, "excluded by --exclude: %llu\n", (unsigned long long)st->excluded);
	if (st->self_excluded)
		fprintf(sum, "excluded as vigil's own: %llu (the content, rules and IOC "
			"files it loaded, its rules cache, its source tree; -v lists them, "
			"--no-self-exclude sweeps them)\n",
			(unsigned long long)st->self_excluded);
	fprintf(sum, "skipped:");
	for (int i = 1; i < VIGIL_SKIP_COUNT; i++)
		fprintf(sum, " %s %llu%s", vigil_skip_name(i),
			(unsigned long long)st->skipped[i], i + 1 < VIGIL_SKIP_COUNT ? "," : "\n");
	fprintf(sum, "errors:");
	for (int i = 1; i < VIGIL_ERR_COUNT; i++)
		fprintf(sum, " %s %llu%s", vigil_error_name(i),
			(unsigned long long)st->errors[i], i + 1 < VIGIL_ERR_COUNT ? "," : "\n");
	if (rep->partial)
		fprintf(sum, "not fully examined: %lu file%s (%s)\n", rep->partial,
			rep->partial == 1 ? "" : "s",
			rep->verbose ? "listed above"
			: rep->partial_unlisted ? "the first listed above, -v lists every one"
						: "listed above");
	if (ioc_warnings)
		fprintf(sum, "malformed IOC or rule lines skipped: %lu\n", ioc_warnings);
	if (rep->allow)
		fprintf(sum, "suppressed by the allow-list: %lu finding%s in %lu file%s\n",
			rep->suppressed, rep->suppressed == 1 ? "" : "s", rep->suppressed_files,
			rep->suppressed_files == 1 ? "" : "s");
	fflush(sum);
	fflush(rep->out);
}

void scan_report_set_interrupted(struct scan_report *rep, const char *signame)
{
	rep->interrupted = signame;
}

unsigned long scan_report_hits(const struct scan_report *rep)
{
	return rep->hits;
}

void scan_report_destroy(struct scan_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->nblocks; i++) {
		free(rep->blocks[i].path);
		free(rep->blocks[i].body);
	}
	free(rep->blocks);
	for (size_t i = 0; i < rep->npartial_lines; i++)
		free(rep->partial_lines[i]);
	free(rep);
}
