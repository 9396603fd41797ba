/* The matcher (see match.h): every check of the scan on one buffer. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yara.h>

#include <vigil/checks.h>

#include "base/digest.h"
#include "base/util.h"
#include "formats/filetype.h"
#include "rules/rules_internal.h"
#include "scan/match.h"

#define DEFAULT_YARA_SCORE 75
#define YARA_TIMEOUT_S 60
/* findings combined into the file score at most (the strongest) */
#define MAX_SCORED 64

/* A finding whose strings the matcher owns. */
struct owned {
	const char *kind; /* static */
	char *id, *source, *message;
	int score;
	vigil_string_match *strings; /* data malloc'd, identifiers the rules' */
	size_t nstrings;
};

struct vg_matcher {
	const vigil_iocs *iocs;
	int no_checks;
	vg_digests *dg;
	/* one per rule set (class of first bytes and size: vg_rule_set_of);
	 * NULL where the set has no rule, so that YARA never reads bytes no
	 * rule can match */
	YR_SCANNER *yr[VG_RULE_SETS];
	struct owned *items;
	vigil_finding *view; /* what r->findings points to */
	size_t len, cap, viewcap;
	int oom;
	int strings; /* collect YARA's matched strings */
	uid_t owner_uid;
	char owner[64];
	/* a part of the file's examination that did not finish: what
	 * r->error_detail shows (valid until the next call) */
	vigil_error partial;
	unsigned npartial;
	char detail[320];
};

/* Record that a matcher could not finish on this file; the first one is
 * named, the others counted. */
static void partial(vg_matcher *m, vigil_error e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void partial(vg_matcher *m, vigil_error e, const char *fmt, ...)
{
	if (m->npartial++)
		return;
	m->partial = e;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->detail, sizeof m->detail, fmt, ap);
	va_end(ap);
}

vg_matcher *vg_matcher_new(const vigil_iocs *iocs, const vigil_rules *rules,
			   int no_checks)
{
	vg_matcher *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->iocs = iocs;
	m->no_checks = no_checks;
	if (!(m->dg = vg_digests_new()))
		goto fail;
	for (unsigned c = 0; c < VG_RULE_SETS; c++) {
		YR_RULES *yr = vg_rules_yara(rules, c);
		/* YARA's automaton walks every byte even of an empty set */
		if (!yr || !vg_yara_rule_count(yr))
			continue;
		if (yr_scanner_create(yr, &m->yr[c]) != ERROR_SUCCESS) {
			m->yr[c] = NULL;
			goto fail;
		}
		yr_scanner_set_timeout(m->yr[c], YARA_TIMEOUT_S);
	}
	return m;
fail:
	vg_matcher_free(m);
	return NULL;
}

void vg_matcher_set_strings(vg_matcher *m, int on)
{
	m->strings = on;
}

static void free_strings(struct owned *x)
{
	for (size_t j = 0; j < x->nstrings; j++)
		free((void *)x->strings[j].data);
	free(x->strings);
	x->strings = NULL;
	x->nstrings = 0;
}

static void clear(vg_matcher *m)
{
	for (size_t i = 0; i < m->len; i++) {
		free_strings(&m->items[i]);
		free(m->items[i].id);
		free(m->items[i].source);
		free(m->items[i].message);
	}
	m->len = 0;
	m->oom = 0;
	m->partial = VIGIL_ERR_NONE;
	m->npartial = 0;
}

void vg_matcher_free(vg_matcher *m)
{
	if (!m)
		return;
	clear(m);
	free(m->items);
	free(m->view);
	for (int c = 0; c < VG_RULE_SETS; c++)
		if (m->yr[c])
			yr_scanner_destroy(m->yr[c]);
	vg_digests_free(m->dg);
	free(m);
}

static void add(vg_matcher *m, const char *kind, const char *id,
		const char *source, const char *message, int score)
{
	if (!vg_grow(&m->items, &m->cap, m->len + 1, sizeof *m->items)) {
		m->oom = 1;
		return;
	}
	struct owned *x = &m->items[m->len];
	x->kind = kind;
	x->id = vg_strdup(id ? id : "");
	x->source = vg_strdup(source ? source : "");
	x->message = vg_strdup(message ? message : "");
	x->score = score < 0 ? 0 : score > 100 ? 100 : score;
	x->strings = NULL;
	x->nstrings = 0;
	if (!x->id || !x->source || !x->message) {
		free(x->id);
		free(x->source);
		free(x->message);
		m->oom = 1;
		return;
	}
	m->len++;
}

