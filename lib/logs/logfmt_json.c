/*
 * JSON lines: Suricata eve.json (an "event_type" member: dns, http, tls,
 * flow and the rest) and Zeek JSON logs (Zeek's column names as members),
 * told apart per line, so one file may mix them.
 */
#include <string.h>

#include <jansson.h>

#include "logs/logs_internal.h"

#define MAX_URL 8192

static const char *str(json_t *o, const char *key, size_t *n)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		return NULL;
	*n = json_string_length(v);
	return json_string_value(v);
}

static void check_name(struct vg_logctx *c, const char *field, json_t *o,
		       const char *key)
{
	size_t n;
	const char *s = str(o, key, &n);
	if (s)
		vg_log_name(c, field, s, n);
}

static void check_ip(struct vg_logctx *c, const char *field, json_t *o,
		     const char *key)
{
	size_t n;
	const char *s = str(o, key, &n);
	if (s)
		vg_log_ip(c, field, s, n);
}

/* an answer's rdata: an address, or a name (CNAME, PTR...) */
static void check_rdata(struct vg_logctx *c, const char *s, size_t n)
{
	if (n && (memchr(s, ':', n) || (s[n - 1] >= '0' && s[n - 1] <= '9')))
		vg_log_ip(c, "answer", s, n);
	else
		vg_log_name(c, "answer", s, n);
}

static void http_url(struct vg_logctx *c, const char *host, size_t hn,
		     const char *path, size_t pn)
{
	if (path && pn > 7 && vg_memmem(path, pn < 16 ? pn : 16, "://")) {
		vg_log_url(c, "url", path, pn); /* proxy requests: absolute URL */
		return;
	}
	if (host && c->want_url && path && hn < MAX_URL - 8) {
		char url[MAX_URL];
		memcpy(url, "http://", 7);
		memcpy(url + 7, host, hn);
		size_t o = 7 + hn;
		if (pn > MAX_URL - o)
			pn = MAX_URL - o;
		memcpy(url + o, path, pn);
		vg_log_url(c, "url", url, o + pn);
	}
	if (host)
		vg_log_host(c, "host", host, hn);
}

static void eve_dns(struct vg_logctx *c, json_t *dns)
{
	if (!json_is_object(dns))
		return;
	check_name(c, "query", dns, "rrname");
	/* version 1 answer events carry rdata at the top; version 2 lists them */
	size_t n;
	const char *rd = str(dns, "rdata", &n);
	if (rd)
		check_rdata(c, rd, n);
	json_t *queries = json_object_get(dns, "queries");
	size_t i;
	json_t *v;
	if (json_is_array(queries))
		json_array_foreach(queries, i, v)
			if (json_is_object(v))
				check_name(c, "query", v, "rrname");
	json_t *ans = json_object_get(dns, "answers");
	if (json_is_array(ans))
		json_array_foreach(ans, i, v) {
			if (!json_is_object(v))
				continue;
			check_name(c, "answer", v, "rrname");
			if ((rd = str(v, "rdata", &n)))
				check_rdata(c, rd, n);
		}
	json_t *grouped = json_object_get(dns, "grouped");
	if (json_is_object(grouped)) {
		const char *key;
		json_t *arr;
		json_object_foreach(grouped, key, arr)
			if (json_is_array(arr))
				json_array_foreach(arr, i, v)
					if (json_is_string(v))
						check_rdata(c, json_string_value(v),
							    json_string_length(v));
	}
}

static void eve(struct vg_logctx *c, json_t *o, const char *type)
{
	size_t n;
	const char *ts = str(o, "timestamp", &n);
	if (ts) {
		c->ts_kind = VG_TS_ISO;
		c->ts = ts;
		c->ts_len = n;
	}
	const char *src = str(o, "src_ip", &n);
	if (src) {
		c->client = src;
		c->client_len = n;
	}
	/* dns events, and alerts that carry the dns record */
	eve_dns(c, json_object_get(o, "dns"));
	json_t *http = json_object_get(o, "http");
	if (json_is_object(http)) {
		size_t hn = 0, pn = 0;
		const char *host = str(http, "hostname", &hn);
		const char *path = str(http, "url", &pn);
		http_url(c, host, hn, path, pn);
	}
	json_t *tls = json_object_get(o, "tls");
	if (json_is_object(tls))
		check_name(c, "sni", tls, "sni");
	if (c->want_ip && strcmp(type, "dns") != 0) {
		check_ip(c, "dst", o, "dest_ip");
		check_ip(c, "src", o, "src_ip");
	}
}

