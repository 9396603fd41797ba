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
 * line, so when the line has no escape (every '"' then opens or closes a
 * string) and no string is a candidate, no parse can report anything and
 * the line is skipped. URLs are built from two members (host and path), so
 * with URL IOCs lines with HTTP members are always parsed. A line that
 * does not look like one object ({ ... }) is always parsed, so that it is
 * reported as malformed; a braced line with no candidate is not validated.
 */
static int may_hit(struct vg_logctx *c, const char *l, size_t n)
{
	size_t e = n;
	while (e && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	if (!vg_json_prefilter || e == 0 || l[0] != '{' || l[e - 1] != '}' ||
	    memchr(l, '\\', n))
		return 1;
	if (c->want_url && (vg_memmem(l, n, "\"http\"") || vg_memmem(l, n, "\"uri\"")))
		return 1;
	const char *p = l, *end = l + n;
	for (;;) {
		const char *open = memchr(p, '"', (size_t)(end - p));
		if (!open)
			return 0;
		const char *close = memchr(open + 1, '"', (size_t)(end - open - 1));
		if (!close)
			return 1; /* unbalanced: let the parser report it */
		if (vg_log_may_match(c, open + 1, (size_t)(close - open - 1)))
			return 1;
		p = close + 1;
	}
}

int vg_logfmt_json(struct vg_logctx *c, const char *l, size_t n)
{
	if (!may_hit(c, l, n))
		return 0;
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
