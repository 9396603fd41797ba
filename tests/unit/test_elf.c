/*
 * ELF anatomy (lib/formats/elf.c) and the VGL-ELF-APPENDED check.
 *
 * Fixtures: (1) ELF files built byte by byte here, in all four class/byte
 * order combinations, with known segments, sections, PT_INTERP, DT_NEEDED,
 * DT_SONAME and a GNU build-id, then damaged on purpose (truncated, absurd
 * e_shnum, e_shoff past the end, bad entry sizes); (2) a program and a
 * shared library compiled with `cc` in VIGIL_TEST_TMP (skipped when no
 * compiler works). Every parse runs on a read-only mapping, so a write into
 * the caller's buffer (libelf converts in place when given memory) would
 * crash the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks/checks_internal.h"
#include "formats/elf.h"
#include "base/util.h"

/* ---- read-only copies ---- */

struct ro {
	uint8_t *p;
	size_t len, maplen;
};

/* A copy of b in its own read-only mapping. */
static struct ro ro_copy(const uint8_t *b, size_t len)
{
	struct ro r = {NULL, len, len ? len : 1};
	void *m = mmap(NULL, r.maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	memcpy(m, b, len);
	assert_int_equal(mprotect(m, r.maplen, PROT_READ), 0);
	r.p = m;
	return r;
}

static void ro_free(struct ro *r)
{
	munmap(r->p, r->maplen);
}

static int parse_ro(const uint8_t *b, size_t len, vg_elf **out)
{
	struct ro r = ro_copy(b, len);
	int st = vg_elf_parse(r.p, len, out);
	ro_free(&r);
	return st;
}

/* ---- findings ---- */

struct got {
	int n;
	int score;
	char id[64];
	char msg[512];
};

static void on_finding(void *ctx, const vigil_finding *f)
{
	struct got *g = ctx;
	g->n++;
	g->score = f->score;
	snprintf(g->id, sizeof g->id, "%s", f->id);
	snprintf(g->msg, sizeof g->msg, "%s", f->message);
	assert_string_equal(f->kind, "tamper");
	assert_true(f->score >= 0 && f->score <= 100);
}

static struct got check(const uint8_t *b, size_t len)
{
	struct got g = {0};
	struct ro r = ro_copy(b, len);
	vg_check_elf(r.p, len, on_finding, &g);
	ro_free(&r);
	return g;
}

/* ---- a hand-built ELF ---- */

struct w {
	uint8_t *b;
	int is64, big;
};

static void put(struct w *w, size_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		w->b[off + (size_t)i] = (uint8_t)(v >> (8 * (w->big ? n - 1 - i : i)));
}

static void put16(struct w *w, size_t off, uint64_t v) { put(w, off, v, 2); }
static void put32(struct w *w, size_t off, uint64_t v) { put(w, off, v, 4); }
static void putaddr(struct w *w, size_t off, uint64_t v) { put(w, off, v, w->is64 ? 8 : 4); }

#define OFF_PH 0x40
#define OFF_INTERP 0x200
#define OFF_DYNSTR 0x240
#define OFF_DYN 0x280
#define OFF_NOTE 0x300
#define OFF_SHSTR 0x340
#define OFF_SH 0x3c0
#define NSEC 6
#define MACHINE_OF(is64, big) ((big) ? ((is64) ? 21 : 20) : ((is64) ? 62 : 3))

static const char INTERP[] = "/lib/ld-vigil.so.1";
static const char DYNSTR[] = "\0libfoo.so.2\0libbar.so\0libvigil.so.7";
static const char SHSTR[] = "\0.interp\0.dynstr\0.dynamic\0.note.gnu.build-id\0.shstrtab";

/* The position of name in a NUL-separated table. */
static size_t stroff(const char *tab, size_t tablen, const char *name)
{
	for (size_t i = 1; i < tablen; i += strlen(tab + i) + 1)
		if (strcmp(tab + i, name) == 0)
			return i;
	fail_msg("'%s' not in table", name);
	return 0;
}

static void section(struct w *w, int i, const char *name, uint32_t type, uint64_t off,
		    uint64_t size, uint32_t link, uint64_t align)
{
	size_t s = OFF_SH + (size_t)i * (w->is64 ? 64 : 40);
	put32(w, s, stroff(SHSTR, sizeof SHSTR, name));
	put32(w, s + 4, type);
	putaddr(w, s + (w->is64 ? 24 : 16), off);
	putaddr(w, s + (w->is64 ? 32 : 20), size);
	put32(w, s + (w->is64 ? 40 : 24), link);
	putaddr(w, s + (w->is64 ? 48 : 32), align);
	putaddr(w, s + (w->is64 ? 16 : 12), off); /* sh_addr == offset */
}

static void segment(struct w *w, int i, uint32_t type, uint32_t flags, uint64_t off,
		    uint64_t size, uint64_t align)
{
	size_t p = OFF_PH + (size_t)i * (w->is64 ? 56 : 32);
	put32(w, p, type);
	if (w->is64) {
		put32(w, p + 4, flags);
		putaddr(w, p + 8, off);
		putaddr(w, p + 16, off);
		putaddr(w, p + 24, off);
		putaddr(w, p + 32, size);
		putaddr(w, p + 40, size);
		putaddr(w, p + 48, align);
	} else {
		putaddr(w, p + 4, off);
		putaddr(w, p + 8, off);
		putaddr(w, p + 12, off);
		putaddr(w, p + 16, size);
		putaddr(w, p + 20, size);
		put32(w, p + 24, flags);
		putaddr(w, p + 28, align);
	}
}

/* Build the test ELF into a new buffer of *len bytes (room for extra more). */
static uint8_t *build_elf(int is64, int big, size_t *len, size_t extra)
{
	size_t shent = is64 ? 64 : 40;
	*len = OFF_SH + NSEC * shent;
	struct w w = {calloc(1, *len + extra), is64, big};
	assert_non_null(w.b);
	memcpy(w.b, "\177ELF", 4);
	w.b[4] = is64 ? 2 : 1;
	w.b[5] = big ? 2 : 1;
	w.b[6] = 1;
	put16(&w, 16, 3); /* ET_DYN */
	put16(&w, 18, MACHINE_OF(is64, big));
	put32(&w, 20, 1);
	putaddr(&w, 24, 0x1234);
	putaddr(&w, is64 ? 32 : 28, OFF_PH);
	putaddr(&w, is64 ? 40 : 32, OFF_SH);
	put16(&w, is64 ? 52 : 40, is64 ? 64 : 52);
	put16(&w, is64 ? 54 : 42, is64 ? 56 : 32);
	put16(&w, is64 ? 56 : 44, 4);
	put16(&w, is64 ? 58 : 46, shent);
	put16(&w, is64 ? 60 : 48, NSEC);
	put16(&w, is64 ? 62 : 50, NSEC - 1);

	segment(&w, 0, 1 /* LOAD */, 5, 0, OFF_SH, 0x1000);
	segment(&w, 1, 3 /* INTERP */, 4, OFF_INTERP, sizeof INTERP, 1);
	size_t dynent = is64 ? 16 : 8, ndyn = 6;
	segment(&w, 2, 2 /* DYNAMIC */, 6, OFF_DYN, ndyn * dynent, is64 ? 8 : 4);
	segment(&w, 3, 4 /* NOTE */, 4, OFF_NOTE, 36, 4);

	memcpy(w.b + OFF_INTERP, INTERP, sizeof INTERP);
	memcpy(w.b + OFF_DYNSTR, DYNSTR, sizeof DYNSTR);
	uint64_t dyn[6][2] = {
		{1, stroff(DYNSTR, sizeof DYNSTR, "libfoo.so.2")},
		{1, stroff(DYNSTR, sizeof DYNSTR, "libbar.so")},
		{14, stroff(DYNSTR, sizeof DYNSTR, "libvigil.so.7")},
		{5, OFF_DYNSTR},
		{10, sizeof DYNSTR},
		{0, 0},
	};
	for (size_t i = 0; i < ndyn; i++) {
		putaddr(&w, OFF_DYN + i * dynent, dyn[i][0]);
		putaddr(&w, OFF_DYN + i * dynent + dynent / 2, dyn[i][1]);
	}
	put32(&w, OFF_NOTE, 4);
	put32(&w, OFF_NOTE + 4, 20);
	put32(&w, OFF_NOTE + 8, 3); /* NT_GNU_BUILD_ID */
	memcpy(w.b + OFF_NOTE + 12, "GNU", 4);
	for (int i = 0; i < 20; i++)
		w.b[OFF_NOTE + 16 + i] = (uint8_t)(i + 1);
	memcpy(w.b + OFF_SHSTR, SHSTR, sizeof SHSTR);

	section(&w, 1, ".interp", 1, OFF_INTERP, sizeof INTERP, 0, 1);
	section(&w, 2, ".dynstr", 3, OFF_DYNSTR, sizeof DYNSTR, 0, 1);
	section(&w, 3, ".dynamic", 6, OFF_DYN, ndyn * dynent, 2, is64 ? 8 : 4);
	section(&w, 4, ".note.gnu.build-id", 7, OFF_NOTE, 36, 0, 4);
	section(&w, 5, ".shstrtab", 3, OFF_SHSTR, sizeof SHSTR, 0, 1);
	return w.b;
}

static void set_field(uint8_t *b, size_t off, uint64_t v, int n)
{
	struct w w = {b, b[4] == 2, b[5] == 2};
	put(&w, off, v, n);
}

/* ---- tests ---- */

static void assert_test_elf(const vg_elf *e, int is64, int big, size_t len)
{
	assert_int_equal(e->layout.is64, is64);
	assert_int_equal(e->layout.big_endian, big);
	assert_int_equal(e->layout.type, 3);
	assert_int_equal(e->layout.machine, MACHINE_OF(is64, big));
	assert_int_equal(e->layout.entry, 0x1234);
	assert_true(e->layout.complete);
	assert_int_equal(e->layout.data_end, len);
	assert_int_equal(e->appended_len, 0);

	assert_int_equal(e->nsegments, 4);
	assert_int_equal(e->segments[0].type, 1);
	assert_int_equal(e->segments[0].flags, 5);
	assert_int_equal(e->segments[0].filesz, OFF_SH);
	assert_int_equal(e->segments[2].type, 2);
	assert_int_equal(e->segments[2].offset, OFF_DYN);
	assert_string_equal(vg_elf_segment_type_name(e->segments[1].type), "INTERP");

	assert_int_equal(e->nsections, NSEC - 1);
	const char *names[] = {".interp", ".dynstr", ".dynamic", ".note.gnu.build-id", ".shstrtab"};
	for (size_t i = 0; i < NSEC - 1; i++)
		assert_string_equal(e->sections[i].name, names[i]);
	assert_int_equal(e->sections[3].type, 7);
	assert_int_equal(e->sections[3].offset, OFF_NOTE);
	assert_int_equal(e->sections[3].size, 36);
	assert_true(e->sections[0].entropy > 3.0 && e->sections[0].entropy <= 8.0);

	assert_non_null(e->interp);
	assert_string_equal(e->interp, INTERP);
	assert_int_equal(e->nneeded, 2);
	assert_string_equal(e->needed[0], "libfoo.so.2");
	assert_string_equal(e->needed[1], "libbar.so");
	assert_non_null(e->soname);
	assert_string_equal(e->soname, "libvigil.so.7");
	assert_int_equal(e->build_id_len, 20);
	for (int i = 0; i < 20; i++)
		assert_int_equal(e->build_id[i], i + 1);
}

static void test_handmade_all_orders(void **state)
{
	for (int is64 = 0; is64 < 2; is64++) {
		for (int big = 0; big < 2; big++) {
			size_t len;
			uint8_t *b = build_elf(is64, big, &len, 0);
			vg_elf *e;
			int st = parse_ro(b, len, &e);
			if (st != VIGIL_OK)
				fail_msg("class %d big %d: status %d, anomalies 0x%x", is64 ? 64 : 32,
					 big, st, e ? e->anomalies : 0);
			assert_test_elf(e, is64, big, len);
			vg_elf_free(e);
			assert_int_equal(check(b, len).n, 0);
			free(b);
		}
	}
}

static void test_not_elf(void **state)
{
	const uint8_t junk[64] = "MZ this is not an ELF file at all, just bytes...";
	vg_elf *e;
	assert_false(vg_elf_sniff(junk, sizeof junk));
	assert_int_equal(parse_ro(junk, sizeof junk, &e), VIGIL_FAILED);
	assert_non_null(e);
	assert_string_equal(e->error, "not an ELF file");
	vg_elf_free(e);
	/* a bad class byte is not ELF either */
	size_t len;
	uint8_t *b = build_elf(1, 0, &len, 0);
	b[4] = 3;
	assert_int_equal(parse_ro(b, len, &e), VIGIL_FAILED);
	vg_elf_free(e);
	assert_int_equal(check(b, len).n, 0);
	free(b);
}

static void test_truncated(void **state)
{
	for (int is64 = 0; is64 < 2; is64++) {
		size_t len;
		uint8_t *b = build_elf(is64, 1, &len, 0);
		vg_elf *e;
		/* inside the file header */
		assert_int_equal(parse_ro(b, is64 ? 60 : 50, &e), VIGIL_FAILED);
		assert_string_equal(e->error, is64 ? "truncated ELF header" : "not an ELF file");
		vg_elf_free(e);
		/* every cut point: never a crash, never a claim beyond the cut */
		for (size_t cut = 0; cut < len; cut += 7) {
			int st = parse_ro(b, cut, &e);
			assert_true(st == VIGIL_FAILED || st == VIGIL_WARN);
			if (st == VIGIL_WARN) {
				assert_false(e->layout.complete);
				assert_int_equal(e->appended_len, 0);
				for (size_t i = 0; i < e->nsections; i++)
					if (e->sections[i].entropy >= 0)
						assert_true(e->sections[i].offset + e->sections[i].size <= cut);
			}
			vg_elf_free(e);
			assert_int_equal(check(b, cut).n, 0);
		}
		/* cut inside .dynstr: segments and PT_INTERP still read */
		assert_int_equal(parse_ro(b, OFF_DYNSTR + 4, &e), VIGIL_WARN);
		assert_true(e->anomalies & VG_ELF_ANOM_SHDRS_PAST_EOF);
		assert_true(e->anomalies & VG_ELF_ANOM_SEGMENT_PAST_EOF);
		assert_string_equal(e->interp, INTERP);
		assert_int_equal(e->nneeded, 0);
		vg_elf_free(e);
		free(b);
	}
}

static void test_absurd_section_count(void **state)
{
	size_t len;
	uint8_t *b = build_elf(1, 0, &len, 0);
	set_field(b, 60, 65000, 2); /* e_shnum */
	vg_elf *e;
	assert_int_equal(parse_ro(b, len, &e), VIGIL_WARN);
	assert_true(e->anomalies & VG_ELF_ANOM_SHDRS_PAST_EOF);
	assert_true(e->nsections * 64 <= len);
	assert_int_equal(e->nsegments, 4); /* the program headers are fine */
	assert_string_equal(e->interp, INTERP);
	vg_elf_free(e);
	assert_int_equal(check(b, len).n, 0);

	/* extended numbering: e_shnum 0, the count in section 0's sh_size */
	set_field(b, 60, 0, 2);
	set_field(b, OFF_SH + 32, 0xffffffffull, 8);
	assert_int_equal(parse_ro(b, len, &e), VIGIL_WARN);
	assert_true(e->anomalies & VG_ELF_ANOM_SECTIONS_CAPPED);
	assert_true(e->nsections <= VG_ELF_MAX_SECTIONS);
	vg_elf_free(e);
	assert_int_equal(check(b, len).n, 0);
	free(b);

	/* PN_XNUM with an absurd sh_info */
	b = build_elf(0, 1, &len, 0);
	set_field(b, 44, 0xffff, 2);
	set_field(b, OFF_SH + 28, 0x7fffffff, 4);
	assert_int_equal(parse_ro(b, len, &e), VIGIL_WARN);
	assert_true(e->anomalies & VG_ELF_ANOM_SEGMENTS_CAPPED);
	assert_true(e->nsegments <= VG_ELF_MAX_SEGMENTS);
	vg_elf_free(e);
	free(b);
}

static void test_shoff_past_end(void **state)
{
	size_t len;
	uint8_t *b = build_elf(0, 1, &len, 0);
	set_field(b, 32, len + 100, 4); /* e_shoff */
	vg_elf *e;
	assert_int_equal(parse_ro(b, len, &e), VIGIL_WARN);
	assert_true(e->anomalies & VG_ELF_ANOM_SHDRS_PAST_EOF);
	assert_false(e->layout.complete);
	assert_int_equal(e->nsections, 0);
	assert_int_equal(e->nsegments, 4);
	assert_int_equal(e->nneeded, 2); /* DT_NEEDED come from PT_DYNAMIC */
	assert_int_equal(e->build_id_len, 20);
	vg_elf_free(e);
	assert_int_equal(check(b, len).n, 0);

	/* extended numbering with section 0 out of reach: nothing is known */
	set_field(b, 48, 0, 2); /* e_shnum 0 */
	assert_int_equal(parse_ro(b, len, &e), VIGIL_WARN);
	assert_true(e->anomalies & VG_ELF_ANOM_SHDRS_PAST_EOF);
	assert_false(e->layout.complete);
	vg_elf_free(e);
	set_field(b, 48, NSEC, 2);

	/* an e_shoff that wraps around when the table size is added */
	set_field(b, 32, 0xfffffff0u, 4);
	assert_int_equal(parse_ro(b, len, &e), VIGIL_WARN);
	assert_true(e->anomalies & VG_ELF_ANOM_SHDRS_PAST_EOF);
	vg_elf_free(e);
	free(b);

	b = build_elf(1, 0, &len, 0);
	set_field(b, 40, UINT64_MAX - 8, 8);
	assert_int_equal(parse_ro(b, len, &e), VIGIL_WARN);
	assert_true(e->anomalies & VG_ELF_ANOM_SHDRS_PAST_EOF);
	vg_elf_free(e);
	assert_int_equal(check(b, len).n, 0);
	free(b);
}

static void test_bad_entsize_and_strings(void **state)
{
	size_t len;
	uint8_t *b = build_elf(1, 1, &len, 0);
	set_field(b, 58, 12, 2); /* e_shentsize too small for ELF64 */
	vg_elf *e;
	assert_int_equal(parse_ro(b, len, &e), VIGIL_WARN);
	assert_true(e->anomalies & VG_ELF_ANOM_BAD_ENTSIZE);
	vg_elf_free(e);
	assert_int_equal(check(b, len).n, 0);
	free(b);

	/* DT_NEEDED offset past DT_STRSZ; PT_INTERP without its NUL */
	b = build_elf(0, 0, &len, 0);
	set_field(b, OFF_DYN + 4, 4096, 4);
	b[OFF_INTERP + sizeof INTERP - 1] = 'X';
	set_field(b, OFF_PH + 32 + 16, sizeof INTERP, 4);
	assert_int_equal(parse_ro(b, len, &e), VIGIL_WARN);
	assert_true(e->anomalies & VG_ELF_ANOM_BAD_STRTAB);
	assert_true(e->anomalies & VG_ELF_ANOM_INTERP_BAD);
	assert_null(e->interp);
	assert_int_equal(e->nneeded, 1);
	assert_string_equal(e->needed[0], "libbar.so");
	vg_elf_free(e);
	free(b);
}

/* No program headers (as in a relocatable object): the build-id comes from
 * the SHT_NOTE section through libelf's elf_getdata. */
static void test_notes_from_sections(void **state)
{
	for (int is64 = 0; is64 < 2; is64++) {
		for (int big = 0; big < 2; big++) {
			size_t len;
			uint8_t *b = build_elf(is64, big, &len, 0);
			set_field(b, is64 ? 56 : 44, 0, 2); /* e_phnum */
			set_field(b, 16, 1, 2);             /* ET_REL */
			vg_elf *e;
			assert_int_equal(parse_ro(b, len, &e), VIGIL_OK);
			assert_int_equal(e->nsegments, 0);
			assert_null(e->interp);
			assert_int_equal(e->nneeded, 0);
			assert_int_equal(e->build_id_len, 20);
			assert_int_equal(e->build_id[19], 20);
			assert_int_equal(e->nsections, NSEC - 1);
			vg_elf_free(e);
			free(b);
		}
	}
}

/* ---- VGL-ELF-APPENDED on the hand-built file ---- */

static void fill_random(uint8_t *p, size_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
}

static void test_appended(void **state)
{
	size_t len;
	uint8_t *b = build_elf(1, 0, &len, 8192);

	fill_random(b + len, 4096);
	struct got g = check(b, len + 4096);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.id, "VGL-ELF-APPENDED");
	assert_int_equal(g.score, 45);
	char want[64];
	snprintf(want, sizeof want, "4096 bytes appended after the end of the ELF data at offset 0x%zx", len);
	assert_non_null(strstr(g.msg, want));
	vg_elf *e;
	assert_int_equal(parse_ro(b, len + 4096, &e), VIGIL_OK);
	assert_int_equal(e->appended_off, len);
	assert_int_equal(e->appended_len, 4096);
	vg_elf_free(e);

