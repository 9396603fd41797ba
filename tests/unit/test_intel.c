/*
 * Threat-intel readers (lib/intel_*.c) through the public loader with
 * VIGIL_IOC_AUTO: STIX 2.1 bundles, MISP event JSON, MISP CSV and plain
 * lists, detected by content. The values are the 3CX ones of
 * shared/reference/3cx.md §2. Every test pins the IOC counts per type, the
 * returned status and the diagnostics (severity, location, text).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_files.h"
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vigil/intel.h>
#include <vigil/iocs.h>
#include <vigil/netmatch.h>

#define D3D_SHA256 "11be1803e2e307b647a8a7e02d128335c448ff741bf06bf52b332e0bbf423b03"
#define FFMPEG_MD5 "74bc2d0b6680faa1a5a76b27e5479cbc"
#define FFMPEG_SHA1 "bf939c9c261d27ee7bb92325cc588624fca75429"
#define FFMPEG_SHA256 "7986bbaee8940da11ce089383521ab420c443ab7b15ed42aed91fd31ce833896"

struct diag_rec {
	vigil_severity sev;
	char file[256];
	unsigned long line;
	char msg[512];
};

static struct diag_rec diags[512];
static size_t ndiags, nwarn, nerr;

static void collect(void *ctx, const vigil_diag *d)
{
	(void)ctx;
	if (d->severity == VIGIL_DIAG_WARNING)
		nwarn++;
	if (d->severity == VIGIL_DIAG_ERROR)
		nerr++;
	if (ndiags == sizeof diags / sizeof *diags)
		return;
	struct diag_rec *r = &diags[ndiags++];
	r->sev = d->severity;
	snprintf(r->file, sizeof r->file, "%s", d->file ? d->file : "");
	r->line = d->line;
	snprintf(r->msg, sizeof r->msg, "%s", d->message);
}

static vigil_iocs *set;

static int setup(void **state)
{
	(void)state;
	ndiags = nwarn = nerr = 0;
	set = vigil_iocs_create();
	vigil_iocs_set_diag(set, collect, NULL);
	return set ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	vigil_iocs_destroy(set);
	set = NULL;
	return 0;
}

static int load(const char *name, const char *text)
{
	return vigil_iocs_load_buffer(set, name, text, strlen(text), VIGIL_IOC_AUTO);
}

/* Counts per type, in enum order: md5 sha1 sha256 path domain ipv4 ipv6 url */
static void expect_counts(size_t md5, size_t sha1, size_t sha256, size_t path,
			  size_t domain, size_t ipv4, size_t ipv6, size_t url)
{
	size_t want[] = {md5, sha1, sha256, path, domain, ipv4, ipv6, url};
	for (int t = 0; t < VIGIL_IOC_TYPE_COUNT; t++) {
		if (vigil_iocs_count(set, (vigil_ioc_type)t) != want[t])
			fprintf(stderr, "type %d: %zu IOCs, want %zu\n", t,
				vigil_iocs_count(set, (vigil_ioc_type)t), want[t]);
		assert_int_equal(vigil_iocs_count(set, (vigil_ioc_type)t), want[t]);
	}
}

/* The diagnostic of severity sev whose message contains text: it must
 * exist, exactly once, and name file and line. */
static const struct diag_rec *expect_diag(vigil_severity sev, const char *file,
					  unsigned long line, const char *text)
{
	const struct diag_rec *hit = NULL;
	size_t n = 0;
	for (size_t i = 0; i < ndiags; i++)
		if (diags[i].sev == sev && strstr(diags[i].msg, text)) {
			hit = &diags[i];
			n++;
		}
	if (n != 1) {
		fprintf(stderr, "want one diagnostic containing '%s', have %zu:\n", text, n);
		for (size_t i = 0; i < ndiags; i++)
			fprintf(stderr, "  %d %s:%lu: %s\n", diags[i].sev, diags[i].file,
				diags[i].line, diags[i].msg);
	}
	assert_int_equal(n, 1);
	assert_string_equal(hit->file, file);
	assert_int_equal(hit->line, line);
	return hit;
}

static const vigil_ioc *find(vigil_ioc_type t, const char *value)
{
	for (size_t i = 0; i < vigil_iocs_count(set, t); i++)
		if (strcmp(vigil_iocs_get(set, t, i)->value, value) == 0)
			return vigil_iocs_get(set, t, i);
	fprintf(stderr, "no IOC '%s' of type %d\n", value, t);
	fail();
	return NULL;
}

static void count_hit(void *ctx, const vigil_ioc *ioc)
{
	(void)ioc;
	(*(int *)ctx)++;
}

static int path_hits(const char *path)
{
	int n = 0;
	assert_int_equal(vigil_iocs_match_path(set, path, strlen(path), count_hit, &n),
			 VIGIL_OK);
	return n;
}

/* ---- STIX ---- */