static void add_ioc(vg_matcher *m, const char *kind, const vigil_ioc *ioc)
{
	char *src = ioc->line ? vg_asprintf("%s:%lu", ioc->source, ioc->line)
			      : vg_strdup(ioc->source);
	add(m, kind, ioc->value, src ? src : ioc->source, ioc->comment, ioc->score);
	free(src);
}

static void on_path_ioc(void *ctx, const vigil_ioc *ioc)
{
	add_ioc(ctx, "filename", ioc);
}

static void on_path_error(void *ctx, const vigil_ioc *ioc, const char *why)
{
	partial(ctx, VIGIL_ERR_REGEX, "file-name IOC %s (%s:%lu) could not be "
		"run to the end on the path: %s", ioc->value, ioc->source,
		ioc->line, why);
}

static void on_check(void *ctx, const vigil_finding *f)
{
	add(ctx, "tamper", f->id, f->source, f->message, f->score);
}

/* A rule's `score` meta as a whole number: an integer, or a string read
 * as atoi would (leading digits) but defined on overflow (clamped). */
static int meta_score(const YR_META *meta, int dflt)
{
	if (meta->type == META_TYPE_INTEGER)
		return meta->integer < 0 ? 0 : meta->integer > 100 ? 100 : (int)meta->integer;
	if (meta->type != META_TYPE_STRING)
		return dflt;
	errno = 0;
	long v = strtol(meta->string, NULL, 10);
	if (errno == ERANGE)
		v = v < 0 ? 0 : 100;
	return v < 0 ? 0 : v > 100 ? 100 : (int)v;
}

/* The matches of a matching rule's strings, like `yara -s`: the first
 * VIGIL_STRING_MATCHES of each string, VIGIL_STRING_DATA bytes of each. */
static void collect_strings(vg_matcher *m, struct owned *x, YR_SCAN_CONTEXT *yctx,
			    YR_RULE *rule)
{
	size_t cap = 0;
	YR_STRING *str;
	yr_rule_strings_foreach(rule, str)
	{
		unsigned k = 0;
		/* yr_string_matches_foreach without its member accesses: YARA
		 * 4.2 keeps matches in its notebook at addresses that need
		 * not be aligned for YR_MATCH (UBSan says so), so each one is
		 * copied out before it is read */
		const YR_MATCH *at = yctx->matches[str->idx].head;
		YR_MATCH one;
		const YR_MATCH *mt = &one;
		for (; at && k < VIGIL_STRING_MATCHES; at = one.next) {
			memcpy(&one, at, sizeof one);
			if (one.is_private)
				continue;
			k++;
			if (!vg_grow(&x->strings, &cap, x->nstrings + 1, sizeof *x->strings)) {
				m->oom = 1;
				return;
			}
			size_t n = mt->data_length < 0 ? 0 : (size_t)mt->data_length;
			if (n > VIGIL_STRING_DATA)
				n = VIGIL_STRING_DATA;
			uint8_t *d = malloc(n ? n : 1);
			if (!d) {
				m->oom = 1;
				return;
			}
			if (n)
				memcpy(d, mt->data, n);
			x->strings[x->nstrings++] = (vigil_string_match){
				.offset = (uint64_t)(mt->base + mt->offset),
				.identifier = str->identifier,
				.data = d,
				.data_len = n,
				.length = mt->match_length < 0 ? 0 : (size_t)mt->match_length,
			};
		}
	}
}

