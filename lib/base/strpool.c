#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strpool.h"

/* 64 KiB holds some thousand IOC values and comments; a string longer than
 * a quarter of that gets a block of its own, so that little is wasted at
 * the end of a block. */
#define BLOCK_SIZE 65536

struct vg_strblock {
	struct vg_strblock *next;
	size_t used, cap;
	char data[];
};

static struct vg_strblock *new_block(size_t cap)
{
	if (cap > SIZE_MAX - sizeof(struct vg_strblock))
		return NULL;
	struct vg_strblock *b = malloc(sizeof *b + cap);
	if (b) {
		b->next = NULL;
		b->used = 0;
		b->cap = cap;
	}
	return b;
}

const char *vg_strpool_add(vg_strpool *p, const char *s)
{
	size_t n = strlen(s) + 1;
	struct vg_strblock *b = p->head;
	if (!b || b->cap - b->used < n) {
		int own = n > BLOCK_SIZE / 4;
		struct vg_strblock *nb = new_block(own ? n : BLOCK_SIZE);
		if (!nb)
			return NULL;
		if (own && b) {
			/* behind the head, which keeps filling */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			p->head = nb;
		}
		b = nb;
	}
	char *d = b->data + b->used;
	memcpy(d, s, n);
	b->used += n;
	return d;
}

void vg_strpool_free(vg_strpool *p)
{
	struct vg_strblock *b = p->head;
	while (b) {
		struct vg_strblock *next = b->next;
		free(b);
		b = next;
	}
	p->head = NULL;
}
