/*
 * The network IOC matcher (see include/vigil/netmatch.h).
 *
 * Domains: an open-addressing hash set of the IOC names. A name from a log
 * is hashed once from its last byte backwards, so the hash of every suffix
 * that starts at a label boundary is known on the way and each is probed:
 * "a.b.evil.com" probes "com", "evil.com", "b.evil.com", "a.b.evil.com" and
 * never "l.com" or "notevil.com".
 * Addresses: sorted (network, prefix) tables per family, probed once per
 * prefix length present, longest first.
 * URLs: normalised "scheme://host[:port]" origins, sorted, each with a path
 * (an IOC without a scheme, "host/path", is entered as http and https);
 * a path that ends with '/' (and has no query) is a directory and matches
 * every URL below it, any other path only itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/netmatch.h>

#include "iocs/netmatch_internal.h"
#include "base/util.h"

struct dom_ent {
	uint64_t hash;
	const char *name; /* lower case, no trailing dot */
	size_t len;
	const vigil_ioc *ioc;
};

struct v4_ent {
	uint32_t net;
	unsigned plen;
	const vigil_ioc *ioc;
};

struct v6_ent {
	uint8_t net[16];
	unsigned plen;
	const vigil_ioc *ioc;
};

struct url_ent {
	char *origin; /* scheme://host[:port] */
	char *path;   /* "" matches every path of the origin */
	int below;    /* path ends with '/': it and everything below it match */
	const vigil_ioc *ioc;
};

struct vigil_netmatch {
	struct dom_ent *dom; /* hash table, size dom_mask + 1 */
	size_t dom_mask, ndom;
	struct v4_ent *v4;
	size_t nv4;
	unsigned v4_plens[33], nv4_plens; /* distinct prefix lengths, longest first */
	struct v6_ent *v6;
	size_t nv6;
	unsigned v6_plens[129], nv6_plens;
	struct url_ent *url;
	size_t nurl;      /* table entries */
	size_t nurl_iocs; /* the IOCs they are for */
};

static const unsigned char lower_tab[256] = {
#define L(c) ((c) | (((c) >= 'A' && (c) <= 'Z') << 5))
#define R4(b) L(b), L(b + 1), L(b + 2), L(b + 3)
#define R16(b) R4(b), R4(b + 4), R4(b + 8), R4(b + 12)
	R16(0), R16(16), R16(32), R16(48), R16(64), R16(80), R16(96), R16(112),
	R16(128), R16(144), R16(160), R16(176), R16(192), R16(208), R16(224), R16(240),
#undef R16
#undef R4
#undef L
};

#define FNV_OFF 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

/* FNV-1a over the bytes from the last to the first, lower-cased. */
static uint64_t rhash(const char *s, size_t n)
{
	uint64_t h = FNV_OFF;
	while (n--)
		h = (h ^ lower_tab[(unsigned char)s[n]]) * FNV_PRIME;
	return h;
}

static int eq_fold(const char *log, const char *ioc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower_tab[(unsigned char)log[i]] != (unsigned char)ioc[i])
			return 0;
	return 1;
}

static const struct dom_ent *dom_find(const vigil_netmatch *m, uint64_t h,
				      const char *s, size_t n)
{
	for (size_t i = h & m->dom_mask;; i = (i + 1) & m->dom_mask) {
		const struct dom_ent *e = &m->dom[i];
		if (!e->name)
			return NULL;
		if (e->hash == h && e->len == n && eq_fold(s, e->name, n))
			return e;
	}
}

static int build_domains(vigil_netmatch *m, const vigil_iocs *set)
{
	size_t n = vigil_iocs_count(set, VIGIL_IOC_DOMAIN), size = 16;
	while (size < n * 2 + 2) {
		if (size > SIZE_MAX / 4 / sizeof *m->dom)
			return 0;
		size *= 2;
	}
	if (!(m->dom = calloc(size, sizeof *m->dom)))
		return 0;
	m->dom_mask = size - 1;
	for (size_t i = 0; i < n; i++) {
		const vigil_ioc *ioc = vigil_iocs_get(set, VIGIL_IOC_DOMAIN, i);
		const char *v = ioc->value;
		size_t len = strlen(v);
		while (len && v[len - 1] == '.')
			len--;
		if (!len)
			continue;
		uint64_t h = rhash(v, len);
		if (dom_find(m, h, v, len))
			continue; /* the first one loaded wins */
		size_t j = h & m->dom_mask;
		while (m->dom[j].name)
			j = (j + 1) & m->dom_mask;
		m->dom[j] = (struct dom_ent){h, v, len, ioc};
		m->ndom++;
	}
	return 1;
}

