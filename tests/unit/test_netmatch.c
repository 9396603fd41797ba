/* The network IOC matcher: domains at label boundaries, CIDR tables, URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vigil/iocs.h>
#include <vigil/logs.h>

struct fixture {
	vigil_iocs *set;
	vigil_netmatch *m;
};

static const char *const iocs[] = {
	"akamaicontainer.com",
	"MSStorageAzure[.]com.", /* defanged, upper case, trailing dot */
	"deep.sub.example.net",
	"example.net",
	"*.wild.example",
	"xn--bcher-kva.example",
	"203.0.113.0/24",
	"203.0.113.77",
	"198.51.100.9",
	"2001:db8:bad::/48",
	"[2001:db8::1]",
	"hxxps://Evil.Example/payload",
	"http://Host.Example:80",
	"https://host.example/a/b?q=1",
};

static int setup(void **state)
{
	static struct fixture f;
	f.set = vigil_iocs_create();
	for (size_t i = 0; i < sizeof iocs / sizeof *iocs; i++)
		assert_int_equal(vigil_iocs_add_network(f.set, iocs[i], 100, "t", "test", i + 1),
				 VIGIL_OK);
	f.m = vigil_netmatch_create(f.set);
	assert_non_null(f.m);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vigil_netmatch_destroy(f->m);
	vigil_iocs_destroy(f->set);
	return 0;
}

static const char *dom(struct fixture *f, const char *name)
{
	const vigil_ioc *ioc = vigil_netmatch_domain(f->m, name, strlen(name));
	return ioc ? ioc->value : NULL;
}

static const char *ip(struct fixture *f, const char *a)
{
	const vigil_ioc *ioc = vigil_netmatch_ip(f->m, a, strlen(a));
	return ioc ? ioc->value : NULL;
}

static const char *url(struct fixture *f, const char *u)
{
	const vigil_ioc *ioc = vigil_netmatch_url(f->m, u, strlen(u));
	return ioc ? ioc->value : NULL;
}

static void test_domains(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(dom(f, "akamaicontainer.com"), "akamaicontainer.com");
	assert_string_equal(dom(f, "a.b.akamaicontainer.com"), "akamaicontainer.com");
	assert_string_equal(dom(f, "AkamaiContainer.COM."), "akamaicontainer.com");
	assert_string_equal(dom(f, "www.msstorageazure.com"), "msstorageazure.com");
	assert_string_equal(dom(f, "x.wild.example"), "wild.example");
	assert_string_equal(dom(f, "XN--BCHER-KVA.example"), "xn--bcher-kva.example");
	/* the most specific IOC wins */
	assert_string_equal(dom(f, "a.deep.sub.example.net"), "deep.sub.example.net");
	assert_string_equal(dom(f, "sub.example.net"), "example.net");
	/* near misses */
	assert_null(dom(f, "notakamaicontainer.com"));
	assert_null(dom(f, "akamaicontainer.com.example.org"));
	assert_null(dom(f, "akamaicontainer.co"));
	assert_null(dom(f, "kamaicontainer.com"));
	assert_null(dom(f, "com"));
	assert_null(dom(f, ""));
	assert_null(dom(f, "."));
	assert_null(dom(f, "akamaicontainer-com"));
	assert_null(dom(f, "bücher.example"));
}