static const char stix_3cx[] =
	"{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [\n"
	" {\"type\": \"identity\", \"id\": \"identity--1\", \"name\": \"test\"},\n"
	" {\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--c2\",\n"
	"  \"name\": \"3CX C2\", \"pattern_type\": \"stix\",\n"
	"  \"pattern\": \"[domain-name:value = 'akamaicontainer.com'] OR "
	"([domain-name:value = 'msstorageazure.com' OR url:value = "
	"'https://raw.githubusercontent.com/IconStorages/images/main/icon0.ico'])\"},\n"
	" {\"type\": \"indicator\", \"id\": \"indicator--hashes\", \"confidence\": 85,\n"
	"  \"pattern\": \"[file:hashes.'SHA-256' = '" D3D_SHA256 "' OR "
	"file:hashes.MD5 = '" FFMPEG_MD5 "' OR file:hashes.SHA1 = '" FFMPEG_SHA1 "']\",\n"
	"  \"pattern_type\": \"stix\", \"valid_until\": \"2999-01-01T00:00:00.000Z\"},\n"
	" {\"type\": \"indicator\", \"id\": \"indicator--and\", \"pattern_type\": \"stix\",\n"
	"  \"pattern\": \"[file:name = 'ffmpeg.dll' AND file:hashes.MD5 = '" FFMPEG_MD5 "']\"},\n"
	" {\"type\": \"indicator\", \"id\": \"indicator--old\", \"pattern_type\": \"stix\",\n"
	"  \"pattern\": \"[ipv4-addr:value = '198.51.100.0/24']\",\n"
	"  \"valid_until\": \"2020-01-01T00:00:00Z\"},\n"
	" {\"type\": \"indicator\", \"id\": \"indicator--revoked\", \"revoked\": true,\n"
	"  \"pattern_type\": \"stix\", \"pattern\": \"[ipv6-addr:value = '2001:db8::/32']\"},\n"
	" {\"type\": \"indicator\", \"id\": \"indicator--name\", \"pattern_type\": \"stix\",\n"
	"  \"pattern\": \"[file:name = 'it\\\\'s (3CX).exe'] OR [ipv6-addr:value = '2001:DB8::1']"
	" OR [ipv4-addr:value = '203.0.113.7']\"}\n"
	"]}\n";

static void test_stix_3cx(void **state)
{
	(void)state;
	assert_int_equal(load("t/3cx.json", stix_3cx), VIGIL_WARN);
	expect_counts(1, 1, 1, 1, 2, 1, 1, 1);
	const vigil_ioc *d = find(VIGIL_IOC_DOMAIN, "akamaicontainer.com");
	assert_string_equal(d->comment, "3CX C2 (indicator--c2)");
	assert_string_equal(d->source, "t/3cx.json");
	assert_int_equal(d->score, 100);
	find(VIGIL_IOC_DOMAIN, "msstorageazure.com");
	find(VIGIL_IOC_URL, "https://raw.githubusercontent.com/IconStorages/images/main/icon0.ico");
	const vigil_ioc *h = find(VIGIL_IOC_SHA256, D3D_SHA256);
	assert_int_equal(h->score, 85);
	assert_string_equal(h->comment, "indicator--hashes");
	find(VIGIL_IOC_MD5, FFMPEG_MD5);
	find(VIGIL_IOC_SHA1, FFMPEG_SHA1);
	find(VIGIL_IOC_IPV6, "2001:db8::1");
	find(VIGIL_IOC_IPV4, "203.0.113.7");
	/* the AND pattern is reported with its id, not loaded in part */
	expect_diag(VIGIL_DIAG_WARNING, "t/3cx.json", 0,
		    "indicator 'indicator--and' not evaluated: pattern uses AND");
	expect_diag(VIGIL_DIAG_INFO, "t/3cx.json", 0,
		    "indicator 'indicator--old' expired (valid_until 2020-01-01T00:00:00Z)");
	expect_diag(VIGIL_DIAG_INFO, "t/3cx.json", 0,
		    "indicator 'indicator--revoked' is revoked, skipped");
	expect_diag(VIGIL_DIAG_INFO, "t/3cx.json", 0,
		    "STIX: 6 indicators, 9 IOCs; skipped 1 expired, 1 revoked, "
		    "1 not evaluated, 0 malformed; 0 partly evaluated");
	assert_int_equal(nwarn, 1);
	assert_int_equal(nerr, 0);
	/* file:name: escaped, anchored on the base name, either separator,
	 * either case */
	assert_int_equal(path_hits("/opt/x/it's (3CX).exe"), 1);
	assert_int_equal(path_hits("C:/Users/a/IT'S (3cx).EXE"), 1);
	assert_int_equal(path_hits("it's (3CX).exe"), 1);
	assert_int_equal(path_hits("/opt/x/not it's (3CX).exe"), 0);
	assert_int_equal(path_hits("/opt/x/it's (3CX).exe.txt"), 0);
	assert_int_equal(path_hits("/opt/x/its 3CX.exe"), 0);
}