const vigil_ioc *vigil_netmatch_domain(const vigil_netmatch *m,
				       const char *name, size_t len)
{
	if (!m->ndom)
		return NULL;
	while (len && name[len - 1] == '.')
		len--;
	const vigil_ioc *best = NULL;
	uint64_t h = FNV_OFF;
	/* right to left: a probe at each label start, the longest hit wins */
	for (size_t i = len; i-- > 0;) {
		unsigned char c = lower_tab[(unsigned char)name[i]];
		h = (h ^ c) * FNV_PRIME;
		if (i == 0 || name[i - 1] == '.') {
			const struct dom_ent *e = dom_find(m, h, name + i, len - i);
			if (e)
				best = e->ioc;
		}
	}
	return best;
}

/* ---- addresses ---- */

int vg_parse_ipv4(const char *s, size_t n, uint32_t *out)
{
	uint32_t a = 0;
	unsigned parts = 0, digits = 0, v = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!digits || v > 255)
				return 0;
			a = a << 8 | v;
			parts++;
			if (i < n && parts == 4)
				return 0;
			v = digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9') {
			if (++digits > 3)
				return 0;
			v = v * 10 + (unsigned)(s[i] - '0');
		} else {
			return 0;
		}
	}
	if (parts != 4)
		return 0;
	*out = a;
	return 1;
}

int vg_parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
	char buf[64];
	if (n && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	const char *pct = memchr(s, '%', n); /* zone: fe80::1%eth0 */
	if (pct)
		n = (size_t)(pct - s);
	if (n < 2 || n >= sizeof buf || !memchr(s, ':', n))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, out) == 1;
}

int vg_parse_prefix_len(const char *s, unsigned max, unsigned *bits)
{
	char *end;
	errno = 0;
	long b = strtol(s, &end, 10);
	if (end == s || *end || errno || b < 0 || b > (long)max)
		return 0;
	*bits = (unsigned)b;
	return 1;
}

/* "addr" or "addr/bits" of an IOC */
static int split_prefix(const char *v, size_t *addr_len, unsigned *bits,
			unsigned max)
{
	const char *slash = strchr(v, '/');
	*addr_len = slash ? (size_t)(slash - v) : strlen(v);
	*bits = max;
	return !slash || vg_parse_prefix_len(slash + 1, max, bits);
}

static uint32_t v4_mask(unsigned plen)
{
	return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

static void v6_apply(uint8_t a[16], unsigned plen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ? plen - 8 * i : 0;
		a[i] &= (uint8_t)(0xff00u >> keep);
	}
}

static int v4_cmp(const void *x, const void *y)
{
	const struct v4_ent *a = x, *b = y;
	if (a->net != b->net)
		return a->net < b->net ? -1 : 1;
	return (a->plen > b->plen) - (a->plen < b->plen);
}

static int v6_cmp(const void *x, const void *y)
{
	const struct v6_ent *a = x, *b = y;
	int c = memcmp(a->net, b->net, 16);
	return c ? c : (a->plen > b->plen) - (a->plen < b->plen);
}

static void collect_plens(unsigned *plens, unsigned *n, const unsigned *seen,
			  unsigned max)
{
	*n = 0;
	for (unsigned p = max + 1; p-- > 0;)
		if (seen[p])
			plens[(*n)++] = p;
}

