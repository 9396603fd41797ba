/*
 * mkbomb MODE OUT [ARG]: write the hostile archives of tests/e2e/archives.sh,
 * each small on disk and built without writing what it expands to:
 *
 *  nested OUT      42.zip-style: zips of 16 zips of 16 zips of 16 members of
 *                  16 MiB of zeros (64 GiB expanded)
 *  zeros OUT GIB   a tar.zst holding one member "zeros.dll" of GIB GiB of
 *                  zeros: a zstd frame of RLE blocks written by hand, so
 *                  the GiBs never exist
 *  overlap OUT N   a zip of N central-directory entries (distinct names)
 *                  that all point at one deflated kernel of 16 MiB of zeros
 *  links OUT       a tar with "../escape.dll", "/abs/x.dll", a symlink, a
 *                  hard link, a character device and a FIFO, then "last.txt"
 *  claims IN OUT   IN (a zip) with its end record claiming 1000 entries
 *
 * Exit 0, or 1 with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#define ZMB (16u << 20)

static int fail(const char *what)
{
	fprintf(stderr, "mkbomb: %s\n", what);
	return 1;
}

/* ---- in-memory archives written with libarchive ---- */

struct mem {
	uint8_t *p;
	size_t n, cap;
};

static la_ssize_t mem_write(struct archive *a, void *ctx, const void *buf,
			    size_t n)
{
	(void)a;
	struct mem *m = ctx;
	if (m->n + n > m->cap) {
		size_t c = (m->n + n) * 2;
		uint8_t *q = realloc(m->p, c);
		if (!q)
			return -1;
		m->p = q;
		m->cap = c;
	}
	memcpy(m->p + m->n, buf, n);
	m->n += n;
	return (la_ssize_t)n;
}

static struct archive *zip_writer(struct mem *m)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_zip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open(a, m, NULL, mem_write, NULL) != ARCHIVE_OK)
		return NULL;
	return a;
}

/* Add a member of n bytes: data, or zeros when data is NULL. */
static int add(struct archive *a, const char *name, const uint8_t *data,
	       size_t n)
{
	static uint8_t zeros[1 << 16];
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_mtime(e, 1700000000, 0);
	int ok = archive_write_header(a, e) == ARCHIVE_OK;
	archive_entry_free(e);
	for (size_t off = 0; ok && off < n;) {
		size_t k = n - off < sizeof zeros ? n - off : sizeof zeros;
		ok = archive_write_data(a, data ? data + off : zeros, k) == (la_ssize_t)k;
		off += k;
	}
	return ok;
}

static int write_file(const char *out, const uint8_t *p, size_t n)
{
	FILE *f = fopen(out, "wb");
	if (!f)
		return fail("cannot create the output");
	int ok = fwrite(p, 1, n, f) == n;
	ok &= fclose(f) == 0;
	return ok ? 0 : fail("cannot write the output");
}

static int nested(const char *out)
{
	struct mem level = {0};
	struct archive *a = zip_writer(&level);
	char name[32];
	for (int i = 0; a && i < 16; i++) {
		snprintf(name, sizeof name, "%x.dll", i);
		if (!add(a, name, NULL, ZMB))
			return fail("cannot write the base level");
	}
	if (!a || archive_write_free(a) != ARCHIVE_OK)
		return fail("cannot write the base level");
	for (int depth = 0; depth < 3; depth++) {
		struct mem up = {0};
		a = zip_writer(&up);
		for (int i = 0; a && i < 16; i++) {
			snprintf(name, sizeof name, "%x.zip", i);
			if (!add(a, name, level.p, level.n))
				return fail("cannot write a level");
		}
		if (!a || archive_write_free(a) != ARCHIVE_OK)
			return fail("cannot write a level");
		free(level.p);
		level = up;
	}
	int rc = write_file(out, level.p, level.n);
	free(level.p);
	return rc;
}

/* ---- a tar.zst of zeros: one zstd frame of RLE blocks ---- */

static void put_block(FILE *f, int last, int type, uint32_t size)
{
	uint32_t h = (uint32_t)last | (uint32_t)type << 1 | size << 3;
	uint8_t b[3] = {(uint8_t)h, (uint8_t)(h >> 8), (uint8_t)(h >> 16)};
	fwrite(b, 1, 3, f);
}

/* n zero bytes as RLE blocks of at most 128 KiB */
static void zero_blocks(FILE *f, uint64_t n, int last)
{
	while (n) {
		uint32_t k = n > (128u << 10) ? (128u << 10) : (uint32_t)n;
		n -= k;
		put_block(f, last && !n, 1, k);
		fputc(0, f);
	}
}

static int zeros(const char *out, unsigned gib)
{
	if (gib < 1 || gib > 7)
		return fail("zeros: 1 to 7 GiB (the ustar size field)");
	uint64_t size = (uint64_t)gib << 30;
	uint8_t h[512] = {0};
	snprintf((char *)h, 100, "zeros.dll");
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011o", 1700000000u);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	FILE *f = fopen(out, "wb");
	if (!f)
		return fail("cannot create the output");
	/* magic; descriptor: no content size, no checksum; window 128 KiB */
	fwrite("\x28\xb5\x2f\xfd\x00\x38", 1, 6, f);
	put_block(f, 0, 0, 512);
	fwrite(h, 1, 512, f);
	/* the member's bytes, then the two zero blocks that end a tar */
	zero_blocks(f, size + 1024, 1);
	return fclose(f) == 0 ? 0 : fail("cannot write the output");
}

