/*
 * mkoverlap elf|pe COUNT SIZE OUT: write a file of about SIZE bytes whose
 * COUNT sections all cover the same bytes (ELF: everything after the file
 * header; PE: everything after the headers),
 * for tests/e2e/inspect_overlap.sh: sections whose sizes add up to many
 * times the file, as a hostile file lays them out to make per-section work
 * quadratic. The ELF is ELF64 little-endian x86-64 with a section name
 * table; the PE is a PE32+ image (at most 96 sections, the loader's cap).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

/* Varied bytes so that entropy has something to say. */
static void fill(uint8_t *p, size_t n)
{
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)(i % 3 ? x : 0);
	}
}

/* ELF: header, data, ".shstrtab" names, section headers (null, COUNT
 * PROGBITS from the data to the end of the file, the name table). */
static uint8_t *mk_elf(size_t count, size_t size, size_t *outlen)
{
	const size_t data_off = 64;
	size_t shnum = count + 2;
	size_t data_len = size > data_off + 64 * shnum + 32 ? size - data_off - 64 * shnum - 32
							    : 4096;
	static const char names[] = "\0.x\0.shstrtab";
	size_t str_off = data_off + data_len, sh_off = (str_off + sizeof names + 7) & ~(size_t)7;
	size_t len = sh_off + 64 * shnum;
	uint8_t *b = calloc(1, len);
	if (!b)
		return NULL;
	memcpy(b, "\177ELF", 4);
	b[4] = 2; /* ELFCLASS64 */
	b[5] = 1; /* little-endian */
	b[6] = 1; /* EV_CURRENT */
	le16(b + 16, 1);    /* ET_REL */
	le16(b + 18, 62);   /* x86-64 */
	le32(b + 20, 1);
	le64(b + 40, sh_off);
	le16(b + 52, 64);   /* e_ehsize */
	le16(b + 58, 64);   /* e_shentsize */
	if (shnum < 0xff00) {
		le16(b + 60, (uint16_t)shnum);
		le16(b + 62, (uint16_t)(shnum - 1));
	} else {
		return free(b), NULL; /* extended numbering not needed here */
	}
	fill(b + data_off, data_len);
	memcpy(b + str_off, names, sizeof names);
	for (size_t i = 1; i < shnum; i++) {
		uint8_t *h = b + sh_off + 64 * i;
		int last = i == shnum - 1;
		le32(h, last ? 4 : 1);          /* sh_name */
		le32(h + 4, last ? 3 : 1);      /* SHT_STRTAB / SHT_PROGBITS */
		le64(h + 8, last ? 0 : 2);      /* SHF_ALLOC */
		le64(h + 24, last ? str_off : data_off);
		/* to the end of the file: over the data, the names and the
		 * section headers themselves */
		le64(h + 32, last ? sizeof names : len - data_off);
		le64(h + 48, 1);
	}
	*outlen = len;
	return b;
}

/* PE32+: MZ at 0, PE header at 0x40, COUNT sections over the same raw data. */
static uint8_t *mk_pe(size_t count, size_t size, size_t *outlen)
{
	const size_t lfa = 0x40, opt = lfa + 24, optsize = 0xf0;
	size_t hdr = (opt + optsize + 40 * count + 0x1ff) & ~(size_t)0x1ff;
	size_t len = size > hdr + 0x200 ? size & ~(size_t)0x1ff : hdr + 0x200;
	uint8_t *b = calloc(1, len);
	if (!b)
		return NULL;
	b[0] = 'M';
	b[1] = 'Z';
	le32(b + 0x3c, (uint32_t)lfa);
	memcpy(b + lfa, "PE\0\0", 4);
	le16(b + lfa + 4, 0x8664);
	le16(b + lfa + 6, (uint16_t)count);
	le16(b + lfa + 20, (uint16_t)optsize);
	le16(b + lfa + 22, 0x22); /* executable, large address aware */
	le16(b + opt, 0x20b);
	le32(b + opt + 16, 0x1000);       /* entry */
	le64(b + opt + 24, 0x140000000u); /* image base */
	le32(b + opt + 32, 0x1000);       /* section alignment */
	le32(b + opt + 36, 0x200);        /* file alignment */
	le32(b + opt + 56, (uint32_t)(0x1000 + ((len - hdr + 0xfff) & ~(size_t)0xfff)));
	le32(b + opt + 60, (uint32_t)hdr);
	le16(b + opt + 68, 3); /* console */
	le32(b + opt + 108, 16);
	fill(b + hdr, len - hdr);
	for (size_t i = 0; i < count; i++) {
		uint8_t *h = b + opt + optsize + 40 * i;
		memcpy(h, ".x", 2);
		le32(h + 8, (uint32_t)(len - hdr));
		le32(h + 12, 0x1000);
		le32(h + 16, (uint32_t)(len - hdr));
		le32(h + 20, (uint32_t)hdr);
		le32(h + 36, 0x40000040u); /* initialised data, readable */
	}
	*outlen = len;
	return b;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: mkoverlap elf|pe COUNT SIZE OUT\n");
		return 2;
	}
	size_t count = strtoul(argv[2], NULL, 10), size = strtoul(argv[3], NULL, 10), len = 0;
	uint8_t *b = NULL;
	if (!strcmp(argv[1], "elf") && count && count < 60000)
		b = mk_elf(count, size, &len);
	else if (!strcmp(argv[1], "pe") && count && count <= 96)
		b = mk_pe(count, size, &len);
	if (!b) {
		fprintf(stderr, "mkoverlap: bad arguments\n");
		return 2;
	}
	FILE *f = fopen(argv[4], "wb");
	int ok = f && fwrite(b, 1, len, f) == len;
	ok = f && fclose(f) == 0 && ok;
	free(b);
	if (!ok) {
		perror(argv[4]);
		return 1;
	}
	return 0;
}
