/*
 * The reader of standalone HFS+ / HFSX volumes (containers/hfs.c) on arbitrary bytes, driven through its ops by
 * fuzz/reader_drive.h (the invariants are listed there). Seeds in
 * fuzz/corpus/hfs/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "reader_drive.h"

extern const vg_container_ops vg_reader_hfs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader(&vg_reader_hfs, 0, data, size);
}
