/*
 * mkdmg: writes a benign 3CX-like macOS disk image for the tests: an HFS+
 * volume "3CX Desktop App" holding an application bundle
 * (3CX Desktop App.app/Contents/{Info.plist,MacOS/...,Frameworks/
 * libffmpeg.dylib}, the dylib fragmented into more than 8 extents so that
 * the extents-overflow tree is used), a symlink Applications -> /Applications,
 * a hard link, a file with a resource fork and one flagged compressed
 * (decmpfs), wrapped
 * in UDIF with zlib, raw, zero and ignore chunks and a free-space partition.
 *
 *   mkdmg [--bzip2] [--adc] [--apfs] [--hfsx] [--small] [--koly-start]
 *         [--chunk SECTORS] [--file PATH=SRC]... [--hfs VOL.hfs] [--raw DISK.img]
 *         [--manifest LIST] OUT.dmg
 *
 * --file replaces (or adds) a file's bytes from SRC; --hfs writes the bare
 * volume, --raw the whole decompressed disk (what dmg2img should output),
 * --manifest one line per member the readers should yield:
 * "<type> <sha256 or -> <path>[ -> <target>]" (type file, dir, symlink,
 * hardlink, unreadable). --small: 512-byte blocks and nodes (for fuzz seeds);
 * --chunk: sectors per chunk (default 8; hdiutil writes 2048).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digest.h"
#include "base/util.h"
#include "mkdmg.h"

#define MAXF 32

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	mk_buf b = {0};
	uint8_t tmp[65536];
	size_t r;
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
		mk_put(&b, tmp, r);
	fclose(f);
	*n = b.len;
	return b.b ? b.b : calloc(1, 1);
}

static void spit(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(2);
	}
}

static uint8_t bin[3][40000];

int main(int argc, char **argv)
{
	mk_udif_opts uo = {0};
	mk_hfs_opts ho = {4096, 4096, 0, NULL};
	const char *hfs_out = NULL, *raw_out = NULL, *man_out = NULL, *out = NULL;
	static const char plist[] = "<?xml version=\"1.0\"?><plist><dict><key>CFBundleName</key>"
				    "<string>3CX Desktop App</string></dict></plist>\n";
	for (size_t i = 0; i < sizeof bin[0]; i++) {
		bin[0][i] = (uint8_t)(i * 7 + (i >> 8));
		bin[1][i] = (uint8_t)(i * 13 ^ 0x5a);
		bin[2][i] = (uint8_t)(i % 251);
	}
	mk_file f[MAXF] = {
		{"3CX Desktop App.app/Contents/Info.plist", (const uint8_t *)plist, sizeof plist - 1, MK_FILE, 0, NULL, 0, 0, NULL},
		{"3CX Desktop App.app/Contents/MacOS/3CX Desktop App", bin[0], 9000, MK_FILE, 0, NULL, 0, 0, NULL},
		{"3CX Desktop App.app/Contents/Frameworks/libffmpeg.dylib", bin[1], 40000, MK_FILE, 1, NULL, 0, 0, NULL},
		{"3CX Desktop App.app/Contents/Resources", NULL, 0, MK_DIR, 0, NULL, 0, 0, NULL},
		{"Applications", (const uint8_t *)"/Applications", 13, MK_SYMLINK, 0, NULL, 0, 0, NULL},
		{"README.txt", (const uint8_t *)"read me\n", 8, MK_FILE, 0, bin[2], 700, 0, NULL},
		{"Compressed.txt", NULL, 0, MK_FILE, 0, NULL, 0, 1, NULL},
		{"3CX Desktop App.app/Contents/MacOS/hardlinked", NULL, 77, MK_HARDLINK, 0, NULL, 0, 0, NULL},
	};
	size_t nf = 8;
	int small = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--bzip2"))
			uo.bzip2 = 1;
		else if (!strcmp(a, "--adc"))
			uo.adc = 1;
		else if (!strcmp(a, "--apfs"))
			uo.apfs = 1;
		else if (!strcmp(a, "--hfsx"))
			ho.hfsx = 1;
		else if (!strcmp(a, "--small"))
			small = 1;
		else if (!strcmp(a, "--koly-start"))
			uo.koly_at_start = 1;
		else if (!strcmp(a, "--chunk") && i + 1 < argc)
			uo.chunk_sectors = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(a, "--hfs") && i + 1 < argc)
			hfs_out = argv[++i];
		else if (!strcmp(a, "--raw") && i + 1 < argc)
			raw_out = argv[++i];
		else if (!strcmp(a, "--manifest") && i + 1 < argc)
			man_out = argv[++i];
		else if (!strcmp(a, "--file") && i + 1 < argc) {
			char *eq = strchr(argv[++i], '=');
			if (!eq) {
				fprintf(stderr, "mkdmg: --file wants PATH=SRC\n");
				return 2;
			}
			*eq = '\0';
			size_t n;
			uint8_t *p = slurp(eq + 1, &n);
			size_t k;
			for (k = 0; k < nf && strcmp(f[k].path, argv[i]); k++)
				;
			if (k == nf) {
				if (nf == MAXF)
					return 2;
				nf++;
				memset(&f[k], 0, sizeof f[k]);
				f[k].path = argv[i];
			}
			if (f[k].owned)
				free(f[k].owned);
			f[k].owned = p;
			f[k].data = p;
			f[k].len = n;
			f[k].type = MK_FILE;
		} else if (a[0] != '-' && !out)
			out = a;
		else {
			fprintf(stderr, "usage: mkdmg [--bzip2] [--adc] [--apfs] [--hfsx] [--small] "
					"[--koly-start] [--chunk N] [--file PATH=SRC]... [--hfs VOL] [--raw IMG] "
					"[--manifest LIST] OUT.dmg\n");
			return 2;
		}
	}
	if (!out) {
		fprintf(stderr, "mkdmg: no output named\n");
		return 2;
	}
	if (small) {
		ho.block = ho.node = 512;
		f[1].len = 700;
		f[2].len = 5000; /* 10 blocks of 512: still > 8 extents */
		if (!uo.chunk_sectors)
			uo.chunk_sectors = 16;
	}
	uo.free_sectors = 64;
	uint8_t *vol, *img;
	size_t vlen, ilen;
	mk_hfs(f, nf, &ho, &vol, &vlen);
	mk_udif(vol, vlen, &uo, &img, &ilen);
	spit(out, img, ilen);
	if (hfs_out)
		spit(hfs_out, vol, vlen);
	if (raw_out) {
		uint8_t *raw = calloc(1, vlen + uo.free_sectors * 512);
		memcpy(raw, vol, vlen);
		if (uo.apfs)
			memcpy(raw + 32, "NXSB", 4);
		spit(raw_out, raw, vlen + uo.free_sectors * 512);
		free(raw);
	}
	if (man_out) {
		FILE *m = fopen(man_out, "w");
		vg_digests *d = vg_digests_new();
		if (!m || !d)
			return 2;
		for (size_t i = 0; i < nf; i++) {
			uint8_t md5[16], sha1[20], sha[32];
			char hex[65];
			if (f[i].type == MK_DIR) {
				fprintf(m, "dir - %s\n", f[i].path);
				continue;
			}
			if (f[i].type == MK_SYMLINK) {
				fprintf(m, "symlink - %s -> %.*s\n", f[i].path, (int)f[i].len,
					(const char *)f[i].data);
				continue;
			}
			if (f[i].type == MK_HARDLINK) {
				fprintf(m, "hardlink - %s -> iNode%zu\n", f[i].path, f[i].len);
				continue;
			}
			if (f[i].compressed) {
				fprintf(m, "unreadable - %s\n", f[i].path);
				continue;
			}
			vg_digests_buffer(d, f[i].data ? (const void *)f[i].data : "", f[i].len,
					  md5, sha1, sha);
			vg_hex(sha, 32, hex);
			fprintf(m, "file %s %s\n", hex, f[i].path);
			if (f[i].rsrc) {
				vg_digests_buffer(d, f[i].rsrc, f[i].rsrc_len, md5, sha1, sha);
				vg_hex(sha, 32, hex);
				fprintf(m, "file %s %s/..namedfork/rsrc\n", hex, f[i].path);
			}
		}
		vg_digests_free(d);
		fclose(m);
	}
	free(vol);
	free(img);
	for (size_t k = 0; k < nf; k++)
		free(f[k].owned);
	return 0;
}
