/* Small internal helpers shared by the library's files. */
#ifndef VIGIL_UTIL_H
#define VIGIL_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <vigil/common.h>

/* Overflow-checked size arithmetic (git's st_add/st_mult): 0 on overflow. */
static inline int vg_add_ok(size_t a, size_t b, size_t *out)
{
	if (a > SIZE_MAX - b)
		return 0;
	*out = a + b;
	return 1;
}

/* The capacity vg_grow would pick: cap (8 when 0) doubled until it
 * holds need elements; 0 on overflow. */
size_t vg_grow_size(size_t cap, size_t need);

/* Grow *buf (capacity *cap, element size elem) to hold at least need
 * elements; doubles, returns 0 on overflow or allocation failure. */
int vg_grow(void *buf, size_t *cap, size_t need, size_t elem);

char *vg_strdup(const char *s);
char *vg_strndup(const char *s, size_t n);

/* printf into a new string; NULL on failure. */
char *vg_asprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Report a diagnostic through fn (which may be NULL) with a formatted
 * message. */
void vg_diag(vigil_diag_fn fn, void *ctx, vigil_severity sev,
	     const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Read the regular file open on fd (st: its fstat) into a new
 * NUL-terminated buffer of at most max bytes (a file that grows while read
 * is read on up to max): 0, or an errno value (EFBIG when larger). */
struct stat;
int vg_read_fd(int fd, const struct stat *st, size_t max, char **out,
	       size_t *len);

/* Read a whole file (at most max bytes) into a new NUL-terminated buffer.
 * Returns 0, or an errno value (EFBIG when larger than max). */
int vg_read_file(const char *path, size_t max, char **out, size_t *len);

/* The entries of directory dir, dot files left out, as "dir/name" paths,
 * sorted so that results do not depend on directory order. Returns 0, or
 * an errno value (opendir's, or ENOMEM). Free with vg_free_list(). */
int vg_list_dir(const char *dir, char ***out, size_t *n);
void vg_free_list(char **list, size_t n);

/* Hex encode n bytes into out (2n+1 bytes). */
void vg_hex(const uint8_t *in, size_t n, char *out);

/* Decode hex (either case) into out; returns bytes written or 0 if the
 * string is not even-length hex of at most max bytes. */
size_t vg_unhex(const char *s, size_t slen, uint8_t *out, size_t max);

/* Seconds on a monotonic clock. */
double vg_now(void);

#endif
