/*
 * STIX 2.x bundles: every indicator object with a pattern vigil can
 * evaluate gives one IOC per OR alternative. Indicators past valid_until or
 * revoked are skipped and counted; patterns outside the subset are reported
 * with the indicator's id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "intel/intel_internal.h"
#include "base/timeutil.h"
#include "base/util.h"

int vg_intel_is_stix(json_t *root)
{
	const char *type = json_string_value(json_object_get(root, "type"));
	return json_is_object(root) && type && strcmp(type, "bundle") == 0;
}

/* RFC 3339 as STIX writes it: YYYY-MM-DDTHH:MM:SS[.fraction]Z. */
static int parse_timestamp(const char *s, long long *out)
{
	unsigned v[6];
	static const char seps[] = "--T::";
	const char *p = s;
	for (int i = 0; i < 6; i++) {
		int digits = i == 0 ? 4 : 2;
		v[i] = 0;
		for (int k = 0; k < digits; k++, p++) {
			if (*p < '0' || *p > '9')
				return 0;
			v[i] = v[i] * 10 + (unsigned)(*p - '0');
		}
		if (i < 5 && *p++ != seps[i])
			return 0;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if ((*p != 'Z' && *p != 'z') || p[1])
		return 0;
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 ||
	    v[4] > 59 || v[5] > 60)
		return 0;
	*out = vg_days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 +
	       v[4] * 60 + v[5];
	return 1;
}

struct stix_counts {
	unsigned long indicators, expired, revoked, unevaluated, partial, bad;
};

static vigil_ioc_type hash_type(const char *algo)
{
	if (strcmp(algo, "md5") == 0)
		return VIGIL_IOC_MD5;
	if (strcmp(algo, "sha-1") == 0 || strcmp(algo, "sha1") == 0)
		return VIGIL_IOC_SHA1;
	if (strcmp(algo, "sha-256") == 0 || strcmp(algo, "sha256") == 0)
		return VIGIL_IOC_SHA256;
	return VIGIL_IOC_TYPE_COUNT;
}

/* One comparison: 1 added, 0 skipped (reported), -1 out of memory. */
static int add_cmp(struct vg_intel *in, const struct vg_stix_cmp *c, int score,
		   const char *comment, const char *id)
{
	const char *p = c->path;
	if (strcmp(p, "domain-name:value") == 0 || strcmp(p, "ipv4-addr:value") == 0 ||
	    strcmp(p, "ipv6-addr:value") == 0 || strcmp(p, "url:value") == 0)
		return vg_intel_add_network(in, c->value, score, comment, 0);
	if (strcmp(p, "file:name") == 0)
		return vg_intel_add_filename(in, c->value, score, comment, 0);
	if (strncmp(p, "file:hashes.", 12) == 0) {
		vigil_ioc_type t = hash_type(p + 12);
		if (t != VIGIL_IOC_TYPE_COUNT)
			return vg_intel_add_hash(in, t, c->value, score, comment, 0);
	}
	vg_intel_warn(in, 0, "indicator '%s': '%s' not evaluated (vigil reads "
			     "domain-name, ipv4-addr, ipv6-addr, url values, file:name "
			     "and MD5/SHA-1/SHA-256 file hashes)", id, p);
	return 0;
}

