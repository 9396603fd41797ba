/*
 * `vigil inspect` on arbitrary bytes: every format parser, Authenticode,
 * the network-string extraction and the checks, through the JSON model.
 * Seeds: fuzz/corpus/inspect/ plus the PE, ELF and Mach-O corpora (listed
 * in fuzz/corpus/inspect.also); hex seeds are decoded as in fuzz_pe.
 * Checks that a model comes back for any input as one line of JSON text
 * that parses (so every string in it is valid UTF-8), with a format, the size of the
 * input, and a score in 0..100; and renders it as the CLI's text
 * (src/inspect_text.c) to /dev/null.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/inspect.h>

#include "fuzz.h"
#include "hexseed.h"
#include "inspect_text.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;
	char *text = NULL;
	vigil_inspect_options opt;
	vigil_inspect_options_init(&opt);
	opt.max_network = 50;
	int st = vigil_inspect_buffer(data, size, "fuzz", &opt, &text, NULL, NULL);
	if (st == VIGIL_OK) {
		json_error_t err;
		json_t *r = text ? json_loads(text, 0, &err) : NULL;
		/* one JSON object on one line: a JSON Lines record */
		if (!json_is_object(r) || strchr(text, '\n'))
			abort();
		json_int_t score = json_integer_value(json_object_get(r, "score"));
		if (!json_string_value(json_object_get(r, "format")) ||
		    json_integer_value(json_object_get(r, "size")) != (json_int_t)size ||
		    score < 0 || score > 100)
			abort();
		if (!devnull)
			devnull = fopen("/dev/null", "w");
		if (devnull)
			inspect_print_text(devnull, r);
		json_decref(r);
	} else if (st != VIGIL_FATAL || text) {
		abort();
	}
	free(text);
	free(own);
	return 0;
}
