/* The position of a JSON member in its text (see policy_locate.h). */
#include "policy/policy_locate.h"

#include <stdint.h>
#include <string.h>

#include "formats/byteread.h"

/* The byte at i, or 0 past the end (JSON text never holds a NUL byte that
 * matters here: jansson refuses one outside strings). */
static unsigned char at(const char *t, size_t len, size_t i)
{
	return vg_fits(len, i, 1) ? (unsigned char)t[i] : 0;
}

static size_t skip_ws(const char *t, size_t len, size_t i)
{
	for (;;) {
		unsigned char c = at(t, len, i);
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			return i;
		i++;
	}
}

/* i at an opening quote: the index after the closing one. */
static size_t skip_string(const char *t, size_t len, size_t i)
{
	i++;
	while (i < len) {
		unsigned char c = at(t, len, i);
		if (c == '\\')
			i += 2;
		else if (c == '"')
			return i + 1;
		else
			i++;
	}
	return len;
}

/* i at the start of a value: the index after it. Nesting is counted, not
 * recursed into, so depth costs no stack. */
static size_t skip_value(const char *t, size_t len, size_t i)
{
	size_t depth = 0;
	while (i < len) {
		unsigned char c = at(t, len, i);
		if (c == '"') {
			i = skip_string(t, len, i);
			if (depth == 0)
				return i;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return i; /* the end of the enclosing container */
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' ||
					  c == '\n' || c == '\r')) {
			return i; /* the end of a scalar */
		}
		i++;
	}
	return len;
}

/* Follow one step from the value at *i; 1 when done (*i then at the key
 * or element, *val at its value), 0 when the step cannot be followed. */
static int step(const char *t, size_t len, const vg_json_step *s, size_t *i,
		size_t *val)
{
	size_t p = skip_ws(t, len, *i);
	unsigned char open = at(t, len, p);
	if (s->key ? open != '{' : open != '[')
		return 0;
	size_t klen = s->key ? strlen(s->key) : 0;
	p++;
	for (size_t n = 0;; n++) {
		p = skip_ws(t, len, p);
		unsigned char c = at(t, len, p);
		if (c == '}' || c == ']' || c == 0)
			return 0;
		size_t here = p, v = p;
		if (s->key) {
			if (c != '"')
				return 0;
			size_t end = skip_string(t, len, p);
			int same = end - p == klen + 2 && vg_fits(len, p + 1, klen) &&
				   memcmp(t + p + 1, s->key, klen) == 0;
			p = skip_ws(t, len, end);
			if (at(t, len, p) != ':')
				return 0;
			v = skip_ws(t, len, p + 1);
			if (same) {
				*i = here;
				*val = v;
				return 1;
			}
		} else if (n == s->index) {
			*i = here;
			*val = v;
			return 1;
		}
		p = skip_ws(t, len, skip_value(t, len, v));
		if (at(t, len, p) != ',')
			return 0;
		p++;
	}
}

void vg_json_locate(const char *text, size_t len, const vg_json_step *path,
		    size_t depth, unsigned long *line, unsigned long *column)
{
	size_t pos = skip_ws(text, len, 0), val = pos;
	for (size_t d = 0; d < depth; d++) {
		size_t here = val, v;
		if (!step(text, len, &path[d], &here, &v))
			break;
		pos = here;
		val = v;
	}
	unsigned long l = 1, c = 1;
	for (size_t k = 0; k < pos && k < len; k++) {
		if (text[k] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*column = c;
}
