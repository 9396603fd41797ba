/*
 * Authenticode (see authenticode.h). Format facts: Microsoft's Authenticode
 * PE specification (image digest ranges, SpcIndirectDataContent, the nested
 * signature and RFC 3161 timestamp attribute OIDs).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>

#include "trust/authenticode.h"
#include "formats/byteread.h"
#include "base/timeutil.h"
#include "base/util.h"

#define OID_SPC_INDIRECT_DATA "1.3.6.1.4.1.311.2.1.4"
#define OID_NESTED_SIGNATURE "1.3.6.1.4.1.311.2.4.1"
#define OID_RFC3161_TIMESTAMP "1.3.6.1.4.1.311.3.3.1"
#define OID_CODE_SIGNING "1.3.6.1.5.5.7.3.3"
#define OID_LIFETIME_SIGNING "1.3.6.1.4.1.311.10.3.13"
#define OID_ANY_EKU "2.5.29.37.0"

struct range {
	uint64_t off, len;
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

int vg_authenticode_digest(const uint8_t *buf, size_t len, const vg_pe *pe,
			   const EVP_MD *md, uint8_t *out, unsigned *outlen)
{
	uint64_t cks = pe->checksum_off, sec = pe->secdir_off, hdr = pe->size_of_headers;
	*outlen = 0;
	if (!sec || cks + 4 > sec || sec + 8 > hdr || hdr > len)
		return 0;
	struct range *r = NULL;
	if (pe->nsections && !(r = calloc(pe->nsections, sizeof *r)))
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < pe->nsections; i++) {
		const vg_pe_section *s = &pe->sections[i];
		if (!s->raw_size)
			continue;
		if (!vg_fits(len, s->raw_off, s->raw_size)) {
			free(r);
			return 0;
		}
		r[n++] = (struct range){s->raw_off, s->raw_size};
	}
	if (n)
		qsort(r, n, sizeof *r, cmp_range);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		 EVP_DigestUpdate(ctx, buf, cks) == 1 &&
		 EVP_DigestUpdate(ctx, buf + cks + 4, sec - (cks + 4)) == 1 &&
		 EVP_DigestUpdate(ctx, buf + sec + 8, hdr - (sec + 8)) == 1;
	/* Each byte once, as signers hash (osslsigncode verifies so): a
	 * SizeOfHeaders past the first section's raw offset (UPX lays files
	 * out so) or overlapping sections would otherwise hash the shared
	 * bytes twice, and a genuine file would look changed after signing.
	 * Each section from the end of what was hashed, in raw-offset order. */
	uint64_t done = hdr;
	for (size_t i = 0; ok && i < n; i++) {
		uint64_t end = r[i].off + r[i].len, from = r[i].off > done ? r[i].off : done;
		if (end > from)
			ok = EVP_DigestUpdate(ctx, buf + from, end - from) == 1;
		if (end > done)
			done = end;
	}
	/* the rest, up to FileSize - CertTableSize */
	uint64_t cert = pe->signed_ ? pe->cert_size : 0;
	if (ok && len > cert && len - cert > done)
		ok = EVP_DigestUpdate(ctx, buf + done, len - cert - done) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, outlen) == 1;
	EVP_MD_CTX_free(ctx);
	free(r);
	if (!ok)
		*outlen = 0; /* nothing of a half-computed digest is used */
	return ok ? 1 : -1;
}

static int oid_is(const ASN1_OBJECT *o, const char *dotted)
{
	char txt[80];
	return o && OBJ_obj2txt(txt, sizeof txt, o, 1) > 0 && strcmp(txt, dotted) == 0;
}

static int asn1_time_epoch(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	*out = vg_days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
			       (unsigned)tm.tm_mday) * 86400 +
	       tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 1;
}

static char *name_text(const X509_NAME *nm)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s = NULL;
	if (b && X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		char *p;
		long n = BIO_get_mem_data(b, &p);
		if (n >= 0)
			s = vg_strndup(p, (size_t)n);
	}
	BIO_free(b);
	return s;
}

/*
 * SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue,
 * messageDigest DigestInfo }. Sets the inner bytes of the SEQUENCE (what the
 * signer's messageDigest covers) and the digest algorithm and value.
 */
