/*
 * Mach-O anatomy (lib/formats/macho.c) and the VGL-MACHO-CS-BROKEN check.
 *
 * Fixtures are built byte by byte here: a thin Mach-O (32 or 64-bit, either
 * byte order) with one load command of each dylib kind, LC_ID_DYLIB and an
 * LC_CODE_SIGNATURE pointing at a SuperBlob that holds a CodeDirectory with
 * an identifier (and a Team ID from version 0x20200 on) and a CMS wrapper;
 * fat files (32- and 64-bit headers) with two such slices; then damaged
 * copies (cmdsize 0, cmdsize past the end, ncmds and nfat_arch huge, slices
 * and signatures outside the file, a nested fat slice, a Java class file).
 * When clang and ld64.lld are installed, an ad-hoc-signed arm64 executable
 * linked by lld is parsed too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checks_internal.h"
#include "formats/macho.h"
#include "base/util.h"

/* ---- builder ---- */

static void put32(uint8_t *b, int big, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[off + (size_t)i] = (uint8_t)(v >> (8 * (big ? 3 - i : i)));
}

static void put64be(uint8_t *b, size_t off, uint64_t v)
{
	put32(b, 1, off, (uint32_t)(v >> 32));
	put32(b, 1, off + 4, (uint32_t)v);
}

