/*
 * Authenticode verification of a parsed PE (formats/pe.h) with OpenSSL.
 *
 *   vg_authenticode ac;
 *   int st = vg_authenticode_verify(buf, len, pe, ca_file_or_NULL, &ac);
 *   ... ac.sigs[0 .. ac.nsigs) ...
 *   vg_authenticode_clear(&ac);
 *
 * Every WIN_CERTIFICATE entry of type PKCS_SIGNED_DATA is examined, and in
 * each the signatures nested in unauthenticated attributes
 * (1.3.6.1.4.1.311.2.4.1), up to VG_AC_MAX_SIGS in all. For each signature
 * three verdicts are kept apart:
 *   digest_match  the image digest recomputed per the Authenticode spec
 *                 equals the one in SpcIndirectDataContent (nothing covered
 *                 by the signature changed since signing);
 *   intact        the PKCS#7 signer's signature verifies over the signed
 *                 attributes and content (PKCS7_verify with PKCS7_NOVERIFY:
 *                 self-consistent, whoever the signer is);
 *   trusted       the signer's certificate chains to a root in ca_file and
 *                 may sign code (-1 when no ca_file was given): the
 *                 codeSigning EKU on the leaf (a leaf without an EKU
 *                 extension may, as Windows has it), and every CA of the
 *                 chain with an EKU extension lists codeSigning or
 *                 anyExtendedKeyUsage. The chain is verified at the time of
 *                 a valid timestamp countersignature (RFC 3161 token or
 *                 PKCS#9 countersignature: signed over this signature's
 *                 encryptedDigest by a certificate with the timeStamping
 *                 EKU that chains to ca_file at that time), else, and
 *                 always for a lifetime-signing leaf, at the current time.
 *                 The unauthenticated signingTime attribute never decides.
 * A file is "intact" when digest_match and intact are both 1.
 *
 * Returns VIGIL_OK when every entry could be examined, VIGIL_WARN when some
 * signature could not be (its error says why), VIGIL_FAILED when the file is
 * not signed or nothing could be examined (ac->error), VIGIL_FATAL when
 * ca_file cannot be loaded or memory runs out (ac->error).
 */
#ifndef VIGIL_AUTHENTICODE_H
#define VIGIL_AUTHENTICODE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "formats/pe.h"

#define VG_AC_MAX_SIGS 16
#define VG_AC_MAX_NEST 4 /* nesting depth of nested signatures */

enum { VG_AC_TS_NONE = 0, VG_AC_TS_RFC3161 = 1, VG_AC_TS_LEGACY = 2 };

/* Why a signer is not trusted (docs/detections.md, "Signer trust"). */
#define VG_AC_WHY_CHAIN "VGL-SIG-CHAIN"               /* no chain to ca_file */
#define VG_AC_WHY_EKU "VGL-SIG-NOT-CODE-SIGNING"      /* the leaf's EKU lacks codeSigning */
#define VG_AC_WHY_CA_EKU "VGL-SIG-CA-EKU"             /* a CA's EKU excludes code signing */
#define VG_AC_WHY_LIFETIME "VGL-SIG-LIFETIME-EXPIRED" /* lifetime signing, expired */
#define VG_AC_WHY_NO_SIGNER "VGL-SIG-NO-SIGNER"       /* signer certificate not in the PKCS#7 */
/* Why a timestamp was not accepted. */
#define VG_AC_WHY_TS "VGL-SIG-TIMESTAMP-INVALID"

typedef struct vg_ac_sig {
	size_t cert_index;  /* the WIN_CERTIFICATE entry it came from */
	int nest_level;     /* 0: the entry's own signature */
	const char *error;  /* static text when it (or part of it) could not be examined */
	char digest_alg[32];            /* e.g. "SHA256" */
	uint8_t signed_digest[EVP_MAX_MD_SIZE];
	unsigned signed_digest_len;
	uint8_t image_digest[EVP_MAX_MD_SIZE];
	unsigned image_digest_len;
	int digest_match; /* 1, 0, or -1 when it could not be computed */
	int intact;       /* 1, 0, or -1 when not examined */
	int trusted;      /* 1, 0, or -1 when no CA file was given */
	char trust_error[160];
	const char *trust_why;   /* VG_AC_WHY_* when trusted is 0 */
	int has_trust_time;      /* the chain was verified at trust_time ... */
	int64_t trust_time;
	int trust_at_timestamp;  /* ... the timestamp's time (1) or the current time (0) */
	int code_signing;        /* the leaf's EKU: 1 allows code signing, 0 not, -1 no leaf */
	int lifetime_signing;    /* the leaf has the lifetime-signing EKU */
	char *subject, *issuer; /* RFC 2253 */
	char *serial;           /* upper-case hex */
	char thumbprint_sha1[41];
	char thumbprint_sha256[65]; /* "" when not computable */
	int has_signing_time;
	int64_t signing_time; /* seconds since 1970, authenticated attribute */
	int timestamp;        /* VG_AC_TS_*: countersignature present (the first one) */
	int has_ts_time;
	int64_t ts_time;      /* the TSA's time (genTime, or the countersignature's signingTime) */
	char *ts_signer;      /* the TSA certificate's subject (RFC 2253), NULL if not found */
	int ts_valid;         /* 1 verified, 0 not (ts_error), -1 not checked (no CA file) or none */
	char ts_error[160];
	int has_validity;
	int64_t not_before, not_after; /* of the signer's certificate */
} vg_ac_sig;

typedef struct vg_authenticode {
	const char *error;
	vg_ac_sig sigs[VG_AC_MAX_SIGS];
	size_t nsigs;
	int capped; /* more signatures than VG_AC_MAX_SIGS */
} vg_authenticode;

int vg_authenticode_verify(const uint8_t *buf, size_t len, const vg_pe *pe,
			   const char *ca_file, vg_authenticode *ac);
void vg_authenticode_clear(vg_authenticode *ac);

/*
 * The Authenticode image digest with md: the file hashed without the
 * CheckSum field, the security directory entry and the certificate table
 * (headers, then sections by file offset, then the rest up to
 * FileSize - CertTableSize). Returns 1; 0 when the headers make it
 * uncomputable (a section outside the file, inconsistent header offsets);
 * -1 when OpenSSL fails or memory runs out. *outlen is 0 unless 1.
 */
int vg_authenticode_digest(const uint8_t *buf, size_t len, const vg_pe *pe,
			   const EVP_MD *md, uint8_t *out, unsigned *outlen);

#endif
