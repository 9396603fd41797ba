/*
 * A diff or verify record as SARIF 2.1.0: one run, tool.driver "vigil"
 * with one rule per signal or model ID used, one result per signal and
 * per model (level error for high and critical, warning for medium, note
 * below), located at the component's normalised path as a relative URI.
 */
#include <stdlib.h>
#include <string.h>

#include "diff/diff_internal.h"
#include "report/json_write.h"

static const char *sarif_level(const char *lv)
{
	int l = vigil_dlevel_parse(lv);
	return l >= VIGIL_DLEVEL_HIGH ? "error" : l == VIGIL_DLEVEL_MEDIUM ? "warning" : "note";
}

/* A relative URI reference: unreserved characters and '/' kept, the rest
 * percent-encoded. */
static json_t *uri(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(n * 3 + 1), *q = out;
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~/", *p)) {
			*q++ = (char)*p;
		} else {
			static const char hex[] = "0123456789ABCDEF";
			*q++ = '%';
			*q++ = hex[*p >> 4];
			*q++ = hex[*p & 15];
		}
	}
	*q = '\0';
	json_t *s = json_string(out);
	free(out);
	return s;
}

static int add_result(json_t *results, json_t *rules, json_t *seen, const char *id,
		      const char *level, const char *msg, const char *path)
{
	if (!json_object_get(seen, id)) {
		json_t *rule = json_object(), *sd = json_object();
		if (!rule || !sd || vg_json_put(sd, "text", json_string(id)) ||
		    vg_json_put(rule, "id", json_string(id)) ||
		    vg_json_put(rule, "shortDescription", sd) ||
		    json_array_append_new(rules, rule) ||
		    json_object_set_new(seen, id, json_true()))
			return -1;
	}
	json_t *r = json_object(), *m = json_object(), *locs = json_array(), *loc = json_object(),
	       *phys = json_object(), *art = json_object();
	if (!r || !m || !locs || !loc || !phys || !art || vg_json_put(m, "text", vg_json_text(msg)) ||
	    vg_json_put(art, "uri", uri(path)) || vg_json_put(phys, "artifactLocation", art) ||
	    vg_json_put(loc, "physicalLocation", phys) || json_array_append_new(locs, loc) ||
	    vg_json_put(r, "ruleId", json_string(id)) ||
	    vg_json_put(r, "level", json_string(sarif_level(level))) ||
	    vg_json_put(r, "message", m) || vg_json_put(r, "locations", locs) ||
	    json_array_append_new(results, r))
		return -1;
	return 0;
}

char *vigil_diff_sarif(const char *record_json)
{
	json_t *rec = json_loads(record_json, 0, NULL);
	const char *type = vg_jstr(rec, "type");
	if (!rec || !type || (strcmp(type, "diff") && strcmp(type, "verify"))) {
		json_decref(rec);
		return NULL;
	}
	json_t *log = json_object(), *runs = json_array(), *run = json_object(), *tool = json_object(),
	       *driver = json_object(), *rules = json_array(), *results = json_array(),
	       *seen = json_object();
	int bad = !log || !runs || !run || !tool || !driver || !rules || !results || !seen;
	size_t i, j;
	json_t *c, *s;
	json_array_foreach(json_object_get(rec, "components"), i, c) {
		const char *path = vg_jstr(c, "path");
		if (bad || !path)
			continue;
		json_array_foreach(json_object_get(c, "signals"), j, s) {
			const char *id = vg_jstr(s, "id"), *lv = vg_jstr(s, "level"),
				   *msg = vg_jstr(s, "message");
			if (id && lv && msg && add_result(results, rules, seen, id, lv, msg, path))
				bad = 1;
		}
		json_array_foreach(json_object_get(c, "models"), j, s) {
			if (!json_is_string(s))
				continue;
			char msg[600];
			snprintf(msg, sizeof msg, "'%s' matches the tamper model %s", path,
				 json_string_value(s));
			if (add_result(results, rules, seen, json_string_value(s), "critical", msg, path))
				bad = 1;
		}
	}
	char *out = NULL;
	if (!bad && !vg_json_put(driver, "name", json_string("vigil")) &&
	    !vg_json_put(driver, "version", json_string(VIGIL_VERSION)) &&
	    !vg_json_put(driver, "rules", rules) && !vg_json_put(tool, "driver", driver) &&
	    !vg_json_put(run, "tool", tool) && !vg_json_put(run, "results", results) &&
	    !json_array_append_new(runs, run) &&
	    !vg_json_put(log, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json")) &&
	    !vg_json_put(log, "version", json_string("2.1.0")) && !vg_json_put(log, "runs", runs)) {
		out = vg_json_dump(log);
		log = NULL;
	} else {
		/* what vg_json_put took is owned by its parent now; free what was not */
		json_decref(log);
		log = NULL;
	}
	json_decref(seen);
	json_decref(rec);
	return out;
}
