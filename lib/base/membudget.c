#include "base/membudget.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

struct vg_membudget {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	uint64_t limit, grantable;
	size_t retained;
	uint64_t used, peak, waits, refused;
	/* waiters are served in arrival order, so that a large file is not
	 * starved by a stream of smaller ones */
	uint64_t next_ticket, serving;
};

static uint64_t charged(size_t cap)
{
	return cap > VG_MEMBUDGET_FREE ? cap - VG_MEMBUDGET_FREE : 0;
}

vg_membudget *vg_membudget_new(uint64_t limit, size_t retained,
			       unsigned workers)
{
	vg_membudget *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->freed, NULL);
	b->limit = limit;
	b->retained = retained;
	/* what every worker (the waiter too) may keep charged between files
	 * is never available to a waiter */
	uint64_t kept = (uint64_t)workers * charged(retained);
	b->grantable = limit > kept ? limit - kept : 0;
	return b;
}

void vg_membudget_free(vg_membudget *b)
{
	if (!b)
		return;
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->freed);
	free(b);
}

static void granted(vg_membudget *b, uint64_t n)
{
	b->used += n;
	if (b->used > b->peak)
		b->peak = b->used;
}

static int take(vg_membudget *b, uint64_t n, int wait)
{
	pthread_mutex_lock(&b->lock);
	int ok = 0;
	int queue = b->next_ticket != b->serving; /* someone waits already */
	if (wait && n > b->grantable) {
		/* refused whatever the others hold now, so that a file is
		 * held or streamed the same way in every run */
		b->refused++;
	} else if (!queue && n <= b->limit - b->used) {
		granted(b, n);
		ok = 1;
	} else if (wait) {
		uint64_t me = b->next_ticket++;
		b->waits++;
		while (b->serving != me || n > b->limit - b->used)
			pthread_cond_wait(&b->freed, &b->lock);
		b->serving++;
		granted(b, n);
		ok = 1;
		pthread_cond_broadcast(&b->freed); /* the next in line */
	} else {
		b->refused++;
	}
	pthread_mutex_unlock(&b->lock);
	return ok;
}

static void give(vg_membudget *b, uint64_t n)
{
	pthread_mutex_lock(&b->lock);
	b->used = n < b->used ? b->used - n : 0;
	pthread_cond_broadcast(&b->freed);
	pthread_mutex_unlock(&b->lock);
}

int vg_membudget_resize(vg_membudget *b, size_t from, size_t to, int wait)
{
	if (!b)
		return 1;
	uint64_t a = charged(from), z = charged(to);
	if (z > a)
		return take(b, z - a, wait);
	if (z < a)
		give(b, a - z);
	return 1;
}

size_t vg_membudget_retained(const vg_membudget *b)
{
	return b ? b->retained : SIZE_MAX;
}

void vg_membudget_stats_get(vg_membudget *b, vg_membudget_stats *out)
{
	*out = (vg_membudget_stats){0};
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	out->limit = b->limit;
	out->peak = b->peak;
	out->used = b->used;
	out->waits = b->waits;
	out->refused = b->refused;
	pthread_mutex_unlock(&b->lock);
}

uint64_t vg_membudget_default(void)
{
	uint64_t lim = 1ull << 30;
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	if (pages > 0 && psz > 0) {
		uint64_t quarter = (uint64_t)pages * (uint64_t)psz / 4;
		if (quarter < lim)
			lim = quarter;
	}
	if (lim < (64ull << 20))
		lim = 64ull << 20;
	return lim;
}
