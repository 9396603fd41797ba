/*
 * The log scanner, one test per format: each feeds a small log written
 * here and compares every hit as "line|field|value|ioc|client|time".
 * Then the reader: CRLF, overlong lines, garbage, gzip and zstd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#include <vigil/iocs.h>
#include <vigil/logs.h>

static vigil_iocs *set;
static vigil_netmatch *m;

struct hits {
	char text[4096];
	unsigned n;
	unsigned diags;
	char diag_text[2048]; /* "severity|file:line|message" lines */
};

static void on_hit(void *ctx, const vigil_loghit *h)
{
	struct hits *hs = ctx;
	char t[40] = "-";
	if (h->has_time)
		vigil_format_time(h->time_us, t, sizeof t);
	size_t o = strlen(hs->text);
	snprintf(hs->text + o, sizeof hs->text - o, "%lu|%s|%.*s|%s|%.*s|%s\n",
		 h->line, h->field, (int)h->value_len, h->value, h->ioc->value,
		 h->client ? (int)h->client_len : 1, h->client ? h->client : "-", t);
	hs->n++;
}

static void on_diag(void *ctx, const vigil_diag *d)
{
	struct hits *hs = ctx;
	hs->diags++;
	size_t o = strlen(hs->diag_text);
	snprintf(hs->diag_text + o, sizeof hs->diag_text - o, "%d|%s:%lu|%s\n",
		 (int)d->severity, d->file, d->line, d->message);
}

static vigil_logstats scan(vigil_logfmt fmt, const void *buf, size_t len,
			   struct hits *hs)
{
	memset(hs, 0, sizeof *hs);
	vigil_logscan *s = vigil_logscan_create(m);
	if (s)
		vigil_logscan_set_callback(s, on_hit, hs);
	vigil_logscan_set_diag(s, on_diag, hs);
	vigil_logscan_set_year(s, 2023);
	vigil_logscan_buffer(s, "t.log", buf, len, fmt);
	vigil_logstats st;
	vigil_logscan_stats(s, &st);
	vigil_logscan_destroy(s);
	return st;
}

static vigil_logstats scan_str(vigil_logfmt fmt, const char *text, struct hits *hs)
{
	return scan(fmt, text, strlen(text), hs);
}

static int setup(void **state)
{
	static const char *const v[] = {
		"akamaicontainer.com", "msstorageazure[.]com", "203.0.113.0/24",
		"2001:db8:bad::/48", "hxxps://evil.example/payload",
		"http://plain.example/dl",
	};
	set = vigil_iocs_create();
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		vigil_iocs_add_network(set, v[i], 100, "", "iocs", i + 1);
	m = vigil_netmatch_create(set);
	return m ? 0 : -1;
}

static int teardown(void **state)
{
	vigil_netmatch_destroy(m);
	vigil_iocs_destroy(set);
	return 0;
}

#define ZEEK_DNS_HEAD \
	"#separator \\x09\n#set_separator\t,\n#path\tdns\n" \
	"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\tanswers\n" \
	"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tvector[string]\n"

static void test_zeek_dns(void **state)
{
	struct hits h;
	vigil_logstats st = scan_str(VIGIL_LOG_AUTO, ZEEK_DNS_HEAD
		"1680093296.5\tC1\t10.0.0.5\t5353\t10.0.0.1\t53\tudp\tsub.AKAMAICONTAINER.com.\t-\n"
		"1680093297.0\tC2\t10.0.0.6\t5353\t10.0.0.1\t53\tudp\tnotakamaicontainer.com\t203.0.113.9,cdn.msstorageazure.com\n"
		"1680093298.0\tC3\t10.0.0.7\t5353\t10.0.0.1\t53\tudp\takamaicontainer.com.example.org\t2001:db8:bad::7\n"
		"1680093299.0\tC4\t10.0.0.8\t5353\n", &h);
	assert_string_equal(h.text,
		"6|query|sub.AKAMAICONTAINER.com.|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:56.500000Z\n"
		"7|answer|203.0.113.9|203.0.113.0/24|10.0.0.6|2023-03-29T12:34:57Z\n"
		"7|answer|cdn.msstorageazure.com|msstorageazure.com|10.0.0.6|2023-03-29T12:34:57Z\n"
		"8|answer|2001:db8:bad::7|2001:db8:bad::/48|10.0.0.7|2023-03-29T12:34:58Z\n");
	assert_int_equal(st.lines, 9);
	assert_int_equal(st.malformed, 1); /* line 9 is truncated */
	assert_int_equal(h.diags, 1);
}