static int yara_cb(YR_SCAN_CONTEXT *yctx, int msg, void *data, void *user)
{
	vg_matcher *m = user;
	if (msg == CALLBACK_MSG_TOO_MANY_MATCHES) {
		/* YARA stops recording that string's matches and goes on:
		 * that rule's result may be wrong, the others' are not */
		const YR_STRING *str = data;
		const YR_RULE *rule = yctx && yctx->rules && str
					      ? &yctx->rules->rules_table[str->rule_idx]
					      : NULL;
		partial(m, VIGIL_ERR_YARA, "YARA rule %s (%s): too many matches of "
			"%s, the rule's result may be incomplete",
			rule ? rule->identifier : "?",
			rule && rule->ns ? rule->ns->name : "?",
			str ? str->identifier : "?");
		return CALLBACK_CONTINUE;
	}
	if (msg != CALLBACK_MSG_RULE_MATCHING)
		return CALLBACK_CONTINUE;
	YR_RULE *rule = data;
	YR_META *meta;
	int score = DEFAULT_YARA_SCORE;
	const char *desc = "";
	yr_rule_metas_foreach(rule, meta)
	{
		if (strcmp(meta->identifier, "score") == 0)
			score = meta_score(meta, score);
		else if (strcmp(meta->identifier, "description") == 0 &&
			 meta->type == META_TYPE_STRING)
			desc = meta->string;
	}
	size_t before = m->len;
	add(m, "yara", rule->identifier, rule->ns->name, desc, score);
	if (m->strings && m->len > before)
		collect_strings(m, &m->items[m->len - 1], yctx, rule);
	return CALLBACK_CONTINUE;
}

static const char *owner_name(vg_matcher *m, const vg_match_meta *meta)
{
	if (!meta || !meta->has_uid)
		return "";
	uid_t uid = meta->uid;
	if (m->owner[0] && m->owner_uid == uid)
		return m->owner;
	struct passwd pw, *res = NULL;
	char buf[1024];
	if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
		snprintf(m->owner, sizeof m->owner, "%s", res->pw_name);
	else
		snprintf(m->owner, sizeof m->owner, "%lu", (unsigned long)uid);
	m->owner_uid = uid;
	return m->owner;
}

/* Loki's externals: filename, filepath, extension (with its dot,
 * lower-case), filetype, owner, md5. */
static void define_externals(vg_matcher *m, YR_SCANNER *yr, const char *name,
			     const uint8_t *buf, size_t len,
			     const vg_match_meta *meta, const char *md5hex)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	const char *dot = strrchr(base, '.');
	char ext[32] = "";
	if (dot && dot != base && strlen(dot) < sizeof ext) {
		for (size_t i = 0; dot[i]; i++)
			ext[i] = (char)(dot[i] >= 'A' && dot[i] <= 'Z' ? dot[i] + 32 : dot[i]);
		ext[strlen(dot)] = '\0';
	}
	yr_scanner_define_string_variable(yr, "filename", base);
	yr_scanner_define_string_variable(yr, "filepath", name);
	yr_scanner_define_string_variable(yr, "extension", ext);
	yr_scanner_define_string_variable(yr, "filetype", vg_filetype(buf, len));
	yr_scanner_define_string_variable(yr, "owner", owner_name(m, meta));
	yr_scanner_define_string_variable(yr, "md5", md5hex);
}

static int cmp_owned(const void *a, const void *b)
{
	const struct owned *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	int k = strcmp(x->kind, y->kind);
	return k ? k : strcmp(x->id, y->id);
}

/* Sort strongest first, combine the scores, and show the findings in r. */
static void publish(vg_matcher *m, vigil_file_result *r)
{
	r->findings = NULL;
	r->nfindings = 0;
	r->score = 0;
	if (!m->len)
		return;
	if (!vg_grow(&m->view, &m->viewcap, m->len, sizeof *m->view)) {
		m->oom = 1;
		return;
	}
	qsort(m->items, m->len, sizeof *m->items, cmp_owned);
	int scores[MAX_SCORED];
	size_t n = m->len < MAX_SCORED ? m->len : MAX_SCORED;
	for (size_t i = 0; i < m->len; i++) {
		const struct owned *x = &m->items[i];
		m->view[i] = (vigil_finding){
			.kind = x->kind, .id = x->id, .source = x->source,
			.message = x->message, .score = x->score,
			.level = vigil_score_level(x->score),
			.strings = x->strings, .nstrings = x->nstrings,
		};
		if (i < n)
			scores[i] = x->score;
	}
	r->score = vigil_score_combine(scores, n);
	r->findings = m->view;
	r->nfindings = m->len;
}

