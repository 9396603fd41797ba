/*
 * The one JSON writer of results (include/vigil/report.h): findings and
 * file records with hostile strings (invalid UTF-8, control characters),
 * NULL members, and the level written from the score. Every output must
 * parse, be one line, and hold the expected values in the expected order.
 * Last, the finding a log hit carries (vigil_loghit.finding).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <vigil/filestate.h>
#include <vigil/iocs.h>
#include <vigil/logs.h>
#include <vigil/report.h>

/* Parse s (which must be one line of JSON text without control bytes,
 * so that it can be a JSON Lines record) and free it. */
static json_t *parse(char *s)
{
	assert_non_null(s);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		assert_true(*p >= 0x20);
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);
	if (!j)
		fail_msg("not JSON: %s: %s", err.text, s);
	free(s);
	assert_true(json_is_object(j));
	return j;
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", key);
	return json_string_value(v);
}

/* The keys of o in order, comma-separated, into buf. */
static const char *keys(const json_t *o, char *buf, size_t size)
{
	const char *k;
	const json_t *v;
	buf[0] = '\0';
	json_object_foreach((json_t *)o, k, v) {
		size_t n = strlen(buf);
		snprintf(buf + n, size - n, "%s%s", n ? "," : "", k);
	}
	return buf;
}

static void test_finding_plain(void **state)
{
	(void)state;
	vigil_finding f = {
		.kind = "hash", .id = "d41d8cd98f00b204e9800998ecf8427e",
		.source = "iocs/hash-iocs.txt:12", .message = "empty file",
		.score = 100, .level = VIGIL_LEVEL_ALERT,
	};
	char *s = vigil_finding_json(&f);
	assert_string_equal(s, "{\"kind\":\"hash\",\"id\":\"d41d8cd98f00b204e9800998ecf8427e\","
			       "\"score\":100,\"level\":\"alert\",\"source\":\"iocs/hash-iocs.txt:12\","
			       "\"message\":\"empty file\"}");
	free(s);
}

static void test_finding_hostile(void **state)
{
	(void)state;
	/* invalid UTF-8 and text with characters a terminal acts on are
	 * escaped (vigil_escape), not left to JSON's \u escapes that `jq -r`
	 * undoes; plain valid UTF-8 is kept */
	vigil_finding f = {
		.kind = "network", .id = "bad\xff\xfe.example",
		.source = "feed\x80.txt:3", .message = "line1\nline2\x1b[31m\tred \xc3\xa9",
		.evidence = "query=\x01x", .score = 70,
	};
	json_t *j = parse(vigil_finding_json(&f));
	char buf[256];
	assert_string_equal(keys(j, buf, sizeof buf), "kind,id,score,level,source,message,evidence");
	assert_string_equal(str(j, "kind"), "network");
	assert_string_equal(str(j, "id"), "bad\\xff\\xfe.example");
	assert_string_equal(str(j, "source"), "feed\\x80.txt:3");
	assert_string_equal(str(j, "message"), "line1\\nline2\\x1b[31m\\tred \xc3\xa9");
	assert_string_equal(str(j, "evidence"), "query=\\x01x");
	assert_int_equal(json_integer_value(json_object_get(j, "score")), 70);
	assert_string_equal(str(j, "level"), "warning");
	json_decref(j);
}

static void test_finding_null(void **state)
{
	(void)state;
	/* NULL strings are null; NULL evidence leaves the key out */
	vigil_finding f = {.kind = "tamper", .id = NULL, .score = 45};
	json_t *j = parse(vigil_finding_json(&f));
	char buf[256];
	assert_string_equal(keys(j, buf, sizeof buf), "kind,id,score,level,source,message");
	assert_true(json_is_null(json_object_get(j, "id")));
	assert_true(json_is_null(json_object_get(j, "source")));
	assert_true(json_is_null(json_object_get(j, "message")));
	assert_null(json_object_get(j, "evidence"));
	assert_string_equal(str(j, "level"), "notice");
	json_decref(j);
	/* an empty string stays a string */
	f.message = "";
	f.evidence = "";
	j = parse(vigil_finding_json(&f));
	assert_string_equal(str(j, "message"), "");
	assert_string_equal(str(j, "evidence"), "");
	json_decref(j);
	assert_null(vigil_finding_json(NULL));
}

static void test_level_from_score(void **state)
{
	(void)state;
	/* the member is ignored: the name always follows the score */
	static const struct {
		int score;
		vigil_level member;
		const char *name;
	} t[] = {
		{0, VIGIL_LEVEL_ALERT, "none"},     {39, VIGIL_LEVEL_NOTICE, "none"},
		{40, VIGIL_LEVEL_NONE, "notice"},   {59, VIGIL_LEVEL_ALERT, "notice"},
		{60, VIGIL_LEVEL_NONE, "warning"},  {79, VIGIL_LEVEL_NONE, "warning"},
		{80, VIGIL_LEVEL_NONE, "alert"},    {100, VIGIL_LEVEL_WARNING, "alert"},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		vigil_finding f = {.kind = "yara", .id = "r", .source = "s", .message = "m",
				   .score = t[i].score, .level = t[i].member};
		json_t *j = parse(vigil_finding_json(&f));
		assert_string_equal(str(j, "level"), t[i].name);
		json_decref(j);
	}
	assert_string_equal(vigil_level_name(VIGIL_LEVEL_NONE), "none");
	assert_string_equal(vigil_level_name(VIGIL_LEVEL_NOTICE), "notice");
	assert_string_equal(vigil_level_name(VIGIL_LEVEL_WARNING), "warning");
	assert_string_equal(vigil_level_name(VIGIL_LEVEL_ALERT), "alert");
}