static void test_zeek_http_ssl_conn(void **state)
{
	struct hits h;
	scan_str(VIGIL_LOG_ZEEK,
		"#separator \\x09\n#fields\tts\tid.orig_h\tid.resp_h\thost\turi\n"
		"1680093296\t10.0.0.5\t192.0.2.1\tPLAIN.example\t/dl?id=1\n"
		"1680093296\t10.0.0.5\t192.0.2.1\tevil.example\t/payload\n"
		"#fields\tts\tid.orig_h\tid.resp_h\tserver_name\n"
		"1680093297\t10.0.0.6\t192.0.2.2\tx.msstorageazure.com\n"
		"#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\n"
		"1680093298\t10.0.0.7\t1\t203.0.113.200\n"
		"1680093298\t203.0.113.1\t1\t10.0.0.1\n", &h);
	assert_string_equal(h.text,
		"3|url|http://PLAIN.example/dl?id=1|http://plain.example/dl|10.0.0.5|2023-03-29T12:34:56Z\n"
		"6|sni|x.msstorageazure.com|msstorageazure.com|10.0.0.6|2023-03-29T12:34:57Z\n"
		"8|dst|203.0.113.200|203.0.113.0/24|10.0.0.7|2023-03-29T12:34:58Z\n"
		"9|src|203.0.113.1|203.0.113.0/24|203.0.113.1|2023-03-29T12:34:58Z\n");
}

/* Zeek with Log::default_scope_sep = "_" (item 4 of the real-data
 * issue): id_orig_h and id_resp_h are the same columns, in TSV and JSON. */
static void test_zeek_scope_sep(void **state)
{
	struct hits h;
	vigil_logstats st = scan_str(VIGIL_LOG_AUTO,
		"#separator \\x09\n"
		"#fields\tts\tuid\tid_orig_h\tid_orig_p\tid_resp_h\tid_resp_p\tproto\tquery\tanswers\n"
		"1680093296.5\tC1\t10.0.0.5\t5353\t203.0.113.7\t53\tudp\twww.example.org\t-\n"
		"1680093297\tC2\t203.0.113.8\t5353\t10.0.0.1\t53\tudp\takamaicontainer.com\t-\n", &h);
	assert_string_equal(h.text,
		"3|dst|203.0.113.7|203.0.113.0/24|10.0.0.5|2023-03-29T12:34:56.500000Z\n"
		"4|query|akamaicontainer.com|akamaicontainer.com|203.0.113.8|2023-03-29T12:34:57Z\n"
		"4|src|203.0.113.8|203.0.113.0/24|203.0.113.8|2023-03-29T12:34:57Z\n");
	assert_int_equal(st.malformed, 0);
	assert_int_equal(h.diags, 0);
	scan_str(VIGIL_LOG_AUTO,
		"{\"ts\":1680093300.0,\"id_orig_h\":\"10.0.0.8\",\"id_resp_h\":\"203.0.113.5\"}\n", &h);
	assert_string_equal(h.text,
		"1|dst|203.0.113.5|203.0.113.0/24|10.0.0.8|2023-03-29T12:35:00Z\n");
}

/* A #fields header with none of the columns vigil reads: its lines are
 * searched as text, and the file is named once. */
