/*
 * One container reader (containers/container.h) driven over arbitrary
 * bytes through its ops: probe, open, every member, every member's bytes
 * read to the end (at most READ_BUDGET per input: the unpacking engine's
 * expansion limit stops longer reads anyway). Seeds are #vigil-hex text
 * (fuzz/hexseed.h). Invariants checked (abort on violation): the codes
 * are the interface's, a failure always says why, a member has a name, a
 * read never returns nothing or more than asked, nor more than a
 * member's declared size; with exact_sizes, a file member read to its end
 * holds exactly its declared size; a listing ends (the reader's own caps).
 */
#ifndef VIGIL_FUZZ_READER_DRIVE_H
#define VIGIL_FUZZ_READER_DRIVE_H

#include <stdint.h>
#include <stdlib.h>

#include "containers/container.h"
#include "hexseed.h"

#define READ_BUDGET (4u << 20)

static int fuzz_reader(const vg_container_ops *R, int exact_sizes,
		       const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;
	vg_blob src = vg_blob_mem(data, size);
	(void)R->probe(&src, data, size < 65536 ? size : 65536, "fuzz");
	char err[VG_C_ERRLEN];
	err[0] = '\0';
	void *st = R->open(&src, err);
	if (!st) {
		if (!err[0])
			abort();
		free(own);
		return 0;
	}
	static uint8_t buf[65536];
	uint64_t budget = READ_BUDGET;
	size_t members = 0;
	for (;;) {
		vg_member m;
		err[0] = '\0';
		int r = R->next(st, &m, err);
		if (r == VG_C_END || r == VG_C_FATAL)
			break;
		if (++members > 2000000)
			abort(); /* a cap must end the listing */
		if (r == VG_C_DAMAGED) {
			if (!err[0])
				abort();
			continue;
		}
		if (r != VG_C_OK || !m.name)
			abort();
		size_t got;
		uint64_t total = 0;
		while (budget && (r = R->read(st, buf, sizeof buf, &got, err)) == VG_C_OK) {
			if (!got || got > sizeof buf)
				abort();
			total += got;
			if (m.size != VG_SIZE_UNKNOWN && total > m.size)
				abort();
			budget -= got < budget ? got : budget;
		}
		if (!budget)
			continue;
		if (r != VG_C_END && r != VG_C_DAMAGED && r != VG_C_FATAL)
			abort();
		if (r != VG_C_END && !err[0])
			abort();
		if (exact_sizes && r == VG_C_END && m.size != VG_SIZE_UNKNOWN &&
		    !m.unreadable && m.type == VG_MEMBER_FILE && total != m.size)
			abort();
	}
	R->close(st);
	free(own);
	return 0;
}

#endif