	/* small or low-entropy: the low score */
	g = check(b, len + 100);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.score, 30);
	memset(b + len, 'A', 8192);
	g = check(b, len + 8192);
	assert_int_equal(g.score, 30);
	assert_non_null(strstr(g.msg, "entropy 0.00"));

	/* zero padding is not reported */
	memset(b + len, 0, 8192);
	assert_int_equal(check(b, len + 1).n, 0);
	assert_int_equal(check(b, len + 8192).n, 0);

	/* a kernel module signature: PKCS#7, module_signature, magic */
	static const char magic[] = "~Module signature appended~\n";
	size_t siglen = 300, n = siglen + 12 + sizeof magic - 1;
	fill_random(b + len, siglen);
	memset(b + len + siglen, 0, 12);
	b[len + siglen + 8 + 2] = (uint8_t)(siglen >> 8);
	b[len + siglen + 8 + 3] = (uint8_t)siglen;
	memcpy(b + len + siglen + 12, magic, sizeof magic - 1);
	assert_int_equal(check(b, len + n).n, 0);
	/* ...but not when its length does not account for everything */
	b[len + siglen + 8 + 3] = (uint8_t)(siglen - 1);
	assert_int_equal(check(b, len + n).n, 1);

	/* AppImage: information only */
	fill_random(b + len, 4096);
	b[8] = 'A';
	b[9] = 'I';
	b[10] = 2;
	g = check(b, len + 4096);
	assert_int_equal(g.score, 10);
	assert_non_null(strstr(g.msg, "AppImage"));
	free(b);
}

