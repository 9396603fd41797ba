/*
 * The signals of a release diff (docs/detections.md, "Release diff"):
 * components matched by normalised path in the two indexes, renames by
 * equal digest, then per pair the signature, version, import, capability,
 * string, layout and toolchain comparisons; the tamper models of the
 * content table on top; the worst level is the verdict.
 */
#include <fuzzy.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "diff/diff_internal.h"
#include "report/json_write.h"

#define MAX_LISTED 50 /* values listed in a signal's detail */
#define HIGH_ENTROPY_MIN 4096

struct comp {
	const char *path;
	const json_t *o, *n; /* facts; NULL when absent on that side */
	const char *change;
	int similarity; /* renamed by ssdeep: its score (1..99); else 0 */
	json_t *signals;
	json_t *newcaps;
	vigil_dlevel level;
};

struct ctx {
	const vigil_release *o, *n;
	const vg_caps *caps;
	json_t *old_issuers, *old_signers; /* sets (objects) of the old release */
	int fatal;
};

static void signal(struct ctx *x, struct comp *c, const char *id, vigil_dlevel lv,
		   json_t *detail, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#include <stdarg.h>
static void signal(struct ctx *x, struct comp *c, const char *id, vigil_dlevel lv,
		   json_t *detail, const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *s = json_object();
	if (!s || !c->signals || vg_json_put(s, "id", json_string(id)) ||
	    vg_json_put(s, "level", json_string(vigil_dlevel_name(lv))) ||
	    vg_json_put(s, "message", vg_json_text(msg)) ||
	    vg_json_put(s, "detail", detail ? detail : json_object()) ||
	    json_array_append_new(c->signals, s)) {
		x->fatal = 1;
		return;
	}
	if (lv > c->level)
		c->level = lv;
}

static int has_signal(const struct comp *c, const char *id)
{
	size_t i;
	json_t *s;
	json_array_foreach(c->signals, i, s) {
		const char *v = vg_jstr(s, "id");
		if (v && !strcmp(v, id))
			return 1;
	}
	return 0;
}

static int in_array(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	}
	return 0;
}

/* The strings of n's array key that o's lacks (both sorted or not). */
static json_t *added_strings(const json_t *o, const json_t *n, const char *key, size_t *count)
{
	json_t *ao = json_object_get(o, key), *an = json_object_get(n, key), *out = json_array();
	json_t *set = json_object();
	size_t i;
	json_t *v;
	*count = 0;
	if (!out || !set) {
		json_decref(out);
		json_decref(set);
		return NULL;
	}
	json_array_foreach(ao, i, v) {
		if (json_is_string(v))
			json_object_set_new(set, json_string_value(v), json_true());
	}
	json_array_foreach(an, i, v) {
		if (!json_is_string(v) || json_object_get(set, json_string_value(v)))
			continue;
		if ((*count)++ < MAX_LISTED)
			json_array_append(out, v);
	}
	json_decref(set);
	return out;
}

static json_t *pair_detail(const char *k1, json_t *v1, const char *k2, json_t *v2)
{
	json_t *d = json_object();
	if (d) {
		json_object_set_new(d, k1, v1 ? v1 : json_null());
		json_object_set_new(d, k2, v2 ? v2 : json_null());
	} else {
		json_decref(v1);
		json_decref(v2);
	}
	return d;
}

static json_t *jstr_or_null(const char *s)
{
	return s ? vg_json_text(s) : json_null();
}

static const char *signer_of(const json_t *f)
{
	return vg_jstr(json_object_get(f, "signature"), "signer");
}

static int third_party(const vigil_release *r, const json_t *f)
{
	const char *s = signer_of(f);
	return s && *s && r->vendor && strcmp(s, r->vendor) != 0;
}

static int is_exe(const json_t *f)
{
	const char *fmt = vg_jstr(f, "format");
	return fmt && strcmp(fmt, "data") != 0;
}

/* ---- signature ---- */

