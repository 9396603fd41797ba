/*
 * mkcountersig IN OUT TSA_CERT TSA_KEY UNIXTIME [bad]: give the signature of
 * a signed PE (IN, signed at test time by tests/e2e/pe_trust.sh) the legacy
 * Authenticode timestamp, a PKCS#9 countersignature (unsigned attribute
 * 1.2.840.113549.1.9.6): a SignerInfo by TSA_CERT whose signed attributes
 * are contentType (data), signingTime UNIXTIME and messageDigest, the
 * SHA-256 of the signature's encryptedDigest; the TSA certificate is added
 * to the PKCS#7's certificates. With "bad" the messageDigest covers other
 * bytes (a countersignature lifted from another signature). The
 * WIN_CERTIFICATE, the directory size and the CheckSum are rewritten.
 * Exit 0, or 2 with a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "base/util.h"
#include "formats/byteread.h"
#include "formats/pe.h"

static void die(const char *msg)
{
	fprintf(stderr, "mkcountersig: %s\n", msg);
	exit(2);
}

static void *pem(const char *path, int key)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("cannot open a PEM file");
	void *v = key ? (void *)PEM_read_PrivateKey(f, NULL, NULL, NULL)
		      : (void *)PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!v)
		die("cannot read a PEM file");
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 6 && argc != 7)
		die("usage: mkcountersig IN OUT TSA_CERT TSA_KEY UNIXTIME [bad]");
	int bad = argc == 7 && !strcmp(argv[6], "bad");
	char *in;
	size_t len;
	if (vg_read_file(argv[1], (size_t)64 << 20, &in, &len) != 0)
		die("unable to read the input");
	const uint8_t *buf = (const uint8_t *)in;
	vg_pe *pe;
	if (vg_pe_parse(buf, len, 0, &pe) != VIGIL_OK || !pe->signed_ || pe->ncerts != 1 ||
	    pe->certs[0].der != VG_PE_DER_OK || pe->cert_off + pe->cert_size != len)
		die("input is not a PE with one clean signature at its end");
	const unsigned char *p = buf + pe->certs[0].der_off;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)pe->certs[0].der_len);
	PKCS7_SIGNER_INFO *si = p7 ? sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0)
				   : NULL;
	if (!si)
		die("no signer in the signature");
	X509 *tsa = pem(argv[3], 0);
	EVP_PKEY *key = pem(argv[4], 1);

	PKCS7_SIGNER_INFO *cs = PKCS7_SIGNER_INFO_new();
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	static const uint8_t other[] = "not this signature";
	const uint8_t *covered = bad ? other : si->enc_digest->data;
	size_t ncovered = bad ? sizeof other : (size_t)si->enc_digest->length;
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)strtoll(argv[5], NULL, 10));
	if (!cs || !t || PKCS7_SIGNER_INFO_set(cs, tsa, key, EVP_sha256()) != 1 ||
	    PKCS7_add_signed_attribute(cs, NID_pkcs9_contentType, V_ASN1_OBJECT,
				       OBJ_nid2obj(NID_pkcs7_data)) != 1 ||
	    PKCS7_add0_attrib_signing_time(cs, t) != 1 ||
	    EVP_Digest(covered, ncovered, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    PKCS7_add1_attrib_digest(cs, md, (int)mdlen) != 1 || PKCS7_SIGNER_INFO_sign(cs) != 1)
		die("cannot make the countersignature");
	unsigned char *der = NULL;
	int derlen = i2d_PKCS7_SIGNER_INFO(cs, &der);
	ASN1_STRING *seq = derlen > 0 ? ASN1_STRING_new() : NULL;
	if (!seq || ASN1_STRING_set(seq, der, derlen) != 1 ||
	    PKCS7_add_attribute(si, NID_pkcs9_countersignature, V_ASN1_SEQUENCE, seq) != 1 ||
	    PKCS7_add_certificate(p7, tsa) != 1)
		die("cannot attach the countersignature");
	OPENSSL_free(der);
	unsigned char *out7 = NULL;
	int out7len = i2d_PKCS7(p7, &out7);
	if (out7len <= 0)
		die("cannot encode the signature");

	/* the file up to the table, then one WIN_CERTIFICATE padded to 8 */
	size_t entry = 8 + (size_t)out7len, padded = (entry + 7) & ~(size_t)7;
	size_t olen = (size_t)pe->cert_off + padded;
	uint8_t *ob = calloc(1, olen);
	if (!ob)
		die("out of memory");
	memcpy(ob, buf, (size_t)pe->cert_off);
	uint8_t *w = ob + pe->cert_off;
	vg_put_le32(w, (uint32_t)entry);
	w[4] = 0x00; /* revision 2.0 */
	w[5] = 0x02;
	w[6] = 0x02; /* WIN_CERT_TYPE_PKCS_SIGNED_DATA */
	w[7] = 0x00;
	memcpy(w + 8, out7, (size_t)out7len);
	vg_put_le32(ob + pe->secdir_off + 4, (uint32_t)padded);
	vg_put_le32(ob + pe->checksum_off, vg_pe_checksum(ob, olen, pe->checksum_off));
	FILE *f = fopen(argv[2], "wb");
	int ok = f && fwrite(ob, 1, olen, f) == olen;
	ok = f && fclose(f) == 0 && ok;
	if (!ok)
		die("cannot write the output");
	free(ob);
	OPENSSL_free(out7);
	PKCS7_SIGNER_INFO_free(cs);
	PKCS7_free(p7);
	X509_free(tsa);
	EVP_PKEY_free(key);
	vg_pe_free(pe);
	free(in);
	return 0;
}
