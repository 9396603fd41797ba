/*
 * MISP: attribute types to IOCs (shared with the CSV reader) and the event
 * JSON reader: {"Event": {...}}, {"response": [events]} or [events], each
 * event with "Attribute" and "Object"[]."Attribute" lists; an event is
 * {"Event": {...}} as MISP exports it or the event object itself as
 * PyMISP's MISPEvent.to_json() writes it. MISP objects do not nest
 * objects, so the walk has a fixed depth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intel/intel_internal.h"
#include "iocs/netmatch_internal.h"
#include "base/psl.h"
#include "base/util.h"

enum misp_kind { K_NONE, K_HASH, K_NET, K_NAME, K_NAME_HASH, K_NET_PORT, K_DOMAIN_IP };

static const struct {
	const char *type;
	enum misp_kind kind;
	vigil_ioc_type hash;
} misp_types[] = {
	{"md5", K_HASH, VIGIL_IOC_MD5},
	{"sha1", K_HASH, VIGIL_IOC_SHA1},
	{"sha256", K_HASH, VIGIL_IOC_SHA256},
	{"domain", K_NET, 0},
	{"hostname", K_NET, 0},
	{"ip-dst", K_NET, 0},
	{"ip-src", K_NET, 0},
	{"url", K_NET, 0},
	{"filename", K_NAME, 0},
	{"filename|md5", K_NAME_HASH, VIGIL_IOC_MD5},
	{"filename|sha1", K_NAME_HASH, VIGIL_IOC_SHA1},
	{"filename|sha256", K_NAME_HASH, VIGIL_IOC_SHA256},
	{"ip-dst|port", K_NET_PORT, 0},
	{"ip-src|port", K_NET_PORT, 0},
	{"hostname|port", K_NET_PORT, 0},
	{"domain|ip", K_DOMAIN_IP, 0},
};

static void count_unsupported(struct vg_misp *m, const char *type, int to_ids)
{
	for (size_t i = 0; i < m->nunsupported; i++)
		if (strcmp(m->unsupported[i].type, type) == 0) {
			m->unsupported[i].count++;
			m->unsupported[i].for_ids += to_ids != 0;
			return;
		}
	if (strlen(type) >= sizeof m->unsupported->type || m->nunsupported >= 64 ||
	    !vg_grow(&m->unsupported, &m->cap, m->nunsupported + 1,
		     sizeof *m->unsupported)) {
		m->other_types++;
		return;
	}
	struct vg_misp_type_count *u = &m->unsupported[m->nunsupported++];
	memcpy(u->type, type, strlen(type) + 1);
	u->count = 1;
	u->for_ids = to_ids != 0;
}

/* A host of a scheme-less URL: an IPv4 or IPv6 literal, or a name whose
 * last labels are a public suffix with a label before it. */
static int url_host(const char *h, size_t n)
{
	uint32_t a4;
	uint8_t a6[16];
	if (vg_parse_ipv4(h, n, &a4) || (n > 2 && h[0] == '[' && vg_parse_ipv6(h, n, a6)))
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];
		if (!(c == '.' || c == '-' || c == '_' || (c >= '0' && c <= '9') ||
		      ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			return 0;
	}
	return vg_psl_registrable(h, n);
}

/*
 * A url attribute without "scheme://" (MISP's UI takes "www.example.com/a"
 * as typed). With a path, query or fragment it is a URL of any scheme,
 * stored as written (host lower-cased) for the URL matcher to compare
 * with http and https; without one it is a host, loaded as a domain or an
 * address as before. "payload.exe", "files/x.exe": no host, skipped.
 */
static int url_attribute(struct vg_misp *m, const char *value, int score,
			 const char *comment, unsigned long line, const char *where)
{
	struct vg_intel *in = m->in;
	char *v = vg_strdup(value);
	if (!v)
		return -1;
	vigil_refang(v);
	if (strstr(v, "://")) {
		free(v);
		return vg_intel_add_network(in, value, score, comment, line) < 0 ? -1 : 0;
	}
	size_t he = strcspn(v, "/?#"), hn = he;
	if (v[0] == '[') {
		const char *rb = memchr(v, ']', he);
		hn = rb ? (size_t)(rb - v) + 1 : he;
	} else {
		const char *colon = memchr(v, ':', he);
		hn = colon ? (size_t)(colon - v) : he;
	}
	int port_ok = 1;
	for (size_t i = hn + 1; hn < he && i < he; i++)
		port_ok &= v[i] >= '0' && v[i] <= '9';
	int rc = 0;
	if (!url_host(v, hn) || !port_ok || (hn < he && hn + 1 == he)) {
		vg_intel_warn(in, line, "%s%s'url' value '%.80s' is not a URL: no host "
					"(a public suffix with a name before it), skipped",
			      where, *where ? ": " : "", value);
	} else if (v[he] == '\0') {
		rc = vg_intel_add_network(in, value, score, comment, line);
	} else {
		for (size_t i = 0; i < he; i++)
			v[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] - 'A' + 'a' : v[i]);
		rc = vg_intel_add_url_any_scheme(in, v, score, comment, line);
	}
	free(v);
	return rc < 0 ? -1 : 0;
}