static void test_zeek_unknown_columns(void **state)
{
	struct hits h;
	vigil_logstats st = scan_str(VIGIL_LOG_AUTO,
		"#separator \\x09\n#path\tfiles\n"
		"#fields\tts\tfuid\ttx_hosts\trx_hosts\tsource\n"
		"1680093296.5\tF1\t203.0.113.9\t10.0.0.5\tHTTP\n"
		"1680093297\tF2\t192.0.2.1\t10.0.0.5\tcdn.akamaicontainer.com\n"
		"#fields\tts\tfuid\ttx_hosts\n"
		"1680093298\tF3\t203.0.113.10\n", &h);
	assert_string_equal(h.text,
		"4|text|203.0.113.9|203.0.113.0/24|-|2023-03-29T12:34:56.500000Z\n"
		"5|text|cdn.akamaicontainer.com|akamaicontainer.com|-|2023-03-29T12:34:57Z\n"
		"7|text|203.0.113.10|203.0.113.0/24|-|2023-03-29T12:34:58Z\n");
	assert_int_equal(st.malformed, 0);
	assert_int_equal(h.diags, 1);
	assert_non_null(strstr(h.diag_text, "0|t.log:3|"));
	assert_non_null(strstr(h.diag_text, "none of the columns"));
}

static void test_json(void **state)
{
	struct hits h;
	vigil_logstats st = scan_str(VIGIL_LOG_AUTO,
		"{\"timestamp\":\"2023-03-29T14:34:56.250000+0200\",\"event_type\":\"dns\",\"src_ip\":\"10.0.0.5\",\"dest_ip\":\"10.0.0.1\",\"dns\":{\"type\":\"query\",\"rrname\":\"a.akamaicontainer.com\"}}\n"
		"{\"timestamp\":\"2023-03-29T12:34:57Z\",\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\",\"dns\":{\"type\":\"answer\",\"rrname\":\"ok.example\",\"answers\":[{\"rrname\":\"ok.example\",\"rdata\":\"203.0.113.4\"}]}}\n"
		"{\"timestamp\":\"2023-03-29T12:34:58Z\",\"event_type\":\"tls\",\"src_ip\":\"10.0.0.6\",\"dest_ip\":\"192.0.2.9\",\"tls\":{\"sni\":\"MSSTORAGEAZURE.COM\"}}\n"
		"{\"timestamp\":\"2023-03-29T12:34:59Z\",\"event_type\":\"http\",\"src_ip\":\"10.0.0.7\",\"dest_ip\":\"192.0.2.9\",\"http\":{\"hostname\":\"plain.example\",\"url\":\"/dl\"}}\n"
		"{\"timestamp\":\"2023-03-29T12:35:00Z\",\"event_type\":\"flow\",\"src_ip\":\"10.0.0.8\",\"dest_ip\":\"2001:db8:bad::1\"}\n"
		"{\"ts\":1680093301.0,\"id.orig_h\":\"10.0.0.9\",\"id.resp_h\":\"10.0.0.1\",\"query\":\"akamaicontainer.com\"}\n"
		"{\"ts\":\"2023-03-29T12:35:02Z\",\"id.orig_h\":\"10.0.0.9\",\"server_name\":\"notakamaicontainer.com\"}\n"
		"{\"event_type\":\"dns\",\"dns\":{\"rrname\":\"akamaicontainer.com\"\n"
		"[1,2,3]\n", &h);
	assert_string_equal(h.text,
		"1|query|a.akamaicontainer.com|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:56.250000Z\n"
		"2|answer|203.0.113.4|203.0.113.0/24|10.0.0.1|2023-03-29T12:34:57Z\n"
		"3|sni|MSSTORAGEAZURE.COM|msstorageazure.com|10.0.0.6|2023-03-29T12:34:58Z\n"
		"4|url|http://plain.example/dl|http://plain.example/dl|10.0.0.7|2023-03-29T12:34:59Z\n"
		"5|dst|2001:db8:bad::1|2001:db8:bad::/48|10.0.0.8|2023-03-29T12:35:00Z\n"
		"6|query|akamaicontainer.com|akamaicontainer.com|10.0.0.9|2023-03-29T12:35:01Z\n"
		/* the truncated line is still searched as text */
		"8|text|akamaicontainer.com|akamaicontainer.com|-|-\n");
	assert_int_equal(st.malformed, 2);
}

