/*
 * Strings and network indicators (lib/netstrings.c): what is found in ASCII
 * and UTF-16LE strings, what is deliberately not (file names with TLD-like
 * extensions, version-like dotted numbers, out-of-range octets), offsets,
 * de-duplication and the cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "formats/netstrings.h"

/* Extract from a buffer; returns the results as "kind value" lines. */
static char *extract(const uint8_t *b, size_t len, size_t max, vg_netstrings **keep)
{
	vg_netstrings *ns;
	int st = vg_netstrings_extract(b, len, max, &ns);
	assert_true(st == VIGIL_OK || st == VIGIL_WARN);
	assert_int_equal(st == VIGIL_WARN, ns->capped);
	size_t cap = 1;
	for (size_t i = 0; i < ns->n; i++)
		cap += strlen(ns->items[i].value) + 16;
	char *out = calloc(1, cap);
	assert_non_null(out);
	for (size_t i = 0; i < ns->n; i++) {
		strcat(out, vg_netstr_kind_name(ns->items[i].kind));
		strcat(out, " ");
		strcat(out, ns->items[i].value);
		strcat(out, "\n");
	}
	if (keep)
		*keep = ns;
	else
		vg_netstrings_free(ns);
	return out;
}

static char *extract_str(const char *s)
{
	return extract((const uint8_t *)s, strlen(s), 0, NULL);
}

static void expect(const char *input, const char *want)
{
	char *got = extract_str(input);
	if (strcmp(got, want) != 0)
		fail_msg("input: %s\nwant:\n%sgot:\n%s", input, want, got);
	free(got);
}

static void test_urls(void **state)
{
	expect("connect to http://Evil.Example.COM:8080/Path?q=1 now",
	       "url http://evil.example.com:8080/Path?q=1\n"
	       "domain evil.example.com\n");
	expect("(see HTTPS://user:pw@files.example.org/a.zip).",
	       "url https://user:pw@files.example.org/a.zip\n"
	       "domain files.example.org\n");
	expect("mirror ftp://10.1.2.3/pub/ and more",
	       "url ftp://10.1.2.3/pub/\n"
	       "ipv4 10.1.2.3\n");
	/* a host without a dot is not a URL host; no TLD needed with a scheme */
	expect("http://localhost/x and http://intranet.corp/y",
	       "url http://intranet.corp/y\n");
	/* the scheme must start a word */
	expect("xhttp://a.example.com/", "domain a.example.com\n");
}

static void test_domains(void **state)
{
	expect("beacon to update.akamaicontainer.com every hour",
	       "domain update.akamaicontainer.com\n");
	expect("mail admin@corp.example.de please", "domain corp.example.de\n");
	/* file names whose extension is a country code left off the list */
	expect("load libc.so.6 and Makefile.in, setup.py, main.rs, run.sh, x.pl", "");
	/* unknown TLD, bad labels, a single label, an underscore around */
	expect("config.json foo-.com -foo.com localhost a_b.example.com", "");
	expect("trailing dot: example.net. done", "domain example.net\n");
	expect("UPPER.EXAMPLE.ORG", "domain upper.example.org\n");
}

/* TLDs from the public suffix list (item 8 of the real-data issue): a
 * .wiki C2 domain of the 3CX content pack is listed; names under word
 * TLDs need host evidence; file extensions stay out. */
static void test_public_suffixes(void **state)
{
	expect("c2 sbmsa.wiki and SBMSA.WIKI", "domain sbmsa.wiki\n");
	/* a public suffix alone is no domain; one level below it is */
	expect("co.uk and shop.example.co.uk", "domain shop.example.co.uk\n");
	/* identifiers and keys under word TLDs */
	expect("user.email graphical.target f32.ge file.name this.data", "");
	/* ... listed with host evidence */
	expect("by rurban@x-ray.at", "domain x-ray.at\n");
	expect("connect evil.email:443 now", "domain evil.email\n");
	expect("get evil.email/payload.bin", "domain evil.email\n");
	/* a path segment is no host */
	expect("/grpc.health.v1.Health/Check lib/obj.target/x calendar.ao/0", "");
	/* file-extension TLDs: only as a URL's host */
	expect("libc.so setup.py Safari.app ali.ads main.py:12 x@run.sh", "");
	expect("see https://evil.so/x", "url https://evil.so/x\ndomain evil.so\n");
	/* no "*" default rule: an unknown TLD is not a public suffix */
	expect("evil.notatld:443 https://a.notatld/", "url https://a.notatld/\n");
}

