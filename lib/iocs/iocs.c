/* The IOC set: storage, hash lookup, path matching (see include/vigil/iocs.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "iocs/iocs_internal.h"
#include "iocs/netmatch_internal.h"
#include "base/util.h"

vigil_iocs *vigil_iocs_create(void)
{
	vigil_iocs *set = calloc(1, sizeof *set);
	if (set && !(set->paths = vg_pathmatch_create())) {
		free(set);
		return NULL;
	}
	return set;
}

void vigil_iocs_destroy(vigil_iocs *set)
{
	if (!set)
		return;
	for (int t = 0; t < VIGIL_IOC_TYPE_COUNT; t++)
		free(set->lists[t].items);
	vg_strpool_free(&set->strings);
	free(set->keys);
	vg_pathmatch_destroy(set->paths);
	free(set);
}

void vigil_iocs_set_diag(vigil_iocs *set, vigil_diag_fn fn, void *ctx)
{
	set->diag = fn;
	set->diag_ctx = ctx;
}

/* s (NULL: "") from the pool; the same string as *last is not stored
 * again. */
static const char *pooled(vigil_iocs *set, const char **last, const char *s)
{
	if (!s)
		s = "";
	if (*last && strcmp(*last, s) == 0)
		return *last;
	const char *p = vg_strpool_add(&set->strings, s);
	if (p)
		*last = p;
	return p;
}

vigil_ioc *vg_iocs_append(vigil_iocs *set, vigil_ioc_type type,
			  const char *value, const char *comment,
			  const char *source, unsigned long line, int score)
{
	struct ioc_list *l = &set->lists[type];
	if (set->sealed || !vg_grow(&l->items, &l->cap, l->len + 1, sizeof *l->items))
		return NULL;
	/* On failure the strings already copied stay in the pool, unused
	 * until the set is destroyed. */
	const char *v = vg_strpool_add(&set->strings, value);
	const char *c = pooled(set, &set->last_comment, comment);
	const char *src = pooled(set, &set->last_source, source);
	if (!v || !c || !src)
		return NULL;
	vigil_ioc *ioc = &l->items[l->len++];
	ioc->type = type;
	ioc->value = v;
	ioc->comment = c;
	ioc->source = src;
	ioc->line = line;
	ioc->score = score;
	return ioc;
}

size_t vigil_iocs_count(const vigil_iocs *set, vigil_ioc_type type)
{
	return type < VIGIL_IOC_TYPE_COUNT ? set->lists[type].len : 0;
}

const vigil_ioc *vigil_iocs_get(const vigil_iocs *set, vigil_ioc_type type,
				size_t i)
{
	if (type >= VIGIL_IOC_TYPE_COUNT || i >= set->lists[type].len)
		return NULL;
	return &set->lists[type].items[i];
}

int vigil_iocs_add_hash(vigil_iocs *set, const char *hex, int score,
			const char *comment, const char *source,
			unsigned long line)
{
	if (vg_iocs_refuse_sealed(set, source, line))
		return VIGIL_FATAL;
	uint8_t d[32];
	size_t hl = strlen(hex), n = vg_unhex(hex, hl, d, sizeof d);
	vigil_ioc_type type;
	if (n == 16)
		type = VIGIL_IOC_MD5;
	else if (n == 20)
		type = VIGIL_IOC_SHA1;
	else if (n == 32)
		type = VIGIL_IOC_SHA256;
	else {
		vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING, source, line,
			"not an MD5, SHA-1 or SHA-256 hash (%zu characters)", hl);
		return VIGIL_FAILED;
	}
	if (score < 0 || score > 100) {
		vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING, source, line,
			"score %d out of range 0-100", score);
		return VIGIL_FAILED;
	}
	char lower[65];
	vg_hex(d, n, lower);
	if (!vg_iocs_append(set, type, lower, comment, source, line, score))
		return VIGIL_FATAL;
	if (!vg_grow(&set->keys, &set->keycap, set->nkeys + 1, sizeof *set->keys))
		return VIGIL_FATAL;
	struct hash_key *k = &set->keys[set->nkeys++];
	memset(k->digest, 0, sizeof k->digest);
	memcpy(k->digest, d, n);
	k->len = (uint8_t)n;
	k->index = set->lists[type].len - 1;
	return VIGIL_OK;
}

