/*
 * The integrity baseline's parts: attribute sets, rule parsing (every bad
 * line named with its line number), rule matching (last match wins,
 * exclusions, globs covering what is below), the roots of the rules, the
 * comparison of two entries attribute by attribute, the canonical digest
 * (any field of any row changes it) and the Ed25519 signature.
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

#include <cmocka.h>

#include "base/util.h"
#include "store/baseline_internal.h"

struct diags {
	unsigned long lines[16];
	size_t n;
	char last[256];
};

static void on_diag(void *ctx, const vigil_diag *d)
{
	struct diags *g = ctx;
	if (g->n < 16)
		g->lines[g->n++] = d->line;
	snprintf(g->last, sizeof g->last, "%s", d->message);
}

static unsigned attrs_of(const char *s)
{
	unsigned a = 0xdeadu;
	const char *bad;
	size_t bl;
	assert_int_equal(vg_battrs_parse(s, strlen(s), &a, &bad, &bl), 0);
	return a;
}

static void test_attrs(void **state)
{
	(void)state;
	assert_int_equal(attrs_of("R"), VG_BA_ALL);
	assert_int_equal(attrs_of("E"), 0);
	assert_int_equal(attrs_of("p+u+g+sha256"), VG_BA_PERM | VG_BA_UID | VG_BA_GID | VG_BA_SHA256);
	assert_int_equal(attrs_of("R-m-c"), VG_BA_ALL & ~(VG_BA_MTIME | VG_BA_CTIME));
	/* left to right: removed, then added back */
	assert_int_equal(attrs_of("R-sha256+sha256"), VG_BA_ALL);
	assert_int_equal(attrs_of("L") & VG_BA_SHA256, 0);
	assert_true(attrs_of("L") & VG_BA_CAPS);
	const char *bad = NULL;
	size_t bl = 0;
	unsigned a;
	const char *s = "p+md5+u";
	assert_int_equal(vg_battrs_parse(s, strlen(s), &a, &bad, &bl), -1);
	assert_int_equal(bl, 3);
	assert_memory_equal(bad, "md5", 3);
	assert_int_equal(vg_battrs_parse("p+", 2, &a, &bad, &bl), -1);
	assert_int_equal(vg_battrs_parse("", 0, &a, &bad, &bl), -1);
	char text[128];
	vg_battrs_text(VG_BA_PERM | VG_BA_SHA256, text, sizeof text);
	assert_string_equal(text, "p+sha256");
	vg_battrs_text(0, text, sizeof text);
	assert_string_equal(text, "E");
}

static void parse_ok(const char *text, vg_brules *rs)
{
	struct diags g = {0};
	assert_int_equal(vg_brules_parse(text, strlen(text), "r", on_diag, &g, rs), 0);
	assert_int_equal(g.n, 0);
}

static void test_parse_errors(void **state)
{
	(void)state;
	const char *text = "# comment\n"
			   "/usr R\n"           /* 2 fine */
			   "usr R\n"            /* 3 relative */
			   "/etc p+nope\n"      /* 4 unknown attribute */
			   "!/var/log R\n"      /* 5 exclusion with attributes */
			   "/opt\n"             /* 6 missing attributes */
			   "/srv R extra\n"     /* 7 trailing text */
			   "   \t\n"            /* 8 blank */
			   "/a\\ b R # ok\n";   /* 9 fine: escaped space, comment */
	struct diags g = {0};
	vg_brules rs;
	assert_int_equal(vg_brules_parse(text, strlen(text), "rules", on_diag, &g, &rs), -1);
	assert_int_equal(rs.n, 0);
	assert_int_equal(g.n, 5);
	unsigned long want[] = {3, 4, 5, 6, 7};
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(g.lines[i], want[i]);
	/* a NUL byte is refused, naming its line */
	struct diags h = {0};
	const char nul[] = "/usr R\n/x\0y R\n";
	assert_int_equal(vg_brules_parse(nul, sizeof nul - 1, "rules", on_diag, &h, &rs), -1);
	assert_int_equal(h.n, 1);
	assert_int_equal(h.lines[0], 2);
	/* no rule at all */
	struct diags k = {0};
	assert_int_equal(vg_brules_parse("# only\n", 7, "rules", on_diag, &k, &rs), -1);
	assert_int_equal(k.n, 1);
}