static const char *parse_indirect(PKCS7 *p7, const uint8_t **content, long *clen,
				  const EVP_MD **md, vg_ac_sig *s)
{
	if (!PKCS7_type_is_signed(p7) || !p7->d.sign || !p7->d.sign->contents)
		return "not a PKCS#7 SignedData";
	PKCS7 *c = p7->d.sign->contents;
	if (!oid_is(c->type, OID_SPC_INDIRECT_DATA))
		return "content is not SpcIndirectDataContent";
	ASN1_TYPE *t = c->d.other;
	if (!t || t->type != V_ASN1_SEQUENCE || !t->value.sequence)
		return "malformed SpcIndirectDataContent";
	const unsigned char *p = t->value.sequence->data;
	long total = t->value.sequence->length, olen;
	int tag, xclass;
	if (ASN1_get_object(&p, &olen, &tag, &xclass, total) & 0x80 ||
	    tag != V_ASN1_SEQUENCE)
		return "malformed SpcIndirectDataContent";
	*content = p;
	*clen = olen;
	const unsigned char *q = p;
	long ilen;
	if (ASN1_get_object(&q, &ilen, &tag, &xclass, olen) & 0x80 ||
	    ilen > olen - (q - p))
		return "malformed SpcIndirectDataContent";
	q += ilen;
	X509_SIG *dinfo = d2i_X509_SIG(NULL, &q, olen - (q - p));
	if (!dinfo)
		return "malformed DigestInfo";
	const X509_ALGOR *alg;
	const ASN1_OCTET_STRING *dig;
	X509_SIG_get0(dinfo, &alg, &dig);
	const ASN1_OBJECT *aobj;
	X509_ALGOR_get0(&aobj, NULL, NULL, alg);
	*md = EVP_get_digestbyobj(aobj);
	if (OBJ_obj2txt(s->digest_alg, sizeof s->digest_alg, aobj, 0) <= 0)
		snprintf(s->digest_alg, sizeof s->digest_alg, "unknown");
	int dl = ASN1_STRING_length(dig);
	const char *err = NULL;
	if (dl <= 0 || dl > EVP_MAX_MD_SIZE) {
		err = "digest of an impossible size";
	} else {
		memcpy(s->signed_digest, ASN1_STRING_get0_data(dig), (size_t)dl);
		s->signed_digest_len = (unsigned)dl;
	}
	if (!err && !*md)
		err = "unknown digest algorithm";
	X509_SIG_free(dinfo);
	return err;
}

/* Record why part of a signature could not be examined; the first reason
 * stays (it is usually the cause of the later ones). */
static void sig_fail(vg_ac_sig *s, const char *why)
{
	if (!s->error)
		s->error = why;
}

static void signer_details(PKCS7 *p7, PKCS7_SIGNER_INFO *si, vg_ac_sig *s, X509 **signer)
{
	ASN1_TYPE *st = PKCS7_get_signed_attribute(si, NID_pkcs9_signingTime);
	if (st && (st->type == V_ASN1_UTCTIME || st->type == V_ASN1_GENERALIZEDTIME))
		s->has_signing_time = asn1_time_epoch(st->value.utctime, &s->signing_time);
	*signer = NULL;
	if (!si->issuer_and_serial)
		return;
	X509 *x = X509_find_by_issuer_and_serial(p7->d.sign->cert,
						 si->issuer_and_serial->issuer,
						 si->issuer_and_serial->serial);
	if (!x)
		return;
	*signer = x;
	s->subject = name_text(X509_get_subject_name(x));
	s->issuer = name_text(X509_get_issuer_name(x));
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	s->serial = vg_strdup(hex);
	OPENSSL_free(hex);
	BN_free(bn);
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	if (X509_digest(x, EVP_sha1(), d, &dl) == 1 && dl == 20)
		vg_hex(d, 20, s->thumbprint_sha1);
	else
		sig_fail(s, "signer certificate thumbprint not computable (OpenSSL failed)");
	if (X509_digest(x, EVP_sha256(), d, &dl) == 1 && dl == 32)
		vg_hex(d, 32, s->thumbprint_sha256);
	/* a parsed certificate always has names and a serial: missing ones
	 * mean OpenSSL or memory failed */
	if (!s->subject || !s->issuer || !s->serial)
		sig_fail(s, "signer certificate details incomplete (OpenSSL failed)");
	int64_t nb, na;
	if (asn1_time_epoch(X509_get0_notBefore(x), &nb) &&
	    asn1_time_epoch(X509_get0_notAfter(x), &na)) {
		s->has_validity = 1;
		s->not_before = nb;
		s->not_after = na;
	}
}

