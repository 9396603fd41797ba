/*
 * Rule spans and required first bytes from YARA source text (see
 * rules_split.h). Only a small part of YARA's grammar is read: enough to
 * find where each rule starts and ends and to recognise top-level
 * conjuncts `uintN(0) == V` (or `V == uintN(0)`) and `filesize < N` (or
 * <=, or the operands swapped) of its condition. Whatever
 * is not understood keeps the rule, or the whole text: a rule may only be
 * left out when it provably cannot match.
 */
#include <stdlib.h>
#include <string.h>

#include "rules/rules_split.h"
#include "base/util.h"

enum tok_kind { T_EOF, T_IDENT, T_NUM, T_STR, T_REGEX, T_PUNCT, T_BAD };

struct tok {
	enum tok_kind kind;
	size_t off, len;
};

struct lexer {
	const char *s;
	size_t len, pos;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skip white space and comments; 0 on an unterminated block comment. */
static int skip_blank(struct lexer *lx)
{
	const char *s = lx->s;
	for (;;) {
		while (lx->pos < lx->len && is_space(s[lx->pos]))
			lx->pos++;
		if (lx->pos + 1 >= lx->len || s[lx->pos] != '/')
			return 1;
		if (s[lx->pos + 1] == '/') {
			while (lx->pos < lx->len && s[lx->pos] != '\n')
				lx->pos++;
		} else if (s[lx->pos + 1] == '*') {
			size_t i = lx->pos + 2;
			while (i + 1 < lx->len && !(s[i] == '*' && s[i + 1] == '/'))
				i++;
			if (i + 1 >= lx->len)
				return 0;
			lx->pos = i + 2;
		} else {
			return 1;
		}
	}
}

/* A quoted string or a regular expression: up to the unescaped closing
 * delimiter on the same line (YARA's lexer does not treat '[' in a regular
 * expression specially either). */
static int skip_delimited(struct lexer *lx, char close)
{
	for (size_t i = lx->pos + 1; i < lx->len; i++) {
		char c = lx->s[i];
		if (c == '\n')
			return 0;
		if (c == '\\') {
			i++;
			continue;
		}
		if (c == close) {
			lx->pos = i + 1;
			return 1;
		}
	}
	return 0;
}

static struct tok next_tok(struct lexer *lx)
{
	struct tok t = {T_BAD, lx->pos, 0};
	if (!skip_blank(lx))
		return t;
	const char *s = lx->s;
	size_t p = lx->pos;
	t.off = p;
	if (p >= lx->len) {
		t.kind = T_EOF;
		return t;
	}
	char c = s[p];
	if (is_alpha(c) ||
	    ((c == '$' || c == '#' || c == '@' || c == '!') &&
	     (p + 1 >= lx->len || s[p + 1] != '='))) {
		/* identifiers, and string references such as $a, #a, @a[1], $a* */
		p++;
		while (p < lx->len && (is_alpha(s[p]) || is_digit(s[p]) || s[p] == '*'))
			p++;
		t.kind = T_IDENT;
	} else if (is_digit(c)) {
		while (p < lx->len && (is_alpha(s[p]) || is_digit(s[p])))
			p++;
		t.kind = T_NUM;
	} else if (c == '"' || c == '/') {
		if (!skip_delimited(lx, c))
			return t;
		if (c == '/')
			while (lx->pos < lx->len && is_alpha(s[lx->pos]))
				lx->pos++; /* flags: i, s */
		t.kind = c == '"' ? T_STR : T_REGEX;
		t.len = lx->pos - t.off;
		return t;
	} else {
		static const char two[][3] = {"==", "!=", "<=", ">=", "<<", ">>"};
		p++;
		for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
			if (p < lx->len && c == two[i][0] && s[p] == two[i][1]) {
				p++;
				break;
			}
		t.kind = T_PUNCT;
	}
	t.len = p - t.off;
	lx->pos = p;
	return t;
}

/* A hex string `{ 4D 5A [2-4] ( 90 | 00 ) }`, which may hold comments;
 * the lexer stands just after its '{'. */
static int skip_hex(struct lexer *lx)
{
	for (;;) {
		if (!skip_blank(lx) || lx->pos >= lx->len)
			return 0;
		char c = lx->s[lx->pos++];
		if (c == '}')
			return 1;
		if (c == '{' || c == '"')
			return 0;
	}
}

static int tok_is(const char *s, struct tok t, const char *word)
{
	size_t n = strlen(word);
	return t.len == n && memcmp(s + t.off, word, n) == 0;
}

static int punct_is(const char *s, struct tok t, const char *p)
{
	return t.kind == T_PUNCT && tok_is(s, t, p);
}

/* An integer literal as YARA writes one (decimal or 0x hex; the KB and MB
 * suffixes are left out: not needed here). 0 if not one. */
static int parse_int(const char *s, struct tok t, uint64_t *out)
{
	const char *p = s + t.off;
	size_t n = t.len, i = 0;
	unsigned base = 10;
	uint64_t v = 0;
	if (t.kind != T_NUM)
		return 0;
	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < n; i++) {
		unsigned d;
		char c = p[i];
		if (is_digit(c))
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return 0;
		if (v > (UINT64_MAX - d) / base)
			return 0;
		v = v * base + d;
	}
	*out = v;
	return 1;
}

