/*
 * Per-class rule sets: the input is "RULES\0FILE", or, when it starts
 * with '#', "#CHOICES\0FILE" where CHOICES pick rules from a small
 * grammar of magic tests, strings, and/or/not, parentheses, references and
 * global/private rules (random text seldom compiles). Checks that the rule
 * text reader (lib/rules_split.c) keeps its spans inside the text and in
 * order, and, when libyara compiles RULES, that the rules compiled for
 * FILE's class (also with "MZ", "M", "\x7fELF" and "\x7fE" put in front of
 * it) match exactly what the full set matches, and so do the rules for
 * large files on each of these padded with zeros to VIGIL_RULES_LARGE_FILE
 * bytes (and one byte less, where the small files' rules apply): leaving
 * rules out must never change a result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yara.h>

#include "fuzz.h"
#include "rules/rules_internal.h"
#include "rules/rules_split.h"

#define MAX_MATCHES 64

struct matches {
	const char *name[MAX_MATCHES];
	size_t n;
	int overflow;
};

static int on_match(YR_SCAN_CONTEXT *ctx, int msg, void *data, void *user)
{
	(void)ctx;
	struct matches *m = user;
	if (msg == CALLBACK_MSG_RULE_MATCHING) {
		if (m->n < MAX_MATCHES)
			m->name[m->n++] = ((YR_RULE *)data)->identifier;
		else
			m->overflow = 1;
	}
	return CALLBACK_CONTINUE;
}

/* 0: scanned; -1: YARA gave up (timeout, too many matches): no verdict. */
static int scan(YR_RULES *rules, const uint8_t *buf, size_t len,
		struct matches *m)
{
	memset(m, 0, sizeof *m);
	int rc = yr_rules_scan_mem(rules, buf, len, 0, on_match, m, 2);
	return rc == ERROR_SUCCESS && !m->overflow ? 0 : -1;
}

/* Rule text from choice bytes; every output compiles. */
struct gen {
	const uint8_t *p, *end;
	char *out;
	size_t len, cap;
	int rule; /* index of the rule being written */
	int used_a, used_b; /* strings its condition names */
};

static unsigned pick(struct gen *g, unsigned n)
{
	return g->p < g->end ? *g->p++ % n : 0;
}

static void put(struct gen *g, const char *s)
{
	size_t n = strlen(s);
	if (g->len + n + 1 > g->cap)
		return; /* the buffer is sized for the worst case */
	memcpy(g->out + g->len, s, n + 1);
	g->len += n;
}

static void expr(struct gen *g, int depth)
{
	static const char *const atoms[] = {
		"$a", "$b", "uint16(0) == 0x5a4d", "uint16be(0) == 0x4d5a",
		"0x5a4d == uint16(0)", "uint32(0) == 0x464c457f",
		"uint32be(0) == 0x7f454c46", "uint16(0) == 0x457f", "uint8(0) == 0x4d",
		"uint8(0) == 0x7f", "filesize < 8", "true", "false",
		"filesize < 1MB", "filesize <= 1MB", "1048576 > filesize",
		"filesize < 1048577", "filesize <= 0xfffff", "1024KB >= filesize",
		"filesize > 1MB",
		"uint16(0) == 0x5a4d & 0xffff", "uint16(1) == 0x5a4d", "#a > 1"};
	unsigned k = depth > 5 ? 0 : pick(g, 6);
	char ref[16];
	switch (k) {
	case 1:
	case 2:
		expr(g, depth + 1);
		put(g, k == 1 ? " and " : " or ");
		expr(g, depth + 1);
		return;
	case 3:
		put(g, "(");
		expr(g, depth + 1);
		put(g, ")");
		return;
	case 4:
		put(g, "not ");
		expr(g, depth + 1);
		return;
	case 5:
		if (g->rule > 0) {
			snprintf(ref, sizeof ref, "r%u", pick(g, (unsigned)g->rule));
			put(g, ref);
			return;
		}
		break;
	}
	const char *atom = atoms[pick(g, sizeof atoms / sizeof *atoms)];
	g->used_a |= strchr(atom, 'a') != NULL; /* "$a", "#a > 1" */
	g->used_b |= strcmp(atom, "$b") == 0;
	put(g, atom);
}

#define COND_MAX 4096 /* 2^6 atoms of under 40 bytes, and operators */

static char *generate(const uint8_t *p, size_t n)
{
	unsigned rules = 1 + (n ? p[0] % 8 : 0);
	char *text = malloc(rules * (COND_MAX + 128) + 1);
	struct gen g = {n ? p + 1 : p, p + n, malloc(COND_MAX), 0, COND_MAX, 0, 0, 0};
	size_t len = 0;
	if (!text || !g.out) {
		free(text);
		free(g.out);
		return NULL;
	}
	text[0] = '\0';
	for (; g.rule < (int)rules; g.rule++) {
		unsigned mod = pick(&g, 8);
		g.len = 0;
		g.out[0] = '\0';
		g.used_a = g.used_b = 0;
		expr(&g, 0);
		/* YARA rejects a string no condition names */
		len += (size_t)sprintf(text + len, "%s%srule r%d {%s%s%s condition: %s }\n",
				       mod == 6 ? "global " : "", mod == 7 ? "private " : "",
				       g.rule, g.used_a || g.used_b ? " strings:" : "",
				       g.used_a ? " $a = \"ab\"" : "", g.used_b ? " $b = \"Z\"" : "",
				       g.out);
	}
	free(g.out);
	return text;
}

