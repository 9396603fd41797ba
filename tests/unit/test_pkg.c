/*
 * The dpkg database parsers (status stanzas with multi-line fields and
 * Conffiles with flags, md5sums with odd spacing and paths with blanks,
 * .list files, diversion triples), the resolver of paths inside a root
 * (merged /usr, symlinks that try to leave the root), and the
 * verification on a root built here: an arch-qualified info file, a
 * changed file, a missing one, a changed conffile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>

#include <cmocka.h>
#include <vigil/pkg.h>

#include "base/digest.h"
#include "base/util.h"
#include "pkg/dpkg.h"
#include "pkg/pkg_root.h"

static unsigned long ndiag;
static unsigned long last_line;
static void count_diag(void *ctx, const vigil_diag *d)
{
	(void)ctx;
	ndiag++;
	last_line = d->line;
}

/* --- status --- */

struct st_seen {
	int n;
	char name[4][64], desc_last[64];
	int conffiles, obsolete, newconf;
	unsigned long cf_line;
};

static int on_cf(void *ctx, const vg_dpkg_conffile *c)
{
	struct st_seen *s = ctx;
	s->conffiles++;
	s->obsolete += c->obsolete;
	s->newconf += !c->has_md5;
	return 0;
}

static int on_stanza(void *ctx, const vg_dpkg_stanza *st)
{
	struct st_seen *s = ctx;
	const vg_span *name = vg_dpkg_get(st, "package");
	assert_non_null(name);
	snprintf(s->name[s->n], sizeof s->name[0], "%.*s", (int)name->n, name->p);
	const vg_span *d = vg_dpkg_get(st, "Description");
	if (d) {
		const char *b = d->p + d->n;
		while (b > d->p && b[-1] != '\n')
			b--;
		snprintf(s->desc_last, sizeof s->desc_last, "%.*s",
			 (int)(d->p + d->n - b), b);
	}
	const vg_span *cf = vg_dpkg_get(st, "Conffiles");
	if (cf) {
		vg_dpkg_diag dg = {count_diag, NULL, "status", 0};
		for (size_t i = 0; i < st->n; i++)
			if (&st->f[i].value == cf)
				s->cf_line = st->f[i].line;
		vg_dpkg_parse_conffiles(*cf, s->cf_line, &dg, on_cf, s);
	}
	s->n++;
	return 0;
}

static void test_status(void **state)
{
	(void)state;
	static const char text[] =
		"Package: alpha\n"
		"Status: install ok installed\n"
		"Description: first line\n"
		" second line\n"
		" .\n"
		" last line\n"
		"Conffiles:\n"
		" /etc/alpha.conf 0123456789abcdef0123456789abcdef\n"
		" /etc/old name.conf 0123456789abcdef0123456789abcdef obsolete\n"
		" /etc/new.conf newconffile\n"
		" /etc/bad.conf nothex\n"
		"\n\n"
		"no colon here\n"
		"Package: beta\n"
		"Status: deinstall ok config-files\n"
		"\n"
		" stray continuation\n"
		"Package: gamma\r\n";
	struct st_seen s = {0};
	ndiag = 0;
	vg_dpkg_diag dg = {count_diag, NULL, "status", 0};
	vg_dpkg_parse_stanzas(text, sizeof text - 1, &dg, on_stanza, &s);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.name[0], "alpha");
	assert_string_equal(s.name[1], "beta");
	assert_string_equal(s.name[2], "gamma"); /* CR cut */
	assert_string_equal(s.desc_last, " last line"); /* continuation kept as is */
	assert_int_equal(s.conffiles, 3);
	assert_int_equal(s.obsolete, 1);
	assert_int_equal(s.newconf, 1);
	assert_int_equal(s.cf_line, 7);
	/* bad conffile (line 11), no colon (line 14), stray (line 18) */
	assert_int_equal(ndiag, 3);
	assert_int_equal(dg.problems, 2);
	assert_int_equal(last_line, 18);
}

/* --- md5sums --- */

struct md5_seen {
	int n;
	char path[8][128];
	uint8_t first[16];
};