static size_t roundup(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

#define CPU_X86_64 0x01000007u
#define CPU_ARM64 0x0100000cu
#define CPU_PPC 0x12u

struct dy {
	uint32_t cmd;
	const char *name;
};

static const struct dy DYLIBS[] = {
	{VG_LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib"},
	{VG_LC_LOAD_WEAK_DYLIB, "@rpath/libweak.dylib"},
	{VG_LC_REEXPORT_DYLIB, "/usr/lib/libreexport.dylib"},
	{VG_LC_LAZY_LOAD_DYLIB, "/usr/lib/liblazy.dylib"},
	{VG_LC_ID_DYLIB, "@rpath/libvigiltest.dylib"},
};
#define NDY (sizeof DYLIBS / sizeof DYLIBS[0])
#define NCMDS (NDY + 1)

struct thin {
	uint8_t *b;
	size_t len;
	size_t first_cmd, cs_cmd, sig, cd; /* offsets of interest */
};

/* CodeDirectory fixed size for a version. */
static size_t cd_fixed(uint32_t version)
{
	return version >= 0x20400 ? 88 : version >= 0x20200 ? 52 : version >= 0x20100 ? 48 : 44;
}

static struct thin build_thin(int is64, int big, uint32_t cpu, uint32_t cd_version,
			      const char *ident, const char *team)
{
	struct thin t = {0};
	size_t align = is64 ? 8 : 4, hdr = is64 ? 32 : 28;
	size_t cmds = 0;
	for (size_t i = 0; i < NDY; i++)
		cmds += roundup(24 + strlen(DYLIBS[i].name) + 1, align);
	cmds += 16;
	t.sig = roundup(hdr + cmds + 100, 16); /* 100 bytes of "code" */
	size_t cdlen = cd_fixed(cd_version) + strlen(ident) + 1 +
		       (cd_version >= 0x20200 && team ? strlen(team) + 1 : 0);
	size_t sblen = 12 + 2 * 8 + cdlen + 24;
	size_t datasize = roundup(sblen, 16) + 16; /* codesign leaves padding */
	t.len = t.sig + datasize;
	uint8_t *b = t.b = calloc(1, t.len);
	assert_non_null(b);

	put32(b, big, 0, is64 ? VG_MH_MAGIC_64 : VG_MH_MAGIC);
	put32(b, big, 4, cpu);
	put32(b, big, 8, 3);
	put32(b, big, 12, 6); /* MH_DYLIB */
	put32(b, big, 16, NCMDS);
	put32(b, big, 20, (uint32_t)cmds);
	put32(b, big, 24, 0x00200085);
	size_t off = t.first_cmd = hdr;
	for (size_t i = 0; i < NDY; i++) {
		size_t sz = roundup(24 + strlen(DYLIBS[i].name) + 1, align);
		put32(b, big, off, DYLIBS[i].cmd);
		put32(b, big, off + 4, (uint32_t)sz);
		put32(b, big, off + 8, 24);
		put32(b, big, off + 12, 2);
		put32(b, big, off + 16, 0x050c0000u + (uint32_t)i);
		put32(b, big, off + 20, 0x00010000u);
		memcpy(b + off + 24, DYLIBS[i].name, strlen(DYLIBS[i].name));
		off += sz;
	}
	t.cs_cmd = off;
	put32(b, big, off, VG_LC_CODE_SIGNATURE);
	put32(b, big, off + 4, 16);
	put32(b, big, off + 8, (uint32_t)t.sig);
	put32(b, big, off + 12, (uint32_t)datasize);
	for (size_t i = hdr + cmds; i < t.sig; i++)
		b[i] = (uint8_t)(i * 7);

	/* SuperBlob: always big-endian */
	uint8_t *sb = b + t.sig;
	size_t cd = 12 + 2 * 8, cms = cd + cdlen;
	t.cd = t.sig + cd;
	put32(sb, 1, 0, VG_CSMAGIC_EMBEDDED_SIGNATURE);
	put32(sb, 1, 4, (uint32_t)sblen);
	put32(sb, 1, 8, 2);
	put32(sb, 1, 12, VG_CSSLOT_CODEDIRECTORY);
	put32(sb, 1, 16, (uint32_t)cd);
	put32(sb, 1, 20, VG_CSSLOT_SIGNATURESLOT);
	put32(sb, 1, 24, (uint32_t)cms);
	size_t fixed = cd_fixed(cd_version), ido = fixed, teamo = ido + strlen(ident) + 1;
	put32(sb, 1, cd, VG_CSMAGIC_CODEDIRECTORY);
	put32(sb, 1, cd + 4, (uint32_t)cdlen);
	put32(sb, 1, cd + 8, cd_version);
	put32(sb, 1, cd + 12, 0x10000); /* CS_RUNTIME */
	put32(sb, 1, cd + 16, (uint32_t)cdlen); /* hashOffset: no slots */
	put32(sb, 1, cd + 20, (uint32_t)ido);
	sb[cd + 36] = 32; /* hashSize */
	sb[cd + 37] = 2;  /* SHA-256 */
	sb[cd + 39] = 12; /* 4 KiB pages */
	if (cd_version >= 0x20200)
		put32(sb, 1, cd + 48, team ? (uint32_t)teamo : 0);
	if (cd_version >= 0x20400)
		put64be(sb, cd + 72, 0x4000);
	memcpy(sb + cd + ido, ident, strlen(ident));
	if (cd_version >= 0x20200 && team)
		memcpy(sb + cd + teamo, team, strlen(team));
	put32(sb, 1, cms, VG_CSMAGIC_BLOBWRAPPER);
	put32(sb, 1, cms + 4, 24);
	memset(sb + cms + 8, 0x5a, 16);
	return t;
}

/* A fat file holding two thin slices. */
static uint8_t *build_fat(int fat64, size_t *len, struct thin *a, struct thin *b)
{
	size_t o1 = 0x1000, o2 = roundup(o1 + a->len, 0x1000);
	*len = o2 + b->len;
	uint8_t *f = calloc(1, *len);
	assert_non_null(f);
	put32(f, 1, 0, fat64 ? VG_FAT_MAGIC_64 : VG_FAT_MAGIC);
	put32(f, 1, 4, 2);
	size_t es = fat64 ? 32 : 20;
	struct thin *s[2] = {a, b};
	size_t o[2] = {o1, o2};
	for (int i = 0; i < 2; i++) {
		size_t e = 8 + (size_t)i * es;
		uint32_t cpu = i ? CPU_ARM64 : CPU_X86_64;
		put32(f, 1, e, cpu);
		put32(f, 1, e + 4, 3);
		if (fat64) {
			put64be(f, e + 8, o[i]);
			put64be(f, e + 16, s[i]->len);
			put32(f, 1, e + 24, 12);
		} else {
			put32(f, 1, e + 8, (uint32_t)o[i]);
			put32(f, 1, e + 12, (uint32_t)s[i]->len);
			put32(f, 1, e + 16, 12);
		}
		memcpy(f + o[i], s[i]->b, s[i]->len);
	}
	return f;
}

/* ---- findings ---- */

struct got {
	int n;
	char msg[512];
};

static void on_finding(void *ctx, const vigil_finding *f)
{
	struct got *g = ctx;
	g->n++;
	assert_string_equal(f->id, "VGL-MACHO-CS-BROKEN");
	assert_string_equal(f->kind, "tamper");
	assert_int_equal(f->score, 40);
	snprintf(g->msg, sizeof g->msg, "%s", f->message);
}

static struct got check(const uint8_t *b, size_t len)
{
	struct got g = {0};
	vg_check_macho(b, len, on_finding, &g);
	return g;
}

/* ---- tests ---- */

static void assert_slice(const vg_macho_slice *s, int is64, int big, uint32_t cpu,
			 const char *ident, const char *team)
{
	assert_int_equal(s->anomalies, 0);
	assert_int_equal(s->is64, is64);
	assert_int_equal(s->big_endian, big);
	assert_int_equal(s->cputype, cpu);
	assert_int_equal(s->filetype, 6);
	assert_int_equal(s->ncmds, NCMDS);
	assert_int_equal(s->ncmds_walked, NCMDS);
	assert_int_equal(s->ndylibs, NDY - 1);
	for (size_t i = 0; i < NDY - 1; i++) {
		assert_int_equal(s->dylibs[i].cmd, DYLIBS[i].cmd);
		assert_string_equal(s->dylibs[i].name, DYLIBS[i].name);
		assert_int_equal(s->dylibs[i].current_version, 0x050c0000u + i);
		assert_int_equal(s->dylibs[i].compat_version, 0x00010000u);
	}
	assert_string_equal(vg_macho_dylib_cmd_name(s->dylibs[1].cmd), "LC_LOAD_WEAK_DYLIB");
	assert_non_null(s->cmds);
	assert_int_equal(s->cmds[0].offset, is64 ? 32 : 28);
	assert_int_equal(s->cmds[NCMDS - 1].cmd, VG_LC_CODE_SIGNATURE);
	assert_int_equal(s->cmds[NCMDS - 1].cmdsize, 16);
	assert_string_equal(vg_macho_cmd_name(s->cmds[NCMDS - 1].cmd), "LC_CODE_SIGNATURE");
	assert_string_equal(vg_macho_cmd_name(s->cmds[NCMDS - 2].cmd), "LC_ID_DYLIB");
	assert_non_null(s->id_dylib);
	assert_string_equal(s->id_dylib, "@rpath/libvigiltest.dylib");
	assert_true(s->cs.present);
	assert_true(s->cs.superblob_ok);
	assert_int_equal(s->cs.nblobs, 2);
	assert_true(s->cs.has_cd);
	assert_true(s->cs.has_cms);
	assert_int_equal(s->cs.cd_hash_type, 2);
	assert_non_null(s->cs.identifier);
	assert_string_equal(s->cs.identifier, ident);
	if (team) {
		assert_non_null(s->cs.team_id);
		assert_string_equal(s->cs.team_id, team);
	} else {
		assert_null(s->cs.team_id);
	}
}

static void test_thin(void **state)
{
	struct {
		int is64, big;
		uint32_t cpu, version;
		const char *team;
	} cases[] = {
		{1, 0, CPU_X86_64, 0x20400, "ABCDE12345"},
		{1, 1, CPU_X86_64, 0x20200, "TEAM000001"},
		{0, 1, CPU_PPC, 0x20100, NULL}, /* before teamOffset existed */
		{0, 0, 7, 0x20400, NULL},        /* teamOffset 0: no team */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct thin t = build_thin(cases[i].is64, cases[i].big, cases[i].cpu,
					   cases[i].version, "com.example.vigiltest", cases[i].team);
		assert_true(vg_macho_sniff(t.b, t.len));
		vg_macho *m;
		assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_OK);
		assert_false(m->fat);
		assert_int_equal(m->nslices, 1);
		assert_int_equal(m->slices[0].offset, 0);
		assert_int_equal(m->slices[0].size, t.len);
		assert_slice(&m->slices[0], cases[i].is64, cases[i].big, cases[i].cpu,
			     "com.example.vigiltest", cases[i].team);
		assert_int_equal(m->slices[0].cs.cd_version, cases[i].version);
		assert_int_equal(m->slices[0].cs.dataoff, t.sig);
		vg_macho_free(m);
		assert_int_equal(check(t.b, t.len).n, 0);
		free(t.b);
	}
}

static void test_fat(void **state)
{
	for (int fat64 = 0; fat64 < 2; fat64++) {
		struct thin a = build_thin(1, 0, CPU_X86_64, 0x20400, "com.example.intel", "TEAMINTEL1");
		struct thin b = build_thin(1, 0, CPU_ARM64, 0x20400, "com.example.arm", "TEAMARM001");
		size_t len;
		uint8_t *f = build_fat(fat64, &len, &a, &b);
		assert_true(vg_macho_sniff(f, len));
		vg_macho *m;
		assert_int_equal(vg_macho_parse(f, len, &m), VIGIL_OK);
		assert_true(m->fat);
		assert_int_equal(m->fat64, fat64);
		assert_int_equal(m->nfat_arch, 2);
		assert_int_equal(m->nslices, 2);
		assert_int_equal(m->slices[0].offset, 0x1000);
		assert_int_equal(m->slices[0].size, a.len);
		assert_slice(&m->slices[0], 1, 0, CPU_X86_64, "com.example.intel", "TEAMINTEL1");
		assert_slice(&m->slices[1], 1, 0, CPU_ARM64, "com.example.arm", "TEAMARM001");
		vg_macho_free(m);
		assert_int_equal(check(f, len).n, 0);

		/* the second slice cut short (fat entry and file agree), so its
		 * signature runs past the slice */
		if (fat64)
			put64be(f, 8 + 32 + 16, b.len - 40);
		else
			put32(f, 1, 8 + 20 + 12, (uint32_t)(b.len - 40));
		struct got g = check(f, len - 40);
		assert_int_equal(g.n, 1);
		assert_non_null(strstr(g.msg, "slice 1"));
		assert_int_equal(vg_macho_parse(f, len - 40, &m), VIGIL_WARN);
		assert_true(m->slices[1].anomalies & VG_MACHO_ANOM_CS_PAST_END);
		assert_int_equal(m->slices[0].anomalies, 0);
		vg_macho_free(m);
		/* the file cut short but not the fat entry: the slice is outside */
		assert_int_equal(vg_macho_parse(f, len - 80, &m), VIGIL_WARN);
		assert_true(m->slices[1].anomalies & VG_MACHO_ANOM_SLICE_PAST_EOF);
		vg_macho_free(m);
		free(f);
		free(a.b);
		free(b.b);
	}
}

static void test_cmdsize_zero_and_past_end(void **state)
{
	struct thin t = build_thin(1, 0, CPU_X86_64, 0x20400, "id", "T");
	vg_macho *m;
	put32(t.b, 0, t.first_cmd + 4, 0);
	assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_WARN);
	assert_true(m->slices[0].anomalies & VG_MACHO_ANOM_CMDSIZE_BAD);
	assert_int_equal(m->slices[0].ncmds_walked, 0);
	assert_int_equal(m->slices[0].ndylibs, 0);
	assert_false(m->slices[0].cs.present);
	vg_macho_free(m);

	put32(t.b, 0, t.first_cmd + 4, 0x100000);
	assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_WARN);
	assert_true(m->slices[0].anomalies & VG_MACHO_ANOM_CMDSIZE_BAD);
	assert_int_equal(m->slices[0].ncmds_walked, 0);
	vg_macho_free(m);

	/* a misaligned cmdsize is noted, the walk goes on */
	put32(t.b, 0, t.first_cmd + 4, 4 + 24 + (uint32_t)roundup(strlen(DYLIBS[0].name) + 1, 8));
	assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_WARN);
	assert_true(m->slices[0].anomalies & VG_MACHO_ANOM_CMDSIZE_BAD);
	assert_true(m->slices[0].ncmds_walked >= 1);
	vg_macho_free(m);
	free(t.b);
}

