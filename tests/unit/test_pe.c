/*
 * The PE parser, Authenticode entry points and PE checker on hand-built
 * byte buffers: well-formed headers parse to the expected fields; broken
 * ones (every truncation, e_lfanew past the end or at itself, absurd section
 * counts, looping and deep resource directories, certificate directories
 * outside the file, unusable DER) fail cleanly or set the anomaly bit, and
 * never read outside the buffer (run under ASan in the sanitizer build).
 * Also: entropy, the PE checksum, DER length parsing, WIN_CERTIFICATE slack.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "trust/authenticode.h"
#include "checks/checks_internal.h"
#include "formats/byteread.h"
#include "formats/pe.h"

/* A PE32+ image: headers 0x200 bytes, one section ".rsrc" at RVA 0x1000,
 * file offset 0x200, 0x400 bytes; total 0x600 bytes plus room to append. */
enum { OPT = 0x58, DIRS = OPT + 112, SECTAB = OPT + 240, SEC_OFF = 0x200, SEC_RVA = 0x1000,
       SEC_SIZE = 0x400, IMG = SEC_OFF + SEC_SIZE };

static uint8_t img[0x10000];
static size_t img_len;

static void put16(size_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
	vg_put_le32(img + off, v);
}

static void build_pe(uint16_t nsec)
{
	memset(img, 0, sizeof img);
	img[0] = 'M';
	img[1] = 'Z';
	put32(0x3c, 0x40);
	memcpy(img + 0x40, "PE\0\0", 4);
	put16(0x44, 0x8664);
	put16(0x46, nsec);
	put32(0x48, 1600000000);
	put16(0x54, 240);
	put16(0x56, 0x2022);
	put16(OPT, 0x20b);
	put32(OPT + 16, SEC_RVA);
	put32(OPT + 36, 0x200);
	put32(OPT + 56, 0x2000);
	put32(OPT + 60, 0x200);
	put16(OPT + 68, 2);
	put32(OPT + 108, 16);
	memcpy(img + SECTAB, ".rsrc", 5);
	put32(SECTAB + 8, SEC_SIZE);
	put32(SECTAB + 12, SEC_RVA);
	put32(SECTAB + 16, SEC_SIZE);
	put32(SECTAB + 20, SEC_OFF);
	put32(SECTAB + 36, 0x40000040);
	img_len = IMG;
}

static void set_dir(int i, uint32_t addr, uint32_t size)
{
	put32(DIRS + 8 * (size_t)i, addr);
	put32(DIRS + 8 * (size_t)i + 4, size);
}

static vg_pe *parse_ok(unsigned what, int want)
{
	vg_pe *pe = NULL;
	int st = vg_pe_parse(img, img_len, what, &pe);
	if (st != want)
		fprintf(stderr, "status %d, error %s, anomalies 0x%x\n", st,
			pe && pe->error ? pe->error : "-", pe ? pe->anomalies : 0);
	assert_int_equal(st, want);
	assert_non_null(pe);
	return pe;
}

static void test_minimal(void **state)
{
	build_pe(1);
	for (size_t i = 0; i < SEC_SIZE; i++)
		img[SEC_OFF + i] = (uint8_t)i; /* 0..255 twice: 8 bits/byte */
	vg_pe *pe = parse_ok(VG_PE_ALL, VIGIL_OK);
	assert_int_equal(pe->machine, 0x8664);
	assert_true(pe->pe32plus);
	assert_int_equal(pe->timestamp, 1600000000);
	assert_int_equal(pe->subsystem, 2);
	assert_int_equal(pe->nsections, 1);
	assert_string_equal(pe->sections[0].name, ".rsrc");
	assert_true(pe->sections[0].entropy > 7.999 && pe->sections[0].entropy <= 8.0);
	assert_int_equal(pe->ndirs, 16);
	assert_false(pe->signed_);
	assert_int_equal(pe->overlay_len, 0);
	assert_true(vg_pe_sniff(img, img_len));
	vg_pe_free(pe);
}

