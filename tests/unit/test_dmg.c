/*
 * The UDIF (lib/containers/dmg.c) and HFS+ (lib/containers/hfs.c) readers.
 *
 * Fixtures come from the builder of tests/tools/mkdmg (mkdmg.h): an HFS+
 * volume with an app bundle, a file in more than 8 extents (the overflow
 * tree), a symlink, a hard link, a resource fork and a decmpfs-flagged file, wrapped in
 * UDIF with zlib, raw, zero and ignore chunks (and bzip2, ADC-typed, APFS
 * and koly-at-start variants). Each test lists the members through the
 * readers' ops and compares names, types and SHA-256s of the bytes with
 * what the builder was given; UTF-16 names with bad surrogates and U+0000
 * are patched in. Damaged copies (a truncated trailer, chunks
 * past the end, a huge chunk count, a catalog leaf loop, an extent past
 * the volume, a huge node count) must give errors, never crash or hang;
 * every truncation of the small image is read to the end too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/digest.h"
#include "base/util.h"
#include "containers/container.h"
#include "containers/dmg.h"
#include "containers/hfs.h"
#include "../tools/mkdmg.h"

static uint8_t content[3][12000];
static const char plist_text[] = "<plist>3CX</plist>\n";

#define FFMPEG "3CX Desktop App.app/Contents/Frameworks/libffmpeg.dylib"

static mk_file files[] = {
	{"3CX Desktop App.app/Contents/Info.plist", (const uint8_t *)plist_text,
	 sizeof plist_text - 1, MK_FILE, 0, NULL, 0, 0, NULL},
	{"3CX Desktop App.app/Contents/MacOS/3CX Desktop App", content[0], 9000, MK_FILE, 0, NULL, 0, 0, NULL},
	{FFMPEG, content[1], 12000, MK_FILE, 1, NULL, 0, 0, NULL},
	{"3CX Desktop App.app/Contents/Resources", NULL, 0, MK_DIR, 0, NULL, 0, 0, NULL},
	{"Applications", (const uint8_t *)"/Applications", 13, MK_SYMLINK, 0, NULL, 0, 0, NULL},
	{"README.txt", (const uint8_t *)"read me\n", 8, MK_FILE, 0, content[2], 700, 0, NULL},
	{"Compressed.txt", NULL, 0, MK_FILE, 0, NULL, 0, 1, NULL},
	{"empty", NULL, 0, MK_FILE, 0, NULL, 0, 0, NULL},
	{"3CX Desktop App.app/Contents/MacOS/hardlinked", NULL, 77, MK_HARDLINK, 0, NULL, 0, 0, NULL},
};
#define NFILES (sizeof files / sizeof files[0])

static char *sha_hex(const uint8_t *p, size_t n)
{
	static char hex[65];
	uint8_t md5[16], sha1[20], sha[32];
	vg_digests *d = vg_digests_new();
	assert_non_null(d);
	assert_true(vg_digests_buffer(d, p ? (const void *)p : "", n, md5, sha1, sha));
	vg_digests_free(d);
	vg_hex(sha, 32, hex);
	return hex;
}

typedef struct list {
	char *lines[256];
	size_t n;
} list;

static void list_add(list *l, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	assert_true(l->n < 256);
	l->lines[l->n++] = vg_strdup(buf);
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_free(list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->lines[i]);
	l->n = 0;
}

static void expected_files(list *l, const char *prefix)
{
	const char *dirs[] = {"3CX Desktop App.app", "3CX Desktop App.app/Contents",
			      "3CX Desktop App.app/Contents/MacOS",
			      "3CX Desktop App.app/Contents/Frameworks",
			      "3CX Desktop App.app/Contents/Resources"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		list_add(l, "dir - %s%s", prefix, dirs[i]);
	for (size_t i = 0; i < NFILES; i++) {
		const mk_file *f = &files[i];
		if (f->type == MK_DIR)
			continue;
		if (f->type == MK_SYMLINK)
			list_add(l, "symlink - %s%s -> %.*s", prefix, f->path, (int)f->len,
				 (const char *)f->data);
		else if (f->type == MK_HARDLINK)
			list_add(l, "hardlink - %s%s -> iNode%zu", prefix, f->path, f->len);
		else if (f->compressed)
			list_add(l, "unreadable HFS+ compressed file (decmpfs) %s%s", prefix, f->path);
		else
			list_add(l, "file %s %s%s", sha_hex(f->data, f->len), prefix, f->path);
		if (f->rsrc)
			list_add(l, "file %s %s%s/..namedfork/rsrc", sha_hex(f->rsrc, f->rsrc_len),
				 prefix, f->path);
	}
}

/* Every member through ops: a line each (damaged ones with their error);
 * returns the number of damaged results. Bounded, so a loop fails. */