static void sig_signals(struct ctx *x, struct comp *c)
{
	const json_t *so = json_object_get(c->o, "signature"), *sn = json_object_get(c->n, "signature");
	const char *p = c->path;
	if (so && !sn) {
		signal(x, c, "VGL-DIFF-UNSIGNED", VIGIL_DLEVEL_HIGH,
		       pair_detail("old_signer", jstr_or_null(vg_jstr(so, "signer")), "new_signer", NULL),
		       "'%s' was signed and is not signed any more", p);
		return;
	}
	if (!sn)
		return;
	const char *a = vg_jstr(so, "signer"), *b = vg_jstr(sn, "signer");
	const char *ia = so ? vg_jstr(so, "issuer") : NULL, *ib = vg_jstr(sn, "issuer");
	if (so && a && b && strcmp(a, b)) {
		signal(x, c, "VGL-DIFF-SIGNER-CHANGED", VIGIL_DLEVEL_HIGH,
		       pair_detail("old_signer", vg_json_text(a), "new_signer", vg_json_text(b)),
		       "'%s' is signed by another signer: '%s' (was '%s')", p, b, a);
	} else if (so && a && b && ia && ib && strcmp(ia, ib) &&
		   !json_object_get(x->old_issuers, ib)) {
		/* the same name, certified by a CA the old release never used:
		 * a certificate anyone can make for themselves */
		signal(x, c, "VGL-DIFF-SIGNER-CHANGED", VIGIL_DLEVEL_HIGH,
		       pair_detail("old_issuer", vg_json_text(ia), "new_issuer", vg_json_text(ib)),
		       "'%s' is signed in the same name '%s' but under another CA: '%s' (was '%s')",
		       p, b, ib, ia);
	}
	if (so && a && b && !strcmp(a, b)) {
		const char *ta = vg_jstr(so, "thumbprint"), *tb = vg_jstr(sn, "thumbprint");
		int64_t ca = vg_jint(so, "cert_table"), cb = vg_jint(sn, "cert_table");
		if (cb > ca && (!ta || !tb || !strcmp(ta, tb)))
			signal(x, c, "VGL-DIFF-CERT-TABLE-GREW", VIGIL_DLEVEL_HIGH,
			       pair_detail("old_size", json_integer(ca), "new_size", json_integer(cb)),
			       "the certificate table of '%s' grew from %lld to %lld bytes while its signer and certificate stayed the same: bytes outside the signed image",
			       p, (long long)ca, (long long)cb);
	}
	int64_t la = so ? vg_jint(so, "cert_slack") : 0, lb = vg_jint(sn, "cert_slack");
	if (lb > la)
		signal(x, c, "VGL-DIFF-CERT-SLACK", VIGIL_DLEVEL_HIGH,
		       pair_detail("old_slack", json_integer(la), "new_slack", json_integer(lb)),
		       "the certificate table of '%s' holds %lld bytes after its PKCS#7 signature (was %lld): data the signature does not cover",
		       p, (long long)lb, (long long)la);
	if (so && vg_jbool(so, "timestamp") && !vg_jbool(sn, "timestamp"))
		signal(x, c, "VGL-DIFF-TIMESTAMP-LOST", VIGIL_DLEVEL_MEDIUM, NULL,
		       "the signature of '%s' has no timestamp any more", p);
	if (so && vg_jint(so, "digest_match") == 1 && vg_jint(sn, "digest_match") == 0)
		signal(x, c, "VGL-DIFF-DIGEST-MISMATCH", VIGIL_DLEVEL_HIGH, NULL,
		       "the signature of '%s' no longer matches its bytes: changed after signing", p);
	const char *issuer = vg_jstr(sn, "issuer");
	int self = vg_jbool(sn, "self_signed") && !(so && vg_jbool(so, "self_signed"));
	int unknown = issuer && *issuer && !json_object_get(x->old_issuers, issuer);
	if (self || unknown)
		signal(x, c, "VGL-DIFF-UNTRUSTED-CA", VIGIL_DLEVEL_HIGH,
		       pair_detail("issuer", jstr_or_null(issuer), "self_signed",
				   json_boolean(vg_jbool(sn, "self_signed"))),
		       self ? "'%s' is signed with a self-signed certificate"
			    : "'%s' is signed under a CA the old release does not use", p);
}

/* ---- versions, imports, capabilities, strings ---- */

static int risky_host(const char *v)
{
	static const char *const hosts[] = {"raw.githubusercontent.com", "gist.githubusercontent.com",
					    "pastebin.com", "paste.ee", "hastebin.com", "ghostbin.com",
					    "rentry.co", "controlc.com", "paste.c-net.org",
					    "transfer.sh", "ngrok.io", "ngrok-free.app"};
	const char *h = strstr(v, "://");
	h = h ? h + 3 : v;
	size_t n = strcspn(h, "/:?#");
	int digits = 1;
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
			digits = 0;
	if (digits && n)
		return 1; /* a bare IPv4 address as the host */
	for (size_t i = 0; i < sizeof hosts / sizeof *hosts; i++) {
		size_t k = strlen(hosts[i]);
		if (n >= k && !strncmp(h + n - k, hosts[i], k) && (n == k || h[n - k - 1] == '.'))
			return 1;
	}
	return 0;
}

static void strings_signal(struct ctx *x, struct comp *c, const char *key, const char *id,
			   const char *what)
{
	size_t n;
	json_t *add = added_strings(c->o, c->n, key, &n);
	if (!add) {
		x->fatal = 1;
		return;
	}
	if (!n) {
		json_decref(add);
		return;
	}
	vigil_dlevel lv = !strcmp(key, "ips") ? VIGIL_DLEVEL_MEDIUM : VIGIL_DLEVEL_LOW;
	size_t i;
	json_t *v;
	const char *first = NULL;
	json_array_foreach(add, i, v) {
		if (!first)
			first = json_string_value(v);
		if (risky_host(json_string_value(v)))
			lv = VIGIL_DLEVEL_MEDIUM;
	}
	json_t *d = json_object();
	if (d) {
		json_object_set_new(d, "added", add);
		json_object_set_new(d, "count", json_integer((json_int_t)n));
	} else {
		json_decref(add);
	}
	signal(x, c, id, lv, d, "'%s' has %zu new %s, e.g. '%s'", c->path, n, what,
	       first ? first : "");
}

