/*
 * Signed-PE tampering checks (docs/detections.md, "VGL-PE-*"): data hidden
 * after the PKCS#7 inside a WIN_CERTIFICATE (the 3CX d3dcompiler_47.dll /
 * SigFlip container), data after the certificate table, an Authenticode
 * digest that no longer matches, a broken PKCS#7 signature, inconsistencies
 * of the certificate table, and two weak red flags.
 *
 * Cost: non-PE bytes return after a 2-byte compare; unsigned PEs after the
 * header parse; only signed PEs pay for a digest of the file and a PKCS#7
 * parse and signature check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/authenticode.h"
#include "checks/checks_internal.h"
#include "formats/pe.h"
#include "base/util.h"

#define SRC "builtin:checks/pe"

static const uint8_t SIGFLIP_TAG[8] = {0xfe, 0xed, 0xfa, 0xce, 0xfe, 0xed, 0xfa, 0xce};

struct out {
	vigil_emit_fn emit;
	void *ctx;
};

static void report(struct out *o, const char *id, int score, char *msg)
{
	vigil_finding f = {
		.kind = "tamper",
		.id = id,
		.source = SRC,
		.message = msg ? msg : "(out of memory formatting the evidence)",
		.score = score,
		.level = vigil_score_level(score),
	};
	o->emit(o->ctx, &f);
	free(msg);
}

static int64_t find_tag(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + sizeof SIGFLIP_TAG <= n; i++)
		if (p[i] == 0xfe && memcmp(p + i, SIGFLIP_TAG, sizeof SIGFLIP_TAG) == 0)
			return (int64_t)i;
	return -1;
}

/* Does n bytes' entropy h look like ciphertext or compressed data? The
 * ceiling for n bytes is log2(min(n, 256)); random data gets close to it. */
static int looks_encrypted(double h, size_t n)
{
	if (n < 16)
		return 0;
	double max = 0;
	for (size_t k = n < 256 ? n : 256; k > 1; k >>= 1)
		max += 1.0;
	return h >= 0.8 * max;
}

static void check_slack(const uint8_t *buf, const vg_pe *pe, struct out *o)
{
	for (size_t i = 0; i < pe->ncerts; i++) {
		const vg_pe_cert *c = &pe->certs[i];
		if (c->der != VG_PE_DER_OK || (!c->slack_nonzero && c->slack_len <= c->pad_allowed))
			continue;
		unsigned long long off = c->slack_off, n = c->slack_len;
		if (!c->slack_nonzero) {
			report(o, "VGL-PE-CERT-ZERO-SLACK", 25,
			       vg_asprintf("certificate entry %zu: %llu zero bytes after the PKCS#7 "
					   "at offset 0x%llx, alignment explains %llu",
					   i, n, off, (unsigned long long)c->pad_allowed));
			continue;
		}
		const uint8_t *p = buf + c->slack_off;
		size_t m = (size_t)n;
		while (m && !p[m - 1]) /* the alignment padding is not evidence */
			m--;
		double h = vg_entropy(p, m);
		int64_t tag = find_tag(p, m);
		int enc = looks_encrypted(h, m);
		int score = tag >= 0 ? 95 : enc ? 85 : 70;
		char tagtxt[96] = "";
		if (tag >= 0)
			snprintf(tagtxt, sizeof tagtxt,
				 "; SigFlip/3CX tag FE ED FA CE FE ED FA CE at +%lld", (long long)tag);
		report(o, "VGL-PE-CERT-SLACK", score,
		       vg_asprintf("certificate entry %zu: %llu bytes after the PKCS#7 at offset "
				   "0x%llx (%llu non-zero, alignment explains %llu), entropy "
				   "%.2f bits/byte%s%s",
				   i, n, off, (unsigned long long)c->slack_nonzero,
				   (unsigned long long)c->pad_allowed, h,
				   enc ? " (looks encrypted or compressed)" : "", tagtxt));
	}
}

/*
 * An entry whose PKCS#7 is byte for byte that of an earlier one: no signing
 * tool writes the same signature twice (a second signature goes nested, or
 * into an entry of its own with other bytes), so the copy was pasted in by
 * hand, to pad the table or to make the file parse differently.
 */