static int list_members(const vg_container_ops *ops, const uint8_t *img, size_t len,
			list *l, char *openerr)
{
	vg_blob b = vg_blob_mem(img, len);
	char err[VG_C_ERRLEN];
	void *st = ops->open(&b, err);
	int damaged = 0;
	if (!st) {
		assert_true(err[0] != '\0');
		if (openerr)
			snprintf(openerr, VG_C_ERRLEN, "%s", err);
		return -1;
	}
	uint8_t *buf = malloc(65536);
	vg_digests *d = vg_digests_new();
	assert_non_null(buf);
	for (int guard = 0; guard < 10000; guard++) {
		vg_member m;
		int r = ops->next(st, &m, err);
		if (r == VG_C_END)
			break;
		if (r == VG_C_FATAL) {
			assert_true(err[0] != '\0');
			damaged++;
			if (l)
				list_add(l, "fatal %s", err);
			break;
		}
		if (r == VG_C_DAMAGED) {
			assert_true(err[0] != '\0');
			damaged++;
			if (l)
				list_add(l, "damaged %s: %s", m.name ? m.name : "?", err);
			continue;
		}
		assert_int_equal(r, VG_C_OK);
		assert_non_null(m.name);
		if (m.type == VG_MEMBER_DIR) {
			if (l)
				list_add(l, "dir - %s", m.name);
			continue;
		}
		if (m.type == VG_MEMBER_SYMLINK || m.type == VG_MEMBER_HARDLINK) {
			if (l)
				list_add(l, "%s - %s -> %s",
					 m.type == VG_MEMBER_SYMLINK ? "symlink" : "hardlink", m.name,
					 m.link ? m.link : "");
			continue;
		}
		if (m.unreadable) {
			if (l)
				list_add(l, "unreadable %s %s", m.unreadable, m.name);
			continue;
		}
		char *name = vg_strdup(m.name);
		uint64_t total = 0;
		size_t got;
		vg_digests_init(d);
		int rr;
		while ((rr = ops->read(st, buf, 65536, &got, err)) == VG_C_OK) {
			assert_true(got > 0);
			total += got;
			vg_digests_update(d, buf, got);
			assert_true(total <= (64u << 20));
		}
		if (rr != VG_C_END) {
			damaged++;
			if (l)
				list_add(l, "damaged %s: %s", name, err);
		} else {
			uint8_t md5[16], sha1[20], sha[32];
			char hex[65];
			assert_true(vg_digests_final(d, md5, sha1, sha));
			vg_hex(sha, 32, hex);
			if (m.size != VG_SIZE_UNKNOWN)
				assert_int_equal(total, m.size);
			if (l)
				list_add(l, "file %s %s", hex, name);
		}
		free(name);
	}
	vg_digests_free(d);
	free(buf);
	ops->close(st);
	return damaged;
}

static void assert_same(list *want, list *got)
{
	qsort(want->lines, want->n, sizeof *want->lines, line_cmp);
	qsort(got->lines, got->n, sizeof *got->lines, line_cmp);
	for (size_t i = 0; i < want->n || i < got->n; i++) {
		const char *w = i < want->n ? want->lines[i] : "(none)";
		const char *g = i < got->n ? got->lines[i] : "(none)";
		if (strcmp(w, g))
			fail_msg("member %zu: wanted '%s', got '%s'", i, w, g);
	}
}