static void content_signals(struct ctx *x, struct comp *c)
{
	const char *p = c->path;
	const char *vo = vg_jstr(c->o, "version"), *vn = vg_jstr(c->n, "version");
	if (vo && vn && !strcmp(vo, vn)) {
		int third = third_party(x->o, c->o) || third_party(x->n, c->n);
		const char *who = signer_of(c->n) ? signer_of(c->n) : signer_of(c->o);
		signal(x, c, "VGL-DIFF-SAME-VERSION", third ? VIGIL_DLEVEL_HIGH : VIGIL_DLEVEL_MEDIUM,
		       pair_detail("version", vg_json_text(vn), "signer", jstr_or_null(who)),
		       third ? "'%s' kept its version '%s' but its bytes changed, and it is signed by a third party, not the release's vendor"
			     : "'%s' kept its version '%s' but its bytes changed", p, vn);
	}
	size_t n;
	json_t *add = added_strings(c->o, c->n, "imports", &n);
	if (!add) {
		x->fatal = 1;
		return;
	}
	if (n) {
		json_t *d = json_object();
		if (d) {
			json_object_set_new(d, "added", json_incref(add));
			json_object_set_new(d, "count", json_integer((json_int_t)n));
		}
		signal(x, c, "VGL-DIFF-NEW-IMPORTS", VIGIL_DLEVEL_LOW, d,
		       "'%s' imports %zu new functions or libraries, e.g. '%s'", p, n,
		       json_string_value(json_array_get(add, 0)));
	}
	json_decref(add);
	json_t *caps = added_strings(c->o, c->n, "capabilities", &n);
	if (!caps) {
		x->fatal = 1;
		return;
	}
	size_t i;
	json_t *v;
	json_array_foreach(caps, i, v) {
		const char *id = json_string_value(v);
		vigil_dlevel lv = vg_caps_level(x->caps, id);
		signal(x, c, "VGL-DIFF-NEW-CAPABILITY", lv,
		       pair_detail("capability", json_string(id), "level",
				   json_string(vigil_dlevel_name(lv))),
		       "'%s' gained the capability '%s'", p, id);
	}
	c->newcaps = caps;
	strings_signal(x, c, "urls", "VGL-DIFF-NEW-URL", "URLs");
	strings_signal(x, c, "domains", "VGL-DIFF-NEW-DOMAIN", "domains");
	strings_signal(x, c, "ips", "VGL-DIFF-NEW-IP", "IP addresses");
}

/* ---- YARA rules and IOCs ---- */

/* Were both releases matched with the same rules? */
int vg_rules_comparable(const vigil_release *o, const vigil_release *n)
{
	if (o->rules_obj && o->rules_obj == n->rules_obj)
		return 1;
	return o->rules_id && n->rules_id && *o->rules_id && !strcmp(o->rules_id, n->rules_id);
}

static void match_signals(struct ctx *x, struct comp *c)
{
	if (!c->n)
		return;
	const char *p = c->path;
	int comparable = vg_rules_comparable(x->o, x->n);
	if (x->n->rules_id && !(comparable && !strcmp(c->change, "unchanged"))) {
		size_t n;
		json_t *add = added_strings(comparable ? c->o : NULL, c->n, "yara", &n);
		if (!add) {
			x->fatal = 1;
			return;
		}
		if (n) {
			json_t *d = json_object();
			if (d) {
				json_object_set_new(d, "added", json_incref(add));
				json_object_set_new(d, "count", json_integer((json_int_t)n));
				json_object_set_new(d, "compared", json_boolean(comparable));
			}
			const char *r0 = json_string_value(json_array_get(add, 0));
			if (!comparable)
				signal(x, c, "VGL-DIFF-YARA-NEW", VIGIL_DLEVEL_HIGH, d,
				       "'%s' matches %zu YARA rules, e.g. '%s'; the old release was matched with other rules or none, so whether it matched them is not known",
				       p, n, r0);
			else if (!c->o)
				signal(x, c, "VGL-DIFF-YARA-NEW", VIGIL_DLEVEL_HIGH, d,
				       "'%s' is new and matches %zu YARA rules, e.g. '%s'", p, n, r0);
			else
				signal(x, c, "VGL-DIFF-YARA-NEW", VIGIL_DLEVEL_HIGH, d,
				       "'%s' matches %zu YARA rules its old version did not, e.g. '%s'",
				       p, n, r0);
		}
		json_decref(add);
	}
	json_t *hits = json_object_get(c->n, "ioc_hits");
	if (json_array_size(hits)) {
		vigil_dlevel lv = VIGIL_DLEVEL_HIGH;
		size_t i;
		json_t *v;
		json_t *list = json_array();
		json_array_foreach(hits, i, v) {
			const char *h = json_string_value(v);
			if (h && !strncmp(h, "hash:", 5))
				lv = VIGIL_DLEVEL_CRITICAL;
			if (list && h && i < MAX_LISTED)
				json_array_append(list, v);
		}
		const char *h0 = json_string_value(json_array_get(hits, 0));
		signal(x, c, "VGL-DIFF-IOC-HIT", lv,
		       pair_detail("hits", list, "count",
				   json_integer((json_int_t)json_array_size(hits))),
		       "'%s' matches %zu IOCs, e.g. '%s'", p, json_array_size(hits), h0 ? h0 : "");
	}
}

