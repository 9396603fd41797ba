/*
 * The self-extracting PE overlay reader (containers/overlay.c) on arbitrary bytes, driven through its ops by
 * fuzz/reader_drive.h (the invariants are listed there). Seeds in
 * fuzz/corpus/overlay/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "reader_drive.h"

extern const vg_container_ops vg_reader_pe_overlay;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader(&vg_reader_pe_overlay, 1, data, size);
}