/* Lines the JSON prefilter must still hand to the parser */
static void test_json_prefilter(void **state)
{
	struct hits h;
	vigil_logstats st = scan_str(VIGIL_LOG_JSON,
		/* an escape: no shortcut */
		"{\"ts\":1680093296,\"id.orig_h\":\"10.0.0.5\",\"query\":\"akamaicontainer\\u002ecom\"}\n"
		/* host with a port */
		"{\"ts\":1680093297,\"id.orig_h\":\"10.0.0.6\",\"host\":\"msstorageazure.com:8080\"}\n"
		/* URL IOC: host and path are two members */
		"{\"timestamp\":\"2023-03-29T12:34:58Z\",\"event_type\":\"http\",\"http\":{\"hostname\":\"plain.example\",\"url\":\"/dl?x\"}}\n"
		/* clean and braced: not parsed, but checked all the same
		 * (malformed whatever the IOC set) */
		"{\"a\":\"b\" \"c\"}\n"
		/* not an object: parsed, malformed */
		"{\"ts\":1, \"query\":\"x\"\n", &h);
	assert_string_equal(h.text,
		"1|query|akamaicontainer.com|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:56Z\n"
		"2|host|msstorageazure.com:8080|msstorageazure.com|10.0.0.6|2023-03-29T12:34:57Z\n"
		"3|url|http://plain.example/dl?x|http://plain.example/dl|-|2023-03-29T12:34:58Z\n");
	assert_int_equal(st.malformed, 2);
}

static void test_bind(void **state)
{
	struct hits h;
	scan_str(VIGIL_LOG_AUTO,
		"29-Mar-2023 12:34:56.789 queries: info: client @0x7f1c2c0a1b50 10.0.0.5#53211 (www.akamaicontainer.com): query: www.akamaicontainer.com IN A +E(0)K (10.0.0.1)\n"
		"29-Mar-2023 12:34:57.000 client 10.0.0.6#5353: query: notakamaicontainer.com IN A +\n"
		"Mar 29 12:34:58 ns1 named[12]: client @0x1 203.0.113.3#1 (ok.example): query: ok.example IN A +\n", &h);
	assert_string_equal(h.text,
		"1|query|www.akamaicontainer.com|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:56.789000Z\n"
		"3|src|203.0.113.3|203.0.113.0/24|203.0.113.3|2023-03-29T12:34:58Z\n");
}

static void test_dnsmasq(void **state)
{
	struct hits h;
	scan_str(VIGIL_LOG_AUTO,
		"Mar 29 12:34:56 dnsmasq[1234]: query[A] Update.AkamaiContainer.com from 10.0.0.5\n"
		"Mar 29 12:34:56 dnsmasq[1234]: forwarded update.akamaicontainer.com to 1.1.1.1\n"
		"Mar  9 01:02:03 dnsmasq[1234]: reply cdn.example is 203.0.113.8\n"
		"Mar 29 12:34:57 dnsmasq[1234]: 7 10.0.0.6/4000 query[AAAA] msstorageazure.com. from 10.0.0.6\n"
		"Mar 29 12:34:58 dnsmasq[1234]: started, version 2.89 cachesize 150\n", &h);
	assert_string_equal(h.text,
		"1|query|Update.AkamaiContainer.com|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:56Z\n"
		"2|query|update.akamaicontainer.com|akamaicontainer.com|-|2023-03-29T12:34:56Z\n"
		"3|answer|203.0.113.8|203.0.113.0/24|-|2023-03-09T01:02:03Z\n"
		"4|query|msstorageazure.com.|msstorageazure.com|10.0.0.6|2023-03-29T12:34:57Z\n");
}

static void test_squid(void **state)
{
	struct hits h;
	vigil_logstats st = scan_str(VIGIL_LOG_AUTO,
		"1680093296.123    245 10.0.0.5 TCP_MISS/200 1234 GET https://Evil.Example/payload?x=1 - HIER_DIRECT/192.0.2.1 text/html\n"
		"1680093297.000     10 10.0.0.6 TCP_TUNNEL/200 99 CONNECT download.msstorageazure.com:443 - HIER_DIRECT/192.0.2.2 -\n"
		"1680093298.000     10 10.0.0.7 TCP_MISS/200 99 GET http://ok.example/ - HIER_DIRECT/203.0.113.50 text/html\n"
		"1680093299.000     10 10.0.0.8 TCP_MISS/200 99 GET http://notakamaicontainer.com/ - HIER_DIRECT/192.0.2.3 text/html\n"
		"garbage\n", &h);
	assert_string_equal(h.text,
		"1|url|https://Evil.Example/payload?x=1|https://evil.example/payload|10.0.0.5|2023-03-29T12:34:56.123000Z\n"
		"2|host|download.msstorageazure.com:443|msstorageazure.com|10.0.0.6|2023-03-29T12:34:57Z\n"
		"3|dst|203.0.113.50|203.0.113.0/24|10.0.0.7|2023-03-29T12:34:58Z\n");
	assert_int_equal(st.malformed, 1);
}