static void quiet(int level, const char *file, int line, const YR_RULE *rule,
		  const char *message, void *user)
{
	(void)level, (void)file, (void)line, (void)rule, (void)message, (void)user;
}

static void check_spans(const char *text, size_t len)
{
	struct vg_rule_list l;
	if (vg_rules_parse(text, len, &l) == 1) {
		size_t prev = 0;
		for (size_t i = 0; i < l.n; i++) {
			const struct vg_rule_span *r = &l.rules[i];
			if (r->start < prev || r->end > len || r->start >= r->end ||
			    r->name_off < r->start || r->name_off + r->name_len > r->end ||
			    r->prefix_len > 4)
				abort();
			prev = r->end;
		}
	}
	vg_rule_list_free(&l);
}

static void compare(YR_RULES *full, YR_RULES *set[VG_RULE_SETS],
		    const uint8_t *buf, size_t len)
{
	YR_RULES *sub = set[vg_rule_set_of(vigil_file_class_of(buf, len), len)];
	struct matches a, b;
	if (sub == full || scan(full, buf, len, &a) != 0 || scan(sub, buf, len, &b) != 0)
		return;
	/* same rules in the same order: a subset keeps the source order */
	int same = a.n == b.n;
	for (size_t i = 0; same && i < a.n; i++)
		same = strcmp(a.name[i], b.name[i]) == 0;
	if (!same) {
		fprintf(stderr, "class rules differ: full %zu matches, class %zu\n",
			a.n, b.n);
		for (size_t i = 0; i < a.n; i++)
			fprintf(stderr, "  full: %s\n", a.name[i]);
		for (size_t i = 0; i < b.n; i++)
			fprintf(stderr, "  class: %s\n", b.name[i]);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready && yr_initialize() != ERROR_SUCCESS)
		return 0;
	ready = 1;

	const uint8_t *nul = memchr(data, '\0', size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	const uint8_t *file = nul ? nul + 1 : data + size;
	size_t flen = (size_t)(data + size - file);
	char *text = size && data[0] == '#' ? generate(data + 1, tlen ? tlen - 1 : 0)
					    : malloc(tlen + 1);
	/* room for the largest head, and for the padding to a large file */
	size_t vcap = flen + 4 > VIGIL_RULES_LARGE_FILE ? flen + 4 : VIGIL_RULES_LARGE_FILE;
	uint8_t *variant = malloc(vcap);
	if (!text || !variant)
		goto out;
	if (!(size && data[0] == '#')) {
		memcpy(text, data, tlen);
		text[tlen] = '\0';
	}
	tlen = strlen(text);
	if (getenv("VIGIL_FUZZ_SHOW")) /* to read a crashing input's rules */
		fprintf(stderr, "%s\n", text);
	check_spans(text, tlen);

	YR_COMPILER *comp = vg_rules_new_compiler();
	YR_RULES *full = NULL;
	if (!comp)
		goto out;
	yr_compiler_set_callback(comp, quiet, NULL);
	if (yr_compiler_add_string(comp, text, "fuzz") == 0)
		yr_compiler_get_rules(comp, &full);
	yr_compiler_destroy(comp);
	if (!full)
		goto out;

	struct vg_rule_source src = {"fuzz", text, 0};
	YR_RULES *set[VG_RULE_SETS];
	vg_rules_classes_finish(vg_rules_classes_start(&src, 1), full, set);
	static const char *const heads[] = {"", "MZ", "M", "\x7f" "ELF", "\x7f" "E"};
	for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++) {
		size_t hl = strlen(heads[h]);
		memcpy(variant, heads[h], hl);
		memcpy(variant + hl, file, flen);
		compare(full, set, variant, flen + hl);
		/* the same first bytes in a file just large enough for the large
		 * files' rules, and one just too small for them */
		if (flen + hl < VIGIL_RULES_LARGE_FILE) {
			memset(variant + hl + flen, 0, VIGIL_RULES_LARGE_FILE - hl - flen);
			compare(full, set, variant, VIGIL_RULES_LARGE_FILE);
			compare(full, set, variant, VIGIL_RULES_LARGE_FILE - 1);
		}
	}
	for (int c = 0; c < VG_RULE_SETS; c++)
		if (set[c] != full)
			yr_rules_destroy(set[c]);
	yr_rules_destroy(full);
out:
	free(text);
	free(variant);
	return 0;
}
