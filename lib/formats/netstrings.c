/* Printable strings and the URLs, domains and IPv4 addresses in them
 * (netstrings.h). Plain ASCII classification: no locale. */
#include <stdlib.h>
#include <string.h>

#include "formats/netstrings.h"
#include "base/psl.h"
#include "base/util.h"

static int is_print(uint8_t c)
{
	return (c >= 0x20 && c <= 0x7e) || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ---- strings ---- */

void vg_strings_each(const uint8_t *buf, size_t len, size_t minlen, vg_string_fn fn,
		     void *ctx)
{
	char s[VG_STRINGS_MAX_RUN + 1];
	if (!minlen)
		minlen = VG_STRINGS_MIN_LEN;
	if (minlen > VG_STRINGS_MAX_RUN)
		minlen = VG_STRINGS_MAX_RUN;
	/* single bytes */
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && j - i < VG_STRINGS_MAX_RUN && is_print(buf[j]))
			j++;
		if (j - i >= minlen) {
			memcpy(s, buf + i, j - i);
			s[j - i] = '\0';
			if (fn(ctx, s, j - i, i, 0))
				return;
		}
		i = j > i ? j : i + 1;
	}
	/* UTF-16LE: printable, zero, printable, zero... at either alignment */
	for (size_t i = 0; i + 1 < len;) {
		size_t j = i, n = 0;
		while (j + 1 < len && n < VG_STRINGS_MAX_RUN && is_print(buf[j]) && !buf[j + 1]) {
			s[n++] = (char)buf[j];
			j += 2;
		}
		if (n >= minlen) {
			s[n] = '\0';
			if (fn(ctx, s, n, i, 1))
				return;
		}
		i = j > i ? j : i + 1;
	}
}

/* ---- results ---- */

static uint64_t hash(vg_netstr_kind kind, const char *s)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)kind;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h;
}

/* Add value (taking ownership) unless present; -1 when out of memory. */
static int add(vg_netstrings *ns, vg_netstr_kind kind, char *value, uint64_t off, int utf16)
{
	if (!value)
		return -1;
	size_t mask = ns->set_size - 1;
	size_t k = (size_t)hash(kind, value) & mask;
	for (; ns->set[k] != SIZE_MAX; k = (k + 1) & mask) {
		const vg_netstr *e = &ns->items[ns->set[k]];
		if (e->kind == kind && strcmp(e->value, value) == 0) {
			free(value);
			return 0;
		}
	}
	if (ns->n >= ns->max) {
		ns->capped = 1;
		free(value);
		return 0;
	}
	if (!vg_grow(&ns->items, &ns->cap, ns->n + 1, sizeof *ns->items)) {
		free(value);
		return -1;
	}
	ns->set[k] = ns->n;
	ns->items[ns->n++] = (vg_netstr){kind, value, off, utf16};
	return 0;
}

static char *lower_copy(const char *s, size_t n)
{
	char *c = vg_strndup(s, n);
	for (size_t i = 0; c && i < n; i++)
		c[i] = lower(c[i]);
	return c;
}

/* ---- classification ---- */

/*
 * What makes a dotted name a domain (see netstrings.h): its top-level
 * label must be a public suffix (base/psl.c) with a registrable label
 * before the longest one; then the TLD decides how much evidence the
 * string must give. Measured on Debian's /usr/bin: admitting every TLD of
 * the list on its own turned 350 names into 1,128, nearly all of them
 * identifiers and keys ("file.name", "user.email", "graphical.target",
 * "f32.ge") since hundreds of TLDs are English words or abbreviations.
 */

/* Listed wherever they appear: the TLDs most seen in intrusions, none of
 * them a word common in program text (checked on /usr/bin; "sbs" was
 * dropped for Haskell's "Data.ByteString.Short.Internal.SBS"). */
static const char *const ANYWHERE_TLDS[] = {
	"com", "net", "org", "info", "biz", "gov", "edu", "mil", "int", "io",
	"co", "me", "tv", "us", "uk", "ca", "au", "de", "fr", "nl", "ru", "su",
	"cn", "jp", "kr", "kp", "tw", "hk", "sg", "ir", "ua", "by", "kz", "br",
	"ar", "mx", "es", "pt", "it", "ch", "se", "fi", "dk", "no", "cz", "sk",
	"hu", "ro", "bg", "gr", "tr", "il", "eu", "vn", "id", "xyz", "top",
	"online", "site", "club", "dev", "cloud", "live", "shop", "store",
	"tech", "space", "website", "icu", "vip", "work", "link", "click", "pw",
	"ws", "tk", "ga", "cf", "gq", "onion", "buzz", "fun", "cam", "wiki",
	"cfd", "cyou",
};

/* Public suffixes that are also common file extensions ("libc.so",
 * "setup.py", "Makefile.in", "Safari.app", "sinput.ads", "main.py:12"):
 * a name under one of them is listed only as a URL's host. */