/* `uintN(0) == V` or `V == uintN(0)`: the bytes the file starts with. */
static unsigned magic_test(const char *s, const struct tok *t, size_t n,
			   uint8_t out[4])
{
	static const struct {
		const char *name;
		unsigned width, big;
	} fns[] = {{"uint8", 1, 0},   {"uint16", 2, 0},   {"uint32", 4, 0},
		   {"uint8be", 1, 1}, {"uint16be", 2, 1}, {"uint32be", 4, 1}};
	if (n != 6)
		return 0;
	const struct tok *call, *value;
	if (punct_is(s, t[4], "==")) {
		call = t;
		value = &t[5];
	} else if (punct_is(s, t[1], "==")) {
		value = t;
		call = &t[2];
	} else {
		return 0;
	}
	uint64_t off, v;
	if (call[0].kind != T_IDENT || !punct_is(s, call[1], "(") ||
	    !parse_int(s, call[2], &off) || off != 0 ||
	    !punct_is(s, call[3], ")") || !parse_int(s, *value, &v))
		return 0;
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		if (!tok_is(s, call[0], fns[i].name))
			continue;
		unsigned w = fns[i].width;
		if (w < 8 && v >> (8 * w) != 0)
			return 0; /* never equal: leave such oddities alone */
		for (unsigned b = 0; b < w; b++)
			out[b] = (uint8_t)(v >> (8 * (fns[i].big ? w - 1 - b : b)));
		return w;
	}
	return 0;
}

/* A size literal: an integer, or decimal digits with YARA's KB or MB
 * suffix. Bounded far below YARA's int64 so that no arithmetic here or
 * there wraps. 0 if not one. */
static int parse_size(const char *s, struct tok t, uint64_t *out)
{
	uint64_t unit = 1, v;
	if (t.kind == T_NUM && t.len > 2 && s[t.off + t.len - 1] == 'B' &&
	    (s[t.off + t.len - 2] == 'K' || s[t.off + t.len - 2] == 'M')) {
		unit = s[t.off + t.len - 2] == 'K' ? 1u << 10 : 1u << 20;
		t.len -= 2;
		for (size_t i = 0; i < t.len; i++)
			if (!is_digit(s[t.off + i]))
				return 0;
	}
	if (!parse_int(s, t, &v) || v > (UINT64_C(1) << 40))
		return 0;
	*out = v * unit;
	return 1;
}

/* `filesize < N`, `filesize <= N`, `N > filesize` or `N >= filesize`: the
 * size a file must stay below. 0 if not one. */
static uint64_t size_test(const char *s, const struct tok *t, size_t n)
{
	const struct tok *num;
	int strict;
	if (n != 3)
		return 0;
	if (t[0].kind == T_IDENT && tok_is(s, t[0], "filesize") &&
	    (punct_is(s, t[1], "<") || punct_is(s, t[1], "<="))) {
		num = &t[2];
		strict = punct_is(s, t[1], "<");
	} else if (t[2].kind == T_IDENT && tok_is(s, t[2], "filesize") &&
		   (punct_is(s, t[1], ">") || punct_is(s, t[1], ">="))) {
		num = &t[0];
		strict = punct_is(s, t[1], ">");
	} else {
		return 0;
	}
	uint64_t v;
	if (!parse_size(s, *num, &v))
		return 0;
	return strict ? v : v + 1;
}