static void test_counts_huge(void **state)
{
	struct thin t = build_thin(0, 1, CPU_PPC, 0x20400, "id", "T");
	vg_macho *m;
	put32(t.b, 1, 16, 0xffffffffu); /* ncmds */
	assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_WARN);
	assert_true(m->slices[0].anomalies & VG_MACHO_ANOM_CMDS_CAPPED);
	assert_true(m->slices[0].anomalies & VG_MACHO_ANOM_CMDS_PAST_END);
	assert_int_equal(m->slices[0].ncmds_walked, NCMDS);
	assert_true(m->slices[0].cs.has_cd);
	vg_macho_free(m);

	put32(t.b, 1, 16, NCMDS);
	put32(t.b, 1, 20, 0xfffffff0u); /* sizeofcmds */
	assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_WARN);
	assert_true(m->slices[0].anomalies & VG_MACHO_ANOM_CMDS_PAST_END);
	assert_int_equal(m->slices[0].ndylibs, NDY - 1);
	vg_macho_free(m);
	free(t.b);

	/* nfat_arch huge: refused at once */
	uint8_t fat[64] = {0xca, 0xfe, 0xba, 0xbe, 0xff, 0xff, 0xff, 0xff};
	assert_false(vg_macho_sniff(fat, sizeof fat));
	assert_int_equal(vg_macho_parse(fat, sizeof fat, &m), VIGIL_FAILED);
	assert_non_null(m->error);
	vg_macho_free(m);
	fat[3] = 0xbf;
	assert_int_equal(vg_macho_parse(fat, sizeof fat, &m), VIGIL_FAILED);
	vg_macho_free(m);
	assert_int_equal(check(fat, sizeof fat).n, 0);

	/* three archs declared, the table cut short */
	put32(fat, 1, 4, 3);
	assert_int_equal(vg_macho_parse(fat, 40, &m), VIGIL_FAILED);
	assert_string_equal(m->error, "truncated fat header");
	vg_macho_free(m);

	/* a Java class file shares the magic */
	static const uint8_t java[16] = {0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34};
	assert_false(vg_macho_sniff(java, sizeof java));
	assert_int_equal(vg_macho_parse(java, sizeof java, &m), VIGIL_FAILED);
	vg_macho_free(m);
	assert_int_equal(check(java, sizeof java).n, 0);
}