static void test_file_plain(void **state)
{
	(void)state;
	/* the exact record `vigil scan --json` has always written, plus the
	 * findings' level */
	vigil_finding f[] = {
		{.kind = "hash", .id = "00", .source = "h.txt:1", .message = "c", .score = 100},
		{.kind = "tamper", .id = "VGL-X", .source = "builtin:checks/pe",
		 .message = "", .score = 30},
	};
	vigil_file_result r = {
		.path = "/opt/x.dll", .size = 10, .hashed = 1, .findings = f,
		.nfindings = 2, .score = 100,
	};
	for (int i = 0; i < 16; i++)
		r.md5[i] = (uint8_t)i;
	for (int i = 0; i < 20; i++)
		r.sha1[i] = (uint8_t)(0xf0 + (i & 15));
	memset(r.sha256, 0xab, sizeof r.sha256);
	char *s = vigil_file_result_json(&r);
	assert_string_equal(s,
		"{\"schema\":2,\"type\":\"file\",\"path\":\"/opt/x.dll\",\"size\":10,"
		"\"md5\":\"000102030405060708090a0b0c0d0e0f\","
		"\"sha1\":\"f0f1f2f3f4f5f6f7f8f9fafbfcfdfefff0f1f2f3\","
		"\"sha256\":\"abababababababababababababababababababababababababababababababab\","
		"\"score\":100,\"level\":\"alert\",\"findings\":["
		"{\"kind\":\"hash\",\"id\":\"00\",\"score\":100,\"level\":\"alert\","
		"\"source\":\"h.txt:1\",\"message\":\"c\"},"
		"{\"kind\":\"tamper\",\"id\":\"VGL-X\",\"score\":30,\"level\":\"none\","
		"\"source\":\"builtin:checks/pe\",\"message\":\"\"}],"
		"\"skip\":null,\"error\":null}");
	free(s);
}

static void test_file_hostile(void **state)
{
	(void)state;
	/* a path is exact when it is UTF-8; here it is not: a display form
	 * with U+FFFD and the raw bytes in path_b64; other strings follow the
	 * text rule */
	vigil_finding f = {.kind = "filename", .id = "(?i)\\.exe$",
			   .source = "f.txt:2", .message = "bad \xe2\x28\xa1 name",
			   .evidence = "path", .score = 60};
	vigil_file_result r = {
		.path = "/tmp/new\nline\xff\xc3\xa9\\.exe", .size = 5, .findings = &f,
		.nfindings = 1, .score = 60, .error = VIGIL_ERR_CHANGED,
		.error_detail = "shrank \x1b[2J\xfe",
	};
	json_t *j = parse(vigil_file_result_json(&r));
	char buf[256];
	assert_string_equal(keys(j, buf, sizeof buf),
			    "schema,type,path,path_b64,size,score,level,findings,skip,error,error_detail");
	assert_string_equal(str(j, "path"), "/tmp/new\nline\xef\xbf\xbd\xc3\xa9\\.exe");
	/* base64 of "/tmp/new\nline\xff\xc3\xa9\\.exe" */
	assert_string_equal(str(j, "path_b64"), "L3RtcC9uZXcKbGluZf/DqVwuZXhl");
	assert_string_equal(str(j, "level"), "warning");
	assert_true(json_is_null(json_object_get(j, "skip")));
	assert_string_equal(str(j, "error"), "changed");
	assert_string_equal(str(j, "error_detail"), "shrank \\x1b[2J\\xfe");
	json_t *fj = json_array_get(json_object_get(j, "findings"), 0);
	assert_string_equal(str(fj, "id"), "(?i)\\.exe$");
	assert_string_equal(str(fj, "message"), "bad \\xe2(\\xa1 name");
	assert_string_equal(str(fj, "evidence"), "path");
	assert_string_equal(str(fj, "level"), "warning");
	json_decref(j);
}

