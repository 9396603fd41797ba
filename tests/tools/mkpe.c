/*
 * mkpe VARIANT IN OUT [OTHER]: derive a tampered copy of a signed PE (IN,
 * signed at test time by tests/e2e/pe_tamper.sh) or a broken PE, for the
 * signed-binary tampering checks. Every payload is inert text.
 *
 *   sigflip    the 3CX/SigFlip container: TAG(FE ED FA CE FE ED FA CE) ||
 *              RC4("BENIGN-TEST-PAYLOAD", key "test-key") || zero pad to 8,
 *              appended inside the last WIN_CERTIFICATE, dwLength and the
 *              directory size grown, CheckSum recomputed (the layout facts of
 *              docs: reference 3cx.md §1.2 step 4; no SigFlip code)
 *   textslack  the same place, a low-entropy ASCII note instead
 *   zeroslack  the same place, 24 zero bytes
 *   flip       one byte of the first section inverted (CheckSum left stale)
 *   append     64 bytes after the certificate table, no size updated
 *   sizeskew   8 zero bytes after the table counted in the directory size
 *              only (dwLength untouched)
 *   twocerts   a second WIN_CERTIFICATE holding OTHER's first PKCS#7
 *   cuttable   the file cut 100 bytes before the end of its table
 *   truncated  the first 200 bytes (optional header cut short)
 *   selfref    e_lfanew pointing at itself (0x3c)
 *   lfanew-eof e_lfanew pointing past the end of the file
 *   garbage    "MZ" and 4 KiB of pseudo-random bytes
 * Exit 0, or 2 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/byteread.h"
#include "formats/pe.h"
#include "base/util.h"

static uint8_t *buf;
static size_t len, cap;

static void die(const char *msg)
{
	fprintf(stderr, "mkpe: %s\n", msg);
	exit(2);
}

static void reserve(size_t n)
{
	if (!vg_grow(&buf, &cap, len + n, 1))
		die("out of memory");
}

static void append(const void *p, size_t n)
{
	reserve(n);
	memcpy(buf + len, p, n);
	len += n;
}

static void load(const char *path, uint8_t **out, size_t *outlen)
{
	char *b;
	size_t n;
	if (vg_read_file(path, (size_t)64 << 20, &b, &n) != 0)
		die("unable to read the input");
	*out = (uint8_t *)b;
	*outlen = n;
}

static vg_pe *parse_signed(void)
{
	vg_pe *pe;
	if (vg_pe_parse(buf, len, 0, &pe) != VIGIL_OK || !pe->signed_ || !pe->ncerts)
		die("input is not a cleanly signed PE");
	if (pe->cert_off + pe->cert_size != len)
		die("the certificate table is not at the end of the input");
	return pe;
}

static void fix_checksum(const vg_pe *pe)
{
	vg_put_le32(buf + pe->checksum_off, vg_pe_checksum(buf, len, pe->checksum_off));
}

/* Textbook RC4 (KSA + PRGA), for the benign stand-in payload only. */
static void rc4(const uint8_t *key, size_t klen, const uint8_t *in, uint8_t *out, size_t n)
{
	uint8_t S[256];
	for (int i = 0; i < 256; i++)
		S[i] = (uint8_t)i;
	for (int i = 0, j = 0; i < 256; i++) {
		j = (j + S[i] + key[i % klen]) & 0xff;
		uint8_t t = S[i];
		S[i] = S[j];
		S[j] = t;
	}
	for (size_t k = 0, i = 0, j = 0; k < n; k++) {
		i = (i + 1) & 0xff;
		j = (j + S[i]) & 0xff;
		uint8_t t = S[i];
		S[i] = S[j];
		S[j] = t;
		out[k] = in[k] ^ S[(S[i] + S[j]) & 0xff];
	}
}

/* Append data inside the last WIN_CERTIFICATE; grow dwLength and Size. */
static void stuff_last_entry(const uint8_t *data, size_t n)
{
	vg_pe *pe = parse_signed();
	const vg_pe_cert *last = &pe->certs[pe->ncerts - 1];
	if (last->offset + last->length != len)
		die("the last entry does not end the file");
	append(data, n);
	vg_put_le32(buf + last->offset, last->length + (uint32_t)n);
	vg_put_le32(buf + pe->secdir_off + 4, (uint32_t)(pe->cert_size + n));
	fix_checksum(pe);
	vg_pe_free(pe);
}

