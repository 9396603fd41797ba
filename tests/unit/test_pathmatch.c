/*
 * File-name IOC matching: the required-literal extraction on hand-picked
 * regexes, and the prefilter's soundness: for every regex of signature-base's
 * filename-iocs.txt (and a set of awkward ones), whenever PCRE2 alone matches
 * a path, vg_pathmatch_run must report that regex too. Matching paths are
 * generated from each regex by a small random sampler, then embedded in
 * random surroundings; random paths are checked as well.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcre2.h>

#include "iocs/pathmatch.h"

static void lit_is(const char *re, const char *want)
{
	char out[256];
	int ci;
	size_t n = vg_regex_required_literal(re, out, sizeof out, &ci);
	if (strcmp(out, want) != 0)
		fprintf(stderr, "regex %s: literal '%s', want '%s'\n", re, out,
			want);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_required_literal(void **state)
{
	(void)state;
	/* literals are lower-case with '/' folded to '\\' */
	lit_is("\\\\Windows\\\\Temp\\\\evil\\.dll", "\\windows\\temp\\evil.dll");
	lit_is("/tmp/abc", "\\tmp\\abc");
	lit_is("abcd?efgh", "efgh");      /* d optional, longest run after */
	lit_is("abcdefg?hi", "abcdef");
	lit_is("xyzw+abc", "xyzw");       /* w kept once, run ends */
	lit_is("abcd{0,2}efghi", "efghi");
	lit_is("abcd{2}ef", "abcd");
	lit_is("abcd{,2}ef", "");         /* {,2}: literal before PCRE2 10.43 */
	lit_is("abcd*ef", "abc");
	lit_is("ab[cd]efgh", "efgh");
	lit_is("abc(def)?ghij", "ghij");
	lit_is("abc(de|fg)hi", "abc");
	lit_is("abc|defgh", "");          /* top-level alternation: none */
	lit_is("(?i)AbCdE", "abcde");
	lit_is("\\d\\d\\d\\.exe", ".exe");
	lit_is("ab.cdef", "cdef");
	lit_is("^abc$", "abc");
	lit_is("abc??de", "ab");
	lit_is("", "");
	/* escapes with arguments, extended mode, POSIX classes, caseless */
	lit_is("\\x41bcdef", "");
	lit_is("\\pLbcdef", "");
	lit_is("\\Qa.b\\Ecdef", "");
	lit_is("(?x)abc def", "");
	lit_is("[[:digit:]]xyzw", "xyzw");
	lit_is("(?i)desktop", "top");     /* s and k: U+017F, U+212A */
	lit_is("(?i:x)abc", "abc");
	lit_is("abc(?i)ABKDE", "abc");
	/* braces that are not {n}, {n,} or {n,m}: no literal, as they may hide
	 * a top-level '|' (found by fuzz_pathmatch) */
	lit_is("abcd{ x|yz}efgh", "");
	lit_is("abcd{2 }efgh", "");
	lit_is("abcd{x}efgh", "");
	lit_is("abcd{3,}ef", "abcd");
	/* a quantifier after a multibyte character covers all its bytes */
	lit_is("abc\xC3\xA9?", "abc");
	lit_is("abcd\xC3\xA9?", "abcd");
	lit_is("abcd\\\xC3\xA9?", "abcd");
	/* verbs can end a match before a later literal; comments */
	lit_is("abc(*ACCEPT)defgh", "");
	lit_is("(?#(|)wxyz", "wxyz");
	/* "[:" inside a class is a POSIX class only when ":]" comes before
	 * any ']' (PCRE2's check_posix_syntax); else '[' is a member */
	lit_is("[[:+]|x:]y]abcd", "");
	lit_is("[[:+]abcd", "abcd");
	lit_is("[a[:digit:]]wxyz", "wxyz");
}

/* ---- the soundness property ---- */

static pcre2_code *compile(const char *re)
{
	int code;
	PCRE2_SIZE off;
	return pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
			     PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off,
			     NULL);
}

static int pcre_hit(pcre2_code *c, pcre2_match_data *md, const char *s,
		    size_t n)
{
	return pcre2_match(c, (PCRE2_SPTR)s, n, 0, 0, md, NULL) >= 0;
}

