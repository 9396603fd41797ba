/*
 * The built-in content packs (content/<pack>/): every IOC file loads with no
 * malformed line, every IOC names its source, every rule file compiles and
 * every rule carries the metadata the project requires. For the 3CX pack the
 * counts per IOC type are pinned, so an edit that drops or garbles entries
 * shows up here, and a few paths check the file-name IOCs' anchoring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>
#include <yara.h>

#include <vigil/intel.h>
#include <vigil/iocs.h>
#include <vigil/rules.h>

#include "rules/rules_internal.h"

static char content_dir[2048];

struct diag_count {
	unsigned problems;
	int strict; /* count every diagnostic, even compiler warnings (INFO) */
};

/* Count warnings and errors; INFO ("not an IOC file, skipped") is fine. */
static void count_diag(void *ctx, const vigil_diag *d)
{
	struct diag_count *c = ctx;
	if (d->severity >= VIGIL_DIAG_WARNING || c->strict) {
		c->problems++;
		fprintf(stderr, "%s:%lu: %s\n", d->file ? d->file : "?", d->line,
			d->message);
	}
}

static int setup(void **state)
{
	const char *src = getenv("VIGIL_TEST_SRC");
	if (!src)
		src = ".";
	snprintf(content_dir, sizeof content_dir, "%s/content", src);
	return 0;
}

/* Call fn for each pack directory under content/; returns how many. */
static int for_each_pack(void (*fn)(const char *dir))
{
	DIR *d = opendir(content_dir);
	assert_non_null(d);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		char p[2400];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", content_dir, e->d_name);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			fn(p);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void check_pack_iocs(const char *dir)
{
	struct diag_count c = {0};
	vigil_iocs *set = vigil_iocs_create();
	assert_non_null(set);
	vigil_iocs_set_diag(set, count_diag, &c);
	assert_int_equal(vigil_iocs_load(set, dir, VIGIL_IOC_AUTO), VIGIL_OK);
	assert_int_equal(c.problems, 0);
	/* every IOC carries its source reference and a sane score */
	for (int t = 0; t < VIGIL_IOC_TYPE_COUNT; t++) {
		const vigil_ioc *ioc;
		for (size_t i = 0; (ioc = vigil_iocs_get(set, t, i)); i++) {
			if (!strstr(ioc->comment, "(ref: "))
				fail_msg("%s:%lu: IOC '%s' names no source", ioc->source,
					 ioc->line, ioc->value);
			if (ioc->score < 50 || ioc->score > 100)
				fail_msg("%s:%lu: score %d outside 50-100", ioc->source,
					 ioc->line, ioc->score);
		}
	}
	vigil_iocs_destroy(set);
}

static void all_packs_load_cleanly(void **state)
{
	assert_true(for_each_pack(check_pack_iocs) >= 1);
}

static void threecx_counts(void **state)
{
	char dir[4200];
	struct diag_count c = {0};
	snprintf(dir, sizeof dir, "%s/3cx", content_dir);
	vigil_iocs *set = vigil_iocs_create();
	vigil_iocs_set_diag(set, count_diag, &c);
	assert_int_equal(vigil_iocs_load(set, dir, VIGIL_IOC_AUTO), VIGIL_OK);
	assert_int_equal(vigil_iocs_count(set, VIGIL_IOC_MD5), 24);
	assert_int_equal(vigil_iocs_count(set, VIGIL_IOC_SHA1), 15);
	assert_int_equal(vigil_iocs_count(set, VIGIL_IOC_SHA256), 58);
	assert_int_equal(vigil_iocs_count(set, VIGIL_IOC_PATH_REGEX), 17);
	assert_int_equal(vigil_iocs_count(set, VIGIL_IOC_DOMAIN), 28);
	assert_int_equal(vigil_iocs_count(set, VIGIL_IOC_URL), 16);
	assert_int_equal(vigil_iocs_count(set, VIGIL_IOC_IPV4), 0);
	assert_int_equal(vigil_iocs_count(set, VIGIL_IOC_IPV6), 0);
	/* a loaded hash is found by its digest (the published ffmpeg.dll) */
	static const uint8_t ffmpeg[32] = {
		0x79, 0x86, 0xbb, 0xae, 0xe8, 0x94, 0x0d, 0xa1, 0x1c, 0xe0, 0x89,
		0x38, 0x35, 0x21, 0xab, 0x42, 0x0c, 0x44, 0x3a, 0xb7, 0xb1, 0x5e,
		0xd4, 0x2a, 0xed, 0x91, 0xfd, 0x31, 0xce, 0x83, 0x38, 0x96};
	const vigil_ioc *hit = vigil_iocs_find_hash(set, ffmpeg, sizeof ffmpeg);
	assert_non_null(hit);
	assert_int_equal(hit->score, 100);
	assert_non_null(strstr(hit->comment, "ffmpeg.dll"));
	vigil_iocs_destroy(set);
}

static void count_match(void *ctx, const vigil_ioc *ioc)
{
	(*(int *)ctx)++;
}

static int path_hits(vigil_iocs *set, const char *path)
{
	int n = 0;
	assert_int_equal(vigil_iocs_match_path(set, path, strlen(path),
					       count_match, &n), VIGIL_OK);
	return n;
}

static void threecx_path_iocs(void **state)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/3cx/filename-iocs.txt", content_dir);
	vigil_iocs *set = vigil_iocs_create();
	assert_int_equal(vigil_iocs_load(set, dir, VIGIL_IOC_AUTO), VIGIL_OK);
	/* the phantom DLL, on Windows and on a mounted disk, any case */
	assert_int_equal(path_hits(set, "C:\\Windows\\System32\\wlbsctrl.dll"), 1);
	assert_int_equal(path_hits(set, "/mnt/c/WINDOWS/system32/WLBSCTRL.DLL"), 1);
	assert_int_equal(path_hits(set, "/mnt/c/Windows/SysWOW64/wlbsctrl.dll"), 0);
	assert_int_equal(path_hits(set, "/mnt/c/Windows/System32/wlbsctrl.dll.mui"), 0);
	/* installers: the name itself, not a longer one, not the clean build */
	assert_int_equal(path_hits(set, "/home/u/Downloads/3CXDesktopApp-18.12.416.msi"), 1);
	assert_int_equal(path_hits(set, "3cxdesktopapp-18.12.407.msi"), 1);
	assert_int_equal(path_hits(set, "C:\\Users\\u\\Downloads\\3CXDesktopApp-18.11.1213.dmg"), 1);
	assert_int_equal(path_hits(set, "/home/u/Downloads/my3CXDesktopApp-18.12.416.msi"), 0);
	assert_int_equal(path_hits(set, "/home/u/Downloads/3CXDesktopApp-18.12.422.msi"), 0);
	assert_int_equal(path_hits(set, "/home/u/3CXDesktopApp-18.12.416.msi.sha256"), 0);
	/* macOS: the dropped files, not the app's other files */
	assert_int_equal(path_hits(set, "/Users/u/Library/Application Support/3CX Desktop App/UpdateAgent"), 1);
	assert_int_equal(path_hits(set, "/Users/u/Library/Application Support/3CX Desktop App/config.json"), 0);
	/* a Linux system stays quiet */
	assert_int_equal(path_hits(set, "/usr/bin/ls"), 0);
	assert_int_equal(path_hits(set, "/usr/lib/x86_64-linux-gnu/libc.so.6"), 0);
	vigil_iocs_destroy(set);
}