static void build(const mk_hfs_opts *ho, const mk_udif_opts *uo, uint8_t **vol,
		  size_t *vlen, uint8_t **img, size_t *ilen)
{
	mk_hfs(files, NFILES, ho, vol, vlen);
	if (img)
		mk_udif(*vol, *vlen, uo, img, ilen);
}

static const char free_name[] = "free space (Apple_Free : 1)";

static void check_dmg(const mk_hfs_opts *ho, const mk_udif_opts *uo)
{
	uint8_t *vol, *img;
	size_t vlen, ilen;
	build(ho, uo, &vol, &vlen, &img, &ilen);
	vg_blob b = vg_blob_mem(img, ilen);
	size_t hn = ilen < 65536 ? ilen : 65536;
	assert_ptr_equal(vg_container_detect(&b, img, hn, "x.dmg"), &vg_reader_dmg);
	list want = {{0}, 0}, got = {{0}, 0};
	expected_files(&want, "");
	uint8_t *zeros = calloc(uo->free_sectors ? uo->free_sectors : 1, 512);
	if (uo->free_sectors)
		list_add(&want, "file %s %s", sha_hex(zeros, uo->free_sectors * 512), free_name);
	free(zeros);
	assert_int_equal(list_members(&vg_reader_dmg, img, ilen, &got, NULL), 0);
	assert_same(&want, &got);
	list_free(&want);
	list_free(&got);
	free(vol);
	free(img);
}

static void test_dmg_zlib_raw_zero(void **state)
{
	mk_hfs_opts ho = {4096, 4096, 0, NULL};
	mk_udif_opts uo = {0};
	uo.free_sectors = 64;
	check_dmg(&ho, &uo);
}

static void test_dmg_bzip2_hfsx(void **state)
{
	mk_hfs_opts ho = {4096, 4096, 1, NULL};
	mk_udif_opts uo = {0};
	uo.bzip2 = 1;
	uo.free_sectors = 8;
	uo.chunk_sectors = 2048; /* the size hdiutil writes */
	check_dmg(&ho, &uo);
}

static void test_dmg_small_nodes_koly_start(void **state)
{
	/* 512-byte nodes: a record per leaf, a chain of leaves and an index */
	mk_hfs_opts ho = {512, 512, 0, NULL};
	mk_udif_opts uo = {0};
	uo.koly_at_start = 1;
	uo.chunk_sectors = 3;
	check_dmg(&ho, &uo);
}

static void test_dmg_adc_apfs(void **state)
{
	mk_hfs_opts ho = {4096, 4096, 0, NULL};
	uint8_t *vol, *img;
	size_t vlen, ilen;
	for (int apfs = 0; apfs < 2; apfs++) {
		mk_udif_opts uo = {0};
		uo.adc = !apfs;
		uo.apfs = apfs;
		build(&ho, &uo, &vol, &vlen, &img, &ilen);
		list want = {{0}, 0}, got = {{0}, 0};
		list_add(&want, apfs ? "unreadable APFS volume disk image (Apple_APFS : 0)"
				     : "unreadable ADC-compressed chunks disk image (Apple_HFS : 0)");
		assert_int_equal(list_members(&vg_reader_dmg, img, ilen, &got, NULL), 0);
		assert_same(&want, &got);
		list_free(&want);
		list_free(&got);
		free(vol);
		free(img);
	}
}