struct buf {
	char s[512];
	size_t n;
};

static void put(struct buf *b, char c)
{
	if (b->n < sizeof b->s - 1)
		b->s[b->n++] = c;
}

static const char *gen_seq(const char *p, struct buf *b, int depth);

/* One atom at p; emits a sample into b. Returns the char after it. */
static const char *gen_atom(const char *p, struct buf *b, int depth, int emit)
{
	if (*p == '(') {
		const char *q = p + 1;
		if (*q == '?') {
			q++;
			if (*q == ':' ) {
				q++;
			} else if (*q == '<' && (q[1] == '=' || q[1] == '!')) {
				q += 2;
			} else if (*q == '=' || *q == '!') {
				q++;
			} else {
				/* flags group like (?i) or (?i:...) */
				while (*q && *q != ')' && *q != ':')
					q++;
				if (*q == ')')
					return q + 1;
				q++;
			}
		}
		/* pick a random alternative: sample each, keep one */
		struct buf alt[8];
		int na = 0;
		const char *r = q;
		for (;;) {
			struct buf t = {.n = 0};
			r = gen_seq(r, &t, depth + 1);
			if (na < 8)
				alt[na++] = t;
			if (*r == '|') {
				r++;
				continue;
			}
			break;
		}
		if (*r == ')')
			r++;
		if (emit && depth < 20) {
			struct buf *pick = &alt[rand() % na];
			for (size_t i = 0; i < pick->n; i++)
				put(b, pick->s[i]);
		}
		return r;
	}
	if (*p == '[') {
		const char *q = p + 1;
		int neg = *q == '^';
		if (neg)
			q++;
		char first = *q == '\\' ? q[1] : *q;
		if (*q == ']')
			q++;
		while (*q && *q != ']') {
			if (*q == '\\' && q[1])
				q++;
			else if (*q == '[' && q[1] == ':') {
				const char *e = strstr(q, ":]");
				if (e)
					q = e + 1;
			}
			q++;
		}
		if (emit)
			put(b, neg ? '~' : first == 'd' && p[1] == '\\' ? '7' : first);
		return *q ? q + 1 : q;
	}
	if (*p == '\\' && p[1]) {
		char c = p[1];
		if (emit) {
			switch (c) {
			case 'd': put(b, (char)('0' + rand() % 10)); break;
			case 'w': put(b, "aZ_9"[rand() % 4]); break;
			case 's': put(b, ' '); break;
			case 'D': case 'W': case 'S': put(b, '-'); break;
			case 'b': case 'B': case 'A': case 'Z': case 'z': break;
			default: put(b, c);
			}
		}
		return p + 2;
	}
	if (*p == '.') {
		if (emit)
			put(b, "xQ.-_"[rand() % 5]);
		return p + 1;
	}
	if (*p == '^' || *p == '$')
		return p + 1;
	if (emit)
		put(b, *p);
	return p + 1;
}

/* A sequence up to '|' or ')' or the end. */
static const char *gen_seq(const char *p, struct buf *b, int depth)
{
	while (*p && *p != '|' && *p != ')') {
		/* find the quantifier after the atom */
		const char *after = gen_atom(p, &(struct buf){.n = 0}, depth, 0);
		int lo = 1, hi = 1;
		const char *q = after;
		if (*q == '?') {
			lo = 0, hi = 1, q++;
		} else if (*q == '*') {
			lo = 0, hi = 2, q++;
		} else if (*q == '+') {
			lo = 1, hi = 2, q++;
		} else if (*q == '{') {
			int a = 0, bb = -1;
			const char *e = strchr(q, '}');
			if (e && sscanf(q, "{%d,%d}", &a, &bb) >= 1) {
				lo = a;
				hi = bb >= a ? bb : (strchr(q, ',') && strchr(q, ',') < e ? a + 2 : a);
				q = e + 1;
			} else if (e && q[1] == ',') {
				lo = 0, hi = atoi(q + 2), q = e + 1;
			}
		}
		if (*q == '?' || *q == '+')
			q++;
		if (hi > 6)
			hi = 6;
		int reps = lo + (hi > lo ? rand() % (hi - lo + 1) : 0);
		if (reps > 6)
			reps = 6;
		for (int i = 0; i < reps; i++)
			gen_atom(p, b, depth, 1);
		p = q;
	}
	return p;
}

