/*
 * The release policy (include/vigil/policy.h): a JSON file read with
 * jansson, checked member by member against the schema of docs/cli.md.
 * Unknown keys and values of the wrong type are errors that name the
 * file, line and column (policy_locate.c finds them in the text) and the
 * key; the handle keeps jansson's tree and hands out pointers into it.
 */
#include <vigil/policy.h>

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/util.h"
#include "policy/policy_locate.h"

#define POLICY_MAX_DEFAULT (4u << 20)
#define POLICY_DEPTH 4

typedef struct waiver {
	const char *path, *signal, *reason;
	const char *expires; /* YYYY-MM-DD */
} waiver;

struct vigil_policy {
	json_t *root; /* owns every string below */
	const char *fail_on;
	vigil_policy_signer *signers;
	size_t nsigners;
	const char **must;
	size_t nmust;
	vigil_policy_pin *pins;
	size_t npins;
	const char **allow, **forbid;
	size_t nallow, nforbid;
	waiver *waivers;
	size_t nwaivers;
	char *lower; /* lower-cased hex digests, one block */
};

/* The state of one load: where we are in the document, for messages. */
typedef struct loader {
	const char *name, *text;
	size_t len;
	vigil_diag_fn diag;
	void *ctx;
	vg_json_step path[POLICY_DEPTH];
	size_t depth;
	int failed;
	int key_named; /* the last step is named by the message itself */
} loader;

static void push_key(loader *l, const char *key)
{
	if (l->depth < POLICY_DEPTH)
		l->path[l->depth] = (vg_json_step){key, 0};
	l->depth++;
}

static void push_index(loader *l, size_t i)
{
	if (l->depth < POLICY_DEPTH)
		l->path[l->depth] = (vg_json_step){NULL, i};
	l->depth++;
}

static void pop(loader *l)
{
	l->depth--;
}

/* "signers[1].subject": the member being read, for messages. */
static void where(const loader *l, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	size_t depth = l->depth - (l->key_named && l->depth);
	for (size_t d = 0; d < depth && d < POLICY_DEPTH && n < cap; d++) {
		int w = l->path[d].key
				? snprintf(out + n, cap - n, "%s%s", d ? "." : "", l->path[d].key)
				: snprintf(out + n, cap - n, "[%zu]", l->path[d].index);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static void fail(loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(loader *l, const char *fmt, ...)
{
	char msg[512], at[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	unsigned long line, col;
	size_t depth = l->depth < POLICY_DEPTH ? l->depth : POLICY_DEPTH;
	vg_json_locate(l->text, l->len, l->path, depth, &line, &col);
	where(l, at, sizeof at);
	vg_diag(l->diag, l->ctx, VIGIL_DIAG_ERROR, l->name, line, "column %lu: %s%s%s", col,
		at[0] ? at : "", at[0] ? ": " : "", msg);
	l->failed = 1;
}

static const char *const levels[] = {"info", "low", "medium", "high", "critical"};

static int is_date(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	/* digits checked above */
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

static void utc_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
		memcpy(out, "1970-01-01", 11);
}

static int is_sha256(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f') ||
		      (*c >= 'A' && *c <= 'F')))
			return 0;
	return 1;
}

/* The object o may hold only the keys listed (NULL-terminated). */
static void known_keys(loader *l, json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		size_t i = 0;
		while (keys[i] && strcmp(keys[i], k) != 0)
			i++;
		if (keys[i])
			continue;
		char list[256] = "";
		size_t n = 0;
		for (i = 0; keys[i] && n < sizeof list; i++) {
			int w = snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", keys[i]);
			if (w < 0)
				break;
			n += (size_t)w;
		}
		push_key(l, k);
		l->key_named = 1;
		fail(l, "unknown key '%s' (known: %s)", k, list);
		l->key_named = 0;
		pop(l);
	}
}

/* o[key] as a non-empty string: NULL when absent (an error if required)
 * or wrong. */
static const char *get_string(loader *l, json_t *o, const char *key, int required)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		if (required)
			fail(l, "missing key '%s'", key);
		return NULL;
	}
	push_key(l, key);
	const char *s = NULL;
	if (!json_is_string(v))
		fail(l, "'%s' must be a string", key);
	else if (json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v))
		fail(l, "'%s' must be a non-empty string without NUL", key);
	else
		s = json_string_value(v);
	pop(l);
	return s;
}

/* o[key] as an array (NULL when absent or wrong); *n its size. */
static json_t *get_array(loader *l, json_t *o, const char *key, size_t *n)
{
	*n = 0;
	json_t *v = json_object_get(o, key);
	if (!v)
		return NULL;
	if (!json_is_array(v)) {
		push_key(l, key);
		fail(l, "'%s' must be an array", key);
		pop(l);
		return NULL;
	}
	*n = json_array_size(v);
	return v;
}

