/* The JSON writers of results (see json_write.h). */
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <stdio.h>
#include <time.h>

#include <openssl/evp.h>

#include <vigil/escape.h>

#include "base/util.h"
#include "report/json_write.h"

json_t *vg_json_textn(const char *s, size_t n)
{
	if (!s)
		return json_null();
	/* readable text is kept as it is; JSON's own \u escapes are not
	 * enough for the rest, because `jq -r` turns "\u001b" back into a
	 * raw ESC, and jansson refuses invalid UTF-8 anyway */
	if (!vigil_escape_needed(s, n))
		return json_stringn(s, n);
	char *e = vigil_escape(s, n);
	json_t *j = e ? json_string(e) : NULL;
	free(e);
	return j;
}

json_t *vg_json_text(const char *s)
{
	return s ? vg_json_textn(s, strlen(s)) : json_null();
}

json_t *vg_json_path(const char *path)
{
	if (!path)
		return json_null();
	size_t n = strlen(path);
	/* the exact name: JSON's escapes carry every control character */
	if (vigil_utf8_valid(path, n))
		return json_stringn(path, n);
	char *e = vigil_utf8_lossy(path, n);
	json_t *j = e ? json_string(e) : NULL;
	free(e);
	return j;
}

json_t *vg_json_base64(const uint8_t *p, size_t n)
{
	if (n > (size_t)INT_MAX / 4 * 3 - 3)
		return NULL;
	unsigned char *s = malloc((n + 2) / 3 * 4 + 1);
	if (!s)
		return NULL;
	EVP_EncodeBlock(s, p, (int)n);
	json_t *j = json_string((const char *)s);
	free(s);
	return j;
}

int vg_json_put_path(json_t *obj, const char *key, const char *path)
{
	int bad = vg_json_put(obj, key, vg_json_path(path));
	if (!path || vigil_utf8_valid(path, strlen(path)))
		return bad;
	char k[64];
	if (snprintf(k, sizeof k, "%s_b64", key) >= (int)sizeof k)
		return -1;
	return bad | vg_json_put(obj, k, vg_json_base64((const uint8_t *)path,
							strlen(path)));
}

json_t *vg_json_time_ns(int64_t ns)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) {
		sec--;
		frac += 1000000000;
	}
	time_t tt = (time_t)sec;
	struct tm tm;
	char buf[48], date[32];
	if ((int64_t)tt != sec || !gmtime_r(&tt, &tm) ||
	    !strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm))
		return json_null();
	snprintf(buf, sizeof buf, "%s.%09ldZ", date, (long)frac);
	return json_string(buf);
}

json_t *vg_json_time(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];
	if ((int64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(buf);
}

json_t *vg_json_hex(const uint8_t *p, size_t n)
{
	if (n > (SIZE_MAX - 1) / 2)
		return NULL;
	char *s = malloc(2 * n + 1);
	if (!s)
		return NULL;
	vg_hex(p, n, s);
	json_t *j = json_string(s);
	free(s);
	return j;
}

int vg_json_put(json_t *obj, const char *key, json_t *v)
{
	/* jansson drops v itself when obj is NULL or the set fails */
	return v && json_object_set_new(obj, key, v) == 0 ? 0 : -1;
}

json_t *vg_json_finding(const vigil_finding *f)
{
	json_t *o = json_object();
	/* the level from the score, not f->level: producers that leave it
	 * unset still get the right name */
	int bad = vg_json_put(o, "kind", vg_json_text(f->kind));
	bad |= vg_json_put(o, "id", vg_json_text(f->id));
	bad |= vg_json_put(o, "score", json_integer(f->score));
	bad |= vg_json_put(o, "level",
			   json_string(vigil_level_name(vigil_score_level(f->score))));
	bad |= vg_json_put(o, "source", vg_json_text(f->source));
	bad |= vg_json_put(o, "message", vg_json_text(f->message));
	if (f->evidence)
		bad |= vg_json_put(o, "evidence", vg_json_text(f->evidence));
	if (f->nstrings) {
		/* like `yara -s`: offset, identifier, the bytes as text */
		json_t *a = json_array();
		for (size_t i = 0; a && i < f->nstrings; i++) {
			const vigil_string_match *sm = &f->strings[i];
			json_t *m = json_object();
			int b = vg_json_put(m, "offset", json_integer((json_int_t)sm->offset));
			b |= vg_json_put(m, "id", vg_json_text(sm->identifier));
			b |= vg_json_put(m, "data", vg_json_textn((const char *)sm->data,
								 sm->data_len));
			b |= vg_json_put(m, "length", json_integer((json_int_t)sm->length));
			if (b || json_array_append_new(a, m) != 0) {
				json_decref(a);
				a = NULL;
			}
		}
		bad |= vg_json_put(o, "strings", a);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *vg_json_record(const char *type)
{
	json_t *rec = json_object();
	int bad = vg_json_put(rec, "schema", json_integer(VIGIL_JSON_SCHEMA));
	bad |= vg_json_put(rec, "type", json_string(type));
	if (bad) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

char *vg_json_dump(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(j);
	if (!s)
		return NULL;
	/* json_dumps allocates with jansson's allocator, which a program
	 * may have replaced; the API promises a string for free() */
	char *out = vigil_json_terminal_safe(s);
	json_free_t jfree;
	json_get_alloc_funcs(NULL, &jfree);
	jfree(s);
	return out;
}
