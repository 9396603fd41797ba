/*
 * The public text writers of <vigil/report.h>: a finding, and the scan's
 * "file" record, on the writers of json_write.h.
 */
#include <stdlib.h>

#include <vigil/report.h>

#include "report/json_write.h"

char *vigil_finding_json(const vigil_finding *f)
{
	return f ? vg_json_dump(vg_json_finding(f)) : NULL;
}

static int put_digests(json_t *rec, const vigil_file_result *r)
{
	if (!r->hashed)
		return 0;
	int bad = vg_json_put(rec, "md5", vg_json_hex(r->md5, sizeof r->md5));
	bad |= vg_json_put(rec, "sha1", vg_json_hex(r->sha1, sizeof r->sha1));
	bad |= vg_json_put(rec, "sha256", vg_json_hex(r->sha256, sizeof r->sha256));
	return bad;
}

static json_t *findings(const vigil_file_result *r)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->nfindings; i++) {
		if (json_array_append_new(a, vg_json_finding(&r->findings[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* A member's chain: the top-level path, then each member name as
 * stored, each escaped like a path. */
static json_t *chain(const vigil_file_result *r)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->chain_len; i++) {
		if (json_array_append_new(a, vg_json_path(r->chain[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

char *vigil_file_result_json(const vigil_file_result *r)
{
	if (!r)
		return NULL;
	json_t *rec = vg_json_record("file");
	int bad = vg_json_put(rec, "path", vg_json_path(r->path));
	if (r->chain && r->chain_len > 1)
		bad |= vg_json_put(rec, "container", chain(r));
	bad |= vg_json_put(rec, "size", json_integer((json_int_t)r->size));
	bad |= put_digests(rec, r);
	bad |= vg_json_put(rec, "score", json_integer(r->score));
	bad |= vg_json_put(rec, "level",
			   json_string(vigil_level_name(vigil_score_level(r->score))));
	bad |= vg_json_put(rec, "findings", findings(r));
	bad |= vg_json_put(rec, "skip", r->skip ? json_string(vigil_skip_name(r->skip))
						 : json_null());
	bad |= vg_json_put(rec, "error", r->error ? json_string(vigil_error_name(r->error))
						   : json_null());
	if (r->skip_detail)
		bad |= vg_json_put(rec, "skip_detail", vg_json_text(r->skip_detail));
	if (r->error_detail)
		bad |= vg_json_put(rec, "error_detail", vg_json_text(r->error_detail));
	if (bad) {
		/* a record with keys missing would read as a different result */
		json_decref(rec);
		return NULL;
	}
	return vg_json_dump(rec);
}
