/* Escaping of untrusted names before they reach a terminal or JSON. */
#ifndef VIGIL_ESCAPE_H
#define VIGIL_ESCAPE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Returns a newly allocated, NUL-terminated copy of the len bytes at s in
 * which control characters, backslash, DEL and bytes that are not part of
 * valid UTF-8 are written as C escapes (\n, \t, \\, \xHH). C1 controls
 * (U+0080..U+009F) and bidirectional formatting characters (U+061C,
 * U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) are written as the \xHH
 * escapes of their UTF-8 bytes (U+202E is "\xe2\x80\xae"). The result is
 * valid UTF-8 and printable. NULL on allocation failure.
 */
char *vigil_escape(const char *s, size_t len);

/*
 * 1 when the len bytes at s hold something a terminal would act on or
 * that is not valid UTF-8 (a C0 control, DEL, a C1 control, a bidi
 * formatting character, an invalid byte), that is, when vigil_escape()
 * changes more than backslashes; 0 otherwise.
 */
int vigil_escape_needed(const char *s, size_t len);

/* vigil_escape() of a NUL-terminated string. */
char *vigil_escape_str(const char *s);

/*
 * For text that is read, not parsed back (an IOC's value and comment, a
 * rule's name and description): only what a terminal acts on or what is
 * not valid UTF-8 is escaped (C0 controls, DEL, C1 controls, bidi
 * formatting characters, invalid bytes as \xHH; \t \n \r by name); a
 * backslash is kept as one, so "C:\Windows" prints as written. Not
 * lossless (a literal "\x1b" and an escaped ESC look alike): paths use
 * vigil_escape(). NULL on allocation failure (and for a NULL s in the
 * _str form).
 */
char *vigil_escape_text(const char *s, size_t len);
char *vigil_escape_text_str(const char *s);

/* 1 when the len bytes at s are valid UTF-8 (RFC 3629: no overlong forms,
 * surrogates or values past U+10FFFF), whatever characters they hold. */
int vigil_utf8_valid(const char *s, size_t len);

/* A copy of the JSON text json in which the C1 controls and bidi
 * formatting characters (valid UTF-8, which JSON writers leave raw) are
 * written as \uXXXX escapes: the same JSON value, nothing a terminal
 * acts on when the text is printed. NULL on allocation failure. */
char *vigil_json_terminal_safe(const char *json);

/* A copy of the len bytes at s with each byte that is not part of valid
 * UTF-8 replaced by U+FFFD; NULL on allocation failure. */
char *vigil_utf8_lossy(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