static int on_md5(void *ctx, const uint8_t md5[16], vg_span path, unsigned long line)
{
	struct md5_seen *s = ctx;
	(void)line;
	if (!s->n)
		memcpy(s->first, md5, 16);
	snprintf(s->path[s->n++], 128, "%.*s", (int)path.n, path.p);
	return 0;
}

static void test_md5sums(void **state)
{
	(void)state;
	static const char text[] =
		"d41d8cd98f00b204e9800998ecf8427e  usr/bin/plain\n"
		"D41D8CD98F00B204E9800998ECF8427E usr/share/with space.txt\n"
		"d41d8cd98f00b204e9800998ecf8427e \t  /usr/lib/abs\n"
		"d41d8cd98f00b204e9800998ecf8427e *./usr/lib/binary-mark\n"
		"d41d8cd98f00b204e9800998ecf8427  usr/short-hash\n"
		"d41d8cd98f00b204e9800998ecf8427e\n"
		"\n"
		"zz1d8cd98f00b204e9800998ecf8427e  usr/nothex\n"
		"d41d8cd98f00b204e9800998ecf8427e  usr/no-newline";
	struct md5_seen s = {0};
	ndiag = 0;
	vg_dpkg_diag dg = {count_diag, NULL, "x.md5sums", 0};
	vg_dpkg_parse_md5sums(text, sizeof text - 1, &dg, on_md5, &s);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.path[0], "usr/bin/plain");
	assert_string_equal(s.path[1], "usr/share/with space.txt");
	assert_string_equal(s.path[2], "usr/lib/abs");
	assert_string_equal(s.path[3], "usr/lib/binary-mark");
	assert_string_equal(s.path[4], "usr/no-newline");
	assert_int_equal(s.first[0], 0xd4);
	assert_int_equal(s.first[15], 0x7e);
	assert_int_equal(ndiag, 3);
	assert_int_equal(last_line, 8);
}

/* A line over the cap is reported and skipped; the next one is read. */
static void test_long_line(void **state)
{
	(void)state;
	size_t n = VG_DPKG_MAX_LINE + 100;
	char *text = malloc(n + 64);
	assert_non_null(text);
	memcpy(text, "d41d8cd98f00b204e9800998ecf8427e  ", 34);
	memset(text + 34, 'a', n - 34);
	text[n] = '\n';
	memcpy(text + n + 1, "d41d8cd98f00b204e9800998ecf8427e  next\n", 39);
	struct md5_seen s = {0};
	ndiag = 0;
	vg_dpkg_diag dg = {count_diag, NULL, "x.md5sums", 0};
	vg_dpkg_parse_md5sums(text, n + 40, &dg, on_md5, &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.path[0], "next");
	assert_int_equal(ndiag, 1);
	assert_int_equal(last_line, 1);
	free(text);
}

/* --- list and diversions --- */

static int on_list(void *ctx, vg_span path, unsigned long line)
{
	(void)path;
	(void)line;
	(*(int *)ctx)++;
	return 0;
}

static void test_list(void **state)
{
	(void)state;
	static const char text[] = "/.\n/usr\n/usr/bin/a b\nrelative\n\n/usr/bin/c";
	int n = 0;
	ndiag = 0;
	vg_dpkg_diag dg = {count_diag, NULL, "x.list", 0};
	vg_dpkg_parse_list(text, sizeof text - 1, &dg, on_list, &n);
	assert_int_equal(n, 4);
	assert_int_equal(ndiag, 1);
	assert_int_equal(last_line, 4);
}

struct div_seen {
	int n;
	char from[4][64], to[4][64], by[4][64];
	unsigned long line[4];
};

static int on_div(void *ctx, vg_span from, vg_span to, vg_span by, unsigned long line)
{
	struct div_seen *s = ctx;
	snprintf(s->from[s->n], 64, "%.*s", (int)from.n, from.p);
	snprintf(s->to[s->n], 64, "%.*s", (int)to.n, to.p);
	snprintf(s->by[s->n], 64, "%.*s", (int)by.n, by.p);
	s->line[s->n++] = line;
	return 0;
}