/* Each pattern is outside what vigil evaluates or malformed: reported with
 * the indicator id and the reason, nothing loaded. */
static void test_stix_unevaluable(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *why;
	} cases[] = {
		{"[file:name MATCHES '^ffmpeg']", "comparison other than '='"},
		{"[domain-name:value != 'a.example']", "comparison other than '='"},
		{"[mutex:name = 'AVMonitorRefreshEvent']", "'mutex:name' not evaluated"},
		{"[domain-name:value = 'a.example'] WITHIN 300 SECONDS", "qualifier"},
		{"[domain-name:value = 'a.example'] FOLLOWEDBY [url:value = 'http://b.example/']",
		 "FOLLOWEDBY"},
		{"[domain-name:value = 'a.example]", "malformed pattern: unterminated string"},
		{"([domain-name:value = 'a.example']", "malformed pattern: unbalanced"},
		{"[file:size = 1024]", "not a string"},
		{"[NOT domain-name:value = 'a.example']", "uses NOT"},
		{"[file:hashes.'SHA-512' = 'aa']", "'file:hashes.sha-512' not evaluated"},
		{"", "malformed pattern"},
	};
	char json[1024];
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		ndiags = nwarn = nerr = 0;
		/* the pattern as a JSON string */
		char esc[256], *o = esc;
		for (const char *p = cases[i].pattern; *p; p++) {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
		*o = '\0';
		snprintf(json, sizeof json,
			 "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\","
			 "\"id\":\"indicator--%zu\",\"pattern_type\":\"stix\","
			 "\"pattern\":\"%s\"}]}", i, esc);
		assert_int_equal(load("u.json", json), VIGIL_WARN);
		expect_counts(0, 0, 0, 0, 0, 0, 0, 0);
		assert_int_equal(nwarn, 1);
		char want[64];
		snprintf(want, sizeof want, "indicator 'indicator--%zu'", i);
		const struct diag_rec *r = expect_diag(VIGIL_DIAG_WARNING, "u.json", 0, want);
		if (!strstr(r->msg, cases[i].why))
			fprintf(stderr, "case %zu: '%s' lacks '%s'\n", i, r->msg, cases[i].why);
		assert_non_null(strstr(r->msg, cases[i].why));
	}
	/* a non-STIX pattern language */
	ndiags = nwarn = 0;
	assert_int_equal(load("y.json", "{\"type\":\"bundle\",\"objects\":[{\"type\":"
					"\"indicator\",\"id\":\"indicator--y\",\"pattern_type\":"
					"\"yara\",\"pattern\":\"rule x {condition: true}\"}]}"),
			 VIGIL_WARN);
	expect_diag(VIGIL_DIAG_WARNING, "y.json", 0,
		    "indicator 'indicator--y': pattern_type 'yara' not evaluated");
}

/* One alternative of an OR evaluable, one not: the first loads, the
 * second is reported; a clean bundle loads with VIGIL_OK. */
static void test_stix_partial_and_clean(void **state)
{
	(void)state;
	assert_int_equal(load("p.json", "{\"type\":\"bundle\",\"objects\":[{\"type\":"
					"\"indicator\",\"id\":\"indicator--p\",\"pattern\":"
					"\"[domain-name:value = 'akamaicontainer.com' OR "
					"process:name = 'x']\"}]}"),
			 VIGIL_WARN);
	expect_counts(0, 0, 0, 0, 1, 0, 0, 0);
	expect_diag(VIGIL_DIAG_WARNING, "p.json", 0,
		    "indicator 'indicator--p': 'process:name' not evaluated");
	expect_diag(VIGIL_DIAG_INFO, "p.json", 0, "1 partly evaluated");

	/* a byte order mark and blank lines before the JSON are fine */
	assert_int_equal(load("c.json", "\xEF\xBB\xBF\n  {\"type\":\"bundle\","
				"\"objects\":[{\"type\":\"indicator\",\"id\":\"i--1\","
				"\"pattern\":\"[url:value = 'hxxps://akamaitechcloudservices[.]com/x']\"}]}"),
			 VIGIL_OK);
	find(VIGIL_IOC_URL, "https://akamaitechcloudservices.com/x");
}

