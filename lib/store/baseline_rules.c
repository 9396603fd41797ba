/*
 * The baseline's selection rules (docs/cli.md "Baseline rules"): one rule
 * a line, "GLOB ATTRS" to include what the glob matches (and everything
 * below it) with that attribute set, "!GLOB" to leave it out; '#' starts
 * a comment; the last rule that matches a path decides. The text is the
 * operator's, but it is also kept in the store and read back, so the
 * parser works on a counted buffer and refuses NULs; fuzzed by
 * fuzz/fuzz_baseline_rules.c.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/escape.h>

#include "base/util.h"
#include "store/baseline_internal.h"

struct attr_name {
	const char *name;
	unsigned bits;
};

static const struct attr_name attr_names[] = {
	{"p", VG_BA_PERM}, {"i", VG_BA_INODE}, {"n", VG_BA_NLINK},
	{"u", VG_BA_UID}, {"g", VG_BA_GID}, {"s", VG_BA_SIZE},
	{"m", VG_BA_MTIME}, {"c", VG_BA_CTIME}, {"l", VG_BA_LINK},
	{"sha256", VG_BA_SHA256}, {"xattrs", VG_BA_XATTRS}, {"acl", VG_BA_ACL},
	{"caps", VG_BA_CAPS},
	/* groups */
	{"R", VG_BA_ALL},
	{"L", VG_BA_PERM | VG_BA_INODE | VG_BA_NLINK | VG_BA_UID | VG_BA_GID |
		      VG_BA_LINK | VG_BA_ANY_XATTR},
	{"E", 0},
};

int vg_battrs_parse(const char *s, size_t len, unsigned *out, const char **bad,
		    size_t *badlen)
{
	unsigned set = 0;
	size_t i = 0;
	int sign = '+';
	if (len == 0) {
		*bad = s;
		*badlen = 0;
		return -1;
	}
	while (i <= len) {
		size_t j = i;
		while (j < len && s[j] != '+' && s[j] != '-')
			j++;
		const struct attr_name *a = NULL;
		for (size_t k = 0; k < sizeof attr_names / sizeof *attr_names; k++)
			if (strlen(attr_names[k].name) == j - i &&
			    memcmp(attr_names[k].name, s + i, j - i) == 0)
				a = &attr_names[k];
		if (!a) {
			*bad = s + i;
			*badlen = j - i;
			return -1;
		}
		set = sign == '+' ? set | a->bits : set & ~a->bits;
		if (j == len)
			break;
		sign = s[j];
		i = j + 1;
	}
	*out = set;
	return 0;
}

void vg_battrs_text(unsigned attrs, char *out, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return;
	out[0] = '\0';
	if (attrs == 0) {
		if (cap > 1)
			memcpy(out, "E", 2);
		return;
	}
	for (size_t k = 0; k < sizeof attr_names / sizeof *attr_names; k++) {
		unsigned b = attr_names[k].bits;
		if (b == 0 || (b & (b - 1)) || !(attrs & b))
			continue; /* groups and unset bits */
		size_t l = strlen(attr_names[k].name);
		if (o + l + 2 > cap)
			return;
		if (o)
			out[o++] = '+';
		memcpy(out + o, attr_names[k].name, l);
		o += l;
		out[o] = '\0';
	}
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The end of a token starting at i: whitespace not escaped by '\\'. */
static size_t token_end(const char *s, size_t i, size_t end)
{
	while (i < end && !is_space(s[i])) {
		if (s[i] == '\\' && i + 1 < end)
			i++;
		i++;
	}
	return i;
}

static int has_wildcard(const char *g)
{
	for (; *g; g++) {
		if (*g == '\\' && g[1]) {
			g++;
			continue;
		}
		if (*g == '*' || *g == '?' || *g == '[')
			return 1;
	}
	return 0;
}

/* The glob without its escapes (for a literal glob and for roots). */
static char *unescape(const char *g, size_t n)
{
	char *o = malloc(n + 1);
	size_t k = 0;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (g[i] == '\\' && i + 1 < n)
			i++;
		o[k++] = g[i];
	}
	o[k] = '\0';
	return o;
}

/* One line [s, end): 0 nothing (blank, comment), 1 a rule, -1 malformed. */
static int parse_line(const char *s, size_t end, const char *file, unsigned long line,
		      vigil_diag_fn diag, void *ctx, vg_brule *r)
{
	size_t i = 0;
	while (i < end && is_space(s[i]))
		i++;
	if (i == end || s[i] == '#')
		return 0;
	int exclude = s[i] == '!';
	if (exclude)
		i++;
	if (i == end || s[i] != '/') {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, file, line,
			"a rule starts with an absolute path glob ('/usr' or '!/var/log')");
		return -1;
	}
	size_t ge = token_end(s, i, end);
	size_t glen = ge - i;
	while (glen > 1 && s[i + glen - 1] == '/')
		glen--; /* "/usr/" is "/usr" */
	size_t a = ge;
	while (a < end && is_space(s[a]))
		a++;
	size_t ae = a < end && s[a] != '#' ? token_end(s, a, end) : a;
	size_t rest = ae;
	while (rest < end && is_space(s[rest]))
		rest++;
	if (rest < end && s[rest] != '#') {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, file, line,
			"unexpected text after the attribute set (a space in a glob needs a backslash before it)");
		return -1;
	}
	unsigned attrs = 0;
	if (exclude && ae > a) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, file, line,
			"an exclusion ('!') takes no attribute set");
		return -1;
	}
	if (!exclude) {
		const char *bad;
		size_t badlen;
		if (ae == a) {
			vg_diag(diag, ctx, VIGIL_DIAG_ERROR, file, line,
				"missing attribute set after the glob (e.g. 'R')");
			return -1;
		}
		if (vg_battrs_parse(s + a, ae - a, &attrs, &bad, &badlen)) {
			char *t = vg_strndup(bad, badlen > 64 ? 64 : badlen);
			char *e = t ? vigil_escape_str(t) : NULL;
			vg_diag(diag, ctx, VIGIL_DIAG_ERROR, file, line,
				"unknown attribute '%s' (p i n u g s m c l sha256 xattrs acl caps, groups R L E, joined by + and -)",
				e ? e : "");
			free(e);
			free(t);
			return -1;
		}
	}
	r->glob = vg_strndup(s + i, glen);
	if (!r->glob)
		return -1;
	r->exclude = exclude;
	r->attrs = attrs;
	r->line = line;
	r->literal = !has_wildcard(r->glob);
	if (r->literal) {
		char *u = unescape(r->glob, strlen(r->glob));
		if (!u) {
			free(r->glob);
			return -1;
		}
		free(r->glob);
		r->glob = u;
	}
	return 1;
}

