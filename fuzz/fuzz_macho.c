/*
 * Mach-O parser and the VGL-MACHO-CS-BROKEN checker on arbitrary bytes.
 * Invariants: counts within their caps, strings within the name cap, a
 * signature the parser read lies inside its slice, findings well formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checks_internal.h"
#include "formats/macho.h"
#include "fuzz.h"
#include "hexseed.h"

static void on_finding(void *ctx, const vigil_finding *f)
{
	if (!f->id || strcmp(f->id, "VGL-MACHO-CS-BROKEN") != 0 || !f->message ||
	    f->score < 0 || f->score > 100)
		abort();
	(*(size_t *)ctx) += strlen(f->message);
}

static void check_name(const char *s)
{
	if (s && strlen(s) > VG_MACHO_MAX_NAME)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;

	vg_macho *m = NULL;
	int st = vg_macho_parse(data, size, &m);
	if (st == VIGIL_OK || st == VIGIL_WARN) {
		if (m->nslices > VG_MACHO_MAX_ARCHS)
			abort();
		for (size_t i = 0; i < m->nslices; i++) {
			const vg_macho_slice *s = &m->slices[i];
			if (s->ndylibs > VG_MACHO_MAX_DYLIBS || s->ncmds_walked > VG_MACHO_MAX_CMDS)
				abort();
			for (uint32_t j = 0; j < s->ncmds_walked; j++)
				if (s->cmds[j].cmdsize < 8 || s->cmds[j].offset + s->cmds[j].cmdsize > s->size)
					abort();
			for (size_t j = 0; j < s->ndylibs; j++)
				check_name(s->dylibs[j].name);
			check_name(s->id_dylib);
			check_name(s->cs.identifier);
			check_name(s->cs.team_id);
			if (s->cs.superblob_ok &&
			    ((uint64_t)s->cs.dataoff + s->cs.datasize > s->size ||
			     s->offset + s->size > size))
				abort();
		}
	} else if (st == VIGIL_FAILED && (!m || !m->error)) {
		abort();
	}
	vg_macho_free(m);

	size_t total = 0;
	vg_check_macho(data, size, on_finding, &total);
	free(own);
	return 0;
}
