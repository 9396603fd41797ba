/*
 * pe_certgrow IN OUT SEED SIZE: the 3CX d3dcompiler_47.dll layout
 * (../shared/reference/3cx.md §1.2 step 4, the SigFlip format) made on a
 * signed PE with benign bytes. After the PKCS#7 blob of the last
 * WIN_CERTIFICATE, at the old end of the file, it appends the tag
 * FE ED FA CE FE ED FA CE, SIZE bytes that look encrypted (a xorshift
 * stream from SEED, not a cipher of anything) and zeros to an 8-byte
 * boundary; adds that many bytes to the certificate's dwLength and to the
 * size of the security data directory; and recomputes the optional
 * header's CheckSum. The Authenticode digest does not cover the
 * certificate table, so the signature stays valid. Exit 0, or 1 with a
 * message when IN is not a PE whose certificate table ends the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/byteread.h"

static int die(const char *what)
{
	fprintf(stderr, "pe_certgrow: %s\n", what);
	return 1;
}

static void put32(uint8_t *b, uint32_t v)
{
	vg_put_le32(b, v);
}

/* The PE checksum: 16-bit sums with carry over the file, the CheckSum
 * field counted as zero, plus the file's length. */
static uint32_t pe_checksum(const uint8_t *b, size_t len, size_t csum_off)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < len; i += 2) {
		if (i == csum_off || i == csum_off + 2)
			continue;
		uint32_t w = b[i] | (i + 1 < len ? (uint32_t)b[i + 1] << 8 : 0);
		sum += w;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum + len);
}

int main(int argc, char **argv)
{
	if (argc != 5)
		return die("usage: pe_certgrow IN OUT SEED SIZE");
	uint64_t seed = strtoull(argv[3], NULL, 0) | 1;
	size_t extra = (size_t)strtoul(argv[4], NULL, 0);
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		return die("cannot open the input");
	fseek(f, 0, SEEK_END);
	long l = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (l <= 0 || extra > (1u << 24))
		return die("bad sizes");
	size_t len = (size_t)l, add = 8 + extra, pad = (8 - (len + add) % 8) % 8;
	uint8_t *b = calloc(1, len + add + pad);
	if (!b || fread(b, 1, len, f) != len)
		return die("cannot read the input");
	fclose(f);

	uint32_t lfanew, sig, cert_off, cert_size, dwlen;
	uint16_t magic, nopt;
	if (!vg_le32(b, len, 0x3c, &lfanew) || !vg_le32(b, len, lfanew, &sig) ||
	    sig != 0x00004550 || !vg_le16(b, len, lfanew + 20, &nopt) ||
	    !vg_le16(b, len, lfanew + 24, &magic))
		return die("not a PE file");
	size_t opt = (size_t)lfanew + 24, dirs = opt + (magic == 0x20b ? 112 : 96);
	size_t secdir = dirs + 4 * 8, csum_off = opt + 64;
	if (!vg_le32(b, len, secdir, &cert_off) || !vg_le32(b, len, secdir + 4, &cert_size) ||
	    cert_size == 0)
		return die("no certificate table (is the input signed?)");
	if ((uint64_t)cert_off + cert_size != len)
		return die("the certificate table does not end the file");
	/* the last WIN_CERTIFICATE: walk the 8-byte aligned entries */
	size_t at = cert_off, last = 0;
	while (at < len) {
		if (!vg_le32(b, len, at, &dwlen) || dwlen < 8)
			return die("a damaged WIN_CERTIFICATE");
		last = at;
		at += ((size_t)dwlen + 7) & ~(size_t)7;
	}
	vg_le32(b, len, last, &dwlen);
	if (last + dwlen != len)
		return die("the last certificate does not end the file");

	static const uint8_t tag[8] = {0xfe, 0xed, 0xfa, 0xce, 0xfe, 0xed, 0xfa, 0xce};
	memcpy(b + len, tag, 8);
	for (size_t i = 0; i < extra; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		b[len + 8 + i] = (uint8_t)(seed >> 24);
	}
	size_t grow = add + pad, total = len + grow;
	put32(b + last, dwlen + (uint32_t)grow);
	put32(b + secdir + 4, cert_size + (uint32_t)grow);
	put32(b + csum_off, pe_checksum(b, total, csum_off));

	f = fopen(argv[2], "wb");
	if (!f || fwrite(b, 1, total, f) != total || fclose(f) != 0)
		return die("cannot write the output");
	free(b);
	return 0;
}