/* Every prefix of a valid image parses or fails cleanly. */
static void test_every_truncation(void **state)
{
	build_pe(1);
	set_dir(VG_PE_DIR_SECURITY, IMG, 0x100); /* a table at the end */
	put32(IMG, 0x100);
	put16(IMG + 4, 0x200);
	put16(IMG + 6, 2);
	img_len = IMG + 0x100;
	for (size_t n = 0; n <= img_len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, img, n);
		vg_pe *pe;
		int st = vg_pe_parse(copy, n, VG_PE_ALL, &pe);
		assert_non_null(pe);
		if (n < SECTAB + 40)
			assert_int_equal(st, VIGIL_FAILED);
		else
			assert_true(st == VIGIL_OK || st == VIGIL_WARN);
		if (st == VIGIL_FAILED)
			assert_non_null(pe->error);
		if (st != VIGIL_FAILED && n < img_len)
			assert_true(pe->anomalies & (VG_PE_ANOM_CERT_PAST_EOF |
						     VG_PE_ANOM_SECTION_PAST_EOF));
		vg_authenticode ac;
		if (st != VIGIL_FAILED) {
			vg_authenticode_verify(copy, n, pe, NULL, &ac);
			vg_authenticode_clear(&ac);
		}
		vg_pe_free(pe);
		free(copy);
	}
}

static void test_lfanew(void **state)
{
	vg_pe *pe;
	build_pe(1);
	put32(0x3c, (uint32_t)img_len + 8);
	assert_int_equal(vg_pe_parse(img, img_len, VG_PE_ALL, &pe), VIGIL_FAILED);
	assert_string_equal(pe->error, "e_lfanew points past the end of the file");
	vg_pe_free(pe);
	put32(0x3c, 0xfffffff0u); /* off + 24 would overflow 32 bits */
	assert_int_equal(vg_pe_parse(img, img_len, VG_PE_ALL, &pe), VIGIL_FAILED);
	vg_pe_free(pe);
	put32(0x3c, 0x3c); /* itself */
	assert_int_equal(vg_pe_parse(img, img_len, VG_PE_ALL, &pe), VIGIL_FAILED);
	assert_string_equal(pe->error, "no PE signature at e_lfanew");
	vg_pe_free(pe);
	assert_false(vg_pe_sniff(img, img_len));
	memcpy(img, "ZM", 2);
	assert_int_equal(vg_pe_parse(img, img_len, VG_PE_ALL, &pe), VIGIL_FAILED);
	assert_string_equal(pe->error, "no MZ header");
	vg_pe_free(pe);
	assert_int_equal(vg_pe_parse(img, 10, VG_PE_ALL, &pe), VIGIL_FAILED);
	vg_pe_free(pe);
}

static void test_section_count(void **state)
{
	vg_pe *pe;
	build_pe(0xffff);
	/* not enough bytes for even the capped table */
	img_len = SECTAB + 40 * 10;
	assert_int_equal(vg_pe_parse(img, img_len, VG_PE_ALL, &pe), VIGIL_FAILED);
	assert_string_equal(pe->error, "truncated section table");
	vg_pe_free(pe);
	/* room for the cap: parsed, capped, flagged */
	img_len = SECTAB + 40 * VG_PE_MAX_SECTIONS + 16;
	pe = parse_ok(VG_PE_ALL, VIGIL_WARN);
	assert_int_equal(pe->nsections, VG_PE_MAX_SECTIONS);
	assert_true(pe->anomalies & VG_PE_ANOM_SECTIONS_CAPPED);
	vg_pe_free(pe);
	/* a section whose raw data runs past the file */
	build_pe(1);
	put32(SECTAB + 16, 0xfffffff0u);
	pe = parse_ok(VG_PE_ALL, VIGIL_WARN);
	assert_true(pe->anomalies & VG_PE_ANOM_SECTION_PAST_EOF);
	vg_pe_free(pe);
}

/* A resource directory at base + off with one id entry. */
static void res_dir(size_t off, uint32_t id, uint32_t to)
{
	put16(SEC_OFF + off + 14, 1);
	put32(SEC_OFF + off + 16, id);
	put32(SEC_OFF + off + 20, to);
}

