/*
 * pe_verify [--ca FILE] PE...: print what libvigil's PE parser and
 * Authenticode verifier make of each file, one "key=value" line per
 * signature, for the end-to-end tests to assert on:
 *   PATH sig=N entry=E nest=L alg=SHA256 digest=match|mismatch|unknown
 *        intact=yes|no|unknown trusted=yes|no|unchecked certs=C
 *        timestamp=none|rfc3161|legacy thumb=HEX
 * and "PATH error=..." when the file does not parse or is not signed.
 * Exit 0 when every file was read, 2 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trust/authenticode.h"
#include "formats/pe.h"
#include "base/util.h"

static const char *tri(int v, const char *yes, const char *no, const char *unk)
{
	return v == 1 ? yes : v == 0 ? no : unk;
}

int main(int argc, char **argv)
{
	const char *ca = NULL;
	int i = 1, rc = 0;
	if (argc > 2 && strcmp(argv[1], "--ca") == 0) {
		ca = argv[2];
		i = 3;
	}
	for (; i < argc; i++) {
		char *buf;
		size_t len;
		if (vg_read_file(argv[i], (size_t)1 << 30, &buf, &len) != 0) {
			fprintf(stderr, "pe_verify: unable to read '%s'\n", argv[i]);
			rc = 2;
			continue;
		}
		vg_pe *pe;
		int st = vg_pe_parse((const uint8_t *)buf, len, VG_PE_ALL, &pe);
		if (st >= VIGIL_FAILED) {
			printf("%s error=%s\n", argv[i], pe ? pe->error : "out of memory");
			vg_pe_free(pe);
			free(buf);
			continue;
		}
		vg_authenticode ac;
		st = vg_authenticode_verify((const uint8_t *)buf, len, pe, ca, &ac);
		if (st >= VIGIL_FAILED)
			printf("%s error=%s\n", argv[i], ac.error);
		for (size_t k = 0; k < ac.nsigs; k++) {
			const vg_ac_sig *s = &ac.sigs[k];
			printf("%s sig=%zu entry=%zu nest=%d alg=%s digest=%s intact=%s "
			       "trusted=%s certs=%zu timestamp=%s thumb=%s%s%s\n",
			       argv[i], k, s->cert_index, s->nest_level,
			       s->digest_alg[0] ? s->digest_alg : "?",
			       tri(s->digest_match, "match", "mismatch", "unknown"),
			       tri(s->intact, "yes", "no", "unknown"),
			       tri(s->trusted, "yes", "no", "unchecked"), pe->ncerts,
			       s->timestamp == VG_AC_TS_RFC3161  ? "rfc3161"
			       : s->timestamp == VG_AC_TS_LEGACY ? "legacy"
								 : "none",
			       s->thumbprint_sha1[0] ? s->thumbprint_sha1 : "-",
			       s->error ? " error=" : "", s->error ? s->error : "");
			if (getenv("PE_VERIFY_VERBOSE"))
				printf("  subject=%s issuer=%s serial=%s signing_time=%lld "
				       "not_before=%lld not_after=%lld trust_error=%s\n",
				       s->subject, s->issuer, s->serial,
				       (long long)s->signing_time, (long long)s->not_before,
				       (long long)s->not_after, s->trust_error);
		}
		if (getenv("PE_VERIFY_VERBOSE")) {
			printf("  machine=0x%x ts=%u sections=%zu imports=%zu exports=%zu "
			       "res=%zu company=%s product=%s version=%s orig=%s "
			       "overlay=%llu after_cert=%llu anomalies=0x%x\n",
			       pe->machine, pe->timestamp, pe->nsections, pe->nimports,
			       pe->nexports, pe->nresources,
			       pe->company_name ? pe->company_name : "-",
			       pe->product_name ? pe->product_name : "-",
			       pe->file_version ? pe->file_version : "-",
			       pe->original_filename ? pe->original_filename : "-",
			       (unsigned long long)pe->overlay_len,
			       (unsigned long long)pe->after_cert_len, pe->anomalies);
		}
		vg_authenticode_clear(&ac);
		vg_pe_free(pe);
		free(buf);
	}
	return rc;
}