static void *alloc_n(loader *l, size_t n, size_t elem)
{
	void *p = calloc(n ? n : 1, elem);
	if (!p) {
		vg_diag(l->diag, l->ctx, VIGIL_DIAG_ERROR, l->name, 0, "out of memory");
		l->failed = 1;
	}
	return p;
}

/* The lower-cased copy of a hex digest, kept in p->lower (one slot of 65
 * bytes per digest, slot *used). */
static const char *lower_hex(vigil_policy *p, size_t *used, const char *s)
{
	char *out = p->lower + 65 * (*used)++;
	for (size_t i = 0; i < 64; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[64] = '\0';
	return out;
}

static void read_fail_on(loader *l, vigil_policy *p, json_t *root)
{
	p->fail_on = "high";
	const char *s = get_string(l, root, "fail_on", 0);
	if (!s)
		return;
	for (size_t i = 0; i < sizeof levels / sizeof *levels; i++)
		if (strcmp(s, levels[i]) == 0) {
			p->fail_on = levels[i];
			return;
		}
	push_key(l, "fail_on");
	fail(l, "unknown level '%s' (info, low, medium, high or critical)", s);
	pop(l);
}

static void read_signers(loader *l, vigil_policy *p, json_t *root, size_t *hexused)
{
	static const char *const keys[] = {"path", "subject", "issuer", "thumbprint", NULL};
	size_t n;
	json_t *a = get_array(l, root, "signers", &n);
	if (!a || !(p->signers = alloc_n(l, n, sizeof *p->signers)))
		return;
	push_key(l, "signers");
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		push_index(l, i);
		if (!json_is_object(o)) {
			fail(l, "a signer must be an object");
		} else {
			known_keys(l, o, keys);
			vigil_policy_signer s = {get_string(l, o, "path", 1),
						 get_string(l, o, "subject", 0),
						 get_string(l, o, "issuer", 0),
						 get_string(l, o, "thumbprint", 0)};
			if (s.thumbprint && !is_sha256(s.thumbprint)) {
				push_key(l, "thumbprint");
				fail(l, "'thumbprint' must be a SHA-256 in hex (64 digits)");
				pop(l);
				s.thumbprint = NULL;
			} else if (s.thumbprint) {
				s.thumbprint = lower_hex(p, hexused, s.thumbprint);
			}
			if (s.path && !s.subject && !s.issuer && !s.thumbprint && !l->failed)
				fail(l, "a signer needs 'subject', 'issuer' or 'thumbprint'");
			p->signers[p->nsigners++] = s;
		}
		pop(l);
	}
	pop(l);
}

/* An array of non-empty strings at root[key] (or o[key]). */
static const char **read_strings(loader *l, json_t *o, const char *key, size_t *count)
{
	size_t n;
	json_t *a = get_array(l, o, key, &n);
	*count = 0;
	const char **out;
	if (!a || !(out = alloc_n(l, n, sizeof *out)))
		return NULL;
	push_key(l, key);
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);
		push_index(l, i);
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    strlen(json_string_value(v)) != json_string_length(v))
			fail(l, "each entry of '%s' must be a non-empty string", key);
		else
			out[(*count)++] = json_string_value(v);
		pop(l);
	}
	pop(l);
	return out;
}

static void read_pins(loader *l, vigil_policy *p, json_t *root, size_t *hexused)
{
	static const char *const keys[] = {"path", "version", "sha256", NULL};
	size_t n;
	json_t *a = get_array(l, root, "pinned", &n);
	if (!a || !(p->pins = alloc_n(l, n, sizeof *p->pins)))
		return;
	push_key(l, "pinned");
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		push_index(l, i);
		if (!json_is_object(o)) {
			fail(l, "a pin must be an object");
		} else {
			known_keys(l, o, keys);
			vigil_policy_pin pin = {get_string(l, o, "path", 1),
						get_string(l, o, "version", 0),
						get_string(l, o, "sha256", 1)};
			if (pin.sha256 && !is_sha256(pin.sha256)) {
				push_key(l, "sha256");
				fail(l, "'sha256' must be a SHA-256 in hex (64 digits)");
				pop(l);
			} else if (pin.sha256 && pin.path) {
				pin.sha256 = lower_hex(p, hexused, pin.sha256);
				p->pins[p->npins++] = pin;
			}
		}
		pop(l);
	}
	pop(l);
}