static void test_resource_loops(void **state)
{
	build_pe(1);
	set_dir(VG_PE_DIR_RESOURCE, SEC_RVA, 0x100);
	res_dir(0, 16, 0x80000000u); /* points at itself */
	vg_pe *pe = parse_ok(VG_PE_VERSION, VIGIL_WARN);
	assert_true(pe->anomalies & VG_PE_ANOM_RES_LOOP);
	vg_pe_free(pe);

	res_dir(0, 16, 0x80000000u | 0x18); /* two directories pointing at each other */
	res_dir(0x18, 1, 0x80000000u);
	pe = parse_ok(VG_PE_VERSION, VIGIL_WARN);
	assert_true(pe->anomalies & VG_PE_ANOM_RES_LOOP);
	vg_pe_free(pe);

	/* deeper than the cap: a chain of distinct directories */
	for (unsigned i = 0; i < 8; i++)
		res_dir(0x18 * i, 16, 0x80000000u | (0x18 * (i + 1)));
	pe = parse_ok(VG_PE_VERSION, VIGIL_WARN);
	assert_true(pe->anomalies & VG_PE_ANOM_RES_CAPPED);
	vg_pe_free(pe);

	/* a huge entry count that runs off the section */
	build_pe(1);
	set_dir(VG_PE_DIR_RESOURCE, SEC_RVA, 0x100);
	put16(SEC_OFF + 12, 0xffff);
	put16(SEC_OFF + 14, 0xffff);
	pe = parse_ok(VG_PE_VERSION, VIGIL_WARN);
	assert_true(pe->anomalies & (VG_PE_ANOM_RES_CAPPED | VG_PE_ANOM_RES_BAD));
	vg_pe_free(pe);
}

/* Write a VS_VERSIONINFO-style block at img[off] (off 4-aligned relative
 * to the resource data); returns its length. */
static size_t vs_block(size_t off, const char *key, const char *text, size_t binlen,
		       const uint8_t *children, size_t clen)
{
	size_t p = off + 6;
	for (const char *k = key;; k++, p += 2) {
		put16(p, (uint16_t)*k);
		if (!*k)
			break;
	}
	p += 2;
	p = off + ((p - off + 3) & ~(size_t)3);
	uint16_t vlen = 0;
	if (text) {
		size_t n = strlen(text);
		for (size_t i = 0; i <= n; i++)
			put16(p + 2 * i, (uint16_t)text[i]);
		vlen = (uint16_t)(n + 1);
		p += 2 * (n + 1);
	} else {
		vlen = (uint16_t)binlen;
		p += binlen;
	}
	p = off + ((p - off + 3) & ~(size_t)3);
	if (clen)
		memcpy(img + p, children, clen);
	p += clen;
	put16(off, (uint16_t)(p - off));
	put16(off + 2, vlen);
	put16(off + 4, text ? 1 : 0);
	return p - off;
}

static void test_version_resource(void **state)
{
	build_pe(1);
	set_dir(VG_PE_DIR_RESOURCE, SEC_RVA, 0x300);
	res_dir(0, 3, 0x80000000u | 0x60);  /* RT_ICON: a subdir, no version */
	put16(SEC_OFF + 14, 2);
	put32(SEC_OFF + 24, 16);
	put32(SEC_OFF + 28, 0x80000000u | 0x18); /* RT_VERSION */
	res_dir(0x18, 1, 0x80000000u | 0x30);
	res_dir(0x30, 0x409, 0x48);              /* a data entry */
	res_dir(0x60, 1, 0x48);
	put32(SEC_OFF + 0x48, SEC_RVA + 0x80);

	/* build bottom-up in scratch space, then copy into place */
	uint8_t tmp[1024], tmp2[1024];
	size_t scratch = 0x8000, n1, n2, n;
	n1 = vs_block(scratch, "CompanyName", "Vigil Test Co", 0, NULL, 0);
	n2 = vs_block(scratch + n1, "OriginalFilename", "tiny.dll", 0, NULL, 0);
	n2 += vs_block(scratch + n1 + n2, "ProductVersion", "1.2.3.4", 0, NULL, 0);
	memcpy(tmp, img + scratch, n1 + n2);
	n = vs_block(scratch, "040904b0", NULL, 0, tmp, n1 + n2);
	memcpy(tmp2, img + scratch, n);
	n = vs_block(scratch, "StringFileInfo", NULL, 0, tmp2, n);
	memcpy(tmp, img + scratch, n);
	n = vs_block(SEC_OFF + 0x80, "VS_VERSION_INFO", NULL, 52, tmp, n);
	put32(SEC_OFF + 0x4c, (uint32_t)n);

	vg_pe *pe = parse_ok(VG_PE_ALL, VIGIL_OK);
	assert_int_equal(pe->nresources, 2);
	assert_non_null(pe->company_name);
	assert_string_equal(pe->company_name, "Vigil Test Co");
	assert_string_equal(pe->original_filename, "tiny.dll");
	assert_null(pe->product_name);
	assert_non_null(pe->product_version);
	assert_string_equal(pe->product_version, "1.2.3.4");
	assert_null(pe->file_version);
	/* the version resource's bytes: its data entry's offset and size */
	assert_int_equal(pe->version_off, SEC_OFF + 0x80);
	assert_int_equal(pe->version_size, n);
	vg_pe_free(pe);

	/* a block length running past the data: flagged or ignored, no read past */
	put16(SEC_OFF + 0x80, 0xfff0);
	pe = parse_ok(VG_PE_ALL, VIGIL_WARN);
	assert_true(pe->anomalies & VG_PE_ANOM_VERSION_BAD);
	vg_pe_free(pe);
}