int vg_match(vg_matcher *m, const char *name, const uint8_t *buf, size_t len,
	     const vg_match_meta *meta, int digests_only, vigil_file_result *r)
{
	clear(m);
	/* a file over the hash limit was not read: its name only */
	int unread = r->skip == VIGIL_SKIP_HASH_LIMIT;
	if (!r->hashed && !unread) {
		if (digests_only ||
		    !vg_digests_buffer(m->dg, buf, len, r->md5, r->sha1, r->sha256))
			return 0;
		r->hashed = 1;
	}
	if (m->iocs) {
		const vigil_ioc *ioc;
		if (r->hashed && (ioc = vigil_iocs_find_hash(m->iocs, r->md5, 16)))
			add_ioc(m, "hash", ioc);
		if (r->hashed && (ioc = vigil_iocs_find_hash(m->iocs, r->sha1, 20)))
			add_ioc(m, "hash", ioc);
		if (r->hashed && (ioc = vigil_iocs_find_hash(m->iocs, r->sha256, 32)))
			add_ioc(m, "hash", ioc);
		vigil_iocs_match_path_err(m->iocs, name, strlen(name), on_path_ioc,
					  on_path_error, m);
	}
	/* the rules that can match bytes starting as these do and this many
	 * of them; none: the file is fully examined without YARA */
	YR_SCANNER *yr = digests_only ? NULL
				      : m->yr[vg_rule_set_of(vigil_file_class_of(buf, len), len)];
	if (yr) {
		char md5hex[33];
		vg_hex(r->md5, 16, md5hex);
		define_externals(m, yr, name, buf, len, meta, md5hex);
		yr_scanner_set_callback(yr, yara_cb, m);
		int yrc = yr_scanner_scan_mem(yr, buf, len);
		if (yrc != ERROR_SUCCESS && !r->error) {
			r->error = VIGIL_ERR_YARA;
			r->error_detail = yrc == ERROR_SCAN_TIMEOUT
						  ? "YARA timed out on the file"
						  : "YARA could not scan the file";
		}
	}
	if (!digests_only && !m->no_checks)
		vigil_checks_run(buf, len, on_check, m);
	publish(m, r);
	if (m->npartial && !r->error) {
		if (m->npartial > 1) {
			size_t l = strlen(m->detail);
			snprintf(m->detail + l, sizeof m->detail - l,
				 " (and %u more)", m->npartial - 1);
		}
		r->error = m->partial;
		r->error_detail = m->detail;
	}
	if (m->oom && !r->error) {
		r->error = VIGIL_ERR_NOMEM;
		r->error_detail = "out of memory while recording findings";
	}
	return 1;
}

void vg_match_stored(vg_matcher *m, const char *name, const vigil_reuse *ru,
		     vigil_file_result *r)
{
	clear(m);
	memcpy(r->md5, ru->md5, sizeof r->md5);
	memcpy(r->sha1, ru->sha1, sizeof r->sha1);
	memcpy(r->sha256, ru->sha256, sizeof r->sha256);
	r->hashed = 1;
	for (size_t i = 0; i < ru->nkept; i++) {
		const vigil_finding *f = &ru->kept[i];
		/* kind strings must be the matcher's static ones */
		const char *kind = strcmp(f->kind, "hash") == 0 ? "hash"
				   : strcmp(f->kind, "filename") == 0 ? "filename"
				   : strcmp(f->kind, "yara") == 0 ? "yara"
								   : "tamper";
		add(m, kind, f->id, f->source, f->message, f->score);
	}
	if (m->iocs && (ru->redo & VIGIL_REDO_HASH_IOCS)) {
		const vigil_ioc *ioc;
		if ((ioc = vigil_iocs_find_hash(m->iocs, r->md5, 16)))
			add_ioc(m, "hash", ioc);
		if ((ioc = vigil_iocs_find_hash(m->iocs, r->sha1, 20)))
			add_ioc(m, "hash", ioc);
		if ((ioc = vigil_iocs_find_hash(m->iocs, r->sha256, 32)))
			add_ioc(m, "hash", ioc);
	}
	if (m->iocs && (ru->redo & VIGIL_REDO_NAME_IOCS))
		vigil_iocs_match_path(m->iocs, name, strlen(name), on_path_ioc, m);
	publish(m, r);
	if (m->oom && !r->error) {
		r->error = VIGIL_ERR_NOMEM;
		r->error_detail = "out of memory while recording findings";
	}
}