static void test_file_skip(void **state)
{
	(void)state;
	/* no findings and no digests: an empty array, no md5/sha1/sha256 */
	vigil_file_result r = {.path = "/dev/fifo", .skip = VIGIL_SKIP_SPECIAL};
	json_t *j = parse(vigil_file_result_json(&r));
	char buf[256];
	assert_string_equal(keys(j, buf, sizeof buf),
			    "schema,type,path,size,score,level,findings,skip,error");
	assert_int_equal(json_integer_value(json_object_get(j, "schema")), VIGIL_JSON_SCHEMA);
	assert_string_equal(str(j, "type"), "file");
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 0);
	assert_true(json_is_array(json_object_get(j, "findings")));
	assert_string_equal(str(j, "skip"), vigil_skip_name(VIGIL_SKIP_SPECIAL));
	assert_true(json_is_null(json_object_get(j, "error")));
	assert_string_equal(str(j, "level"), "none");
	json_decref(j);
	assert_null(vigil_file_result_json(NULL));
}

struct hit_seen {
	unsigned n;
	char json[2][512];
};

static void on_hit(void *ctx, const vigil_loghit *h)
{
	struct hit_seen *hs = ctx;
	assert_int_equal(h->finding.level, vigil_score_level(h->finding.score));
	char *s = vigil_finding_json(&h->finding);
	assert_non_null(s);
	if (hs->n < 2)
		snprintf(hs->json[hs->n], sizeof hs->json[0], "%s", s);
	hs->n++;
	free(s);
}

static void test_loghit_finding(void **state)
{
	(void)state;
	/* a Squid line whose URL holds an escape sequence and an invalid
	 * byte: the evidence is the field and the escaped value; an IOC
	 * without a line is sourced by its file alone */
	vigil_iocs *set = vigil_iocs_create();
	assert_non_null(set);
	assert_int_equal(vigil_iocs_add_network(set, "evil.example", 70, "c2 of x",
						"feed.txt", 3), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_network(set, "203.0.113.9", 100, "",
						"list.txt", 0), VIGIL_OK);
	vigil_netmatch *m = vigil_netmatch_create(set);
	assert_non_null(m);
	struct hit_seen hs = {0};
	vigil_logscan *s = vigil_logscan_create(m);
	if (s)
		vigil_logscan_set_callback(s, on_hit, &hs);
	assert_non_null(s);
	static const char log[] =
		"1680093296.123    150 10.0.0.7 TCP_MISS/200 1234 GET "
		"http://evil.example/a\033[2J\377 - HIER_DIRECT/203.0.113.9 text/html\n";
	vigil_logscan_buffer(s, "access.log", log, sizeof log - 1, VIGIL_LOG_SQUID);
	vigil_logscan_destroy(s);
	assert_int_equal(hs.n, 2);
	assert_string_equal(hs.json[0],
		"{\"kind\":\"network\",\"id\":\"evil.example\",\"score\":70,"
		"\"level\":\"warning\",\"source\":\"feed.txt:3\",\"message\":\"c2 of x\","
		"\"evidence\":\"url=http://evil.example/a\\\\x1b[2J\\\\xff\"}");
	json_t *j = json_loads(hs.json[1], 0, NULL);
	assert_non_null(j);
	assert_string_equal(str(j, "source"), "list.txt");
	assert_string_equal(str(j, "evidence"), "dst=203.0.113.9");
	assert_string_equal(str(j, "level"), "alert");
	json_decref(j);
	vigil_netmatch_destroy(m);
	vigil_iocs_destroy(set);
}

static void test_file_stat_and_exact_path(void **state)
{
	(void)state;
	/* the stat tuple: times in RFC 3339 with nanoseconds (a time before
	 * 1970 too), uid and name, permission bits as octal text; a UTF-8
	 * path with control characters is kept exactly, with no path_b64 */
	vigil_file_stat st = {.mtime_ns = INT64_C(1700000000123456789),
			      .ctime_ns = -1, .mode = 0104755, .uid = 0};
	vigil_file_result r = {.path = "/tmp/a\x1b[31m\xe2\x80\xae" "b", .stat = &st};
	json_t *j = parse(vigil_file_result_json(&r));
	char buf[256];
	assert_string_equal(keys(j, buf, sizeof buf),
			    "schema,type,path,size,mtime,ctime,uid,owner,mode,score,level,"
			    "findings,skip,error");
	assert_string_equal(str(j, "path"), "/tmp/a\x1b[31m\xe2\x80\xae" "b");
	assert_string_equal(str(j, "mtime"), "2023-11-14T22:13:20.123456789Z");
	assert_string_equal(str(j, "ctime"), "1969-12-31T23:59:59.999999999Z");
	assert_string_equal(str(j, "mode"), "4755");
	assert_int_equal(json_integer_value(json_object_get(j, "uid")), 0);
	assert_string_equal(str(j, "owner"), "root");
	json_decref(j);
	/* the compact text holds the control byte as a JSON escape */
	char *text = vigil_file_result_json(&r);
	assert_non_null(strstr(text, "a\\u001B[31m\\u202eb"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finding_plain),
		cmocka_unit_test(test_finding_hostile),
		cmocka_unit_test(test_finding_null),
		cmocka_unit_test(test_level_from_score),
		cmocka_unit_test(test_file_plain),
		cmocka_unit_test(test_file_hostile),
		cmocka_unit_test(test_file_skip),
		cmocka_unit_test(test_file_stat_and_exact_path),
		cmocka_unit_test(test_loghit_finding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