int vigil_iocs_add_path_regex(vigil_iocs *set, const char *regex, int score,
			      const char *fp_regex, const char *comment,
			      const char *source, unsigned long line)
{
	char err[256];
	if (vg_iocs_refuse_sealed(set, source, line))
		return VIGIL_FATAL;
	if (score < 0 || score > 100) {
		vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING, source, line,
			"score %d out of range 0-100", score);
		return VIGIL_FAILED;
	}
	size_t id = set->lists[VIGIL_IOC_PATH_REGEX].len;
	if (!vg_pathmatch_add(set->paths, regex, fp_regex, id, err, sizeof err)) {
		vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING, source, line,
			"bad regular expression: %s", err);
		return VIGIL_FAILED;
	}
	if (!vg_iocs_append(set, VIGIL_IOC_PATH_REGEX, regex, comment, source,
			    line, score))
		return VIGIL_FATAL;
	vg_iocs_note_fp(set, id, fp_regex);
	return VIGIL_OK;
}

void vigil_refang(char *s)
{
	char *o = s;
	for (char *p = s; *p;) {
		if ((p[0] == '[' || p[0] == '(' || p[0] == '{') && p[1] == '.' &&
		    (p[2] == ']' || p[2] == ')' || p[2] == '}')) {
			*o++ = '.';
			p += 3;
		} else if (strncmp(p, "[dot]", 5) == 0) {
			*o++ = '.';
			p += 5;
		} else if (strncmp(p, "[:]", 3) == 0) {
			*o++ = ':';
			p += 3;
		} else if ((p == s || !isalpha((unsigned char)p[-1])) &&
			   (p[0] == 'h' || p[0] == 'H') &&
			   (p[1] == 'x' || p[1] == 'X') &&
			   (p[2] == 'x' || p[2] == 'X') &&
			   (p[3] == 'p' || p[3] == 'P')) {
			/* hxxp, hxxps */
			memcpy(o, "http", 4);
			o += 4;
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
}

static int is_ip(const char *s, int family)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof buf)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	unsigned char addr[16];
	if (inet_pton(family, buf, addr) != 1)
		return 0;
	unsigned bits;
	return !slash ||
	       vg_parse_prefix_len(slash + 1, family == AF_INET ? 32 : 128, &bits);
}

static int is_hostname(const char *s)
{
	size_t n = strlen(s), label = 0;
	if (n == 0 || n > 253 || !strchr(s, '.') || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

int vigil_iocs_add_network(vigil_iocs *set, const char *value, int score,
			   const char *comment, const char *source,
			   unsigned long line)
{
	if (vg_iocs_refuse_sealed(set, source, line))
		return VIGIL_FATAL;
	char *v = vg_strdup(value);
	if (!v)
		return VIGIL_FATAL;
	vigil_refang(v);
	vigil_ioc_type type;
	size_t n = strlen(v);
	if (n > 2 && v[0] == '[' && v[n - 1] == ']') {
		/* [v6], as URLs write it */
		v[n - 1] = '\0';
		if (is_ip(v + 1, AF_INET6)) {
			memmove(v, v + 1, n - 1);
			n -= 2;
		} else {
			v[n - 1] = ']';
		}
	}
	if (strstr(v, "://")) {
		type = VIGIL_IOC_URL;
		/* scheme and host are case-insensitive */
		char *host = strstr(v, "://") + 3;
		char *host_end = host + strcspn(host, "/?#");
		for (char *p = v; p < host_end; p++)
			*p = (char)tolower((unsigned char)*p);
	} else if (is_ip(v, AF_INET)) {
		type = VIGIL_IOC_IPV4;
	} else if (is_ip(v, AF_INET6)) {
		type = VIGIL_IOC_IPV6;
		for (char *p = v; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	} else {
		if (n && v[n - 1] == '.')
			v[--n] = '\0';
		/* "*.evil.com" and ".evil.com" in threat-intel lists mean the
		 * domain and its subdomains, which is how domains match anyway */
		size_t skip = strncmp(v, "*.", 2) == 0 ? 2 : v[0] == '.' ? 1 : 0;
		if (skip) {
			memmove(v, v + skip, n - skip + 1);
			n -= skip;
		}
		for (char *p = v; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!is_hostname(v)) {
			vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING,
				source, line,
				"not a domain, IP address, CIDR range or URL: '%s'",
				value);
			free(v);
			return VIGIL_FAILED;
		}
		type = VIGIL_IOC_DOMAIN;
	}
	if (score < 0 || score > 100) {
		vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING, source, line,
			"score %d out of range 0-100", score);
		free(v);
		return VIGIL_FAILED;
	}
	vigil_ioc *ioc = vg_iocs_append(set, type, v, comment, source, line, score);
	free(v);
	return ioc ? VIGIL_OK : VIGIL_FATAL;
}

static int digest_cmp(const struct hash_key *x, const struct hash_key *y)
{
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->digest, y->digest, x->len);
}