static void test_match(void **state)
{
	(void)state;
	vg_brules rs;
	parse_ok("/usr R\n"
		 "!/usr/share/doc\n"
		 "/usr/share/doc/keep p+u+g\n"
		 "/usr/lib/*.so E\n"
		 "/var/log/ L\n"
		 "/a\\ b\\* p\n",
		 &rs);
	unsigned a = 0;
	assert_int_equal(vg_brules_match(&rs, "/usr", &a), 1);
	assert_int_equal(a, VG_BA_ALL);
	assert_int_equal(vg_brules_match(&rs, "/usr/bin/ls", &a), 1);
	assert_int_equal(a, VG_BA_ALL);
	/* a prefix is a whole path component */
	assert_int_equal(vg_brules_match(&rs, "/usrx", &a), -1);
	assert_int_equal(vg_brules_match(&rs, "/usr/share/doc", &a), 0);
	assert_int_equal(vg_brules_match(&rs, "/usr/share/doc/x/README", &a), 0);
	/* the last match decides: brought back below the exclusion */
	assert_int_equal(vg_brules_match(&rs, "/usr/share/doc/keep/f", &a), 1);
	assert_int_equal(a, VG_BA_PERM | VG_BA_UID | VG_BA_GID);
	/* a glob covers what is below a matching directory; '*' stops at '/' */
	assert_int_equal(vg_brules_match(&rs, "/usr/lib/libc.so", &a), 1);
	assert_int_equal(a, 0);
	assert_int_equal(vg_brules_match(&rs, "/usr/lib/x/libc.so", &a), 1);
	assert_int_equal(a, VG_BA_ALL);
	/* a trailing '/' is ignored */
	assert_int_equal(vg_brules_match(&rs, "/var/log/syslog", &a), 1);
	assert_int_equal(a & VG_BA_SHA256, 0);
	assert_int_equal(vg_brules_match(&rs, "/var", &a), -1);
	/* escapes: a literal space and star */
	assert_int_equal(vg_brules_match(&rs, "/a b*", &a), 1);
	assert_int_equal(a, VG_BA_PERM);
	assert_int_equal(vg_brules_match(&rs, "/a bc", &a), -1);
	char **roots;
	size_t n;
	assert_int_equal(vg_brules_roots(&rs, &roots, &n), 0);
	/* /usr/share/doc/keep and /usr/lib are inside /usr */
	assert_int_equal(n, 3);
	assert_string_equal(roots[0], "/usr");
	assert_string_equal(roots[1], "/var/log");
	assert_string_equal(roots[2], "/a b*");
	vg_free_list(roots, n);
	vg_brules_free(&rs);

	parse_ok("/srv/*/data R\n/srv/web/data/tmp E\n/ p\n", &rs);
	assert_int_equal(vg_brules_roots(&rs, &roots, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(roots[0], "/");
	vg_free_list(roots, n);
	/* "/ p" is last and matches everything */
	assert_int_equal(vg_brules_match(&rs, "/srv/web/data/x", &a), 1);
	assert_int_equal(a, VG_BA_PERM);
	assert_int_equal(vg_brules_match(&rs, "/etc", &a), 1);
	assert_int_equal(a, VG_BA_PERM);
	vg_brules_free(&rs);
}

static void entry(vg_bentry *e, const char *path, unsigned attrs)
{
	memset(e, 0, sizeof *e);
	e->path = vg_strdup(path);
	e->type = VG_BT_FILE;
	e->attrs = attrs;
	e->mode = S_IFREG | 0755;
	e->uid = 0;
	e->gid = 0;
	e->size = 100;
	e->mtime_ns = 1700000000123456789LL;
	e->ctime_ns = 1700000000123456789LL;
	e->ino = 42;
	e->nlink = 1;
	memset(e->sha256, 'a', 64);
	e->sha256[64] = '\0';
}

static void add_xattr(vg_bentry *e, const char *name, const char *value)
{
	e->xattrs = realloc(e->xattrs, (e->nxattrs + 1) * sizeof *e->xattrs);
	vg_bxattr *x = &e->xattrs[e->nxattrs++];
	x->name = vg_strdup(name);
	x->len = strlen(value);
	x->value = (uint8_t *)vg_strdup(value);
	vg_bentry_sort_xattrs(e);
}

static const vigil_baseline_attr *find_attr(const vigil_baseline_attr *a, size_t n,
					    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].name, name) == 0)
			return &a[i];
	return NULL;
}