/* ---- overlapping entries ---- */

static void le16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

static int overlap(const char *out, unsigned n)
{
	uint8_t *zero = calloc(1, ZMB);
	uLongf clen = compressBound(ZMB);
	uint8_t *z = malloc(clen);
	if (!zero || !z)
		return fail("out of memory");
	z_stream s = {0};
	if (deflateInit2(&s, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return fail("deflateInit2");
	s.next_in = zero;
	s.avail_in = ZMB;
	s.next_out = z;
	s.avail_out = (uInt)clen;
	if (deflate(&s, Z_FINISH) != Z_STREAM_END)
		return fail("deflate");
	clen = s.total_out;
	deflateEnd(&s);
	uint32_t crc = (uint32_t)crc32(0, zero, ZMB);
	FILE *f = fopen(out, "wb");
	if (!f)
		return fail("cannot create the output");
	uint8_t lh[30] = {'P', 'K', 3, 4};
	le16(lh + 4, 20);
	le16(lh + 8, 8);
	le32(lh + 14, crc);
	le32(lh + 18, (uint32_t)clen);
	le32(lh + 22, ZMB);
	le16(lh + 26, 6);
	fwrite(lh, 1, 30, f);
	fwrite("kernel", 1, 6, f);
	fwrite(z, 1, clen, f);
	uint32_t cd_off = (uint32_t)(30 + 6 + clen), cd_len = 0;
	for (unsigned i = 0; i < n; i++) {
		char name[16];
		int nl = snprintf(name, sizeof name, "k%05u.dll", i);
		uint8_t ch[46] = {'P', 'K', 1, 2};
		le16(ch + 4, 20);
		le16(ch + 6, 20);
		le16(ch + 10, 8);
		le32(ch + 16, crc);
		le32(ch + 20, (uint32_t)clen);
		le32(ch + 24, ZMB);
		le16(ch + 28, (unsigned)nl);
		le32(ch + 42, 0); /* every entry: the one local header */
		fwrite(ch, 1, 46, f);
		fwrite(name, 1, (size_t)nl, f);
		cd_len += 46 + (uint32_t)nl;
	}
	uint8_t eo[22] = {'P', 'K', 5, 6};
	le16(eo + 8, n);
	le16(eo + 10, n);
	le32(eo + 12, cd_len);
	le32(eo + 16, cd_off);
	fwrite(eo, 1, 22, f);
	free(zero);
	free(z);
	return fclose(f) == 0 ? 0 : fail("cannot write the output");
}

/* ---- link and device members ---- */

static int links(const char *out)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, out) != ARCHIVE_OK)
		return fail("cannot create the output");
	int ok = add(a, "../escape.dll", (const uint8_t *)"MZ-escape", 9);
	ok &= add(a, "/abs/x.dll", (const uint8_t *)"MZ-abs", 6);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "sym.dll");
	archive_entry_set_filetype(e, AE_IFLNK);
	archive_entry_set_symlink(e, "/etc/passwd");
	ok &= archive_write_header(a, e) == ARCHIVE_OK;
	archive_entry_clear(e);
	archive_entry_set_pathname(e, "hard.dll");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_hardlink(e, "../escape.dll");
	archive_entry_set_size(e, 0);
	ok &= archive_write_header(a, e) == ARCHIVE_OK;
	archive_entry_clear(e);
	archive_entry_set_pathname(e, "dev/null");
	archive_entry_set_filetype(e, AE_IFCHR);
	archive_entry_set_rdevmajor(e, 1);
	archive_entry_set_rdevminor(e, 3);
	ok &= archive_write_header(a, e) == ARCHIVE_OK;
	archive_entry_clear(e);
	archive_entry_set_pathname(e, "fifo");
	archive_entry_set_filetype(e, AE_IFIFO);
	ok &= archive_write_header(a, e) == ARCHIVE_OK;
	archive_entry_free(e);
	ok &= add(a, "last.txt", (const uint8_t *)"still read", 10);
	ok &= archive_write_free(a) == ARCHIVE_OK;
	return ok ? 0 : fail("cannot write the tar");
}

/* ---- a zip claiming more entries than it holds ---- */

static int claims(const char *in, const char *out)
{
	FILE *f = fopen(in, "rb");
	if (!f)
		return fail("cannot open the input");
	static uint8_t buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	for (size_t i = n >= 22 ? n - 22 : 0; i > 0; i--) {
		if (memcmp(buf + i, "PK\x05\x06", 4) == 0) {
			le16(buf + i + 8, 1000);
			le16(buf + i + 10, 1000);
			return write_file(out, buf, n);
		}
	}
	return fail("no end of central directory in the input");
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "nested"))
		return nested(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "zeros"))
		return zeros(argv[2], (unsigned)atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "overlap"))
		return overlap(argv[2], (unsigned)atoi(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "links"))
		return links(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "claims"))
		return claims(argv[2], argv[3]);
	fprintf(stderr, "usage: mkbomb nested|zeros|overlap|links|claims OUT [ARG]\n");
	return 2;
}
