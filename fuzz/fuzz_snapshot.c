/*
 * The snapshot reader of `vigil diff` (lib/diff) on arbitrary bytes: a
 * snapshot is untrusted input (a file handed over from elsewhere). When
 * the bytes are a snapshot, the release is compared with itself (no
 * component may change), with its own snapshot read back (the same JSON
 * both ways), through verify and SARIF, so that the comparison sees
 * hostile facts of every type. Seeds in fuzz/corpus/snapshot/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "diff/diff_internal.h"
#include "fuzz.h"

static void quiet(void *ctx, const vigil_diag *d)
{
	(void)ctx;
	if (!d->message || !d->file)
		abort(); /* every message names the file */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vigil_release *r = NULL;
	if (vg_release_snapshot_buf("fuzz.snapshot", (const char *)data, size, &r, quiet, NULL) !=
	    VIGIL_OK)
		return 0;
	vigil_diff_options o;
	vigil_diff_options_init(&o);
	o.all = 1;
	char *json = NULL, *json2 = NULL;
	vigil_dlevel v = VIGIL_DLEVEL_NONE, v2 = VIGIL_DLEVEL_NONE;
	if (vigil_diff_json(r, r, &o, &json, &v) == VIGIL_OK) {
		json_t *rec = json_loads(json, 0, NULL);
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(rec, "components"), i, c) {
			const char *ch = json_string_value(json_object_get(c, "change"));
			if (!ch || strcmp(ch, "unchanged"))
				abort(); /* a release against itself changes nothing */
		}
		json_decref(rec);
		char *sarif = vigil_diff_sarif(json);
		free(sarif);
	}
	char *snap = vigil_release_snapshot(r);
	vigil_release *back = NULL;
	if (snap && vg_release_snapshot_buf("fuzz.snapshot", snap, strlen(snap), &back, quiet,
					    NULL) == VIGIL_OK) {
		vigil_release *empty = NULL;
		static const char none[] = "{\"schema\":1,\"type\":\"snapshot\",\"snapshot_format\":1,"
					   "\"release\":\"e\",\"components\":[]}";
		if (vg_release_snapshot_buf("empty", none, sizeof none - 1, &empty, quiet, NULL) ==
		    VIGIL_OK) {
			free(json);
			json = NULL;
			if (vigil_diff_json(empty, r, &o, &json, &v) == VIGIL_OK &&
			    vigil_diff_json(empty, back, &o, &json2, &v2) == VIGIL_OK &&
			    (v != v2 || strcmp(json, json2)))
				abort(); /* the snapshot of a snapshot compares the same */
			char *vj = NULL;
			int pass;
			if (vigil_verify_json(r, empty, &o, VIGIL_DLEVEL_HIGH, &vj, &pass) == VIGIL_OK)
				free(vj);
		}
		vigil_release_free(empty);
	}
	vigil_release_free(back);
	free(snap);
	free(json);
	free(json2);
	vigil_release_free(r);
	return 0;
}