static void test_addresses(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(ip(f, "203.0.113.5"), "203.0.113.0/24");
	/* the longest prefix wins */
	assert_string_equal(ip(f, "203.0.113.77"), "203.0.113.77");
	assert_string_equal(ip(f, "198.51.100.9"), "198.51.100.9");
	assert_string_equal(ip(f, "::ffff:198.51.100.9"), "198.51.100.9");
	assert_string_equal(ip(f, "2001:db8:bad:1::5"), "2001:db8:bad::/48");
	assert_string_equal(ip(f, "2001:DB8:BAD::"), "2001:db8:bad::/48");
	assert_string_equal(ip(f, "2001:db8::1"), "2001:db8::1");
	assert_string_equal(ip(f, "[2001:db8::1]"), "2001:db8::1");
	assert_null(ip(f, "198.51.100.91"));
	assert_null(ip(f, "198.51.100.9.1"));
	assert_null(ip(f, "1198.51.100.9"));
	assert_null(ip(f, "198.51.100"));
	assert_null(ip(f, "203.0.114.1"));
	assert_null(ip(f, "2001:db8:bae::1"));
	assert_null(ip(f, "2001:db8::2"));
	assert_null(ip(f, "203.0.113.256"));
	assert_null(ip(f, "0203.0.113.5"));
	assert_null(ip(f, "not an address"));
}

static void test_urls(void **state)
{
	struct fixture *f = *state;
	assert_non_null(url(f, "https://evil.example/payload"));
	assert_non_null(url(f, "HTTPS://EVIL.EXAMPLE./payload?x=1"));
	assert_non_null(url(f, "https://evil.example:443/payload#frag"));
	assert_non_null(url(f, "https://user@evil.example/payload"));
	assert_null(url(f, "https://evil.example/payloads"));
	assert_null(url(f, "https://evil.example/Payload"));
	assert_null(url(f, "http://evil.example/payload"));
	assert_null(url(f, "https://evil.example:8443/payload"));
	/* no path: every URL of the origin */
	assert_non_null(url(f, "http://host.example/"));
	assert_non_null(url(f, "http://host.example/anything?x"));
	assert_non_null(url(f, "http://HOST.example:80"));
	assert_null(url(f, "http://host.example:8080/"));
	assert_null(url(f, "https://host.example/"));
	/* a path with a query matches exactly that */
	assert_non_null(url(f, "https://host.example/a/b?q=1"));
	assert_null(url(f, "https://host.example/a/b?q=12"));
	assert_null(url(f, "host.example/a/b"));
	assert_null(url(f, "://"));
}

static void test_counts(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(vigil_netmatch_count(f->m, VIGIL_IOC_DOMAIN), 6);
	assert_int_equal(vigil_netmatch_count(f->m, VIGIL_IOC_IPV4), 3);
	assert_int_equal(vigil_netmatch_count(f->m, VIGIL_IOC_IPV6), 2);
	assert_int_equal(vigil_netmatch_count(f->m, VIGIL_IOC_URL), 3);
}

static void test_empty_set(void **state)
{
	(void)state;
	vigil_iocs *set = vigil_iocs_create();
	vigil_netmatch *m = vigil_netmatch_create(set);
	assert_non_null(m);
	assert_null(vigil_netmatch_domain(m, "a.com", 5));
	assert_null(vigil_netmatch_ip(m, "1.2.3.4", 7));
	assert_null(vigil_netmatch_url(m, "http://a/", 9));
	vigil_netmatch_destroy(m);
	vigil_netmatch_destroy(NULL);
	vigil_iocs_destroy(set);
}

static void test_first_loaded_wins(void **state)
{
	(void)state;
	vigil_iocs *set = vigil_iocs_create();
	assert_int_equal(vigil_iocs_add_network(set, "dup.example", 70, "first", "a", 1), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "DUP.example", 90, "second", "b", 1), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "192.0.2.0/24", 70, "first", "a", 2), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "192.0.2.0/24", 90, "second", "b", 2), VIGIL_OK);
	vigil_netmatch *m = vigil_netmatch_create(set);
	assert_string_equal(vigil_netmatch_domain(m, "x.dup.example", 13)->comment, "first");
	assert_string_equal(vigil_netmatch_ip(m, "192.0.2.1", 9)->comment, "first");
	vigil_netmatch_destroy(m);
	vigil_iocs_destroy(set);
}

