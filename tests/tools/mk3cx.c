/*
 * mk3cx DIR: write benign look-alikes of the 3CX attack's artifacts into DIR
 * for tests/e2e/content_3cx.sh, each one named for what it exercises. Every
 * "positive" imitates one technique the built-in content pack
 * (content/3cx) detects, with inert bytes; every "negative" is a near miss
 * that must stay quiet. No fixture holds real malware bytes, and the
 * AES key below is a test key, not the attackers'.
 *
 * The strings that name the attack are stored XOR-masked and unmasked at run
 * time, so that neither this source nor the built tool matches the rules.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <zlib.h>

#define MASK 0x55

/* "3jB(2bsG#@c7", the loader's RC4 key, masked with MASK */
static const unsigned char key_masked[] = {0x66, 0x3f, 0x17, 0x7d, 0x67, 0x37,
					   0x26, 0x12, 0x76, 0x15, 0x36, 0x62};
/* the IconStorages URL template, masked with MASK */
static const unsigned char url_masked[] = {
	0x3d, 0x21, 0x21, 0x25, 0x26, 0x6f, 0x7a, 0x7a, 0x27, 0x34, 0x22, 0x7b,
	0x32, 0x3c, 0x21, 0x3d, 0x20, 0x37, 0x20, 0x26, 0x30, 0x27, 0x36, 0x3a,
	0x3b, 0x21, 0x30, 0x3b, 0x21, 0x7b, 0x36, 0x3a, 0x38, 0x7a, 0x1c, 0x36,
	0x3a, 0x3b, 0x06, 0x21, 0x3a, 0x27, 0x34, 0x32, 0x30, 0x26, 0x7a, 0x3c,
	0x38, 0x34, 0x32, 0x30, 0x26, 0x7a, 0x38, 0x34, 0x3c, 0x3b, 0x7a, 0x3c,
	0x36, 0x3a, 0x3b, 0x70, 0x31, 0x7b, 0x3c, 0x36, 0x3a};

static const char *outdir;
static int failed;

static char *unmask(const unsigned char *m, size_t n)
{
	char *s = malloc(n + 1);
	if (!s) {
		perror("mk3cx");
		exit(2);
	}
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(m[i] ^ MASK);
	s[n] = '\0';
	return s;
}

/* A growing byte buffer; any allocation failure ends the program. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *np = realloc(b->p, cap);
		if (!np) {
			perror("mk3cx");
			exit(2);
		}
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_zeros(struct buf *b, size_t n)
{
	static const unsigned char z[64];
	while (n) {
		size_t k = n < sizeof z ? n : sizeof z;
		put(b, z, k);
		n -= k;
	}
}

/* UTF-16LE of an ASCII string, as Windows programs store their strings. */
static void put_utf16(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char u[2] = {(unsigned char)*s, 0};
		put(b, u, 2);
	}
}

static void le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

static void le64(unsigned char *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Noise that is deterministic, so fixtures (and their hashes) repeat. */
static void put_noise(struct buf *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned char c = (unsigned char)(seed >> 16);
		put(b, &c, 1);
	}
}

/* mkdir -p of the directories above path (path is relative to outdir). */
static int make_parents(char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		int rc = mkdir(path, 0755);
		*s = '/';
		if (rc != 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static void write_fixture(const char *rel, const struct buf *b)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", outdir, rel) >= (int)sizeof path) {
		fprintf(stderr, "mk3cx: path too long: '%s'\n", rel);
		failed = 1;
		return;
	}
	FILE *f = NULL;
	if (make_parents(path) != 0 || !(f = fopen(path, "wb")) ||
	    fwrite(b->p, 1, b->len, f) != b->len) {
		fprintf(stderr, "mk3cx: unable to write '%s': %s\n", path,
			strerror(errno));
		failed = 1;
	}
	if (f && fclose(f) != 0)
		failed = 1;
}

static void write_text(const char *rel, const char *text)
{
	struct buf b = {0};
	put_str(&b, text);
	write_fixture(rel, &b);
	free(b.p);
}

/*
 * Textbook RC4 (key schedule, then keystream XOR). OpenSSL 3 only offers
 * RC4 through its legacy provider, which a test should not depend on; the
 * SigFlip layout needs RC4 output, not a secure cipher.
 */
