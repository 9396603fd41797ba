/* MISP event JSON reader (lib/intel_misp.c). */
#include <stdint.h>

#include "fuzz.h"
#include "intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_load("fuzz.json", data, size, VIGIL_IOC_MISP);
}
