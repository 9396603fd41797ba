/*
 * libarchive's formats as one container reader (container.h): zip (and
 * what is zip inside: NuGet, JAR/APK, wheels, OOXML), tar (plain or behind
 * gzip, bzip2, xz, lzip, zstd, lz4, compress), cpio, ar (so Debian .deb),
 * rpm, 7z, CAB, xar (macOS flat .pkg), ISO 9660 and RAR; and a lone
 * compressed file as a container of one nameless member (libarchive's raw
 * format).
 *
 * The probe goes by magic bytes only, never by name; ELF, PE, Mach-O and
 * text are never claimed, but for a PE that ends in a zip end record (a
 * self-extracting zip whose offsets count from the PE's start). Bytes reach libarchive through read, skip and
 * seek callbacks on the vg_blob, so that zip's central directory and 7z's
 * trailing header are read the same from memory (zero copy) and from a
 * file descriptor (pread). Only the filters that decode in the process are
 * enabled: no external program is ever started.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "containers/container.h"

#define CHUNK (128u << 10)

struct arc {
	struct archive *a;
	vg_blob src;
	uint64_t off;
	uint8_t *buf; /* fd sources only */
	int raw;      /* the raw format: one nameless member */
	int empty;    /* that member is the synthesised empty one */
	int empty_done;
	/* the current member's data block (arc_read) */
	const uint8_t *blk;
	size_t blk_len;
	uint64_t blk_off, pos, base;
	int first_block;
	uint64_t sparse_size; /* a sparse member's size: a hole at its end
			       * (after the last block) is read as zeros */
};

/* ---- probe ---- */

static int at(const uint8_t *h, size_t n, size_t off, const char *magic,
	      size_t len)
{
	return n >= off + len && memcmp(h + off, magic, len) == 0;
}

/* A tar header: "ustar" at 257, or an old-style header whose checksum
 * field (octal, at 148) is the sum of its bytes with that field as
 * spaces. */
