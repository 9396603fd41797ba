/*
 * A small tokenizer and checker for the subset of the STIX 2.1 patterning
 * language vigil evaluates (see intel.h). One pass over a token stream with
 * a state and two parenthesis counters: no recursion, whatever the input's
 * nesting. Anything outside the subset is named in the reason.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/intel_internal.h"
#include "base/util.h"

enum tok {
	T_END,
	T_LBRACK,
	T_RBRACK,
	T_LPAREN,
	T_RPAREN,
	T_STRING,   /* 'text' (decoded into the lexer's buffer) */
	T_TYPED,    /* h'..', b'..', t'..' */
	T_PATH,     /* object-type:property... (normalised into the buffer) */
	T_WORD,     /* keyword, number, true/false */
	T_OP,       /* = != < <= > >= */
	T_BAD,
};

struct lexer {
	const char *p;
	char *buf; /* token text; as large as the pattern */
	size_t len;
	const char *bad; /* reason for T_BAD */
};

static int is_ident(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/* A quoted string at l->p (on the quote): decoded into buf from *o. */
static int lex_quoted(struct lexer *l, size_t *o, int keep_quotes)
{
	const char *p = l->p + 1;
	if (keep_quotes)
		l->buf[(*o)++] = '\'';
	for (;;) {
		if (!*p) {
			l->bad = "unterminated string";
			return 0;
		}
		if (*p == '\\') {
			if (p[1] != '\'' && p[1] != '\\') {
				l->bad = "bad escape in string (only \\' and \\\\)";
				return 0;
			}
			l->buf[(*o)++] = p[1];
			p += 2;
			continue;
		}
		if (*p == '\'')
			break;
		l->buf[(*o)++] = *p++;
	}
	if (keep_quotes)
		l->buf[(*o)++] = '\'';
	l->p = p + 1;
	return 1;
}

/* object-type ':' then properties: ident, '.', 'quoted', [index]. */
static enum tok lex_path(struct lexer *l, size_t o)
{
	l->buf[o++] = ':';
	l->p++;
	for (;;) {
		unsigned char c = (unsigned char)*l->p;
		if (is_ident(c) || c == '.') {
			l->buf[o++] = (char)tolower(c);
			l->p++;
		} else if (c == '\'') {
			size_t start = o;
			if (!lex_quoted(l, &o, 0))
				return T_BAD;
			for (size_t i = start; i < o; i++)
				l->buf[i] = (char)tolower((unsigned char)l->buf[i]);
		} else if (c == '[') {
			const char *q = l->p + 1;
			while (isdigit((unsigned char)*q) || *q == '*')
				q++;
			if (*q != ']' || q == l->p + 1)
				break; /* not an index: the path ends here */
			while (l->p <= q)
				l->buf[o++] = *l->p++;
		} else {
			break;
		}
	}
	l->buf[o] = '\0';
	l->len = o;
	return T_PATH;
}

static enum tok next(struct lexer *l)
{
	while (*l->p == ' ' || *l->p == '\t' || *l->p == '\r' || *l->p == '\n')
		l->p++;
	unsigned char c = (unsigned char)*l->p;
	size_t o = 0;
	switch (c) {
	case '\0':
		return T_END;
	case '[':
		l->p++;
		return T_LBRACK;
	case ']':
		l->p++;
		return T_RBRACK;
	case '(':
		l->p++;
		return T_LPAREN;
	case ')':
		l->p++;
		return T_RPAREN;
	case '\'':
		if (!lex_quoted(l, &o, 0))
			return T_BAD;
		l->buf[o] = '\0';
		l->len = o;
		return T_STRING;
	case '=':
	case '!':
	case '<':
	case '>':
		l->buf[o++] = *l->p++;
		if (*l->p == '=')
			l->buf[o++] = *l->p++;
		l->buf[o] = '\0';
		if (c == '!' && o == 1) {
			l->bad = "'!' without '='";
			return T_BAD;
		}
		return T_OP;
	default:
		break;
	}
	if (!is_ident(c) && c != '+' && c != '.') {
		l->bad = "unexpected character";
		return T_BAD;
	}
	while (is_ident((unsigned char)*l->p) || *l->p == '+' || *l->p == '.')
		l->buf[o++] = *l->p++;
	l->buf[o] = '\0';
	l->len = o;
	if (*l->p == ':') {
		for (size_t i = 0; i < o; i++)
			l->buf[i] = (char)tolower((unsigned char)l->buf[i]);
		return lex_path(l, o);
	}
	if (*l->p == '\'' && o == 1 && strchr("hbtHBT", l->buf[0])) {
		o = 0;
		if (!lex_quoted(l, &o, 0))
			return T_BAD;
		return T_TYPED;
	}
	return T_WORD;
}

static int word_is(const struct lexer *l, const char *w)
{
	return strcasecmp(l->buf, w) == 0;
}

enum state {
	OBS_START,  /* expect '[' or '(' */
	OBS_AFTER,  /* after ']' or ')': OR, ')', end */
	CMP_START,  /* inside [ ]: expect a path or '(' */
	CMP_OP,     /* after the path */
	CMP_VALUE,  /* after '=' */
	CMP_AFTER,  /* after a value: OR, ')', ']' */
};

/* The reason for a word where an operator joining expressions belongs. */
static const char *joiner_reason(const struct lexer *l)
{
	if (word_is(l, "AND"))
		return "uses AND";
	if (word_is(l, "FOLLOWEDBY"))
		return "uses FOLLOWEDBY";
	if (word_is(l, "WITHIN") || word_is(l, "REPEATS") ||
	    word_is(l, "START") || word_is(l, "STOP"))
		return "uses a qualifier (WITHIN, REPEATS, START/STOP)";
	return NULL;
}

static void set_why(char *why, size_t whylen, const char *what,
		    const struct lexer *l, const char *pat)
{
	snprintf(why, whylen, "%s (at offset %zu)", what, (size_t)(l->p - pat));
}

void vg_stix_cmps_free(struct vg_stix_cmp *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].path);
		free(c[i].value);
	}
	free(c);
}

