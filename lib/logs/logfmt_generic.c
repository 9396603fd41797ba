/*
 * Any other text: URLs ("scheme://..."), then every run of host-name and
 * address characters is tried as an IPv4 or IPv6 address (whole run only,
 * so 11.2.3.45 never matches 1.2.3.4, and 1.2.3.4.5 is no address) or as a
 * domain name (at label boundaries, so notevil.com never matches evil.com).
 */
#include <string.h>

#include "logs/logs_internal.h"

static int url_char(unsigned char c)
{
	return c > ' ' && c != '"' && c != '\'' && c != '<' && c != '>' &&
	       c != '`' && c != 0x7f;
}

static int scheme_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

static int run_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
	       c == ':' || c >= 0x80;
}

static int all_v4_chars(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(p[i] == '.' || (p[i] >= '0' && p[i] <= '9')))
			return 0;
	return 1;
}

static int has_alpha(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')
			return 1;
	return 0;
}

/* one piece without ':' */
static void piece(struct vg_logctx *c, const char *p, size_t n)
{
	while (n && p[0] == '.')
		p++, n--;
	while (n && p[n - 1] == '.')
		n--;
	if (!n || !memchr(p, '.', n))
		return;
	if (all_v4_chars(p, n))
		vg_log_ip(c, "text", p, n);
	else if (has_alpha(p, n))
		vg_log_name(c, "text", p, n);
}

static void run(struct vg_logctx *c, const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n);
	if (!colon) {
		piece(c, p, n);
		return;
	}
	/* IPv6 as a whole, else host:port, time 12:34:56 and the like */
	size_t e = n;
	while (e && p[e - 1] == '.')
		e--;
	if (c->want_ip && memchr(colon + 1, ':', n - (size_t)(colon - p) - 1)) {
		const vigil_ioc *ioc = vigil_netmatch_ip(c->m, p, e);
		if (ioc) {
			vg_log_ip(c, "text", p, e);
			return;
		}
	}
	while (n) {
		const char *k = memchr(p, ':', n);
		size_t len = k ? (size_t)(k - p) : n;
		piece(c, p, len);
		if (!k)
			break;
		p += len + 1;
		n -= len + 1;
	}
}

int vg_logfmt_generic(struct vg_logctx *c, const char *l, size_t n)
{
	if (c->ts_kind == VG_TS_NONE) {
		c->ts_kind = VG_TS_GUESS;
		c->ts = l;
		c->ts_len = n;
	}
	/* URLs first, so that their hits carry the whole URL */
	for (const char *s = l; (s = vg_memmem(s, n - (size_t)(s - l), "://"));) {
		const char *b = s;
		while (b > l && scheme_char((unsigned char)b[-1]))
			b--;
		const char *e = s + 3;
		while (e < l + n && url_char((unsigned char)*e))
			e++;
		if (b < s && e > s + 3)
			vg_log_url(c, "url", b, (size_t)(e - b));
		s = e;
	}
	for (size_t i = 0; i < n;) {
		if (!run_char((unsigned char)l[i])) {
			i++;
			continue;
		}
		size_t s = i;
		while (i < n && run_char((unsigned char)l[i]))
			i++;
		run(c, l + s, i - s);
	}
	return 0;
}