static void test_stix_malformed_items(void **state)
{
	(void)state;
	assert_int_equal(load("m.json",
			      "{\"type\":\"bundle\",\"objects\":[42,"
			      "{\"type\":\"indicator\",\"id\":\"indicator--1\"},"
			      "{\"type\":\"indicator\",\"id\":\"indicator--2\",\"confidence\":101,"
			      "\"pattern\":\"[domain-name:value = 'a.example']\"},"
			      "{\"type\":\"indicator\",\"id\":\"indicator--3\",\"valid_until\":\"soon\","
			      "\"pattern\":\"[domain-name:value = 'a.example']\"},"
			      "{\"type\":\"indicator\",\"id\":\"indicator--4\","
			      "\"pattern\":\"[file:hashes.MD5 = '" D3D_SHA256 "']\"},"
			      "{\"type\":\"indicator\",\"id\":\"indicator--5\","
			      "\"pattern\":\"[domain-name:value = 'not a domain']\"}]}"),
			 VIGIL_WARN);
	expect_counts(0, 0, 0, 0, 0, 0, 0, 0);
	expect_diag(VIGIL_DIAG_WARNING, "m.json", 0, "object 0: not a STIX object");
	expect_diag(VIGIL_DIAG_WARNING, "m.json", 0, "indicator 'indicator--1' has no pattern");
	expect_diag(VIGIL_DIAG_WARNING, "m.json", 0, "indicator 'indicator--2': confidence");
	expect_diag(VIGIL_DIAG_WARNING, "m.json", 0, "indicator 'indicator--3': malformed valid_until");
	expect_diag(VIGIL_DIAG_WARNING, "m.json", 0, "indicator 'indicator--4': not an MD5 hash (64 characters)");
	expect_diag(VIGIL_DIAG_WARNING, "m.json", 0,
		    "indicator 'indicator--5': not a domain, IP address, CIDR range or URL: 'not a domain'");
	assert_int_equal(nwarn, 6);
}

static void test_json_malformed(void **state)
{
	(void)state;
	assert_int_equal(load("feeds/bad.json",
			      "{\"type\": \"bundle\",\n \"objects\": [\n {\"type\": }\n"),
			 VIGIL_FAILED);
	expect_counts(0, 0, 0, 0, 0, 0, 0, 0);
	expect_diag(VIGIL_DIAG_ERROR, "feeds/bad.json", 3, "malformed JSON");
	ndiags = 0;
	assert_int_equal(load("other.json", "{\"hello\": [1, 2]}"), VIGIL_FAILED);
	expect_diag(VIGIL_DIAG_ERROR, "other.json", 0,
		    "JSON that is not a STIX bundle or MISP event");
	/* A Loki file by name whose first line happens to start with '['
	 * still goes to the Loki reader. */
	ndiags = 0;
	assert_int_equal(load("x-filename-iocs.txt", "[Cc]:\\\\evil\\.exe;70\n"), VIGIL_OK);
	assert_int_equal(vigil_iocs_count(set, VIGIL_IOC_PATH_REGEX), 1);
}

/* ---- MISP JSON ---- */

static const char misp_event[] =
	"{\"Event\": {\"info\": \"3CX supply chain\", \"uuid\": \"ev-1\",\n"
	" \"Attribute\": [\n"
	"  {\"type\": \"domain\", \"value\": \"akamaicontainer.com\", \"to_ids\": true,"
	"   \"uuid\": \"a-1\", \"comment\": \"C2\"},\n"
	"  {\"type\": \"hostname\", \"value\": \"www.journalide.org\", \"to_ids\": true},\n"
	"  {\"type\": \"ip-dst|port\", \"value\": \"203.0.113.9|443\", \"to_ids\": true},\n"
	"  {\"type\": \"domain|ip\", \"value\": \"msstorageazure.com|198.51.100.7\"},\n"
	"  {\"type\": \"filename|sha256\", \"value\": \"d3dcompiler_47.dll|" D3D_SHA256 "\","
	"   \"to_ids\": true, \"uuid\": \"a-pair\"},\n"
	"  {\"type\": \"md5\", \"value\": \"" FFMPEG_MD5 "\", \"to_ids\": \"1\"},\n"
	"  {\"type\": \"sha1\", \"value\": \"" FFMPEG_SHA1 "\", \"to_ids\": false,"
	"   \"uuid\": \"a-hunt\"},\n"
	"  {\"type\": \"url\", \"value\": \"hxxps://raw.githubusercontent[.]com/IconStorages/images/main/icon1.ico\"},\n"
	"  {\"type\": \"email-src\", \"value\": \"philip.je@proton.me\", \"to_ids\": true},\n"
	"  {\"type\": \"email-src\", \"value\": \"cliego.garcia@proton.me\", \"to_ids\": true},\n"
	"  {\"type\": \"text\", \"value\": \"context\", \"to_ids\": false},\n"
	"  {\"type\": \"sha256\", \"value\": \"" FFMPEG_SHA256 "\", \"deleted\": true},\n"
	"  {\"type\": \"md5\", \"value\": \"xyz\", \"to_ids\": true},\n"
	"  {\"type\": \"filename|md5\", \"value\": \"no-bar\"},\n"
	"  {\"value\": \"no type\"}\n"
	" ],\n"
	" \"Object\": [{\"name\": \"file\", \"Attribute\": [\n"
	"  {\"type\": \"sha256\", \"value\": \"" FFMPEG_SHA256 "\", \"to_ids\": true},\n"
	"  {\"type\": \"filename\", \"value\": \"ffmpeg.dll\", \"to_ids\": false}]}]\n"
	"}}\n";

