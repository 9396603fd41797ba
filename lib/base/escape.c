/* Escape untrusted names for terminals and JSON (see include/vigil/escape.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/escape.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid
 * (truncated, overlong, a surrogate, past U+10FFFF); its code point in
 * *cpp. */
static size_t utf8_decode(const unsigned char *s, size_t left, unsigned *cpp)
{
	unsigned char c = s[0];
	size_t n;
	unsigned cp;
	if (c < 0x80) {
		*cpp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	*cpp = cp;
	return n;
}

/* Like utf8_decode, and 0 for what is unsafe on a terminal though valid:
 * C1 controls (U+0080..U+009F) act on terminals, and bidirectional
 * formatting characters reorder what a reader sees (a name that displays
 * as "exe.txt"): both are escaped like invalid bytes. */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
	unsigned cp = 0;
	size_t n = utf8_decode(s, left, &cp);
	if (n == 0 || (n == 2 && cp < 0xA0))
		return 0;
	if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200E || cp == 0x200F || cp == 0x061C)
		return 0;
	return n;
}

int vigil_escape_needed(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq_len(s + i, len - i);
		if (n == 0 || s[i] < 0x20 || s[i] == 0x7F)
			return 1;
		i += n;
	}
	return 0;
}

char *vigil_escape(const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	/* Worst case: every byte becomes \xHH. */
	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	char *out = malloc(len * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = utf8_seq_len(s + i, len - i);
		if (c == '\\') {
			*o++ = '\\';
			*o++ = '\\';
		} else if (c == '\n' || c == '\t' || c == '\r') {
			*o++ = '\\';
			*o++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		} else if (n == 0 || c < 0x20 || c == 0x7F) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			n = 1;
		} else {
			memcpy(o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		i += n ? n : 1;
	}
	*o = '\0';
	return out;
}

char *vigil_escape_str(const char *s)
{
	return vigil_escape(s, strlen(s));
}

int vigil_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

char *vigil_utf8_lossy(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	/* worst case: every byte becomes U+FFFD (3 bytes) */
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(len * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(o, s + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	return out;
}

char *vigil_escape_text(const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	char *out = malloc(len * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = utf8_seq_len(s + i, len - i);
		if (n == 0 || c < 0x20 || c == 0x7F) {
			/* what a terminal acts on, or not UTF-8: as \xHH
			 * (\t, \n, \r by name); a backslash stays one */
			*o++ = '\\';
			if (c == '\n' || c == '\t' || c == '\r') {
				*o++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
			} else {
				*o++ = 'x';
				*o++ = hex[c >> 4];
				*o++ = hex[c & 15];
			}
			i++;
			continue;
		}
		memcpy(o, s + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	return out;
}

char *vigil_escape_text_str(const char *s)
{
	return s ? vigil_escape_text(s, strlen(s)) : NULL;
}

char *vigil_json_terminal_safe(const char *json)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)json;
	size_t len = strlen(json);
	/* worst case: two bytes (a C1 control) become six */
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	char *out = malloc(len * 3 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		unsigned cp;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n >= 2 && utf8_seq_len(s + i, len - i) == 0) {
			/* valid, but a C1 control or a bidi mark: as \uXXXX,
			 * which is only ever inside a JSON string */
			*o++ = '\\';
			*o++ = 'u';
			for (int k = 12; k >= 0; k -= 4)
				*o++ = hex[(cp >> k) & 15];
			i += n;
			continue;
		}
		if (n == 0)
			n = 1; /* not UTF-8: left as it is (jansson never writes it) */
		memcpy(o, s + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	return out;
}
