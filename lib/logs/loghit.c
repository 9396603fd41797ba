/*
 * Log hits: the format parsers hand every observable of a line (a name, an
 * address, a URL, a host) to these checks, which ask the network matcher
 * and report each IOC once per line, with the line's time stamp and client
 * parsed only then. They call nothing of the scanner's: the scanner sets
 * the callback and counter in the line context.
 */
#include <stdlib.h>
#include <string.h>

#include <vigil/escape.h>

#include "base/util.h"
#include "logs/logs_internal.h"

static int already_seen(struct vg_logctx *c, const vigil_ioc *ioc)
{
	for (unsigned i = 0; i < c->nseen; i++)
		if (c->seen[i] == ioc)
			return 1;
	if (c->nseen < sizeof c->seen / sizeof *c->seen)
		c->seen[c->nseen++] = ioc;
	return 0;
}

static void emit(struct vg_logctx *c, const char *field, const char *p,
		 size_t n, const vigil_ioc *ioc)
{
	if (already_seen(c, ioc))
		return;
	vigil_loghit h = {
		.file = c->file, .line = c->line,
		/* lines read before the format is known are read as text */
		.format = c->fmt == VIGIL_LOG_AUTO ? VIGIL_LOG_GENERIC : c->fmt,
		.client = c->client_len ? c->client : NULL,
		.client_len = c->client_len, .field = field, .value = p,
		.value_len = n, .ioc = ioc,
	};
	if (c->ts_kind == VG_TS_PARSED) {
		h.has_time = 1;
		h.time_us = c->time_us;
	} else if (c->ts_kind != VG_TS_NONE) {
		h.has_time = vg_logtime_parse(c->ts_kind, c->ts, c->ts_len,
					      c->year, &h.time_us);
	}
	(*c->hits)++;
	if (!c->on_hit)
		return;
	/* the finding's strings live for the callback only: built per hit,
	 * which is rare next to the lines read */
	char *src = ioc->line ? vg_asprintf("%s:%lu", ioc->source, ioc->line) : NULL;
	char *val = vigil_escape(p, n);
	char *ev = val ? vg_asprintf("%s=%s", field, val) : NULL;
	h.finding = (vigil_finding){
		.kind = "network", .id = ioc->value,
		.source = src ? src : ioc->source, .message = ioc->comment,
		.score = ioc->score, .level = vigil_score_level(ioc->score),
		.evidence = ev,
	};
	c->on_hit(c->hit_ctx, &h);
	free(src);
	free(val);
	free(ev);
}

void vg_log_name(struct vg_logctx *c, const char *field, const char *p, size_t n)
{
	if (!c->want_dom || n == 0)
		return;
	const vigil_ioc *ioc = vigil_netmatch_domain(c->m, p, n);
	if (ioc)
		emit(c, field, p, n, ioc);
}

void vg_log_ip(struct vg_logctx *c, const char *field, const char *p, size_t n)
{
	if (!c->want_ip || n == 0)
		return;
	const vigil_ioc *ioc = vigil_netmatch_ip(c->m, p, n);
	if (ioc)
		emit(c, field, p, n, ioc);
}

/* The IOC a host ("name", "name:port", "1.2.3.4:80", "[v6]:port") matches. */
static const vigil_ioc *host_ioc(struct vg_logctx *c, const char *p, size_t n)
{
	if (n && p[0] == '[') {
		const char *close = memchr(p, ']', n);
		return close && c->want_ip
			       ? vigil_netmatch_ip(c->m, p + 1, (size_t)(close - p - 1))
			       : NULL;
	}
	const char *colon = memchr(p, ':', n);
	if (colon && memchr(colon + 1, ':', n - (size_t)(colon - p) - 1))
		return c->want_ip ? vigil_netmatch_ip(c->m, p, n) : NULL; /* bare v6 */
	if (colon)
		n = (size_t)(colon - p);
	if (n && p[n - 1] >= '0' && p[n - 1] <= '9')
		return c->want_ip ? vigil_netmatch_ip(c->m, p, n) : NULL;
	return c->want_dom ? vigil_netmatch_domain(c->m, p, n) : NULL;
}

void vg_log_host(struct vg_logctx *c, const char *field, const char *p, size_t n)
{
	const vigil_ioc *ioc = host_ioc(c, p, n);
	if (ioc)
		emit(c, field, p, n, ioc);
}

/* The host part of a URL ("scheme://user@host:port/path"): 1 and *h, *hn,
 * or 0 when p holds no "://". */
static int url_host(const char *p, size_t n, const char **h, size_t *hn)
{
	const char *sep = vg_memmem(p, n, "://");
	if (!sep)
		return 0;
	const char *s = sep + 3, *end = p + n, *he = s;
	while (he < end && *he != '/' && *he != '?' && *he != '#')
		he++;
	for (const char *q = he; q > s; q--)
		if (q[-1] == '@') {
			s = q;
			break;
		}
	*h = s;
	*hn = (size_t)(he - s);
	return 1;
}

int vg_log_may_match(struct vg_logctx *c, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	/* vg_log_name, vg_log_ip, and vg_log_host of a plain name or address */
	if ((c->want_dom && vigil_netmatch_domain(c->m, p, n)) ||
	    (c->want_ip && vigil_netmatch_ip(c->m, p, n)) ||
	    (c->want_url && vigil_netmatch_url(c->m, p, n)))
		return 1;
	/* what only a port, brackets or a URL add: their host part */
	if (!memchr(p, ':', n) && p[0] != '[')
		return 0;
	const char *h;
	size_t hn;
	return host_ioc(c, p, n) || (url_host(p, n, &h, &hn) && host_ioc(c, h, hn));
}

void vg_log_url(struct vg_logctx *c, const char *field, const char *p, size_t n)
{
	if (c->want_url) {
		const vigil_ioc *ioc = vigil_netmatch_url(c->m, p, n);
		if (ioc) {
			emit(c, field, p, n, ioc);
			return;
		}
	}
	/* the host of the URL, reported with the whole URL as the value */
	const char *h;
	size_t hn;
	if (!url_host(p, n, &h, &hn))
		return;
	const vigil_ioc *ioc = host_ioc(c, h, hn);
	if (ioc)
		emit(c, field, p, n, ioc);
}

/* ---- lines ---- */

