/* A map of byte strings (paths) to pointers: open addressing, FNV-1a,
 * keys copied. The ownership sets, the diversions, a .deb's members and
 * the resolver's directory cache. */
#ifndef VIGIL_PKG_MAP_H
#define VIGIL_PKG_MAP_H

#include <stddef.h>

typedef struct vg_pmap_slot {
	char *key;
	size_t klen;
	size_t hash;
	void *val;
} vg_pmap_slot;

typedef struct vg_pmap {
	vg_pmap_slot *slot;
	size_t cap, n;
	int free_vals; /* free() every value on clear */
} vg_pmap;

/* 1 when key was new (the value set), 0 when it was there (value kept),
 * -1 when out of memory. */
int vg_pmap_put(vg_pmap *m, const char *key, size_t klen, void *val);
/* The slot of key, or NULL. */
vg_pmap_slot *vg_pmap_find(const vg_pmap *m, const char *key, size_t klen);
void vg_pmap_clear(vg_pmap *m);

#endif
