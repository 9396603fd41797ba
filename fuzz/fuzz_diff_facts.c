/*
 * The facts of one component (lib/diff/diff_facts.c) on arbitrary bytes:
 * the PE, ELF and Mach-O parsers, Authenticode, the reads of the TLS
 * directory, the CodeView record and the Rich header done there,
 * formats/elf_dynsyms.c, the strings and the capability table. Checks that
 * the facts are an object with a size equal to the input and a digest.
 * Seeds in fuzz/corpus/diff_facts/ ("#vigil-hex" text, fuzz/hexseed.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "diff/diff_internal.h"
#include "fuzz.h"
#include "hexseed.h"

static vg_caps caps;
static int caps_ready;

/* a few lines of each term kind, written once to a private directory */
static void load_caps(void)
{
	char dir[] = "/tmp/vigil-fuzz-caps.XXXXXX";
	caps_ready = 1;
	if (!mkdtemp(dir))
		return;
	char path[64];
	snprintf(path, sizeof path, "%s/capabilities.tab", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("mem.exec medium import:*!virtualprotect*\n"
		      "proc.exec high import:system\n"
		      "net.http low string:http\n"
		      "file.read-sibling high import:*!getmodulefilename* & string:.dll\n", f);
		fclose(f);
	}
	vg_caps_load(&caps, dir, NULL, NULL);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!caps_ready)
		load_caps();
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;
	json_t *f = vg_diff_facts(data, size, &caps);
	if (f) {
		if (!json_is_object(f) ||
		    json_integer_value(json_object_get(f, "size")) != (json_int_t)size ||
		    !json_is_string(json_object_get(f, "sha256")))
			abort();
		json_decref(f);
	}
	free(own);
	return 0;
}