static void test_misp_event(void **state)
{
	(void)state;
	assert_int_equal(load("ev.json", misp_event), VIGIL_WARN);
	/* md5: 1, sha1: 1 (hunting), sha256: pair + object, path: object's
	 * filename, domains: 3, ipv4: 2, url: 1 */
	expect_counts(1, 1, 2, 1, 3, 2, 0, 1);
	const vigil_ioc *d = find(VIGIL_IOC_DOMAIN, "akamaicontainer.com");
	assert_string_equal(d->comment, "3CX supply chain [MISP event ev-1]: C2 (MISP attribute a-1)");
	assert_int_equal(d->score, 100);
	find(VIGIL_IOC_DOMAIN, "www.journalide.org");
	find(VIGIL_IOC_DOMAIN, "msstorageazure.com");
	find(VIGIL_IOC_IPV4, "203.0.113.9");
	find(VIGIL_IOC_IPV4, "198.51.100.7");
	find(VIGIL_IOC_URL, "https://raw.githubusercontent.com/IconStorages/images/main/icon1.ico");
	/* the pair loads the hash only; the name goes into the comment */
	const vigil_ioc *pair = find(VIGIL_IOC_SHA256, D3D_SHA256);
	assert_string_equal(pair->comment, "3CX supply chain [MISP event ev-1] (MISP attribute "
					   "a-pair) [file name d3dcompiler_47.dll]");
	assert_int_equal(path_hits("/x/d3dcompiler_47.dll"), 0);
	/* to_ids false: loaded at the hunting score */
	assert_int_equal(find(VIGIL_IOC_SHA1, FFMPEG_SHA1)->score, 40);
	assert_int_equal(find(VIGIL_IOC_MD5, FFMPEG_MD5)->score, 100);
	assert_int_equal(path_hits("/x/FFmpeg.dll"), 1);
	assert_int_equal(vigil_iocs_get(set, VIGIL_IOC_PATH_REGEX, 0)->score, 40);
	/* unsupported types: once per type; warning when marked to_ids */
	expect_diag(VIGIL_DIAG_WARNING, "ev.json", 0,
		    "2 attributes of type 'email-src' not supported, skipped (2 marked to_ids)");
	expect_diag(VIGIL_DIAG_INFO, "ev.json", 0, "1 attributes of type 'text' not supported");
	expect_diag(VIGIL_DIAG_WARNING, "ev.json", 0,
		    "event 0 attribute 12: not an MD5 hash (3 characters)");
	expect_diag(VIGIL_DIAG_WARNING, "ev.json", 0,
		    "event 0 attribute 13: 'filename|md5' value 'no-bar' malformed");
	expect_diag(VIGIL_DIAG_WARNING, "ev.json", 0,
		    "event 0 attribute 14: no string type and value");
	expect_diag(VIGIL_DIAG_INFO, "ev.json", 0,
		    "MISP: 17 attributes, 11 IOCs; 1 deleted skipped");
	assert_int_equal(nwarn, 4);
}

static void test_misp_lists(void **state)
{
	(void)state;
	assert_int_equal(load("r.json", "{\"response\": [{\"Event\": {\"Attribute\": ["
					"{\"type\": \"domain\", \"value\": \"sbmsa.wiki\"}]}},"
					"{\"Event\": {\"Attribute\": [{\"type\": \"domain\","
					"\"value\": \"pbxsources.com\"}]}}]}"),
			 VIGIL_OK);
	assert_int_equal(load("l.json", "[{\"Event\": {\"Object\": [{\"Attribute\": ["
					"{\"type\": \"ip-src\", \"value\": \"2001:db8::7\"}]}]}},"
					" {\"nope\": 1}]"),
			 VIGIL_WARN);
	expect_counts(0, 0, 0, 0, 2, 0, 1, 0);
	expect_diag(VIGIL_DIAG_WARNING, "l.json", 0, "event 1: no 'Event' object");
}

/* Events as PyMISP's MISPEvent.to_json() writes them: the event object
 * itself, no {"Event": ...} wrapper, alone, in a list or in a response;
 * url attributes without a scheme (item 6 of the real-data issue). */
#define BARE_EVENT(uuid, dom)                                                  \
	"{\"info\": \"3CX (PyMISP)\", \"uuid\": \"" uuid "\", \"threat_level_id\": \"1\","  \
	" \"Attribute\": [{\"type\": \"domain\", \"value\": \"" dom "\"}],"              \
	" \"Object\": [{\"name\": \"file\", \"Attribute\": [{\"type\": \"sha256\","          \
	" \"value\": \"" D3D_SHA256 "\"}]}]}"