static void test_fat_bad_slices(void **state)
{
	struct thin a = build_thin(1, 0, CPU_X86_64, 0x20400, "a", "TA");
	struct thin b = build_thin(1, 0, CPU_ARM64, 0x20400, "b", "TB");
	size_t len;
	uint8_t *f = build_fat(0, &len, &a, &b);
	vg_macho *m;

	put32(f, 1, 8 + 20 + 8, 0xfffffff0u); /* slice 1 offset past the end */
	assert_int_equal(vg_macho_parse(f, len, &m), VIGIL_WARN);
	assert_int_equal(m->slices[0].anomalies, 0);
	assert_true(m->slices[1].anomalies & VG_MACHO_ANOM_SLICE_PAST_EOF);
	vg_macho_free(m);

	put32(f, 1, 8 + 20 + 8, 0); /* slice 1 over the fat header itself */
	assert_int_equal(vg_macho_parse(f, len, &m), VIGIL_WARN);
	assert_true(m->slices[1].anomalies & VG_MACHO_ANOM_SLICE_PAST_EOF);
	vg_macho_free(m);

	/* slice 1 is a fat header: not descended into */
	size_t o2 = roundup(0x1000 + a.len, 0x1000);
	put32(f, 1, 8 + 20 + 8, (uint32_t)o2);
	memset(f + o2, 0, 64);
	put32(f, 1, o2, VG_FAT_MAGIC);
	put32(f, 1, o2 + 4, 1);
	assert_int_equal(vg_macho_parse(f, len, &m), VIGIL_WARN);
	assert_true(m->slices[1].anomalies & VG_MACHO_ANOM_SLICE_NESTED);
	assert_int_equal(m->slices[1].ncmds_walked, 0);
	vg_macho_free(m);
	free(f);
	free(a.b);
	free(b.b);
}

