/*
 * The MSI and OLE2 container readers (containers/msi.c, msi_tables.c and
 * what they hand to libgsf and libarchive) on arbitrary bytes: open, then
 * every member read to its end, through both readers. Seeds in
 * fuzz/corpus/msi/ are wixl-built installers stored as "#vigil-hex" text
 * (fuzz/hexseed.h). Checks the reader's contract: a member has a name,
 * read() never claims more than it was given, damage carries a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "containers/container.h"
#include "fuzz.h"
#include "hexseed.h"

extern const vg_container_ops vg_reader_msi, vg_reader_ole2;

static void drain(const vg_container_ops *ops, const vg_blob *src)
{
	char err[VG_C_ERRLEN];
	err[0] = '\0';
	void *st = ops->open(src, err);
	if (!st) {
		if (!err[0])
			abort();
		return;
	}
	static uint8_t buf[4096];
	for (int guard = 0; guard < 100000; guard++) {
		vg_member m;
		err[0] = '\0';
		int r = ops->next(st, &m, err);
		if (r == VG_C_END)
			break;
		if (r == VG_C_FATAL || r == VG_C_DAMAGED) {
			if (!err[0] || strnlen(err, VG_C_ERRLEN) == VG_C_ERRLEN)
				abort();
			if (r == VG_C_FATAL)
				break;
			continue;
		}
		if (r != VG_C_OK || !m.name)
			abort();
		size_t total = 0, got;
		while ((r = ops->read(st, buf, sizeof buf, &got, err)) == VG_C_OK) {
			if (!got || got > sizeof buf)
				abort();
			total += got;
		}
		if (r != VG_C_END && r != VG_C_DAMAGED && r != VG_C_FATAL)
			abort();
		if (r == VG_C_FATAL)
			break;
	}
	ops->close(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;
	vg_blob src = vg_blob_mem(data, size);
	size_t n = size < 65536 ? size : 65536;
	vg_reader_msi.probe(&src, data, n, "setup.msi");
	vg_reader_ole2.probe(&src, data, n, "x.doc");
	drain(&vg_reader_msi, &src);
	drain(&vg_reader_ole2, &src);
	free(own);
	return 0;
}