static void check_duplicates(const uint8_t *buf, const vg_pe *pe, struct out *o)
{
	for (size_t i = 1; i < pe->ncerts; i++) {
		const vg_pe_cert *c = &pe->certs[i];
		if (c->der != VG_PE_DER_OK)
			continue;
		for (size_t j = 0; j < i; j++) {
			const vg_pe_cert *p = &pe->certs[j];
			if (p->der != VG_PE_DER_OK || p->der_len != c->der_len ||
			    memcmp(buf + p->der_off, buf + c->der_off, c->der_len))
				continue;
			report(o, "VGL-PE-CERT-DUPLICATE", 60,
			       vg_asprintf("certificate entry %zu at 0x%llx repeats the PKCS#7 "
					   "of entry %zu (%llu bytes)", i,
					   (unsigned long long)c->offset, j,
					   (unsigned long long)c->der_len));
			break;
		}
	}
}

static void check_table(const vg_pe *pe, struct out *o)
{
	unsigned long long off = pe->cert_off, size = pe->cert_size;
	if (pe->anomalies & VG_PE_ANOM_CERT_IN_IMAGE)
		report(o, "VGL-PE-CERT-TABLE-BOUNDS", 60,
		       vg_asprintf("certificate table at 0x%llx overlaps the headers or "
				   "sections (which end at 0x%llx)",
				   off, (unsigned long long)pe->sections_end));
	if (pe->anomalies & VG_PE_ANOM_CERT_UNALIGNED)
		report(o, "VGL-PE-CERT-TABLE-ALIGN", 40,
		       vg_asprintf("certificate table offset 0x%llx is not 8-byte aligned", off));
	if (pe->anomalies & (VG_PE_ANOM_CERT_SIZE | VG_PE_ANOM_CERT_CAPPED)) {
		unsigned long long sum = 0;
		for (size_t i = 0; i < pe->ncerts; i++)
			sum += (pe->certs[i].length + 7ull) & ~7ull;
		report(o, "VGL-PE-CERT-TABLE-SIZE", 50,
		       vg_asprintf("certificate entries (%zu, %llu bytes aligned%s) do not add "
				   "up to the directory size %llu",
				   pe->ncerts, sum,
				   pe->anomalies & VG_PE_ANOM_CERT_CAPPED ? ", more not read" : "",
				   size));
	}
	for (size_t i = 0; i < pe->ncerts; i++) {
		const vg_pe_cert *c = &pe->certs[i];
		static const char *why[] = {
			[VG_PE_DER_NOT_SEQUENCE] = "does not start with a DER SEQUENCE",
			[VG_PE_DER_INDEFINITE] = "uses a BER indefinite length",
			[VG_PE_DER_BAD_LENGTH] = "has an unusable DER length",
			[VG_PE_DER_PAST_ENTRY] = "has a DER length running past dwLength",
		};
		if (c->revision != 0x0100 && c->revision != 0x0200)
			report(o, "VGL-PE-CERT-TYPE", 40,
			       vg_asprintf("certificate entry %zu: unknown revision 0x%04x", i,
					   c->revision));
		if (c->der == VG_PE_DER_NOT_PKCS)
			report(o, "VGL-PE-CERT-TYPE", 40,
			       vg_asprintf("certificate entry %zu: type 0x%04x is not "
					   "PKCS_SIGNED_DATA", i, c->type));
		else if (c->der != VG_PE_DER_OK)
			report(o, "VGL-PE-CERT-DER-MALFORMED", 60,
			       vg_asprintf("certificate entry %zu at 0x%llx (dwLength %u) %s", i,
					   (unsigned long long)c->offset, c->length, why[c->der]));
	}
}

