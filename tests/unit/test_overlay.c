/*
 * The self-extracting PE overlay reader (containers/overlay.c) through its
 * ops on PEs built here byte by byte with an archive appended: a zip whose
 * offsets count from the zip and one whose offsets count from the PE, a
 * zip followed by a certificate table, 7z, CAB, NSIS and Inno Setup
 * overlays; member names, sizes and the SHA-256 of the bytes read; and
 * libarchive reading the zip member's bytes (the reason for the member's
 * extent in each offset convention); damaged files (sizes past the end, a certificate directory past EOF,
 * every truncation, every flipped byte) that never crash and never read
 * outside the buffer (ASan in the sanitizer build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "containers/container.h"
#include "formats/byteread.h"

extern const vg_container_ops vg_reader_pe_overlay;
static const vg_container_ops *R = &vg_reader_pe_overlay;

/* A PE32+ image: headers 0x200 bytes, one section at file offset 0x200 of
 * 0x400 bytes: the overlay starts at 0x600. */
enum { OPT = 0x58, DIRS = OPT + 112, SECTAB = OPT + 240, IMG = 0x600 };

static uint8_t f[1 << 17];
static size_t flen;

static void put16(size_t off, uint16_t v)
{
	f[off] = (uint8_t)v;
	f[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
	vg_put_le32(f + off, v);
}

static void put64(size_t off, uint64_t v)
{
	put32(off, (uint32_t)v);
	put32(off + 4, (uint32_t)(v >> 32));
}

static void build_pe(void)
{
	memset(f, 0, sizeof f);
	f[0] = 'M';
	f[1] = 'Z';
	put32(0x3c, 0x40);
	memcpy(f + 0x40, "PE\0\0", 4);
	put16(0x44, 0x8664);
	put16(0x46, 1);
	put16(0x54, 240);
	put16(0x56, 0x22);
	put16(OPT, 0x20b);
	put32(OPT + 16, 0x1000);
	put32(OPT + 36, 0x200);
	put32(OPT + 56, 0x2000);
	put32(OPT + 60, 0x200);
	put32(OPT + 108, 16);
	memcpy(f + SECTAB, ".text\0\0\0", 8);
	put32(SECTAB + 8, 0x400);
	put32(SECTAB + 12, 0x1000);
	put32(SECTAB + 16, 0x400);
	put32(SECTAB + 20, 0x200);
	put32(SECTAB + 36, 0x60000020);
	flen = IMG;
}

static void append(const void *p, size_t n)
{
	memcpy(f + flen, p, n);
	flen += n;
}

/* A stored zip of one member at flen; rel: offsets count from the zip's
 * first byte (else from the file's). Returns the zip's start. */
static size_t append_zip(const char *name, const char *data, int rel)
{
	size_t z = flen, nl = strlen(name), dl = strlen(data);
	uint32_t crc = (uint32_t)crc32(0, (const uint8_t *)data, (uInt)dl);
	size_t base = rel ? z : 0;
	append("PK\3\4", 4);
	put16(flen, 10);
	put32(flen + 10, crc);
	put32(flen + 14, (uint32_t)dl);
	put32(flen + 18, (uint32_t)dl);
	put16(flen + 22, (uint16_t)nl);
	flen += 26;
	append(name, nl);
	append(data, dl);
	size_t cd = flen;
	append("PK\1\2", 4);
	put16(flen, 20);
	put16(flen + 2, 10);
	put32(flen + 12, crc);
	put32(flen + 16, (uint32_t)dl);
	put32(flen + 20, (uint32_t)dl);
	put16(flen + 24, (uint16_t)nl);
	put32(flen + 38, (uint32_t)(z - base));
	flen += 42;
	append(name, nl);
	size_t cdsize = flen - cd;
	append("PK\5\6", 4);
	put16(flen + 4, 1);
	put16(flen + 6, 1);
	put32(flen + 8, (uint32_t)cdsize);
	put32(flen + 12, (uint32_t)(cd - base));
	flen += 18;
	return z;
}

static void sha8(const uint8_t *p, size_t n, char out[9])
{
	uint8_t md[32];
	unsigned int l = 0;
	assert_true(EVP_Digest(p, n, md, &l, EVP_sha256(), NULL));
	snprintf(out, 9, "%02x%02x%02x%02x", md[0], md[1], md[2], md[3]);
}

static int probe_as(const char *name)
{
	vg_blob src = vg_blob_mem(f, flen);
	return R->probe(&src, f, flen < 65536 ? flen : 65536, name);
}

/* "name size sha8" per member, "! message" for a damaged one. */
static void list(char *out, size_t cap)
{
	vg_blob src = vg_blob_mem(f, flen);
	char err[VG_C_ERRLEN];
	out[0] = 0;
	void *o = R->open(&src, err);
	if (!o) {
		snprintf(out, cap, "open: %s", err);
		return;
	}
	vg_member m;
	int r;
	size_t used = 0;
	while ((r = R->next(o, &m, err)) != VG_C_END && r != VG_C_FATAL) {
		char line[400], h[9] = "-";
		if (r == VG_C_DAMAGED) {
			snprintf(line, sizeof line, "! %s\n", err);
		} else {
			if (!m.unreadable) {
				uint8_t *all = malloc(m.size + 1), buf[1000];
				size_t got, tot = 0;
				while ((r = R->read(o, buf, sizeof buf, &got, err)) == VG_C_OK) {
					assert_true(tot + got <= m.size);
					memcpy(all + tot, buf, got);
					tot += got;
				}
				assert_int_equal(r, VG_C_END);
				assert_int_equal(tot, m.size);
				sha8(all, tot, h);
				free(all);
			}
			snprintf(line, sizeof line, "%s %llu %s%s%s\n", m.name,
				 (unsigned long long)m.size, h, m.unreadable ? " " : "",
				 m.unreadable ? m.unreadable : "");
		}
		if (used + strlen(line) < cap) {
			memcpy(out + used, line, strlen(line) + 1);
			used += strlen(line);
		}
	}
	R->close(o);
}

static void expect_member(const char *name, size_t off, size_t len)
{
	char want[200], h[9], out[1000];
	sha8(f + off, len, h);
	snprintf(want, sizeof want, "%s %zu %s\n", name, len, h);
	list(out, sizeof out);
	assert_string_equal(out, want);
}

/* The first member's bytes, read through the ops (freed by the caller). */
static uint8_t *member_bytes(size_t *n)
{
	vg_blob src = vg_blob_mem(f, flen);
	char err[VG_C_ERRLEN];
	void *o = R->open(&src, err);
	assert_non_null(o);
	vg_member m;
	assert_int_equal(R->next(o, &m, err), VG_C_OK);
	uint8_t *b = malloc(m.size + 1);
	size_t got;
	*n = 0;
	while (R->read(o, b + *n, m.size - *n + 1, &got, err) == VG_C_OK)
		*n += got;
	assert_int_equal(*n, m.size);
	R->close(o);
	return b;
}

/* libarchive's seekable zip reader lists the member's one file with its
 * bytes, as the engine's libarchive reader will. */
static void libarchive_reads(const char *name, const char *data)
{
	size_t n;
	uint8_t *b = member_bytes(&n);
	struct archive *a = archive_read_new();
	assert_non_null(a);
	archive_read_support_format_zip_seekable(a);
	assert_int_equal(archive_read_open_memory(a, b, n), ARCHIVE_OK);
	struct archive_entry *e;
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
	assert_string_equal(archive_entry_pathname(e), name);
	char buf[256];
	la_ssize_t r = archive_read_data(a, buf, sizeof buf);
	assert_int_equal(r, (la_ssize_t)strlen(data));
	assert_memory_equal(buf, data, strlen(data));
	assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_EOF);
	archive_read_free(a);
	free(b);
}

