/* vigil_match_buffer (scan.h): the sweep's matcher (match.h) on one buffer
 * for callers outside the sweep, such as `vigil inspect`. */
#include <string.h>

#include <vigil/scan.h>

#include "scan/match.h"

int vigil_match_buffer(const vigil_iocs *iocs, const vigil_rules *rules, const char *name,
		       const uint8_t *buf, size_t len, long owner_uid, int checks,
		       vigil_file_fn fn, void *ctx)
{
	vg_matcher *m = vg_matcher_new(iocs, rules, !checks);
	if (!m)
		return VIGIL_FATAL;
	vigil_file_result r;
	memset(&r, 0, sizeof r);
	r.path = name;
	r.size = len;
	vg_match_meta meta = {owner_uid >= 0 ? (uid_t)owner_uid : 0, owner_uid >= 0};
	int ok = vg_match(m, name, buf, len, &meta, 0, &r);
	if (fn)
		fn(ctx, &r);
	vg_matcher_free(m);
	return ok && !r.error ? VIGIL_OK : VIGIL_WARN;
}
