/*
 * Zeek TSV logs (dns, http, ssl, conn and any other with the same columns):
 * the #fields header says which column is which; data lines are split only
 * up to the last column needed, with no allocation.
 */
#include <string.h>

#include "logs/logs_internal.h"

#define MAX_URL 8192

static const struct {
	const char *name;
	enum vg_zeek_role role;
} column_roles[] = {
	{"ts", ZR_TS},           {"id.orig_h", ZR_ORIG_H}, {"id.resp_h", ZR_RESP_H},
	{"query", ZR_QUERY},     {"answers", ZR_ANSWERS},  {"host", ZR_HOST},
	{"uri", ZR_URI},         {"server_name", ZR_SNI},
};

static enum vg_zeek_role role_of(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof column_roles / sizeof *column_roles; i++)
		if (strlen(column_roles[i].name) == n &&
		    memcmp(column_roles[i].name, p, n) == 0)
			return column_roles[i].role;
	return ZR_NONE;
}

static int header(struct vg_zeek_state *z, const char *l, size_t n)
{
	if (vg_starts(l, n, "#separator ")) {
		/* "#separator \x09" */
		const char *v = l + 11;
		size_t vn = n - 11;
		if (vn == 4 && v[0] == '\\' && v[1] == 'x') {
			unsigned val = 0;
			for (int i = 2; i < 4; i++) {
				char c = v[i];
				val = val * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0'
							    : c >= 'a' && c <= 'f' ? c - 'a' + 10
							    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0);
			}
			z->sep = (char)val;
			return 0;
		}
		if (vn == 1) {
			z->sep = v[0];
			return 0;
		}
		return -1;
	}
	if (!vg_starts(l, n, "#fields"))
		return 0; /* #path, #types, #open, #close...: nothing needed */
	char sep = z->sep ? z->sep : '\t';
	memset(z->role, 0, sizeof z->role);
	z->ncols = 0;
	z->last_needed = 0;
	size_t i = 7;
	if (i >= n || l[i] != sep)
		return -1;
	i++;
	while (i <= n) {
		const char *e = memchr(l + i, sep, n - i);
		size_t fe = e ? (size_t)(e - l) : n;
		if (z->ncols < VG_ZEEK_MAX_COLS) {
			enum vg_zeek_role r = role_of(l + i, fe - i);
			z->role[z->ncols] = (unsigned char)r;
			if (r != ZR_NONE)
				z->last_needed = z->ncols + 1;
		}
		z->ncols++;
		i = fe + 1;
	}
	z->have_fields = 1;
	if (!z->sep)
		z->sep = '\t';
	return 0;
}

static int unset(const char *p, size_t n)
{
	return n == 0 || (n == 1 && p[0] == '-') ||
	       (n == 7 && memcmp(p, "(empty)", 7) == 0);
}

static void answers(struct vg_logctx *c, const char *p, size_t n)
{
	while (n) {
		const char *comma = memchr(p, ',', n);
		size_t k = comma ? (size_t)(comma - p) : n;
		/* addresses end in a digit or hold ':'; CNAMEs are names */
		if (k && (memchr(p, ':', k) || (p[k - 1] >= '0' && p[k - 1] <= '9')))
			vg_log_ip(c, "answer", p, k);
		else if (k && !memchr(p, ' ', k))
			vg_log_name(c, "answer", p, k);
		if (!comma)
			break;
		p += k + 1;
		n -= k + 1;
	}
}

int vg_logfmt_zeek(struct vg_logctx *c, const char *l, size_t n)
{
	struct vg_zeek_state *z = &c->zeek;
	if (l[0] == '#')
		return header(z, l, n);
	if (!z->have_fields)
		return -1;
	const char *col[ZR_COUNT] = {0};
	size_t len[ZR_COUNT] = {0};
	size_t i = 0;
	unsigned k = 0;
	for (; k < z->last_needed; k++) {
		if (i > n)
			return -1; /* fewer columns than the header names */
		const char *e = memchr(l + i, z->sep, n - i);
		size_t fe = e ? (size_t)(e - l) : n;
		unsigned r = z->role[k];
		if (r != ZR_NONE) {
			col[r] = l + i;
			len[r] = fe - i;
		}
		i = fe + 1;
	}
	c->ts_kind = VG_TS_EPOCH;
	c->ts = col[ZR_TS];
	c->ts_len = len[ZR_TS];
	if (col[ZR_ORIG_H] && !unset(col[ZR_ORIG_H], len[ZR_ORIG_H])) {
		c->client = col[ZR_ORIG_H];
		c->client_len = len[ZR_ORIG_H];
	}
	if (col[ZR_QUERY] && !unset(col[ZR_QUERY], len[ZR_QUERY]))
		vg_log_name(c, "query", col[ZR_QUERY], len[ZR_QUERY]);
	if (col[ZR_SNI] && !unset(col[ZR_SNI], len[ZR_SNI]))
		vg_log_name(c, "sni", col[ZR_SNI], len[ZR_SNI]);
	if (col[ZR_HOST] && !unset(col[ZR_HOST], len[ZR_HOST])) {
		const char *uri = col[ZR_URI];
		size_t un = uri && !unset(uri, len[ZR_URI]) ? len[ZR_URI] : 0;
		if (c->want_url && un && len[ZR_HOST] < MAX_URL - 8) {
			char url[MAX_URL];
			memcpy(url, "http://", 7);
			memcpy(url + 7, col[ZR_HOST], len[ZR_HOST]);
			size_t o = 7 + len[ZR_HOST];
			if (un > MAX_URL - o)
				un = MAX_URL - o;
			memcpy(url + o, uri, un);
			vg_log_url(c, "url", url, o + un);
		}
		vg_log_host(c, "host", col[ZR_HOST], len[ZR_HOST]);
	}
	if (col[ZR_ANSWERS] && !unset(col[ZR_ANSWERS], len[ZR_ANSWERS]) &&
	    (c->want_ip || c->want_dom))
		answers(c, col[ZR_ANSWERS], len[ZR_ANSWERS]);
	if (c->want_ip) {
		if (col[ZR_RESP_H])
			vg_log_ip(c, "dst", col[ZR_RESP_H], len[ZR_RESP_H]);
		if (col[ZR_ORIG_H])
			vg_log_ip(c, "src", col[ZR_ORIG_H], len[ZR_ORIG_H]);
	}
	return 0;
}