static void test_imports_exports(void **state)
{
	build_pe(1);
	/* import descriptor at 0x000, names at 0x100.., thunks at 0x80 */
	set_dir(VG_PE_DIR_IMPORT, SEC_RVA, 40);
	put32(SEC_OFF + 0, SEC_RVA + 0x80);  /* OriginalFirstThunk */
	put32(SEC_OFF + 12, SEC_RVA + 0x100); /* Name */
	put32(SEC_OFF + 16, SEC_RVA + 0x80);
	memcpy(img + SEC_OFF + 0x100, "KERNEL32.dll", 13);
	put32(SEC_OFF + 0x80, SEC_RVA + 0x120); /* by name */
	put32(SEC_OFF + 0x88, 7);                /* by ordinal (bit 63) */
	img[SEC_OFF + 0x88 + 7] = 0x80;
	put16(SEC_OFF + 0x120, 3);
	memcpy(img + SEC_OFF + 0x122, "ReadFile", 9);
	/* exports: 2 functions, one named */
	set_dir(VG_PE_DIR_EXPORT, SEC_RVA + 0x200, 40);
	size_t e = SEC_OFF + 0x200;
	put32(e + 12, SEC_RVA + 0x280);
	put32(e + 16, 5);
	put32(e + 20, 2);
	put32(e + 24, 1);
	put32(e + 28, SEC_RVA + 0x240);
	put32(e + 32, SEC_RVA + 0x250);
	put32(e + 36, SEC_RVA + 0x260);
	put32(SEC_OFF + 0x240, 0x1111);
	put32(SEC_OFF + 0x244, 0x2222);
	put32(SEC_OFF + 0x250, SEC_RVA + 0x290);
	put16(SEC_OFF + 0x260, 1);
	memcpy(img + SEC_OFF + 0x280, "t.dll", 6);
	memcpy(img + SEC_OFF + 0x290, "vigil_add", 10);
	vg_pe *pe = parse_ok(VG_PE_ALL, VIGIL_OK);
	assert_int_equal(pe->nimport_dlls, 1);
	assert_int_equal(pe->nimports, 2);
	assert_string_equal(pe->imports[0].dll, "KERNEL32.dll");
	assert_string_equal(pe->imports[0].name, "ReadFile");
	assert_true(pe->imports[1].by_ordinal);
	assert_int_equal(pe->imports[1].ordinal, 7);
	assert_null(pe->imports[1].name);
	assert_int_equal(pe->nexports, 2);
	assert_null(pe->exports[0].name);
	assert_int_equal(pe->exports[0].ordinal, 5);
	assert_string_equal(pe->exports[1].name, "vigil_add");
	assert_int_equal(pe->exports[1].rva, 0x2222);
	assert_string_equal(pe->export_dll_name, "t.dll");
	vg_pe_free(pe);
	/* a thunk list with no terminator running to the end of the section */
	memset(img + SEC_OFF + 0x80, 0x41, SEC_SIZE - 0x80);
	pe = parse_ok(VG_PE_IMPORTS, VIGIL_WARN);
	assert_true(pe->anomalies & VG_PE_ANOM_IMPORTS_BAD);
	vg_pe_free(pe);
}

static void test_entropy(void **state)
{
	uint8_t b[512];
	memset(b, 0, sizeof b);
	assert_true(vg_entropy(b, sizeof b) == 0.0);
	assert_true(vg_entropy(b, 0) == 0.0);
	for (int i = 0; i < 512; i++)
		b[i] = (uint8_t)(i & 1);
	assert_true(vg_entropy(b, 512) > 0.999 && vg_entropy(b, 512) < 1.001);
	for (int i = 0; i < 512; i++)
		b[i] = (uint8_t)i;
	assert_true(vg_entropy(b, 512) > 7.999);
}