/* ---- compiled fixtures ---- */

static char tmpdir[2048];

static int run(const char *cmd)
{
	int rc = system(cmd);
	return rc == 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	char *b;
	assert_int_equal(vg_read_file(path, 64 << 20, &b, len), 0);
	return (uint8_t *)b;
}

static int compile_fixtures(void)
{
	char cmd[8192];
	const char *tmp = getenv("VIGIL_TEST_TMP");
	snprintf(tmpdir, sizeof tmpdir, "%s/elf", tmp ? tmp : "/tmp");
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s' && cd '%s' && "
		 "printf 'int vgt_lib(int x) { return x * 3; }\\n' >lib.c && "
		 "printf 'int vgt_lib(int);\\nint main(int c, char **v) { (void)v; return vgt_lib(c); }\\n' >prog.c && "
		 "cc -shared -fPIC -Wl,--build-id=sha1 -Wl,-soname,libvgtest.so.1 -o libvgtest.so lib.c && "
		 "cc -Wl,--build-id=sha1 -o prog prog.c -L. -lvgtest",
		 tmpdir, tmpdir);
	return run(cmd);
}

static void test_compiled(void **state)
{
	if (!compile_fixtures())
		skip();
	char path[4096];
	size_t len;
	snprintf(path, sizeof path, "%s/prog", tmpdir);
	uint8_t *b = slurp(path, &len);
	vg_elf *e;
	assert_int_equal(parse_ro(b, len, &e), VIGIL_OK);
	assert_true(e->layout.type == 2 || e->layout.type == 3);
	assert_true(e->layout.complete);
	assert_int_equal(e->layout.data_end, len);
	assert_int_equal(e->nsegments, e->layout.phnum);
	assert_int_equal(e->nsections + 1, e->layout.shnum);
	assert_non_null(e->interp);
	assert_true(e->interp[0] == '/');
	assert_null(e->soname);
	int have_lib = 0, have_libc = 0, have_text = 0;
	for (size_t i = 0; i < e->nneeded; i++) {
		have_lib |= strcmp(e->needed[i], "libvgtest.so.1") == 0;
		have_libc |= strncmp(e->needed[i], "libc.so", 7) == 0;
	}
	assert_true(have_lib && have_libc);
	assert_int_equal(e->build_id_len, 20);
	for (size_t i = 0; i < e->nsections; i++) {
		if (strcmp(e->sections[i].name, ".text") == 0) {
			have_text = 1;
			assert_true(e->sections[i].entropy > 1.0 && e->sections[i].entropy <= 8.0);
		}
		if (e->sections[i].type == 8) /* SHT_NOBITS */
			assert_true(e->sections[i].entropy < 0);
	}
	assert_true(have_text);
	vg_elf_free(e);
	assert_int_equal(check(b, len).n, 0);

	/* 4 KiB of random bytes appended */
	uint8_t *big = malloc(len + 4096);
	assert_non_null(big);
	memcpy(big, b, len);
	fill_random(big + len, 4096);
	struct got g = check(big, len + 4096);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.id, "VGL-ELF-APPENDED");
	assert_int_equal(g.score, 45);
	free(big);
	free(b);

	snprintf(path, sizeof path, "%s/libvgtest.so", tmpdir);
	b = slurp(path, &len);
	assert_int_equal(parse_ro(b, len, &e), VIGIL_OK);
	assert_int_equal(e->layout.type, 3);
	assert_non_null(e->soname);
	assert_string_equal(e->soname, "libvgtest.so.1");
	assert_int_equal(e->build_id_len, 20);
	vg_elf_free(e);
	free(b);
}