static void test_ioc_normalisation(void **state)
{
	(void)state;
	vigil_iocs *set = vigil_iocs_create();
	assert_int_equal(vigil_iocs_add_network(set, "HTTP://Evil.Example?Q=A", 100, "", "t", 1), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "*.Wild.Example.", 100, "", "t", 2), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "[2001:DB8::5]", 100, "", "t", 3), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "evil[.]example[.]org", 100, "", "t", 4), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "not a domain", 100, "", "t", 5), VIGIL_FAILED);
	assert_string_equal(vigil_iocs_get(set, VIGIL_IOC_URL, 0)->value, "http://evil.example?Q=A");
	assert_string_equal(vigil_iocs_get(set, VIGIL_IOC_DOMAIN, 0)->value, "wild.example");
	assert_string_equal(vigil_iocs_get(set, VIGIL_IOC_IPV6, 0)->value, "2001:db8::5");
	assert_string_equal(vigil_iocs_get(set, VIGIL_IOC_DOMAIN, 1)->value, "evil.example.org");
	vigil_netmatch *m = vigil_netmatch_create(set);
	assert_non_null(vigil_netmatch_url(m, "http://EVIL.example/?Q=A", 24));
	assert_null(vigil_netmatch_url(m, "http://evil.example/?q=a", 24));
	vigil_netmatch_destroy(m);
	vigil_iocs_destroy(set);
}

/* A path that ends with '/' is a directory: every URL below it matches;
 * without the slash the path is exact (item 7 of the real-data issue). */
static void test_url_directory(void **state)
{
	(void)state;
	vigil_iocs *set = vigil_iocs_create();
	assert_int_equal(vigil_iocs_add_network(set, "https://example.com/dl/", 100, "dir", "t", 1), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "https://example.com/dl/exact.exe", 100, "file", "t", 2), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "http://example.org/get", 100, "exact", "t", 3), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "http://example.org/q/?a=1", 100, "query", "t", 4), VIGIL_OK);
	vigil_netmatch *m = vigil_netmatch_create(set);
	const char *yes[] = {
		"https://example.com/dl/x.exe?y", "https://example.com/dl/",
		"https://EXAMPLE.com:443/dl/sub/a.zip#f", "https://example.com/dl/?x",
	};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		const vigil_ioc *ioc = vigil_netmatch_url(m, yes[i], strlen(yes[i]));
		if (!ioc || strcmp(ioc->comment, "dir") != 0)
			fail_msg("%s: want the directory IOC", yes[i]);
	}
	const char *no[] = {
		"https://example.com/dl", "https://example.com/dlx/a",
		"https://example.com/other/dl/x", "http://example.com/dl/x",
		"http://example.org/get/x", "http://example.org/getx",
		"http://example.org/q/?a=12", "http://example.org/q/x",
	};
	for (size_t i = 0; i < sizeof no / sizeof *no; i++)
		if (vigil_netmatch_url(m, no[i], strlen(no[i])))
			fail_msg("%s: want no match", no[i]);
	/* the more specific IOC wins over the directory */
	assert_string_equal(vigil_netmatch_url(m, "https://example.com/dl/exact.exe", 32)->comment, "file");
	assert_string_equal(vigil_netmatch_url(m, "http://example.org/get?x", 24)->comment, "exact");
	vigil_netmatch_destroy(m);
	vigil_iocs_destroy(set);
}

static void test_time_format(void **state)
{
	(void)state;
	char buf[40];
	vigil_format_time(0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	vigil_format_time(1680093296123456LL, buf, sizeof buf);
	assert_string_equal(buf, "2023-03-29T12:34:56.123456Z");
	vigil_format_time(951782400LL * 1000000, buf, sizeof buf);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_counts),
	};
	const struct CMUnitTest plain[] = {
		cmocka_unit_test(test_empty_set),
		cmocka_unit_test(test_first_loaded_wins),
		cmocka_unit_test(test_ioc_normalisation),
		cmocka_unit_test(test_url_directory),
		cmocka_unit_test(test_time_format),
	};
	return cmocka_run_group_tests(tests, setup, teardown) |
	       cmocka_run_group_tests(plain, NULL, NULL);
}
