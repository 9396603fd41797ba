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

#ifdef __cplusplus
}
#endif

#endif