int main(int argc, char **argv)
{
	if (argc < 4)
		die("usage: mkpe VARIANT IN OUT [OTHER]");
	const char *v = argv[1];
	load(argv[2], &buf, &len);
	cap = len;

	if (!strcmp(v, "sigflip")) {
		static const uint8_t tag[8] = {0xfe, 0xed, 0xfa, 0xce, 0xfe, 0xed, 0xfa, 0xce};
		const char *payload = "BENIGN-TEST-PAYLOAD", *key = "test-key";
		uint8_t blob[64] = {0};
		size_t pl = strlen(payload);
		memcpy(blob, tag, 8);
		rc4((const uint8_t *)key, strlen(key), (const uint8_t *)payload, blob + 8, pl);
		size_t n = (8 + pl + 7) & ~(size_t)7;
		stuff_last_entry(blob, n);
	} else if (!strcmp(v, "textslack")) {
		const char note[] = "installer-tag: channel=stable; channel=stable; channel=stable;";
		uint8_t blob[72] = {0};
		memcpy(blob, note, sizeof note - 1);
		stuff_last_entry(blob, ((sizeof note - 1) + 7) & ~(size_t)7);
	} else if (!strcmp(v, "zeroslack")) {
		uint8_t z[24] = {0};
		stuff_last_entry(z, sizeof z);
	} else if (!strcmp(v, "flip")) {
		vg_pe *pe = parse_signed();
		if (!pe->nsections || !pe->sections[0].raw_size)
			die("no section to alter");
		buf[pe->sections[0].raw_off + pe->sections[0].raw_size / 2] ^= 0xff;
		vg_pe_free(pe);
	} else if (!strcmp(v, "append")) {
		vg_pe *pe = parse_signed();
		uint8_t extra[64];
		for (size_t i = 0; i < sizeof extra; i++)
			extra[i] = (uint8_t)('a' + i % 26);
		append(extra, sizeof extra);
		fix_checksum(pe);
		vg_pe_free(pe);
	} else if (!strcmp(v, "sizeskew")) {
		vg_pe *pe = parse_signed();
		uint8_t z[8] = {0};
		append(z, sizeof z);
		vg_put_le32(buf + pe->secdir_off + 4, (uint32_t)(pe->cert_size + 8));
		fix_checksum(pe);
		vg_pe_free(pe);
	} else if (!strcmp(v, "twocerts")) {
		if (argc < 5)
			die("twocerts needs OTHER");
		vg_pe *pe = parse_signed();
		uint8_t *ob;
		size_t olen;
		load(argv[4], &ob, &olen);
		vg_pe *op;
		if (vg_pe_parse(ob, olen, 0, &op) != VIGIL_OK || !op->ncerts ||
		    op->certs[0].der != VG_PE_DER_OK)
			die("OTHER is not a cleanly signed PE");
		const vg_pe_cert *oc = &op->certs[0];
		uint32_t l = (uint32_t)(8 + oc->der_len);
		uint32_t al = (l + 7) & ~7u;
		uint8_t hdr[8] = {0, 0, 0, 0, 0x00, 0x02, 0x02, 0x00};
		vg_put_le32(hdr, al);
		append(hdr, 8);
		append(ob + oc->der_off, (size_t)oc->der_len);
		uint8_t z[8] = {0};
		append(z, al - l);
		vg_put_le32(buf + pe->secdir_off + 4, (uint32_t)(pe->cert_size + al));
		fix_checksum(pe);
		vg_pe_free(op);
		free(ob);
		vg_pe_free(pe);
	} else if (!strcmp(v, "cuttable")) {
		vg_pe *pe = parse_signed();
		if (pe->cert_size < 200)
			die("table too small to cut");
		len -= 100;
		vg_pe_free(pe);
	} else if (!strcmp(v, "truncated")) {
		if (len > 200)
			len = 200;
	} else if (!strcmp(v, "selfref")) {
		vg_put_le32(buf + 0x3c, 0x3c);
	} else if (!strcmp(v, "lfanew-eof")) {
		vg_put_le32(buf + 0x3c, (uint32_t)len + 16);
	} else if (!strcmp(v, "garbage")) {
		uint32_t x = 2463534242u; /* xorshift32, fixed seed */
		len = 0;
		append("MZ", 2);
		for (int i = 0; i < 4096; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			uint8_t c = (uint8_t)x;
			append(&c, 1);
		}
	} else {
		die("unknown variant");
	}

	FILE *f = fopen(argv[3], "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		die("unable to write the output");
	free(buf);
	return 0;
}
