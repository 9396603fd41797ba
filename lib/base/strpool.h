/*
 * A string arena: strings are copied into large blocks and freed all at
 * once. For tables that keep many small strings for their whole life (the
 * IOC set holds 100,000s): one malloc per block instead of one per string,
 * and the strings can be handed out as const char * with nothing to cast
 * back when they are freed.
 */
#ifndef VIGIL_STRPOOL_H
#define VIGIL_STRPOOL_H

#include <stddef.h>

struct vg_strblock;

/* Zero-initialised is empty. */
typedef struct vg_strpool {
	struct vg_strblock *head; /* the block being filled, then older ones */
} vg_strpool;

/* A copy of s that lives until vg_strpool_free; NULL when out of memory
 * (the pool stays usable). */
const char *vg_strpool_add(vg_strpool *p, const char *s);
/* Free every string of the pool; the pool is empty afterwards. */
void vg_strpool_free(vg_strpool *p);

#endif