int vg_stix_pattern(const char *pat, struct vg_stix_cmp **out, size_t *nout,
		    char *why, size_t whylen)
{
	size_t plen = strlen(pat);
	*out = NULL;
	*nout = 0;
	if (plen > VG_STIX_MAX_PATTERN) {
		snprintf(why, whylen, "pattern longer than %d bytes",
			 VG_STIX_MAX_PATTERN);
		return -1;
	}
	struct lexer l = {pat, malloc(plen + 3), 0, NULL};
	struct vg_stix_cmp *cmps = NULL;
	size_t n = 0, cap = 0, obs_depth = 0, cmp_depth = 0;
	char *path = NULL;
	const char *reason = NULL, *malformed = NULL;
	enum state st = OBS_START;
	if (!l.buf) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	while (!reason && !malformed) {
		enum tok t = next(&l);
		if (t == T_BAD) {
			malformed = l.bad;
			break;
		}
		switch (st) {
		case OBS_START:
			if (t == T_LPAREN)
				obs_depth++;
			else if (t == T_LBRACK)
				st = CMP_START;
			else
				malformed = "expected '[' or '('";
			break;
		case CMP_START:
			if (t == T_LPAREN) {
				cmp_depth++;
			} else if (t == T_PATH) {
				free(path);
				if (!(path = vg_strdup(l.buf)))
					reason = "out of memory";
				st = CMP_OP;
			} else if (t == T_WORD && word_is(&l, "NOT")) {
				reason = "uses NOT";
			} else {
				malformed = "expected an object path";
			}
			break;
		case CMP_OP:
			if (t == T_OP && strcmp(l.buf, "=") == 0)
				st = CMP_VALUE;
			else if (t == T_OP || (t == T_WORD &&
					       (word_is(&l, "NOT") || word_is(&l, "LIKE") ||
						word_is(&l, "MATCHES") || word_is(&l, "IN") ||
						word_is(&l, "ISSUBSET") || word_is(&l, "ISSUPERSET"))))
				reason = "uses a comparison other than '='";
			else if (t == T_WORD && word_is(&l, "EXISTS"))
				reason = "uses EXISTS";
			else
				malformed = "expected a comparison operator";
			break;
		case CMP_VALUE:
			if (t == T_STRING) {
				if (n >= VG_STIX_MAX_CMPS) {
					reason = "more than 1024 comparisons";
					break;
				}
				if (!vg_grow(&cmps, &cap, n + 1, sizeof *cmps) ||
				    !(cmps[n].value = vg_strndup(l.buf, l.len))) {
					reason = "out of memory";
					break;
				}
				cmps[n++].path = path;
				path = NULL;
				st = CMP_AFTER;
			} else if (t == T_TYPED || t == T_WORD) {
				reason = "compares with a value that is not a string";
			} else {
				malformed = "expected a value";
			}
			break;
		case CMP_AFTER:
			if (t == T_RPAREN && cmp_depth > 0)
				cmp_depth--;
			else if (t == T_WORD && word_is(&l, "OR"))
				st = CMP_START;
			else if (t == T_RBRACK && cmp_depth == 0)
				st = OBS_AFTER;
			else if (t == T_WORD && joiner_reason(&l))
				reason = joiner_reason(&l);
			else
				malformed = "expected OR, ')' or ']'";
			break;
		case OBS_AFTER:
			if (t == T_END && obs_depth == 0)
				goto done;
			if (t == T_RPAREN && obs_depth > 0)
				obs_depth--;
			else if (t == T_WORD && word_is(&l, "OR"))
				st = OBS_START;
			else if (t == T_WORD && joiner_reason(&l))
				reason = joiner_reason(&l);
			else
				malformed = t == T_END ? "unbalanced parentheses"
						       : "expected OR, ')' or the end";
			break;
		}
		if (t == T_END && !reason && !malformed)
			malformed = "unexpected end of pattern";
	}
	if (malformed) {
		char m[200];
		snprintf(m, sizeof m, "malformed pattern: %s", malformed);
		set_why(why, whylen, m, &l, pat);
	} else {
		char m[200];
		snprintf(m, sizeof m, "pattern %s", reason);
		set_why(why, whylen, m, &l, pat);
	}
	free(path);
	free(l.buf);
	vg_stix_cmps_free(cmps, n);
	return -1;
done:
	free(path);
	free(l.buf);
	*out = cmps;
	*nout = n;
	return 0;
}
