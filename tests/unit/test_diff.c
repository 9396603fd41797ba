/*
 * The release comparison (lib/diff) on releases written as snapshots by
 * the test: each signal fires on the fact it is about and stays quiet on
 * the benign neighbour (a renewed certificate, a bumped version, a new
 * signed component); the tamper models, renames, --all, the verdict, the
 * snapshot round trip, malformed snapshots, SARIF and verify's default
 * policy. The capability table and models are the shipped ones
 * (content/capabilities), so a change there that breaks a model fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "diff/diff_internal.h"

#define CAPS_DIR VIGIL_SOURCE_CONTENT_DIR "/capabilities"

static int ndiags;
static char last_diag[512];

static void diag(void *ctx, const vigil_diag *d)
{
	(void)ctx;
	ndiags++;
	snprintf(last_diag, sizeof last_diag, "%s: %s", d->file ? d->file : "-", d->message);
}

/* A 64-hex digest from a letter. */
static const char *hash(char c)
{
	static char h[8][65];
	static int k;
	char *o = h[k++ & 7];
	memset(o, c, 64);
	o[64] = '\0';
	return o;
}

/* A release from component objects written as JSON text. */
static vigil_release *rel(const char *name, const char *components)
{
	char *text = NULL;
	size_t n = strlen(components) + 256;
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n,
		 "{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":1,\"release\":\"%s\","
		 "\"components\":[%s]}", name, components);
	vigil_release *r = NULL;
	int st = vg_release_snapshot_buf(name, text, strlen(text), &r, diag, NULL);
	if (st != VIGIL_OK)
		fprintf(stderr, "%s\n%s\n", last_diag, text);
	assert_int_equal(st, VIGIL_OK);
	free(text);
	return r;
}

static json_t *run(const vigil_release *o, const vigil_release *n, int all, vigil_dlevel *v)
{
	vigil_diff_options opt;
	vigil_diff_options_init(&opt);
	opt.capabilities_dir = CAPS_DIR;
	opt.all = all;
	char *text = NULL;
	assert_int_equal(vigil_diff_json(o, n, &opt, &text, v), VIGIL_OK);
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	free(text);
	return j;
}

static const json_t *comp(const json_t *rec, const char *path)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(rec, "components"), i, c) {
		if (!strcmp(json_string_value(json_object_get(c, "path")), path))
			return c;
	}
	return NULL;
}

/* The component's signals as "ID:level" joined by spaces, in order. */
static char *sigs(const json_t *rec, const char *path)
{
	static char out[2048];
	out[0] = '\0';
	const json_t *c = comp(rec, path);
	if (!c)
		return strcpy(out, "(absent)");
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(c, "signals"), i, s) {
		size_t k = strlen(out);
		snprintf(out + k, sizeof out - k, "%s%s:%s", k ? " " : "",
			 json_string_value(json_object_get(s, "id")) + 9, /* after VGL-DIFF- */
			 json_string_value(json_object_get(s, "level")));
	}
	return out;
}

static const char *field(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Two vendor-signed components, so that the vendor is "CN=Vendor". */
#define VENDOR2 \
	"{\"path\":\"app.exe\",\"sha256\":\"%s\",\"format\":\"pe\",\"version\":\"1.0\"," \
	"\"signature\":{\"signer\":\"CN=Vendor\",\"issuer\":\"CN=Vendor CA\",\"thumbprint\":\"v1\"," \
	"\"cert_table\":900,\"cert_slack\":0,\"timestamp\":true}}," \
	"{\"path\":\"codec.dll\",\"sha256\":\"%s\",\"format\":\"pe\",\"version\":\"4.0\"," \
	"\"signature\":{\"signer\":\"CN=Vendor\",\"issuer\":\"CN=Vendor CA\",\"thumbprint\":\"v1\"," \
	"\"cert_table\":900,\"cert_slack\":0,\"timestamp\":true}}"

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	static char buf[32][8192];
	static int k;
	char *o = buf[k++ & 31];
	va_list ap;
	va_start(ap, f);
	vsnprintf(o, sizeof buf[0], f, ap);
	va_end(ap);
	return o;
}