static void rc4(const unsigned char *key, size_t klen, const unsigned char *in,
		unsigned char *out, size_t n)
{
	unsigned char s[256];
	for (int i = 0; i < 256; i++)
		s[i] = (unsigned char)i;
	for (int i = 0, j = 0; i < 256; i++) {
		j = (j + s[i] + key[(size_t)i % klen]) & 255;
		unsigned char t = s[i];
		s[i] = s[j];
		s[j] = t;
	}
	for (size_t k = 0, i = 0, j = 0; k < n; k++) {
		i = (i + 1) & 255;
		j = (j + s[i]) & 255;
		unsigned char t = s[i];
		s[i] = s[j];
		s[j] = t;
		out[k] = in[k] ^ s[(s[i] + s[j]) & 255];
	}
}

/* ---- PE ------------------------------------------------------------------ */

enum { PE_HDR = 0x200, PE_SECT = 0x200, PE_CERT_OFF = PE_HDR + PE_SECT };

/*
 * A structurally minimal PE32+ DLL: headers, one .text section (sect, up to
 * 512 bytes, else a single 'ret'), then, when cert is given, the attribute
 * certificate table at a file offset named by data directory 4, then 'after'
 * (bytes the directory does not cover).
 */
static void build_pe(struct buf *b, const struct buf *sect, const struct buf *cert,
		     const struct buf *after)
{
	unsigned char h[PE_HDR + PE_SECT];
	memset(h, 0, sizeof h);
	h[0] = 'M';
	h[1] = 'Z';
	le32(h + 0x3c, 0x40);                /* e_lfanew */
	unsigned char *nt = h + 0x40;
	memcpy(nt, "PE\0\0", 4);
	unsigned char *coff = nt + 4;
	le16(coff, 0x8664);                  /* AMD64 */
	le16(coff + 2, 1);                   /* one section */
	le32(coff + 4, 0x64000000);          /* TimeDateStamp */
	le16(coff + 16, 0xf0);               /* SizeOfOptionalHeader */
	le16(coff + 18, 0x2022);             /* executable, large address aware, DLL */
	unsigned char *opt = coff + 20;
	le16(opt, 0x20b);                    /* PE32+ */
	opt[2] = 14;
	le32(opt + 0x04, PE_SECT);           /* SizeOfCode */
	le32(opt + 0x10, 0x1000);            /* AddressOfEntryPoint */
	le32(opt + 0x14, 0x1000);            /* BaseOfCode */
	le64(opt + 0x18, 0x180000000ull);    /* ImageBase */
	le32(opt + 0x20, 0x1000);            /* SectionAlignment */
	le32(opt + 0x24, 0x200);             /* FileAlignment */
	le16(opt + 0x28, 6);                 /* OS version */
	le16(opt + 0x30, 6);                 /* subsystem version */
	le32(opt + 0x38, 0x2000);            /* SizeOfImage */
	le32(opt + 0x3c, PE_HDR);            /* SizeOfHeaders */
	le16(opt + 0x44, 2);                 /* Windows GUI */
	le16(opt + 0x46, 0x160);             /* DllCharacteristics */
	le64(opt + 0x48, 0x100000);
	le64(opt + 0x50, 0x1000);
	le64(opt + 0x58, 0x100000);
	le64(opt + 0x60, 0x1000);
	le32(opt + 0x6c, 16);                /* NumberOfRvaAndSizes */
	if (cert && cert->len) {
		/* IMAGE_DIRECTORY_ENTRY_SECURITY: a file offset, not an RVA */
		le32(opt + 0x70 + 4 * 8, PE_CERT_OFF);
		le32(opt + 0x70 + 4 * 8 + 4, (uint32_t)cert->len);
	}
	unsigned char *sh = opt + 0xf0;
	memcpy(sh, ".text", 5);
	size_t slen = sect && sect->len ? sect->len : 1;
	if (slen > PE_SECT)
		slen = PE_SECT;
	le32(sh + 8, (uint32_t)slen);        /* VirtualSize */
	le32(sh + 12, 0x1000);               /* VirtualAddress */
	le32(sh + 16, PE_SECT);              /* SizeOfRawData */
	le32(sh + 20, PE_HDR);               /* PointerToRawData */
	le32(sh + 36, 0x60000020);           /* code, execute, read */
	if (sect && sect->len)
		memcpy(h + PE_HDR, sect->p, slen);
	else
		h[PE_HDR] = 0xc3;            /* ret */
	put(b, h, sizeof h);
	if (cert)
		put(b, cert->p, cert->len);
	if (after)
		put(b, after->p, after->len);
}