int vg_misp_attribute(struct vg_misp *m, const char *type, const char *value,
		      int to_ids, const char *comment, unsigned long line,
		      const char *where)
{
	struct vg_intel *in = m->in;
	size_t t = 0, nt = sizeof misp_types / sizeof *misp_types;
	m->attributes++;
	while (t < nt && strcmp(misp_types[t].type, type) != 0)
		t++;
	if (t == nt) {
		count_unsupported(m, type, to_ids);
		return 0;
	}
	/* hunting values (to_ids false) are kept, with a notice-level score */
	int score = to_ids ? 100 : VG_MISP_HUNTING_SCORE;
	enum misp_kind kind = misp_types[t].kind;
	const char *bar = strchr(value, '|');
	if (kind < K_NAME_HASH)
		bar = NULL; /* a URL may hold '|' */
	if ((kind >= K_NAME_HASH && !bar) || !*value) {
		vg_intel_warn(in, line, "%s%s'%s' value '%.80s' malformed, skipped",
			      where, *where ? ": " : "", type, value);
		return 0;
	}
	if (kind == K_NET && strcmp(type, "url") == 0)
		return url_attribute(m, value, score, comment, line, where);
	int rc = 0;
	char *first = bar ? vg_strndup(value, (size_t)(bar - value)) : NULL;
	if (bar && !first)
		return -1;
	switch (kind) {
	case K_HASH:
		rc = vg_intel_add_hash(in, misp_types[t].hash, value, score, comment, line);
		break;
	case K_NET:
		rc = vg_intel_add_network(in, value, score, comment, line);
		break;
	case K_NAME:
		rc = vg_intel_add_filename(in, value, score, comment, line);
		break;
	case K_NAME_HASH: {
		/* The pair names a file by its hash; the name alone is often a
		 * legitimate one (ffmpeg.dll), so only the hash is loaded. */
		char *c = vg_asprintf("%s [file name %s]", comment, first);
		rc = c ? vg_intel_add_hash(in, misp_types[t].hash, bar + 1, score, c, line) : -1;
		free(c);
		break;
	}
	case K_NET_PORT:
		rc = vg_intel_add_network(in, first, score, comment, line);
		break;
	case K_DOMAIN_IP:
		rc = vg_intel_add_network(in, first, score, comment, line);
		if (rc >= 0)
			rc = vg_intel_add_network(in, bar + 1, score, comment, line);
		break;
	default:
		break;
	}
	free(first);
	return rc < 0 ? -1 : 0;
}

void vg_misp_finish(struct vg_misp *m)
{
	for (size_t i = 0; i < m->nunsupported; i++) {
		struct vg_misp_type_count *u = &m->unsupported[i];
		/* a type meant for detection (to_ids) that vigil cannot use is a
		 * lost detection: warn; context types (text, link...) are info */
		if (u->for_ids)
			vg_intel_warn(m->in, 0, "%lu attributes of type '%s' not "
						"supported, skipped (%lu marked to_ids)",
				      u->count, u->type, u->for_ids);
		else
			vg_intel_info(m->in, 0, "%lu attributes of type '%s' not "
						"supported, skipped",
				      u->count, u->type);
	}
	if (m->other_types)
		vg_intel_warn(m->in, 0, "%lu attributes of further unsupported "
					"types skipped",
			      m->other_types);
	free(m->unsupported);
	m->unsupported = NULL;
	m->nunsupported = m->cap = 0;
}

/* The event object itself, as PyMISP's MISPEvent.to_json() writes it: an
 * "info" string and the lists or members only an event has. */
static int bare_event(json_t *v)
{
	return json_is_string(json_object_get(v, "info")) &&
	       (json_is_array(json_object_get(v, "Attribute")) ||
		json_is_array(json_object_get(v, "Object")) ||
		json_object_get(v, "threat_level_id") || json_object_get(v, "analysis"));
}

/* "event" objects: {"Event": {...}} or the event itself. */
static json_t *event_of(json_t *v)
{
	json_t *e = json_object_get(v, "Event");
	if (json_is_object(e))
		return e;
	return bare_event(v) ? v : NULL;
}

