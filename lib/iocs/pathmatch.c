/* File-name IOC matching with a literal prefilter (see pathmatch.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iocs/pathmatch.h"
#include "base/util.h"

#define MIN_LITERAL 3
#define NBUCKETS 4096

struct rx {
	pcre2_code *re, *fp;
	size_t id;
	char *literal; /* lower-case, '/' folded to '\\'; NULL: always run */
	size_t litlen;
};

struct vg_pathmatch {
	struct rx *rx;
	size_t len, cap;
	/* Prefilter: regexes indexed by a hash of their literal's first 3
	 * bytes; 'always' lists those without a usable literal. */
	size_t *bucket_items;
	size_t bucket_start[NBUCKETS + 1];
	size_t *always;
	size_t nalways;
	int dirty; /* regexes added since the prefilter was built */
};

vg_pathmatch *vg_pathmatch_create(void)
{
	return calloc(1, sizeof(vg_pathmatch));
}

void vg_pathmatch_destroy(vg_pathmatch *pm)
{
	if (!pm)
		return;
	for (size_t i = 0; i < pm->len; i++) {
		pcre2_code_free(pm->rx[i].re);
		pcre2_code_free(pm->rx[i].fp);
		free(pm->rx[i].literal);
	}
	free(pm->rx);
	free(pm->bucket_items);
	free(pm->always);
	free(pm);
}

static pcre2_code *compile(const char *re, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
				      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
				      &off, NULL);
	if (!c) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(code, msg, sizeof msg);
		snprintf(err, errlen, "%s at offset %zu", (char *)msg, (size_t)off);
		return NULL;
	}
	pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* falls back if unavailable */
	return c;
}

static unsigned fold(unsigned char c)
{
	return c == '/' ? '\\' : (unsigned)tolower(c);
}

/*
 * p is "[:", "[." or "[=" inside a class. When PCRE2 reads it as a POSIX
 * class (its check_posix_syntax: the terminator and ']' come before any ']'
 * or another '[' with the same terminator; "\]" and "\\" skipped), returns
 * the ']' that ends it; otherwise NULL, and the '[' is an ordinary member.
 */
static const char *posix_class_end(const char *p)
{
	char t = p[1];
	for (const char *q = p + 2; q[0] && q[1]; q++) {
		if (q[0] == '\\' && (q[1] == ']' || q[1] == '\\'))
			q++;
		else if ((q[0] == '[' && q[1] == t) || q[0] == ']')
			return NULL;
		else if (q[0] == t && q[1] == ']')
			return q + 1;
	}
	return NULL;
}

/* Skip a bracket class starting at p ('['); returns the char after ']'. */
static const char *skip_class(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[' && (p[1] == ':' || p[1] == '.' ||
					 p[1] == '=')) {
			/* a POSIX class [:digit:] holds its own ']' */
			const char *e = posix_class_end(p);
			if (e)
				p = e;
		}
		p++;
	}
	return *p ? p + 1 : NULL;
}

