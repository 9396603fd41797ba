/*
 * The facts of one component (lib/diff/diff_facts.c) on a PE32+ built
 * here byte by byte: TLS callbacks counted through the TLS directory, the
 * CodeView PDB path, the section flags and the entry section, the
 * imports-based capabilities; every truncation of it parses without a
 * fault. And the capability table's line format (lib/diff/diff_caps.c):
 * malformed lines named by file and line and skipped, the import glob
 * rule, derivation sorted and unique.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "diff/diff_internal.h"
#include "formats/byteread.h"
#include "test_files.h"

enum { OPT = 0x58, DIRS = OPT + 112, SECTAB = OPT + 240, SEC_OFF = 0x200, SEC_RVA = 0x1000,
       SEC_SIZE = 0x400, IMG = SEC_OFF + SEC_SIZE };
#define BASE 0x180000000ull
#define TLS_RVA 0x1000u   /* IMAGE_TLS_DIRECTORY64 */
#define CBS_RVA 0x1100u   /* its callback array */
#define DBG_RVA 0x1200u   /* one IMAGE_DEBUG_DIRECTORY */
#define CV_RVA 0x1300u    /* the RSDS record */
#define PDB "C:\\build\\codec.pdb"

static uint8_t img[IMG];

static void put16(size_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
	vg_put_le32(img + off, v);
}

static void put64(size_t off, uint64_t v)
{
	put32(off, (uint32_t)v);
	put32(off + 4, (uint32_t)(v >> 32));
}

static size_t file_of(uint32_t rva)
{
	return rva - SEC_RVA + SEC_OFF;
}

static void build(int ncallbacks)
{
	memset(img, 0, sizeof img);
	img[0] = 'M';
	img[1] = 'Z';
	put32(0x3c, 0x40);
	memcpy(img + 0x40, "PE\0\0", 4);
	put16(0x44, 0x8664);
	put16(0x46, 1);
	put16(0x54, 240);
	put16(0x56, 0x2022);
	put16(OPT, 0x20b);
	put32(OPT + 16, SEC_RVA + 0x10); /* entry inside the section */
	put64(OPT + 24, BASE);
	put32(OPT + 32, 0x1000);
	put32(OPT + 36, 0x200);
	put32(OPT + 56, 0x2000);
	put32(OPT + 60, 0x200);
	put16(OPT + 68, 2);
	put32(OPT + 108, 16);
	memcpy(img + SECTAB, ".text", 5);
	put32(SECTAB + 8, SEC_SIZE);
	put32(SECTAB + 12, SEC_RVA);
	put32(SECTAB + 16, SEC_SIZE);
	put32(SECTAB + 20, SEC_OFF);
	put32(SECTAB + 36, 0xE0000020u); /* code, read, write, execute */
	/* TLS directory 9: AddressOfCallBacks (a VA) at +24 */
	put32(DIRS + 8 * 9, TLS_RVA);
	put32(DIRS + 8 * 9 + 4, 40);
	put64(file_of(TLS_RVA) + 24, BASE + CBS_RVA);
	for (int i = 0; i < ncallbacks; i++)
		put64(file_of(CBS_RVA) + 8 * (size_t)i, BASE + SEC_RVA + 0x20 + (uint64_t)i);
	/* debug directory 6: one CodeView entry */
	put32(DIRS + 8 * 6, DBG_RVA);
	put32(DIRS + 8 * 6 + 4, 28);
	size_t d = file_of(DBG_RVA);
	put32(d + 12, 2);
	put32(d + 16, 24 + (uint32_t)sizeof PDB);
	put32(d + 20, CV_RVA);
	put32(d + 24, (uint32_t)file_of(CV_RVA));
	memcpy(img + file_of(CV_RVA), "RSDS", 4);
	memcpy(img + file_of(CV_RVA) + 24, PDB, sizeof PDB);
}

static void test_pe_facts(void **state)
{
	(void)state;
	build(2);
	json_t *f = vg_diff_facts(img, sizeof img, NULL);
	assert_non_null(f);
	assert_string_equal(vg_jstr(f, "format"), "pe");
	assert_int_equal(vg_jint(f, "size"), IMG);
	assert_int_equal(vg_jint(f, "tls_callbacks"), 2);
	assert_string_equal(vg_jstr(f, "toolchain"), "pdb=" PDB ";rich=");
	assert_string_equal(vg_jstr(f, "entry_section"), ".text");
	json_t *s0 = json_array_get(json_object_get(f, "sections"), 0);
	assert_string_equal(vg_jstr(s0, "flags"), "rwx");
	assert_null(json_object_get(f, "signature"));
	assert_int_equal(strlen(vg_jstr(f, "sha256")), 64);
	json_decref(f);
	build(0);
	f = vg_diff_facts(img, sizeof img, NULL);
	assert_int_equal(vg_jint(f, "tls_callbacks"), 0);
	json_decref(f);
	/* callbacks pointing outside the image count as none */
	build(1);
	put64(file_of(TLS_RVA) + 24, BASE + 0x900000);
	f = vg_diff_facts(img, sizeof img, NULL);
	assert_int_equal(vg_jint(f, "tls_callbacks"), 0);
	json_decref(f);
}

static void test_every_truncation(void **state)
{
	(void)state;
	build(3);
	for (size_t n = 0; n <= sizeof img; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, img, n);
		json_t *f = vg_diff_facts(copy, n, NULL);
		assert_non_null(f);
		assert_int_equal(vg_jint(f, "size"), (int64_t)n);
		json_decref(f);
		free(copy);
	}
}