/*
 * A WIN_CERTIFICATE (revision 2.0, PKCS#7 SignedData) whose bCertificate is
 * only the DER opening of a SignedData (SEQUENCE { OID 1.2.840.113549.1.7.2 }):
 * enough structure for parsers, no real signature. With sigflip set, the
 * SigFlip layout follows it: tag, RC4("BENIGN-TEST-PAYLOAD", "test-key"),
 * zeros to an 8-byte boundary, counted in dwLength as that tool does.
 */
static void build_cert(struct buf *c, int sigflip)
{
	static const unsigned char der[] = {0x30, 0x82, 0x00, 0x0b, 0x06,
					    0x09, 0x2a, 0x86, 0x48, 0x86,
					    0xf7, 0x0d, 0x01, 0x07, 0x02};
	static const unsigned char tag[8] = {0xfe, 0xed, 0xfa, 0xce,
					     0xfe, 0xed, 0xfa, 0xce};
	unsigned char hdr[8] = {0};
	put(c, hdr, sizeof hdr);
	put(c, der, sizeof der);
	put_zeros(c, (8 - c->len % 8) % 8);
	if (sigflip) {
		const char *payload = "BENIGN-TEST-PAYLOAD";
		unsigned char enc[32];
		rc4((const unsigned char *)"test-key", 8,
		    (const unsigned char *)payload, enc, strlen(payload));
		put(c, tag, sizeof tag);
		put(c, enc, strlen(payload));
		put_zeros(c, (8 - c->len % 8) % 8);
	}
	le32(c->p, (uint32_t)c->len);  /* dwLength */
	le16(c->p + 4, 0x0200);        /* WIN_CERT_REVISION_2_0 */
	le16(c->p + 6, 0x0002);        /* WIN_CERT_TYPE_PKCS_SIGNED_DATA */
}

static void write_pe(const char *rel, const struct buf *sect, int cert,
		     int sigflip, const struct buf *after)
{
	struct buf b = {0}, c = {0};
	if (cert)
		build_cert(&c, sigflip);
	build_pe(&b, sect, cert ? &c : NULL, after);
	write_fixture(rel, &b);
	free(b.p);
	free(c.p);
}

static void pe_fixtures(void)
{
	static const unsigned char tag[8] = {0xfe, 0xed, 0xfa, 0xce,
					     0xfe, 0xed, 0xfa, 0xce};
	struct buf t = {0};
	put(&t, tag, sizeof tag);
	put_str(&t, "not encrypted, just after the tag");

	/* positive: the SigFlip/3CX container inside the certificate table */
	write_pe("pe/sigflip_tag_in_cert_table.dll", NULL, 1, 1, NULL);
	/* negatives: the tag in code, a table without it, after the table
	 * (outside the directory), and in a file that is no PE */
	write_pe("pe/tag_in_section.dll", &t, 1, 0, NULL);
	write_pe("pe/cert_table_without_tag.dll", NULL, 1, 0, NULL);
	write_pe("pe/tag_after_cert_table.dll", NULL, 1, 0, &t);
	write_fixture("pe/tag_not_pe.bin", &t);
	free(t.p);
}

/* ---- loader strings ------------------------------------------------------ */