static const char *const FILE_EXT_TLDS[] = {
	"so", "sh", "py", "pl", "pm", "ph", "al", "rs", "md", "in", "cc", "la",
	"mo", "ps", "am", "ac", "mk", "ml", "ms", "st", "gs", "as", "ai", "sc",
	"gl", "cat", "inc", "map", "zip", "mov", "java", "pro", "app", "nu",
	"sv", "ax", "ly", "cr", "do", "bz", "ads",
};

static int in_list(const char *const *list, size_t len, const char *s, size_t n)
{
	for (size_t i = 0; i < len; i++) {
		size_t tl = strlen(list[i]);
		if (tl != n)
			continue;
		size_t k = 0;
		while (k < n && lower(s[k]) == list[i][k])
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}
#define IN_LIST(list, s, n) in_list(list, sizeof list / sizeof list[0], s, n)

/*
 * Is s[0, n) a host name of at least two labels (letters, digits, inner
 * hyphens; 1-63 bytes each; 253 in all) whose last label is alphabetic and
 * at least two letters long?
 */
static int valid_hostname(const char *s, size_t n)
{
	if (n < 3 || n > 253)
		return 0;
	size_t labels = 0, start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!is_alnum(s[i]) && s[i] != '-')
				return 0;
			continue;
		}
		size_t l = i - start;
		if (l == 0 || l > 63 || s[start] == '-' || s[i - 1] == '-')
			return 0;
		labels++;
		if (i == n) {
			for (size_t k = start; k < n; k++)
				if (!is_alpha(s[k]))
					return 0;
			if (l < 2)
				return 0;
		}
		start = i + 1;
	}
	return labels >= 2;
}

/*
 * Is the name at s[i, t) of the string s[0, n) a domain? A URL's host
 * ("://NAME") needs only a public suffix; else file-extension TLDs are
 * out, ANYWHERE_TLDS are in, and any other public suffix needs host
 * evidence: "user@NAME", "NAME:PORT", or "NAME/path" where NAME starts a
 * word (not "/grpc.health.v1.Health/Check", "lib/obj.target/x", nor an ar
 * member name "calendar.ao/0"): a path that starts with a letter.
 */
static int is_domain(const char *s, size_t n, size_t i, size_t t)
{
	if (!valid_hostname(s + i, t - i) || !vg_psl_registrable(s + i, t - i))
		return 0;
	if (i >= 3 && memcmp(s + i - 3, "://", 3) == 0)
		return 1;
	size_t d = t;
	while (s[d - 1] != '.')
		d--;
	if (IN_LIST(FILE_EXT_TLDS, s + d, t - d))
		return 0;
	if (IN_LIST(ANYWHERE_TLDS, s + d, t - d))
		return 1;
	if (i > 0 && s[i - 1] == '@')
		return 1;
	if (t + 1 < n && s[t] == ':' && is_digit(s[t + 1]))
		return 1;
	return t + 1 < n && s[t] == '/' && (is_alpha(s[t + 1]) || strchr("-._~%", s[t + 1])) &&
	       (i == 0 || strchr(" \t\"'=(<[,", s[i - 1]));
}

/* A decimal octet 0-255 at s[*i], no leading zero; advances *i. */
static int octet(const char *s, size_t n, size_t *i)
{
	size_t k = *i;
	unsigned v = 0;
	while (k < n && is_digit(s[k]) && k - *i < 4)
		v = v * 10 + (unsigned)(s[k++] - '0');
	size_t d = k - *i;
	if (d == 0 || d > 3 || v > 255 || (d > 1 && s[*i] == '0'))
		return 0;
	*i = k;
	return 1;
}

/* An IPv4 address exactly at s[i, ...); its length, or 0. Not part of a
 * longer token: a letter, digit, '.', '_' or '-' on either side makes it
 * a version ("ZLIB_1.2.3.4", "1.2.3.4-1"), an OID arc or a name. */
static size_t ipv4_at(const char *s, size_t n, size_t i)
{
	if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '_' ||
		      s[i - 1] == '-'))
		return 0;
	size_t k = i;
	for (int part = 0; part < 4; part++) {
		if (part && (k >= n || s[k++] != '.'))
			return 0;
		if (!octet(s, n, &k))
			return 0;
	}
	if (k < n && (is_alnum(s[k]) || s[k] == '_' || s[k] == '-' ||
		      (s[k] == '.' && k + 1 < n && is_digit(s[k + 1]))))
		return 0;
	return k - i;
}

static int is_url_char(char c)
{
	return is_alnum(c) || (c && strchr("-._~:/?#[]@!$&'()*+,;=%", c));
}