static int build_addresses(vigil_netmatch *m, const vigil_iocs *set)
{
	size_t n4 = vigil_iocs_count(set, VIGIL_IOC_IPV4);
	size_t n6 = vigil_iocs_count(set, VIGIL_IOC_IPV6);
	unsigned seen4[33] = {0}, seen6[129] = {0};
	if ((n4 && !(m->v4 = calloc(n4, sizeof *m->v4))) ||
	    (n6 && !(m->v6 = calloc(n6, sizeof *m->v6))))
		return 0;
	for (size_t i = 0; i < n4; i++) {
		const vigil_ioc *ioc = vigil_iocs_get(set, VIGIL_IOC_IPV4, i);
		size_t al;
		unsigned bits;
		uint32_t a;
		if (!split_prefix(ioc->value, &al, &bits, 32) ||
		    !vg_parse_ipv4(ioc->value, al, &a))
			continue;
		m->v4[m->nv4++] = (struct v4_ent){a & v4_mask(bits), bits, ioc};
		seen4[bits] = 1;
	}
	for (size_t i = 0; i < n6; i++) {
		const vigil_ioc *ioc = vigil_iocs_get(set, VIGIL_IOC_IPV6, i);
		size_t al;
		unsigned bits;
		struct v6_ent *e = &m->v6[m->nv6];
		if (!split_prefix(ioc->value, &al, &bits, 128) ||
		    !vg_parse_ipv6(ioc->value, al, e->net))
			continue;
		v6_apply(e->net, bits);
		e->plen = bits;
		e->ioc = ioc;
		m->nv6++;
		seen6[bits] = 1;
	}
	/* qsort is not stable: among equal keys the lookups pick the IOC
	 * loaded first (first_loaded) */
	if (m->nv4 > 1)
		qsort(m->v4, m->nv4, sizeof *m->v4, v4_cmp);
	if (m->nv6 > 1)
		qsort(m->v6, m->nv6, sizeof *m->v6, v6_cmp);
	collect_plens(m->v4_plens, &m->nv4_plens, seen4, 32);
	collect_plens(m->v6_plens, &m->nv6_plens, seen6, 128);
	return 1;
}

/* Among equal keys, the IOC loaded first (lowest address in its list). */
static const vigil_ioc *first_loaded(const vigil_ioc *a, const vigil_ioc *b)
{
	return b < a ? b : a;
}

static const vigil_ioc *v4_lookup(const vigil_netmatch *m, uint32_t a)
{
	for (unsigned k = 0; k < m->nv4_plens; k++) {
		struct v4_ent key = {a & v4_mask(m->v4_plens[k]), m->v4_plens[k], NULL};
		const struct v4_ent *e =
			bsearch(&key, m->v4, m->nv4, sizeof *m->v4, v4_cmp);
		if (e) {
			const vigil_ioc *best = e->ioc;
			for (const struct v4_ent *p = e; p > m->v4 && !v4_cmp(p - 1, &key); p--)
				best = first_loaded(best, p[-1].ioc);
			for (const struct v4_ent *p = e + 1; p < m->v4 + m->nv4 && !v4_cmp(p, &key); p++)
				best = first_loaded(best, p->ioc);
			return best;
		}
	}
	return NULL;
}

static const vigil_ioc *v6_lookup(const vigil_netmatch *m, const uint8_t a[16])
{
	for (unsigned k = 0; k < m->nv6_plens; k++) {
		struct v6_ent key = {0};
		memcpy(key.net, a, 16);
		v6_apply(key.net, m->v6_plens[k]);
		key.plen = m->v6_plens[k];
		const struct v6_ent *e =
			bsearch(&key, m->v6, m->nv6, sizeof *m->v6, v6_cmp);
		if (e) {
			const vigil_ioc *best = e->ioc;
			for (const struct v6_ent *p = e; p > m->v6 && !v6_cmp(p - 1, &key); p--)
				best = first_loaded(best, p[-1].ioc);
			for (const struct v6_ent *p = e + 1; p < m->v6 + m->nv6 && !v6_cmp(p, &key); p++)
				best = first_loaded(best, p->ioc);
			return best;
		}
	}
	return NULL;
}