int vg_brules_parse(const char *text, size_t len, const char *file,
		    vigil_diag_fn diag, void *ctx, vg_brules *out)
{
	size_t cap = 0, i = 0;
	unsigned long line = 0;
	int bad = 0;
	out->r = NULL;
	out->n = 0;
	while (i < len) {
		size_t e = i;
		while (e < len && text[e] != '\n')
			e++;
		line++;
		if (memchr(text + i, '\0', e - i)) {
			vg_diag(diag, ctx, VIGIL_DIAG_ERROR, file, line, "a NUL byte in the rules");
			bad = 1;
		} else {
			vg_brule r;
			int rc = parse_line(text + i, e - i, file, line, diag, ctx, &r);
			if (rc < 0)
				bad = 1;
			else if (rc > 0) {
				if (!vg_grow(&out->r, &cap, out->n + 1, sizeof *out->r)) {
					free(r.glob);
					bad = 1;
					break;
				}
				out->r[out->n++] = r;
			}
		}
		i = e + 1;
	}
	if (!bad && out->n == 0) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, file, line, "no rule in the file");
		bad = 1;
	}
	if (bad) {
		vg_brules_free(out);
		return -1;
	}
	return 0;
}

void vg_brules_free(vg_brules *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->r[i].glob);
	free(rs->r);
	rs->r = NULL;
	rs->n = 0;
}

/* Does rule r match path or a directory above it? */
static int rule_matches(const vg_brule *r, const char *path)
{
	if (r->literal) {
		size_t l = strlen(r->glob);
		if (l == 1 && r->glob[0] == '/')
			return path[0] == '/';
		return strncmp(path, r->glob, l) == 0 && (path[l] == '\0' || path[l] == '/');
	}
	if (fnmatch(r->glob, path, FNM_PATHNAME) == 0)
		return 1;
	size_t n = strlen(path);
	char buf[4096];
	if (n >= sizeof buf)
		return 0;
	memcpy(buf, path, n + 1);
	for (size_t k = n; k > 1; k--) {
		if (buf[k - 1] != '/' && buf[k] == '/') {
			buf[k] = '\0';
			if (fnmatch(r->glob, buf, FNM_PATHNAME) == 0)
				return 1;
		}
	}
	return 0;
}

int vg_brules_match(const vg_brules *rs, const char *path, unsigned *attrs)
{
	for (size_t i = rs->n; i-- > 0;) {
		if (!rule_matches(&rs->r[i], path))
			continue;
		if (rs->r[i].exclude)
			return 0;
		*attrs = rs->r[i].attrs;
		return 1;
	}
	return -1;
}

static int below(const char *p, const char *root)
{
	size_t l = strlen(root);
	if (l == 1 && root[0] == '/')
		return 1;
	return strncmp(p, root, l) == 0 && (p[l] == '\0' || p[l] == '/');
}

int vg_brules_roots(const vg_brules *rs, char ***out, size_t *n)
{
	char **roots = NULL;
	size_t cap = 0, k = 0;
	for (size_t i = 0; i < rs->n; i++) {
		if (rs->r[i].exclude)
			continue;
		const char *g = rs->r[i].glob;
		char *root;
		if (rs->r[i].literal) {
			root = vg_strdup(g);
		} else {
			/* up to the last '/' before the first wildcard */
			size_t last = 0;
			for (size_t j = 0; g[j]; j++) {
				if (g[j] == '\\' && g[j + 1]) {
					j++;
					continue;
				}
				if (g[j] == '*' || g[j] == '?' || g[j] == '[')
					break;
				if (g[j] == '/')
					last = j;
			}
			root = last == 0 ? vg_strdup("/") : unescape(g, last);
		}
		if (!root || !vg_grow(&roots, &cap, k + 1, sizeof *roots)) {
			free(root);
			vg_free_list(roots, k);
			return -1;
		}
		roots[k++] = root;
	}
	/* leave out roots inside another, and duplicates */
	size_t w = 0;
	for (size_t i = 0; i < k; i++) {
		int inside = 0;
		for (size_t j = 0; j < k && !inside; j++)
			if (j != i && roots[j] && below(roots[i], roots[j]) &&
			    (strcmp(roots[i], roots[j]) != 0 || j < i))
				inside = 1;
		if (inside) {
			free(roots[i]);
			roots[i] = NULL;
		}
	}
	for (size_t i = 0; i < k; i++)
		if (roots[i])
			roots[w++] = roots[i];
	*out = roots;
	*n = w;
	return 0;
}
