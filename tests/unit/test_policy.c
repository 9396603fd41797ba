/*
 * The release policy (lib/policy/): a full policy and every query on it
 * (first match wins, globs without FNM_PATHNAME, case-sensitive, pins per
 * version, waivers by signal and expiry day); the default policy; and bad
 * policies, each refused with one error diagnostic that names the file,
 * the line and column of the offending key or value and the key: syntax
 * errors, unknown keys at every level, wrong types, bad levels, digests,
 * dates and versions, duplicate keys, a capability both allowed and
 * forbidden. Expired waivers load with a notice and never apply. Every
 * truncation of the good policy is refused or loaded without a crash.
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

#include <vigil/policy.h>

#include "policy/policy_locate.h"

typedef struct diags {
	int errors, notices;
	unsigned long line;
	char file[256];
	char msg[1024];
} diags;

static void on_diag(void *ctx, const vigil_diag *d)
{
	diags *g = ctx;
	if (d->severity == VIGIL_DIAG_ERROR) {
		g->errors++;
		if (g->errors == 1) {
			g->line = d->line;
			snprintf(g->file, sizeof g->file, "%s", d->file ? d->file : "");
			snprintf(g->msg, sizeof g->msg, "%s", d->message);
		}
	} else {
		g->notices++;
		if (!g->errors)
			snprintf(g->msg, sizeof g->msg, "%s", d->message);
	}
}

static const char good[] =
	"{\n"
	"  \"vigil_policy\": 1,\n"
	"  \"fail_on\": \"medium\",\n"
	"  \"signers\": [\n"
	"    {\"path\": \"app/*.dll\", \"subject\": \"CN=Contoso Ltd\", \"issuer\": \"CN=Contoso CA\"},\n"
	"    {\"path\": \"*d3dcompiler_47.dll\", \"issuer\": \"CN=Fabrikam Root\",\n"
	"     \"thumbprint\": \"ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789\"},\n"
	"    {\"path\": \"*\", \"subject\": \"CN=anyone\"}\n"
	"  ],\n"
	"  \"must_be_signed\": [\"*.exe\", \"bin/*.dll\"],\n"
	"  \"pinned\": [\n"
	"    {\"path\": \"*/d3dcompiler_47.dll\", \"version\": \"10.0.20348.1\",\n"
	"     \"sha256\": \"00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF\"},\n"
	"    {\"path\": \"lib/libz.so.1\", \"sha256\": \"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"}\n"
	"  ],\n"
	"  \"capabilities\": {\"allow\": [\"net/http\"], \"forbid\": [\"mem/rwx\", \"file/read-sibling\"]},\n"
	"  \"waivers\": [\n"
	"    {\"path\": \"app/ffmpeg.dll\", \"signal\": \"VGL-DIFF-SAME-VERSION\",\n"
	"     \"reason\": \"rebuilt with the same version, ticket 42\", \"expires\": \"2027-01-31\"},\n"
	"    {\"path\": \"*\", \"signal\": \"VGL-DIFF-NEW-IMPORTS\", \"reason\": \"old\",\n"
	"     \"expires\": \"2020-02-29\"}\n"
	"  ]\n"
	"}\n";

static vigil_policy *load(const char *text, diags *g)
{
	vigil_policy_options o;
	vigil_policy_options_init(&o);
	o.today = "2026-12-02";
	memset(g, 0, sizeof *g);
	return vigil_policy_load_buffer(text, strlen(text), "p.json", &o, on_diag, g);
}