static void loader_fixtures(void)
{
	char *key = unmask(key_masked, sizeof key_masked);
	struct buf b = {0};

	/* positive: inert data with the RC4 key and the UTF-16 event name */
	put_str(&b, "vigil test fixture: inert data, no code\n");
	put_str(&b, key);
	put_zeros(&b, 8);
	put_utf16(&b, "AVMonitorRefreshEvent");
	put_zeros(&b, 2);
	write_fixture("loader/key_and_event.bin", &b);

	/* positive: the key inside a PE's section */
	b.len = 0;
	put_str(&b, key);
	write_pe("loader/key_in_pe.dll", &b, 0, 0, NULL);

	/* negatives: either string alone in data; the event name in ASCII */
	b.len = 0;
	put_str(&b, "vigil test fixture: key only\n");
	put_str(&b, key);
	write_fixture("loader/key_only.bin", &b);
	b.len = 0;
	put_utf16(&b, "AVMonitorRefreshEvent");
	write_fixture("loader/event_only.bin", &b);
	b.len = 0;
	put_str(&b, key);
	put_str(&b, " AVMonitorRefreshEvent\n");
	write_fixture("loader/key_and_ascii_event.txt", &b);
	free(b.p);
	free(key);
}

/* ---- IconStorages URL template ----------------------------------------- */

static void url_fixtures(void)
{
	char *url = unmask(url_masked, sizeof url_masked);
	struct buf b = {0};

	/* positives: UTF-16 in data; ASCII inside a PE */
	put_zeros(&b, 16);
	put_utf16(&b, url);
	put_zeros(&b, 2);
	write_fixture("url/template_utf16.bin", &b);
	b.len = 0;
	put_str(&b, url);
	write_pe("url/template_ascii_in_pe.dll", &b, 0, 0, NULL);

	/* negatives: ASCII in a text report; the template of another repo */
	b.len = 0;
	put_str(&b, "Threat report: the loader fetched ");
	put_str(&b, url);
	put_str(&b, " and decoded the tail.\n");
	write_fixture("url/template_ascii_report.txt", &b);
	b.len = 0;
	put_utf16(&b, "https://raw.githubusercontent.com/IconStorage/images/main/icon%d.ico");
	write_fixture("url/other_repo_utf16.bin", &b);
	free(b.p);
	free(url);
}

/* ---- ICO with the encrypted C2 address after the PNG --------------------- */

static void png_chunk(struct buf *b, const char *type, const unsigned char *d,
		      size_t n)
{
	unsigned char len[4], crc[4];
	be32(len, (uint32_t)n);
	put(b, len, 4);
	put(b, type, 4);
	put(b, d, n);
	uLong c = crc32(0L, (const Bytef *)type, 4);
	if (n)
		c = crc32(c, d, (uInt)n);
	be32(crc, (uint32_t)c);
	put(b, crc, 4);
}

/* A valid 1x1 RGBA PNG. */
static void build_png(struct buf *b)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
	unsigned char ihdr[13] = {0};
	be32(ihdr, 1);
	be32(ihdr + 4, 1);
	ihdr[8] = 8;    /* bit depth */
	ihdr[9] = 6;    /* RGBA */
	const unsigned char raw[5] = {0, 0x1f, 0x6f, 0xb4, 0xff}; /* filter 0, one pixel */
	unsigned char z[64];
	uLongf zlen = sizeof z;
	if (compress(z, &zlen, raw, sizeof raw) != Z_OK) {
		fprintf(stderr, "mk3cx: zlib compress failed\n");
		exit(2);
	}
	put(b, sig, sizeof sig);
	png_chunk(b, "IHDR", ihdr, sizeof ihdr);
	png_chunk(b, "IDAT", z, zlen);
	png_chunk(b, "IEND", NULL, 0);
}

/* ICONDIR + one ICONDIRENTRY (1x1, 32 bpp) for an image of n bytes. */
static void ico_header(struct buf *b, size_t n)
{
	unsigned char h[22] = {0};
	le16(h + 2, 1);          /* type: icon */
	le16(h + 4, 1);          /* one image */
	h[6] = 1;                /* width */
	h[7] = 1;                /* height */
	le16(h + 10, 1);         /* planes */
	le16(h + 12, 32);        /* bits per pixel */
	le32(h + 14, (uint32_t)n);
	le32(h + 18, sizeof h);  /* image offset */
	put(b, h, sizeof h);
}

static void build_png_ico(struct buf *b)
{
	struct buf png = {0};
	build_png(&png);
	ico_header(b, png.len);
	put(b, png.p, png.len);
	free(png.p);
}

/*
 * base64(4 bytes || GCM tag || AES-256-GCM(url)), the layout of the 3CX icon
 * tails, under a TEST key and nonce (the attackers' key is not used).
 */
