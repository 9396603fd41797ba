/*
 * The reader of UDIF disk images (containers/dmg.c) and, through them, HFS+ volumes on arbitrary bytes, driven through its ops by
 * fuzz/reader_drive.h (the invariants are listed there). Seeds in
 * fuzz/corpus/udif/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "reader_drive.h"

extern const vg_container_ops vg_reader_dmg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader(&vg_reader_dmg, 0, data, size);
}
