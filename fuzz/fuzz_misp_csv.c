/* MISP CSV reader (lib/intel_misp_csv.c, RFC 4180 records). */
#include <stdint.h>

#include "fuzz.h"
#include "intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_load("fuzz.csv", data, size, VIGIL_IOC_MISP_CSV);
}