static char *c2_blob(void)
{
	static const unsigned char key[32] = "vigil-test-key-not-the-real-one";
	static const unsigned char iv[12] = "vigil-nonce";
	const char *url = "https://example.invalid/c2";
	unsigned char raw[4 + 16 + 64] = {0x76, 0x67, 0x6c, 0x21};
	int n = 0, fin = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx || EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(ctx, raw + 20, &n, (const unsigned char *)url,
			      (int)strlen(url)) != 1 ||
	    EVP_EncryptFinal_ex(ctx, raw + 20 + n, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, raw + 4) != 1) {
		fprintf(stderr, "mk3cx: AES-256-GCM failed\n");
		exit(2);
	}
	EVP_CIPHER_CTX_free(ctx);
	size_t rawlen = 20 + (size_t)n + (size_t)fin;
	char *b64 = malloc(4 * ((rawlen + 2) / 3) + 1);
	if (!b64) {
		perror("mk3cx");
		exit(2);
	}
	EVP_EncodeBlock((unsigned char *)b64, raw, (int)rawlen);
	return b64;
}

static void ico_fixtures(void)
{
	char *b64 = c2_blob();
	struct buf b = {0};

	/* positive: ICO, PNG, then '$' and the base64 blob */
	build_png_ico(&b);
	put_str(&b, "$");
	put_str(&b, b64);
	write_fixture("ico/c2_stash.ico", &b);

	/* negatives */
	b.len = 0;
	build_png_ico(&b);
	write_fixture("ico/ends_at_iend.ico", &b);

	b.len = 0;
	build_png_ico(&b);
	put_str(&b, "$");
	static const unsigned char junk[24] = {0x00, 0xff, 0x80, 0x01, 0x7f, 0xfe,
					       0x90, 0x00, 0xc3, 0x10, 0x02, 0x99,
					       0xaa, 0x00, 0x00, 0x0d, 0x0a, 0xee,
					       0xdd, 0x05, 0x1b, 0x81, 0x82, 0x83};
	put(&b, junk, sizeof junk);
	write_fixture("ico/non_base64_tail.ico", &b);

	b.len = 0;
	build_png_ico(&b);
	put_str(&b, "$");
	put_str(&b, b64);
	put_zeros(&b, 600);            /* tail more than 500 bytes from the end */
	write_fixture("ico/tail_far_from_end.ico", &b);

	b.len = 0;                     /* not an ICO: a bare PNG with the tail */
	build_png(&b);
	put_str(&b, "$");
	put_str(&b, b64);
	write_fixture("ico/stash_in_bare_png.png", &b);

	/* a plain ICO: one 1x1 32-bpp DIB image, no PNG at all */
	b.len = 0;
	ico_header(&b, 40 + 4 + 4);
	unsigned char dib[48] = {0};
	le32(dib, 40);                 /* BITMAPINFOHEADER size */
	le32(dib + 4, 1);              /* width */
	le32(dib + 8, 2);              /* height: XOR and AND masks */
	le16(dib + 12, 1);             /* planes */
	le16(dib + 14, 32);            /* bits per pixel */
	dib[40] = 0xb4;                /* one BGRA pixel */
	dib[43] = 0xff;
	put(&b, dib, sizeof dib);
	write_fixture("ico/plain_dib.ico", &b);
	free(b.p);
	free(b64);
}

/* ---- Gopuram host artifacts on a mounted Windows disk -------------------- */

static void windows_disk_fixtures(void)
{
	struct buf b = {0};
	write_text("mnt/Windows/System32/wlbsctrl.dll",
		   "vigil test fixture: benign stand-in for a DLL Windows does not ship\n");
	write_text("mnt/Program Files/Vendor/wlbsctrl.dll",
		   "vigil test fixture: the same name outside System32\n");

	/* positive: small transaction-log name holding no REGISTRY marker */
	put_noise(&b, 4096, 0x3c3c);
	write_fixture("mnt/Windows/System32/config/TxR/"
		      "{a1b2c3d4-0000-4000-8000-766967696c00}.TxR.0.regtrans-ms", &b);

	/* negatives: Windows' own log (the marker inside), a large one, and a
	 * file of the same directory with another name */
	b.len = 0;
	put_zeros(&b, 512);
	put_utf16(&b, "\\REGISTRY\\MACHINE\\COMPONENTS");
	put_noise(&b, 2048, 0x1234);
	write_fixture("mnt/Windows/System32/config/"
		      "COMPONENTS{a1b2c3d4-0000-4000-8000-766967696c01}.TxR.0.regtrans-ms", &b);
	b.len = 0;
	put_zeros(&b, 128 * 1024);
	write_fixture("mnt/Windows/System32/config/TxR/"
		      "{a1b2c3d4-0000-4000-8000-766967696c02}.TxR.0.regtrans-ms", &b);
	b.len = 0;
	put_noise(&b, 4096, 0x5a5a);
	write_fixture("mnt/Windows/System32/config/TxR/"
		      "{a1b2c3d4-0000-4000-8000-766967696c00}.TxR.blf", &b);
	free(b.p);
}

