/* Byte sources for the log scanner (see logsource.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "source/logsource.h"

#define IN_SIZE (256u << 10)
/* zstd frames asking for a larger window are refused: memory stays bounded */
#define ZSTD_WINDOW_LOG_MAX 27

enum dec { DEC_PLAIN, DEC_GZIP, DEC_ZSTD };

struct vg_logsource {
	int fd;
	const uint8_t *mem;
	size_t memlen, mempos;
	enum dec dec;
	uint8_t *in;
	size_t inlen, inpos;
	int in_eof, done;
	z_stream z;
	int z_init, z_member_done;
	ZSTD_DCtx *zd;
	size_t zret; /* last ZSTD_decompressStream result: 0 at a frame end */
	char err[160];
};

/* Raw bytes into the input buffer; returns 0 at end, -1 on error. */
static long raw_fill(vg_logsource *s)
{
	if (s->inpos == s->inlen)
		s->inpos = s->inlen = 0;
	if (s->inlen == IN_SIZE || s->in_eof)
		return 0;
	size_t room = IN_SIZE - s->inlen;
	if (s->fd < 0) {
		size_t n = s->memlen - s->mempos < room ? s->memlen - s->mempos : room;
		memcpy(s->in + s->inlen, s->mem + s->mempos, n);
		s->mempos += n;
		s->inlen += n;
		if (!n)
			s->in_eof = 1;
		return (long)n;
	}
	for (;;) {
		ssize_t n = read(s->fd, s->in + s->inlen, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(s->err, sizeof s->err, "read error: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			s->in_eof = 1;
		s->inlen += (size_t)n;
		return (long)n;
	}
}

vg_logsource *vg_logsource_open(int fd, const void *mem, size_t len)
{
	vg_logsource *s = calloc(1, sizeof *s);
	if (!s || !(s->in = malloc(IN_SIZE))) {
		free(s);
		return NULL;
	}
	s->fd = fd;
	s->mem = mem;
	s->memlen = len;
	/* enough bytes to see a magic number */
	while (s->inlen < 4 && !s->in_eof) {
		if (raw_fill(s) < 0)
			return s; /* the error shows on the first read */
	}
	if (s->inlen >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		s->dec = DEC_GZIP;
		if (inflateInit2(&s->z, 15 + 32) != Z_OK) {
			vg_logsource_close(s);
			return NULL;
		}
		s->z_init = 1;
	} else if (s->inlen >= 4 && s->in[0] == 0x28 && s->in[1] == 0xb5 &&
		   s->in[2] == 0x2f && s->in[3] == 0xfd) {
		s->dec = DEC_ZSTD;
		if (!(s->zd = ZSTD_createDCtx()) ||
		    ZSTD_isError(ZSTD_DCtx_setParameter(s->zd, ZSTD_d_windowLogMax,
							ZSTD_WINDOW_LOG_MAX))) {
			vg_logsource_close(s);
			return NULL;
		}
	}
	return s;
}

void vg_logsource_close(vg_logsource *s)
{
	if (!s)
		return;
	if (s->z_init)
		inflateEnd(&s->z);
	ZSTD_freeDCtx(s->zd);
	free(s->in);
	free(s);
}

const char *vg_logsource_error(const vg_logsource *s)
{
	return s->err[0] ? s->err : "unknown error";
}

const char *vg_logsource_kind(const vg_logsource *s)
{
	return s->dec == DEC_GZIP ? "gzip" : s->dec == DEC_ZSTD ? "zstd" : "plain";
}

static long read_plain(vg_logsource *s, uint8_t *dst, size_t cap)
{
	if (s->inpos < s->inlen) {
		size_t n = s->inlen - s->inpos < cap ? s->inlen - s->inpos : cap;
		memcpy(dst, s->in + s->inpos, n);
		s->inpos += n;
		return (long)n;
	}
	if (s->in_eof)
		return 0;
	if (s->fd < 0) {
		size_t n = s->memlen - s->mempos < cap ? s->memlen - s->mempos : cap;
		memcpy(dst, s->mem + s->mempos, n);
		s->mempos += n;
		return (long)n;
	}
	for (;;) {
		ssize_t n = read(s->fd, dst, cap);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(s->err, sizeof s->err, "read error: %s", strerror(errno));
			return -1;
		}
		return (long)n;
	}
}

static long read_gzip(vg_logsource *s, uint8_t *dst, size_t cap)
{
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	for (;;) {
		if (s->inpos == s->inlen && raw_fill(s) < 0)
			return -1;
		if (s->inpos == s->inlen) {
			if (!s->z_member_done) {
				snprintf(s->err, sizeof s->err, "truncated gzip data");
				return -1;
			}
			return 0;
		}
		if (s->z_member_done) {
			/* another member follows (concatenated gzip files) */
			inflateReset(&s->z);
			s->z_member_done = 0;
		}
		s->z.next_in = s->in + s->inpos;
		s->z.avail_in = (uInt)(s->inlen - s->inpos);
		s->z.next_out = dst;
		s->z.avail_out = (uInt)cap;
		int r = inflate(&s->z, Z_NO_FLUSH);
		s->inpos = s->inlen - s->z.avail_in;
		size_t got = cap - s->z.avail_out;
		if (r == Z_STREAM_END)
			s->z_member_done = 1;
		else if (r != Z_OK && r != Z_BUF_ERROR) {
			snprintf(s->err, sizeof s->err, "corrupt gzip data: %s",
				 s->z.msg ? s->z.msg : "inflate failed");
			return -1;
		}
		if (got)
			return (long)got;
	}
}

static long read_zstd(vg_logsource *s, uint8_t *dst, size_t cap)
{
	for (;;) {
		if (s->inpos == s->inlen && raw_fill(s) < 0)
			return -1;
		if (s->inpos == s->inlen) {
			if (s->zret != 0) {
				snprintf(s->err, sizeof s->err, "truncated zstd data");
				return -1;
			}
			return 0;
		}
		ZSTD_inBuffer in = {s->in, s->inlen, s->inpos};
		ZSTD_outBuffer out = {dst, cap, 0};
		size_t r = ZSTD_decompressStream(s->zd, &out, &in);
		s->inpos = in.pos;
		if (ZSTD_isError(r)) {
			snprintf(s->err, sizeof s->err, "corrupt zstd data: %s",
				 ZSTD_getErrorName(r));
			return -1;
		}
		s->zret = r;
		if (out.pos)
			return (long)out.pos;
	}
}

long vg_logsource_read(vg_logsource *s, uint8_t *dst, size_t cap)
{
	if (s->err[0])
		return -1;
	if (cap > (size_t)1 << 30)
		cap = (size_t)1 << 30;
	switch (s->dec) {
	case DEC_GZIP:
		return read_gzip(s, dst, cap);
	case DEC_ZSTD:
		return read_zstd(s, dst, cap);
	default:
		return read_plain(s, dst, cap);
	}
}