static void test_codesig_damage(void **state)
{
	struct thin t = build_thin(1, 0, CPU_ARM64, 0x20400, "com.example.sig", "TEAMSIG001");
	vg_macho *m;
	struct got g;

	/* dataoff past the end of the file */
	put32(t.b, 0, t.cs_cmd + 8, (uint32_t)t.len);
	assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_WARN);
	assert_true(m->slices[0].anomalies & VG_MACHO_ANOM_CS_PAST_END);
	assert_false(m->slices[0].cs.has_cd);
	vg_macho_free(m);
	g = check(t.b, t.len);
	assert_int_equal(g.n, 1);
	assert_non_null(strstr(g.msg, "lies outside the file"));
	put32(t.b, 0, t.cs_cmd + 8, (uint32_t)t.sig);
	assert_int_equal(check(t.b, t.len).n, 0);

	/* the file cut inside the signature */
	g = check(t.b, t.len - 20);
	assert_int_equal(g.n, 1);

	/* not a SuperBlob */
	t.b[t.sig] ^= 0xff;
	g = check(t.b, t.len);
	assert_int_equal(g.n, 1);
	assert_non_null(strstr(g.msg, "SuperBlob"));
	t.b[t.sig] ^= 0xff;

	/* CodeDirectory slot pointing past the SuperBlob */
	put32(t.b, 1, t.sig + 16, 0x7fffffff);
	g = check(t.b, t.len);
	assert_int_equal(g.n, 1);
	assert_non_null(strstr(g.msg, "CodeDirectory"));
	put32(t.b, 1, t.sig + 16, 28);

	/* huge blob count: the index cannot fit */
	put32(t.b, 1, t.sig + 8, 0xffffffffu);
	assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_WARN);
	assert_true(m->slices[0].anomalies & VG_MACHO_ANOM_CS_BAD);
	vg_macho_free(m);
	put32(t.b, 1, t.sig + 8, 2);

	/* identOffset past the CodeDirectory: no identifier, noted */
	put32(t.b, 1, t.cd + 20, 0x10000);
	assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_WARN);
	assert_true(m->slices[0].anomalies & VG_MACHO_ANOM_CS_BAD);
	assert_null(m->slices[0].cs.identifier);
	assert_string_equal(m->slices[0].cs.team_id, "TEAMSIG001");
	vg_macho_free(m);
	put32(t.b, 1, t.cd + 20, 88);

	/* an identifier whose NUL lies beyond the CodeDirectory's length */
	put32(t.b, 1, t.cd + 48, 0);
	put32(t.b, 1, t.cd + 4, 88 + 5);
	assert_int_equal(vg_macho_parse(t.b, t.len, &m), VIGIL_WARN);
	assert_string_equal(m->slices[0].cs.identifier, "com.e");
	vg_macho_free(m);

	/* every truncation: no crash, nothing read past the cut */
	for (size_t cut = 0; cut <= t.len; cut++) {
		int st = vg_macho_parse(t.b, cut, &m);
		assert_true(st != VIGIL_FATAL);
		vg_macho_free(m);
		check(t.b, cut);
	}
	free(t.b);
}