static void zeek(struct vg_logctx *c, json_t *o)
{
	json_t *ts = json_object_get(o, "ts");
	size_t n;
	if (json_is_number(ts)) {
		c->ts_kind = VG_TS_PARSED;
		double v = json_number_value(ts);
		c->time_us = v > -1e12 && v < 1e12 ? (int64_t)(v * 1e6) : 0;
	} else if (json_is_string(ts)) {
		c->ts_kind = VG_TS_ISO;
		c->ts = json_string_value(ts);
		c->ts_len = json_string_length(ts);
	}
	/* "id_orig_h" with Log::default_scope_sep = "_" */
	int dot = json_object_get(o, "id.orig_h") || json_object_get(o, "id.resp_h");
	const char *orig_h = dot ? "id.orig_h" : "id_orig_h";
	const char *resp_h = dot ? "id.resp_h" : "id_resp_h";
	const char *orig = str(o, orig_h, &n);
	if (orig) {
		c->client = orig;
		c->client_len = n;
	}
	check_name(c, "query", o, "query");
	check_name(c, "sni", o, "server_name");
	size_t hn = 0, pn = 0;
	const char *host = str(o, "host", &hn);
	const char *uri = str(o, "uri", &pn);
	if (host)
		http_url(c, host, hn, uri, pn);
	json_t *ans = json_object_get(o, "answers");
	size_t i;
	json_t *v;
	if (json_is_array(ans))
		json_array_foreach(ans, i, v)
			if (json_is_string(v))
				check_rdata(c, json_string_value(v), json_string_length(v));
	if (c->want_ip) {
		check_ip(c, "dst", o, resp_h);
		check_ip(c, "src", o, orig_h);
	}
}

int vg_json_prefilter = 1;

/*
 * Parsing JSON costs ten times more than matching, and nearly every line
 * is clean. Every observable the parser reports is a JSON string of the
 * line, so when the line has no escape and no string is a candidate
 * (vg_log_may_match), no parse can report anything and the line is not
 * parsed: one walk of its syntax (json_verdict below) looks at each string
 * and says whether the parse would find it malformed, so that what is
 * malformed does not depend on the IOC set. URLs are built from two
 * members (host and path), so with URL IOCs lines with HTTP members are
 * always parsed; so is a line that does not look like one object.
 */
static int prefilter_applies(struct vg_logctx *c, const char *l, size_t n)
{
	size_t e = n;
	while (e && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	if (!vg_json_prefilter || e == 0 || l[0] != '{' || l[e - 1] != '}' ||
	    memchr(l, '\\', n))
		return 0;
	return !(c->want_url && (vg_memmem(l, n, "\"http\"") || vg_memmem(l, n, "\"uri\"")));
}

/*
 * What the parse below would say of a line the prefilter skips, without
 * building it: jansson's grammar (RFC 8259, no escapes: the prefilter
 * leaves lines with a backslash to the parser), its UTF-8 check, and the
 * record test of vg_logfmt_json (a top-level "event_type" string, or "ts",
 * "id.orig_h" or "id_orig_h"). A string that is a candidate means the
 * parse must run (V_UNSURE); so does a verdict that hangs on more than
 * syntax (an integer that may not fit 64 bits, a real that may overflow,
 * deep nesting, a NUL byte). The fuzz
 * harness checks that the verdicts agree.
 */
enum { V_BAD = -1, V_OK = 0, V_UNSURE = 1 };
#define V_MAX_DEPTH 64

struct jv {
	struct vg_logctx *c;
	const unsigned char *p, *end;
	int verdict;  /* V_OK until something else is found */
	int eve, zeek; /* top-level members seen */
};

static void jv_ws(struct jv *v)
{
	while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' ||
				 *v->p == '\r'))
		v->p++;
}

