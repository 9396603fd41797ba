/* The parsers of dpkg's text databases (pkg/dpkg.h): bounded line cutting,
 * every malformed line reported with the file and line and skipped. */
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "pkg/dpkg.h"

typedef struct line_cut {
	const char *buf;
	size_t len, pos;
	unsigned long no;
} line_cut;

/* The next line (without its newline), or 0 at the end. A line longer
 * than VG_DPKG_MAX_LINE or holding a NUL is reported and skipped. */
static int next_line(line_cut *c, vg_dpkg_diag *dg, vg_span *out)
{
	while (c->pos < c->len) {
		const char *s = c->buf + c->pos;
		size_t rest = c->len - c->pos;
		const char *nl = memchr(s, '\n', rest);
		size_t n = nl ? (size_t)(nl - s) : rest;
		c->pos += nl ? n + 1 : n;
		c->no++;
		if (n > VG_DPKG_MAX_LINE) {
			dg->problems++;
			vg_diag(dg->fn, dg->ctx, VIGIL_DIAG_WARNING, dg->file, c->no,
				"line longer than %d bytes skipped", VG_DPKG_MAX_LINE);
			continue;
		}
		if (memchr(s, '\0', n)) {
			dg->problems++;
			vg_diag(dg->fn, dg->ctx, VIGIL_DIAG_WARNING, dg->file, c->no,
				"line holding a NUL byte skipped");
			continue;
		}
		if (n && s[n - 1] == '\r')
			n--;
		out->p = s;
		out->n = n;
		return 1;
	}
	return 0;
}

static void bad(vg_dpkg_diag *dg, unsigned long line, const char *what)
{
	dg->problems++;
	vg_diag(dg->fn, dg->ctx, VIGIL_DIAG_WARNING, dg->file, line,
		"malformed line skipped: %s", what);
}

static int blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int all_blank(vg_span l)
{
	for (size_t i = 0; i < l.n; i++)
		if (!blank(l.p[i]))
			return 0;
	return 1;
}

int vg_span_eq(vg_span s, const char *c)
{
	size_t n = strlen(c);
	return s.n == n && memcmp(s.p, c, n) == 0;
}

const vg_span *vg_dpkg_get(const vg_dpkg_stanza *s, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < s->n; i++)
		if (s->f[i].name.n == n && strncasecmp(s->f[i].name.p, name, n) == 0)
			return &s->f[i].value;
	return NULL;
}

int vg_dpkg_parse_stanzas(const char *buf, size_t len, vg_dpkg_diag *dg,
			  vg_dpkg_stanza_fn fn, void *ctx)
{
	vg_dpkg_stanza st;
	line_cut c = {buf, len, 0, 0};
	vg_span l;
	int in_field = 0, rc = 0;
	st.n = 0;
	for (;;) {
		int more = next_line(&c, dg, &l);
		if (!more || all_blank(l)) {
			if (st.n && (rc = fn(ctx, &st)) != 0)
				return rc;
			st.n = 0;
			in_field = 0;
			if (!more)
				return 0;
			continue;
		}
		if (blank(l.p[0])) {
			if (!in_field) {
				bad(dg, c.no, "continuation line outside a field");
				continue;
			}
			vg_dpkg_field *f = &st.f[st.n - 1];
			f->value.n = (size_t)(l.p + l.n - f->value.p);
			continue;
		}
		in_field = 0;
		if (l.p[0] == '#')
			continue;
		const char *colon = memchr(l.p, ':', l.n);
		if (!colon || colon == l.p) {
			bad(dg, c.no, colon ? "empty field name" : "no ':' in a field line");
			continue;
		}
		size_t nlen = (size_t)(colon - l.p);
		if (memchr(l.p, ' ', nlen) || memchr(l.p, '\t', nlen)) {
			bad(dg, c.no, "blank in a field name");
			continue;
		}
		if (st.n == VG_DPKG_MAX_FIELDS) {
			bad(dg, c.no, "too many fields in one stanza");
			continue;
		}
		const char *v = colon + 1, *end = l.p + l.n;
		while (v < end && blank(*v))
			v++;
		if (!st.n)
			st.line = c.no;
		st.f[st.n++] = (vg_dpkg_field){{l.p, nlen}, {v, (size_t)(end - v)}, c.no};
		in_field = 1;
	}
}

/* The last blank-separated word of s (s trimmed at the right first);
 * s shrinks to what is before it. */