static void sample(const char *re, struct buf *b)
{
	b->n = 0;
	if (strncmp(re, "(?i)", 4) == 0)
		re += 4;
	const char *p = re;
	for (;;) {
		struct buf t = {.n = 0};
		p = gen_seq(p, &t, 0);
		if (b->n == 0 || rand() % 2) /* keep one alternative */
			*b = t;
		if (*p == '|') {
			p++;
			continue;
		}
		if (*p == ')') { /* unbalanced: stop */
			break;
		}
		break;
	}
	b->s[b->n] = '\0';
}

struct hits {
	unsigned char *seen;
};

static void on_hit(void *ctx, size_t id)
{
	((struct hits *)ctx)->seen[id] = 1;
}

struct rxset {
	char **re;
	pcre2_code **code;
	size_t n;
};

static void add_re(struct rxset *s, const char *re)
{
	pcre2_code *c = compile(re);
	if (!c)
		return;
	s->re = realloc(s->re, (s->n + 1) * sizeof *s->re);
	s->code = realloc(s->code, (s->n + 1) * sizeof *s->code);
	assert_non_null(s->re);
	assert_non_null(s->code);
	s->re[s->n] = strdup(re);
	s->code[s->n] = c;
	s->n++;
}

static void random_dir(struct buf *b)
{
	static const char *const parts[] = {
		"home", "User", "AppData", "Local", "Temp", "Windows", "System32",
		"tmp", "var", "lib", "x86_64-linux-gnu", "Program Files", "a",
		"ProgramData", "config", "drivers", "etc", "usr", "bin", "s",
	};
	int k = rand() % 4;
	for (int i = 0; i < k; i++) {
		const char *p = parts[rand() % (sizeof parts / sizeof *parts)];
		put(b, '/');
		for (; *p; p++)
			put(b, *p);
	}
}

/* Check one path against every regex: pathmatch must report each regex
 * PCRE2 matches on the path or its '\\'-separated form. */
static unsigned check_path(vg_pathmatch *pm, struct rxset *s,
			   pcre2_match_data *md, const char *path, size_t n,
			   unsigned char *seen)
{
	char win[512];
	for (size_t i = 0; i < n; i++)
		win[i] = path[i] == '/' ? '\\' : path[i];
	memset(seen, 0, s->n);
	struct hits h = {seen};
	assert_int_equal(vg_pathmatch_run(pm, path, n, on_hit, &h), 0);
	unsigned truth = 0;
	for (size_t i = 0; i < s->n; i++) {
		int want = pcre_hit(s->code[i], md, path, n) ||
			   pcre_hit(s->code[i], md, win, n);
		if (want && !seen[i])
			fprintf(stderr, "prefilter dropped a match: regex '%s' "
				"path '%.*s'\n", s->re[i], (int)n, path);
		if (want)
			assert_true(seen[i]);
		/* and it reports nothing PCRE2 does not match */
		assert_int_equal(seen[i], want);
		truth += (unsigned)want;
	}
	return truth;
}

static void run_property(struct rxset *s, unsigned rounds, unsigned min_true)
{
	vg_pathmatch *pm = vg_pathmatch_create();
	assert_non_null(pm);
	char err[256];
	for (size_t i = 0; i < s->n; i++)
		assert_true(vg_pathmatch_add(pm, s->re[i], NULL, i, err, sizeof err));
	vg_pathmatch_prepare(pm);
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	unsigned char *seen = calloc(s->n, 1);
	assert_non_null(seen);
	unsigned long paths = 0, truth = 0;
	for (unsigned r = 0; r < rounds; r++) {
		for (size_t i = 0; i < s->n; i++) {
			struct buf g, p = {.n = 0};
			sample(s->re[i], &g);
			random_dir(&p);
			for (size_t k = 0; k < g.n; k++) {
				char c = g.s[k];
				/* the IOCs are Windows paths; scanned paths use '/' */
				if (c == '\\' && rand() % 4)
					c = '/';
				if (rand() % 8 == 0 && c >= 'a' && c <= 'z')
					c = (char)(c - 32);
				put(&p, c);
			}
			if (rand() % 2)
				random_dir(&p);
			truth += check_path(pm, s, md, p.s, p.n, seen);
			paths++;
		}
		/* purely random paths */
		for (int k = 0; k < 50; k++) {
			struct buf p = {.n = 0};
			random_dir(&p);
			random_dir(&p);
			truth += check_path(pm, s, md, p.s, p.n, seen);
			paths++;
		}
	}
	print_message("%zu regexes, %lu paths, %lu true matches checked\n",
		      s->n, paths, truth);
	assert_true(truth >= min_true);
	free(seen);
	pcre2_match_data_free(md);
	vg_pathmatch_destroy(pm);
}