static void test_misp_bare_events(void **state)
{
	(void)state;
	assert_int_equal(load("pymisp.json", BARE_EVENT("ev-2", "sbmsa.wiki")), VIGIL_OK);
	expect_counts(0, 0, 1, 0, 1, 0, 0, 0);
	assert_string_equal(find(VIGIL_IOC_DOMAIN, "sbmsa.wiki")->comment,
			    "3CX (PyMISP) [MISP event ev-2] (MISP attribute event 0 attribute 0)");
	assert_int_equal(load("resp.json", "{\"response\": [" BARE_EVENT("ev-3", "pbxsources.com")
				",{\"Event\": {\"Attribute\": [{\"type\": \"domain\","
				" \"value\": \"journalide.org\"}]}}]}"),
			 VIGIL_OK);
	assert_int_equal(load("list.json", "[" BARE_EVENT("ev-4", "akamaicontainer.com") "]"),
			 VIGIL_OK);
	expect_counts(0, 0, 3, 0, 4, 0, 0, 0); /* the same hash in three events */
	assert_int_equal(nwarn + nerr, 0);
	/* JSON that is no event still fails */
	assert_int_equal(load("info.json", "{\"info\": \"not MISP\"}"), VIGIL_FAILED);
}

static void test_misp_schemeless_urls(void **state)
{
	(void)state;
	static const char ev[] =
		"{\"Event\": {\"info\": \"urls\", \"Attribute\": [\n"
		" {\"type\": \"url\", \"value\": \"WWW.Example.com/a/B.txt\"},\n"
		" {\"type\": \"url\", \"value\": \"198.51.100.8:8080/gate.php\"},\n"
		" {\"type\": \"url\", \"value\": \"evil[.]example[.]org/\"},\n"
		" {\"type\": \"url\", \"value\": \"sbmsa.wiki\"},\n"
		" {\"type\": \"url\", \"value\": \"https://x.example.com/dl/\"},\n"
		" {\"type\": \"url\", \"value\": \"payload.exe\"},\n"
		" {\"type\": \"url\", \"value\": \"files/payload.exe\"},\n"
		" {\"type\": \"url\", \"value\": \"evil.notatld/x\"}\n"
		"]}}";
	assert_int_equal(load("urls.json", ev), VIGIL_WARN);
	/* host-only: a domain as before; with a path: a URL of any scheme */
	expect_counts(0, 0, 0, 0, 1, 0, 0, 4);
	find(VIGIL_IOC_DOMAIN, "sbmsa.wiki");
	find(VIGIL_IOC_URL, "www.example.com/a/B.txt");
	find(VIGIL_IOC_URL, "198.51.100.8:8080/gate.php");
	find(VIGIL_IOC_URL, "evil.example.org/");
	find(VIGIL_IOC_URL, "https://x.example.com/dl/");
	expect_diag(VIGIL_DIAG_WARNING, "urls.json", 0,
		    "event 0 attribute 5: 'url' value 'payload.exe' is not a URL: no host");
	expect_diag(VIGIL_DIAG_WARNING, "urls.json", 0,
		    "event 0 attribute 6: 'url' value 'files/payload.exe' is not a URL: no host");
	expect_diag(VIGIL_DIAG_WARNING, "urls.json", 0,
		    "event 0 attribute 7: 'url' value 'evil.notatld/x' is not a URL: no host");
	assert_int_equal(nwarn, 3);
	/* the URL matcher takes them for http and https */
	vigil_netmatch *m = vigil_netmatch_create(set);
	static const char *const yes[] = {
		"http://www.example.com/a/B.txt", "https://WWW.EXAMPLE.COM/a/B.txt?x=1",
		"https://198.51.100.8:8080/gate.php", "http://evil.example.org/anything",
	};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
		if (!vigil_netmatch_url(m, yes[i], strlen(yes[i])))
			fail_msg("%s: no match", yes[i]);
	static const char *const no[] = {
		"ftp://www.example.com/a/B.txt", "http://www.example.com/a/b.txt",
		"http://198.51.100.8/gate.php", "http://www.example.com/a/B.txtx",
	};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (vigil_netmatch_url(m, no[i], strlen(no[i])))
			fail_msg("%s: unexpected match", no[i]);
	assert_int_equal(vigil_netmatch_count(m, VIGIL_IOC_URL), 4);
	vigil_netmatch_destroy(m);
}

/* ---- MISP CSV ---- */

