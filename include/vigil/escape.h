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
 * valid UTF-8 are written as C escapes (\n, \t, \\, \xHH). The result is
 * valid UTF-8 and printable. NULL on allocation failure.
 */
char *vigil_escape(const char *s, size_t len);

/* vigil_escape() of a NUL-terminated string. */
char *vigil_escape_str(const char *s);

#ifdef __cplusplus
}
#endif

#endif