static void test_ipv4(void **state)
{
	expect("server 192.168.1.254. ok", "ipv4 192.168.1.254\n");
	expect("addr=0.0.0.0 and 255.255.255.255",
	       "ipv4 0.0.0.0\nipv4 255.255.255.255\n");
	/* out of range, too many parts, version-like, leading zeros, inside numbers */
	expect("256.1.1.1 1.2.3.4.5 v1.2.3.4 01.2.3.4 12345.1.1.1 1.2.3.4567 1.2.3", "");
	/* symbol versions, package versions, an OID's tail with a suffix */
	expect("ZLIB_1.2.3.4 libfoo-1.2.3.4 1.2.3.4-1 1.20.2.3H9C 1.2.3.4_rc", "");
	/* still an address after '/', '@', '=', ':' and in brackets */
	expect("http://10.0.0.1/x u@10.0.0.2 h=10.0.0.3 (10.0.0.4)",
	       "url http://10.0.0.1/x\nipv4 10.0.0.1\nipv4 10.0.0.2\nipv4 10.0.0.3\nipv4 10.0.0.4\n");
}

static void test_utf16(void **state)
{
	const char *s = "https://c2.example.com/beacon";
	size_t n = strlen(s);
	uint8_t buf[256] = {0xff, 0xfe, 0x01}; /* odd alignment on purpose */
	for (size_t i = 0; i < n; i++) {
		buf[3 + 2 * i] = (uint8_t)s[i];
		buf[3 + 2 * i + 1] = 0;
	}
	vg_netstrings *ns;
	char *got = extract(buf, 3 + 2 * n + 4, 0, &ns);
	assert_string_equal(got, "url https://c2.example.com/beacon\ndomain c2.example.com\n");
	assert_true(ns->items[0].utf16);
	assert_int_equal(ns->items[0].offset, 3);
	vg_netstrings_free(ns);
	free(got);
}

static void test_min_length_and_offsets(void **state)
{
	/* "a.com" is 5 characters: not a string on its own */
	static const uint8_t b[] = "\0\0a.com\0\0\0xx.example.com\0";
	vg_netstrings *ns;
	char *got = extract(b, sizeof b, 0, &ns);
	assert_string_equal(got, "domain xx.example.com\n");
	assert_int_equal(ns->items[0].offset, 10);
	assert_false(ns->items[0].utf16);
	vg_netstrings_free(ns);
	free(got);
}

static void test_dedupe(void **state)
{
	static const uint8_t b[] = "first evil.example.com\0second evil.example.com\0"
				   "third EVIL.example.com\0";
	vg_netstrings *ns;
	char *got = extract(b, sizeof b, 0, &ns);
	assert_string_equal(got, "domain evil.example.com\n");
	assert_int_equal(ns->items[0].offset, 0);
	vg_netstrings_free(ns);
	free(got);
}

static void test_cap(void **state)
{
	char buf[4096] = "";
	for (int i = 0; i < 50; i++) {
		char one[64];
		snprintf(one, sizeof one, "host%02d.example.com ", i);
		strcat(buf, one);
	}
	vg_netstrings *ns;
	char *got = extract((const uint8_t *)buf, strlen(buf), 10, &ns);
	assert_int_equal(ns->n, 10);
	assert_true(ns->capped);
	assert_string_equal(ns->items[9].value, "host09.example.com");
	vg_netstrings_free(ns);
	free(got);
	/* the default cap applies when 0 is passed */
	got = extract((const uint8_t *)buf, strlen(buf), 0, &ns);
	assert_int_equal(ns->n, 50);
	assert_false(ns->capped);
	vg_netstrings_free(ns);
	free(got);
}

struct seen {
	int n;
	char last[VG_STRINGS_MAX_RUN + 1];
	uint64_t last_off;
	int last_utf16;
	size_t longest;
};

static int on_string(void *ctx, const char *s, size_t n, uint64_t off, int utf16)
{
	struct seen *z = ctx;
	z->n++;
	assert_int_equal(strlen(s), n);
	snprintf(z->last, sizeof z->last, "%s", s);
	z->last_off = off;
	z->last_utf16 = utf16;
	if (n > z->longest)
		z->longest = n;
	return 0;
}

static void test_strings_each(void **state)
{
	static const uint8_t b[] = "\x01short\x02longer one\x03"
				   "w\0i\0d\0e\0 \0s\0t\0r\0\0\0";
	struct seen z = {0};
	vg_strings_each(b, sizeof b, 0, on_string, &z);
	assert_int_equal(z.n, 2);
	assert_string_equal(z.last, "wide str");
	assert_int_equal(z.last_utf16, 1);
	assert_int_equal(z.last_off, 18);

	memset(&z, 0, sizeof z);
	vg_strings_each(b, sizeof b, 3, on_string, &z);
	assert_int_equal(z.n, 3); /* "short" as well */

	/* a run longer than the maximum comes in pieces */
	size_t n = VG_STRINGS_MAX_RUN * 2 + 10;
	uint8_t *big = malloc(n);
	assert_non_null(big);
	memset(big, 'a', n);
	memset(&z, 0, sizeof z);
	vg_strings_each(big, n, 0, on_string, &z);
	assert_int_equal(z.n, 3);
	assert_int_equal(z.longest, VG_STRINGS_MAX_RUN);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_public_suffixes),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_min_length_and_offsets),
		cmocka_unit_test(test_dedupe),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_strings_each),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