static size_t scheme_at(const char *s, size_t n, size_t i)
{
	static const char *const schemes[] = {"http://", "https://", "ftp://"};
	if (i > 0 && is_alpha(s[i - 1]))
		return 0;
	for (size_t k = 0; k < 3; k++) {
		size_t l = strlen(schemes[k]), j = 0;
		while (j < l && i + j < n && lower(s[i + j]) == schemes[k][j])
			j++;
		if (j == l)
			return l;
	}
	return 0;
}

/* A URL at s[i] (scheme found, length sl); its length, or 0 if its host
 * is not a host name or IPv4 address. */
static size_t url_at(const char *s, size_t n, size_t i, size_t sl)
{
	size_t e = i + sl;
	while (e < n && is_url_char(s[e]))
		e++;
	while (e > i + sl && strchr(".,;:)'!", s[e - 1])) /* sentence punctuation */
		e--;
	size_t h = i + sl, he = h;
	while (he < e && !strchr("/?#", s[he]))
		he++;
	for (size_t k = h; k < he; k++) /* user:password@ */
		if (s[k] == '@')
			h = k + 1;
	size_t port = h;
	while (port < he && s[port] != ':')
		port++;
	if (port == h)
		return 0;
	if (!valid_hostname(s + h, port - h) && ipv4_at(s, port, h) != port - h)
		return 0;
	return e - i;
}

struct scan {
	vg_netstrings *ns;
	int oom;
};

static int on_string(void *ctx, const char *s, size_t n, uint64_t off, int utf16)
{
	struct scan *sc = ctx;
	vg_netstrings *ns = sc->ns;
	for (size_t i = 0; i < n;) {
		size_t sl = scheme_at(s, n, i), l;
		if (sl && (l = url_at(s, n, i, sl))) {
			/* lower-case scheme and host; keep the path's case */
			size_t keep = l > VG_NETSTR_MAX_URL ? VG_NETSTR_MAX_URL : l;
			char *u = vg_strndup(s + i, keep);
			for (size_t k = 0; u && k < keep; k++) {
				if (k >= sl && strchr("/?#", u[k]))
					break;
				u[k] = lower(u[k]);
			}
			if (add(ns, VG_NETSTR_URL, u, off, utf16) < 0)
				goto oom;
			i += sl; /* the host is found again as a domain below */
			continue;
		}
		if (is_digit(s[i]) && (l = ipv4_at(s, n, i))) {
			if (add(ns, VG_NETSTR_IPV4, vg_strndup(s + i, l), off, utf16) < 0)
				goto oom;
			i += l;
			continue;
		}
		if (is_alnum(s[i]) && (i == 0 || !(is_alnum(s[i - 1]) || strchr("-._", s[i - 1])))) {
			size_t e = i;
			while (e < n && (is_alnum(s[e]) || s[e] == '-' || s[e] == '.'))
				e++;
			size_t t = e;
			while (t > i && (s[t - 1] == '.' || s[t - 1] == '-'))
				t--;
			if (!(e < n && s[e] == '_') && is_domain(s, n, i, t) &&
			    add(ns, VG_NETSTR_DOMAIN, lower_copy(s + i, t - i), off, utf16) < 0)
				goto oom;
			i = e;
			continue;
		}
		i++;
	}
	return ns->capped;
oom:
	sc->oom = 1;
	return 1;
}

int vg_netstrings_extract(const uint8_t *buf, size_t len, size_t max_items,
			  vg_netstrings **out)
{
	*out = NULL;
	vg_netstrings *ns = calloc(1, sizeof *ns);
	if (!ns)
		return VIGIL_FATAL;
	ns->max = max_items ? max_items : VG_NETSTR_DEFAULT_MAX;
	if (ns->max > VG_NETSTR_HARD_MAX)
		ns->max = VG_NETSTR_HARD_MAX;
	ns->set_size = 16;
	while (ns->set_size < 2 * ns->max)
		ns->set_size *= 2;
	ns->set = malloc(ns->set_size * sizeof *ns->set);
	if (!ns->set) {
		vg_netstrings_free(ns);
		return VIGIL_FATAL;
	}
	memset(ns->set, 0xff, ns->set_size * sizeof *ns->set); /* SIZE_MAX: empty */
	struct scan sc = {ns, 0};
	vg_strings_each(buf, len, 0, on_string, &sc);
	if (sc.oom) {
		vg_netstrings_free(ns);
		return VIGIL_FATAL;
	}
	*out = ns;
	return ns->capped ? VIGIL_WARN : VIGIL_OK;
}

void vg_netstrings_free(vg_netstrings *ns)
{
	if (!ns)
		return;
	for (size_t i = 0; i < ns->n; i++)
		free(ns->items[i].value);
	free(ns->items);
	free(ns->set);
	free(ns);
}

const char *vg_netstr_kind_name(vg_netstr_kind kind)
{
	switch (kind) {
	case VG_NETSTR_URL:
		return "url";
	case VG_NETSTR_DOMAIN:
		return "domain";
	case VG_NETSTR_IPV4:
		return "ipv4";
	}
	return "?";
}
