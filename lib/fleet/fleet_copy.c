/* COPY's text format, written for the rows a push sends. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/escape.h>

#include "base/util.h"
#include "fleet/fleet_internal.h"

static void put(struct vg_copybuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (!vg_grow(&b->p, &b->cap, b->n + n + 1, 1)) {
		b->oom = 1;
		return;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void put_escaped(struct vg_copybuf *b, const char *s, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		const char *e = NULL;
		switch (s[i]) {
		case '\\': e = "\\\\"; break;
		case '\t': e = "\\t"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		default: continue;
		}
		put(b, s + run, i - run);
		put(b, e, 2);
		run = i + 1;
	}
	put(b, s + run, len - run);
}

void vg_copy_text(struct vg_copybuf *b, const char *s, int utf8, char sep)
{
	if (!s)
		s = "";
	size_t len = strlen(s);
	if (utf8 && vigil_escape_needed(s, len)) {
		char *e = vigil_escape(s, len);
		if (!e)
			b->oom = 1;
		else
			put_escaped(b, e, strlen(e));
		free(e);
	} else {
		put_escaped(b, s, len);
	}
	put(b, &sep, 1);
}

void vg_copy_bytea(struct vg_copybuf *b, const char *s, size_t len, char sep)
{
	static const char hex[] = "0123456789abcdef";
	put(b, "\\\\x", 3);
	char chunk[256];
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		chunk[k++] = hex[c >> 4];
		chunk[k++] = hex[c & 15];
		if (k == sizeof chunk) {
			put(b, chunk, k);
			k = 0;
		}
	}
	put(b, chunk, k);
	put(b, &sep, 1);
}

void vg_copy_int(struct vg_copybuf *b, long long v, char sep)
{
	char t[32];
	int n = snprintf(t, sizeof t, "%lld%c", v, sep);
	put(b, t, (size_t)n);
}

void vg_copy_null(struct vg_copybuf *b, char sep)
{
	put(b, "\\N", 2);
	put(b, &sep, 1);
}

void vg_copy_free(struct vg_copybuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}