/*
 * Does x's extended key usage allow the purpose `want` (dotted OID)? 1 when
 * it lists it (or, with any_ok, anyExtendedKeyUsage) or has no EKU
 * extension at all (a certificate without one is good for every purpose,
 * as Windows reads it); 0 when it lists other purposes only or the
 * extension is malformed or repeated. *lifetime (when not NULL) is set
 * when it lists the lifetime-signing EKU.
 */
static int eku_allows(X509 *x, const char *want, int any_ok, int *lifetime)
{
	int crit = -1;
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (!eku) {
		ERR_clear_error();
		return crit == -1; /* -1: absent; else repeated or malformed */
	}
	int ok = 0;
	for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		if (oid_is(o, want) || (any_ok && oid_is(o, OID_ANY_EKU)))
			ok = 1;
		if (lifetime && oid_is(o, OID_LIFETIME_SIGNING))
			*lifetime = 1;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

/* The first OpenSSL error's reason, or dflt. */
static void ossl_reason(char *out, size_t n, const char *what, const char *dflt)
{
	const char *data = NULL;
	int flags = 0;
	unsigned long e = ERR_peek_error_data(&data, &flags);
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	if (!(flags & ERR_TXT_STRING))
		data = NULL;
	snprintf(out, n, "%s: %s%s%s", what, r ? r : dflt, data && *data ? ": " : "",
		 data ? data : "");
	ERR_clear_error();
}

/* The signer of a PKCS#7 SignedData: its first SignerInfo's certificate. */
static X509 *p7_signer(PKCS7 *p7, PKCS7_SIGNER_INFO **si_out)
{
	STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(p7);
	PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_num(sis) > 0
					? sk_PKCS7_SIGNER_INFO_value(sis, 0) : NULL;
	if (si_out)
		*si_out = si;
	if (!si || !si->issuer_and_serial || !p7->d.sign)
		return NULL;
	return X509_find_by_issuer_and_serial(p7->d.sign->cert, si->issuer_and_serial->issuer,
					      si->issuer_and_serial->serial);
}

/* Verify the chain of x (extra: untrusted intermediates) at time t for a
 * purpose (0: any); 1, 0 (why in err), -1 when OpenSSL failed. */
static int verify_chain(X509_STORE *store, X509 *x, STACK_OF(X509) *extra, int64_t t,
			int purpose, char *err, size_t errn, STACK_OF(X509) **chain)
{
	X509_STORE_CTX *xc = X509_STORE_CTX_new();
	int vr = -1;
	if (xc && X509_STORE_CTX_init(xc, store, x, extra) == 1) {
		X509_STORE_CTX_set_time(xc, 0, (time_t)t);
		if (purpose)
			X509_STORE_CTX_set_purpose(xc, purpose);
		vr = X509_verify_cert(xc);
		if (vr == 0)
			snprintf(err, errn, "%s",
				 X509_verify_cert_error_string(X509_STORE_CTX_get_error(xc)));
		if (vr == 1 && chain)
			*chain = X509_STORE_CTX_get1_chain(xc);
	}
	X509_STORE_CTX_free(xc);
	if (vr < 0)
		vr = -1;
	return vr;
}

/*
 * An RFC 3161 TimeStampToken (attribute 1.3.6.1.4.1.311.3.3.1): its time and
 * TSA; with a store, verified by OpenSSL's TS API: the token's signature,
 * its message imprint over this signature's encryptedDigest, the TSA
 * certificate's timeStamping EKU and chain (at the token's time).
 */
static void ts_rfc3161(const ASN1_TYPE *t, const ASN1_OCTET_STRING *encdig,
		       X509_STORE *store, vg_ac_sig *s)
{
	if (!t || t->type != V_ASN1_SEQUENCE || !t->value.sequence) {
		snprintf(s->ts_error, sizeof s->ts_error, "malformed RFC 3161 timestamp");
		s->ts_valid = 0;
		return;
	}
	const unsigned char *p = t->value.sequence->data;
	PKCS7 *tok = d2i_PKCS7(NULL, &p, t->value.sequence->length);
	TS_TST_INFO *tst = tok ? PKCS7_to_TS_TST_INFO(tok) : NULL;
	if (!tst) {
		snprintf(s->ts_error, sizeof s->ts_error, "malformed RFC 3161 timestamp token");
		s->ts_valid = 0;
		PKCS7_free(tok);
		ERR_clear_error();
		return;
	}
	s->has_ts_time = asn1_time_epoch(TS_TST_INFO_get_time(tst), &s->ts_time);
	X509 *tsa = p7_signer(tok, NULL);
	if (tsa)
		s->ts_signer = name_text(X509_get_subject_name(tsa));
	if (store) {
		TS_VERIFY_CTX *vc = TS_VERIFY_CTX_new();
		BIO *data = encdig ? BIO_new_mem_buf(encdig->data, encdig->length) : NULL;
		X509_VERIFY_PARAM *vp = X509_STORE_get0_param(store);
		if (vc && data && s->has_ts_time && X509_STORE_up_ref(store) == 1) {
			TS_VERIFY_CTX_set_flags(vc, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
			TS_VERIFY_CTX_set_data(vc, data); /* the context owns both now */
			TS_VERIFY_CTX_set_store(vc, store);
			data = NULL;
			/* the TSA's chain at the token's time; the store's own
			 * time is put back at once */
			X509_VERIFY_PARAM_set_time(vp, (time_t)s->ts_time);
			int ok = TS_RESP_verify_token(vc, tok) == 1;
			X509_VERIFY_PARAM_clear_flags(vp, X509_V_FLAG_USE_CHECK_TIME);
			s->ts_valid = ok;
			if (!ok)
				ossl_reason(s->ts_error, sizeof s->ts_error,
					    "RFC 3161 timestamp not valid", "verification failed");
		} else {
			snprintf(s->ts_error, sizeof s->ts_error, "%s",
				 !s->has_ts_time ? "RFC 3161 timestamp without a readable time"
						 : "RFC 3161 timestamp not verified (OpenSSL failed)");
			s->ts_valid = 0;
		}
		BIO_free(data);
		TS_VERIFY_CTX_free(vc);
	}
	TS_TST_INFO_free(tst);
	PKCS7_free(tok);
	ERR_clear_error();
}

/*
 * A PKCS#9 countersignature (1.2.840.113549.1.9.6, Authenticode's legacy
 * timestamp): a SignerInfo whose messageDigest covers this signature's
 * encryptedDigest, signed by a certificate of the outer PKCS#7 at its
 * signingTime. With a store: the signature over its attributes, the
 * digest, and the signer's chain with the timeStamping purpose at that
 * time.
 */
static void ts_legacy(const ASN1_TYPE *t, PKCS7 *p7, const ASN1_OCTET_STRING *encdig,
		      X509_STORE *store, vg_ac_sig *s)
{
	PKCS7_SIGNER_INFO *cs = NULL;
	if (t && t->type == V_ASN1_SEQUENCE && t->value.sequence) {
		const unsigned char *p = t->value.sequence->data;
		cs = d2i_PKCS7_SIGNER_INFO(NULL, &p, t->value.sequence->length);
	}
	if (!cs) {
		snprintf(s->ts_error, sizeof s->ts_error, "malformed countersignature");
		s->ts_valid = 0;
		ERR_clear_error();
		return;
	}
	ASN1_TYPE *st = PKCS7_get_signed_attribute(cs, NID_pkcs9_signingTime);
	if (st && (st->type == V_ASN1_UTCTIME || st->type == V_ASN1_GENERALIZEDTIME))
		s->has_ts_time = asn1_time_epoch(st->value.utctime, &s->ts_time);
	X509 *tsa = cs->issuer_and_serial
			    ? X509_find_by_issuer_and_serial(p7->d.sign->cert,
							     cs->issuer_and_serial->issuer,
							     cs->issuer_and_serial->serial)
			    : NULL;
	if (tsa)
		s->ts_signer = name_text(X509_get_subject_name(tsa));
	if (store) {
		const char *why = NULL;
		const EVP_MD *md = cs->digest_alg ? EVP_get_digestbyobj(cs->digest_alg->algorithm)
						  : NULL;
		BIO *mem = encdig ? BIO_new_mem_buf(encdig->data, encdig->length) : NULL;
		BIO *mdb = mem && md ? BIO_new(BIO_f_md()) : NULL;
		if (!s->has_ts_time)
			why = "countersignature without a signing time";
		else if (!tsa)
			why = "countersigner's certificate not in the signature";
		else if (!md)
			why = "countersignature with an unknown digest algorithm";
		else if (!mdb || BIO_set_md(mdb, md) != 1)
			why = "countersignature not verified (OpenSSL failed)";
		if (!why) {
			char tmp[256];
			BIO_push(mdb, mem);
			mem = NULL;
			while (BIO_read(mdb, tmp, sizeof tmp) > 0)
				;
			if (PKCS7_signatureVerify(mdb, p7, cs, tsa) != 1)
				why = "countersignature does not verify over the signature";
		}
		BIO_free_all(mdb);
		BIO_free(mem);
		if (!why) {
			char err[96] = "";
			int vr = verify_chain(store, tsa, p7->d.sign->cert, s->ts_time,
					      X509_PURPOSE_TIMESTAMP_SIGN, err, sizeof err, NULL);
			if (vr != 1) {
				snprintf(s->ts_error, sizeof s->ts_error,
					 "countersigner not trusted as a timestamp authority: %s",
					 vr < 0 ? "OpenSSL failed" : err);
				why = s->ts_error;
			}
		}
		s->ts_valid = !why;
		if (why && why != s->ts_error)
			snprintf(s->ts_error, sizeof s->ts_error, "%s", why);
	}
	PKCS7_SIGNER_INFO_free(cs);
	ERR_clear_error();
}

/* The first timestamp countersignature of si (RFC 3161 before legacy). */
static void timestamps(PKCS7 *p7, PKCS7_SIGNER_INFO *si, X509_STORE *store, vg_ac_sig *s)
{
	const ASN1_TYPE *rfc = NULL, *legacy = NULL;
	s->ts_valid = -1;
	for (int i = 0; i < sk_X509_ATTRIBUTE_num(si->unauth_attr); i++) {
		X509_ATTRIBUTE *a = sk_X509_ATTRIBUTE_value(si->unauth_attr, i);
		const ASN1_OBJECT *o = X509_ATTRIBUTE_get0_object(a);
		if (oid_is(o, OID_RFC3161_TIMESTAMP) && !rfc)
			rfc = X509_ATTRIBUTE_get0_type(a, 0);
		else if (OBJ_obj2nid(o) == NID_pkcs9_countersignature && !legacy)
			legacy = X509_ATTRIBUTE_get0_type(a, 0);
		if (oid_is(o, OID_RFC3161_TIMESTAMP))
			s->timestamp = VG_AC_TS_RFC3161;
		else if (OBJ_obj2nid(o) == NID_pkcs9_countersignature && !s->timestamp)
			s->timestamp = VG_AC_TS_LEGACY;
	}
	if (rfc)
		ts_rfc3161(rfc, si->enc_digest, store, s);
	else if (legacy)
		ts_legacy(legacy, p7, si->enc_digest, store, s);
	if (s->ts_valid == 1 && !s->has_ts_time)
		s->ts_valid = 0;
}

/*
 * The signer's chain and purpose: verified at the time of a valid
 * timestamp (not for a lifetime-signing leaf), else now; then the EKU of
 * the leaf and of every CA of the chain.
 */
static void trust(PKCS7 *p7, X509 *signer, X509_STORE *store, vg_ac_sig *s)
{
	int64_t now = (int64_t)time(NULL);
	int at_ts = s->ts_valid == 1 && !s->lifetime_signing;
	s->trust_time = at_ts ? s->ts_time : now;
	s->has_trust_time = 1;
	s->trust_at_timestamp = at_ts;
	STACK_OF(X509) *chain = NULL;
	char err[96] = "";
	int vr = verify_chain(store, signer, p7->d.sign->cert, s->trust_time, 0, err, sizeof err,
			      &chain);
	if (vr < 0) {
		/* no verdict: trusted stays -1 */
		s->has_trust_time = 0;
		sig_fail(s, "certificate chain not verified (OpenSSL failed)");
		return;
	}
	s->trusted = vr == 1;
	if (!s->trusted) {
		int expired = s->has_validity && s->not_after < s->trust_time;
		if (s->lifetime_signing && expired && s->ts_valid == 1) {
			s->trust_why = VG_AC_WHY_LIFETIME;
			snprintf(s->trust_error, sizeof s->trust_error,
				 "%s (lifetime signing: the timestamp does not extend it)", err);
		} else {
			s->trust_why = VG_AC_WHY_CHAIN;
			snprintf(s->trust_error, sizeof s->trust_error, "%s", err);
		}
	} else if (!s->code_signing) {
		s->trusted = 0;
		s->trust_why = VG_AC_WHY_EKU;
		snprintf(s->trust_error, sizeof s->trust_error,
			 "signer certificate not valid for code signing (its extended key "
			 "usage lacks codeSigning)");
	} else {
		for (int i = 1; i < sk_X509_num(chain); i++) {
			if (eku_allows(sk_X509_value(chain, i), OID_CODE_SIGNING, 1, NULL))
				continue;
			s->trusted = 0;
			s->trust_why = VG_AC_WHY_CA_EKU;
			char *ca = name_text(X509_get_subject_name(sk_X509_value(chain, i)));
			snprintf(s->trust_error, sizeof s->trust_error,
				 "CA certificate %s not valid for code signing (its extended key "
				 "usage excludes it)", ca ? ca : "?");
			free(ca);
			break;
		}
	}
	sk_X509_pop_free(chain, X509_free);
}

struct digest_cache {
	int nid[4];
	uint8_t d[4][EVP_MAX_MD_SIZE];
	unsigned len[4];
	int ok[4];
	int n;
};

/* vg_authenticode_digest, computed once per algorithm and file. */
static int image_digest(const uint8_t *buf, size_t len, const vg_pe *pe,
			const EVP_MD *md, struct digest_cache *dc, uint8_t *out,
			unsigned *outlen)
{
	int nid = EVP_MD_get_type(md);
	for (int i = 0; i < dc->n; i++) {
		if (dc->nid[i] == nid) {
			memcpy(out, dc->d[i], dc->len[i]);
			*outlen = dc->len[i];
			return dc->ok[i];
		}
	}
	int ok = vg_authenticode_digest(buf, len, pe, md, out, outlen);
	if (dc->n < 4) {
		dc->nid[dc->n] = nid;
		memcpy(dc->d[dc->n], out, ok > 0 ? *outlen : 0);
		dc->len[dc->n] = ok > 0 ? *outlen : 0;
		dc->ok[dc->n++] = ok;
	}
	return ok;
}

struct queued {
	PKCS7 *p7;
	size_t cert_index;
	int level;
};

/* Examine one signature; queue its nested signatures. */
static void examine(const uint8_t *buf, size_t len, const vg_pe *pe, struct queued *qe,
		    X509_STORE *store, struct digest_cache *dc, vg_ac_sig *s,
		    struct queued *queue, size_t *qn, vg_authenticode *ac)
{
	PKCS7 *p7 = qe->p7;
	s->cert_index = qe->cert_index;
	s->nest_level = qe->level;
	s->digest_match = s->intact = s->trusted = -1;
	const uint8_t *content = NULL;
	long clen = 0;
	const EVP_MD *md = NULL;
	const char *err = parse_indirect(p7, &content, &clen, &md, s);
	if (err && !content) {
		s->error = err;
		return;
	}
	if (md && s->signed_digest_len) {
		int got = image_digest(buf, len, pe, md, dc, s->image_digest,
				       &s->image_digest_len);
		if (got > 0)
			s->digest_match = s->image_digest_len == s->signed_digest_len &&
					  !memcmp(s->image_digest, s->signed_digest,
						  s->signed_digest_len);
		else if (got < 0)
			err = "image digest not computable (OpenSSL failed)";
		else
			err = "image digest not computable from the headers";
	}
	s->error = err;

	STACK_OF(PKCS7_SIGNER_INFO) *sis = PKCS7_get_signer_info(p7);
	PKCS7_SIGNER_INFO *si = sk_PKCS7_SIGNER_INFO_num(sis) > 0
					? sk_PKCS7_SIGNER_INFO_value(sis, 0)
					: NULL;
	if (!si) {
		s->error = "no signer";
		return;
	}
	X509 *signer = NULL;
	signer_details(p7, si, s, &signer);

	/*
	 * A buffer BIO over the memory BIO: OpenSSL 3.0's PKCS7_verify copies a
	 * bare memory BIO into a temporary one that it leaks when the digest
	 * setup fails (an unknown algorithm), which hostile input can trigger.
	 */
	BIO *mem = BIO_new_mem_buf(content, (int)clen);
	BIO *in = mem ? BIO_new(BIO_f_buffer()) : NULL;
	if (in) {
		BIO_push(in, mem);
		s->intact = PKCS7_verify(p7, NULL, NULL, in, NULL,
					 PKCS7_NOVERIFY | PKCS7_BINARY) == 1;
		BIO_free_all(in);
	} else {
		BIO_free(mem);
		sig_fail(s, "signature not verified (OpenSSL failed)");
	}
	s->code_signing = -1;
	if (signer)
		s->code_signing = eku_allows(signer, OID_CODE_SIGNING, 0, &s->lifetime_signing);
	timestamps(p7, si, store, s);
	if (store && signer) {
		trust(p7, signer, store, s);
	} else if (store) {
		s->trusted = 0;
		s->trust_why = VG_AC_WHY_NO_SIGNER;
		snprintf(s->trust_error, sizeof s->trust_error, "signer certificate not found");
	}

	/* nested signatures (unauthenticated attribute) */
	for (int i = 0; qe->level < VG_AC_MAX_NEST && i < sk_X509_ATTRIBUTE_num(si->unauth_attr);
	     i++) {
		X509_ATTRIBUTE *a = sk_X509_ATTRIBUTE_value(si->unauth_attr, i);
		if (!oid_is(X509_ATTRIBUTE_get0_object(a), OID_NESTED_SIGNATURE))
			continue;
		for (int k = 0; k < X509_ATTRIBUTE_count(a); k++) {
			ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, k);
			if (!t || t->type != V_ASN1_SEQUENCE || !t->value.sequence)
				continue;
			if (*qn == VG_AC_MAX_SIGS) {
				ac->capped = 1;
				return;
			}
			const unsigned char *p = t->value.sequence->data;
			PKCS7 *np = d2i_PKCS7(NULL, &p, t->value.sequence->length);
			if (np)
				queue[(*qn)++] = (struct queued){np, qe->cert_index, qe->level + 1};
		}
	}
}

int vg_authenticode_verify(const uint8_t *buf, size_t len, const vg_pe *pe,
			   const char *ca_file, vg_authenticode *ac)
{
	memset(ac, 0, sizeof *ac);
	if (!pe->signed_ || !pe->ncerts) {
		ac->error = "the file is not signed";
		return VIGIL_FAILED;
	}
	X509_STORE *store = NULL;
	if (ca_file) {
		store = X509_STORE_new();
		if (!store || X509_STORE_load_file(store, ca_file) != 1) {
			X509_STORE_free(store);
			ERR_clear_error();
			ac->error = "unable to load the CA file";
			return VIGIL_FATAL;
		}
	}
	struct queued queue[VG_AC_MAX_SIGS];
	size_t qn = 0, unusable = 0;
	for (size_t i = 0; i < pe->ncerts; i++) {
		const vg_pe_cert *c = &pe->certs[i];
		if (c->der != VG_PE_DER_OK)
			continue;
		if (qn == VG_AC_MAX_SIGS) {
			ac->capped = 1;
			break;
		}
		const unsigned char *p = buf + c->der_off;
		PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)c->der_len);
		if (!p7) {
			vg_ac_sig *s = &ac->sigs[ac->nsigs++];
			s->cert_index = i;
			s->digest_match = s->intact = s->trusted = -1;
			s->error = "malformed PKCS#7";
			if (ac->nsigs == VG_AC_MAX_SIGS)
				break;
			continue;
		}
		queue[qn++] = (struct queued){p7, i, 0};
	}
	struct digest_cache dc = {.n = 0};
	for (size_t k = 0; k < qn && ac->nsigs < VG_AC_MAX_SIGS; k++)
		examine(buf, len, pe, &queue[k], store, &dc, &ac->sigs[ac->nsigs++], queue,
			&qn, ac);
	for (size_t k = 0; k < qn; k++)
		PKCS7_free(queue[k].p7);
	X509_STORE_free(store);
	ERR_clear_error();
	for (size_t i = 0; i < ac->nsigs; i++)
		unusable += ac->sigs[i].error != NULL;
	if (!ac->nsigs) {
		ac->error = "no PKCS#7 signature in the certificate table";
		return VIGIL_FAILED;
	}
	return unusable ? VIGIL_WARN : VIGIL_OK;
}

void vg_authenticode_clear(vg_authenticode *ac)
{
	for (size_t i = 0; i < ac->nsigs; i++) {
		free(ac->sigs[i].subject);
		free(ac->sigs[i].issuer);
		free(ac->sigs[i].serial);
		free(ac->sigs[i].ts_signer);
	}
	memset(ac, 0, sizeof *ac);
}