static int is_open(const char *s, struct tok t)
{
	return punct_is(s, t, "(") || punct_is(s, t, "[");
}

static int is_close(const char *s, struct tok t)
{
	return punct_is(s, t, ")") || punct_is(s, t, "]");
}

/* match[i]: for an opening bracket at i, the index of its closing one.
 * 0 when the brackets do not balance. */
static int match_brackets(const char *s, const struct tok *t, size_t n,
			  size_t *match)
{
	size_t *stack = malloc((n ? n : 1) * sizeof *stack), depth = 0;
	int ok = stack != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		match[i] = i;
		if (is_open(s, t[i])) {
			stack[depth++] = i;
		} else if (is_close(s, t[i])) {
			if (depth == 0 || s[t[stack[depth - 1]].off] != (s[t[i].off] == ')' ? '(' : '['))
				ok = 0;
			else
				match[stack[--depth]] = i;
		}
	}
	free(stack);
	return ok && depth == 0;
}

/*
 * A condition t[*lo..*hi) as a chain of top-level `and`s: the parentheses
 * around the whole are dropped (*lo, *hi move in). -1: a top-level `or`
 * (nothing is required of every match); 0: one conjunct; 1: a chain.
 */
static int and_chain(const char *s, const struct tok *t, const size_t *match,
		     size_t *lo, size_t *hi)
{
	while (*hi - *lo >= 2 && punct_is(s, t[*lo], "(") && match[*lo] == *hi - 1) {
		++*lo;
		--*hi;
	}
	int split = 0;
	for (size_t i = *lo; i < *hi; i = (is_open(s, t[i]) ? match[i] : i) + 1) {
		if (t[i].kind == T_IDENT && tok_is(s, t[i], "or"))
			return -1;
		split |= t[i].kind == T_IDENT && tok_is(s, t[i], "and");
	}
	return split;
}

/*
 * The first bytes a condition t[lo..hi) requires: found in any conjunct of
 * a chain of top-level `and`s (and binds tighter than or, so a top-level
 * `or` ends the search), looking inside parentheses. 0: none known.
 */
static unsigned required_prefix(const char *s, const struct tok *t,
				const size_t *match, size_t lo, size_t hi,
				uint8_t out[4], int depth_left)
{
	if (depth_left == 0)
		return 0;
	int split = and_chain(s, t, match, &lo, &hi);
	if (split < 0)
		return 0;
	if (!split)
		return magic_test(s, t + lo, hi - lo, out);
	size_t from = lo;
	for (size_t i = lo; i <= hi; i = (i < hi && is_open(s, t[i]) ? match[i] : i) + 1) {
		if (i == hi || (t[i].kind == T_IDENT && tok_is(s, t[i], "and"))) {
			unsigned got = required_prefix(s, t, match, from, i, out,
						       depth_left - 1);
			if (got)
				return got;
			from = i + 1;
		}
	}
	return 0;
}

/*
 * The size a file must stay below for a condition t[lo..hi) to hold: the
 * smallest bound of a `filesize < N` conjunct of its chain of top-level
 * `and`s, looking inside parentheses as required_prefix() does. 0: none.
 */
static uint64_t required_below(const char *s, const struct tok *t,
			       const size_t *match, size_t lo, size_t hi,
			       int depth_left)
{
	if (depth_left == 0)
		return 0;
	int split = and_chain(s, t, match, &lo, &hi);
	if (split < 0)
		return 0;
	if (!split)
		return size_test(s, t + lo, hi - lo);
	uint64_t best = 0;
	size_t from = lo;
	for (size_t i = lo; i <= hi; i = (i < hi && is_open(s, t[i]) ? match[i] : i) + 1) {
		if (i == hi || (t[i].kind == T_IDENT && tok_is(s, t[i], "and"))) {
			uint64_t got = required_below(s, t, match, from, i, depth_left - 1);
			if (got && (!best || got < best))
				best = got;
			from = i + 1;
		}
	}
	return best;
}

