/*
 * `vigil verify` with the built-in policy (docs/detections.md, "Release
 * gate"): checks on the new release alone, merged with the diff's
 * signals when an old release is given.
 */
#include <stdlib.h>
#include <string.h>

#include "diff/diff_internal.h"
#include "report/json_write.h"

struct vctx {
	json_t *recs, *byp; /* records, and path -> record */
	const char *absent; /* the change of a record made here */
	int fatal;
};

static void vsignal(struct vctx *v, const char *path, const char *id, vigil_dlevel lv,
		    const char *msg)
{
	json_t *r = json_object_get(v->byp, path);
	if (!r) {
		r = json_object();
		if (!r || vg_json_put(r, "path", vg_json_text(path)) ||
		    vg_json_put(r, "change", json_string(v->absent)) ||
		    vg_json_put(r, "level", json_string("none")) ||
		    vg_json_put(r, "signals", json_array()) ||
		    vg_json_put(r, "models", json_array()) ||
		    json_object_set(v->byp, path, r) || json_array_append_new(v->recs, r)) {
			v->fatal = 1;
			return;
		}
	}
	json_t *s = json_object();
	if (!s || vg_json_put(s, "id", json_string(id)) ||
	    vg_json_put(s, "level", json_string(vigil_dlevel_name(lv))) ||
	    vg_json_put(s, "message", vg_json_text(msg)) ||
	    vg_json_put(s, "detail", json_object()) ||
	    json_array_append_new(json_object_get(r, "signals"), s)) {
		v->fatal = 1;
		return;
	}
	int have = vigil_dlevel_parse(vg_jstr(r, "level"));
	if ((int)lv > have)
		json_object_set_new(r, "level", json_string(vigil_dlevel_name(lv)));
}

int vg_verify_checks(const vigil_release *n, json_t *recs, const char *absent)
{
	struct vctx v = {recs, json_object(), absent, 0};
	if (!v.byp)
		return -1;
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r) {
		const char *p = vg_jstr(r, "path");
		if (p)
			json_object_set(v.byp, p, r);
	}
	size_t pe = 0, signed_pe = 0;
	const char *key;
	json_t *f;
	json_object_foreach(n->index, key, f) {
		const char *fmt = vg_jstr(f, "format");
		if (fmt && !strcmp(fmt, "pe")) {
			pe++;
			signed_pe += json_object_get(f, "signature") != NULL;
		}
	}
	int vendor_signs = n->vendor && signed_pe * 2 >= pe;
	char msg[512];
	/* in path order, so that the records come out the same every run */
	json_t *comps = json_object_get(n->snapshot, "components");
	json_array_foreach(comps, i, f) {
		const char *p = vg_jstr(f, "path"), *fmt = vg_jstr(f, "format");
		if (!p)
			continue;
		const json_t *sig = json_object_get(f, "signature");
		if (vendor_signs && fmt && !strcmp(fmt, "pe") && !sig) {
			snprintf(msg, sizeof msg, "'%s' is not signed, while the release's vendor signs its components", p);
			vsignal(&v, p, "VGL-VERIFY-UNSIGNED", VIGIL_DLEVEL_HIGH, msg);
		}
		if (sig && vg_jbool(sig, "self_signed")) {
			snprintf(msg, sizeof msg, "'%s' is signed with a self-signed certificate", p);
			vsignal(&v, p, "VGL-VERIFY-SELF-SIGNED", VIGIL_DLEVEL_HIGH, msg);
		}
		if (sig && json_is_integer(json_object_get(sig, "digest_match")) &&
		    vg_jint(sig, "digest_match") == 0) {
			snprintf(msg, sizeof msg, "the signature of '%s' does not match its bytes", p);
			vsignal(&v, p, "VGL-VERIFY-DIGEST-MISMATCH", VIGIL_DLEVEL_HIGH, msg);
		}
		size_t j;
		json_t *s;
		json_array_foreach(json_object_get(f, "sections"), j, s) {
			const char *fl = vg_jstr(s, "flags"), *name = vg_jstr(s, "name");
			if (fl && strlen(fl) == 3 && fl[1] == 'w' && fl[2] == 'x') {
				snprintf(msg, sizeof msg, "'%s' has a section both writable and executable: '%s'",
					 p, name ? name : "");
				vsignal(&v, p, "VGL-VERIFY-WX-SECTION", VIGIL_DLEVEL_HIGH, msg);
				break;
			}
		}
	}
	json_decref(v.byp);
	return v.fatal ? -1 : 0;
}

int vigil_verify_json(const vigil_release *n, const vigil_release *o,
		      const vigil_diff_options *opt, vigil_dlevel fail_on, char **json,
		      int *pass)
{
	*json = NULL;
	*pass = 0;
	vg_caps caps;
	if (vg_caps_load(&caps, opt ? opt->capabilities_dir : NULL, NULL, NULL) != 0)
		return VIGIL_FATAL;
	vigil_dlevel verdict = VIGIL_DLEVEL_NONE;
	size_t unchanged = 0;
	json_t *recs = o ? vg_diff_records(o, n, &caps, 0, &unchanged) : json_array();
	vg_caps_free(&caps);
	if (!recs || vg_verify_checks(n, recs, o ? "unchanged" : "present") != 0) {
		json_decref(recs);
		return VIGIL_FATAL;
	}
	json_t *rec = vg_diff_finish(recs, o, n, "verify", unchanged, &verdict);
	if (!rec)
		return VIGIL_FATAL;
	*pass = verdict < fail_on;
	json_object_set_new(rec, "fail_on", json_string(vigil_dlevel_name(fail_on)));
	json_object_set_new(rec, "policy", json_string("default"));
	json_object_set_new(rec, "pass", json_boolean(*pass));
	*json = vg_json_dump(rec);
	return *json ? VIGIL_OK : VIGIL_FATAL;
}
