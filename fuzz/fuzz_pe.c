/*
 * PE parser + Authenticode + the PE tampering checker on arbitrary bytes.
 * Seeds in fuzz/corpus/pe/ are stored as text so that no binary is
 * committed: an input starting with "#vigil-hex\n" is hex-decoded first
 * (whitespace ignored); any other input is used as is. Checks invariants:
 * parsed offsets lie inside the input, every finding has an ID, a message
 * and a score in 0..100.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/authenticode.h"
#include "checks/checks_internal.h"
#include "formats/pe.h"
#include "fuzz.h"
#include "hexseed.h"

static void on_finding(void *ctx, const vigil_finding *f)
{
	if (!f->id || strncmp(f->id, "VGL-PE-", 7) || !f->message || f->score < 0 ||
	    f->score > 100)
		abort();
	(*(size_t *)ctx) += strlen(f->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;

	vg_pe *pe = NULL;
	int st = vg_pe_parse(data, size, VG_PE_ALL, &pe);
	if (pe && st != VIGIL_FAILED) {
		for (size_t i = 0; i < pe->ncerts; i++) {
			const vg_pe_cert *c = &pe->certs[i];
			if (c->der == VG_PE_DER_OK &&
			    (c->der_off + c->der_len > size || c->slack_off + c->slack_len > size))
				abort();
		}
		if (pe->overlay_off + pe->overlay_len > size ||
		    pe->after_cert_off + pe->after_cert_len > size)
			abort();
		vg_authenticode ac;
		vg_authenticode_verify(data, size, pe, NULL, &ac);
		vg_authenticode_clear(&ac);
	}
	vg_pe_free(pe);
	size_t sink = 0;
	vg_check_pe(data, size, on_finding, &sink);
	free(own);
	return 0;
}