static void test_diff(void **state)
{
	(void)state;
	vg_bentry o, c;
	vigil_baseline_attr *a;
	size_t n;
	entry(&o, "/x", VG_BA_ALL);
	entry(&c, "/x", VG_BA_ALL);
	assert_int_equal(vg_bentry_diff(&o, &c, &a, &n), 0);
	assert_int_equal(n, 0);
	free(a);

	c.mode = S_IFREG | 04755;
	c.sha256[0] = 'b';
	c.mtime_ns++;
	c.uid = 1000;
	add_xattr(&o, "user.gone", "1");
	add_xattr(&o, "system.posix_acl_access", "AB");
	add_xattr(&c, "system.posix_acl_access", "AC");
	add_xattr(&c, "security.capability", "C");
	assert_int_equal(vg_bentry_diff(&o, &c, &a, &n), 0);
	assert_int_equal(n, 7);
	const vigil_baseline_attr *p = find_attr(a, n, "perm");
	assert_non_null(p);
	assert_string_equal(p->old_value, "0755");
	assert_string_equal(p->new_value, "4755");
	assert_string_equal(find_attr(a, n, "uid")->new_value, "1000");
	assert_string_equal(find_attr(a, n, "mtime")->old_value, "2023-11-14T22:13:20.123456789Z");
	assert_string_equal(find_attr(a, n, "mtime")->new_value, "2023-11-14T22:13:20.123456790Z");
	assert_non_null(find_attr(a, n, "sha256"));
	p = find_attr(a, n, "xattr:user.gone");
	assert_non_null(p);
	assert_string_equal(p->old_value, "31");
	assert_null(p->new_value);
	p = find_attr(a, n, "acl_access");
	assert_string_equal(p->old_value, "4142");
	assert_string_equal(p->new_value, "4143");
	p = find_attr(a, n, "caps");
	assert_null(p->old_value);
	assert_string_equal(p->new_value, "43");
	vg_bdiff_free(a, n);

	/* only what the recorded selection names is compared */
	o.attrs = VG_BA_SHA256;
	assert_int_equal(vg_bentry_diff(&o, &c, &a, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].name, "sha256");
	vg_bdiff_free(a, n);
	o.attrs = VG_BA_CAPS;
	assert_int_equal(vg_bentry_diff(&o, &c, &a, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].name, "caps");
	vg_bdiff_free(a, n);
	/* the type is always compared; a file no longer read has no SHA-256 */
	o.attrs = VG_BA_SHA256;
	c.type = VG_BT_LINK;
	c.link = vg_strdup("elsewhere");
	c.sha256[0] = '\0';
	assert_int_equal(vg_bentry_diff(&o, &c, &a, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(a[0].name, "type");
	assert_string_equal(a[0].old_value, "file");
	assert_string_equal(a[0].new_value, "symlink");
	assert_string_equal(a[1].name, "sha256");
	assert_null(a[1].new_value);
	vg_bdiff_free(a, n);
	o.attrs = VG_BA_LINK;
	assert_int_equal(vg_bentry_diff(&o, &c, &a, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(a[1].name, "link");
	assert_null(a[1].old_value);
	assert_string_equal(a[1].new_value, "elsewhere");
	vg_bdiff_free(a, n);
	vg_bentry_clear(&o);
	vg_bentry_clear(&c);
}

static void test_digest(void **state)
{
	(void)state;
	vg_bentry rows[2];
	entry(&rows[0], "/a", VG_BA_ALL);
	entry(&rows[1], "/b", VG_BA_ALL);
	add_xattr(&rows[1], "user.k", "v");
	const char *roots[] = {"/"};
	uint8_t d0[32], d[32];
	assert_int_equal(vg_baseline_digest("/ R\n", roots, 1, rows, 2, d0), 0);
	assert_int_equal(vg_baseline_digest("/ R\n", roots, 1, rows, 2, d), 0);
	assert_memory_equal(d0, d, 32);
	/* each kind of field moves the digest */
	int64_t *fields[] = {&rows[1].uid, &rows[1].gid, &rows[1].size, &rows[1].mtime_ns,
			     &rows[1].ctime_ns, &rows[1].dev, &rows[1].ino, &rows[1].nlink};
	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
		(*fields[i])++;
		assert_int_equal(vg_baseline_digest("/ R\n", roots, 1, rows, 2, d), 0);
		assert_memory_not_equal(d0, d, 32);
		(*fields[i])--;
	}
	rows[1].mode ^= 04000;
	assert_int_equal(vg_baseline_digest("/ R\n", roots, 1, rows, 2, d), 0);
	assert_memory_not_equal(d0, d, 32);
	rows[1].mode ^= 04000;
	rows[1].xattrs[0].value[0] = 'w';
	assert_int_equal(vg_baseline_digest("/ R\n", roots, 1, rows, 2, d), 0);
	assert_memory_not_equal(d0, d, 32);
	rows[1].xattrs[0].value[0] = 'v';
	rows[0].sha256[5] = 'b';
	assert_int_equal(vg_baseline_digest("/ R\n", roots, 1, rows, 2, d), 0);
	assert_memory_not_equal(d0, d, 32);
	rows[0].sha256[5] = 'a';
	assert_int_equal(vg_baseline_digest("/ R-m\n", roots, 1, rows, 2, d), 0);
	assert_memory_not_equal(d0, d, 32);
	/* a row left out */
	assert_int_equal(vg_baseline_digest("/ R\n", roots, 1, rows, 1, d), 0);
	assert_memory_not_equal(d0, d, 32);
	/* field boundaries are explicit: "/a" + "b" is not "/ab" + "" */
	assert_int_equal(vg_baseline_digest("/ R\n", roots, 1, rows, 2, d), 0);
	assert_memory_equal(d0, d, 32);

	/* sign and verify with a fresh key */
	const char *tmp = getenv("VIGIL_TEST_TMP");
	char dir[512];
	snprintf(dir, sizeof dir, "%s/baseline.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (tmp && *tmp)
		mkdir(tmp, 0755);
	assert_non_null(mkdtemp(dir));
	char key[600], pub[600], other[600], otherpub[600];
	snprintf(key, sizeof key, "%s/k", dir);
	snprintf(pub, sizeof pub, "%s/k.pub", dir);
	snprintf(other, sizeof other, "%s/o", dir);
	snprintf(otherpub, sizeof otherpub, "%s/o.pub", dir);
	struct diags g = {0};
	assert_int_equal(vigil_baseline_keygen(key, on_diag, &g), VIGIL_OK);
	assert_int_equal(vigil_baseline_keygen(other, on_diag, &g), VIGIL_OK);
	/* never overwritten */
	assert_int_equal(vigil_baseline_keygen(key, on_diag, &g), VIGIL_FATAL);
	struct stat sb;
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	char sig[129], signer[65];
	assert_int_equal(vg_baseline_sign(key, d0, sig, signer, on_diag, &g), 0);
	assert_int_equal(strlen(sig), 128);
	assert_int_equal(vg_baseline_verify(pub, d0, sig, on_diag, &g), 1);
	assert_int_equal(vg_baseline_verify(otherpub, d0, sig, on_diag, &g), 0);
	d[0] = d0[0] ^ 1;
	memcpy(d + 1, d0 + 1, 31);
	assert_int_equal(vg_baseline_verify(pub, d, sig, on_diag, &g), 0);
	assert_int_equal(vg_baseline_verify(pub, d0, "00", on_diag, &g), 0);
	/* a private key is not a public key, and the other way round */
	size_t before = g.n;
	assert_int_equal(vg_baseline_verify(key, d0, sig, on_diag, &g), -1);
	assert_int_equal(vg_baseline_sign(pub, d0, sig, signer, on_diag, &g), -1);
	assert_int_equal(g.n, before + 2);
	unlink(key);
	unlink(pub);
	unlink(other);
	unlink(otherpub);
	rmdir(dir);
	vg_bentry_clear(&rows[0]);
	vg_bentry_clear(&rows[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attrs),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