int vg_intel_is_misp(json_t *root)
{
	if (event_of(root))
		return 1;
	json_t *list = json_is_array(root) ? root : json_object_get(root, "response");
	return json_is_array(list) &&
	       (json_array_size(list) == 0 || event_of(json_array_get(list, 0)));
}

/* to_ids is a boolean in MISP JSON; older exports write "1"/"0". */
static int to_ids_of(json_t *a)
{
	json_t *t = json_object_get(a, "to_ids");
	if (json_is_string(t))
		return strcmp(json_string_value(t), "1") == 0 ||
		       strcmp(json_string_value(t), "true") == 0;
	return t ? json_is_true(t) : 1;
}

static int attributes(struct vg_misp *m, json_t *list, const char *info,
		      size_t ev, size_t obj, int in_object)
{
	size_t n = json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		if (m->attributes >= VG_INTEL_MAX_ITEMS) {
			vg_intel_warn(m->in, 0, "more than %u attributes, the rest ignored",
				      VG_INTEL_MAX_ITEMS);
			return 1;
		}
		json_t *a = json_array_get(list, i);
		char where[96];
		if (in_object)
			snprintf(where, sizeof where, "event %zu object %zu attribute %zu",
				 ev, obj, i);
		else
			snprintf(where, sizeof where, "event %zu attribute %zu", ev, i);
		const char *type = json_string_value(json_object_get(a, "type"));
		const char *value = json_string_value(json_object_get(a, "value"));
		if (!type || !value) {
			m->attributes++;
			vg_intel_warn(m->in, 0, "%s: no string type and value, skipped", where);
			continue;
		}
		if (json_is_true(json_object_get(a, "deleted"))) {
			m->attributes++;
			m->deleted++;
			continue;
		}
		const char *uuid = json_string_value(json_object_get(a, "uuid"));
		const char *acomment = json_string_value(json_object_get(a, "comment"));
		char *comment = vg_asprintf("%s%s%s (MISP attribute %s)", info,
					    acomment && *acomment ? ": " : "",
					    acomment ? acomment : "", uuid ? uuid : where);
		m->in->where = where;
		int rc = comment ? vg_misp_attribute(m, type, value, to_ids_of(a),
						     comment, 0, where) : -1;
		m->in->where = NULL;
		free(comment);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int event(struct vg_misp *m, json_t *e, size_t ev)
{
	const char *info = json_string_value(json_object_get(e, "info"));
	const char *uuid = json_string_value(json_object_get(e, "uuid"));
	char *desc = vg_asprintf("%s [MISP event %s]", info ? info : "MISP event",
				 uuid ? uuid : "?");
	if (!desc)
		return -1;
	json_t *attrs = json_object_get(e, "Attribute");
	int rc = 0;
	if (attrs && !json_is_array(attrs))
		vg_intel_warn(m->in, 0, "event %zu: 'Attribute' is not a list, skipped", ev);
	else
		rc = attributes(m, attrs, desc, ev, 0, 0);
	json_t *objs = json_object_get(e, "Object");
	if (objs && !json_is_array(objs))
		vg_intel_warn(m->in, 0, "event %zu: 'Object' is not a list, skipped", ev);
	for (size_t i = 0; rc == 0 && i < json_array_size(objs); i++) {
		json_t *oa = json_object_get(json_array_get(objs, i), "Attribute");
		if (oa && !json_is_array(oa))
			vg_intel_warn(m->in, 0, "event %zu object %zu: 'Attribute' is "
						"not a list, skipped", ev, i);
		else
			rc = attributes(m, oa, desc, ev, i, 1);
	}
	free(desc);
	return rc;
}

int vg_intel_misp(struct vg_intel *in, json_t *root)
{
	struct vg_misp m = {.in = in};
	json_t *one = event_of(root);
	json_t *list = one ? NULL
			   : json_is_array(root) ? root : json_object_get(root, "response");
	size_t n = one ? 1 : json_array_size(list);
	for (size_t i = 0; i < n; i++) {
		json_t *e = one ? one : event_of(json_array_get(list, i));
		if (!e) {
			vg_intel_warn(in, 0, "event %zu: no 'Event' object nor an event "
					     "('info' and 'Attribute'), skipped", i);
			continue;
		}
		int rc = event(&m, e, i);
		if (rc < 0) {
			in->status = VIGIL_FATAL;
			break;
		}
		if (rc > 0)
			break;
	}
	vg_misp_finish(&m);
	vg_intel_info(in, 0, "MISP: %lu attributes, %zu IOCs; %lu deleted skipped",
		      m.attributes, in->added, m.deleted);
	return in->status;
}
