#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

size_t vg_grow_size(size_t cap, size_t need)
{
	size_t ncap = cap ? cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return 0;
		ncap *= 2;
	}
	return ncap;
}

int vg_grow(void *bufp, size_t *cap, size_t need, size_t elem)
{
	void **buf = bufp;
	if (need <= *cap)
		return 1;
	size_t ncap = vg_grow_size(*cap, need);
	if (!ncap || ncap > SIZE_MAX / elem)
		return 0;
	void *nb = realloc(*buf, ncap * elem);
	if (!nb)
		return 0;
	*buf = nb;
	*cap = ncap;
	return 1;
}

char *vg_strdup(const char *s)
{
	return s ? vg_strndup(s, strlen(s)) : NULL;
}

char *vg_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *vg_vasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *vg_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = vg_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void vg_diag(vigil_diag_fn fn, void *ctx, vigil_severity sev,
	     const char *file, unsigned long line, const char *fmt, ...)
{
	if (!fn)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = vg_vasprintf(fmt, ap);
	va_end(ap);
	vigil_diag d = {sev, file, line, msg ? msg : "out of memory"};
	fn(ctx, &d);
	free(msg);
}

int vg_read_fd(int fd, const struct stat *st, size_t max, char **out,
	       size_t *len)
{
	if ((uint64_t)st->st_size > max)
		return EFBIG;
	/* one byte more than the size: a file that grew shows */
	size_t cap = (size_t)st->st_size + 2, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return ENOMEM;
	for (;;) {
		if (n + 1 == cap) {
			if (cap > max || !vg_grow(&buf, &cap, cap + 1, 1)) {
				int e = cap > max ? EFBIG : ENOMEM;
				free(buf);
				return e;
			}
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return EFBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int vg_read_file(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return errno;
	struct stat st;
	int e = 0;
	if (fstat(fd, &st) != 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
	else
		e = vg_read_fd(fd, &st, max, out, len);
	close(fd);
	return e;
}

void vg_hex(const uint8_t *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t vg_unhex(const char *s, size_t slen, uint8_t *out, size_t max)
{
	if (slen % 2 || slen / 2 > max)
		return 0;
	for (size_t i = 0; i < slen / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return slen / 2;
}

double vg_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vg_list_dir(const char *dir, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno;
	char **names = NULL;
	size_t len = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = vg_asprintf("%s/%s", dir, e->d_name);
		if (!p || !vg_grow(&names, &cap, len + 1, sizeof *names)) {
			free(p);
			rc = ENOMEM;
			break;
		}
		names[len++] = p;
	}
	closedir(d);
	if (rc) {
		vg_free_list(names, len);
		return rc;
	}
	if (len > 1)
		qsort(names, len, sizeof *names, path_cmp);
	*out = names;
	*n = len;
	return 0;
}

void vg_free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
