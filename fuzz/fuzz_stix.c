/* STIX 2.x bundle reader (lib/intel_stix.c, lib/intel_stix_pattern.c). */
#include <stdint.h>

#include "fuzz.h"
#include "intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_load("fuzz.json", data, size, VIGIL_IOC_STIX);
}