void vg_rule_list_free(struct vg_rule_list *l)
{
	free(l->rules);
	free(l->idents);
	memset(l, 0, sizeof *l);
}

/* The body of a rule, the lexer just past its '{': up to the closing '}'.
 * Condition tokens go to *cond; their identifiers to l->idents. */
static int parse_body(struct lexer *lx, struct vg_rule_list *l,
		      struct tok **cond, size_t *ncond, size_t *condcap)
{
	const char *s = lx->s;
	int in_cond = 0;
	*ncond = 0;
	for (;;) {
		struct tok t = next_tok(lx);
		if (t.kind == T_EOF || t.kind == T_BAD)
			return 0;
		if (punct_is(s, t, "}"))
			return 1;
		if (punct_is(s, t, "{")) {
			/* braces only start hex strings, which conditions lack */
			if (in_cond || !skip_hex(lx))
				return 0;
			continue;
		}
		if (!in_cond && t.kind == T_IDENT && tok_is(s, t, "condition")) {
			struct tok colon = next_tok(lx);
			if (!punct_is(s, colon, ":"))
				return 0;
			in_cond = 1;
			continue;
		}
		if (!in_cond)
			continue;
		if (!vg_grow(cond, condcap, *ncond + 1, sizeof **cond))
			return -1;
		(*cond)[(*ncond)++] = t;
		if (t.kind == T_IDENT) {
			if (!vg_grow(&l->idents, &l->identcap, l->nidents + 1,
				     sizeof *l->idents))
				return -1;
			l->idents[l->nidents++] = (struct vg_text_ref){t.off, t.len};
		}
	}
}

/* One rule; t is its `rule` keyword, start where its modifiers begin. */
static int parse_rule(struct lexer *lx, struct vg_rule_list *l, size_t start,
		      int global, struct tok **cond, size_t *condcap)
{
	const char *s = lx->s;
	struct tok name = next_tok(lx);
	if (name.kind != T_IDENT)
		return 0;
	struct tok t = next_tok(lx);
	if (punct_is(s, t, ":")) /* tags */
		do
			t = next_tok(lx);
		while (t.kind == T_IDENT);
	if (!punct_is(s, t, "{"))
		return 0;
	size_t ncond;
	int rc = parse_body(lx, l, cond, &ncond, condcap);
	if (rc != 1)
		return rc;
	if (ncond == 0)
		return 0; /* no condition: not YARA */
	if (!vg_grow(&l->rules, &l->cap, l->n + 1, sizeof *l->rules))
		return -1;
	struct vg_rule_span *r = &l->rules[l->n++];
	memset(r, 0, sizeof *r);
	r->start = start;
	r->end = lx->pos;
	r->name_off = name.off;
	r->name_len = name.len;
	r->global = global;
	size_t *match = malloc(ncond * sizeof *match);
	if (!match)
		return -1;
	/* the depth cap bounds recursion on hostile nesting */
	if (match_brackets(s, *cond, ncond, match)) {
		r->prefix_len = required_prefix(s, *cond, match, 0, ncond, r->prefix, 64);
		r->below = required_below(s, *cond, match, 0, ncond, 64);
	}
	free(match);
	return 1;
}

int vg_rules_parse(const char *text, size_t len, struct vg_rule_list *out)
{
	memset(out, 0, sizeof *out);
	if (memchr(text, '\0', len))
		return 0;
	struct lexer lx = {text, len, 0};
	struct tok *cond = NULL;
	size_t condcap = 0, start = 0;
	int global = 0, mods = 0, rc = 1;
	while (rc == 1) {
		struct tok t = next_tok(&lx);
		if (t.kind == T_EOF) {
			if (mods)
				rc = 0;
			break;
		}
		if (t.kind != T_IDENT) {
			rc = 0;
		} else if (tok_is(text, t, "import") && !mods) {
			if (next_tok(&lx).kind != T_STR)
				rc = 0;
		} else if (tok_is(text, t, "global") || tok_is(text, t, "private")) {
			if (!mods++)
				start = t.off;
			global |= tok_is(text, t, "global");
		} else if (tok_is(text, t, "rule")) {
			rc = parse_rule(&lx, out, mods ? start : t.off, global, &cond,
					&condcap);
			mods = global = 0;
		} else {
			rc = 0; /* include, or anything else */
		}
	}
	free(cond);
	return rc;
}