static void free_set(struct rxset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->re[i]);
		pcre2_code_free(s->code[i]);
	}
	free(s->re);
	free(s->code);
}

/* Regexes chosen to trip a literal scanner up. */
static void test_soundness_awkward(void **state)
{
	(void)state;
	static const char *const res[] = {
		"\\x41BCD\\.exe", "[[:digit:]]xyz\\.dll", "(?x) a b c d e",
		"\\Q.dll\\E", "(?i)desktop\\.ini", "(?i)kernelx", "tasks\\.exe",
		"ab\\cAcdef", "(abc)\\1defg", "abcd{ 0,2}efgh", "\\101BCDE",
		"(?i:abc)DEFG", "\\\\Temp\\\\[a-z]{3,}\\.exe", "a\\Kbcdef",
		"\\N{U+0041}BCDE", "\\o{101}BCDE", "\\pLbcdef",
		"(?i)caf\xC3\xA9\\.txt", "\\\\(foo|bar)\\\\bazz", "(?s)ab.cde",
		"[]]abcd", "[^]]abcd", "\\/\\/ab\\/cd", "(?#comment)abcde",
		"a?0c+d{   ab?  ||| 6,x?0c+d{2 3}z]e", "abcd{,2}efgh",
		"xyz\xC3\xA9?", "abc(*ACCEPT)defgh", "(?#(|)wxyz", "[[:+]|x:]y]abcd",
	};
	struct rxset s = {0};
	for (size_t i = 0; i < sizeof res / sizeof *res; i++)
		add_re(&s, res[i]);
	run_property(&s, 60, 100);
	free_set(&s);
}

/* Matches the sampler does not produce, each once broke the prefilter. */
static void test_soundness_targeted(void **state)
{
	(void)state;
	static const struct {
		const char *re, *path;
	} pairs[] = {
		{"\\x41BCD\\.exe", "/x/ABCD.exe"},
		{"[[:digit:]]xyz\\.dll", "/x/1xyz.dll"},
		{"(?x) a b c d e", "/abcde"},
		{"\\Q.dll\\E", "/a.dll"},
		{"(?i)desktop\\.ini", "/DE\xC5\xBFKTOP.INI"},   /* U+017F long s */
		{"(?i)kernelx", "/\xE2\x84\xAA" "ernelx"},         /* U+212A kelvin */
		{"ab\\cAcdef", "/ab\x01" "cdef"},
		{"(abc)\\1defg", "/abcabcdefg"},
		{"abcd{ 0,2}efgh", "/abcefgh"},
		{"\\101BCDE", "/ABCDE"},
		{"\\N{U+0041}BCDE", "/ABCDE"},
		{"\\o{101}BCDE", "/ABCDE"},
		{"(?i)caf\xC3\xA9\\.txt", "/CAF\xC3\x89.TXT"},
		{"[]]abcd", "/]abcd"},
		{"\\pLbcdef", "/xbcdef"},
	};
	unsigned dropped = 0;
	vg_pathmatch *pm = vg_pathmatch_create();
	char err[256];
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		pcre2_code *c = compile(pairs[i].re);
		if (!c)
			continue; /* not supported by this PCRE2: nothing to check */
		pcre2_match_data *md = pcre2_match_data_create(4, NULL);
		size_t n = strlen(pairs[i].path);
		int want = pcre_hit(c, md, pairs[i].path, n);
		pcre2_match_data_free(md);
		pcre2_code_free(c);
		if (!want)
			continue;
		vg_pathmatch *one = vg_pathmatch_create();
		assert_true(vg_pathmatch_add(one, pairs[i].re, NULL, 0, err, sizeof err));
		vg_pathmatch_prepare(one); /* the prefilter is what is tested */
		unsigned char seen = 0;
		struct hits h = {&seen};
		vg_pathmatch_run(one, pairs[i].path, n, on_hit, &h);
		if (!seen) {
			fprintf(stderr, "dropped: '%s' on '%s'\n", pairs[i].re,
				pairs[i].path);
			dropped++;
		}
		vg_pathmatch_destroy(one);
	}
	vg_pathmatch_destroy(pm);
	assert_int_equal(dropped, 0);
}