#define D3D(h, table, slack, thumb, version) \
	fmt(",{\"path\":\"d3d.dll\",\"sha256\":\"%s\",\"format\":\"pe\",\"version\":\"%s\"," \
	    "\"signature\":{\"signer\":\"CN=Microsoft\",\"issuer\":\"CN=MS CA\",\"thumbprint\":\"%s\"," \
	    "\"cert_table\":%d,\"cert_slack\":%d,\"timestamp\":true}}", h, version, thumb, table, slack)

static void test_3cx_certificate_table(void **state)
{
	(void)state;
	char old[8192], new[8192];
	snprintf(old, sizeof old, VENDOR2 "%s", hash('a'), hash('b'), D3D(hash('c'), 1000, 0, "m1", "10.0"));
	snprintf(new, sizeof new, VENDOR2 "%s", hash('a'), hash('b'), D3D(hash('d'), 1800, 792, "m1", "10.0"));
	vigil_release *o = rel("old", old), *n = rel("new", new);
	vigil_dlevel v;
	json_t *j = run(o, n, 0, &v);
	assert_int_equal(v, VIGIL_DLEVEL_CRITICAL);
	assert_string_equal(field(j, "verdict"), "critical");
	assert_string_equal(sigs(j, "d3d.dll"),
			    "MODIFIED:info CERT-TABLE-GREW:high CERT-SLACK:high SAME-VERSION:high");
	assert_string_equal(json_string_value(json_array_get(json_object_get(comp(j, "d3d.dll"), "models"), 0)),
			    "VGL-MODEL-3CX");
	assert_string_equal(field(comp(j, "d3d.dll"), "level"), "critical");
	assert_null(comp(j, "app.exe")); /* unchanged: not listed, but counted */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "unchanged")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "components")), 1);
	json_decref(j);
	/* with --all the unchanged ones are there */
	j = run(o, n, 1, &v);
	assert_string_equal(field(comp(j, "app.exe"), "change"), "unchanged");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "unchanged")), 2);
	json_decref(j);
	vigil_release_free(o);
	vigil_release_free(n);
}

static void test_renewed_certificate_is_quiet(void **state)
{
	(void)state;
	char old[8192], new[8192];
	/* a new version, a renewed certificate (other thumbprint, longer table) */
	snprintf(old, sizeof old, VENDOR2 "%s", hash('a'), hash('b'), D3D(hash('c'), 1000, 0, "m1", "10.0"));
	snprintf(new, sizeof new, VENDOR2 "%s", hash('a'), hash('b'), D3D(hash('d'), 1800, 0, "m2", "10.1"));
	vigil_release *o = rel("old", old), *n = rel("new", new);
	vigil_dlevel v;
	json_t *j = run(o, n, 0, &v);
	assert_int_equal(v, VIGIL_DLEVEL_INFO);
	assert_string_equal(sigs(j, "d3d.dll"), "MODIFIED:info");
	json_decref(j);
	vigil_release_free(o);
	vigil_release_free(n);
	/* the vendor's own component at the same version: medium, not high */
	snprintf(old, sizeof old, VENDOR2, hash('a'), hash('b'));
	snprintf(new, sizeof new, VENDOR2, hash('a'), hash('e'));
	o = rel("old", old);
	n = rel("new", new);
	j = run(o, n, 0, &v);
	assert_string_equal(sigs(j, "codec.dll"), "MODIFIED:info SAME-VERSION:medium");
	assert_int_equal(v, VIGIL_DLEVEL_MEDIUM);
	json_decref(j);
	vigil_release_free(o);
	vigil_release_free(n);
}

