/*
 * Seeds of binary formats are committed as text (docs/design.md): an input
 * starting with "#vigil-hex\n" is hex-decoded (whitespace and anything not
 * hex ignored) into an exact-size heap copy, so that ASan sees reads past
 * its end; any other input is used as is. Shared by every harness whose
 * seeds are binary.
 */
#ifndef VIGIL_FUZZ_HEXSEED_H
#define VIGIL_FUZZ_HEXSEED_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VIGIL_HEX_MAGIC "#vigil-hex\n"

static int hexseed_val(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Sets *data and *size to the decoded bytes and returns the buffer to free
 * (NULL when the input was not hex text: nothing to free). *failed on OOM. */
static uint8_t *hexseed_decode(const uint8_t **data, size_t *size, int *failed)
{
	size_t ml = sizeof VIGIL_HEX_MAGIC - 1;
	*failed = 0;
	if (*size < ml || memcmp(*data, VIGIL_HEX_MAGIC, ml) != 0)
		return NULL;
	size_t n = 0;
	int hi = -1;
	for (size_t i = ml; i < *size; i++)
		if (hexseed_val((*data)[i]) >= 0)
			n++;
	uint8_t *out = malloc(n / 2 ? n / 2 : 1);
	if (!out) {
		*failed = 1;
		return NULL;
	}
	n = 0;
	for (size_t i = ml; i < *size; i++) {
		int v = hexseed_val((*data)[i]);
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	*data = out;
	*size = n;
	return out;
}

#endif
