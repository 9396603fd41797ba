/*
 * One memory budget shared by the workers of a sweep: the bytes of the
 * buffers that hold files and members whole. A worker takes bytes before
 * it grows a buffer and gives them back when it lets the buffer go, so
 * that the sweep's file buffers stay under the limit whatever the number
 * of threads (docs/design.md, "Memory").
 *
 * Deadlock freedom: only a worker that holds no more than its own small
 * retained buffers may wait (vg_membudget_take with wait set: the top-level
 * file of a worker); a worker that already holds a large grant (a container
 * in memory whose members need more) asks without waiting and, refused,
 * streams the member instead. A waiting request larger than what the
 * others' retained buffers leave (vg_membudget_grantable) is refused at
 * once: the file is streamed, never waited on forever.
 */
#ifndef VIGIL_BASE_MEMBUDGET_H
#define VIGIL_BASE_MEMBUDGET_H

#include <stddef.h>
#include <stdint.h>

typedef struct vg_membudget vg_membudget;

/* The first VG_MEMBUDGET_FREE bytes of every buffer are not charged: the
 * chunk-sized buffers a worker needs to read anything at all, so that a
 * file can always be streamed whatever the budget. */
#define VG_MEMBUDGET_FREE ((size_t)256 << 10)

/* limit: bytes charged at most; retained: the capacity of the buffer each
 * worker keeps between files; workers: how many take from it. */
vg_membudget *vg_membudget_new(uint64_t limit, size_t retained,
			       unsigned workers);
void vg_membudget_free(vg_membudget *b);

/*
 * A buffer of capacity from is to become one of capacity to: the bytes
 * over VG_MEMBUDGET_FREE are taken from (growing) or given back to
 * (shrinking, to 0 when the buffer is freed) the budget. 1 done; 0
 * refused (wait 0 and not available now, or more than can ever be granted
 * to a waiter): the buffer must stay as it is. A NULL budget grants all.
 */
int vg_membudget_resize(vg_membudget *b, size_t from, size_t to, int wait);

/* The capacity a worker may keep between files. */
size_t vg_membudget_retained(const vg_membudget *b);

typedef struct vg_membudget_stats {
	uint64_t limit, peak;  /* bytes */
	uint64_t used;         /* bytes charged now */
	uint64_t waits;        /* requests that waited for others to give */
	uint64_t refused;      /* requests refused (the bytes were streamed) */
} vg_membudget_stats;
void vg_membudget_stats_get(vg_membudget *b, vg_membudget_stats *out);

/* The default limit on this machine: a quarter of physical memory, at
 * most 1 GiB and at least 64 MiB. */
uint64_t vg_membudget_default(void);

#endif
