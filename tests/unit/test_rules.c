/*
 * lib/rules/: includes in rule text given as a string are refused (there is
 * no file for them to be next to: YARA's own callback opened them relative
 * to the working directory), and the compiled-rules cache's file format
 * (lib/rules/rules_cachefile.c) rejects every truncation, every flipped
 * byte and every malformed manifest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <vigil/rules.h>

#include "rules/rules_internal.h"

struct seen {
	unsigned errors;
	char first[512];
};

static void on_diag(void *ctx, const vigil_diag *d)
{
	struct seen *s = ctx;
	/* the first error: the refusal, before YARA's own */
	if (d->severity == VIGIL_DIAG_ERROR && !s->errors++)
		snprintf(s->first, sizeof s->first, "%s", d->message);
}

/* A temporary directory holding a planted inc.yar, made the working
 * directory: YARA's default callback would compile it. */
static void test_text_include_refused(void **state)
{
	(void)state;
	const char *base = getenv("VIGIL_TEST_TMP");
	char dir[4096], cwd[4096];
	snprintf(dir, sizeof dir, "%s/test_rules.XXXXXX", base && *base ? base : "/tmp");
	char *made = NULL;
	if (base && *base) {
		char mk[4200];
		snprintf(mk, sizeof mk, "mkdir -p '%s'", base);
		assert_int_equal(system(mk), 0);
	}
	assert_non_null(made = mkdtemp(dir));
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	FILE *f = fopen("inc.yar", "w");
	assert_non_null(f);
	fputs("rule planted { condition: true }\n", f);
	fclose(f);

	vigil_rules *r = vigil_rules_create();
	struct seen s = {0, ""};
	assert_non_null(r);
	vigil_rules_set_diag(r, on_diag, &s);
	assert_int_equal(vigil_rules_add_string(r, "text",
						"include \"inc.yar\"\nrule t { condition: true }\n"),
			 VIGIL_OK);
	int rc = vigil_rules_finish(r);
	unsigned n = rc == VIGIL_OK ? vigil_rules_count(r) : 0;
	vigil_rules_destroy(r);
	unlink("inc.yar");
	assert_int_equal(chdir(cwd), 0);
	rmdir(made);
	assert_int_equal(n, 0); /* the planted rule was not compiled */
	assert_int_equal(rc, VIGIL_FATAL);
	assert_true(s.errors > 0);
	assert_non_null(strstr(s.first, "include not allowed in rules given as text"));
}

static void test_cachefile(void **state)
{
	(void)state;
	const char payload[] = "compiled rules, or a manifest";
	size_t plen = sizeof payload - 1, len = VG_CACHE_HEADER + plen;
	uint8_t file[VG_CACHE_HEADER + sizeof payload], copy[sizeof file + 1];
	const uint8_t *p;
	size_t n;
	assert_int_equal(vg_cachefile_header(VG_CACHE_RULES, payload, plen, file), 1);
	memcpy(file + VG_CACHE_HEADER, payload, plen);
	assert_int_equal(vg_cachefile_check(VG_CACHE_RULES, file, len, &p, &n), 1);
	assert_int_equal(n, plen);
	assert_memory_equal(p, payload, plen);
	/* the other kind's magic */
	assert_int_equal(vg_cachefile_check(VG_CACHE_MANIFEST, file, len, &p, &n), 0);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(vg_cachefile_check(VG_CACHE_RULES, file, cut, &p, &n), 0);
	memcpy(copy, file, len);
	copy[len] = 0;
	assert_int_equal(vg_cachefile_check(VG_CACHE_RULES, copy, len + 1, &p, &n), 0);
	for (size_t i = 0; i < len; i++)
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(copy, file, len);
			copy[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(vg_cachefile_check(VG_CACHE_RULES, copy, len, &p, &n), 0);
		}
}

static void test_manifest(void **state)
{
	(void)state;
	char *in[] = {"rules/sub/inc.yar", "x", "../common/base.yar"};
	size_t len, n;
	char **out;
	uint8_t *m = vg_manifest_encode(in, 3, &len);
	assert_non_null(m);
	assert_int_equal(vg_manifest_parse(m, len, &out, &n), 1);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(out[i], in[i]);
		free(out[i]);
	}
	free(out);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(vg_manifest_parse(m, cut, &out, &n), 0);
	uint8_t *longer = malloc(len + 1);
	assert_non_null(longer);
	memcpy(longer, m, len);
	longer[len] = 'x'; /* nothing may follow the last path */
	assert_int_equal(vg_manifest_parse(longer, len + 1, &out, &n), 0);
	memcpy(longer, m, len);
	longer[4 + 4 + 5] = '\0'; /* a NUL inside the first path */
	assert_int_equal(vg_manifest_parse(longer, len, &out, &n), 0);
	memcpy(longer, m, len);
	longer[4] = 0, longer[5] = 0, longer[6] = 0, longer[7] = 0; /* a path of 0 bytes */
	assert_int_equal(vg_manifest_parse(longer, len, &out, &n), 0);
	free(longer);
	free(m);
	/* a count above the cap, however short the rest */
	const uint8_t many[4] = {0xff, 0xff, 0xff, 0xff};
	assert_int_equal(vg_manifest_parse(many, sizeof many, &out, &n), 0);
	/* no paths at all is well formed */
	const uint8_t none[4] = {0, 0, 0, 0};
	assert_int_equal(vg_manifest_parse(none, sizeof none, &out, &n), 1);
	assert_int_equal(n, 0);
	free(out);
	char *empty[] = {""};
	assert_null(vg_manifest_encode(empty, 1, &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_include_refused),
		cmocka_unit_test(test_cachefile),
		cmocka_unit_test(test_manifest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