static void test_diversions(void **state)
{
	(void)state;
	static const char text[] =
		"/usr/bin/a\n/usr/bin/a.distrib\n:\n"
		"/bin/sh\n/bin/sh.distrib\ndash\n"
		"relative\n/x\npkg\n"
		"/usr/bin/cut\n/usr/bin/cut.real\n";
	struct div_seen s = {0};
	ndiag = 0;
	vg_dpkg_diag dg = {count_diag, NULL, "diversions", 0};
	vg_dpkg_parse_diversions(text, sizeof text - 1, &dg, on_div, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.to[0], "/usr/bin/a.distrib");
	assert_string_equal(s.by[0], ":");
	assert_string_equal(s.from[1], "/bin/sh");
	assert_string_equal(s.by[1], "dash");
	assert_int_equal(s.line[1], 4);
	assert_int_equal(ndiag, 2); /* the relative triple, the cut-short one */
	assert_int_equal(last_line, 10);
}

/* --- the resolver and a verification on a built root --- */

static char root[512];

static void put(const char *rel, const char *text)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", p);
	assert_int_equal(system(cmd), 0);
	*slash = '/';
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void make_root(void)
{
	const char *tmp = getenv("VIGIL_TEST_TMP");
	char base[400];
	snprintf(base, sizeof base, "%s", tmp ? tmp : "/tmp");
	mkdir(base, 0755);
	snprintf(root, sizeof root, "%s/pkgroot.XXXXXX", base);
	assert_non_null(mkdtemp(root));
}

static void rm_root(void)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void resolve_is(vg_proot *r, const char *in, const char *want)
{
	char *out = NULL;
	assert_int_equal(vg_proot_resolve(r, in, strlen(in), &out), 0);
	if (strcmp(out, want))
		fprintf(stderr, "%s -> %s, want %s\n", in, out, want);
	assert_string_equal(out, want);
	free(out);
}

static void test_resolver(void **state)
{
	(void)state;
	make_root();
	put("usr/bin/ls", "x");
	char p[1024];
	snprintf(p, sizeof p, "%s/bin", root);
	assert_int_equal(symlink("usr/bin", p), 0);
	snprintf(p, sizeof p, "%s/usr/up", root);
	assert_int_equal(symlink("../../../../..", p), 0);
	snprintf(p, sizeof p, "%s/usr/abs", root);
	assert_int_equal(symlink("/", p), 0);
	snprintf(p, sizeof p, "%s/loop", root);
	assert_int_equal(symlink("loop", p), 0);
	vg_proot r = {0};
	r.fd = open(root, O_RDONLY | O_DIRECTORY);
	r.prefix = root;
	assert_true(r.fd >= 0);
	resolve_is(&r, "/bin/ls", "/usr/bin/ls");
	resolve_is(&r, "/bin/ls", "/usr/bin/ls"); /* from the cache */
	resolve_is(&r, "/usr/up/etc/passwd", "/etc/passwd");
	resolve_is(&r, "/usr/abs/usr/bin/x", "/usr/bin/x");
	resolve_is(&r, "/.", "/");
	resolve_is(&r, "/bin", "/bin"); /* the last component is not followed */
	resolve_is(&r, "/missing/dir/f", "/missing/dir/f");
	char *out = NULL;
	assert_int_equal(vg_proot_resolve(&r, "/loop/x", 7, &out), ELOOP);
	assert_null(out);
	char *disk = vg_proot_disk(&r, "/usr/bin/ls");
	char want[1024];
	snprintf(want, sizeof want, "%s/usr/bin/ls", root);
	assert_string_equal(disk, want);
	free(disk);
	vg_proot_clear(&r);
	close(r.fd);
	rm_root();
}

struct got {
	int n;
	char line[8][256];
};

static void on_result(void *ctx, const vigil_pkg_result *r)
{
	struct got *g = ctx;
	assert_string_equal(r->finding.kind, "package");
	assert_int_equal(r->finding.level, vigil_score_level(r->finding.score));
	char *j = vigil_pkg_result_json(r);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"type\":\"package\""));
	free(j);
	if (g->n < 8)
		snprintf(g->line[g->n], 256, "%s %s %s", r->finding.id,
			 r->package ? r->package : "-", r->path ? r->path : "-");
	g->n++;
}