#define PE1(path, h, sig) \
	fmt("{\"path\":\"%s\",\"sha256\":\"%s\",\"format\":\"pe\"%s}", path, h, sig)
#define SIG(who, issuer, ts, self) \
	fmt(",\"signature\":{\"signer\":\"%s\",\"issuer\":\"%s\",\"thumbprint\":\"t\"," \
	    "\"cert_table\":900,\"cert_slack\":0,\"timestamp\":%s,\"self_signed\":%s," \
	    "\"digest_match\":1}", who, issuer, ts, self)

static void test_signature_signals(void **state)
{
	(void)state;
	const char *vs = SIG("CN=Vendor", "CN=Vendor CA", "true", "false");
	char old[8192], new[8192];
	snprintf(old, sizeof old, "%s,%s,%s,%s", PE1("a.dll", hash('a'), vs), PE1("b.dll", hash('b'), vs),
		 PE1("c.dll", hash('c'), vs), PE1("d.dll", hash('d'), vs));
	snprintf(new, sizeof new, "%s,%s,%s,%s,%s,%s",
		 PE1("a.dll", hash('e'), SIG("CN=Evil", "CN=Evil CA", "true", "false")),
		 PE1("b.dll", hash('f'), ""),
		 PE1("c.dll", hash('0'), SIG("CN=Vendor", "CN=Vendor CA", "false", "false")),
		 PE1("d.dll", hash('1'), SIG("CN=Vendor", "CN=Vendor", "true", "true")),
		 PE1("new.dll", hash('2'), vs),
		 PE1("selfie.dll", hash('3'), SIG("CN=Me", "CN=Me", "true", "true")));
	vigil_release *o = rel("old", old), *n = rel("new", new);
	vigil_dlevel v;
	json_t *j = run(o, n, 0, &v);
	assert_string_equal(sigs(j, "a.dll"), "MODIFIED:info SIGNER-CHANGED:high UNTRUSTED-CA:high");
	assert_string_equal(sigs(j, "b.dll"), "MODIFIED:info UNSIGNED:high");
	assert_string_equal(sigs(j, "c.dll"), "MODIFIED:info TIMESTAMP-LOST:medium");
	/* the same name under a CA the old release never used */
	assert_string_equal(sigs(j, "d.dll"), "MODIFIED:info SIGNER-CHANGED:high UNTRUSTED-CA:high");
	/* a new component signed by the vendor is no risk */
	assert_string_equal(sigs(j, "new.dll"), "ADDED:info");
	assert_string_equal(sigs(j, "selfie.dll"), "ADDED:info UNTRUSTED-CA:high");
	assert_int_equal(v, VIGIL_DLEVEL_HIGH);
	/* strongest first, then by path */
	assert_string_equal(field(json_array_get(json_object_get(j, "components"), 0), "path"), "a.dll");
	assert_string_equal(field(json_array_get(json_object_get(j, "components"), 3), "path"), "selfie.dll");
	assert_string_equal(field(json_array_get(json_object_get(j, "components"), 4), "path"), "c.dll");
	assert_string_equal(field(json_array_get(json_object_get(j, "components"), 5), "path"), "new.dll");
	json_decref(j);
	vigil_release_free(o);
	vigil_release_free(n);
}

#define EXE(path, h, extra) \
	fmt("{\"path\":\"%s\",\"sha256\":\"%s\",\"format\":\"%s\"%s}", path, h, \
	    strstr(path, ".so") ? "elf" : "pe", extra)