/* ---- layout ---- */

static int64_t grew(struct comp *c, const char *key, int64_t *a, int64_t *b)
{
	*a = vg_jint(c->o, key);
	*b = vg_jint(c->n, key);
	return *b - *a;
}

static const json_t *section_named(const json_t *f, const char *name)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(f, "sections"), i, s) {
		const char *v = vg_jstr(s, "name");
		if (v && !strcmp(v, name))
			return s;
	}
	return NULL;
}

static int is_wx(const json_t *s)
{
	const char *f = vg_jstr(s, "flags");
	return f && strlen(f) == 3 && f[1] == 'w' && f[2] == 'x';
}

static void layout_signals(struct ctx *x, struct comp *c)
{
	const char *p = c->path;
	int64_t a, b;
	if (grew(c, "high_entropy", &a, &b) >= HIGH_ENTROPY_MIN)
		signal(x, c, "VGL-DIFF-HIGH-ENTROPY", VIGIL_DLEVEL_MEDIUM,
		       pair_detail("old_bytes", json_integer(a), "new_bytes", json_integer(b)),
		       "'%s' has %lld more bytes in 4 KiB blocks of at least 7.2 bits per byte (encrypted or compressed data)",
		       p, (long long)(b - a));
	if (grew(c, "overlay", &a, &b) > 0)
		signal(x, c, "VGL-DIFF-OVERLAY-GREW", VIGIL_DLEVEL_MEDIUM,
		       pair_detail("old_size", json_integer(a), "new_size", json_integer(b)),
		       "the overlay of '%s' (bytes after its image) grew from %lld to %lld bytes",
		       p, (long long)a, (long long)b);
	if (grew(c, "tls_callbacks", &a, &b) > 0)
		signal(x, c, "VGL-DIFF-NEW-TLS-CALLBACK", VIGIL_DLEVEL_MEDIUM,
		       pair_detail("old_count", json_integer(a), "new_count", json_integer(b)),
		       "'%s' has %lld TLS callbacks (was %lld): code that runs before the entry point",
		       p, (long long)b, (long long)a);
	if (grew(c, "ifunc", &a, &b) > 0)
		signal(x, c, "VGL-DIFF-NEW-IFUNC", VIGIL_DLEVEL_MEDIUM,
		       pair_detail("old_count", json_integer(a), "new_count", json_integer(b)),
		       "'%s' has %lld IFUNC resolvers or IRELATIVE relocations (was %lld): code the loader runs",
		       p, (long long)b, (long long)a);
	if (grew(c, "init_array", &a, &b) > 0)
		signal(x, c, "VGL-DIFF-INIT-ARRAY-GREW", VIGIL_DLEVEL_LOW,
		       pair_detail("old_size", json_integer(a), "new_size", json_integer(b)),
		       "the init_array of '%s' grew from %lld to %lld bytes", p, (long long)a,
		       (long long)b);
	const char *ea = vg_jstr(c->o, "entry_section"), *eb = vg_jstr(c->n, "entry_section");
	if (ea && eb && strcmp(ea, eb))
		signal(x, c, "VGL-DIFF-ENTRY-MOVED", VIGIL_DLEVEL_MEDIUM,
		       pair_detail("old_section", vg_json_text(ea), "new_section", vg_json_text(eb)),
		       "the entry point of '%s' moved from section '%s' to '%s'", p, ea, eb);
	const char *ra = vg_jstr(c->o, "rpath"), *rb = vg_jstr(c->n, "rpath");
	if ((ra || rb) && (!ra || !rb || strcmp(ra, rb)))
		signal(x, c, "VGL-DIFF-RPATH-CHANGED", VIGIL_DLEVEL_MEDIUM,
		       pair_detail("old_rpath", jstr_or_null(ra), "new_rpath", jstr_or_null(rb)),
		       "the library search path of '%s' changed to '%s'", p, rb ? rb : "(none)");
	json_t *news = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(c->n, "sections"), i, s) {
		const char *name = vg_jstr(s, "name");
		if (!name)
			continue;
		const json_t *old = section_named(c->o, name);
		if (!old && news && json_array_size(news) < MAX_LISTED)
			json_array_append_new(news, vg_json_text(name));
		if (is_wx(s) && !(old && is_wx(old)))
			signal(x, c, "VGL-DIFF-WX-SECTION", VIGIL_DLEVEL_HIGH,
			       pair_detail("section", vg_json_text(name), "flags",
					   jstr_or_null(vg_jstr(s, "flags"))),
			       "'%s' has a section both writable and executable: '%s'", p, name);
	}
	if (news && json_array_size(news))
		signal(x, c, "VGL-DIFF-NEW-SECTION", VIGIL_DLEVEL_LOW,
		       pair_detail("added", json_incref(news), "count",
				   json_integer((json_int_t)json_array_size(news))),
		       "'%s' has new sections, e.g. '%s'", p,
		       json_string_value(json_array_get(news, 0)));
	json_decref(news);
}