static void test_misp_csv(void **state)
{
	(void)state;
	const char csv[] =
		"uuid,event_id,category,type,value,comment,to_ids,date\r\n"
		"u-1,7,Network activity,domain,akamaicontainer.com,\"C2, per Volexity\",1,20230330\r\n"
		"u-2,7,Payload delivery,filename|sha256,\"d3dcompiler_47.dll|" D3D_SHA256 "\","
		"\"multi\r\nline \"\"quoted\"\" comment\",1,20230330\r\n"
		"u-3,7,Payload delivery,md5," FFMPEG_MD5 ",,0,20230330\r\n"
		"u-4,7,Network activity,domain,bad\"quote.com,,1,20230330\r\n"
		"\r\n"
		"u-5,7,Network activity,url,\"hxxps://msstorageazure[.]com/a,b\",,True,20230330\r\n"
		"u-6,7,Other,text\r\n"
		"u-7,7,Other,vulnerability,CVE-2023-29059,,0,20230330\r\n"
		"u-8,7,Network activity,ip-dst,\"203.0.113.5\"";
	assert_int_equal(load("export.csv", csv), VIGIL_WARN);
	expect_counts(1, 0, 1, 0, 1, 1, 0, 1);
	const vigil_ioc *d = find(VIGIL_IOC_DOMAIN, "akamaicontainer.com");
	assert_string_equal(d->comment, "MISP event 7: C2, per Volexity attribute u-1");
	assert_int_equal(d->line, 2);
	const vigil_ioc *h = find(VIGIL_IOC_SHA256, D3D_SHA256);
	assert_string_equal(h->comment, "MISP event 7: multi\r\nline \"quoted\" comment "
					"attribute u-2 [file name d3dcompiler_47.dll]");
	assert_int_equal(h->line, 3);
	assert_int_equal(find(VIGIL_IOC_MD5, FFMPEG_MD5)->score, 40);
	assert_int_equal(find(VIGIL_IOC_MD5, FFMPEG_MD5)->line, 5);
	assert_int_equal(find(VIGIL_IOC_URL, "https://msstorageazure.com/a,b")->line, 8);
	assert_int_equal(find(VIGIL_IOC_IPV4, "203.0.113.5")->line, 11);
	expect_diag(VIGIL_DIAG_WARNING, "export.csv", 6, "malformed CSV record: stray quote");
	expect_diag(VIGIL_DIAG_WARNING, "export.csv", 9, "fewer than the header's");
	expect_diag(VIGIL_DIAG_INFO, "export.csv", 0, "1 attributes of type 'vulnerability'");
	assert_int_equal(nwarn, 2);

	/* detected by its header even when the name says "hash" */
	ndiags = nwarn = 0;
	assert_int_equal(load("misp-hashes.txt", "\"type\",\"value\"\nsha1," FFMPEG_SHA1 "\n"
						 "md5,\"" FFMPEG_MD5 "\n"),
			 VIGIL_WARN);
	expect_counts(1, 1, 1, 0, 1, 1, 0, 1);
	expect_diag(VIGIL_DIAG_WARNING, "misp-hashes.txt", 3,
		    "malformed CSV record: quoted field not closed");
}

/* ---- plain lists ---- */

static void test_plain_list(void **state)
{
	(void)state;
	const char list[] =
		"# 3CX indicators\r\n"
		"akamaicontainer[.]com\r\n"
		"hxxps://msstorageazure[.]com/update\r\n"
		"\r\n"
		"  " D3D_SHA256 "  d3dcompiler_47.dll\r\n"
		FFMPEG_MD5 "\r\n"
		"198.51.100.0/24\r\n"
		"2001:db8::/32 # documentation range\r\n"
		"not a value\r\n"
		"12345\r\n"
		"ffmpeg.dll\r\n";
	assert_int_equal(load("3cx-list.txt", list), VIGIL_WARN);
	/* ffmpeg.dll reads as a domain: plain lists hold no file names */
	expect_counts(1, 0, 1, 0, 2, 1, 1, 1);
	assert_string_equal(find(VIGIL_IOC_DOMAIN, "akamaicontainer.com")->comment, "3CX indicators");
	assert_int_equal(find(VIGIL_IOC_DOMAIN, "akamaicontainer.com")->line, 2);
	find(VIGIL_IOC_URL, "https://msstorageazure.com/update");
	assert_string_equal(find(VIGIL_IOC_SHA256, D3D_SHA256)->comment, "d3dcompiler_47.dll");
	assert_string_equal(find(VIGIL_IOC_IPV6, "2001:db8::/32")->comment, "documentation range");
	find(VIGIL_IOC_IPV4, "198.51.100.0/24");
	find(VIGIL_IOC_MD5, FFMPEG_MD5);
	expect_diag(VIGIL_DIAG_WARNING, "3cx-list.txt", 9, "'not'");
	expect_diag(VIGIL_DIAG_WARNING, "3cx-list.txt", 10, "'12345'");
	assert_int_equal(nwarn, 2);
}

/* A hash written as Loki writes it (hash;comment, hash;score;comment) in a
 * file whose name does not say Loki is a hash IOC; a URL keeps its ';'. */