struct rules_ctx {
	vigil_rules *rules;
	struct diag_count diag;
};

static struct rules_ctx *rctx;

static void add_pack_rules(const char *dir)
{
	char p[4200];
	struct stat st;
	snprintf(p, sizeof p, "%s/rules", dir);
	if (stat(p, &st) == 0)
		assert_int_equal(vigil_rules_add_path(rctx->rules, p), VIGIL_OK);
}

static const YR_META *find_meta(const YR_RULE *rule, const char *name)
{
	const YR_META *m;
	yr_rule_metas_foreach(rule, m)
	{
		if (strcmp(m->identifier, name) == 0)
			return m;
	}
	return NULL;
}

static void rules_compile_with_metadata(void **state)
{
	struct rules_ctx c = {0};
	rctx = &c;
	c.diag.strict = 1; /* a rule YARA warns about (slow string...) fails */
	c.rules = vigil_rules_create();
	if (c.rules)
		vigil_rules_set_diag(c.rules, count_diag, &c.diag);
	assert_non_null(c.rules);
	for_each_pack(add_pack_rules);
	assert_int_equal(vigil_rules_finish(c.rules), VIGIL_OK);
	assert_int_equal(c.diag.problems, 0);
	/* the 3CX pack alone has 7 rules in 3 files */
	assert_true(vigil_rules_count(c.rules) >= 7);
	assert_true(vigil_rules_file_count(c.rules) >= 3);

	YR_RULES *yr = vg_rules_yara(c.rules, VIGIL_FILE_MZ);
	const YR_RULE *rule;
	unsigned n3cx = 0;
	yr_rules_foreach(yr, rule)
	{
		static const char *const strs[] = {"description", "author",
						   "reference", "date"};
		for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
			const YR_META *m = find_meta(rule, strs[i]);
			if (!m || m->type != META_TYPE_STRING || !*m->string)
				fail_msg("rule %s: no '%s' meta", rule->identifier, strs[i]);
		}
		const YR_META *s = find_meta(rule, "score");
		if (!s || s->type != META_TYPE_INTEGER || s->integer < 1 ||
		    s->integer > 100)
			fail_msg("rule %s: no integer 'score' 1-100", rule->identifier);
		if (strcmp(find_meta(rule, "author")->string, "vigil project") != 0)
			fail_msg("rule %s: author is not the vigil project", rule->identifier);
		if (strstr(rule->ns->name, "/3cx/rules/"))
			n3cx++;
	}
	assert_int_equal(n3cx, 7);
	vigil_rules_destroy(c.rules);
	rctx = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_packs_load_cleanly),
		cmocka_unit_test(threecx_counts),
		cmocka_unit_test(threecx_path_iocs),
		cmocka_unit_test(rules_compile_with_metadata),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
