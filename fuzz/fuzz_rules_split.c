/*
 * Per-class rule sets: the input is "RULES\0FILE". Checks that the rule
 * text reader (lib/rules_split.c) keeps its spans inside the text and in
 * order, and, when libyara compiles RULES, that the rules compiled for
 * FILE's class (also with "MZ" and "\x7fELF" put in front of it) match
 * exactly what the full set matches: leaving rules out must never change
 * a result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yara.h>

#include "fuzz.h"
#include "rules_internal.h"
#include "rules_split.h"

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

static void compare(YR_RULES *full, YR_RULES *set[VIGIL_FILE_CLASSES],
		    const uint8_t *buf, size_t len)
{
	YR_RULES *sub = set[vigil_file_class_of(buf, len)];
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
	char *text = malloc(tlen + 1);
	uint8_t *variant = malloc(flen + 4);
	if (!text || !variant)
		goto out;
	memcpy(text, data, tlen);
	text[tlen] = '\0';
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

	struct vg_rule_source src = {"fuzz", text};
	YR_RULES *set[VIGIL_FILE_CLASSES];
	vg_rules_classes_finish(vg_rules_classes_start(&src, 1), full, set);
	compare(full, set, file, flen);
	static const char *const heads[] = {"MZ", "\x7f" "ELF"};
	for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++) {
		size_t hl = strlen(heads[h]);
		memcpy(variant, heads[h], hl);
		memcpy(variant + hl, file, flen);
		compare(full, set, variant, flen + hl);
	}
	for (int c = 0; c < VIGIL_FILE_CLASSES; c++)
		if (set[c] != full)
			yr_rules_destroy(set[c]);
	yr_rules_destroy(full);
out:
	free(text);
	free(variant);
	return 0;
}