static void test_added_removed_renamed(void **state)
{
	(void)state;
	char old[8192], new[8192];
	snprintf(old, sizeof old, "%s,%s,%s", EXE("gone.dll", hash('a'), ""),
		 EXE("old/name.dll", hash('b'), ""),
		 "{\"path\":\"readme.txt\",\"sha256\":\"" "cccccccccccccccccccccccccccccccc"
		 "cccccccccccccccccccccccccccccccc\",\"format\":\"data\"}");
	snprintf(new, sizeof new, "%s,%s,%s", EXE("new/name.dll", hash('b'), ""),
		 EXE("unsigned.dll", hash('d'), ""),
		 "{\"path\":\"notes.txt\",\"sha256\":\"" "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
		 "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\",\"format\":\"data\"}");
	vigil_release *o = rel("old", old), *n = rel("new", new);
	vigil_dlevel v;
	json_t *j = run(o, n, 0, &v);
	assert_string_equal(sigs(j, "gone.dll"), "REMOVED:info");
	assert_string_equal(sigs(j, "new/name.dll"), "RENAMED:info");
	assert_string_equal(field(comp(j, "new/name.dll"), "change"), "renamed");
	assert_null(comp(j, "old/name.dll"));
	assert_string_equal(sigs(j, "unsigned.dll"), "ADDED:low");
	assert_string_equal(sigs(j, "notes.txt"), "ADDED:info");
	assert_string_equal(sigs(j, "readme.txt"), "REMOVED:info");
	json_t *sum = json_object_get(j, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "renamed")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "added")), 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "removed")), 2);
	assert_int_equal(v, VIGIL_DLEVEL_LOW);
	json_decref(j);
	vigil_release_free(o);
	vigil_release_free(n);
}

static void test_content_and_layout_signals(void **state)
{
	(void)state;
	const char *o1 = ",\"imports\":[\"kernel32.dll!Sleep\",\"kernel32.dll!VirtualProtect\"],"
			 "\"capabilities\":[\"mem.exec\"],\"urls\":[\"https://vendor.example.com/u\"],"
			 "\"domains\":[\"vendor.example.com\"],\"ips\":[],"
			 "\"sections\":[{\"name\":\".text\",\"flags\":\"r-x\"}],\"entry_section\":\".text\","
			 "\"tls_callbacks\":0,\"overlay\":0,\"high_entropy\":4096,\"version\":\"2.0\"";
	const char *n1 = ",\"imports\":[\"kernel32.dll!Sleep\",\"kernel32.dll!VirtualProtect\","
			 "\"kernel32.dll!CreateThread\"],\"capabilities\":[\"mem.exec\",\"thread.create\"],"
			 "\"urls\":[\"https://vendor.example.com/u\",\"https://raw.githubusercontent.com/x/y\"],"
			 "\"domains\":[\"vendor.example.com\",\"other.example.net\"],\"ips\":[\"203.0.113.9\"],"
			 "\"sections\":[{\"name\":\".text\",\"flags\":\"r-x\"},{\"name\":\".x\",\"flags\":\"rwx\"}],"
			 "\"entry_section\":\".x\",\"tls_callbacks\":1,\"overlay\":10,\"high_entropy\":8192,"
			 "\"version\":\"2.1\"";
	const char *e1 = ",\"imports\":[\"getenv\"],\"ifunc\":0,\"init_array\":8,\"version\":\"libz.so.1\"";
	const char *e2 = ",\"imports\":[\"getenv\",\"system\"],\"capabilities\":[\"proc.exec\"],"
			 "\"ifunc\":2,\"init_array\":16,\"rpath\":\"/tmp\",\"version\":\"libz.so.1\"";
	char old[8192], new[8192];
	snprintf(old, sizeof old, "%s,%s", EXE("x.dll", hash('a'), o1), EXE("libz.so.1", hash('b'), e1));
	snprintf(new, sizeof new, "%s,%s", EXE("x.dll", hash('c'), n1), EXE("libz.so.1", hash('d'), e2));
	vigil_release *o = rel("old", old), *n = rel("new", new);
	vigil_dlevel v;
	json_t *j = run(o, n, 0, &v);
	assert_string_equal(sigs(j, "x.dll"),
			    "MODIFIED:info NEW-IMPORTS:low NEW-CAPABILITY:low NEW-URL:medium "
			    "NEW-DOMAIN:low NEW-IP:medium HIGH-ENTROPY:medium OVERLAY-GREW:medium "
			    "NEW-TLS-CALLBACK:medium ENTRY-MOVED:medium WX-SECTION:high NEW-SECTION:low");
	assert_string_equal(sigs(j, "libz.so.1"),
			    "MODIFIED:info SAME-VERSION:medium NEW-IMPORTS:low NEW-CAPABILITY:high "
			    "NEW-IFUNC:medium INIT-ARRAY-GREW:low RPATH-CHANGED:medium");
	assert_string_equal(json_string_value(json_array_get(json_object_get(comp(j, "libz.so.1"), "models"), 0)),
			    "VGL-MODEL-XZ");
	assert_int_equal(v, VIGIL_DLEVEL_CRITICAL);
	json_decref(j);
	vigil_release_free(o);
	vigil_release_free(n);
}