static int listed(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static void read_capabilities(loader *l, vigil_policy *p, json_t *root)
{
	static const char *const keys[] = {"allow", "forbid", NULL};
	json_t *o = json_object_get(root, "capabilities");
	if (!o)
		return;
	push_key(l, "capabilities");
	if (!json_is_object(o)) {
		fail(l, "'capabilities' must be an object");
	} else {
		known_keys(l, o, keys);
		p->allow = read_strings(l, o, "allow", &p->nallow);
		p->forbid = read_strings(l, o, "forbid", &p->nforbid);
		for (size_t i = 0; i < p->nforbid; i++)
			if (listed(p->allow, p->nallow, p->forbid[i])) {
				push_key(l, "forbid");
				push_index(l, i);
				fail(l, "capability '%s' is both allowed and forbidden",
				     p->forbid[i]);
				pop(l);
				pop(l);
			}
	}
	pop(l);
}

static void read_waivers(loader *l, vigil_policy *p, json_t *root, const char *today)
{
	static const char *const keys[] = {"path", "signal", "reason", "expires", NULL};
	size_t n;
	json_t *a = get_array(l, root, "waivers", &n);
	if (!a || !(p->waivers = alloc_n(l, n, sizeof *p->waivers)))
		return;
	push_key(l, "waivers");
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		push_index(l, i);
		if (!json_is_object(o)) {
			fail(l, "a waiver must be an object");
			pop(l);
			continue;
		}
		known_keys(l, o, keys);
		waiver w = {get_string(l, o, "path", 1), get_string(l, o, "signal", 1),
			    get_string(l, o, "reason", 1), get_string(l, o, "expires", 1)};
		int good = w.path && w.signal && w.reason && w.expires;
		if (w.signal && strncmp(w.signal, "VGL-", 4) != 0) {
			push_key(l, "signal");
			fail(l, "'signal' must be a signal ID (VGL-...), not '%s'", w.signal);
			pop(l);
			good = 0;
		}
		if (w.expires && !is_date(w.expires)) {
			push_key(l, "expires");
			fail(l, "'expires' must be a date YYYY-MM-DD, not '%s'", w.expires);
			pop(l);
			good = 0;
		}
		if (good) {
			if (strcmp(w.expires, today) < 0) {
				unsigned long line, col;
				vg_json_locate(l->text, l->len, l->path, l->depth, &line, &col);
				vg_diag(l->diag, l->ctx, VIGIL_DIAG_INFO, l->name, line,
					"column %lu: waivers[%zu]: the waiver of %s on '%s' expired "
					"on %s: ignored",
					col, i, w.signal, w.path, w.expires);
			}
			p->waivers[p->nwaivers++] = w;
		}
		pop(l);
	}
	pop(l);
}

static size_t count_hex(json_t *root)
{
	size_t n = 0;
	json_t *a = json_object_get(root, "signers");
	n += json_is_array(a) ? json_array_size(a) : 0;
	a = json_object_get(root, "pinned");
	n += json_is_array(a) ? json_array_size(a) : 0;
	return n;
}

static void read_policy(loader *l, vigil_policy *p, const char *today)
{
	static const char *const keys[] = {"vigil_policy", "fail_on", "signers",
					   "must_be_signed", "pinned", "capabilities",
					   "waivers", NULL};
	json_t *root = p->root;
	if (!json_is_object(root)) {
		fail(l, "a policy is a JSON object");
		return;
	}
	json_t *v = json_object_get(root, "vigil_policy");
	if (!v) {
		fail(l, "missing key 'vigil_policy' (the format version, %d)",
		     VIGIL_POLICY_VERSION);
		return;
	}
	if (!json_is_integer(v) || json_integer_value(v) != VIGIL_POLICY_VERSION) {
		push_key(l, "vigil_policy");
		fail(l, "unsupported policy version (this vigil reads %d)", VIGIL_POLICY_VERSION);
		pop(l);
		return;
	}
	known_keys(l, root, keys);
	size_t hexused = 0, nhex = count_hex(root);
	if (!(p->lower = alloc_n(l, nhex, 65)))
		return;
	read_fail_on(l, p, root);
	read_signers(l, p, root, &hexused);
	p->must = read_strings(l, root, "must_be_signed", &p->nmust);
	read_pins(l, p, root, &hexused);
	read_capabilities(l, p, root);
	read_waivers(l, p, root, today);
}

void vigil_policy_options_init(vigil_policy_options *o)
{
	memset(o, 0, sizeof *o);
	o->max_size = POLICY_MAX_DEFAULT;
}