static void test_hfs_standalone(void **state)
{
	mk_hfs_opts ho = {512, 512, 0, NULL};
	uint8_t *vol;
	size_t vlen;
	build(&ho, NULL, &vol, &vlen, NULL, NULL);
	vg_blob b = vg_blob_mem(vol, vlen);
	assert_ptr_equal(vg_container_detect(&b, vol, vlen < 65536 ? vlen : 65536, "v.hfs"),
			 &vg_reader_hfs);
	list want = {{0}, 0}, got = {{0}, 0};
	expected_files(&want, "");
	assert_int_equal(list_members(&vg_reader_hfs, vol, vlen, &got, NULL), 0);
	assert_same(&want, &got);
	list_free(&want);
	list_free(&got);
	free(vol);
	/* not containers */
	uint8_t junk[4096];
	memset(junk, 'k', sizeof junk);
	b = vg_blob_mem(junk, sizeof junk);
	assert_false(vg_reader_dmg.probe(&b, junk, sizeof junk, "x.dmg"));
	assert_false(vg_reader_hfs.probe(&b, junk, sizeof junk, "x.hfs"));
}

/* ---- damage ---- */

static size_t find_bytes(const uint8_t *h, size_t hn, const uint8_t *n, size_t nn)
{
	for (size_t i = 0; i + nn <= hn; i++)
		if (!memcmp(h + i, n, nn))
			return i;
	fail_msg("pattern not found");
	return 0;
}