static void test_plain_loki_hashes(void **state)
{
	(void)state;
	const char list[] =
		D3D_SHA256 ";test-only d3dcompiler\n"
		FFMPEG_MD5 ";80;test-only ffmpeg\n"
		"https://example.com/a;b\n";
	assert_int_equal(load("iocs.txt", list), VIGIL_OK);
	expect_counts(1, 0, 1, 0, 0, 0, 0, 1);
	assert_string_equal(find(VIGIL_IOC_SHA256, D3D_SHA256)->comment, "test-only d3dcompiler");
	assert_int_equal(find(VIGIL_IOC_SHA256, D3D_SHA256)->score, 100);
	assert_string_equal(find(VIGIL_IOC_MD5, FFMPEG_MD5)->comment, "test-only ffmpeg");
	assert_int_equal(find(VIGIL_IOC_MD5, FFMPEG_MD5)->score, 80);
	find(VIGIL_IOC_URL, "https://example.com/a;b");
}

/* Binary garbage: nothing loads, nothing crashes, the messages are capped. */
static void test_garbage(void **state)
{
	(void)state;
	char buf[40000];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof buf; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char)(x & 0xff);
		if (i % 61 == 60)
			buf[i] = '\n';
	}
	buf[0] = 'G'; /* not JSON */
	int rc = vigil_iocs_load_buffer(set, "blob.bin", buf, sizeof buf, VIGIL_IOC_AUTO);
	assert_int_equal(rc, VIGIL_WARN);
	expect_counts(0, 0, 0, 0, 0, 0, 0, 0);
	/* 100 shown, one "N more warnings not shown" */
	assert_int_equal(nwarn, 101);
	assert_non_null(strstr(diags[ndiags - 1].msg, "more warnings not shown"));

	ndiags = nwarn = 0;
	buf[0] = '{';
	rc = vigil_iocs_load_buffer(set, "blob.json", buf, sizeof buf, VIGIL_IOC_AUTO);
	assert_int_equal(rc, VIGIL_FAILED);
	expect_diag(VIGIL_DIAG_ERROR, "blob.json", 1, "malformed JSON");
}

/* The Loki readers still apply by name when the content is theirs. */
static void test_loki_by_name(void **state)
{
	(void)state;
	assert_int_equal(load("x-hash-iocs.txt", FFMPEG_MD5 ";3CX ffmpeg\n"), VIGIL_OK);
	assert_int_equal(load("x-c2-iocs.txt", "akamaicontainer.com;90\n"), VIGIL_OK);
	expect_counts(1, 0, 0, 0, 1, 0, 0, 0);
	assert_int_equal(find(VIGIL_IOC_DOMAIN, "akamaicontainer.com")->score, 90);
	/* an explicit format wins over content */
	assert_int_equal(vigil_iocs_load_buffer(set, "any", "sbmsa.wiki\n", 11,
						VIGIL_IOC_STIX),
			 VIGIL_FAILED);
	assert_int_equal(vigil_iocs_load_buffer(set, "any", "sbmsa.wiki\n", 11,
						VIGIL_IOC_PLAIN),
			 VIGIL_OK);
}

static void write_file(const char *path, const char *text)
{
	test_write_file(path, text, strlen(text));
}

/* In a directory: Loki names, stix/misp/list names, .json and .csv are
 * read; other files (README.md) are skipped as Loki does. */
static void test_directory(void **state)
{
	(void)state;
	char dir[1024], p[1200];
	test_scratch_path("intel-dir", dir, sizeof dir);
	assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	snprintf(p, sizeof p, "%s/feed.json", dir);
	write_file(p, "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":"
		      "\"i--1\",\"pattern\":\"[domain-name:value = 'pbxphonenetwork.com']\"}]}");
	snprintf(p, sizeof p, "%s/blocklist", dir);
	write_file(p, "officeaddons.com\n");
	snprintf(p, sizeof p, "%s/export.csv", dir);
	write_file(p, "type,value\nsha256," FFMPEG_SHA256 "\n");
	snprintf(p, sizeof p, "%s/README.md", dir);
	write_file(p, "# not IOCs\nsome words\n");
	assert_int_equal(vigil_iocs_load(set, dir, VIGIL_IOC_AUTO), VIGIL_OK);
	expect_counts(0, 0, 1, 0, 2, 0, 0, 0);
	snprintf(p, sizeof p, "%s/README.md", dir);
	expect_diag(VIGIL_DIAG_INFO, p, 0, "not an IOC file, skipped");
	/* a single file is always read, whatever its name */
	assert_int_equal(vigil_iocs_load(set, p, VIGIL_IOC_AUTO), VIGIL_WARN);
	const char *names[] = {"feed.json", "blocklist", "export.csv", "README.md"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stix_3cx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stix_unevaluable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stix_partial_and_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stix_malformed_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misp_event, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misp_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misp_bare_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misp_schemeless_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misp_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_loki_hashes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loki_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