static void test_zip_relative(void **state)
{
	(void)state;
	build_pe();
	size_t z = append_zip("ffmpeg.dll", "benign stand-in", 1);
	assert_true(probe_as("setup.exe"));
	expect_member("[overlay].zip", z, flen - z);
	libarchive_reads("ffmpeg.dll", "benign stand-in");
	/* the reader does not take its own member again */
	assert_false(probe_as("[overlay].zip"));
}

static void test_zip_file_relative(void **state)
{
	(void)state;
	build_pe();
	append_zip("ffmpeg.dll", "benign stand-in", 0);
	assert_true(probe_as("setup.exe"));
	expect_member("[overlay].zip", 0, flen);
	libarchive_reads("ffmpeg.dll", "benign stand-in");
}

/* A signed SFX: the certificate table follows the zip (8-aligned), and the
 * security directory says where; the member stops at the zip's end. */
static void test_zip_signed(void **state)
{
	(void)state;
	build_pe();
	size_t z = append_zip("ffmpeg.dll", "benign stand-in", 1);
	size_t zend = flen;
	flen = (flen + 7) & ~(size_t)7;
	size_t cert = flen;
	put32(flen, 24);
	put16(flen + 4, 0x200);
	put16(flen + 6, 2);
	f[flen + 8] = 0x30;
	flen += 24;
	put32(DIRS + 8 * 4, (uint32_t)cert);
	put32(DIRS + 8 * 4 + 4, 24);
	expect_member("[overlay].zip", z, zend - z);
	libarchive_reads("ffmpeg.dll", "benign stand-in");
	/* a certificate directory past the end: the overlay runs to EOF */
	put32(DIRS + 8 * 4, 0xfffffff0u);
	char out[500];
	list(out, sizeof out);
	assert_non_null(strstr(out, "[overlay].zip"));
}