static void test_windns(void **state)
{
	struct hits h;
	vigil_logstats st = scan_str(VIGIL_LOG_AUTO,
		"DNS Server log file creation at 3/29/2023 12:00:00 PM\r\n"
		"Log file wrap at 3/29/2023 12:00:00 PM\r\n"
		"\r\n"
		"3/29/2023 12:34:56 PM 0E18 PACKET  0000020F8D5F4F30 UDP Rcv 10.0.0.5        0002   Q [0001   D   NOERROR] A      (3)www(15)akamaicontainer(3)com(0)\r\n"
		"3/29/2023 1:05:06 AM 0E18 PACKET  0000020F8D5F4F30 UDP Rcv 10.0.0.6        0003   Q [0001   D   NOERROR] A      (3)www(18)notakamaicontainer(3)com(0)\r\n"
		"3/29/2023 1:05:07 AM 0E18 PACKET  0000020F8D5F4F30 UDP Rcv 10.0.0.6        0003   Q [0001   D   NOERROR] A      (3)www(99)x\r\n", &h);
	assert_string_equal(h.text,
		"4|query|www.akamaicontainer.com|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:56Z\n");
	assert_int_equal(st.malformed, 1);
}

/* Lines of BIND, dnsmasq and Windows DNS logs their parsers do not read
 * (item 21 of the real-data issue): searched as text and counted as
 * malformed; the Windows DNS header and its legend are part of the format. */
static void test_text_fallback(void **state)
{
	struct hits h;
	vigil_logstats st = scan_str(VIGIL_LOG_BIND,
		"29-Mar-2023 12:34:56.789 queries: info: client @0x1 10.0.0.5#53211 (a.example): query: a.example IN A +\n"
		"Mar 29 12:34:57 ns1 named[12]: zone akamaicontainer.com/IN: loaded serial 5\n"
		"29-Mar-2023 12:34:58.000 resolver: info: 203.0.113.4#53 lame server\n", &h);
	assert_string_equal(h.text,
		"2|text|akamaicontainer.com|akamaicontainer.com|-|2023-03-29T12:34:57Z\n"
		"3|text|203.0.113.4|203.0.113.0/24|-|2023-03-29T12:34:58Z\n");
	assert_int_equal(st.malformed, 2);

	st = scan_str(VIGIL_LOG_DNSMASQ,
		"Mar 29 12:34:56 dnsmasq[1]: query[A] x.example from 10.0.0.5\n"
		"Mar 29 12:34:57 dnsmasq[1]: /etc/hosts akamaicontainer.com is 203.0.113.9\n"
		"Mar 29 12:34:58 dnsmasq-dhcp[1]: DHCPACK(eth0) 203.0.113.20 aa:bb:cc:dd:ee:ff host\n"
		"Mar 29 12:34:59 dnsmasq[1]:\n", &h);
	assert_string_equal(h.text,
		"2|text|akamaicontainer.com|akamaicontainer.com|-|2023-03-29T12:34:57Z\n"
		"2|text|203.0.113.9|203.0.113.0/24|-|2023-03-29T12:34:57Z\n"
		"3|text|203.0.113.20|203.0.113.0/24|-|2023-03-29T12:34:58Z\n");
	assert_int_equal(st.malformed, 3);

	st = scan_str(VIGIL_LOG_WINDNS,
		"DNS Server log file creation at 3/29/2023 12:00:00 PM\r\n"
		"Log file wrap at 3/29/2023 12:00:00 PM\r\n"
		"\r\n"
		"Message logging key (for packets - other items use a subset of these fields):\r\n"
		"\tField #  Information         Values\r\n"
		"\t-------  -----------         ------\r\n"
		"\t   1     Date\r\n"
		"\t  10     Query/Response      R = Response\r\n"
		"\t                             blank = Query\r\n"
		"\t  16     Question Name\r\n"
		"\r\n"
		"3/29/2023 12:34:56 PM 0E18 PACKET  0000020F8D5F4F30 UDP Rcv 10.0.0.5        0002   Q [0001   D   NOERROR] A      (3)www(15)akamaicontainer(3)com(0)\r\n"
		"3/29/2023 12:34:57 PM 0E18 EVENT   The DNS server loaded zone msstorageazure.com\r\n"
		"\tRemote addr 203.0.113.30, port 53\r\n", &h);
	assert_string_equal(h.text,
		"12|query|www.akamaicontainer.com|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:56Z\n"
		"13|text|msstorageazure.com|msstorageazure.com|-|2023-03-29T12:34:57Z\n"
		"14|text|203.0.113.30|203.0.113.0/24|-|-\n");
	assert_int_equal(st.malformed, 2);
}

