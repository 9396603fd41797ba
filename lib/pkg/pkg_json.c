/* A package finding as a JSON record (include/vigil/pkg.h), through the
 * one writer of results (report/json_write.h). */
#include <vigil/pkg.h>

#include "report/json_write.h"

char *vigil_pkg_result_json(const vigil_pkg_result *r)
{
	json_t *rec = vg_json_record("package");
	if (!rec)
		return NULL;
	int bad = 0;
	bad |= vg_json_put(rec, "path", r->path ? vg_json_path(r->path) : json_null());
	bad |= vg_json_put(rec, "disk_path",
			   r->disk_path ? vg_json_path(r->disk_path) : json_null());
	bad |= vg_json_put(rec, "package", vg_json_text(r->package));
	bad |= vg_json_put(rec, "digest", vg_json_text(r->digest));
	bad |= vg_json_put(rec, "expected", vg_json_text(r->expected));
	bad |= vg_json_put(rec, "actual", vg_json_text(r->actual));
	bad |= vg_json_put(rec, "finding", vg_json_finding(&r->finding));
	if (bad) {
		json_decref(rec);
		return NULL;
	}
	return vg_json_dump(rec);
}
