/*
 * Line formats of DNS servers and proxies: BIND query logs, dnsmasq
 * (log-queries, plain or "extra"), Squid's native access.log and the
 * Windows DNS server debug log; and the guess of a file's format from a
 * line. All length-based: lines are untrusted and not NUL-terminated.
 * A line a parser does not read (another kind of message, another format)
 * is malformed: the scanner counts it and searches it as text, so mixed
 * files lose no indicator.
 */
#include <string.h>

#include "logs/logs_internal.h"

const char *vg_memmem(const char *h, size_t hn, const char *needle)
{
	size_t nn = strlen(needle);
	if (nn == 0)
		return h;
	while (hn >= nn) {
		const char *p = memchr(h, needle[0], hn - nn + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle, nn) == 0)
			return p;
		hn -= (size_t)(p - h) + 1;
		h = p + 1;
	}
	return NULL;
}

int vg_starts(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && memcmp(p, prefix, k) == 0;
}

/* Space-separated token starting at *i (runs of spaces skipped). */
static int token(const char *l, size_t n, size_t *i, const char **t, size_t *tn)
{
	while (*i < n && (l[*i] == ' ' || l[*i] == '\t'))
		(*i)++;
	if (*i >= n)
		return 0;
	size_t s = *i;
	while (*i < n && l[*i] != ' ' && l[*i] != '\t')
		(*i)++;
	*t = l + s;
	*tn = *i - s;
	return 1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void stamp_at_start(struct vg_logctx *c, const char *l, size_t n)
{
	c->ts = l;
	c->ts_len = n;
	if (n >= 5 && is_digit(l[0]) && is_digit(l[3]) && l[4] == '-')
		c->ts_kind = VG_TS_ISO;
	else if (n && is_digit(l[0]))
		c->ts_kind = VG_TS_BIND;
	else
		c->ts_kind = VG_TS_SYSLOG;
}

/* an rdata value: an address or a name */
static void rdata(struct vg_logctx *c, const char *field, const char *p, size_t n)
{
	if (n && (memchr(p, ':', n) || is_digit(p[n - 1])))
		vg_log_ip(c, field, p, n);
	else
		vg_log_name(c, field, p, n);
}

/*
 * client @0x7f1c2c0a1b50 192.0.2.10#53211 (www.example.com): query:
 *   www.example.com IN A +E(0)K (192.0.2.53)
 */
int vg_logfmt_bind(struct vg_logctx *c, const char *l, size_t n)
{
	const char *cl = vg_memmem(l, n, "client ");
	const char *q = cl ? vg_memmem(cl, n - (size_t)(cl - l), "query: ") : NULL;
	if (!q)
		return -1; /* named's other messages too: "zone evil.com/IN: loaded" */
	stamp_at_start(c, l, n);
	size_t i = (size_t)(cl - l) + 7;
	const char *t;
	size_t tn;
	if (!token(l, n, &i, &t, &tn))
		return -1;
	if (tn && t[0] == '@' && !token(l, n, &i, &t, &tn))
		return -1;
	const char *hash = memchr(t, '#', tn);
	if (hash) {
		c->client = t;
		c->client_len = (size_t)(hash - t);
	}
	i = (size_t)(q - l) + 7;
	if (!token(l, n, &i, &t, &tn))
		return -1;
	vg_log_name(c, "query", t, tn);
	if (c->client)
		vg_log_ip(c, "src", c->client, c->client_len);
	return 0;
}

/*
 * dnsmasq[1234]: query[A] www.example.com from 192.168.1.10
 * dnsmasq[1234]: 12 192.168.1.10/53211 query[A] www.example.com from 192.168.1.10
 * dnsmasq[1234]: reply www.example.com is 93.184.216.34
 */
int vg_logfmt_dnsmasq(struct vg_logctx *c, const char *l, size_t n)
{
	const char *d = vg_memmem(l, n, "dnsmasq");
	if (!d)
		return -1;
	const char *colon = vg_memmem(d, n - (size_t)(d - l), ": ");
	if (!colon)
		return -1;
	stamp_at_start(c, l, n);
	size_t i = (size_t)(colon - l) + 2;
	const char *t, *name;
	size_t tn, nn;
	if (!token(l, n, &i, &t, &tn))
		return -1;
	if (tn && is_digit(t[0])) {
		/* log-queries=extra: serial, then client/port */
		const char *cp;
		size_t cn;
		if (!token(l, n, &i, &cp, &cn) || !token(l, n, &i, &t, &tn))
			return -1;
		const char *slash = memchr(cp, '/', cn);
		c->client = cp;
		c->client_len = slash ? (size_t)(slash - cp) : cn;
	}
	if (!token(l, n, &i, &name, &nn))
		return -1;
	if (vg_starts(t, tn, "query[")) {
		const char *w, *from;
		size_t wn, fn;
		if (token(l, n, &i, &w, &wn) && wn == 4 && memcmp(w, "from", 4) == 0 &&
		    token(l, n, &i, &from, &fn)) {
			c->client = from;
			c->client_len = fn;
		}
		vg_log_name(c, "query", name, nn);
	} else if ((tn == 5 && memcmp(t, "reply", 5) == 0) ||
		   (tn == 6 && memcmp(t, "cached", 6) == 0) ||
		   (tn == 9 && memcmp(t, "forwarded", 9) == 0)) {
		vg_log_name(c, "query", name, nn);
		const char *w, *v;
		size_t wn, vn;
		if (tn != 9 && token(l, n, &i, &w, &wn) && wn == 2 &&
		    memcmp(w, "is", 2) == 0 && token(l, n, &i, &v, &vn) &&
		    (vn == 0 || v[0] != '<'))
			rdata(c, "answer", v, vn);
	} else {
		/* "/etc/hosts evil.com is ...", "config ...", dnsmasq-dhcp */
		return -1;
	}
	return 0;
}

/*
 * 1680093296.123    245 192.168.1.10 TCP_MISS/200 1234 GET
 *   http://www.example.com/x - HIER_DIRECT/93.184.216.34 text/html
 */
int vg_logfmt_squid(struct vg_logctx *c, const char *l, size_t n)
{
	const char *t[9] = {0};
	size_t tn[9] = {0}, i = 0;
	unsigned k = 0;
	while (k < 9 && token(l, n, &i, &t[k], &tn[k]))
		k++;
	if (k < 7 || !is_digit(t[0][0]) || !memchr(t[3], '/', tn[3]))
		return -1;
	c->ts_kind = VG_TS_EPOCH;
	c->ts = t[0];
	c->ts_len = tn[0];
	c->client = t[2];
	c->client_len = tn[2];
	if (vg_memmem(t[6], tn[6], "://"))
		vg_log_url(c, "url", t[6], tn[6]);
	else
		vg_log_host(c, "host", t[6], tn[6]); /* CONNECT host:port */
	if (k > 8) {
		const char *slash = memchr(t[8], '/', tn[8]);
		if (slash) {
			size_t off = (size_t)(slash - t[8]) + 1;
			rdata(c, "dst", t[8] + off, tn[8] - off);
		}
	}
	vg_log_ip(c, "src", t[2], tn[2]);
	return 0;
}

/* (3)www(7)example(3)com(0) -> www.example.com; 0 if malformed */
static size_t windns_name(const char *p, size_t n, char *out, size_t cap)
{
	size_t i = 0, o = 0;
	while (i < n) {
		if (p[i] != '(')
			return 0;
		size_t len = 0, j = i + 1;
		while (j < n && is_digit(p[j]) && len < 1000)
			len = len * 10 + (size_t)(p[j++] - '0');
		if (j >= n || p[j] != ')' || j == i + 1)
			return 0;
		i = j + 1;
		if (len == 0)
			return i == n ? o : 0;
		if (len > 63 || i + len > n || o + len + 1 >= cap)
			return 0;
		if (o)
			out[o++] = '.';
		memcpy(out + o, p + i, len);
		o += len;
		i += len;
	}
	return 0;
}

/*
 * The header a Windows DNS debug log starts with: three fixed lines, then
 * the indented legend of the fields, which holds no name or address (no
 * '.' nor ':'); indented lines with one are packet details.
 */
static int windns_header(const char *l, size_t n)
{
	if (vg_starts(l, n, "DNS Server log file creation at ") ||
	    vg_starts(l, n, "Log file wrap at ") || vg_starts(l, n, "Message logging key "))
		return 1;
	if (l[0] != '\t' && l[0] != ' ')
		return 0;
	return !memchr(l, '.', n) && !memchr(l, ':', n);
}

/*
 * 3/29/2023 12:34:56 PM 0E18 PACKET  0000020F8D5F4F30 UDP Rcv 192.168.1.10
 *   0002   Q [0001   D   NOERROR] A      (3)www(7)example(3)com(0)
 */
int vg_logfmt_windns(struct vg_logctx *c, const char *l, size_t n)
{
	const char *pk = vg_memmem(l, n, " PACKET ");
	if (!pk)
		return windns_header(l, n) ? 0 : -1; /* EVENT and detail lines: -1 */
	size_t i = (size_t)(pk - l) + 8;
	const char *t;
	size_t tn;
	const char *tok[4];
	size_t tokn[4];
	for (int k = 0; k < 4; k++) {
		if (!token(l, n, &i, &t, &tn))
			return -1;
		tok[k] = t;
		tokn[k] = tn;
	}
	/* the question name is the last token */
	size_t e = n;
	while (e > i && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	size_t s = e;
	while (s > i && l[s - 1] != ' ' && l[s - 1] != '\t')
		s--;
	char name[256];
	size_t nn = windns_name(l + s, e - s, name, sizeof name);
	if (!nn)
		return -1;
	c->ts_kind = VG_TS_WINDNS;
	c->ts = l;
	c->ts_len = n;
	c->client = tok[3];
	c->client_len = tokn[3];
	vg_log_name(c, "query", name, nn);
	vg_log_ip(c, "src", tok[3], tokn[3]);
	return 0;
}

vigil_logfmt vg_logfmt_guess(const char *l, size_t n)
{
	if (vg_starts(l, n, "#separator") || vg_starts(l, n, "#fields") ||
	    vg_starts(l, n, "#path"))
		return VIGIL_LOG_ZEEK;
	if (l[0] == '{')
		return VIGIL_LOG_JSON;
	if (vg_memmem(l, n, "dnsmasq[") || vg_memmem(l, n, "dnsmasq:"))
		return VIGIL_LOG_DNSMASQ;
	if (vg_memmem(l, n, "client ") && vg_memmem(l, n, "query: "))
		return VIGIL_LOG_BIND;
	if (vg_starts(l, n, "DNS Server log") ||
	    (vg_memmem(l, n, " PACKET ") && vg_memmem(l, n, "(0)")))
		return VIGIL_LOG_WINDNS;
	/* Squid: epoch.millis, elapsed, client, CODE/status */
	const char *t[4];
	size_t tn[4], i = 0;
	int k = 0;
	while (k < 4 && token(l, n, &i, &t[k], &tn[k]))
		k++;
	if (k == 4 && tn[0] > 4 && is_digit(t[0][0]) && memchr(t[0], '.', tn[0]) &&
	    is_digit(t[1][0]) && tn[3] > 4 && is_digit(t[3][tn[3] - 1]) &&
	    memchr(t[3], '/', tn[3]) && t[3][0] >= 'A' && t[3][0] <= 'Z')
		return VIGIL_LOG_SQUID;
	return VIGIL_LOG_AUTO;
}