static void test_generic(void **state)
{
	struct hits h;
	scan_str(VIGIL_LOG_GENERIC,
		"2023-03-29T12:34:56Z fw allow 10.0.0.5 -> 203.0.113.9:443 sni=api.akamaicontainer.com\n"
		"Mar 29 12:34:57 proxy: GET hxxps://evil.example/payload and https://evil.example/payload?a=b\n"
		"ver 1.203.0.113.4 id 11.203.0.113.45 n=203.0.113.4.5 notakamaicontainer.com akamaicontainer.com.example.org\n"
		"[2001:db8:bad::9]:443 user@msstorageazure.com\n", &h);
	assert_string_equal(h.text,
		"1|text|203.0.113.9|203.0.113.0/24|-|2023-03-29T12:34:56Z\n"
		"1|text|api.akamaicontainer.com|akamaicontainer.com|-|2023-03-29T12:34:56Z\n"
		"2|url|https://evil.example/payload?a=b|https://evil.example/payload|-|2023-03-29T12:34:57Z\n"
		"4|text|2001:db8:bad::9|2001:db8:bad::/48|-|-\n"
		"4|text|msstorageazure.com|msstorageazure.com|-|-\n");
}

static void test_reader_lines(void **state)
{
	struct hits h;
	/* a line over the cap is skipped and counted; the count of lines
	 * stays right after it; NUL bytes and binary do not stop the scan */
	size_t big = 300000;
	char *buf = malloc(big + 200);
	size_t o = 0;
	o += (size_t)sprintf(buf + o, "x akamaicontainer.com\r\n");
	memset(buf + o, 'a', big);
	memcpy(buf + o + 10, " akamaicontainer.com ", 21);
	o += big;
	buf[o++] = '\n';
	memcpy(buf + o, "\0\x01\xff\xfe akamaicontainer.com\n", 26);
	o += 26;
	o += (size_t)sprintf(buf + o, "last akamaicontainer.com");
	vigil_logscan *s = vigil_logscan_create(m);
	if (s)
		vigil_logscan_set_callback(s, on_hit, &h);
	memset(&h, 0, sizeof h);
	vigil_logscan_set_diag(s, on_diag, &h);
	vigil_logscan_set_max_line(s, 4096);
	vigil_logscan_buffer(s, "t.log", buf, o, VIGIL_LOG_GENERIC);
	vigil_logstats st;
	vigil_logscan_stats(s, &st);
	vigil_logscan_destroy(s);
	free(buf);
	assert_int_equal(st.lines, 4);
	assert_int_equal(st.too_long, 1);
	assert_int_equal(h.n, 3);
	assert_non_null(strstr(h.text, "1|text|akamaicontainer.com|"));
	assert_non_null(strstr(h.text, "3|text|akamaicontainer.com|"));
	assert_non_null(strstr(h.text, "4|text|akamaicontainer.com|"));
}

/* The cap holds whatever the read sizes: a 5,000-byte line with a 4,096
 * cap is too long both at the start of the input and after 250 KiB. */