static void test_toolchain(void **state)
{
	(void)state;
	char old[8192], new[8192];
	const char *t1 = ",\"toolchain\":\"pdb=C:\\\\b\\\\a.pdb;rich=\"";
	const char *t2 = ",\"toolchain\":\"pdb=D:\\\\other\\\\a.pdb;rich=\"";
	snprintf(old, sizeof old, "%s,%s,%s", EXE("a.dll", hash('a'), t1), EXE("b.dll", hash('b'), t1),
		 EXE("c.dll", hash('c'), t1));
	/* one of three changed: signalled */
	snprintf(new, sizeof new, "%s,%s,%s", EXE("a.dll", hash('d'), t2), EXE("b.dll", hash('e'), t1),
		 EXE("c.dll", hash('f'), t1));
	vigil_release *o = rel("old", old), *n = rel("new", new);
	vigil_dlevel v;
	json_t *j = run(o, n, 0, &v);
	assert_string_equal(sigs(j, "a.dll"), "MODIFIED:info TOOLCHAIN-CHANGED:medium");
	assert_string_equal(sigs(j, "b.dll"), "MODIFIED:info");
	json_decref(j);
	vigil_release_free(n);
	/* two of three: a new build environment for the release, not signalled */
	snprintf(new, sizeof new, "%s,%s,%s", EXE("a.dll", hash('d'), t2), EXE("b.dll", hash('e'), t2),
		 EXE("c.dll", hash('f'), t1));
	n = rel("new", new);
	j = run(o, n, 0, &v);
	assert_string_equal(sigs(j, "a.dll"), "MODIFIED:info");
	json_decref(j);
	vigil_release_free(o);
	vigil_release_free(n);
}

static void test_snapshot_round_trip(void **state)
{
	(void)state;
	char old[8192], new[8192];
	snprintf(old, sizeof old, VENDOR2 "%s", hash('a'), hash('b'), D3D(hash('c'), 1000, 0, "m1", "10.0"));
	snprintf(new, sizeof new, VENDOR2 "%s", hash('a'), hash('b'), D3D(hash('d'), 1800, 8, "m1", "10.0"));
	vigil_release *o = rel("old", old), *n = rel("new", new);
	char *snap = vigil_release_snapshot(o);
	assert_non_null(snap);
	vigil_release *back = NULL;
	assert_int_equal(vg_release_snapshot_buf("elsewhere/old.json", snap, strlen(snap), &back, diag, NULL),
			 VIGIL_OK);
	assert_string_equal(vigil_release_name(back), "old"); /* the release's name, not the file's */
	vigil_diff_options opt;
	vigil_diff_options_init(&opt);
	opt.capabilities_dir = CAPS_DIR;
	char *a = NULL, *b = NULL;
	vigil_dlevel va, vb;
	assert_int_equal(vigil_diff_json(o, n, &opt, &a, &va), VIGIL_OK);
	assert_int_equal(vigil_diff_json(back, n, &opt, &b, &vb), VIGIL_OK);
	assert_string_equal(a, b);
	assert_int_equal(va, vb);
	char *snap2 = vigil_release_snapshot(back);
	assert_string_equal(snap, snap2);
	free(a);
	free(b);
	free(snap);
	free(snap2);
	vigil_release_free(back);
	vigil_release_free(o);
	vigil_release_free(n);
}