static void modified(struct ctx *x, struct comp *c)
{
	signal(x, c, "VGL-DIFF-MODIFIED", VIGIL_DLEVEL_INFO,
	       pair_detail("old_sha256", jstr_or_null(vg_jstr(c->o, "sha256")), "new_sha256",
			   jstr_or_null(vg_jstr(c->n, "sha256"))),
	       "'%s' changed (%lld to %lld bytes)", c->path, (long long)vg_jint(c->o, "size"),
	       (long long)vg_jint(c->n, "size"));
	sig_signals(x, c);
	content_signals(x, c);
	layout_signals(x, c);
}

/* A toolchain fingerprint that changed in a few components while the
 * other executables present in both releases kept theirs. */
static void toolchain_signals(struct ctx *x, struct comp *cs, size_t n)
{
	size_t both = 0, changed = 0;
	for (size_t i = 0; i < n; i++) {
		if (!cs[i].o || !cs[i].n || !is_exe(cs[i].n))
			continue;
		both++;
		const char *a = vg_jstr(cs[i].o, "toolchain"), *b = vg_jstr(cs[i].n, "toolchain");
		if (strcmp(a ? a : "", b ? b : ""))
			changed++;
	}
	if (!changed || changed > both - changed)
		return;
	for (size_t i = 0; i < n; i++) {
		struct comp *c = &cs[i];
		if (!c->o || !c->n || !is_exe(c->n))
			continue;
		const char *a = vg_jstr(c->o, "toolchain"), *b = vg_jstr(c->n, "toolchain");
		if (!strcmp(a ? a : "", b ? b : ""))
			continue;
		signal(x, c, "VGL-DIFF-TOOLCHAIN-CHANGED", VIGIL_DLEVEL_MEDIUM,
		       pair_detail("old_toolchain", jstr_or_null(a), "new_toolchain", jstr_or_null(b)),
		       "the build fingerprint of '%s' changed ('%s' to '%s') while %zu other components kept theirs",
		       c->path, a ? a : "", b ? b : "", both - changed);
	}
}

/* ---- models ---- */

static json_t *models(struct ctx *x, struct comp *c)
{
	json_t *out = json_array();
	for (size_t i = 0; out && i < x->caps->nmodels; i++) {
		const vg_capline *m = &x->caps->models[i];
		int ok = 1;
		for (size_t t = 0; ok && t < m->nterms; t++) {
			const vg_term *term = &m->terms[t];
			ok = term->kind == VG_TERM_SIGNAL ? has_signal(c, term->pat)
			     : term->kind == VG_TERM_NEWCAP ? in_array(c->newcaps, term->pat)
			     : term->kind == VG_TERM_CAP ? in_array(json_object_get(c->n, "capabilities"), term->pat)
			     : term->kind == VG_TERM_THIRD ? (third_party(x->o, c->o) || third_party(x->n, c->n))
			     : 0;
		}
		if (!ok || in_array(out, m->id))
			continue;
		json_array_append_new(out, json_string(m->id));
		if (m->level > c->level)
			c->level = m->level;
	}
	return out;
}

static int cmp_comp_path(const void *a, const void *b)
{
	return strcmp(((const struct comp *)a)->path, ((const struct comp *)b)->path);
}

static json_t *signer_set(const vigil_release *r, const char *key)
{
	json_t *set = json_object();
	const char *k;
	json_t *f;
	json_object_foreach(r->index, k, f) {
		const char *v = vg_jstr(json_object_get(f, "signature"), key);
		if (set && v && *v)
			json_object_set_new(set, v, json_true());
	}
	return set;
}

/*
 * Renames by similar content: an added executable and a removed one of
 * the same format whose ssdeep hashes compare at RENAME_MIN or more; the
 * best-scoring pairs first (ties: paths in order), each side used once.
 * At most RENAME_MAX_PAIRS comparisons. 0, or -1 out of memory.
 */