static void test_cap_independent_of_reads(void **state)
{
	for (size_t lead = 0; lead <= 250000; lead += 250000) {
		size_t o = 0;
		char *buf = malloc(lead + 6000);
		if (lead) {
			memset(buf, 'x', lead);
			for (size_t i = 100; i < lead; i += 100)
				buf[i] = '\n';
			buf[lead - 1] = '\n';
		}
		o = lead;
		memset(buf + o, 'a', 5000);
		memcpy(buf + o + 100, " akamaicontainer.com ", 21);
		o += 5000;
		buf[o++] = '\n';
		struct hits h;
		memset(&h, 0, sizeof h);
		vigil_logscan *s = vigil_logscan_create(m);
		if (s)
			vigil_logscan_set_callback(s, on_hit, &h);
		vigil_logscan_set_max_line(s, 4096);
		vigil_logscan_buffer(s, "t.log", buf, o, VIGIL_LOG_GENERIC);
		vigil_logstats st;
		vigil_logscan_stats(s, &st);
		vigil_logscan_destroy(s);
		free(buf);
		assert_int_equal(st.too_long, 1);
		assert_int_equal(h.n, 0);
	}
}

static const char compressed_log[] =
	"#separator \\x09\n#fields\tts\tid.orig_h\tquery\n"
	"1680093296\t10.0.0.5\twww.akamaicontainer.com\n";

static void test_gzip_and_zstd(void **state)
{
	struct hits h;
	uint8_t out[4096];
	/* two gzip members back to back, as cat a.gz b.gz writes them */
	size_t total = 0;
	for (int k = 0; k < 2; k++) {
		z_stream z = {0};
		assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = (Bytef *)compressed_log;
		z.avail_in = sizeof compressed_log - 1;
		z.next_out = out + total;
		z.avail_out = (uInt)(sizeof out - total);
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		total += z.total_out;
		deflateEnd(&z);
	}
	vigil_logstats st = scan(VIGIL_LOG_AUTO, out, total, &h);
	assert_int_equal(h.n, 2);
	assert_int_equal(st.lines, 6);
	assert_int_equal(st.files_failed, 0);
	/* truncated: the first member's hit, then an error */
	st = scan(VIGIL_LOG_AUTO, out, total - 10, &h);
	assert_int_equal(st.files_failed, 1);
	assert_int_equal(h.n, 1);

	size_t zn = ZSTD_compress(out, sizeof out, compressed_log, sizeof compressed_log - 1, 3);
	assert_false(ZSTD_isError(zn));
	st = scan(VIGIL_LOG_AUTO, out, zn, &h);
	assert_int_equal(h.n, 1);
	assert_int_equal(st.files_failed, 0);
	st = scan(VIGIL_LOG_AUTO, out, zn - 3, &h);
	assert_int_equal(st.files_failed, 1);
	/* garbage after the gzip magic */
	static const uint8_t bad[] = {0x1f, 0x8b, 0x08, 0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3};
	st = scan(VIGIL_LOG_AUTO, bad, sizeof bad, &h);
	assert_int_equal(st.files_failed, 1);
}

static void test_bom(void **state)
{
	struct hits h;
	/* a BOM before the Zeek header still lets the format be detected */
	scan_str(VIGIL_LOG_AUTO, "\xEF\xBB\xBF#separator \\x09\n#fields\tts\tid.orig_h\tquery\n"
		 "1680093296\t10.0.0.5\twww.akamaicontainer.com\n", &h);
	assert_string_equal(h.text,
		"3|query|www.akamaicontainer.com|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:56Z\n");
}

static void test_format_names(void **state)
{
	vigil_logfmt f;
	for (int i = 0; i < VIGIL_LOG_FORMAT_COUNT; i++) {
		assert_int_equal(vigil_logfmt_parse(vigil_logfmt_name((vigil_logfmt)i), &f), 0);
		assert_int_equal(f, i);
	}
	assert_int_equal(vigil_logfmt_parse("csv", &f), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zeek_dns),
		cmocka_unit_test(test_zeek_http_ssl_conn),
		cmocka_unit_test(test_zeek_scope_sep),
		cmocka_unit_test(test_zeek_unknown_columns),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_prefilter),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_dnsmasq),
		cmocka_unit_test(test_squid),
		cmocka_unit_test(test_windns),
		cmocka_unit_test(test_text_fallback),
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_reader_lines),
		cmocka_unit_test(test_cap_independent_of_reads),
		cmocka_unit_test(test_gzip_and_zstd),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_format_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