/* given: the caller's verification of pe, or NULL to verify here */
static void check_signatures(const uint8_t *buf, size_t len, const vg_pe *pe,
			     const vg_authenticode *given, struct out *o)
{
	vg_authenticode own;
	const vg_authenticode *ac = given;
	if (!ac) {
		int st = vg_authenticode_verify(buf, len, pe, NULL, &own);
		if (st == VIGIL_FATAL || st == VIGIL_FAILED) {
			vg_authenticode_clear(&own);
			return;
		}
		ac = &own;
	}
	int any_valid_at_link = 0, any_validity = 0;
	for (size_t i = 0; i < ac->nsigs; i++) {
		const vg_ac_sig *s = &ac->sigs[i];
		char where[64];
		snprintf(where, sizeof where, "certificate entry %zu%s", s->cert_index,
			 s->nest_level ? ", nested signature" : "");
		if (s->error && !strcmp(s->error, "malformed PKCS#7")) {
			report(o, "VGL-PE-CERT-DER-MALFORMED", 60,
			       vg_asprintf("%s: the PKCS#7 SignedData does not parse", where));
			continue;
		}
		if (s->digest_match == 0) {
			char want[2 * EVP_MAX_MD_SIZE + 1], got[2 * EVP_MAX_MD_SIZE + 1];
			vg_hex(s->signed_digest, s->signed_digest_len, want);
			vg_hex(s->image_digest, s->image_digest_len, got);
			report(o, "VGL-PE-DIGEST-MISMATCH", 85,
			       vg_asprintf("%s: %s image digest %s, signed digest %s: the file "
					   "changed after it was signed",
					   where, s->digest_alg, got, want));
		}
		if (s->intact == 0)
			report(o, "VGL-PE-SIGNATURE-INVALID", 80,
			       vg_asprintf("%s: the PKCS#7 signature of %s does not verify over "
					   "its signed content",
					   where, s->subject ? s->subject : "(signer not found)"));
		if (s->has_validity) {
			any_validity = 1;
			any_valid_at_link |= (int64_t)pe->timestamp <= s->not_after;
		}
	}
	/* the linker time is only a time when set and not a /Brepro hash */
	if (any_validity && !any_valid_at_link && pe->timestamp && !pe->reproducible)
		report(o, "VGL-PE-LINKED-AFTER-CERT-EXPIRY", 30,
		       vg_asprintf("linker timestamp %u lies after the expiry of every "
				   "signer certificate (first: %s, notAfter %lld)",
				   pe->timestamp, ac->sigs[0].subject ? ac->sigs[0].subject : "?",
				   (long long)ac->sigs[0].not_after));
	if (!given)
		vg_authenticode_clear(&own);
}

void vg_check_pe(const uint8_t *buf, size_t len, vigil_emit_fn emit, void *ctx)
{
	if (!vg_pe_sniff(buf, len))
		return;
	vg_pe *pe;
	int st = vg_pe_parse(buf, len, 0, &pe);
	if (st != VIGIL_FATAL && st != VIGIL_FAILED)
		vg_check_pe_parsed(buf, len, pe, NULL, emit, ctx);
	vg_pe_free(pe);
}

void vg_check_pe_parsed(const uint8_t *buf, size_t len, const vg_pe *pe,
			const vg_authenticode *ac, vigil_emit_fn emit, void *ctx)
{
	if (!pe->signed_)
		return;
	struct out o = {emit, ctx};
	if (pe->anomalies & VG_PE_ANOM_CERT_PAST_EOF) {
		/* a cut file: every other check would only restate it */
		report(&o, "VGL-PE-CERT-TABLE-BOUNDS", 50,
		       vg_asprintf("certificate table [0x%llx, 0x%llx) ends past the end of "
				   "the file (%zu bytes): cut short, or the directory was "
				   "edited",
				   (unsigned long long)pe->cert_off,
				   (unsigned long long)(pe->cert_off + pe->cert_size), len));
		return;
	}
	check_table(pe, &o);
	check_duplicates(buf, pe, &o);
	check_slack(buf, pe, &o);
	if (pe->after_cert_len)
		report(&o, "VGL-PE-OVERLAY-AFTER-CERT", 65,
		       vg_asprintf("%llu bytes after the end of the certificate table at "
				   "0x%llx",
				   (unsigned long long)pe->after_cert_len,
				   (unsigned long long)pe->after_cert_off));
	check_signatures(buf, len, pe, ac, &o);
	if (pe->checksum) {
		uint32_t sum = vg_pe_checksum(buf, len, pe->checksum_off);
		if (sum != pe->checksum)
			report(&o, "VGL-PE-CHECKSUM-MISMATCH", 20,
			       vg_asprintf("header CheckSum 0x%08x, computed 0x%08x",
					   pe->checksum, sum));
	}
}