static const struct {
	const char *bytes;
	unsigned len;
} magic[] = {
	[VIGIL_FILE_MZ] = {"MZ", 2},
	[VIGIL_FILE_ELF] = {"\x7f" "ELF", 4},
};

vigil_file_class vigil_file_class_of(const void *data, size_t len)
{
	for (int c = 0; c < VIGIL_FILE_OTHER; c++)
		if (len >= magic[c].len && memcmp(data, magic[c].bytes, magic[c].len) == 0)
			return (vigil_file_class)c;
	return VIGIL_FILE_OTHER;
}

int vg_file_class_allows(vigil_file_class c, const uint8_t *prefix, unsigned len)
{
	if (c < VIGIL_FILE_OTHER) {
		unsigned n = len < magic[c].len ? len : magic[c].len;
		return memcmp(prefix, magic[c].bytes, n) == 0;
	}
	/* some file starts with prefix and with no magic: unless a magic is
	 * itself a prefix of it, prefix alone is such a file */
	for (int m = 0; m < VIGIL_FILE_OTHER; m++)
		if (magic[m].len <= len && memcmp(prefix, magic[m].bytes, magic[m].len) == 0)
			return 0;
	return 1;
}

int vg_rule_removable(const char *text, const struct vg_rule_span *r,
		      vigil_file_class c, uint64_t min_size,
		      int (*referenced)(const char *name, size_t len, void *ctx),
		      void *ctx)
{
	int impossible = (r->prefix_len > 0 &&
			  !vg_file_class_allows(c, r->prefix, r->prefix_len)) ||
			 (r->below > 0 && r->below <= min_size);
	return !r->global && impossible &&
	       !referenced(text + r->name_off, r->name_len, ctx);
}

void vg_rule_blank(char *text, const struct vg_rule_span *r)
{
	for (size_t i = r->start; i < r->end; i++)
		if (text[i] != '\n')
			text[i] = ' ';
}

/* Does a condition identifier of l that text still holds unblanked
 * spell name? */
static int module_used(const char *text, const struct vg_rule_list *l,
		       const char *name, size_t n)
{
	for (size_t i = 0; i < l->nidents; i++)
		if (l->idents[i].len == n && memcmp(text + l->idents[i].off, name, n) == 0)
			return 1;
	return 0;
}

/* `import "name"` at p, name a plain identifier: its length, else 0;
 * *name_off and *name_len say where the name is. */
static size_t import_at(const char *text, size_t len, size_t p,
			size_t *name_off, size_t *name_len)
{
	size_t q = p + 6;
	if (len - p < 6 || memcmp(text + p, "import", 6) != 0 ||
	    (p > 0 && (is_alpha(text[p - 1]) || is_digit(text[p - 1]))))
		return 0;
	while (q < len && (text[q] == ' ' || text[q] == '\t'))
		q++;
	if (q == p + 6 || q >= len || text[q] != '"')
		return 0;
	size_t a = ++q;
	while (q < len && (is_alpha(text[q]) || is_digit(text[q])))
		q++;
	if (q == a || q >= len || text[q] != '"')
		return 0;
	*name_off = a;
	*name_len = q - a;
	return q + 1 - p;
}

unsigned vg_blank_unused_imports(char *text, size_t len,
				 const struct vg_rule_list *l)
{
	unsigned blanked = 0;
	size_t from = 0;
	/* imports stand between rules: look only outside the rule spans */
	for (size_t k = 0; k <= l->n; k++) {
		size_t to = k < l->n ? l->rules[k].start : len;
		for (size_t p = from; p < to; p++) {
			size_t off, n, span = import_at(text, to, p, &off, &n);
			if (!span || module_used(text, l, text + off, n))
				continue;
			memset(text + p, ' ', span);
			blanked++;
			p += span - 1;
		}
		if (k < l->n)
			from = l->rules[k].end;
	}
	return blanked;
}