const vigil_ioc *vigil_netmatch_ip(const vigil_netmatch *m, const char *addr,
				   size_t len)
{
	uint32_t a4;
	uint8_t a6[16];
	if (m->nv4 && vg_parse_ipv4(addr, len, &a4))
		return v4_lookup(m, a4);
	if ((m->nv6 || m->nv4) && vg_parse_ipv6(addr, len, a6)) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (m->nv4 && memcmp(a6, mapped, 12) == 0)
			return v4_lookup(m, (uint32_t)a6[12] << 24 | (uint32_t)a6[13] << 16 |
						    (uint32_t)a6[14] << 8 | a6[15]);
		return m->nv6 ? v6_lookup(m, a6) : NULL;
	}
	return NULL;
}

/* ---- URLs ---- */

#define MAX_ORIGIN 512

/*
 * Split a URL into its normalised origin ("scheme://host[:port]", lower
 * case, trailing dot of the host and the scheme's default port dropped,
 * user info dropped) and the rest (path, query, fragment; may be empty).
 * Returns 0 when it has no "scheme://" or the origin is too long.
 */
int vg_url_split(const char *u, size_t n, char *origin, size_t *olen,
		 const char **rest, size_t *rlen)
{
	size_t i = 0;
	while (i < n && i < 16 && u[i] != ':')
		i++;
	if (i == 0 || i + 2 >= n || u[i] != ':' || u[i + 1] != '/' || u[i + 2] != '/')
		return 0;
	size_t slen = i, hs = i + 3, he = hs;
	while (he < n && u[he] != '/' && u[he] != '?' && u[he] != '#')
		he++;
	/* user info */
	for (size_t k = he; k > hs; k--)
		if (u[k - 1] == '@') {
			hs = k;
			break;
		}
	/* port: after the last ':' not inside [v6] */
	size_t pe = he, ps = he;
	for (size_t k = he; k > hs; k--) {
		if (u[k - 1] == ']')
			break;
		if (u[k - 1] == ':') {
			ps = k - 1;
			break;
		}
	}
	size_t host_end = ps;
	while (host_end > hs && u[host_end - 1] == '.')
		host_end--;
	const char *port = ps < pe ? u + ps + 1 : NULL;
	size_t portlen = port ? pe - ps - 1 : 0;
	if ((portlen == 2 && slen == 4 && !memcmp(port, "80", 2) && eq_fold(u, "http", 4)) ||
	    (portlen == 3 && slen == 5 && !memcmp(port, "443", 3) && eq_fold(u, "https", 5)) ||
	    (port && portlen == 0))
		port = NULL, portlen = 0;
	size_t need = slen + 3 + (host_end - hs) + (port ? portlen + 1 : 0);
	if (need >= MAX_ORIGIN)
		return 0;
	size_t o = 0;
	for (size_t k = 0; k < slen; k++)
		origin[o++] = (char)lower_tab[(unsigned char)u[k]];
	memcpy(origin + o, "://", 3);
	o += 3;
	for (size_t k = hs; k < host_end; k++)
		origin[o++] = (char)lower_tab[(unsigned char)u[k]];
	if (port) {
		origin[o++] = ':';
		memcpy(origin + o, port, portlen);
		o += portlen;
	}
	origin[o] = '\0';
	*olen = o;
	*rest = u + he;
	*rlen = n - he;
	return 1;
}

static int url_cmp(const void *x, const void *y)
{
	const struct url_ent *a = x, *b = y;
	return strcmp(a->origin, b->origin);
}

/* One table entry for a URL IOC, or for ioc as if it were url. */
static int add_url(vigil_netmatch *m, const vigil_ioc *ioc, const char *url)
{
	char origin[MAX_ORIGIN];
	size_t olen, rlen;
	const char *rest;
	if (!vg_url_split(url, strlen(url), origin, &olen, &rest, &rlen))
		return 1;
	struct url_ent *e = &m->url[m->nurl];
	/* no path, or just "/": every URL of the origin */
	if (rlen == 1 && rest[0] == '/')
		rlen = 0;
	/* "?q" and "/?q" are the same request: paths start with '/' */
	int slash = rlen && rest[0] != '/';
	if (!(e->origin = vg_strdup(origin)) ||
	    !(e->path = vg_asprintf("%s%.*s", slash ? "/" : "", (int)rlen, rest))) {
		free(e->origin);
		return 0;
	}
	/* "https://host/dl/" names a directory the payloads are served
	 * from; with a query the IOC is one request, matched exactly */
	e->below = rlen && rest[rlen - 1] == '/' && !memchr(rest, '?', rlen) &&
		   !memchr(rest, '#', rlen);
	e->ioc = ioc;
	m->nurl++;
	return 1;
}

