/*
 * Zeek TSV logs (dns, http, ssl, conn and any other with the same columns):
 * the #fields header says which column is which; data lines are split only
 * up to the last column needed, with no allocation. Column names are
 * matched with either scope separator, "id.orig_h" or "id_orig_h"
 * (Log::default_scope_sep = "_"). A header naming no column with an
 * observable (files.log, x509.log...) makes its lines generic text.
 */
#include <string.h>

#include "logs/logs_internal.h"
#include "base/util.h"

#define MAX_URL 8192

static const struct {
	const char *name;
	enum vg_zeek_role role;
} column_roles[] = {
	{"ts", ZR_TS},           {"id.orig_h", ZR_ORIG_H}, {"id.resp_h", ZR_RESP_H},
	{"query", ZR_QUERY},     {"answers", ZR_ANSWERS},  {"host", ZR_HOST},
	{"uri", ZR_URI},         {"server_name", ZR_SNI},
};

/* name as written by Zeek with the scope separator '.' or '_' */
static int same_column(const char *known, const char *p, size_t n)
{
	if (strlen(known) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != known[i] && !(known[i] == '.' && p[i] == '_'))
			return 0;
	return 1;
}

static enum vg_zeek_role role_of(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof column_roles / sizeof *column_roles; i++)
		if (same_column(column_roles[i].name, p, n))
			return column_roles[i].role;
	return ZR_NONE;
}

static int header(struct vg_logctx *c, const char *l, size_t n)
{
	struct vg_zeek_state *z = &c->zeek;
	if (vg_starts(l, n, "#separator ")) {
		/* "#separator \x09" */
		const char *v = l + 11;
		size_t vn = n - 11;
		if (vn == 4 && v[0] == '\\' && v[1] == 'x') {
			unsigned val = 0;
			for (int i = 2; i < 4; i++) {
				char x = v[i];
				val = val * 16 + (unsigned)(x >= '0' && x <= '9' ? x - '0'
							    : x >= 'a' && x <= 'f' ? x - 'a' + 10
							    : x >= 'A' && x <= 'F' ? x - 'A' + 10 : 0);
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
	int observables = 0;
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
			observables += r != ZR_NONE && r != ZR_TS;
		}
		z->ncols++;
		i = fe + 1;
	}
	z->have_fields = 1;
	if (!z->sep)
		z->sep = '\t';
	/* nothing vigil reads: no indicator is lost if the lines are text */
	z->text_only = observables == 0;
	if (z->text_only && !z->told_text_only) {
		z->told_text_only = 1;
		vg_diag(c->diag, c->diag_ctx, VIGIL_DIAG_INFO, c->file, c->line,
			"Zeek #fields names none of the columns vigil reads (id.orig_h, "
			"id.resp_h, query, answers, host, uri, server_name, with '.' or "
			"'_'); the lines are searched as text");
	}
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
		return header(c, l, n);
	if (!z->have_fields)
		return -1;
	if (z->text_only) {
		vigil_logfmt keep = c->fmt;
		c->fmt = VIGIL_LOG_GENERIC; /* the hits say how they were found */
		vg_logfmt_generic(c, l, n);
		c->fmt = keep;
		return 0;
	}
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