static void test_malformed_snapshots(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":1,\"release\":\"x\",\"components\":[",
		"{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":2,\"release\":\"x\",\"components\":[]}",
		"{\"type\":\"snapshot\",\"snapshot_format\":1,\"release\":\"x\",\"components\":[]}",
		"{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":1,\"components\":[]}",
		"{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":1,\"release\":\"a/b\",\"components\":[]}",
		"{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":1,\"release\":\"x\",\"components\":{}}",
		"{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":1,\"release\":\"x\",\"components\":[3]}",
		"{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":1,\"release\":\"x\",\"components\":[{\"path\":\"a\"}]}",
		"{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":1,\"release\":\"x\",\"components\":"
		"[{\"path\":\"a\",\"sha256\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
		"{\"path\":\"a\",\"sha256\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}]}",
		"{\"type\":\"diff\"}",
		"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		vigil_release *r = (vigil_release *)1;
		ndiags = 0;
		last_diag[0] = '\0';
		int st = vg_release_snapshot_buf("bad.snapshot", bad[i], strlen(bad[i]), &r, diag, NULL);
		if (st != VIGIL_FAILED)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		assert_int_equal(st, VIGIL_FAILED);
		assert_null(r);
		assert_true(ndiags >= 1);
		assert_non_null(strstr(last_diag, "bad.snapshot: "));
	}
}

static void test_sarif(void **state)
{
	(void)state;
	char old[8192], new[8192];
	snprintf(old, sizeof old, VENDOR2 "%s", hash('a'), hash('b'), D3D(hash('c'), 1000, 0, "m1", "10.0"));
	snprintf(new, sizeof new, VENDOR2 "%s", hash('a'), hash('b'), D3D(hash('d'), 1800, 0, "m1", "10.0"));
	vigil_release *o = rel("old", old), *n = rel("new", new);
	vigil_diff_options opt;
	vigil_diff_options_init(&opt);
	opt.capabilities_dir = CAPS_DIR;
	char *text = NULL;
	vigil_dlevel v;
	assert_int_equal(vigil_diff_json(o, n, &opt, &text, &v), VIGIL_OK);
	char *s = vigil_diff_sarif(text);
	assert_non_null(s);
	json_t *j = json_loads(s, 0, NULL);
	assert_non_null(j);
	assert_string_equal(field(j, "version"), "2.1.0");
	json_t *run0 = json_array_get(json_object_get(j, "runs"), 0);
	assert_string_equal(field(json_object_get(json_object_get(run0, "tool"), "driver"), "name"), "vigil");
	json_t *results = json_object_get(run0, "results");
	/* MODIFIED, CERT-TABLE-GREW, SAME-VERSION and the model */
	assert_int_equal(json_array_size(results), 4);
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(run0, "tool"), "driver"),
							 "rules")), 4);
	size_t i;
	json_t *r;
	json_array_foreach(results, i, r) {
		const char *id = field(r, "ruleId"), *lv = field(r, "level");
		const char *want = !strcmp(id, "VGL-DIFF-MODIFIED") ? "note" : "error";
		assert_string_equal(lv, want);
		json_t *loc = json_object_get(json_object_get(json_array_get(json_object_get(r, "locations"), 0),
							      "physicalLocation"), "artifactLocation");
		assert_string_equal(field(loc, "uri"), "d3d.dll");
	}
	json_decref(j);
	free(s);
	assert_null(vigil_diff_sarif("{\"type\":\"scan\"}"));
	assert_null(vigil_diff_sarif("not json"));
	free(text);
	vigil_release_free(o);
	vigil_release_free(n);
}

