/*
 * ELF parser (header walk + libelf) and the VGL-ELF-APPENDED checker on
 * arbitrary bytes. Invariants: counts within their caps, every offset the
 * parser vouches for lies inside the input, the appended range ends at the
 * end of the input, findings are well formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checks_internal.h"
#include "formats/elf.h"
#include "fuzz.h"
#include "hexseed.h"

static void on_finding(void *ctx, const vigil_finding *f)
{
	if (!f->id || strcmp(f->id, "VGL-ELF-APPENDED") != 0 || !f->message ||
	    f->score < 0 || f->score > 100)
		abort();
	(*(size_t *)ctx) += strlen(f->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;

	vg_elf *e = NULL;
	int st = vg_elf_parse(data, size, &e);
	if (st == VIGIL_OK || st == VIGIL_WARN) {
		if (e->nsegments > VG_ELF_MAX_SEGMENTS || e->nsections > VG_ELF_MAX_SECTIONS ||
		    e->nneeded > VG_ELF_MAX_NEEDED || e->build_id_len > VG_ELF_MAX_BUILD_ID)
			abort();
		if (e->appended_len && e->appended_off + e->appended_len != size)
			abort();
		if (e->layout.complete && e->layout.data_end <= size &&
		    e->appended_len != size - e->layout.data_end)
			abort();
		for (size_t i = 0; i < e->nsections; i++) {
			const vg_elf_section *s = &e->sections[i];
			if (strlen(s->name) > VG_ELF_MAX_NAME)
				abort();
			if (s->entropy >= 0 && (s->offset > size || s->size > size - s->offset ||
						s->entropy > 8.0))
				abort();
		}
		for (size_t i = 0; i < e->nneeded; i++)
			if (strlen(e->needed[i]) > VG_ELF_MAX_NAME)
				abort();
		if ((e->interp && strlen(e->interp) > VG_ELF_MAX_NAME) ||
		    (e->soname && strlen(e->soname) > VG_ELF_MAX_NAME))
			abort();
	} else if (st == VIGIL_FAILED && (!e || !e->error)) {
		abort();
	}
	vg_elf_free(e);

	size_t total = 0;
	vg_check_elf(data, size, on_finding, &total);
	free(own);
	return 0;
}