static int is_tar(const uint8_t *h, size_t n)
{
	if (n < 512)
		return 0;
	if (at(h, n, 257, "ustar", 5))
		return 1;
	if (!h[0])
		return 0;
	unsigned long want = 0;
	int digits = 0;
	for (size_t i = 148; i < 156; i++) {
		if (h[i] >= '0' && h[i] <= '7') {
			want = want * 8 + (unsigned long)(h[i] - '0');
			digits++;
		} else if (h[i] == ' ' || h[i] == '\0') {
			if (digits)
				break;
		} else {
			return 0;
		}
	}
	if (!digits)
		return 0;
	unsigned long sum = 0;
	for (size_t i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

/* Old binary cpio: a 2-byte magic alone would claim too much, so the
 * first header's name (namesize at 20, the name after the 26 bytes) must
 * fit and end with its NUL. */
static int is_binary_cpio(const uint8_t *h, size_t n)
{
	if (n < 28)
		return 0;
	unsigned ns;
	if (h[0] == 0xc7 && h[1] == 0x71)
		ns = h[20] | (unsigned)h[21] << 8;
	else if (h[0] == 0x71 && h[1] == 0xc7)
		ns = (unsigned)h[20] << 8 | h[21];
	else
		return 0;
	return ns >= 2 && ns <= 4096 && 26 + ns <= n && h[26 + ns - 1] == '\0';
}

/* The compressions libarchive's filters decode (gzip, bzip2, xz, lzip,
 * zstd, lz4 frame and legacy, compress). */
static int is_compressed(const uint8_t *h, size_t n)
{
	return at(h, n, 0, "\x1f\x8b", 2) || at(h, n, 0, "BZh", 3) ||
	       at(h, n, 0, "\xfd" "7zXZ\0", 6) || at(h, n, 0, "LZIP", 4) ||
	       at(h, n, 0, "\x28\xb5\x2f\xfd", 4) ||
	       at(h, n, 0, "\x04\x22\x4d\x18", 4) ||
	       at(h, n, 0, "\x02\x21\x4c\x18", 4) || at(h, n, 0, "\x1f\x9d", 2);
}

/* A self-extracting zip whose offsets count from the file's first byte
 * (`zip -A`): a PE whose last 22 bytes are a zip end record without
 * comment. libarchive's seekable zip reader finds the archive from that
 * record; the PE-overlay reader hands such a file on as "[overlay].zip". */
static int is_sfx_zip(const vg_blob *src, const uint8_t *h, size_t n)
{
	uint8_t t[22];
	size_t got = 0;
	if (!at(h, n, 0, "MZ", 2) || src->size < 64 + sizeof t ||
	    vg_blob_pread(src, t, sizeof t, src->size - sizeof t, &got) != 0 ||
	    got != sizeof t)
		return 0;
	return memcmp(t, "PK\x05\x06", 4) == 0 && t[20] == 0 && t[21] == 0;
}

static int probe(const vg_blob *src, const uint8_t *h, size_t n,
		 const char *name)
{
	(void)name;
	if (is_sfx_zip(src, h, n))
		return 1;
	if (at(h, n, 0, "PK\x03\x04", 4) || at(h, n, 0, "PK\x05\x06", 4) ||
	    at(h, n, 0, "PK\x07\x08", 4))
		return 1; /* zip */
	if (at(h, n, 0, "7z\xbc\xaf\x27\x1c", 6) || at(h, n, 0, "MSCF\0\0\0\0", 8) ||
	    at(h, n, 0, "xar!", 4) || at(h, n, 0, "!<arch>\n", 8) ||
	    at(h, n, 0, "\xed\xab\xee\xdb", 4) || at(h, n, 0, "Rar!\x1a\x07", 6))
		return 1; /* 7z, CAB, xar, ar, rpm, RAR 4 and 5 */
	if (at(h, n, 0, "070707", 6) || at(h, n, 0, "070701", 6) ||
	    at(h, n, 0, "070702", 6) || is_binary_cpio(h, n))
		return 1; /* cpio: odc, newc, crc, binary */
	if (at(h, n, 0x8001, "CD001", 5) || at(h, n, 0x8801, "CD001", 5) ||
	    at(h, n, 0x9001, "CD001", 5))
		return 1; /* ISO 9660 */
	return is_compressed(h, n) || is_tar(h, n);
}

/* ---- callbacks ---- */

static la_ssize_t cb_read(struct archive *a, void *ctx, const void **out)
{
	struct arc *s = ctx;
	if (s->off >= s->src.size)
		return 0;
	uint64_t left = s->src.size - s->off;
	if (s->src.mem) {
		size_t n = left > (1u << 30) ? (1u << 30) : (size_t)left;
		*out = s->src.mem + s->off;
		s->off += n;
		return (la_ssize_t)n;
	}
	size_t got = 0;
	int e = vg_blob_pread(&s->src, s->buf, CHUNK, s->off, &got);
	if (e) {
		archive_set_error(a, e, "read error at offset %llu: %s",
				  (unsigned long long)s->off, strerror(e));
		return -1;
	}
	s->off += got;
	*out = s->buf;
	return (la_ssize_t)got;
}

static la_int64_t cb_seek(struct archive *a, void *ctx, la_int64_t off,
			  int whence)
{
	struct arc *s = ctx;
	(void)a;
	int64_t base = whence == SEEK_SET ? 0
		       : whence == SEEK_CUR ? (int64_t)s->off
					    : (int64_t)s->src.size;
	int64_t to = base + off;
	if (to < 0)
		return ARCHIVE_FATAL;
	s->off = (uint64_t)to > s->src.size ? s->src.size : (uint64_t)to;
	return (la_int64_t)s->off;
}

static la_int64_t cb_skip(struct archive *a, void *ctx, la_int64_t n)
{
	struct arc *s = ctx;
	(void)a;
	if (n <= 0)
		return 0;
	uint64_t left = s->src.size - s->off;
	uint64_t k = (uint64_t)n > left ? left : (uint64_t)n;
	s->off += k;
	return (la_int64_t)k;
}

/* ---- the reader ---- */

static int (*const filters[])(struct archive *) = {
	archive_read_support_filter_bzip2, archive_read_support_filter_compress,
	archive_read_support_filter_gzip,  archive_read_support_filter_lzip,
	archive_read_support_filter_xz,    archive_read_support_filter_lz4,
	archive_read_support_filter_zstd,  archive_read_support_filter_rpm,
};

#define NFILTERS (sizeof filters / sizeof filters[0])

/* A filter that would run an external program (libarchive built without
 * its library) answers ARCHIVE_WARN and stays registered: such filters
 * are found once on a scratch handle and never enabled. */
static pthread_once_t filters_once = PTHREAD_ONCE_INIT;
static int in_process[NFILTERS];

static void probe_filters(void)
{
	for (size_t i = 0; i < NFILTERS; i++) {
		struct archive *a = archive_read_new();
		in_process[i] = a && filters[i](a) == ARCHIVE_OK;
		archive_read_free(a);
	}
}

static int (*const formats[])(struct archive *) = {
	archive_read_support_format_zip,     archive_read_support_format_tar,
	archive_read_support_format_cpio,    archive_read_support_format_ar,
	archive_read_support_format_7zip,    archive_read_support_format_cab,
	archive_read_support_format_xar,     archive_read_support_format_iso9660,
	archive_read_support_format_rar,     archive_read_support_format_rar5,
	archive_read_support_format_raw,
	/* a compressed stream of no bytes (an empty file gzipped): raw bids
	 * only on data, empty does: read as one empty nameless member */
	archive_read_support_format_empty,
};

static void arc_close(void *st)
{
	struct arc *s = st;
	if (!s)
		return;
	archive_read_free(s->a);
	free(s->buf);
	free(s);
}

static void set_err(char err[VG_C_ERRLEN], struct archive *a, const char *what)
{
	const char *e = a ? archive_error_string(a) : NULL;
	snprintf(err, VG_C_ERRLEN, "%s%s%s", what, e ? ": " : "", e ? e : "");
}

static void *arc_open(const vg_blob *src, char err[VG_C_ERRLEN])
{
	struct arc *s = calloc(1, sizeof *s);
	if (!s || !(s->a = archive_read_new()) ||
	    (!src->mem && !(s->buf = malloc(CHUNK)))) {
		snprintf(err, VG_C_ERRLEN, "out of memory");
		arc_close(s);
		return NULL;
	}
	s->src = *src;
	pthread_once(&filters_once, probe_filters);
	for (size_t i = 0; i < NFILTERS; i++)
		if (in_process[i])
			(void)filters[i](s->a);
	for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
		(void)formats[i](s->a);
	archive_read_set_read_callback(s->a, cb_read);
	archive_read_set_seek_callback(s->a, cb_seek);
	archive_read_set_skip_callback(s->a, cb_skip);
	archive_read_set_callback_data(s->a, s);
	if (archive_read_open1(s->a) != ARCHIVE_OK) {
		set_err(err, s->a, "unable to open the archive");
		arc_close(s);
		return NULL;
	}
	return s;
}

static vg_member_type type_of(struct archive_entry *e)
{
	if (archive_entry_hardlink(e))
		return VG_MEMBER_HARDLINK;
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		return VG_MEMBER_FILE;
	case AE_IFDIR:
		return VG_MEMBER_DIR;
	case AE_IFLNK:
		return VG_MEMBER_SYMLINK;
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
	case AE_IFSOCK:
		return VG_MEMBER_DEVICE;
	case 0:
		return VG_MEMBER_FILE; /* formats without type bits */
	default:
		return VG_MEMBER_OTHER;
	}
}

static int arc_next(void *st, vg_member *m, char err[VG_C_ERRLEN])
{
	struct arc *s = st;
	struct archive_entry *e;
	int r;
	if (s->empty_done)
		return VG_C_END; /* libarchive is at its end already */
	do
		r = archive_read_next_header(s->a, &e);
	while (r == ARCHIVE_RETRY);
	if (r == ARCHIVE_EOF && !s->empty_done &&
	    archive_format(s->a) == ARCHIVE_FORMAT_EMPTY &&
	    archive_filter_count(s->a) > 1) {
		/* compressed nothing: like raw, one member, here of 0 bytes */
		s->empty_done = s->raw = s->empty = 1;
		memset(m, 0, sizeof *m);
		s->blk = NULL;
		s->blk_len = 0;
		s->blk_off = s->pos = s->base = 0;
		m->name = "";
		m->nameless = 1;
		m->size = 0;
		m->type = VG_MEMBER_FILE;
		m->mtime = VG_MTIME_UNKNOWN;
		return VG_C_OK;
	}
	if (r == ARCHIVE_EOF)
		return VG_C_END;
	if (r == ARCHIVE_FATAL) {
		set_err(err, s->a, "damaged archive");
		return VG_C_FATAL;
	}
	memset(m, 0, sizeof *m);
	s->blk = NULL;
	s->blk_len = 0;
	s->blk_off = s->pos = s->base = 0;
	s->first_block = 1;
	s->sparse_size = archive_entry_sparse_count(e) > 0 && archive_entry_size_is_set(e) &&
				 archive_entry_size(e) > 0
			 ? (uint64_t)archive_entry_size(e)
			 : 0;
	s->raw = archive_format(s->a) == ARCHIVE_FORMAT_RAW;
	const char *name = archive_entry_pathname(e);
	if (!name)
		name = archive_entry_pathname_utf8(e);
	m->name = name ? name : "";
	m->nameless = s->raw;
	m->size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e)
					       : VG_SIZE_UNKNOWN;
	if (archive_entry_size_is_set(e) && archive_entry_size(e) < 0)
		m->size = VG_SIZE_UNKNOWN;
	m->mode = (uint32_t)archive_entry_mode(e);
	m->mtime = archive_entry_mtime_is_set(e) ? (int64_t)archive_entry_mtime(e)
						 : VG_MTIME_UNKNOWN;
	m->type = type_of(e);
	if (m->type == VG_MEMBER_HARDLINK)
		m->link = archive_entry_hardlink(e);
	else if (m->type == VG_MEMBER_SYMLINK)
		m->link = archive_entry_symlink(e);
	m->encrypted = archive_entry_is_encrypted(e) != 0;
	if (r == ARCHIVE_FAILED) {
		set_err(err, s->a, "damaged member header");
		return VG_C_DAMAGED;
	}
	return VG_C_OK;
}

