/*
 * The Electron asar reader (containers/asar.c) on arbitrary bytes: probe, open, list every member and read each to
 * its end through the reader's ops. Seeds in fuzz/corpus/asar/ are hex
 * text (fuzz/hexseed.h). Checks invariants: a read never returns more than
 * asked nor more than the member's declared size, every member has a name,
 * and the codes are the interface's.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containers/container.h"
#include "fuzz.h"
#include "hexseed.h"

extern const vg_container_ops vg_reader_asar;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;
	const vg_container_ops *R = &vg_reader_asar;
	vg_blob src = vg_blob_mem(data, size);
	(void)R->probe(&src, data, size < 65536 ? size : 65536, "fuzz");
	char err[VG_C_ERRLEN];
	void *st = R->open(&src, err);
	if (st) {
		vg_member m;
		int r;
		size_t members = 0;
		while ((r = R->next(st, &m, err)) != VG_C_END) {
			if (r == VG_C_FATAL)
				break;
			if (r != VG_C_OK && r != VG_C_DAMAGED)
				abort();
			if (++members > 2000000)
				abort(); /* the entry cap must end the listing */
			if (r == VG_C_DAMAGED)
				continue;
			if (!m.name)
				abort();
			uint8_t buf[4096];
			size_t got, total = 0;
			while ((r = R->read(st, buf, sizeof buf, &got, err)) == VG_C_OK) {
				if (got == 0 || got > sizeof buf)
					abort();
				total += got;
				if (m.size != VG_SIZE_UNKNOWN && total > m.size)
					abort();
			}
			if (r != VG_C_END && r != VG_C_DAMAGED && r != VG_C_FATAL)
				abort();
			if (r == VG_C_END && m.size != VG_SIZE_UNKNOWN && !m.unreadable &&
			    m.type == VG_MEMBER_FILE && total != m.size)
				abort();
		}
		R->close(st);
	}
	free(own);
	return 0;
}