/* ---- names of the affected installers ----------------------------------- */

static void name_fixtures(void)
{
	static const char *const names[] = {
		/* positives */
		"downloads/3CXDesktopApp-18.12.407.msi",
		"downloads/3CXDesktopApp-18.12.416.msi",
		"downloads/3cxdesktopapp-18.12.416.dmg",
		"downloads/3CXDesktopApp-18.12.416-full.nupkg",
		"downloads/X_TRADER_r7.17.90p608.exe",
		"macos/Users/u/Library/Application Support/3CX Desktop App/.main_storage",
		/* negatives: the clean rebuild, a longer name, another file */
		"downloads/3CXDesktopApp-18.12.422.msi",
		"downloads/3CXDesktopApp-18.12.416.msi.txt",
		"macos/Users/u/Library/Application Support/3CX Desktop App/config.json",
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char text[512];
		/* the name in the content keeps every file's hash distinct */
		snprintf(text, sizeof text,
			 "vigil test fixture: benign file named like '%s'\n", names[i]);
		write_text(names[i], text);
	}
}

/* ---- macOS dylib strings -------------------------------------------------- */

static void macho_header(struct buf *b)
{
	unsigned char h[32] = {0};
	le32(h, 0xfeedfacf);     /* MH_MAGIC_64 */
	le32(h + 4, 0x01000007); /* x86_64 */
	le32(h + 8, 3);
	le32(h + 12, 6);         /* MH_DYLIB */
	put(b, h, sizeof h);
}

static void put_xor(struct buf *b, const char *s, unsigned char k)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s ^ k;
		put(b, &c, 1);
	}
}

static void macos_fixtures(void)
{
	const char *ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)";
	const char *cookie = ";3cx_auth_token_content=%s;__tutma=";
	struct buf b = {0};

	macho_header(&b);
	put_str(&b, "%s/.main_storage");
	put_zeros(&b, 1);
	put_str(&b, "%s/UpdateAgent");
	put_zeros(&b, 1);
	write_fixture("macos/dropper_paths.dylib", &b);

	b.len = 0;
	macho_header(&b);
	put_xor(&b, ua, 0x7a);
	put_zeros(&b, 1);
	put_xor(&b, cookie, 0x7a);
	write_fixture("macos/xor_strings.dylib", &b);

	/* negatives: the same bytes without a Mach-O header; XOR 0x7B */
	b.len = 0;
	put_str(&b, "%s/.main_storage\n%s/UpdateAgent\n");
	write_fixture("macos/dropper_paths.txt", &b);
	b.len = 0;
	put_xor(&b, ua, 0x7a);
	put_xor(&b, cookie, 0x7a);
	write_fixture("macos/xor_strings_not_macho.bin", &b);
	b.len = 0;
	macho_header(&b);
	put_xor(&b, ua, 0x7b);
	put_xor(&b, cookie, 0x7b);
	write_fixture("macos/xor_other_key.dylib", &b);
	free(b.p);
}

int main(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: mk3cx DIR\n"
				"Write benign look-alikes of the 3CX artifacts into DIR.\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "mk3cx: unable to create '%s': %s\n", outdir,
			strerror(errno));
		return 2;
	}
	pe_fixtures();
	loader_fixtures();
	url_fixtures();
	ico_fixtures();
	windows_disk_fixtures();
	name_fixtures();
	macos_fixtures();
	return failed ? 2 : 0;
}
