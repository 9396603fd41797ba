/*
 * Mach-O structural check (docs/detections.md, "VGL-MACHO-CS-BROKEN"): a
 * slice has LC_CODE_SIGNATURE, but the signature it points to cannot be
 * valid: the data lies outside the slice (the file was cut or the command
 * edited), it is not a SuperBlob, or no CodeDirectory can be read. macOS
 * refuses such a binary, so it was damaged or modified after signing (e.g.
 * a load command inserted by a dylib-injection tool that left the old
 * signature behind).
 *
 * Cost: non-Mach-O bytes return after a 4-byte compare; a Mach-O costs a
 * walk of its load commands and of the SuperBlob index, no hashing.
 */
#include <stdlib.h>

#include "checks/checks_internal.h"
#include "formats/macho.h"
#include "base/util.h"

#define SRC "builtin:checks/macho"

static const char *why(const vg_macho_slice *s)
{
	if (s->anomalies & VG_MACHO_ANOM_CS_PAST_END)
		return "lies outside the file";
	if (!s->cs.superblob_ok)
		return "is not an embedded-signature SuperBlob";
	if (!s->cs.has_cd)
		return "has no readable CodeDirectory";
	return NULL;
}

void vg_check_macho(const uint8_t *buf, size_t len, vigil_emit_fn emit, void *ctx)
{
	if (!vg_macho_sniff(buf, len))
		return;
	vg_macho *m;
	int st = vg_macho_parse(buf, len, &m);
	if (st == VIGIL_FATAL || st == VIGIL_FAILED) {
		vg_macho_free(m);
		return;
	}
	for (size_t i = 0; i < m->nslices; i++) {
		const vg_macho_slice *s = &m->slices[i];
		const char *reason = s->cs.present ? why(s) : NULL;
		if (!reason)
			continue;
		char *msg = vg_asprintf("slice %zu (cputype 0x%x at offset 0x%llx): the code "
					"signature at 0x%x (%u bytes) %s",
					i, s->cputype, (unsigned long long)s->offset,
					s->cs.dataoff, s->cs.datasize, reason);
		vigil_finding f = {
			.kind = "tamper",
			.id = "VGL-MACHO-CS-BROKEN",
			.source = SRC,
			.message = msg ? msg : "the code signature cannot be valid",
			.score = 40,
			.level = vigil_score_level(40),
		};
		emit(ctx, &f);
		free(msg);
	}
	vg_macho_free(m);
}