#define RENAME_MIN 50
#define RENAME_MAX_PAIRS 250000u

struct pairing {
	int score;
	size_t add;         /* index in cs */
	const char *old;    /* path in o */
};

static int cmp_pairing(const void *a, const void *b)
{
	const struct pairing *x = a, *y = b;
	if (x->score != y->score)
		return y->score - x->score;
	int d = strcmp(x->old, y->old);
	return d ? d : (x->add > y->add) - (x->add < y->add);
}

static int similar_renames(const vigil_release *o, const vigil_release *n, struct comp *cs,
			   size_t nc, json_t *renamed_from)
{
	size_t cap = 0, np = 0, tried = 0;
	struct pairing *ps = NULL;
	const char *key;
	json_t *f;
	size_t idx;
	json_array_foreach(json_object_get(o->snapshot, "components"), idx, f) {
		const char *ho = vg_jstr(f, "ssdeep"), *fo = vg_jstr(f, "format");
		if (!(key = vg_jstr(f, "path")))
			continue;
		if (!ho || !fo || json_object_get(n->index, key) || json_object_get(renamed_from, key))
			continue;
		for (size_t i = 0; i < nc && tried < RENAME_MAX_PAIRS; i++) {
			if (strcmp(cs[i].change, "added"))
				continue;
			const char *hn = vg_jstr(cs[i].n, "ssdeep"), *fn = vg_jstr(cs[i].n, "format");
			if (!hn || !fn || strcmp(fo, fn))
				continue;
			tried++;
			int sc = fuzzy_compare(ho, hn);
			if (sc < RENAME_MIN)
				continue;
			if (!vg_grow(&ps, &cap, np + 1, sizeof *ps)) {
				free(ps);
				return -1;
			}
			ps[np++] = (struct pairing){sc, i, key};
		}
	}
	if (np)
		qsort(ps, np, sizeof *ps, cmp_pairing);
	for (size_t k = 0; k < np; k++) {
		struct comp *c = &cs[ps[k].add];
		if (strcmp(c->change, "added") || json_object_get(renamed_from, ps[k].old))
			continue;
		c->o = json_object_get(o->index, ps[k].old);
		c->change = "renamed";
		c->similarity = ps[k].score > 99 ? 99 : ps[k].score;
		if (json_object_set_new(renamed_from, ps[k].old, json_string(c->path))) {
			free(ps);
			return -1;
		}
	}
	free(ps);
	return 0;
}