static int jv_fail(struct jv *v, int why)
{
	if (v->verdict == V_OK)
		v->verdict = why;
	return 0;
}

/* one UTF-8 sequence at v->p (first byte >= 0x80), as jansson's utf.c */
static int jv_utf8(struct jv *v)
{
	unsigned c = *v->p, k;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf)
		k = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, cp = c & 0x07;
	else
		return jv_fail(v, V_BAD);
	if ((size_t)(v->end - v->p) <= k)
		return jv_fail(v, V_BAD);
	for (unsigned i = 1; i <= k; i++) {
		if ((v->p[i] & 0xc0) != 0x80)
			return jv_fail(v, V_BAD);
		cp = cp << 6 | (v->p[i] & 0x3f);
	}
	if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return jv_fail(v, V_BAD);
	v->p += k + 1;
	return 1;
}

/* bytes a string holds as they are: printable ASCII but '"' and '\\' */
static const unsigned char jv_plain[256] = {
#define P4(b) ((b) >= 0x20 && (b) < 0x80 && (b) != '"' && (b) != '\\'), \
	      ((b) + 1 >= 0x20 && (b) + 1 < 0x80 && (b) + 1 != '"' && (b) + 1 != '\\'), \
	      ((b) + 2 >= 0x20 && (b) + 2 < 0x80 && (b) + 2 != '"' && (b) + 2 != '\\'), \
	      ((b) + 3 >= 0x20 && (b) + 3 < 0x80 && (b) + 3 != '"' && (b) + 3 != '\\')
#define P16(b) P4(b), P4(b + 4), P4(b + 8), P4(b + 12)
	P16(0), P16(16), P16(32), P16(48), P16(64), P16(80), P16(96), P16(112),
#undef P16
#undef P4
};

/* a string at v->p ('"'); its contents in *s, *n */
static int jv_string(struct jv *v, const unsigned char **s, size_t *n)
{
	const unsigned char *start = ++v->p;
	for (;;) {
		while (v->p < v->end && jv_plain[*v->p])
			v->p++;
		if (v->p == v->end || *v->p == '"')
			break;
		if (*v->p == '\\')
			return jv_fail(v, V_UNSURE);
		if (*v->p < 0x20)
			return jv_fail(v, V_BAD);
		if (!jv_utf8(v)) /* >= 0x80 */
			return 0;
	}
	if (v->p == v->end)
		return jv_fail(v, V_BAD);
	*s = start;
	*n = (size_t)(v->p - start);
	v->p++;
	if (vg_log_may_match(v->c, (const char *)start, *n))
		return jv_fail(v, V_UNSURE); /* the parser will look at it */
	return 1;
}

static size_t jv_digits(struct jv *v)
{
	const unsigned char *s = v->p;
	while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
		v->p++;
	return (size_t)(v->p - s);
}

static int jv_number(struct jv *v)
{
	if (*v->p == '-')
		v->p++;
	if (v->p == v->end || *v->p < '0' || *v->p > '9')
		return jv_fail(v, V_BAD);
	size_t digits = 1;
	if (*v->p == '0')
		v->p++;
	else
		digits = jv_digits(v);
	if (v->p < v->end && *v->p >= '0' && *v->p <= '9')
		return jv_fail(v, V_BAD); /* a leading zero */
	int real = 0;
	if (v->p < v->end && *v->p == '.') {
		v->p++;
		size_t f = jv_digits(v);
		if (!f)
			return jv_fail(v, V_BAD);
		digits += f;
		real = 1;
	}
	if (v->p < v->end && (*v->p == 'e' || *v->p == 'E')) {
		v->p++;
		if (v->p < v->end && (*v->p == '+' || *v->p == '-'))
			v->p++;
		size_t e = jv_digits(v);
		if (!e)
			return jv_fail(v, V_BAD);
		if (e > 2)
			return jv_fail(v, V_UNSURE); /* may overflow a double */
		real = 1;
	}
	/* 18 digits always fit a long long; 200 and an exponent under 100
	 * always fit a double */
	if ((!real && digits > 18) || digits > 200)
		return jv_fail(v, V_UNSURE);
	return 1;
}