/*
 * Bytes come from archive_read_data_block(), which says where each block
 * lies in the member; a gap before a block is a hole of a sparse member,
 * read as zeros (as archive_read_data() would). xar is the exception: its
 * reader gives offsets counted from the start of the archive's heap, not
 * of the member, so there the first block's offset is the member's 0.
 */
static int next_block(struct arc *s, char err[VG_C_ERRLEN])
{
	const void *p;
	size_t len;
	la_int64_t off;
	int r;
	do
		r = archive_read_data_block(s->a, &p, &len, &off);
	while (r == ARCHIVE_RETRY);
	if (r == ARCHIVE_EOF)
		return VG_C_END;
	if (r != ARCHIVE_OK) {
		set_err(err, s->a, "unable to read the member");
		return r == ARCHIVE_FATAL ? VG_C_FATAL : VG_C_DAMAGED;
	}
	if (off < 0)
		off = (la_int64_t)s->pos;
	if (s->first_block) {
		s->first_block = 0;
		if (archive_format(s->a) == ARCHIVE_FORMAT_XAR)
			s->base = (uint64_t)off;
	}
	s->blk = p;
	s->blk_len = len;
	s->blk_off = (uint64_t)off >= s->base ? (uint64_t)off - s->base : s->pos;
	if (s->blk_off < s->pos) {
		/* a block before what was read: drop its overlap */
		uint64_t skip = s->pos - s->blk_off;
		if (skip >= len) {
			s->blk_len = 0;
		} else {
			s->blk += skip;
			s->blk_len -= (size_t)skip;
		}
		s->blk_off = s->pos;
	}
	return VG_C_OK;
}

