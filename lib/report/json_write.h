/*
 * The JSON writers of results (jansson): one function per kind of value,
 * so that the scan's file records, the inspect model and the log hits
 * write a string, a path or a finding the same way. report_json.c builds
 * the public text functions of <vigil/report.h> on them; lib/inspect uses
 * them directly. The CLI cannot include this header (it sees only
 * <vigil/...>) and gets its records as text.
 *
 * The one rule for untrusted text: kept as it is when it is valid UTF-8
 * holding nothing a terminal acts on, escaped with vigil_escape() when
 * vigil_escape_needed() says so (C0, ESC, DEL, C1, bidi, invalid bytes:
 * JSON's \u escapes would come back raw out of `jq -r`), so that readable names stay readable and every record is
 * valid JSON; NULL is written as JSON null. A caller that wants "" for
 * NULL passes "".
 *
 * Every writer returns a new reference, and NULL only when out of memory.
 */
#ifndef VIGIL_REPORT_JSON_WRITE_H
#define VIGIL_REPORT_JSON_WRITE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include <vigil/finding.h>

/* Untrusted text by the rule above. */
json_t *vg_json_text(const char *s);
/* The same for n bytes that need not be NUL-terminated (s may hold NULs). */
json_t *vg_json_textn(const char *s, size_t n);
/* A path: the exact name when it is valid UTF-8 (JSON's escapes carry
 * control characters), else a display form with U+FFFD for each byte
 * that is not UTF-8; null for NULL. */
json_t *vg_json_path(const char *path);
/* key: vg_json_path(path), and, only when path is not valid UTF-8,
 * key_b64: the raw bytes in base64 (lossless). 0, or -1 as vg_json_put. */
int vg_json_put_path(json_t *obj, const char *key, const char *path);
/* Standard base64 (RFC 4648, padded) of n bytes. */
json_t *vg_json_base64(const uint8_t *p, size_t n);
/* Nanoseconds since 1970 as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (UTC, RFC
 * 3339); null when the time cannot be represented. */
json_t *vg_json_time_ns(int64_t ns);
/* Seconds since 1970 as "YYYY-MM-DDTHH:MM:SSZ" (UTC); null when the time
 * cannot be represented. */
json_t *vg_json_time(int64_t t);
/* Lower-case hex of n bytes. */
json_t *vg_json_hex(const uint8_t *p, size_t n);

/* {"kind", "id", "score", "level", "source", "message"[, "evidence"]
 * [, "strings": [{"offset", "id", "data", "length"}]]}: strings by the
 * text rule, level from the score whatever f->level says, evidence only
 * when not NULL, strings only when the finding has matched strings (data:
 * the first bytes kept, by the text rule; length: the whole match's). */
json_t *vg_json_finding(const vigil_finding *f);
/* A new record {"schema": VIGIL_JSON_SCHEMA, "type": type}. */
json_t *vg_json_record(const char *type);

/* Set key in obj to v, stealing v; -1 when v is NULL (a writer ran out of
 * memory) or the set failed, so that callers can OR the results. */
int vg_json_put(json_t *obj, const char *key, json_t *v);
/* Compact JSON text of j, keys in insertion order, no newline; steals j.
 * New string (free()), NULL when out of memory. */
char *vg_json_dump(json_t *j);

#endif