static void test_7z(void **state)
{
	(void)state;
	static const uint8_t sig[6] = {'7', 'z', 0xBC, 0xAF, 0x27, 0x1C};
	build_pe();
	const char cfg[] = ";!@Install@!UTF-8!\nTitle=\"x\"\n;!@InstallEnd@!";
	append(cfg, sizeof cfg - 1);
	size_t s = flen;
	append(sig, 6);
	f[flen++] = 0;
	f[flen++] = 4;
	size_t crcat = flen;
	flen += 4;
	put64(flen, 10); /* next header offset */
	put64(flen + 8, 6); /* next header size */
	put32(flen + 16, 0);
	put32(crcat, (uint32_t)crc32(0, f + flen, 20));
	flen += 20;
	append("0123456789abcdef", 16);
	assert_true(probe_as("setup.exe"));
	expect_member("[overlay].7z", s, 32 + 16);
	/* a next header past the end: listed as damaged */
	put64(crcat + 4, 1000);
	put32(crcat, (uint32_t)crc32(0, f + crcat + 4, 20));
	char out[500];
	list(out, sizeof out);
	assert_string_equal(out, "! [overlay].7z: its declared size runs past the end "
				 "of the overlay\n");
	/* a start header whose CRC is wrong is no 7z */
	f[crcat] ^= 1;
	assert_false(probe_as("setup.exe"));
}

static void test_cab(void **state)
{
	(void)state;
	build_pe();
	size_t s = flen;
	append("MSCF\0\0\0\0", 8);
	put32(flen, 60);
	put16(flen + 16, 0x0103);
	flen = s + 60;
	assert_true(probe_as("setup.exe"));
	expect_member("[overlay].cab", s, 60);
	/* cbCabinet past the end */
	put32(s + 8, 0x7fffffff);
	char out[500];
	list(out, sizeof out);
	assert_string_equal(out, "! [overlay].cab: its declared size runs past the end "
				 "of the overlay\n");
}

static void test_nsis_inno(void **state)
{
	(void)state;
	char out[500];
	build_pe();
	flen = 0x800; /* a 512-byte boundary past the start of the overlay */
	put32(flen, 0);
	put32(flen + 4, 0xDEADBEEF);
	memcpy(f + flen + 8, "NullsoftInst", 12);
	put32(flen + 20, 1000);
	put32(flen + 24, 128);
	flen += 128;
	list(out, sizeof out);
	assert_string_equal(out, "[overlay].nsis 100 - NSIS data (compressed, not decoded)\n");
	/* not at a 512-byte boundary: not an NSIS first header */
	memmove(f + 0x801, f + 0x800, 128);
	flen++;
	assert_false(probe_as("setup.exe"));

	build_pe();
	append("Inno Setup Setup Data (6.2.0)", 29);
	flen += 100;
	list(out, sizeof out);
	assert_string_equal(out, "[overlay].inno 129 - Inno Setup data (compressed, not decoded)\n");
}

static void test_not_sfx(void **state)
{
	(void)state;
	build_pe();
	assert_false(probe_as("a.exe")); /* no overlay */
	append("just some appended bytes, no archive", 36);
	assert_false(probe_as("a.exe"));
	char out[500];
	list(out, sizeof out);
	assert_string_equal(out, "open: no archive in the PE overlay");
	f[0] = 'X';
	assert_false(probe_as("a.exe")); /* no PE */
}

/* An overlay longer than the windows the probe reads (the zip end record
 * is looked for in the last 64 KiB + 22 bytes, more than the NSIS window):
 * the probe's buffer holds both (a Debian shim-signed member overran it). */
static void test_long_overlay(void **state)
{
	(void)state;
	build_pe();
	static uint8_t zeros[100000];
	append(zeros, sizeof zeros);
	assert_false(probe_as("a.exe"));
	append_zip("ffmpeg.dll", "benign", 1);
	assert_true(probe_as("a.exe"));
}

/* Every truncation and every flipped byte of a signed zip SFX and of a 7z
 * SFX: whatever comes back, nothing reads outside the buffer. */
static void test_mutations(void **state)
{
	(void)state;
	static uint8_t orig[1 << 16];
	char out[2000];
	for (int kind = 0; kind < 2; kind++) {
		build_pe();
		if (kind == 0) {
			append_zip("a", "bc", 0);
		} else {
			append_zip("a", "bc", 1);
			flen = (flen + 7) & ~(size_t)7;
			put32(DIRS + 32, (uint32_t)flen);
			put32(DIRS + 36, 16);
			put32(flen, 16);
			flen += 16;
		}
		size_t n = flen;
		memcpy(orig, f, n);
		for (size_t k = 0; k <= n; k += (k < 0x600 ? 7 : 1)) {
			memcpy(f, orig, n);
			flen = k;
			if (probe_as("x"))
				list(out, sizeof out);
		}
		for (size_t k = 0; k < n; k++) {
			memcpy(f, orig, n);
			flen = n;
			f[k] ^= 0x5a;
			if (probe_as("x"))
				list(out, sizeof out);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zip_relative),
		cmocka_unit_test(test_zip_file_relative),
		cmocka_unit_test(test_zip_signed),
		cmocka_unit_test(test_7z),
		cmocka_unit_test(test_cab),
		cmocka_unit_test(test_nsis_inno),
		cmocka_unit_test(test_not_sfx),
		cmocka_unit_test(test_long_overlay),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