static void test_soundness_corpus(void **state)
{
	(void)state;
	const char *src = getenv("VIGIL_TEST_SRC");
	char path[2048];
	snprintf(path, sizeof path,
		 "%s/../shared/corpora/signature-base/iocs/filename-iocs.txt",
		 src ? src : ".");
	FILE *f = fopen(path, "rb");
	if (!f) {
		print_message("signature-base corpus not found at %s\n", path);
		skip();
	}
	struct rxset s = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	while ((got = getline(&line, &cap, f)) >= 0) {
		while (got && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		if (!*line || *line == '#')
			continue;
		/* REGEX;SCORE[;FP]: the regex is up to the ';' before the score */
		char *semi = NULL;
		for (char *p = strchr(line, ';'); p; p = strchr(p + 1, ';')) {
			char *q = p + 1;
			while (*q >= '0' && *q <= '9')
				q++;
			if (q > p + 1 && (*q == '\0' || *q == ';')) {
				semi = p;
				break;
			}
		}
		if (!semi)
			continue;
		*semi = '\0';
		add_re(&s, line);
	}
	free(line);
	fclose(f);
	assert_true(s.n > 1000);
	srand(4242);
	run_property(&s, 3, 3000);
	free_set(&s);
}

struct errs {
	unsigned hits, errors;
	size_t id;
	char why[128];
};

static void err_hit(void *ctx, size_t id)
{
	((struct errs *)ctx)->hits++;
}

static void err_err(void *ctx, size_t id, const char *why)
{
	struct errs *e = ctx;
	e->errors++;
	e->id = id;
	snprintf(e->why, sizeof e->why, "%s", why);
}

/* A regex PCRE2 cannot run to the end (catastrophic backtracking hits its
 * match limit) is neither a match nor none: counted, reported by id; the
 * same for a false-positive regex after a match; other regexes unharmed. */
static void test_match_limit(void **state)
{
	(void)state;
	char err[256];
	vg_pathmatch *pm = vg_pathmatch_create();
	assert_non_null(pm);
	assert_true(vg_pathmatch_add(pm, "(x+x+)+y", NULL, 7, err, sizeof err));
	assert_true(vg_pathmatch_add(pm, "xz_y$", "(x+x+)+y", 8, err, sizeof err));
	assert_true(vg_pathmatch_add(pm, "/dir/", NULL, 9, err, sizeof err));
	vg_pathmatch_prepare(pm);
	const char *path = "/dir/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxz_y";
	struct errs e = {0};
	int n = vg_pathmatch_run_err(pm, path, strlen(path), err_hit, err_err, &e);
	assert_int_equal(n, 2);
	assert_int_equal(e.errors, 2);
	assert_int_equal(e.id, 8);
	assert_string_equal(e.why, "match limit exceeded");
	assert_int_equal(e.hits, 1); /* /dir/ */
	/* a name it can run on: a plain no-match, no error */
	struct errs e2 = {0};
	assert_int_equal(vg_pathmatch_run_err(pm, "/dir/a", 6, err_hit, err_err, &e2), 0);
	assert_int_equal(e2.errors, 0);
	assert_int_equal(e2.hits, 1);
	vg_pathmatch_destroy(pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_literal),
		cmocka_unit_test(test_soundness_targeted),
		cmocka_unit_test(test_soundness_awkward),
		cmocka_unit_test(test_soundness_corpus),
		cmocka_unit_test(test_match_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
