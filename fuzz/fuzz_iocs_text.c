/*
 * The Loki text readers (lib/ioc_parse.c): the first byte picks hash,
 * filename or c2, the rest is the file.
 */
#include <stdint.h>

#include "fuzz.h"
#include "intel_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	static const vigil_ioc_format fmts[] = {VIGIL_IOC_HASH, VIGIL_IOC_FILENAME,
						VIGIL_IOC_C2};
	return fuzz_load("fuzz-iocs.txt", data + 1, size - 1, fmts[data[0] % 3]);
}
