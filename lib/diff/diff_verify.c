/*
 * `vigil verify` with the built-in policy (docs/detections.md, "Release
 * gate"): checks on the new release alone, merged with the diff's
 * signals when an old release is given.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* The signal id in path's record, or NULL. */
static const json_t *record_signal(struct vctx *v, const char *path, const char *id)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(json_object_get(v->byp, path), "signals"), i, s) {
		const char *sid = vg_jstr(s, "id");
		if (sid && !strcmp(sid, id))
			return s;
	}
	return NULL;
}

/* A component of NEW that matches a loaded YARA rule or an IOC, unless
 * the diff said so already (VGL-DIFF-YARA-NEW, VGL-DIFF-IOC-HIT). */
static void content_checks(struct vctx *v, const json_t *f, const char *p)
{
	char msg[512];
	const json_t *said = json_object_get(json_object_get(record_signal(v, p, "VGL-DIFF-YARA-NEW"),
							     "detail"), "added");
	size_t i, n = 0;
	json_t *r;
	const char *first = NULL;
	json_array_foreach(json_object_get(f, "yara"), i, r) {
		const char *name = json_string_value(r);
		size_t j;
		json_t *a;
		int dup = 0;
		json_array_foreach(said, j, a)
			dup |= json_is_string(a) && name && !strcmp(json_string_value(a), name);
		if (!name || dup)
			continue;
		if (!n++)
			first = name;
	}
	if (n) {
		snprintf(msg, sizeof msg, "'%s' matches %zu of the loaded YARA rules, e.g. '%s'", p, n,
			 first);
		vsignal(v, p, "VGL-VERIFY-YARA", VIGIL_DLEVEL_HIGH, msg);
	}
	const json_t *hits = json_object_get(f, "ioc_hits");
	if (json_array_size(hits) && !record_signal(v, p, "VGL-DIFF-IOC-HIT")) {
		vigil_dlevel lv = VIGIL_DLEVEL_HIGH;
		json_array_foreach(hits, i, r)
			if (json_is_string(r) && !strncmp(json_string_value(r), "hash:", 5))
				lv = VIGIL_DLEVEL_CRITICAL;
		const char *h0 = json_string_value(json_array_get(hits, 0));
		snprintf(msg, sizeof msg, "'%s' matches %zu IOCs, e.g. '%s'", p, json_array_size(hits),
			 h0 ? h0 : "");
		vsignal(v, p, "VGL-VERIFY-IOC-HIT", lv, msg);
	}
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
		content_checks(&v, f, p);
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

/* ---- a policy file's rules ---- */

static const char *signer_text(const char *s)
{
	return s && *s ? s : "(none)";
}

static void policy_checks(struct vctx *v, const vigil_release *n, const vigil_policy *pol)
{
	char msg[1024];
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(n->snapshot, "components"), i, f) {
		const char *p = vg_jstr(f, "path");
		if (!p)
			continue;
		const json_t *sig = json_object_get(f, "signature");
		const char *who = sig ? vg_jstr(sig, "signer") : NULL;
		if (who && !*who)
			who = NULL;
		if (vigil_policy_must_be_signed(pol, p) && !who) {
			snprintf(msg, sizeof msg, "'%s' must be signed (policy) and is not", p);
			vsignal(v, p, "VGL-POLICY-UNSIGNED", VIGIL_DLEVEL_HIGH, msg);
		}
		const vigil_policy_signer *want = vigil_policy_signer_for(pol, p);
		if (want) {
			const char *iss = sig ? vg_jstr(sig, "issuer") : NULL,
				   *tp = sig ? vg_jstr(sig, "thumbprint_sha256") : NULL;
			int bad = !who || (want->subject && strcmp(want->subject, who) != 0) ||
				  (want->issuer && (!iss || strcmp(want->issuer, iss) != 0)) ||
				  (want->thumbprint && (!tp || strcasecmp(want->thumbprint, tp) != 0));
			if (bad) {
				snprintf(msg, sizeof msg,
					 "'%s' is signed by '%s' under '%s', not as the policy's signer entry for '%s' says",
					 p, signer_text(who), signer_text(iss), want->path);
				vsignal(v, p, "VGL-POLICY-SIGNER", VIGIL_DLEVEL_HIGH, msg);
			}
		}
		const char *ver = vg_jstr(f, "version"), *sha = vg_jstr(f, "sha256");
		const vigil_policy_pin *pin = vigil_policy_pin_for(pol, p, ver);
		if (pin && (!sha || strcasecmp(pin->sha256, sha) != 0)) {
			snprintf(msg, sizeof msg,
				 "'%s'%s%s is not the pinned build: SHA-256 %s, the policy pins %s",
				 p, ver ? " version " : "", ver ? ver : "", sha ? sha : "(unknown)",
				 pin->sha256);
			vsignal(v, p, "VGL-POLICY-PIN", VIGIL_DLEVEL_HIGH, msg);
		}
	}
}

/* A new capability the policy allows no longer counts; one it forbids
 * gets a critical signal of its own. */