static int arc_read(void *st, uint8_t *buf, size_t cap, size_t *got,
		    char err[VG_C_ERRLEN])
{
	struct arc *s = st;
	*got = 0;
	if (s->empty)
		return VG_C_END;
	while (!s->blk_len) {
		int r = next_block(s, err);
		if (r == VG_C_END && s->pos < s->sparse_size) {
			/* the trailing hole of a sparse member */
			uint64_t hole = s->sparse_size - s->pos;
			size_t n = hole < cap ? (size_t)hole : cap;
			memset(buf, 0, n);
			s->pos += n;
			*got = n;
			return VG_C_OK;
		}
		if (r != VG_C_OK)
			return r;
	}
	size_t n;
	if (s->pos < s->blk_off) {
		uint64_t hole = s->blk_off - s->pos;
		n = hole < cap ? (size_t)hole : cap;
		memset(buf, 0, n);
	} else {
		n = s->blk_len < cap ? s->blk_len : cap;
		memcpy(buf, s->blk, n);
		s->blk += n;
		s->blk_len -= n;
		s->blk_off += n;
	}
	s->pos += n;
	*got = n;
	return VG_C_OK;
}

const vg_container_ops vg_reader_libarchive = {
	.format = "libarchive",
	.probe = probe,
	.open = arc_open,
	.next = arc_next,
	.read = arc_read,
	.close = arc_close,
};