/* The checksum as the PE specification describes it: fold after every word. */
static uint32_t naive_checksum(const uint8_t *b, size_t len, size_t cks)
{
	uint32_t sum = 0;
	for (size_t i = 0; i < len; i += 2) {
		unsigned lo = (i >= cks && i < cks + 4) ? 0 : b[i];
		unsigned hi = i + 1 < len && !(i + 1 >= cks && i + 1 < cks + 4) ? b[i + 1] : 0;
		sum += lo | hi << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum + (uint32_t)len;
}

static void test_checksum(void **state)
{
	uint8_t r[301];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof r; i++) {
		x = x * 1103515245u + 12345u;
		r[i] = (uint8_t)(x >> 16 | 0xf0); /* many carries */
	}
	for (size_t n = 0; n <= sizeof r; n += 7)
		for (size_t c = 0; c < n + 8; c += 3)
			assert_int_equal(vg_pe_checksum(r, n, c), naive_checksum(r, n, c));
	const uint8_t a[8] = {1, 0, 2, 0, 3, 0, 4, 0};
	assert_int_equal(vg_pe_checksum(a, 8, 100), 10 + 8);
	assert_int_equal(vg_pe_checksum(a, 8, 0), 3 + 4 + 8);  /* field = first 4 bytes */
	assert_int_equal(vg_pe_checksum(a, 7, 100), 10 + 7);   /* odd length */
	const uint8_t c[4] = {0xff, 0xff, 0x02, 0x00};          /* carry folds */
	assert_int_equal(vg_pe_checksum(c, 4, 100), 2 + 4);
	const uint8_t odd[6] = {0, 9, 9, 9, 9, 5}; /* field at an odd offset */
	assert_int_equal(vg_pe_checksum(odd, 6, 1), 0x0500 + 6);
}

static void test_der(void **state)
{
	uint64_t h, b;
	const uint8_t l2[] = {0x30, 0x82, 0x01, 0x00};
	uint8_t big[4 + 256] = {0x30, 0x82, 0x01, 0x00};
	assert_int_equal(vg_der_header(big, sizeof big, 0, &h, &b), VG_PE_DER_OK);
	assert_int_equal(h, 4);
	assert_int_equal(b, 256);
	assert_int_equal(vg_der_header(l2, sizeof l2, 0, &h, &b), VG_PE_DER_PAST_ENTRY);
	const uint8_t s[] = {0x30, 0x03, 1, 2, 3};
	assert_int_equal(vg_der_header(s, sizeof s, 0, &h, &b), VG_PE_DER_OK);
	assert_int_equal(h, 2);
	assert_int_equal(b, 3);
	const uint8_t ind[] = {0x30, 0x80, 0, 0};
	assert_int_equal(vg_der_header(ind, sizeof ind, 0, &h, &b), VG_PE_DER_INDEFINITE);
	const uint8_t set[] = {0x31, 0x00};
	assert_int_equal(vg_der_header(set, sizeof set, 0, &h, &b), VG_PE_DER_NOT_SEQUENCE);
	const uint8_t five[] = {0x30, 0x85, 1, 1, 1, 1, 1};
	assert_int_equal(vg_der_header(five, sizeof five, 0, &h, &b), VG_PE_DER_BAD_LENGTH);
	const uint8_t huge[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff};
	assert_int_equal(vg_der_header(huge, sizeof huge, 0, &h, &b), VG_PE_DER_PAST_ENTRY);
	const uint8_t cut[] = {0x30, 0x82, 0x01};
	assert_int_equal(vg_der_header(cut, sizeof cut, 0, &h, &b), VG_PE_DER_BAD_LENGTH);
	assert_int_equal(vg_der_header(cut, 1, 0, &h, &b), VG_PE_DER_BAD_LENGTH);
	assert_int_equal(vg_der_header(cut, sizeof cut, 99, &h, &b), VG_PE_DER_BAD_LENGTH);
}

/* Append a WIN_CERTIFICATE with a DER SEQUENCE of body bytes and extra
 * bytes after it; returns the entry's length. */