json_t *vg_diff_records(const vigil_release *o, const vigil_release *n, const vg_caps *caps,
			int all, size_t *unchanged)
{
	struct ctx x = {o, n, caps, signer_set(o, "issuer"), signer_set(o, "signer"), 0};
	size_t cap = json_object_size(o->index) + json_object_size(n->index), nc = 0;
	struct comp *cs = calloc(cap ? cap : 1, sizeof *cs);
	json_t *recs = json_array();
	json_t *renamed_from = json_object(); /* old paths taken by a rename */
	if (!cs || !recs || !renamed_from || !x.old_issuers || !x.old_signers)
		goto oom;
	const char *key;
	json_t *f;
	/* removed components by digest, for renames */
	json_t *gone = json_object();
	if (!gone)
		goto oom;
	/* in path order (the snapshot record's), so that which of two equal
	 * candidates is the rename never depends on how a release was read */
	size_t idx;
	json_array_foreach(json_object_get(o->snapshot, "components"), idx, f) {
		const char *h = vg_jstr(f, "sha256");
		key = vg_jstr(f, "path");
		if (h && key && !json_object_get(n->index, key) && !json_object_get(gone, h))
			json_object_set_new(gone, h, json_string(key));
	}
	json_array_foreach(json_object_get(n->snapshot, "components"), idx, f) {
		if (!(key = vg_jstr(f, "path")) || nc >= cap)
			continue;
		struct comp *c = &cs[nc++];
		c->path = key;
		c->n = f;
		c->o = json_object_get(o->index, key);
		const char *h = vg_jstr(f, "sha256");
		const char *from = !c->o && h ? vg_jstr(gone, h) : NULL;
		if (from && !json_object_get(renamed_from, from)) {
			c->o = json_object_get(o->index, from);
			c->change = "renamed";
			json_object_set_new(renamed_from, from, json_string(key));
		} else {
			const char *so = vg_jstr(c->o, "summary_digest"), *sn = vg_jstr(f, "summary_digest");
			c->change = !c->o ? "added" : !strcmp(vg_jstr(c->o, "sha256") ? vg_jstr(c->o, "sha256") : "",
							     h ? h : "-") ? "unchanged"
				    : so && sn && !strcmp(so, sn) ? "unchanged" : "modified";
		}
	}
	json_decref(gone);
	if (similar_renames(o, n, cs, nc, renamed_from) != 0)
		goto oom;
	json_object_foreach(o->index, key, f) {
		if (json_object_get(n->index, key) || json_object_get(renamed_from, key))
			continue;
		struct comp *c = &cs[nc++];
		c->path = key;
		c->o = f;
		c->change = "removed";
	}
	qsort(cs, nc, sizeof *cs, cmp_comp_path);
	for (size_t i = 0; i < nc && !x.fatal; i++) {
		struct comp *c = &cs[i];
		if (!(c->signals = json_array()))
			goto oom;
		if (!strcmp(c->change, "modified")) {
			modified(&x, c);
		} else if (!strcmp(c->change, "added")) {
			int low = is_exe(c->n) && !json_object_get(c->n, "signature");
			signal(&x, c, "VGL-DIFF-ADDED", low ? VIGIL_DLEVEL_LOW : VIGIL_DLEVEL_INFO,
			       pair_detail("sha256", jstr_or_null(vg_jstr(c->n, "sha256")), "signer",
					   jstr_or_null(signer_of(c->n))),
			       low ? "'%s' is new, an unsigned executable" : "'%s' is new", c->path);
			const json_t *sn = json_object_get(c->n, "signature");
			if (vg_jbool(sn, "self_signed"))
				signal(&x, c, "VGL-DIFF-UNTRUSTED-CA", VIGIL_DLEVEL_HIGH,
				       pair_detail("issuer", jstr_or_null(vg_jstr(sn, "issuer")),
						   "self_signed", json_true()),
				       "'%s' is new and signed with a self-signed certificate", c->path);
		} else if (!strcmp(c->change, "removed")) {
			signal(&x, c, "VGL-DIFF-REMOVED", VIGIL_DLEVEL_INFO,
			       pair_detail("sha256", jstr_or_null(vg_jstr(c->o, "sha256")), "signer",
					   jstr_or_null(signer_of(c->o))),
			       "'%s' is gone", c->path);
		} else if (!strcmp(c->change, "renamed") && !c->similarity) {
			json_t *d = pair_detail("old_path", jstr_or_null(vg_jstr(c->o, "path")), "sha256",
						jstr_or_null(vg_jstr(c->n, "sha256")));
			if (d)
				json_object_set_new(d, "similarity", json_integer(100));
			signal(&x, c, "VGL-DIFF-RENAMED", VIGIL_DLEVEL_INFO, d,
			       "'%s' is '%s' renamed, same bytes", c->path, vg_jstr(c->o, "path"));
		} else if (!strcmp(c->change, "renamed")) {
			json_t *d = pair_detail("old_path", jstr_or_null(vg_jstr(c->o, "path")), "sha256",
						jstr_or_null(vg_jstr(c->n, "sha256")));
			if (d)
				json_object_set_new(d, "similarity", json_integer(c->similarity));
			signal(&x, c, "VGL-DIFF-RENAMED", VIGIL_DLEVEL_INFO, d,
			       "'%s' is '%s' renamed, similar bytes (ssdeep score %d of 100)", c->path,
			       vg_jstr(c->o, "path"), c->similarity);
			/* what changed in its bytes, as for a modified component */
			modified(&x, c);
		}
	}
	for (size_t i = 0; i < nc && !x.fatal; i++)
		match_signals(&x, &cs[i]);
	if (!x.fatal)
		toolchain_signals(&x, cs, nc);
	for (size_t i = 0; i < nc && !x.fatal; i++) {
		struct comp *c = &cs[i];
		json_t *m = models(&x, c);
		if (!m)
			goto oom;
		if (!all && !strcmp(c->change, "unchanged") && !json_array_size(c->signals)) {
			json_decref(m);
			continue;
		}
		json_t *r = json_object();
		if (!r || vg_json_put(r, "path", vg_json_text(c->path)) ||
		    vg_json_put(r, "change", json_string(c->change)) ||
		    vg_json_put(r, "level", json_string(vigil_dlevel_name(c->level))) ||
		    vg_json_put(r, "signals", json_incref(c->signals)) ||
		    vg_json_put(r, "models", m) || json_array_append_new(recs, r))
			goto oom;
	}
	if (x.fatal)
		goto oom;
	json_decref(renamed_from);
	json_decref(x.old_issuers);
	json_decref(x.old_signers);
	*unchanged = 0;
	for (size_t i = 0; i < nc; i++)
		*unchanged += !strcmp(cs[i].change, "unchanged");
	for (size_t i = 0; i < nc; i++) {
		json_decref(cs[i].signals);
		json_decref(cs[i].newcaps);
	}
	free(cs);
	return recs;
oom:
	for (size_t i = 0; cs && i < nc; i++) {
		json_decref(cs[i].signals);
		json_decref(cs[i].newcaps);
	}
	free(cs);
	json_decref(recs);
	json_decref(renamed_from);
	json_decref(x.old_issuers);
	json_decref(x.old_signers);
	return NULL;
}

