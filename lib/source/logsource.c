/* Byte sources for the log scanner (see logsource.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <archive.h>
#include <archive_entry.h>

#include "source/logsource.h"

#define IN_SIZE (256u << 10)
/* zstd frames asking for a larger window are refused: memory stays bounded */
#define ZSTD_WINDOW_LOG_MAX 27

enum dec { DEC_PLAIN, DEC_GZIP, DEC_ZSTD, DEC_ARCHIVE };

/* bytes looked at to tell a compression */
#define PEEK 16

/*
 * Compressed and archive formats by their first bytes. gzip and zstd have
 * their own readers above; the others go through libarchive's filters,
 * and one libarchive cannot decode here is an error, not text.
 */
static const struct {
	const char *name;
	const char *magic;
	size_t len;
} packed[] = {
	{"xz", "\xfd" "7zXZ\0", 6},
	{"bzip2", "BZh", 3},
	{"lz4", "\x04\x22\x4d\x18", 4},
	{"lz4 (legacy)", "\x02\x21\x4c\x18", 4},
	{"lzip", "LZIP", 4},
	{"lzma", "\x5d\0\0", 3},
	{"compress (.Z)", "\x1f\x9d", 2},
	{"lzop", "\x89LZO\0\r\n\x1a\n", 9},
	{"lrzip", "LRZI", 4},
	{"grzip", "GRZipII", 7},
	/* archives: several files, not one log */
	{"7-Zip archive", "7z\xbc\xaf\x27\x1c", 6},
	{"RAR archive", "Rar!\x1a\x07", 6},
	{"zip archive", "PK\x03\x04", 4},
};

/*
 * libarchive's filters that decode in the process. A filter that would
 * run an external program instead (lrzip, grzip, lzop without liblzo2 on
 * Debian 12: archive_read_support_filter_*() returns ARCHIVE_WARN) is
 * left out: a log scanner does not start programs on hostile input.
 */
static int (*const filters[])(struct archive *) = {
	archive_read_support_filter_bzip2, archive_read_support_filter_compress,
	archive_read_support_filter_gzip,  archive_read_support_filter_lzip,
	archive_read_support_filter_lzma,  archive_read_support_filter_xz,
	archive_read_support_filter_lz4,   archive_read_support_filter_zstd,
	archive_read_support_filter_lzop,  archive_read_support_filter_lrzip,
	archive_read_support_filter_grzip,
};
#define NFILTERS (sizeof filters / sizeof filters[0])
static int in_process[NFILTERS];
static pthread_once_t filters_once = PTHREAD_ONCE_INIT;

static void probe_filters(void)
{
	for (size_t i = 0; i < NFILTERS; i++) {
		struct archive *a = archive_read_new();
		in_process[i] = a && filters[i](a) == ARCHIVE_OK;
		archive_read_free(a);
	}
}

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
	struct archive *ar;
	const char *packed; /* the compression the magic says, or NULL */
	int unsupported;    /* packed in a form not read here */
	char err[256];
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

/* libarchive's read callback: the bytes of the input buffer, then more */
static la_ssize_t archive_in(struct archive *a, void *ctx, const void **buf)
{
	vg_logsource *s = ctx;
	if (s->inpos == s->inlen && raw_fill(s) < 0) {
		archive_set_error(a, EIO, "%s", s->err);
		s->err[0] = '\0'; /* libarchive's message is reported instead */
		return -1;
	}
	*buf = s->in + s->inpos;
	size_t n = s->inlen - s->inpos;
	s->inpos = s->inlen;
	return (la_ssize_t)n;
}

/* What the first bytes say: 0 plain, 1 packed (s->packed set). */
static int tell_packed(vg_logsource *s)
{
	for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++)
		if (s->inlen >= packed[i].len &&
		    memcmp(s->in, packed[i].magic, packed[i].len) == 0) {
			/* bzip2: "BZh" and the block size digit */
			if (packed[i].magic[0] == 'B' &&
			    (s->inlen < 4 || s->in[3] < '1' || s->in[3] > '9'))
				continue;
			s->packed = packed[i].name;
			return 1;
		}
	return 0;
}

static void unsupported(vg_logsource *s, const char *why)
{
	s->unsupported = 1;
	snprintf(s->err, sizeof s->err, "compressed (%s), which vigil cannot read%s%s",
		 s->packed, why ? ": " : "", why ? why : "");
}

/* A stream of libarchive's filters, read as one raw entry. */
static int open_archive(vg_logsource *s)
{
	pthread_once(&filters_once, probe_filters);
	if (!(s->ar = archive_read_new()))
		return -1;
	for (size_t i = 0; i < NFILTERS; i++)
		if (in_process[i] && filters[i](s->ar) != ARCHIVE_OK)
			return -1;
	if (archive_read_support_format_raw(s->ar) != ARCHIVE_OK)
		return -1;
	struct archive_entry *e;
	if (archive_read_open(s->ar, s, NULL, archive_in, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(s->ar, &e) != ARCHIVE_OK) {
		if (!s->err[0])
			unsupported(s, archive_error_string(s->ar));
		return 0;
	}
	/* no filter took it: libarchive has no in-process decoder for it */
	if (archive_filter_code(s->ar, 0) == ARCHIVE_FILTER_NONE)
		unsupported(s, strstr(s->packed, "archive") ? "an archive, not one log"
			    : "no decoder without an external program");
	return 0;
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
	while (s->inlen < PEEK && !s->in_eof) {
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
	} else if (tell_packed(s)) {
		s->dec = DEC_ARCHIVE;
		if (open_archive(s) < 0) {
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
	archive_read_free(s->ar);
	free(s->in);
	free(s);
}

int vg_logsource_unsupported(const vg_logsource *s)
{
	return s->unsupported;
}

const char *vg_logsource_error(const vg_logsource *s)
{
	return s->err[0] ? s->err : "unknown error";
}

const char *vg_logsource_kind(const vg_logsource *s)
{
	return s->dec == DEC_GZIP ? "gzip" : s->dec == DEC_ZSTD ? "zstd"
	     : s->dec == DEC_ARCHIVE ? s->packed : "plain";
}

static long read_archive(vg_logsource *s, uint8_t *dst, size_t cap)
{
	la_ssize_t r = archive_read_data(s->ar, dst, cap);
	if (r < 0) {
		if (!s->err[0])
			snprintf(s->err, sizeof s->err, "corrupt %s data: %s", s->packed,
				 archive_error_string(s->ar) ? archive_error_string(s->ar)
							      : "read failed");
		return -1;
	}
	return (long)r;
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
	case DEC_ARCHIVE:
		return read_archive(s, dst, cap);
	default:
		return read_plain(s, dst, cap);
	}
}