/* Index last: duplicates of a digest sort in load order, so that the
 * sealed search finds the IOC the linear one does. */
static int key_cmp(const void *a, const void *b)
{
	const struct hash_key *x = a, *y = b;
	int c = digest_cmp(x, y);
	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

int vg_iocs_refuse_sealed(vigil_iocs *set, const char *source,
			  unsigned long line)
{
	if (!set->sealed)
		return 0;
	vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_ERROR, source, line,
		"IOC set is sealed");
	return 1;
}

int vigil_iocs_seal(vigil_iocs *set)
{
	if (set->sealed)
		return VIGIL_OK;
	if (set->nkeys > 1)
		qsort(set->keys, set->nkeys, sizeof *set->keys, key_cmp);
	/* a prefilter that cannot be allocated leaves every regex to run */
	vg_pathmatch_prepare(set->paths);
	set->sealed = 1;
	return VIGIL_OK;
}

/* The first key of want's digest in the sorted table, or NULL. */
static const struct hash_key *sorted_find(const vigil_iocs *set,
					  const struct hash_key *want)
{
	size_t lo = 0, hi = set->nkeys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (digest_cmp(&set->keys[mid], want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < set->nkeys && digest_cmp(&set->keys[lo], want) == 0)
		return &set->keys[lo];
	return NULL;
}

const vigil_ioc *vigil_iocs_find_hash(const vigil_iocs *set,
				      const uint8_t *digest, size_t len)
{
	struct hash_key k = {0};
	if (len != 16 && len != 20 && len != 32)
		return NULL;
	memcpy(k.digest, digest, len);
	k.len = (uint8_t)len;
	const struct hash_key *hit = NULL;
	if (set->sealed) {
		hit = sorted_find(set, &k);
	} else {
		/* keys are in load order: the first equal one is the first loaded */
		for (size_t i = 0; i < set->nkeys && !hit; i++)
			if (digest_cmp(&set->keys[i], &k) == 0)
				hit = &set->keys[i];
	}
	if (!hit)
		return NULL;
	vigil_ioc_type t = len == 16 ? VIGIL_IOC_MD5 : len == 20 ? VIGIL_IOC_SHA1
								 : VIGIL_IOC_SHA256;
	return &set->lists[t].items[hit->index];
}

struct path_ctx {
	const vigil_iocs *set;
	vigil_ioc_match_fn fn;
	vigil_ioc_error_fn err;
	void *ctx;
};

static void on_path_match(void *c, size_t id)
{
	struct path_ctx *pc = c;
	pc->fn(pc->ctx, &pc->set->lists[VIGIL_IOC_PATH_REGEX].items[id]);
}

static void on_path_error(void *c, size_t id, const char *why)
{
	struct path_ctx *pc = c;
	if (pc->err)
		pc->err(pc->ctx, &pc->set->lists[VIGIL_IOC_PATH_REGEX].items[id], why);
}

int vigil_iocs_match_path_err(const vigil_iocs *set, const char *path,
			      size_t len, vigil_ioc_match_fn fn,
			      vigil_ioc_error_fn err, void *ctx)
{
	/* unsealed, the path index is not built: every regex runs */
	struct path_ctx pc = {set, fn, err, ctx};
	int n = vg_pathmatch_run_err(set->paths, path, len, on_path_match,
				     on_path_error, &pc);
	return n < 0 ? VIGIL_FATAL : n ? VIGIL_WARN : VIGIL_OK;
}

int vigil_iocs_match_path(const vigil_iocs *set, const char *path, size_t len,
			  vigil_ioc_match_fn fn, void *ctx)
{
	return vigil_iocs_match_path_err(set, path, len, fn, NULL, ctx);
}