static void test_not_executable(void **state)
{
	(void)state;
	static const uint8_t text[] = "just some text with http://example.com/x in it";
	json_t *f = vg_diff_facts(text, sizeof text - 1, NULL);
	assert_string_equal(vg_jstr(f, "format"), "data");
	assert_null(json_object_get(f, "urls")); /* only executables are read for strings */
	json_decref(f);
}

/* This test program, an ELF linked against glibc: its undefined symbols
 * carry the versions they need, and its entry point is in .text. */
static void test_elf_self(void **state)
{
	(void)state;
	FILE *f = fopen("/proc/self/exe", "rb");
	if (!f)
		skip();
	static uint8_t buf[64 << 20];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	json_t *o = vg_diff_facts(buf, n, NULL);
	assert_string_equal(vg_jstr(o, "format"), "elf");
	assert_string_equal(vg_jstr(o, "entry_section"), ".text");
	size_t i, versioned = 0;
	json_t *v;
	json_array_foreach(json_object_get(o, "imports"), i, v) {
		const char *s = json_string_value(v);
		if (!strncmp(s, "needed:", 7))
			continue;
		if (strstr(s, "@GLIBC_"))
			versioned++;
	}
	assert_true(versioned > 0);
	json_decref(o);
}

static int ndiag;
static unsigned long diag_lines[16];

static void diag(void *ctx, const vigil_diag *d)
{
	(void)ctx;
	if (ndiag < 16)
		diag_lines[ndiag] = d->line;
	ndiag++;
	assert_non_null(d->file);
}

static void test_caps_table(void **state)
{
	(void)state;
	char dir[256], path[300];
	/* a private directory inside VIGIL_TEST_TMP when it exists (never
	 * created here: its mode is the suite's), else inside /tmp */
	struct stat st;
	const char *base = getenv("VIGIL_TEST_TMP");
	if (!base || stat(base, &st) != 0 || !S_ISDIR(st.st_mode))
		base = "/tmp";
	snprintf(dir, sizeof dir, "%s/diffcaps.XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/capabilities.tab", dir);
	static const char tab[] =
		"# comment\n"
		"\n"
		"mem.exec medium import:*!virtualprotect*\n"
		"net.http low string:NSURLSession\n"
		"bad.level severe import:x\n"                 /* line 5 */
		"bad.term low export:x\n"                     /* line 6 */
		"bad.join low import:a import:b\n"            /* line 7 */
		"bad.end low import:a &\n"                    /* line 8 */
		"sib high import:*!getmodulefilename* & import:*!readfile\n"
		"proc.exec high import:system\n"
		"proc.exec medium import:*!createprocess*\n";
	test_write_file(path, tab, sizeof tab - 1);
	vg_caps c;
	ndiag = 0;
	assert_int_equal(vg_caps_load(&c, dir, diag, NULL), 0);
	/* four malformed lines, named; models.tab missing: one more warning */
	assert_int_equal(ndiag, 5);
	assert_int_equal(diag_lines[0], 5);
	assert_int_equal(diag_lines[1], 6);
	assert_int_equal(diag_lines[2], 7);
	assert_int_equal(diag_lines[3], 8);
	assert_int_equal(c.ncaps, 5);
	assert_int_equal(c.nmodels, 0);
	assert_int_equal(c.nstrings, 1);
	assert_int_equal(vg_caps_level(&c, "proc.exec"), VIGIL_DLEVEL_HIGH);
	assert_int_equal(vg_caps_level(&c, "unknown"), VIGIL_DLEVEL_INFO);
	json_t *imports = json_pack("[sss]", "KERNEL32.dll!VirtualProtectEx", "kernel32.dll!ReadFile",
				    "system@GLIBC_2.2.5");
	json_t *out = json_array();
	unsigned char hits[1] = {0};
	assert_int_equal(vg_caps_derive(&c, imports, hits, out), 0);
	char *s = json_dumps(out, JSON_COMPACT);
	assert_string_equal(s, "[\"mem.exec\",\"proc.exec\"]");
	free(s);
	json_decref(out);
	/* the sibling read needs both imports; the string term its hit */
	json_array_append_new(imports, json_string("kernel32.dll!GetModuleFileNameW"));
	hits[0] = 1;
	out = json_array();
	assert_int_equal(vg_caps_derive(&c, imports, hits, out), 0);
	s = json_dumps(out, JSON_COMPACT);
	assert_string_equal(s, "[\"mem.exec\",\"net.http\",\"proc.exec\",\"sib\"]");
	free(s);
	json_decref(out);
	json_decref(imports);
	vg_caps_free(&c);
	unlink(path);
	rmdir(dir);
	/* glob rule: with '!' the whole import, without it the function */
	assert_true(vg_caps_import_match("*!connect", "WS2_32.dll!connect"));
	assert_true(vg_caps_import_match("connect", "ws2_32.dll!connect"));
	assert_true(vg_caps_import_match("system", "system@GLIBC_2.2.5"));
	assert_false(vg_caps_import_match("ws2_32.dll!*", "kernel32.dll!connect"));
	assert_false(vg_caps_import_match("system", "systemd_notify"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pe_facts),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_not_executable),
		cmocka_unit_test(test_elf_self),
		cmocka_unit_test(test_caps_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