static void test_good_policy(void **state)
{
	(void)state;
	diags g;
	vigil_policy *p = load(good, &g);
	assert_non_null(p);
	assert_int_equal(g.errors, 0);
	/* the expired waiver is told of, with its line */
	assert_int_equal(g.notices, 1);
	assert_non_null(strstr(g.msg, "expired on 2020-02-29"));
	assert_string_equal(vigil_policy_fail_on(p), "medium");

	const vigil_policy_signer *s = vigil_policy_signer_for(p, "app/ffmpeg.dll");
	assert_non_null(s);
	assert_string_equal(s->subject, "CN=Contoso Ltd");
	assert_string_equal(s->issuer, "CN=Contoso CA");
	assert_null(s->thumbprint);
	/* '*' crosses '/' (no FNM_PATHNAME) */
	s = vigil_policy_signer_for(p, "app/sub/codec.dll");
	assert_non_null(s);
	assert_string_equal(s->subject, "CN=Contoso Ltd");
	s = vigil_policy_signer_for(p, "app/d3dcompiler_47.dll");
	assert_string_equal(s->subject, "CN=Contoso Ltd"); /* first match wins */
	s = vigil_policy_signer_for(p, "x/d3dcompiler_47.dll");
	assert_non_null(s);
	assert_null(s->subject);
	assert_string_equal(s->thumbprint,
			    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	/* case-sensitive: APP/ is not app/ */
	s = vigil_policy_signer_for(p, "APP/FFMPEG.DLL");
	assert_string_equal(s->subject, "CN=anyone");

	assert_int_equal(vigil_policy_must_be_signed(p, "setup.exe"), 1);
	assert_int_equal(vigil_policy_must_be_signed(p, "a/b/setup.exe"), 1);
	assert_int_equal(vigil_policy_must_be_signed(p, "bin/x.dll"), 1);
	assert_int_equal(vigil_policy_must_be_signed(p, "lib/x.dll"), 0);
	assert_int_equal(vigil_policy_must_be_signed(p, "setup.EXE"), 0);

	const vigil_policy_pin *pin =
		vigil_policy_pin_for(p, "app/d3dcompiler_47.dll", "10.0.20348.1");
	assert_non_null(pin);
	assert_string_equal(pin->sha256,
			    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	assert_null(vigil_policy_pin_for(p, "app/d3dcompiler_47.dll", "10.0.20348.2"));
	assert_null(vigil_policy_pin_for(p, "app/d3dcompiler_47.dll", NULL));
	pin = vigil_policy_pin_for(p, "lib/libz.so.1", "1.2.13");
	assert_non_null(pin);
	assert_null(pin->version);
	assert_non_null(vigil_policy_pin_for(p, "lib/libz.so.1", NULL));

	assert_int_equal(vigil_policy_capability_allowed(p, "net/http"), 1);
	assert_int_equal(vigil_policy_capability_allowed(p, "mem/rwx"), 0);
	assert_int_equal(vigil_policy_capability_forbidden(p, "mem/rwx"), 1);
	assert_int_equal(vigil_policy_capability_forbidden(p, "file/read-sibling"), 1);
	assert_int_equal(vigil_policy_capability_forbidden(p, "net/http"), 0);

	const char *why = NULL;
	assert_int_equal(vigil_policy_waived(p, "app/ffmpeg.dll", "VGL-DIFF-SAME-VERSION",
					     "2026-12-02", &why), 1);
	assert_string_equal(why, "rebuilt with the same version, ticket 42");
	/* the expiry day is the last day it applies */
	assert_int_equal(vigil_policy_waived(p, "app/ffmpeg.dll", "VGL-DIFF-SAME-VERSION",
					     "2027-01-31", NULL), 1);
	assert_int_equal(vigil_policy_waived(p, "app/ffmpeg.dll", "VGL-DIFF-SAME-VERSION",
					     "2027-02-01", NULL), 0);
	assert_int_equal(vigil_policy_waived(p, "app/ffmpeg.dll", "VGL-DIFF-MODIFIED",
					     "2026-12-02", NULL), 0);
	assert_int_equal(vigil_policy_waived(p, "app/other.dll", "VGL-DIFF-SAME-VERSION",
					     "2026-12-02", NULL), 0);
	/* the expired one never applies */
	assert_int_equal(vigil_policy_waived(p, "x", "VGL-DIFF-NEW-IMPORTS", "2026-12-02", NULL), 0);
	assert_int_equal(vigil_policy_waived(p, "x", "VGL-DIFF-NEW-IMPORTS", "2020-02-29", NULL), 1);
	assert_int_equal(vigil_policy_waived(p, "x", "VGL-DIFF-NEW-IMPORTS", "bad-date", NULL), 0);
	vigil_policy_destroy(p);
}

static void test_default_and_minimal(void **state)
{
	(void)state;
	vigil_policy *p = vigil_policy_default();
	assert_non_null(p);
	assert_string_equal(vigil_policy_fail_on(p), "high");
	assert_null(vigil_policy_signer_for(p, "a.dll"));
	assert_int_equal(vigil_policy_must_be_signed(p, "a.exe"), 0);
	assert_null(vigil_policy_pin_for(p, "a.dll", "1"));
	assert_int_equal(vigil_policy_capability_forbidden(p, "mem/rwx"), 0);
	assert_int_equal(vigil_policy_waived(p, "a", "VGL-DIFF-ADDED", NULL, NULL), 0);
	vigil_policy_destroy(p);
	vigil_policy_destroy(NULL);

	diags g;
	p = load("{\"vigil_policy\": 1}", &g);
	assert_non_null(p);
	assert_int_equal(g.errors + g.notices, 0);
	assert_string_equal(vigil_policy_fail_on(p), "high");
	assert_null(vigil_policy_signer_for(p, "a.dll"));
	vigil_policy_destroy(p);
}

/* A bad policy: refused with exactly one error at line:column whose
 * message holds want. */
typedef struct bad_case {
	const char *text;
	unsigned long line, column;
	const char *want;
} bad_case;

static const bad_case bad[] = {
	{"{\"vigil_policy\": 1,\n \"fail_on\": \"high\",,}", 2, 20, "malformed JSON"},
	{"", 1, 0, "malformed JSON"},
	{"[1]", 1, 1, "a policy is a JSON object"},
	{"{\"fail_on\": \"high\"}", 1, 1, "missing key 'vigil_policy'"},
	{"{\"vigil_policy\": 2}", 1, 2, "unsupported policy version"},
	{"{\"vigil_policy\": \"1\"}", 1, 2, "unsupported policy version"},
	{"{\"vigil_policy\": 1,\n  \"failon\": \"high\"}", 2, 3, "unknown key 'failon'"},
	{"{\"vigil_policy\": 1,\n \"fail_on\": \"severe\"}", 2, 2, "unknown level 'severe'"},
	{"{\"vigil_policy\": 1, \"fail_on\": 3}", 1, 21, "'fail_on' must be a string"},
	{"{\"vigil_policy\": 1,\n \"signers\": [\n  {\"path\": \"a\", \"subject\": \"s\"},\n"
	 "  {\"path\": \"b\",\n   \"subjekt\": \"s\"}]}",
	 5, 4, "signers[1]: unknown key 'subjekt'"},
	{"{\"vigil_policy\": 1, \"signers\": [{\"subject\": \"s\"}]}", 1, 33, "missing key 'path'"},
	{"{\"vigil_policy\": 1, \"signers\": [{\"path\": \"a\"}]}", 1, 33,
	 "needs 'subject', 'issuer' or 'thumbprint'"},
	{"{\"vigil_policy\": 1, \"signers\": [{\"path\": \"a\", \"thumbprint\": \"abc\"}]}", 1, 47,
	 "signers[0].thumbprint: 'thumbprint' must be a SHA-256"},
	{"{\"vigil_policy\": 1, \"signers\": {\"path\": \"a\"}}", 1, 21, "'signers' must be an array"},
	{"{\"vigil_policy\": 1, \"signers\": [\"a\"]}", 1, 33, "a signer must be an object"},
	{"{\"vigil_policy\": 1, \"signers\": [{\"path\": \"\", \"subject\": \"s\"}]}", 1, 34,
	 "non-empty string"},
	{"{\"vigil_policy\": 1, \"must_be_signed\": [\"*.exe\", 7]}", 1, 49,
	 "must_be_signed[1]: each entry"},
	{"{\"vigil_policy\": 1, \"pinned\": [{\"path\": \"a\", \"sha256\": \"zz\"}]}", 1, 46,
	 "'sha256' must be a SHA-256"},
	{"{\"vigil_policy\": 1, \"pinned\": [{\"path\": \"a\", \"version\": \"1\"}]}", 1, 32,
	 "missing key 'sha256'"},
	{"{\"vigil_policy\": 1, \"capabilities\": {\"allow\": [\"a\"], \"deny\": [\"b\"]}}", 1, 54,
	 "capabilities: unknown key 'deny'"},
	{"{\"vigil_policy\": 1, \"capabilities\": {\"allow\": [\"a\"], \"forbid\": [\"b\", \"a\"]}}",
	 1, 70, "capability 'a' is both allowed and forbidden"},
	{"{\"vigil_policy\": 1, \"waivers\": [{\"path\": \"a\", \"signal\": \"S\", \"reason\": \"r\","
	 " \"expires\": \"2027-01-01\"}]}",
	 1, 47, "'signal' must be a signal ID"},
	{"{\"vigil_policy\": 1, \"waivers\": [{\"path\": \"a\", \"signal\": \"VGL-X\", \"reason\": \"r\","
	 "\n \"expires\": \"2027-02-29\"}]}",
	 2, 2, "'expires' must be a date"},
	{"{\"vigil_policy\": 1, \"waivers\": [{\"path\": \"a\", \"signal\": \"VGL-X\","
	 " \"expires\": \"2027-02-28\"}]}",
	 1, 33, "missing key 'reason'"},
	{"{\"vigil_policy\": 1, \"vigil_policy\": 1}", 1, 34, "duplicate object key"},
	/* a key written with an escape cannot be followed: its object is blamed */
	{"{\"vigil_policy\": 1,\n \"signers\": [{\"path\": \"a\", \"subject\": \"s\", \"\\u0078\": 1}]}",
	 2, 14, "unknown key 'x'"},
};

static void test_bad_policies(void **state)
{
	(void)state;
	int bad_cols = 0;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		diags g;
		vigil_policy *p = load(bad[i].text, &g);
		if (p || g.errors != 1 || g.line != bad[i].line || !strstr(g.msg, bad[i].want) ||
		    strcmp(g.file, "p.json") != 0) {
			fprintf(stderr, "case %zu: p=%p errors=%d line=%lu msg='%s'\n", i, (void *)p,
				g.errors, g.line, g.msg);
			fail();
		}
		char col[32];
		snprintf(col, sizeof col, "column %lu: ", bad[i].column);
		if (strncmp(g.msg, col, strlen(col)) != 0) {
			fprintf(stderr, "case %zu: want '%s', got '%s'\n", i, col, g.msg);
			bad_cols++;
		}
	}
	assert_int_equal(bad_cols, 0);
}

static void test_file_and_options(void **state)
{
	(void)state;
	const char *tmp = getenv("VIGIL_TEST_TMP");
	char dir[512], path[600];
	snprintf(dir, sizeof dir, "%s/test_policy.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char mkcmd[600];
	snprintf(mkcmd, sizeof mkcmd, "mkdir -p '%s'", tmp && *tmp ? tmp : "/tmp");
	assert_int_equal(system(mkcmd), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/policy.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"vigil_policy\": 1,\n\"fail_on\": \"low\",\n\"bogus\": true}\n", f);
	fclose(f);
	diags g = {0};
	vigil_policy_options o;
	vigil_policy_options_init(&o);
	o.today = "2026-12-02";
	assert_null(vigil_policy_load(path, &o, on_diag, &g));
	assert_int_equal(g.errors, 1);
	assert_string_equal(g.file, path);
	assert_int_equal(g.line, 3);
	assert_non_null(strstr(g.msg, "column 1: unknown key 'bogus'"));

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"vigil_policy\": 1, \"fail_on\": \"critical\"}", f);
	fclose(f);
	memset(&g, 0, sizeof g);
	vigil_policy *p = vigil_policy_load(path, NULL, on_diag, &g);
	assert_non_null(p);
	assert_string_equal(vigil_policy_fail_on(p), "critical");
	vigil_policy_destroy(p);

	/* too large for max_size */
	o.max_size = 10;
	memset(&g, 0, sizeof g);
	assert_null(vigil_policy_load(path, &o, on_diag, &g));
	assert_int_equal(g.errors, 1);
	o.max_size = 0;
	/* a bad today */
	o.today = "2026-13-01";
	memset(&g, 0, sizeof g);
	assert_null(vigil_policy_load(path, &o, on_diag, &g));
	assert_int_equal(g.errors, 1);
	unlink(path);
	/* a missing file */
	memset(&g, 0, sizeof g);
	assert_null(vigil_policy_load(path, NULL, on_diag, &g));
	assert_int_equal(g.errors, 1);
	assert_string_equal(g.file, path);
	assert_non_null(strstr(g.msg, "cannot read the policy"));
	rmdir(dir);
}

static void test_truncations(void **state)
{
	(void)state;
	size_t n = strlen(good);
	for (size_t len = 0; len < n; len++) {
		char *b = malloc(len ? len : 1);
		assert_non_null(b);
		memcpy(b, good, len);
		diags g = {0};
		vigil_policy_options o;
		vigil_policy_options_init(&o);
		o.today = "2026-12-02";
		vigil_policy *p = vigil_policy_load_buffer(b, len, "t.json", &o, on_diag, &g);
		/* only the whole document is a policy (its last byte is '\n') */
		if (len + 1 < n) {
			assert_null(p);
			assert_int_equal(g.errors, 1);
		} else {
			assert_non_null(p);
		}
		vigil_policy_destroy(p);
		free(b);
	}
}

static void test_locate(void **state)
{
	(void)state;
	const char t[] = "{\"a\": [1, {\"b\": \"x,]}\"},\n  {\"c\": [[]], \"d\": 2}]}";
	unsigned long l, c;
	vg_json_step p1[] = {{"a", 0}, {NULL, 2}, {"d", 0}};
	vg_json_locate(t, strlen(t), p1, 3, &l, &c);
	assert_int_equal(l, 2);
	assert_int_equal(c, 15);
	vg_json_step p2[] = {{"a", 0}, {NULL, 7}};
	vg_json_locate(t, strlen(t), p2, 2, &l, &c);
	assert_int_equal(l, 1);
	assert_int_equal(c, 2); /* index 7 does not exist: the key "a" */
	vg_json_step p3[] = {{"zz", 0}};
	vg_json_locate(t, strlen(t), p3, 1, &l, &c);
	assert_int_equal(l, 1);
	assert_int_equal(c, 1);
	vg_json_locate("", 0, p3, 1, &l, &c);
	assert_int_equal(l, 1);
	assert_int_equal(c, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_policy),
		cmocka_unit_test(test_default_and_minimal),
		cmocka_unit_test(test_bad_policies),
		cmocka_unit_test(test_file_and_options),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_locate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