static void indicator(struct vg_intel *in, json_t *o, size_t index,
		      long long now, struct stix_counts *k)
{
	const char *id = json_string_value(json_object_get(o, "id"));
	char where[64];
	if (!id) {
		snprintf(where, sizeof where, "object %zu", index);
		id = where;
	}
	k->indicators++;
	json_t *rev = json_object_get(o, "revoked");
	if (json_is_true(rev)) {
		k->revoked++;
		vg_intel_info(in, 0, "indicator '%s' is revoked, skipped", id);
		return;
	}
	json_t *vu = json_object_get(o, "valid_until");
	if (vu) {
		long long until;
		if (!json_is_string(vu) || !parse_timestamp(json_string_value(vu), &until)) {
			k->bad++;
			vg_intel_warn(in, 0, "indicator '%s': malformed valid_until, skipped", id);
			return;
		}
		if (until <= now) {
			k->expired++;
			vg_intel_info(in, 0, "indicator '%s' expired (valid_until %s), skipped",
				      id, json_string_value(vu));
			return;
		}
	}
	int score = 100;
	json_t *conf = json_object_get(o, "confidence");
	if (conf) {
		if (!json_is_integer(conf) || json_integer_value(conf) < 0 ||
		    json_integer_value(conf) > 100) {
			k->bad++;
			vg_intel_warn(in, 0, "indicator '%s': confidence not an integer "
					     "0-100, skipped", id);
			return;
		}
		score = (int)json_integer_value(conf);
	}
	const char *ptype = json_string_value(json_object_get(o, "pattern_type"));
	if (json_object_get(o, "pattern_type") && (!ptype || strcmp(ptype, "stix") != 0)) {
		k->unevaluated++;
		vg_intel_warn(in, 0, "indicator '%s': pattern_type '%s' not evaluated",
			      id, ptype ? ptype : "?");
		return;
	}
	const char *pattern = json_string_value(json_object_get(o, "pattern"));
	if (!pattern) {
		k->bad++;
		vg_intel_warn(in, 0, "indicator '%s' has no pattern, skipped", id);
		return;
	}
	struct vg_stix_cmp *cmps;
	size_t n;
	char why[256];
	if (vg_stix_pattern(pattern, &cmps, &n, why, sizeof why) != 0) {
		k->unevaluated++;
		vg_intel_warn(in, 0, "indicator '%s' not evaluated: %s", id, why);
		return;
	}
	char *item = vg_asprintf("indicator '%s'", id);
	in->where = item;
	const char *name = json_string_value(json_object_get(o, "name"));
	char *comment = name && *name ? vg_asprintf("%s (%s)", name, id) : vg_strdup(id);
	size_t ok = 0;
	for (size_t i = 0; comment && i < n; i++) {
		int rc = add_cmp(in, &cmps[i], score, comment, id);
		if (rc < 0)
			break;
		ok += (size_t)rc;
	}
	if (ok == 0)
		k->unevaluated++;
	else if (ok < n)
		k->partial++;
	free(comment);
	vg_stix_cmps_free(cmps, n);
	in->where = NULL;
	free(item);
}

int vg_intel_stix(struct vg_intel *in, json_t *root)
{
	json_t *objects = json_object_get(root, "objects");
	if (!json_is_array(objects)) {
		if (objects)
			vg_intel_fail(in, 0, "STIX bundle whose 'objects' is not an array");
		else
			vg_intel_info(in, 0, "STIX bundle without objects");
		return in->status;
	}
	struct stix_counts k = {0};
	long long now = (long long)time(NULL);
	size_t n = json_array_size(objects);
	if (n > VG_INTEL_MAX_ITEMS) {
		vg_intel_warn(in, 0, "more than %u objects, the rest ignored",
			      VG_INTEL_MAX_ITEMS);
		n = VG_INTEL_MAX_ITEMS;
	}
	for (size_t i = 0; i < n && in->status < VIGIL_FATAL; i++) {
		json_t *o = json_array_get(objects, i);
		const char *type = json_string_value(json_object_get(o, "type"));
		if (!json_is_object(o) || !type) {
			k.bad++;
			vg_intel_warn(in, 0, "object %zu: not a STIX object (no type), skipped", i);
			continue;
		}
		if (strcmp(type, "indicator") == 0)
			indicator(in, o, i, now, &k);
	}
	vg_intel_info(in, 0, "STIX: %lu indicators, %zu IOCs; skipped %lu expired, "
			     "%lu revoked, %lu not evaluated, %lu malformed; %lu "
			     "partly evaluated",
		      k.indicators, in->added, k.expired, k.revoked, k.unevaluated,
		      k.bad, k.partial);
	return in->status;
}