/* Skip a group starting at p ('('); returns the char after its ')'. */
static const char *skip_group(const char *p)
{
	size_t depth = 0;
	while (*p) {
		if (*p == '\\' && p[1]) {
			p += 2;
			continue;
		}
		if (p[0] == '(' && p[1] == '?' && p[2] == '#') {
			/* a comment ends at the next ')', escapes and all */
			const char *e = strchr(p, ')');
			if (!e)
				return NULL;
			p = e + 1;
			if (depth == 0)
				return p;
			continue;
		}
		if (*p == '[') {
			if (!(p = skip_class(p)))
				return NULL;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

/*
 * A counted quantifier in the only form every PCRE2 version reads as one:
 * {n}, {n,} or {n,m} with digits and no spaces. PCRE2 10.43 added {,m} and
 * spaces; before that those are literal text. Returns the char after '}',
 * or NULL when the brace is anything else.
 */
static const char *brace_quantifier(const char *p, int *min_zero)
{
	const char *d = p + 1;
	size_t n = strspn(d, "0123456789");
	if (n == 0)
		return NULL;
	*min_zero = strspn(d, "0") == n;
	d += n;
	if (*d == ',')
		d += 1 + strspn(d + 1, "0123456789");
	return *d == '}' ? d + 1 : NULL;
}

/*
 * A conservative scan of the regex for a literal every match contains: the
 * pattern is cut into atoms at group depth 0; plain characters that are not
 * made optional by ?, * or {0,…} extend the current run, anything else ends
 * it. A top-level '|' or an unparsable pattern gives no literal.
 */
/*
 * Inline option settings anywhere in the pattern: (?i) (?x) (?mi-s:...).
 * Returns 0 if extended syntax (x) is set somewhere, as whitespace and '#'
 * then stop being literals; sets *caseless if 'i' is.
 */
static int scan_inline_options(const char *re, int *caseless)
{
	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (p[0] != '(' || p[1] != '?')
			continue;
		const char *q = p + 2;
		size_t n = strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ^-");
		if (q[n] != ')' && q[n] != ':')
			continue;
		for (size_t i = 0; i < n && q[i] != '-'; i++) {
			if (q[i] == 'x')
				return 0;
			if (q[i] == 'i')
				*caseless = 1;
		}
	}
	return 1;
}

static size_t required_literal(const char *re, char *out, size_t outlen,
			       int *caseless)
{
	char run[256];
	size_t rl = 0, bl = 0;
	*caseless = 0;
	out[0] = '\0';
	if (!scan_inline_options(re, caseless))
		return 0;
	/* \Q..\E quoting hides group and alternation syntax, and verbs such
	 * as (*ACCEPT) end a match early: no literal is certain. */
	if (strstr(re, "\\Q") || strstr(re, "(*"))
		return 0;
	if (strncmp(re, "(?i)", 4) == 0)
		re += 4;
	for (const char *p = re; *p;) {
		int lit = -1;
		const char *next;
		if (*p == '|')
			return 0;
		if (*p == '(') {
			next = skip_group(p);
		} else if (*p == '[') {
			next = skip_class(p);
		} else if (*p == '\\') {
			if (!p[1])
				return 0;
			/* Escapes with arguments (\x41, \cA, \pL, \N{..},
			 * \o{..}, \g1, \k<n>, \1, \012): give up rather than
			 * take their arguments for literals (\Q was refused
			 * above, for the whole pattern). */
			if (strchr("xcopPNgk", p[1]) ||
			    isdigit((unsigned char)p[1]))
				return 0;
			if (!isalnum((unsigned char)p[1]) &&
			    (unsigned char)p[1] < 0x80)
				lit = (unsigned char)p[1];
			next = p + 2;
			while (((unsigned char)*next & 0xC0) == 0x80)
				next++;
		} else if (strchr(".^$)", *p)) {
			next = p + 1;
		} else if (strchr("?*+{", *p)) {
			return 0; /* quantifier with nothing before it */
		} else if ((unsigned char)*p >= 0x80) {
			/* A multibyte character is one atom: a quantifier after
			 * it applies to all of its bytes. Not taken as literal. */
			next = p + 1;
			while (((unsigned char)*next & 0xC0) == 0x80)
				next++;
		} else {
			lit = (unsigned char)*p;
			next = p + 1;
		}
		if (!next)
			return 0;
		p = next;
		int optional = 0, repeated = 0;
		if (*p == '?' || *p == '*') {
			optional = 1;
			p++;
		} else if (*p == '+') {
			repeated = 1;
			p++;
		} else if (*p == '{') {
			int min_zero;
			const char *e = brace_quantifier(p, &min_zero);
			if (!e)
				return 0; /* '{' whose meaning depends on the PCRE2 version */
			optional = min_zero;
			repeated = 1;
			p = e;
		}
		if (*p == '?' || *p == '+') /* lazy or possessive suffix */
			p++;
		/* Caseless in UTF mode, k and s also match U+212A and U+017F,
		 * and non-ASCII letters their other case: none is a literal. */
		if (*caseless && lit >= 0 &&
		    (lit >= 0x80 || tolower(lit) == 'k' || tolower(lit) == 's'))
			lit = -1;
		if (lit >= 0 && !optional && rl < sizeof run)
			run[rl++] = (char)fold((unsigned char)lit);
		if (lit < 0 || optional || repeated) {
			if (rl > bl && rl < outlen) {
				memcpy(out, run, rl);
				out[rl] = '\0';
				bl = rl;
			}
			rl = 0;
		}
	}
	if (rl > bl && rl < outlen) {
		memcpy(out, run, rl);
		out[rl] = '\0';
		bl = rl;
	}
	return bl;
}

size_t vg_regex_required_literal(const char *re, char *out, size_t outlen,
				 int *caseless)
{
	size_t n = required_literal(re, out, outlen, caseless);
	if (n == 0)
		out[0] = '\0'; /* a run found before a bail-out is no literal */
	return n;
}

int vg_pathmatch_add(vg_pathmatch *pm, const char *re, const char *fp_re,
		     size_t id, char *err, size_t errlen)
{
	struct rx r = {0};
	r.id = id;
	if (!(r.re = compile(re, err, errlen)))
		return 0;
	if (fp_re && *fp_re && !(r.fp = compile(fp_re, err, errlen))) {
		pcre2_code_free(r.re);
		return 0;
	}
	char lit[256];
	int ci;
	size_t n = vg_regex_required_literal(re, lit, sizeof lit, &ci);
	if (n >= MIN_LITERAL) {
		r.literal = vg_strndup(lit, n);
		r.litlen = n;
	}
	if (!vg_grow(&pm->rx, &pm->cap, pm->len + 1, sizeof *pm->rx)) {
		pcre2_code_free(r.re);
		pcre2_code_free(r.fp);
		free(r.literal);
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	pm->rx[pm->len++] = r;
	pm->dirty = 1;
	return 1;
}

static unsigned bucket_of(const char *s)
{
	unsigned char a = (unsigned char)s[0], b = (unsigned char)s[1],
		      c = (unsigned char)s[2];
	return ((a * 31u + b) * 31u + c) % NBUCKETS;
}

void vg_pathmatch_prepare(vg_pathmatch *pm)
{
	if (!pm->dirty)
		return;
	pm->dirty = 0;
	free(pm->bucket_items);
	free(pm->always);
	pm->bucket_items = malloc((pm->len + 1) * sizeof(size_t));
	pm->always = malloc((pm->len + 1) * sizeof(size_t));
	pm->nalways = 0;
	memset(pm->bucket_start, 0, sizeof pm->bucket_start);
	if (!pm->bucket_items || !pm->always) {
		/* Without a prefilter every regex runs. */
		free(pm->bucket_items);
		pm->bucket_items = NULL;
		return;
	}
	for (size_t i = 0; i < pm->len; i++)
		if (pm->rx[i].literal)
			pm->bucket_start[bucket_of(pm->rx[i].literal) + 1]++;
		else
			pm->always[pm->nalways++] = i;
	for (size_t b = 0; b < NBUCKETS; b++)
		pm->bucket_start[b + 1] += pm->bucket_start[b];
	size_t fill[NBUCKETS];
	memcpy(fill, pm->bucket_start, sizeof fill);
	for (size_t i = 0; i < pm->len; i++)
		if (pm->rx[i].literal)
			pm->bucket_items[fill[bucket_of(pm->rx[i].literal)]++] = i;
}

/* 1 a match, 0 none, else PCRE2's negative error code: the regex could
 * not be run to the end (its match, depth or heap limit), which says
 * nothing either way. */
static int matches(const pcre2_code *c, const char *s, size_t len,
		   pcre2_match_data *md)
{
	int rc = pcre2_match(c, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : rc < 0 ? rc : -1;
}

/* Either form of the path: 1 when one matches; an error when neither
 * matches and one could not be run. */
static int either(const pcre2_code *c, const char *path, const char *win,
		  size_t len, pcre2_match_data *md)
{
	int a = matches(c, path, len, md);
	if (a == 1)
		return 1;
	int b = matches(c, win, len, md);
	if (b == 1)
		return 1;
	return a < 0 ? a : b;
}

int vg_pathmatch_run(const vg_pathmatch *pm, const char *path, size_t len,
		     void (*fn)(void *ctx, size_t id), void *ctx)
{
	return vg_pathmatch_run_err(pm, path, len, fn, NULL, ctx);
}

int vg_pathmatch_run_err(const vg_pathmatch *pm, const char *path, size_t len,
			 void (*fn)(void *ctx, size_t id),
			 void (*err)(void *ctx, size_t id, const char *why),
			 void *ctx)
{
	if (!pm->len)
		return 0;
	char *folded = malloc(len + 1), *win = malloc(len + 1);
	unsigned char *cand = calloc(pm->len, 1);
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	int rc = -1, failed = 0;
	if (!folded || !win || !cand || !md)
		goto out;
	for (size_t i = 0; i < len; i++) {
		folded[i] = (char)fold((unsigned char)path[i]);
		win[i] = path[i] == '/' ? '\\' : path[i];
	}
	folded[len] = win[len] = '\0';

	if (pm->bucket_items && !pm->dirty) {
		for (size_t i = 0; i < pm->nalways; i++)
			cand[pm->always[i]] = 1;
		for (size_t i = 0; i + MIN_LITERAL <= len; i++) {
			unsigned b = bucket_of(folded + i);
			for (size_t k = pm->bucket_start[b]; k < pm->bucket_start[b + 1]; k++) {
				const struct rx *r = &pm->rx[pm->bucket_items[k]];
				if (r->litlen <= len - i &&
				    memcmp(folded + i, r->literal, r->litlen) == 0)
					cand[pm->bucket_items[k]] = 1;
			}
		}
	} else {
		memset(cand, 1, pm->len);
	}

	for (size_t i = 0; i < pm->len; i++) {
		if (!cand[i])
			continue;
		const struct rx *r = &pm->rx[i];
		int m = either(r->re, path, win, len, md);
		/* a match whose false-positive regex cannot be run is unknown
		 * as well: neither reported nor passed over in silence */
		if (m == 1 && r->fp) {
			int f = either(r->fp, path, win, len, md);
			m = f == 1 ? 0 : f < 0 ? f : 1;
		}
		if (m < 0) {
			failed++;
			if (err) {
				PCRE2_UCHAR msg[120];
				if (pcre2_get_error_message(m, msg, sizeof msg) < 0)
					snprintf((char *)msg, sizeof msg, "PCRE2 error %d", m);
				err(ctx, r->id, (const char *)msg);
			}
			continue;
		}
		if (m == 1)
			fn(ctx, r->id);
	}
	rc = failed;
out:
	pcre2_match_data_free(md);
	free(folded);
	free(win);
	free(cand);
	return rc;
}
