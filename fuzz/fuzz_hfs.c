/*
 * The reader of standalone HFS+ / HFSX volumes (containers/hfs.c) on arbitrary bytes: probe, open, every member, every
 * member's bytes read to the end (at most 4 MiB per input: the unpacking
 * engine's expansion limit stops longer reads anyway). Seeds are mkdmg
 * output (tests/tools/mkdmg.c --small) stored as #vigil-hex text. Checks
 * invariants: a member has a name, reads never return more than asked,
 * a failure always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containers/hfs.h"
#include "fuzz.h"
#include "hexseed.h"

#define READ_BUDGET (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;
	const vg_container_ops *ops = &vg_reader_hfs;
	vg_blob b = vg_blob_mem(data, size);
	char err[VG_C_ERRLEN];
	(void)ops->probe(&b, data, size < 65536 ? size : 65536, "fuzz");
	void *st = ops->open(&b, err);
	if (!st) {
		if (!err[0])
			abort();
		free(own);
		return 0;
	}
	static uint8_t buf[65536];
	uint64_t budget = READ_BUDGET;
	for (;;) {
		vg_member m;
		int r = ops->next(st, &m, err);
		if (r == VG_C_END || r == VG_C_FATAL)
			break;
		if (r == VG_C_DAMAGED) {
			if (!err[0])
				abort();
			continue;
		}
		if (r != VG_C_OK || !m.name)
			abort();
		size_t got;
		while (budget && (r = ops->read(st, buf, sizeof buf, &got, err)) == VG_C_OK) {
			if (!got || got > sizeof buf)
				abort();
			budget -= got < budget ? got : budget;
		}
		if ((r == VG_C_DAMAGED || r == VG_C_FATAL) && !err[0])
			abort();
	}
	ops->close(st);
	free(own);
	return 0;
}