/* The catalog file record of name: offset of its data in vol. */
static size_t file_record(const uint8_t *vol, size_t vlen, const char *name)
{
	uint8_t u[512];
	size_t n = strlen(name);
	mk_be16(u, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		mk_be16(u + 2 + 2 * i, (unsigned char)name[i]);
	/* the record key, not the thread: a file record follows the name */
	for (size_t from = 0;;) {
		size_t at = from + find_bytes(vol + from, vlen - from, u, 2 + 2 * n);
		size_t key = at - 6;
		uint16_t klen = (uint16_t)(vol[key] << 8 | vol[key + 1]);
		size_t d = key + 2 + klen;
		if (klen == 6 + 2 * n && vol[d] == 0 && vol[d + 1] == 2)
			return d;
		from = at + 1;
	}
}

static void test_damaged_hfs(void **state)
{
	mk_hfs_opts ho = {512, 512, 0, NULL};
	uint8_t *vol;
	size_t vlen;
	char err[VG_C_ERRLEN];
	list got = {{0}, 0};
	build(&ho, NULL, &vol, &vlen, NULL, NULL);

	/* an extent of the dylib past the volume: that member is damaged */
	uint8_t *c = malloc(vlen);
	memcpy(c, vol, vlen);
	size_t d = file_record(c, vlen, "libffmpeg.dylib");
	mk_be32(c + d + 88 + 16, 0xFFFFFF00u);
	assert_int_equal(list_members(&vg_reader_hfs, c, vlen, &got, NULL), 1);
	int seen = 0;
	for (size_t i = 0; i < got.n; i++)
		if (strstr(got.lines[i], "damaged " FFMPEG ": HFS+ file") &&
		    strstr(got.lines[i], "past the volume"))
			seen = 1;
	assert_true(seen);
	list_free(&got);

	/* the catalog's leaf chain loops: the last leaf links to the first */
	memcpy(c, vol, vlen);
	uint32_t cat_start = (uint32_t)(c[1024 + 272 + 16] << 24 | c[1024 + 272 + 17] << 16 |
					c[1024 + 272 + 18] << 8 | c[1024 + 272 + 19]);
	uint8_t *cat = c + (size_t)cat_start * 512;
	uint32_t last = (uint32_t)(cat[14 + 14] << 24 | cat[14 + 15] << 16 | cat[14 + 16] << 8 |
				   cat[14 + 17]);
	assert_true(last > 1);
	mk_be32(cat + (size_t)last * 512, 1);
	assert_int_equal(list_members(&vg_reader_hfs, c, vlen, NULL, err), -1);
	assert_non_null(strstr(err, "loops"));

	/* a huge node count, and more nodes than the catalog file holds */
	memcpy(c, vol, vlen);
	mk_be32(cat + 14 + 22, 0xFFFFFFFFu);
	assert_int_equal(list_members(&vg_reader_hfs, c, vlen, NULL, err), -1);
	assert_non_null(strstr(err, "more than the"));
	mk_be32(cat + 14 + 22, 1000);
	assert_int_equal(list_members(&vg_reader_hfs, c, vlen, NULL, err), -1);
	assert_non_null(strstr(err, "do not fit"));

	/* a record offset outside its node, a node size that is no power of two */
	memcpy(c, vol, vlen);
	mk_be16(cat + 512 + 510, 600);
	assert_int_equal(list_members(&vg_reader_hfs, c, vlen, NULL, err), -1);
	assert_non_null(strstr(err, "outside the node"));
	memcpy(c, vol, vlen);
	mk_be16(cat + 14 + 18, 1000);
	assert_int_equal(list_members(&vg_reader_hfs, c, vlen, NULL, err), -1);
	assert_non_null(strstr(err, "power of two"));

	/* the overflow record gone: the fragmented fork is short of blocks */
	memcpy(c, vol, vlen);
	uint32_t ext_start = (uint32_t)(c[1024 + 192 + 16] << 24 | c[1024 + 192 + 17] << 16 |
					c[1024 + 192 + 18] << 8 | c[1024 + 192 + 19]);
	mk_be16(c + (size_t)ext_start * 512 + 512 + 10, 0); /* no records */
	assert_int_equal(list_members(&vg_reader_hfs, c, vlen, &got, NULL), 1);
	seen = 0;
	for (size_t i = 0; i < got.n; i++)
		if (strstr(got.lines[i], "damaged " FFMPEG) && strstr(got.lines[i], "extents for only"))
			seen = 1;
	assert_true(seen);
	list_free(&got);

	/* names: an unpaired surrogate and U+0000 become U+FFFD, a surrogate
	 * pair one 4-byte UTF-8 character */
	memcpy(c, vol, vlen);
	d = file_record(c, vlen, "README.txt");
	size_t key = d - (6 + 2 * 10) - 2;
	mk_be16(c + key + 8, 0xD800);     /* R */
	mk_be16(c + key + 10, 0x0000);    /* E */
	mk_be16(c + key + 12, 0xD83D);    /* A D: U+1F600 */
	mk_be16(c + key + 14, 0xDE00);
	assert_int_equal(list_members(&vg_reader_hfs, c, vlen, &got, NULL), 0);
	seen = 0;
	for (size_t i = 0; i < got.n; i++)
		if (strstr(got.lines[i], " \xEF\xBF\xBD\xEF\xBF\xBD\xF0\x9F\x98\x80ME.txt") &&
		    !strstr(got.lines[i], "rsrc"))
			seen = 1;
	assert_true(seen);
	list_free(&got);

	/* every truncation and a flipped byte at many places: no crash, no hang */
	for (size_t n = 0; n < vlen; n += 61)
		list_members(&vg_reader_hfs, vol, n, NULL, NULL);
	for (size_t at = 1024; at < vlen; at += 37) {
		memcpy(c, vol, vlen);
		c[at] ^= 0xA5;
		list_members(&vg_reader_hfs, c, vlen, NULL, NULL);
	}
	free(c);
	free(vol);
}

/* An image of the given property list only (no data fork). */
static uint8_t *plist_image(const uint8_t *mish, size_t mlen, size_t *ilen)
{
	mk_buf x = {0}, m = {0};
	mk_put(&m, mish, mlen);
	const char *head = "<plist version=\"1.0\">\n<dict>\n<key>resource-fork</key>\n<dict>\n"
			   "<key>blkx</key>\n<array>\n";
	mk_put(&x, head, strlen(head));
	mk_plist_part(&x, "p &amp; q &#x263A;", 0, &m);
	mk_put(&x, "</array>\n</dict>\n</dict>\n</plist>\n", 33);
	uint8_t k[512] = {0};
	memcpy(k, "koly", 4);
	mk_be32(k + 4, 4);
	mk_be32(k + 8, 512);
	mk_be64(k + 216, 0);
	mk_be64(k + 224, x.len);
	mk_put(&x, k, 512);
	free(m.b);
	*ilen = x.len;
	return x.b;
}

static void test_damaged_dmg(void **state)
{
	mk_hfs_opts ho = {512, 512, 0, NULL};
	mk_udif_opts uo = {0};
	uo.chunk_sectors = 4;
	uo.free_sectors = 4;
	uint8_t *vol, *img;
	size_t vlen, ilen;
	char err[VG_C_ERRLEN];
	list got = {{0}, 0};
	build(&ho, &uo, &vol, &vlen, &img, &ilen);

	/* the trailer cut: no longer a DMG */
	vg_blob b = vg_blob_mem(img, ilen - 100);
	assert_false(vg_reader_dmg.probe(&b, img, 4096, "x.dmg"));
	assert_int_equal(list_members(&vg_reader_dmg, img, ilen - 100, NULL, err), -1);

	/* a mish table claiming 2^32-1 chunks, a chunk past the end */
	uint8_t mish[204 + 80] = {0};
	memcpy(mish, "mish", 4);
	mk_be64(mish + 16, 100);
	mk_be32(mish + 200, 0xFFFFFFFFu);
	size_t n;
	uint8_t *p = plist_image(mish, sizeof mish, &n);
	assert_int_equal(list_members(&vg_reader_dmg, p, n, &got, NULL), 1);
	assert_non_null(strstr(got.lines[0], "damaged p & q \xE2\x98\xBA: mish table claims"));
	list_free(&got);
	free(p);
	mk_be32(mish + 200, 2);
	mk_be32(mish + 204, 0x80000005u);
	mk_be64(mish + 204 + 16, 100);
	mk_be64(mish + 204 + 24, 1u << 30);
	mk_be64(mish + 204 + 32, 100);
	mk_be32(mish + 244, 0xFFFFFFFFu);
	p = plist_image(mish, sizeof mish, &n);
	assert_int_equal(list_members(&vg_reader_dmg, p, n, &got, NULL), 1);
	assert_non_null(strstr(got.lines[0], "past the end of the image"));
	list_free(&got);
	/* a chunk of more sectors than the partition */
	mk_be64(mish + 204 + 24, 0);
	mk_be64(mish + 204 + 32, 0);
	mk_be64(mish + 204 + 16, 101);
	free(p);
	p = plist_image(mish, sizeof mish, &n);
	assert_int_equal(list_members(&vg_reader_dmg, p, n, &got, NULL), 1);
	assert_non_null(strstr(got.lines[0], "past the partition"));
	list_free(&got);
	/* a zlib chunk whose bytes are no zlib stream: damaged when read */
	mk_be64(mish + 204 + 16, 100);
	mk_be64(mish + 204 + 32, 16);
	free(p);
	p = plist_image(mish, sizeof mish, &n);
	assert_int_equal(list_members(&vg_reader_dmg, p, n, &got, NULL), 1);
	assert_non_null(strstr(got.lines[0], "does not decompress"));
	list_free(&got);
	free(p);

	/* a property list without blkx */
	const char *nox = "<plist><dict></dict></plist>";
	mk_buf x = {0};
	mk_put(&x, nox, strlen(nox));
	uint8_t k[512] = {0};
	memcpy(k, "koly", 4);
	mk_be32(k + 4, 4);
	mk_be32(k + 8, 512);
	mk_be64(k + 224, strlen(nox));
	mk_put(&x, k, 512);
	assert_int_equal(list_members(&vg_reader_dmg, x.b, x.len, NULL, err), -1);
	assert_non_null(strstr(err, "blkx"));
	/* an XML length past the end */
	mk_be64(x.b + x.len - 512 + 224, 1u << 20);
	assert_int_equal(list_members(&vg_reader_dmg, x.b, x.len, NULL, err), -1);
	free(x.b);

	/* the HFS+ volume damaged inside a good image: said, then its bytes */
	uint8_t *v2 = malloc(vlen), *i2;
	size_t i2len;
	memcpy(v2, vol, vlen);
	uint32_t cat_start = (uint32_t)(v2[1024 + 272 + 16] << 24 | v2[1024 + 272 + 17] << 16 |
					v2[1024 + 272 + 18] << 8 | v2[1024 + 272 + 19]);
	mk_be16(v2 + (size_t)cat_start * 512 + 14 + 18, 1000);
	mk_udif(v2, vlen, &uo, &i2, &i2len);
	assert_int_equal(list_members(&vg_reader_dmg, i2, i2len, &got, NULL), 1);
	int said = 0, raw = 0;
	for (size_t i = 0; i < got.n; i++) {
		said |= strstr(got.lines[i], "damaged disk image (Apple_HFS : 0): disk image (Apple_HFS : 0): HFS+ catalog") != NULL;
		raw |= strstr(got.lines[i], sha_hex(v2, vlen)) != NULL;
	}
	assert_true(said);
	assert_true(raw);
	list_free(&got);
	free(v2);
	free(i2);

	/* every truncation, and flipped bytes: no crash, no hang */
	for (size_t t = 0; t < ilen; t += 53)
		list_members(&vg_reader_dmg, img, t, NULL, NULL);
	uint8_t *c = malloc(ilen);
	for (size_t at = 0; at < ilen; at += 29) {
		memcpy(c, img, ilen);
		c[at] ^= 0x5A;
		list_members(&vg_reader_dmg, c, ilen, NULL, NULL);
	}
	free(c);
	free(vol);
	free(img);
}

/* A partition of 2^40 bytes of zero chunks streams without being held. */
static void test_dmg_huge_zero_partition(void **state)
{
	uint8_t mish[204 + 80] = {0};
	memcpy(mish, "mish", 4);
	mk_be64(mish + 16, 1ull << 31);
	mk_be32(mish + 200, 2);
	mk_be32(mish + 204, 2);
	mk_be64(mish + 204 + 16, 1ull << 31);
	mk_be32(mish + 244, 0xFFFFFFFFu);
	size_t n;
	uint8_t *p = plist_image(mish, sizeof mish, &n);
	vg_blob b = vg_blob_mem(p, n);
	char err[VG_C_ERRLEN];
	void *st = vg_reader_dmg.open(&b, err);
	assert_non_null(st);
	vg_member m;
	assert_int_equal(vg_reader_dmg.next(st, &m, err), VG_C_OK);
	assert_int_equal(m.size, 1ull << 40);
	uint8_t buf[65536];
	size_t got;
	for (int i = 0; i < 100; i++) {
		assert_int_equal(vg_reader_dmg.read(st, buf, sizeof buf, &got, err), VG_C_OK);
		assert_int_equal(got, sizeof buf);
		assert_true(buf[0] == 0 && buf[sizeof buf - 1] == 0);
	}
	/* the member left unread: next() moves on */
	assert_int_equal(vg_reader_dmg.next(st, &m, err), VG_C_END);
	vg_reader_dmg.close(st);
	free(p);
}

int main(void)
{
	for (size_t i = 0; i < sizeof content[0]; i++) {
		content[0][i] = (uint8_t)(i * 7 + (i >> 8));
		content[1][i] = (uint8_t)(i * 13 ^ 0x5a);
		content[2][i] = (uint8_t)(i % 251);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmg_zlib_raw_zero),
		cmocka_unit_test(test_dmg_bzip2_hfsx),
		cmocka_unit_test(test_dmg_small_nodes_koly_start),
		cmocka_unit_test(test_dmg_adc_apfs),
		cmocka_unit_test(test_hfs_standalone),
		cmocka_unit_test(test_damaged_hfs),
		cmocka_unit_test(test_damaged_dmg),
		cmocka_unit_test(test_dmg_huge_zero_partition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
