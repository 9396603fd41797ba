/*
 * Strings and network indicators on arbitrary bytes. Invariants: the cap
 * holds, values are non-empty printable ASCII within their length limits,
 * offsets lie inside the input, no value is reported twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hexseed.h"
#include "formats/netstrings.h"

#define MAX_ITEMS 64

static int on_string(void *ctx, const char *s, size_t n, uint64_t off, int utf16)
{
	size_t size = *(size_t *)ctx;
	if (n == 0 || n > VG_STRINGS_MAX_RUN || strlen(s) != n || off >= size ||
	    (utf16 ? off + 2 * n > size : off + n > size))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;

	vg_strings_each(data, size, 0, on_string, &size);

	vg_netstrings *ns;
	if (vg_netstrings_extract(data, size, MAX_ITEMS, &ns) == VIGIL_FATAL) {
		free(own);
		return 0;
	}
	if (ns->n > MAX_ITEMS)
		abort();
	for (size_t i = 0; i < ns->n; i++) {
		const vg_netstr *it = &ns->items[i];
		size_t l = strlen(it->value);
		if (l == 0 || l > VG_NETSTR_MAX_URL || it->offset >= size)
			abort();
		for (size_t k = 0; k < l; k++)
			if (it->value[k] < 0x20 && it->value[k] != '\t')
				abort();
		for (size_t j = 0; j < i; j++)
			if (ns->items[j].kind == it->kind && strcmp(ns->items[j].value, it->value) == 0)
				abort();
	}
	vg_netstrings_free(ns);
	free(own);
	return 0;
}
