/*
 * Format detection with VIGIL_IOC_AUTO and a name that says no Loki format:
 * JSON, MISP CSV or the plain-list reader (lib/intel.c, lib/intel_plain.c).
 */
#include <stdint.h>

#include "fuzz.h"
#include "intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_load("feed", data, size, VIGIL_IOC_AUTO);
}