static void test_not_macho(void **state)
{
	static const uint8_t elf[16] = "\177ELF\2\1\1";
	vg_macho *m;
	assert_false(vg_macho_sniff(elf, sizeof elf));
	assert_int_equal(vg_macho_parse(elf, sizeof elf, &m), VIGIL_FAILED);
	assert_string_equal(m->error, "not a Mach-O file");
	vg_macho_free(m);
	assert_int_equal(vg_macho_parse(elf, 0, &m), VIGIL_FAILED);
	vg_macho_free(m);
}

/* An ad-hoc signature written by a real linker (ld64.lld), if available. */
static void test_lld_adhoc(void **state)
{
	const char *tmp = getenv("VIGIL_TEST_TMP");
	char dir[2048], cmd[8192], path[4096];
	snprintf(dir, sizeof dir, "%s/macho", tmp ? tmp : "/tmp");
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s' && cd '%s' && printf 'int main(void) { return 0; }\\n' >m.c && "
		 "clang -target arm64-apple-macos11 -fuse-ld=lld -nostdlib -o vgt-adhoc m.c "
		 ">/dev/null 2>&1",
		 dir, dir);
	if (system(cmd) != 0)
		skip();
	snprintf(path, sizeof path, "%s/vgt-adhoc", dir);
	char *b;
	size_t len;
	assert_int_equal(vg_read_file(path, 16 << 20, &b, &len), 0);
	vg_macho *m;
	assert_int_equal(vg_macho_parse((uint8_t *)b, len, &m), VIGIL_OK);
	const vg_macho_slice *s = &m->slices[0];
	assert_int_equal(s->cputype, CPU_ARM64);
	assert_int_equal(s->filetype, 2); /* MH_EXECUTE */
	assert_true(s->cs.present);
	assert_true(s->cs.has_cd);
	assert_true(s->cs.cd_flags & VG_CS_ADHOC);
	assert_false(s->cs.has_cms);
	assert_string_equal(s->cs.identifier, "vgt-adhoc");
	assert_null(s->cs.team_id);
	vg_macho_free(m);
	assert_int_equal(check((uint8_t *)b, len).n, 0);
	assert_int_equal(check((uint8_t *)b, len - 1).n, 1);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thin),
		cmocka_unit_test(test_fat),
		cmocka_unit_test(test_cmdsize_zero_and_past_end),
		cmocka_unit_test(test_counts_huge),
		cmocka_unit_test(test_fat_bad_slices),
		cmocka_unit_test(test_codesig_damage),
		cmocka_unit_test(test_not_macho),
		cmocka_unit_test(test_lld_adhoc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