static void test_verify_default_policy(void **state)
{
	(void)state;
	vigil_diff_options opt;
	vigil_diff_options_init(&opt);
	opt.capabilities_dir = CAPS_DIR;
	const char *vs = SIG("CN=Vendor", "CN=Vendor CA", "true", "false");
	char rel1[8192];
	/* the vendor signs two of three PE components: the third fails */
	snprintf(rel1, sizeof rel1, "%s,%s,%s", PE1("a.dll", hash('a'), vs), PE1("b.dll", hash('b'), vs),
		 PE1("c.dll", hash('c'), ""));
	vigil_release *r = rel("r1", rel1);
	char *text = NULL;
	int pass = 1;
	assert_int_equal(vigil_verify_json(r, NULL, &opt, VIGIL_DLEVEL_HIGH, &text, &pass), VIGIL_OK);
	assert_int_equal(pass, 0);
	json_t *j = json_loads(text, 0, NULL);
	assert_string_equal(field(j, "type"), "verify");
	assert_string_equal(field(comp(j, "c.dll"), "change"), "present");
	assert_string_equal(field(json_array_get(json_object_get(comp(j, "c.dll"), "signals"), 0), "id"),
			    "VGL-VERIFY-UNSIGNED");
	assert_false(json_is_true(json_object_get(j, "pass")));
	json_decref(j);
	free(text);
	vigil_release_free(r);
	/* mostly unsigned: no vendor signing to hold the rest to */
	snprintf(rel1, sizeof rel1, "%s,%s,%s", PE1("a.dll", hash('a'), vs), PE1("b.dll", hash('b'), ""),
		 PE1("c.dll", hash('c'), ""));
	r = rel("r2", rel1);
	assert_int_equal(vigil_verify_json(r, NULL, &opt, VIGIL_DLEVEL_HIGH, &text, &pass), VIGIL_OK);
	assert_int_equal(pass, 1);
	free(text);
	/* against itself: nothing changes, still passes */
	assert_int_equal(vigil_verify_json(r, r, &opt, VIGIL_DLEVEL_HIGH, &text, &pass), VIGIL_OK);
	assert_int_equal(pass, 1);
	free(text);
	vigil_release_free(r);
	/* a writable and executable section fails on its own */
	snprintf(rel1, sizeof rel1, "%s",
		 EXE("x.so", hash('a'), ",\"sections\":[{\"name\":\"LOAD#2\",\"flags\":\"rwx\"}]"));
	r = rel("r3", rel1);
	assert_int_equal(vigil_verify_json(r, NULL, &opt, VIGIL_DLEVEL_HIGH, &text, &pass), VIGIL_OK);
	assert_int_equal(pass, 0);
	assert_non_null(strstr(text, "VGL-VERIFY-WX-SECTION"));
	free(text);
	vigil_release_free(r);
}

static void test_levels(void **state)
{
	(void)state;
	for (int l = VIGIL_DLEVEL_NONE; l <= VIGIL_DLEVEL_CRITICAL; l++)
		assert_int_equal(vigil_dlevel_parse(vigil_dlevel_name((vigil_dlevel)l)), l);
	assert_int_equal(vigil_dlevel_parse("severe"), -1);
	assert_int_equal(vigil_dlevel_parse(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_3cx_certificate_table),
		cmocka_unit_test(test_renewed_certificate_is_quiet),
		cmocka_unit_test(test_signature_signals),
		cmocka_unit_test(test_added_removed_renamed),
		cmocka_unit_test(test_content_and_layout_signals),
		cmocka_unit_test(test_toolchain),
		cmocka_unit_test(test_snapshot_round_trip),
		cmocka_unit_test(test_malformed_snapshots),
		cmocka_unit_test(test_sarif),
		cmocka_unit_test(test_verify_default_policy),
		cmocka_unit_test(test_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