static uint32_t add_cert(size_t body, const uint8_t *extra, size_t nextra, uint32_t dwlen)
{
	size_t off = img_len;
	uint32_t l = (uint32_t)(8 + 4 + body + nextra);
	put32(off, dwlen ? dwlen : l);
	put16(off + 4, 0x0200);
	put16(off + 6, 2);
	img[off + 8] = 0x30;
	img[off + 9] = 0x82;
	img[off + 10] = (uint8_t)(body >> 8);
	img[off + 11] = (uint8_t)body;
	memset(img + off + 12, 0x55, body);
	if (nextra)
		memcpy(img + off + 12 + body, extra, nextra);
	img_len += (l + 7) & ~7u;
	return l;
}

struct collected {
	char ids[16][48];
	int scores[16];
	int n;
};

static void collect(void *ctx, const vigil_finding *f)
{
	struct collected *c = ctx;
	assert_string_equal(f->kind, "tamper");
	assert_non_null(f->message);
	if (c->n < 16) {
		snprintf(c->ids[c->n], sizeof c->ids[0], "%s", f->id);
		c->scores[c->n++] = f->score;
	}
}

static int has(const struct collected *c, const char *id)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->ids[i], id))
			return c->scores[i];
	return -1;
}

static void test_cert_table(void **state)
{
	/* two entries, the second with slack holding the tag */
	build_pe(1);
	uint8_t tagged[16] = {0xfe, 0xed, 0xfa, 0xce, 0xfe, 0xed, 0xfa, 0xce, 'x', 'y'};
	uint32_t l1 = add_cert(100, NULL, 0, 0);
	add_cert(60, tagged, sizeof tagged, 0);
	set_dir(VG_PE_DIR_SECURITY, IMG, (uint32_t)(img_len - IMG));
	vg_pe *pe = parse_ok(0, VIGIL_OK);
	assert_true(pe->signed_);
	assert_int_equal(pe->ncerts, 2);
	assert_int_equal(pe->certs[0].length, l1);
	assert_int_equal(pe->certs[0].der, VG_PE_DER_OK);
	assert_int_equal(pe->certs[0].der_len, 104);
	assert_true(pe->certs[0].slack_len <= pe->certs[0].pad_allowed);
	assert_int_equal(pe->certs[0].slack_nonzero, 0);
	assert_int_equal(pe->certs[1].slack_nonzero, 10);
	assert_int_equal(pe->after_cert_len, 0);
	vg_pe_free(pe);
	/* the checker: the slack with the tag is an alert; no PKCS#7 parses */
	struct collected c = {.n = 0};
	vg_check_pe(img, img_len, collect, &c);
	assert_true(has(&c, "VGL-PE-CERT-SLACK") >= 90);
	assert_true(has(&c, "VGL-PE-CERT-DER-MALFORMED") >= 0);

	/* directory outside the file; huge size does not overflow */
	build_pe(1);
	set_dir(VG_PE_DIR_SECURITY, 0xfffffff8u, 0xffffffffu);
	pe = parse_ok(0, VIGIL_WARN);
	assert_true(pe->anomalies & VG_PE_ANOM_CERT_PAST_EOF);
	assert_int_equal(pe->ncerts, 0);
	vg_pe_free(pe);
	c.n = 0;
	vg_check_pe(img, img_len, collect, &c);
	assert_int_equal(c.n, 1);
	assert_true(has(&c, "VGL-PE-CERT-TABLE-BOUNDS") >= 0);

	/* unaligned, overlapping the section, dwLength of 0 */
	build_pe(1);
	set_dir(VG_PE_DIR_SECURITY, SEC_OFF + 4, 64);
	pe = parse_ok(0, VIGIL_WARN);
	assert_true(pe->anomalies & VG_PE_ANOM_CERT_UNALIGNED);
	assert_true(pe->anomalies & VG_PE_ANOM_CERT_IN_IMAGE);
	assert_true(pe->anomalies & VG_PE_ANOM_CERT_SIZE);
	vg_pe_free(pe);

	/* dwLength larger than the directory; DER running past dwLength */
	build_pe(1);
	add_cert(100, NULL, 0, 4096);
	set_dir(VG_PE_DIR_SECURITY, IMG, (uint32_t)(img_len - IMG));
	pe = parse_ok(0, VIGIL_WARN);
	assert_true(pe->anomalies & VG_PE_ANOM_CERT_SIZE);
	vg_pe_free(pe);
	build_pe(1);
	add_cert(100, NULL, 0, 8 + 50);
	set_dir(VG_PE_DIR_SECURITY, IMG, (uint32_t)(img_len - IMG));
	pe = parse_ok(0, VIGIL_WARN); /* the padding beyond dwLength is not in the size */
	assert_int_equal(pe->certs[0].der, VG_PE_DER_PAST_ENTRY);
	vg_pe_free(pe);

	/* the last entry's padding left out of the size: fine */
	build_pe(1);
	add_cert(101, NULL, 0, 0); /* dwLength 113, padded to 120 */
	set_dir(VG_PE_DIR_SECURITY, IMG, 113);
	img_len = IMG + 113;
	pe = parse_ok(0, VIGIL_OK);
	assert_int_equal(pe->ncerts, 1);
	vg_pe_free(pe);

	/* an entry that is not PKCS_SIGNED_DATA, unknown revision */
	build_pe(1);
	add_cert(100, NULL, 0, 0);
	put16(IMG + 4, 0x0300);
	put16(IMG + 6, 1);
	set_dir(VG_PE_DIR_SECURITY, IMG, (uint32_t)(img_len - IMG));
	pe = parse_ok(0, VIGIL_OK);
	assert_int_equal(pe->certs[0].der, VG_PE_DER_NOT_PKCS);
	vg_pe_free(pe);
	c.n = 0;
	vg_check_pe(img, img_len, collect, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(has(&c, "VGL-PE-CERT-TYPE"), 40);

	/* many tiny entries: capped */
	build_pe(1);
	for (int i = 0; i < 40; i++) {
		put32(img_len, 8);
		put16(img_len + 4, 0x200);
		put16(img_len + 6, 2);
		img_len += 8;
	}
	set_dir(VG_PE_DIR_SECURITY, IMG, (uint32_t)(img_len - IMG));
	pe = parse_ok(0, VIGIL_WARN);
	assert_int_equal(pe->ncerts, VG_PE_MAX_CERTS);
	assert_true(pe->anomalies & VG_PE_ANOM_CERT_CAPPED);
	vg_pe_free(pe);
}

static void test_authenticode_garbage(void **state)
{
	build_pe(1);
	add_cert(200, NULL, 0, 0);
	set_dir(VG_PE_DIR_SECURITY, IMG, (uint32_t)(img_len - IMG));
	vg_pe *pe = parse_ok(0, VIGIL_OK);
	vg_authenticode ac;
	assert_int_equal(vg_authenticode_verify(img, img_len, pe, NULL, &ac), VIGIL_WARN);
	assert_int_equal(ac.nsigs, 1);
	assert_string_equal(ac.sigs[0].error, "malformed PKCS#7");
	vg_authenticode_clear(&ac);
	/* the digest itself is computable, and changes with a byte of a section */
	uint8_t d1[EVP_MAX_MD_SIZE], d2[EVP_MAX_MD_SIZE];
	unsigned l1, l2;
	assert_true(vg_authenticode_digest(img, img_len, pe, EVP_sha256(), d1, &l1));
	put32(pe->checksum_off, 0x12345678); /* excluded */
	assert_true(vg_authenticode_digest(img, img_len, pe, EVP_sha256(), d2, &l2));
	assert_memory_equal(d1, d2, l1);
	img[SEC_OFF + 7] ^= 1;
	assert_true(vg_authenticode_digest(img, img_len, pe, EVP_sha256(), d2, &l2));
	assert_memory_not_equal(d1, d2, l1);
	vg_pe_free(pe);
	assert_int_equal(vg_authenticode_verify(img, img_len, &(vg_pe){0}, NULL, &ac),
			 VIGIL_FAILED);
}

static void test_not_pe(void **state)
{
	struct collected c = {.n = 0};
	const uint8_t text[] = "MZ is not enough";
	vg_check_pe(text, sizeof text, collect, &c);
	vg_check_pe(text, 0, collect, &c);
	build_pe(1); /* unsigned */
	vg_check_pe(img, img_len, collect, &c);
	assert_int_equal(c.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_lfanew),
		cmocka_unit_test(test_section_count),
		cmocka_unit_test(test_resource_loops),
		cmocka_unit_test(test_version_resource),
		cmocka_unit_test(test_imports_exports),
		cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_der),
		cmocka_unit_test(test_cert_table),
		cmocka_unit_test(test_authenticode_garbage),
		cmocka_unit_test(test_not_pe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
