/*
 * The Electron asar reader (containers/asar.c) on arbitrary bytes, driven through its ops by
 * fuzz/reader_drive.h (the invariants are listed there). Seeds in
 * fuzz/corpus/asar/.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "reader_drive.h"

extern const vg_container_ops vg_reader_asar;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader(&vg_reader_asar, 1, data, size);
}