/* Real linker output in other classes and byte orders: clang + ld.lld
 * cross-link a library and a program for 32-bit big-endian PowerPC, 64-bit
 * big-endian MIPS and 32-bit x86 (no target libc needed: -nostdlib). */
static void test_cross_linked(void **state)
{
	static const struct {
		const char *triple, *tag;
		int is64, big;
		uint16_t machine;
	} targets[] = {
		{"powerpc-linux-gnu", "ppc32", 0, 1, 20},
		{"mips64-linux-gnuabi64", "mips64", 1, 1, 8},
		{"i386-linux-gnu", "i386", 0, 0, 3},
	};
	const char *tmp = getenv("VIGIL_TEST_TMP");
	int ran = 0;
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		char dir[2048], cmd[8192], path[4096], want[64];
		snprintf(dir, sizeof dir, "%s/elf-%s", tmp ? tmp : "/tmp", targets[i].tag);
		snprintf(cmd, sizeof cmd,
			 "mkdir -p '%s' && cd '%s' && "
			 "printf 'int f(int x) { return x + 1; }\\n' >lib.c && "
			 "printf 'int f(int); void _start(void) { f(1); for (;;); }\\n' >p.c && "
			 "clang -target %s -fPIC -shared -nostdlib -fuse-ld=lld -Wl,--build-id=sha1 "
			 "-Wl,-soname,libx%s.so.1 -o libx%s.so lib.c && "
			 "clang -target %s -fPIC -pie -nostdlib -fuse-ld=lld -Wl,--build-id=sha1 "
			 "-Wl,--dynamic-linker=/lib/ld-%s.so.1 -o prog p.c -L. -lx%s "
			 ">/dev/null 2>&1",
			 dir, dir, targets[i].triple, targets[i].tag, targets[i].tag,
			 targets[i].triple, targets[i].tag, targets[i].tag);
		if (system(cmd) != 0)
			continue;
		ran++;
		size_t len;
		snprintf(path, sizeof path, "%s/prog", dir);
		uint8_t *b = slurp(path, &len);
		vg_elf *e;
		assert_int_equal(parse_ro(b, len, &e), VIGIL_OK);
		assert_int_equal(e->layout.is64, targets[i].is64);
		assert_int_equal(e->layout.big_endian, targets[i].big);
		assert_int_equal(e->layout.machine, targets[i].machine);
		assert_int_equal(e->layout.type, 3);
		snprintf(want, sizeof want, "/lib/ld-%s.so.1", targets[i].tag);
		assert_string_equal(e->interp, want);
		assert_int_equal(e->nneeded, 1);
		snprintf(want, sizeof want, "libx%s.so.1", targets[i].tag);
		assert_string_equal(e->needed[0], want);
		assert_int_equal(e->build_id_len, 20);
		assert_int_equal(e->appended_len, 0);
		vg_elf_free(e);
		assert_int_equal(check(b, len).n, 0);
		free(b);

		snprintf(path, sizeof path, "%s/libx%s.so", dir, targets[i].tag);
		b = slurp(path, &len);
		assert_int_equal(parse_ro(b, len, &e), VIGIL_OK);
		assert_string_equal(e->soname, want);
		assert_null(e->interp);
		vg_elf_free(e);
		free(b);
	}
	if (!ran)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handmade_all_orders),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_absurd_section_count),
		cmocka_unit_test(test_shoff_past_end),
		cmocka_unit_test(test_bad_entsize_and_strings),
		cmocka_unit_test(test_notes_from_sections),
		cmocka_unit_test(test_appended),
		cmocka_unit_test(test_compiled),
		cmocka_unit_test(test_cross_linked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
