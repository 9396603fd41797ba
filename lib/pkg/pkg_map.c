/* The path map (pkg/pkg_map.h). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "pkg/pkg_map.h"

static size_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

static vg_pmap_slot *probe(vg_pmap_slot *slot, size_t cap, const char *key,
			   size_t klen, size_t h)
{
	for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
		vg_pmap_slot *s = &slot[i];
		if (!s->key || (s->hash == h && s->klen == klen &&
				memcmp(s->key, key, klen) == 0))
			return s;
	}
}

static int grow(vg_pmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	if (cap < m->cap || cap > SIZE_MAX / sizeof(vg_pmap_slot))
		return 0;
	vg_pmap_slot *ns = calloc(cap, sizeof *ns);
	if (!ns)
		return 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].key)
			*probe(ns, cap, m->slot[i].key, m->slot[i].klen,
			       m->slot[i].hash) = m->slot[i];
	free(m->slot);
	m->slot = ns;
	m->cap = cap;
	return 1;
}

int vg_pmap_put(vg_pmap *m, const char *key, size_t klen, void *val)
{
	if ((m->n + 1) * 4 > m->cap * 3 && !grow(m))
		return -1;
	size_t h = fnv(key, klen);
	vg_pmap_slot *s = probe(m->slot, m->cap, key, klen, h);
	if (s->key)
		return 0;
	if (!(s->key = vg_strndup(key, klen)))
		return -1;
	s->klen = klen;
	s->hash = h;
	s->val = val;
	m->n++;
	return 1;
}

vg_pmap_slot *vg_pmap_find(const vg_pmap *m, const char *key, size_t klen)
{
	if (!m->n)
		return NULL;
	vg_pmap_slot *s = probe(m->slot, m->cap, key, klen, fnv(key, klen));
	return s->key ? s : NULL;
}

void vg_pmap_clear(vg_pmap *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		free(m->slot[i].key);
		if (m->free_vals)
			free(m->slot[i].val);
	}
	free(m->slot);
	m->slot = NULL;
	m->cap = m->n = 0;
}