static int jv_literal(struct jv *v, const char *word)
{
	size_t k = strlen(word);
	if ((size_t)(v->end - v->p) < k || memcmp(v->p, word, k) != 0)
		return jv_fail(v, V_BAD);
	v->p += k;
	return 1;
}

static int jv_is(const unsigned char *s, size_t n, const char *key)
{
	return strlen(key) == n && memcmp(s, key, n) == 0;
}

static int jv_value(struct jv *v, int depth);

/* an object or array at v->p; depth 1 is the line's object */
static int jv_container(struct jv *v, int depth)
{
	if (depth > V_MAX_DEPTH)
		return jv_fail(v, V_UNSURE);
	int object = *v->p++ == '{';
	char close = object ? '}' : ']';
	jv_ws(v);
	if (v->p < v->end && *v->p == close) {
		v->p++;
		return 1;
	}
	for (;;) {
		const unsigned char *key = NULL;
		size_t kn = 0;
		if (object) {
			if (v->p == v->end || *v->p != '"')
				return jv_fail(v, V_BAD);
			if (!jv_string(v, &key, &kn))
				return 0;
			jv_ws(v);
			if (v->p == v->end || *v->p != ':')
				return jv_fail(v, V_BAD);
			v->p++;
			jv_ws(v);
		}
		int string = v->p < v->end && *v->p == '"';
		if (!jv_value(v, depth + 1))
			return 0;
		if (depth == 1 && key) {
			/* the last of duplicate members wins, as in jansson */
			if (jv_is(key, kn, "event_type"))
				v->eve = string;
			else if (jv_is(key, kn, "ts") || jv_is(key, kn, "id.orig_h") ||
				 jv_is(key, kn, "id_orig_h"))
				v->zeek = 1;
		}
		jv_ws(v);
		if (v->p < v->end && *v->p == close) {
			v->p++;
			return 1;
		}
		if (v->p == v->end || *v->p != ',')
			return jv_fail(v, V_BAD);
		v->p++;
		jv_ws(v);
	}
}

static int jv_value(struct jv *v, int depth)
{
	const unsigned char *s;
	size_t n;
	if (v->p == v->end)
		return jv_fail(v, V_BAD);
	switch (*v->p) {
	case '{':
	case '[':
		return jv_container(v, depth);
	case '"':
		return jv_string(v, &s, &n);
	case 't':
		return jv_literal(v, "true");
	case 'f':
		return jv_literal(v, "false");
	case 'n':
		return jv_literal(v, "null");
	default:
		return jv_number(v);
	}
}

static int json_verdict(struct vg_logctx *c, const char *l, size_t n)
{
	/* jansson's reader skips a NUL byte after a number and takes one
	 * elsewhere for the end of the input: let it decide */
	if (memchr(l, '\0', n))
		return V_UNSURE;
	struct jv v = {c, (const unsigned char *)l, (const unsigned char *)l + n, V_OK, 0, 0};
	jv_ws(&v);
	if (v.p == v.end || *v.p != '{')
		return V_BAD;
	if (jv_container(&v, 1)) {
		jv_ws(&v);
		if (v.p != v.end)
			jv_fail(&v, V_BAD);
	}
	if (v.verdict == V_OK && !v.eve && !v.zeek)
		v.verdict = V_BAD; /* an object, but no record vigil reads */
	return v.verdict;
}

int vg_logfmt_json(struct vg_logctx *c, const char *l, size_t n)
{
	if (prefilter_applies(c, l, n)) {
		/* no candidate: nothing to report, but malformed is malformed */
		int v = json_verdict(c, l, n);
		if (v != V_UNSURE)
			return v;
	}
	json_error_t err;
	json_t *o = json_loadb(l, n, 0, &err);
	if (!json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	json_t *type = json_object_get(o, "event_type");
	int rc = 0;
	if (json_is_string(type))
		eve(c, o, json_string_value(type));
	else if (json_object_get(o, "id.orig_h") || json_object_get(o, "id_orig_h") ||
		 json_object_get(o, "ts"))
		zeek(c, o);
	else
		rc = -1;
	json_decref(o);
	return rc;
}