static int build_urls(vigil_netmatch *m, const vigil_iocs *set)
{
	size_t n = vigil_iocs_count(set, VIGIL_IOC_URL);
	/* two entries at most per IOC */
	if (n && !(m->url = calloc(n, 2 * sizeof *m->url)))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const vigil_ioc *ioc = vigil_iocs_get(set, VIGIL_IOC_URL, i);
		size_t before = m->nurl;
		if (strstr(ioc->value, "://")) {
			if (!add_url(m, ioc, ioc->value))
				return 0;
		} else {
			/* "host/path" as MISP url attributes write it: the web
			 * schemes, http and https */
			char *u = vg_asprintf("http://%s", ioc->value);
			int ok = u && add_url(m, ioc, u);
			free(u);
			u = ok ? vg_asprintf("https://%s", ioc->value) : NULL;
			ok = u && add_url(m, ioc, u);
			free(u);
			if (!ok)
				return 0;
		}
		m->nurl_iocs += m->nurl > before;
	}
	if (m->nurl > 1)
		qsort(m->url, m->nurl, sizeof *m->url, url_cmp);
	return 1;
}

static int path_matches(const struct url_ent *e, const char *p, size_t n)
{
	const char *ioc_path = e->path;
	size_t k = strlen(ioc_path);
	if (k == 0)
		return 1;
	if (e->below)
		return n >= k && memcmp(ioc_path, p, k) == 0;
	if (n == 0 || p[0] != '/') {
		/* the log's URL has no '/' before its query: the IOC's has one */
		ioc_path++;
		k--;
	}
	if (n < k || memcmp(ioc_path, p, k) != 0)
		return 0;
	return n == k || p[k] == '#' || (p[k] == '?' && !strchr(ioc_path, '?'));
}

const vigil_ioc *vigil_netmatch_url(const vigil_netmatch *m, const char *url,
				    size_t len)
{
	if (!m->nurl)
		return NULL;
	char origin[MAX_ORIGIN];
	size_t olen, rlen;
	const char *rest;
	if (!vg_url_split(url, len, origin, &olen, &rest, &rlen))
		return NULL;
	struct url_ent key = {.origin = origin};
	const struct url_ent *e = bsearch(&key, m->url, m->nurl, sizeof *m->url, url_cmp);
	if (!e)
		return NULL;
	while (e > m->url && !url_cmp(e - 1, &key))
		e--;
	const vigil_ioc *best = NULL;
	size_t best_len = 0;
	/* the most specific path wins, then the first loaded */
	for (; e < m->url + m->nurl && !url_cmp(e, &key); e++) {
		size_t pl = strlen(e->path);
		if (path_matches(e, rest, rlen) &&
		    (!best || pl > best_len || (pl == best_len && e->ioc < best)))
			best = e->ioc, best_len = pl;
	}
	return best;
}

/* ---- lifetime ---- */

vigil_netmatch *vigil_netmatch_create(const vigil_iocs *set)
{
	vigil_netmatch *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	if (!build_domains(m, set) || !build_addresses(m, set) || !build_urls(m, set)) {
		vigil_netmatch_destroy(m);
		return NULL;
	}
	return m;
}

void vigil_netmatch_destroy(vigil_netmatch *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nurl; i++) {
		free(m->url[i].origin);
		free(m->url[i].path);
	}
	free(m->url);
	free(m->v4);
	free(m->v6);
	free(m->dom);
	free(m);
}

size_t vigil_netmatch_count(const vigil_netmatch *m, vigil_ioc_type type)
{
	switch (type) {
	case VIGIL_IOC_DOMAIN:
		return m->ndom;
	case VIGIL_IOC_IPV4:
		return m->nv4;
	case VIGIL_IOC_IPV6:
		return m->nv6;
	case VIGIL_IOC_URL:
		return m->nurl_iocs;
	default:
		return 0;
	}
}