static vg_span last_word(vg_span *s)
{
	while (s->n && blank(s->p[s->n - 1]))
		s->n--;
	size_t i = s->n;
	while (i && !blank(s->p[i - 1]))
		i--;
	vg_span w = {s->p + i, s->n - i};
	s->n = i;
	return w;
}

int vg_dpkg_parse_conffiles(vg_span value, unsigned long line, vg_dpkg_diag *dg,
			    vg_dpkg_conffile_fn fn, void *ctx)
{
	line_cut c = {value.p, value.n, 0, line - 1};
	vg_span l;
	int rc;
	while (next_line(&c, dg, &l)) {
		if (all_blank(l))
			continue;
		vg_dpkg_conffile cf = {0};
		vg_span rest = l, w;
		for (int k = 0; k < 3; k++) {
			w = last_word(&rest);
			if (vg_span_eq(w, "obsolete"))
				cf.obsolete = 1;
			else if (!vg_span_eq(w, "remove-on-upgrade"))
				break;
		}
		if (vg_span_eq(w, "newconffile")) {
			cf.has_md5 = 0;
		} else if (w.n == 32 && vg_unhex(w.p, w.n, cf.md5, 16) == 16) {
			cf.has_md5 = 1;
		} else {
			bad(dg, c.no, "a conffile without an MD5");
			continue;
		}
		while (rest.n && blank(rest.p[0]))
			rest.p++, rest.n--;
		while (rest.n && blank(rest.p[rest.n - 1]))
			rest.n--;
		if (!rest.n || rest.p[0] != '/') {
			bad(dg, c.no, "a conffile path that is not absolute");
			continue;
		}
		cf.path = rest;
		if ((rc = fn(ctx, &cf)) != 0)
			return rc;
	}
	return 0;
}

int vg_dpkg_parse_md5sums(const char *buf, size_t len, vg_dpkg_diag *dg,
			  vg_dpkg_md5_fn fn, void *ctx)
{
	line_cut c = {buf, len, 0, 0};
	vg_span l;
	int rc;
	while (next_line(&c, dg, &l)) {
		if (all_blank(l))
			continue;
		uint8_t md5[16];
		if (l.n < 34 || vg_unhex(l.p, 32, md5, 16) != 16 || !blank(l.p[32])) {
			bad(dg, c.no, "not '<md5>  <path>'");
			continue;
		}
		size_t i = 33;
		while (i < l.n && blank(l.p[i]))
			i++;
		if (i < l.n && l.p[i] == '*' && i == 33) /* md5sum's binary mark */
			i++;
		vg_span path = {l.p + i, l.n - i};
		while (path.n >= 2 && path.p[0] == '.' && path.p[1] == '/')
			path.p += 2, path.n -= 2;
		while (path.n && path.p[0] == '/')
			path.p++, path.n--;
		if (!path.n) {
			bad(dg, c.no, "an MD5 without a path");
			continue;
		}
		if ((rc = fn(ctx, md5, path, c.no)) != 0)
			return rc;
	}
	return 0;
}

int vg_dpkg_parse_list(const char *buf, size_t len, vg_dpkg_diag *dg,
		       vg_dpkg_list_fn fn, void *ctx)
{
	line_cut c = {buf, len, 0, 0};
	vg_span l;
	int rc;
	while (next_line(&c, dg, &l)) {
		if (!l.n)
			continue;
		if (l.p[0] != '/') {
			bad(dg, c.no, "a path that is not absolute");
			continue;
		}
		if ((rc = fn(ctx, l, c.no)) != 0)
			return rc;
	}
	return 0;
}

int vg_dpkg_parse_diversions(const char *buf, size_t len, vg_dpkg_diag *dg,
			     vg_dpkg_divert_fn fn, void *ctx)
{
	line_cut c = {buf, len, 0, 0};
	vg_span t[3];
	int rc;
	for (;;) {
		unsigned long first = c.no + 1;
		int k = 0;
		while (k < 3 && next_line(&c, dg, &t[k]))
			k++;
		if (k == 0)
			return 0;
		if (k < 3) {
			bad(dg, first, "a diversion cut short (three lines each)");
			return 0;
		}
		if (!t[0].n || t[0].p[0] != '/' || !t[1].n || t[1].p[0] != '/' ||
		    !t[2].n) {
			bad(dg, first, "a diversion is an absolute path, an absolute "
				"path and a package");
			continue;
		}
		if ((rc = fn(ctx, t[0], t[1], t[2], first)) != 0)
			return rc;
	}
}