vigil_policy *vigil_policy_load_buffer(const void *buf, size_t len, const char *name,
				       const vigil_policy_options *opt,
				       vigil_diag_fn diag, void *ctx)
{
	vigil_policy_options def;
	if (!opt) {
		vigil_policy_options_init(&def);
		opt = &def;
	}
	name = name ? name : "<policy>";
	char today[11];
	if (opt->today) {
		if (!is_date(opt->today)) {
			vg_diag(diag, ctx, VIGIL_DIAG_ERROR, name, 0,
				"today's date '%s' is not YYYY-MM-DD", opt->today);
			return NULL;
		}
		memcpy(today, opt->today, 11);
	} else {
		utc_today(today);
	}
	if (opt->max_size && len > opt->max_size) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, name, 0,
			"policy larger than %zu bytes", opt->max_size);
		return NULL;
	}
	json_error_t err;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, name,
			err.line > 0 ? (unsigned long)err.line : 0, "column %d: malformed JSON: %s",
			err.column > 0 ? err.column : 0, err.text);
		return NULL;
	}
	vigil_policy *p = calloc(1, sizeof *p);
	if (!p) {
		json_decref(root);
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, name, 0, "out of memory");
		return NULL;
	}
	p->root = root;
	loader l = {.name = name, .text = buf, .len = len, .diag = diag, .ctx = ctx};
	read_policy(&l, p, today);
	if (l.failed) {
		vigil_policy_destroy(p);
		return NULL;
	}
	return p;
}

vigil_policy *vigil_policy_load(const char *path, const vigil_policy_options *opt,
				vigil_diag_fn diag, void *ctx)
{
	vigil_policy_options def;
	if (!opt) {
		vigil_policy_options_init(&def);
		opt = &def;
	}
	char *buf = NULL;
	size_t len = 0;
	int e = vg_read_file(path, opt->max_size ? opt->max_size : SIZE_MAX, &buf, &len);
	if (e) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, path, 0, "cannot read the policy: %s",
			e == EFBIG ? "file too large" : strerror(e));
		return NULL;
	}
	vigil_policy *p = vigil_policy_load_buffer(buf, len, path, opt, diag, ctx);
	free(buf);
	return p;
}

vigil_policy *vigil_policy_default(void)
{
	vigil_policy *p = calloc(1, sizeof *p);
	if (p)
		p->fail_on = "high";
	return p;
}

void vigil_policy_destroy(vigil_policy *p)
{
	if (!p)
		return;
	free(p->signers);
	free(p->must);
	free(p->pins);
	free(p->allow);
	free(p->forbid);
	free(p->waivers);
	free(p->lower);
	json_decref(p->root);
	free(p);
}

const char *vigil_policy_fail_on(const vigil_policy *p)
{
	return p && p->fail_on ? p->fail_on : "high";
}

static int glob_match(const char *glob, const char *path)
{
	return fnmatch(glob, path, 0) == 0;
}

const vigil_policy_signer *vigil_policy_signer_for(const vigil_policy *p, const char *path)
{
	if (!p || !path)
		return NULL;
	for (size_t i = 0; i < p->nsigners; i++)
		if (glob_match(p->signers[i].path, path))
			return &p->signers[i];
	return NULL;
}

int vigil_policy_must_be_signed(const vigil_policy *p, const char *path)
{
	if (!p || !path)
		return 0;
	for (size_t i = 0; i < p->nmust; i++)
		if (glob_match(p->must[i], path))
			return 1;
	return 0;
}

const vigil_policy_pin *vigil_policy_pin_for(const vigil_policy *p, const char *path,
					     const char *version)
{
	if (!p || !path)
		return NULL;
	for (size_t i = 0; i < p->npins; i++) {
		const vigil_policy_pin *pin = &p->pins[i];
		if (pin->version && (!version || strcmp(pin->version, version) != 0))
			continue;
		if (glob_match(pin->path, path))
			return pin;
	}
	return NULL;
}

int vigil_policy_capability_allowed(const vigil_policy *p, const char *id)
{
	return p && id && listed(p->allow, p->nallow, id);
}

int vigil_policy_capability_forbidden(const vigil_policy *p, const char *id)
{
	return p && id && listed(p->forbid, p->nforbid, id);
}

int vigil_policy_waived(const vigil_policy *p, const char *path, const char *signal_id,
			const char *today, const char **reason)
{
	if (!p || !path || !signal_id)
		return 0;
	char now[11];
	if (!today) {
		utc_today(now);
		today = now;
	} else if (!is_date(today)) {
		return 0;
	}
	for (size_t i = 0; i < p->nwaivers; i++) {
		const waiver *w = &p->waivers[i];
		if (strcmp(w->signal, signal_id) != 0 || strcmp(w->expires, today) < 0 ||
		    !glob_match(w->path, path))
			continue;
		if (reason)
			*reason = w->reason;
		return 1;
	}
	return 0;
}