static int rec_level(const json_t *r)
{
	int l = vigil_dlevel_parse(vg_jstr(r, "level"));
	return l < 0 ? 0 : l;
}

static int cmp_rec(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int d = rec_level(y) - rec_level(x);
	return d ? d : strcmp(vg_jstr(x, "path"), vg_jstr(y, "path"));
}

json_t *vg_diff_finish(json_t *recs, const vigil_release *o, const vigil_release *n,
		       const char *type, size_t unchanged, vigil_dlevel *verdict)
{
	size_t k = json_array_size(recs);
	json_t **arr = malloc((k ? k : 1) * sizeof *arr);
	json_t *sorted = json_array(), *sum = json_object(), *levels = json_object();
	if (!arr || !sorted || !sum || !levels) {
		free(arr);
		json_decref(sorted);
		json_decref(sum);
		json_decref(levels);
		json_decref(recs);
		return NULL;
	}
	for (size_t i = 0; i < k; i++)
		arr[i] = json_array_get(recs, i);
	qsort(arr, k, sizeof *arr, cmp_rec);
	vigil_dlevel worst = VIGIL_DLEVEL_NONE;
	static const char *const changes[] = {"added", "removed", "modified", "renamed", "unchanged",
					      "present"};
	int64_t counts[6] = {0}, bylevel[VIGIL_DLEVEL_CRITICAL + 1] = {0};
	for (size_t i = 0; i < k; i++) {
		json_array_append(sorted, arr[i]);
		int l = rec_level(arr[i]);
		if (l > (int)worst)
			worst = (vigil_dlevel)l;
		bylevel[l]++;
		const char *ch = vg_jstr(arr[i], "change");
		for (int j = 0; ch && j < 6; j++)
			if (!strcmp(ch, changes[j]))
				counts[j]++;
	}
	free(arr);
	json_decref(recs);
	counts[4] = (int64_t)unchanged; /* listed or not */
	if (o)
		json_object_set_new(sum, "old_components", json_integer((json_int_t)json_object_size(o->index)));
	json_object_set_new(sum, "new_components", json_integer((json_int_t)json_object_size(n->index)));
	for (int j = 0; j < 6; j++)
		if (j < 5 ? o != NULL : o == NULL)
			json_object_set_new(sum, changes[j], json_integer(counts[j]));
	for (int l = VIGIL_DLEVEL_CRITICAL; l >= VIGIL_DLEVEL_INFO; l--)
		json_object_set_new(levels, vigil_dlevel_name((vigil_dlevel)l), json_integer(bylevel[l]));
	json_object_set_new(sum, "levels", levels);
	json_t *rec = vg_json_record(type);
	if (!rec) {
		json_decref(sorted);
		json_decref(sum);
		return NULL;
	}
	if (o)
		json_object_set_new(rec, "old", vg_json_text(o->name));
	json_object_set_new(rec, "new", vg_json_text(n->name));
	if (o && (o->rules_id || n->rules_id || o->iocs_id || n->iocs_id)) {
		/* what each side was matched with, and whether their YARA
		 * matches could be compared */
		json_t *ct = json_object();
		if (ct) {
			json_object_set_new(ct, "old_rules", jstr_or_null(o->rules_id));
			json_object_set_new(ct, "new_rules", jstr_or_null(n->rules_id));
			json_object_set_new(ct, "old_iocs", jstr_or_null(o->iocs_id));
			json_object_set_new(ct, "new_iocs", jstr_or_null(n->iocs_id));
			json_object_set_new(ct, "rules_compared",
					    json_boolean(n->rules_id && vg_rules_comparable(o, n)));
			json_object_set_new(rec, "content", ct);
		}
	}
	json_object_set_new(rec, "verdict", json_string(vigil_dlevel_name(worst)));
	json_object_set_new(rec, "components", sorted);
	json_object_set_new(rec, "summary", sum);
	*verdict = worst;
	return rec;
}

int vigil_diff_json(const vigil_release *o, const vigil_release *n,
		    const vigil_diff_options *opt, char **json, vigil_dlevel *verdict)
{
	*json = NULL;
	*verdict = VIGIL_DLEVEL_NONE;
	vg_caps caps;
	if (vg_caps_load(&caps, opt ? opt->capabilities_dir : NULL, NULL, NULL) != 0)
		return VIGIL_FATAL;
	size_t unchanged = 0;
	json_t *recs = vg_diff_records(o, n, &caps, opt && opt->all, &unchanged);
	vg_caps_free(&caps);
	json_t *rec = recs ? vg_diff_finish(recs, o, n, "diff", unchanged, verdict) : NULL;
	if (!rec)
		return VIGIL_FATAL;
	*json = vg_json_dump(rec);
	return *json ? VIGIL_OK : VIGIL_FATAL;
}