static void test_verify(void **state)
{
	(void)state;
	make_root();
	/* md5("a\n") = 60b725f10c9c85c70d97880dfe8191b3 */
	put("var/lib/dpkg/status",
	    "Package: multi\nStatus: install ok installed\nArchitecture: amd64\n"
	    "Multi-Arch: same\nVersion: 1\n"
	    "Conffiles:\n /etc/multi.conf 60b725f10c9c85c70d97880dfe8191b3\n"
	    " /etc/gone.conf 60b725f10c9c85c70d97880dfe8191b3 obsolete\n\n"
	    "Package: plain\nStatus: install ok installed\nArchitecture: all\nVersion: 2\n\n"
	    "Package: removed\nStatus: deinstall ok config-files\nArchitecture: all\n\n"
	    "Package: nosums\nStatus: install ok installed\nArchitecture: all\n");
	put("var/lib/dpkg/info/multi:amd64.md5sums",
	    "60b725f10c9c85c70d97880dfe8191b3  usr/lib/multi/ok\n"
	    "60b725f10c9c85c70d97880dfe8191b3  usr/lib/multi/bad\n");
	put("var/lib/dpkg/info/multi:amd64.list", "/.\n/usr\n/usr/lib/multi/ok\n");
	put("var/lib/dpkg/info/plain.md5sums",
	    "60b725f10c9c85c70d97880dfe8191b3  usr/share/plain/missing\n");
	put("var/lib/dpkg/info/nosums.list", "/usr/share/nosums/file\n");
	put("usr/share/nosums/file", "z");
	put("usr/lib/multi/ok", "a\n");
	put("usr/lib/multi/bad", "b\n");
	put("etc/multi.conf", "edited\n");
	vigil_pkg_options o;
	vigil_pkg_options_init(&o);
	o.root = root;
	o.threads = 2;
	o.unowned = 0;
	vigil_pkgverify *v = vigil_pkgverify_create(&o);
	assert_non_null(v);
	struct got g = {0};
	ndiag = 0;
	vigil_pkgverify_set_diag(v, count_diag, NULL);
	vigil_pkgverify_set_callback(v, on_result, &g);
	assert_int_equal(vigil_pkgverify_run(v), VIGIL_OK);
	vigil_pkg_stats st;
	vigil_pkgverify_stats(v, &st);
	assert_int_equal(st.packages, 3);
	assert_int_equal(st.files, 3);
	assert_int_equal(st.conffiles, 1);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.line[0], "VGL-PKG-CHANGED multi:amd64 /usr/lib/multi/bad");
	assert_string_equal(g.line[1], "VGL-PKG-CONFFILE-CHANGED multi:amd64 /etc/multi.conf");
	assert_string_equal(g.line[2], "VGL-PKG-MISSING plain /usr/share/plain/missing");
	assert_string_equal(g.line[3], "VGL-PKG-NO-MD5SUMS nosums -");
	assert_int_equal(ndiag, 0);
	vigil_pkgverify_destroy(v);
	vigil_pkgverify_destroy(NULL);
	rm_root();
}

/* The MD5-only pass the verifier uses, and the three back after it. */
static void test_md5_only(void **state)
{
	(void)state;
	vg_digests *d = vg_digests_new();
	uint8_t md5[16], sha1[20] = {7}, sha256[32] = {9};
	char hex[65];
	assert_true(vg_digests_init_md5(d));
	vg_digests_update(d, "abc", 3);
	assert_true(vg_digests_final(d, md5, sha1, sha256));
	vg_hex(md5, 16, hex);
	assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
	assert_int_equal(sha1[0], 7);  /* untouched */
	assert_int_equal(sha256[0], 9);
	assert_true(vg_digests_buffer(d, "abc", 3, md5, sha1, sha256));
	vg_hex(sha256, 32, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	vg_digests_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_md5sums),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_diversions),
		cmocka_unit_test(test_resolver),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_md5_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