static void policy_capabilities(struct vctx *v, json_t *recs, const vigil_policy *pol)
{
	char msg[512];
	size_t i, j, n = json_array_size(recs);
	for (i = 0; i < n; i++) {
		json_t *r = json_array_get(recs, i);
		const char *p = vg_jstr(r, "path");
		json_t *s;
		json_array_foreach(json_object_get(r, "signals"), j, s) {
			const char *id = vg_jstr(s, "id");
			const char *cap = vg_jstr(json_object_get(s, "detail"), "capability");
			if (!id || strcmp(id, "VGL-DIFF-NEW-CAPABILITY") != 0 || !cap || !p)
				continue;
			if (vigil_policy_capability_forbidden(pol, cap)) {
				snprintf(msg, sizeof msg, "'%s' gained the capability '%s', which the policy forbids", p, cap);
				vsignal(v, p, "VGL-POLICY-CAPABILITY", VIGIL_DLEVEL_CRITICAL, msg);
			} else if (vigil_policy_capability_allowed(pol, cap)) {
				json_object_set_new(s, "allowed", json_true());
			}
		}
	}
}

/* Waivers, then each record's level again from what still counts: its
 * signals neither waived nor allowed, and its models not waived (a model
 * keeps the level it gave the record). Returns the signals waived. */
static size_t policy_waivers(json_t *recs, const vigil_policy *pol, const char *today)
{
	size_t waived = 0, i, j;
	json_t *r, *s;
	json_array_foreach(recs, i, r) {
		const char *p = vg_jstr(r, "path");
		if (!p)
			continue;
		int before = vigil_dlevel_parse(vg_jstr(r, "level")), lv = VIGIL_DLEVEL_NONE;
		json_array_foreach(json_object_get(r, "signals"), j, s) {
			const char *id = vg_jstr(s, "id"), *why = NULL;
			if (id && vigil_policy_waived(pol, p, id, today, &why)) {
				json_object_set_new(s, "waived", vg_json_text(why ? why : ""));
				waived++;
				continue;
			}
			if (vg_jbool(s, "allowed"))
				continue;
			int l = vigil_dlevel_parse(vg_jstr(s, "level"));
			if (l > lv)
				lv = l;
		}
		json_t *models = json_object_get(r, "models"), *kept = json_array(), *m;
		json_array_foreach(models, j, m) {
			const char *id = json_string_value(m), *why = NULL;
			if (id && vigil_policy_waived(pol, p, id, today, &why))
				waived++;
			else if (kept)
				json_array_append(kept, m);
		}
		if (kept && json_array_size(kept) && before > lv)
			lv = before;
		if (kept && json_array_size(kept) != json_array_size(models))
			json_object_set(r, "models", kept);
		json_decref(kept);
		json_object_set_new(r, "level", json_string(vigil_dlevel_name((vigil_dlevel)lv)));
	}
	return waived;
}

static int verify_run(const vigil_release *n, const vigil_release *o,
		      const vigil_diff_options *opt, const vigil_policy *policy,
		      const char *policy_name, const char *today, vigil_dlevel fail_on,
		      char **json, int *pass)
{
	*json = NULL;
	*pass = 0;
	if (policy) {
		int l = vigil_dlevel_parse(vigil_policy_fail_on(policy));
		if (l >= VIGIL_DLEVEL_INFO)
			fail_on = (vigil_dlevel)l;
	}
	vg_caps caps;
	if (vg_caps_load(&caps, opt ? opt->capabilities_dir : NULL, NULL, NULL) != 0)
		return VIGIL_FATAL;
	vigil_dlevel verdict = VIGIL_DLEVEL_NONE;
	size_t unchanged = 0, waived = 0;
	json_t *recs = o ? vg_diff_records(o, n, &caps, 0, &unchanged) : json_array();
	vg_caps_free(&caps);
	if (!recs || vg_verify_checks(n, recs, o ? "unchanged" : "present") != 0) {
		json_decref(recs);
		return VIGIL_FATAL;
	}
	if (policy) {
		struct vctx v = {recs, json_object(), o ? "unchanged" : "present", 0};
		size_t i;
		json_t *r;
		json_array_foreach(recs, i, r)
			if (vg_jstr(r, "path"))
				json_object_set(v.byp, vg_jstr(r, "path"), r);
		if (v.byp) {
			policy_checks(&v, n, policy);
			policy_capabilities(&v, recs, policy);
		}
		json_decref(v.byp);
		if (!v.byp || v.fatal) {
			json_decref(recs);
			return VIGIL_FATAL;
		}
		waived = policy_waivers(recs, policy, today);
	}
	json_t *rec = vg_diff_finish(recs, o, n, "verify", unchanged, &verdict);
	if (!rec)
		return VIGIL_FATAL;
	*pass = verdict < fail_on;
	json_object_set_new(rec, "fail_on", json_string(vigil_dlevel_name(fail_on)));
	json_object_set_new(rec, "policy", vg_json_text(policy_name ? policy_name : "default"));
	if (policy)
		json_object_set_new(rec, "waived", json_integer((json_int_t)waived));
	json_object_set_new(rec, "pass", json_boolean(*pass));
	*json = vg_json_dump(rec);
	return *json ? VIGIL_OK : VIGIL_FATAL;
}

int vigil_verify_json(const vigil_release *n, const vigil_release *o,
		      const vigil_diff_options *opt, vigil_dlevel fail_on, char **json,
		      int *pass)
{
	return verify_run(n, o, opt, NULL, NULL, NULL, fail_on, json, pass);
}

int vigil_verify_policy_json(const vigil_release *n, const vigil_release *o,
			     const vigil_diff_options *opt, const vigil_policy *policy,
			     const char *policy_name, const char *today, char **json,
			     int *pass)
{
	return verify_run(n, o, opt, policy, policy_name, today, VIGIL_DLEVEL_HIGH, json, pass);
}
