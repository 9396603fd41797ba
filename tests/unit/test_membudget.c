/*
 * The memory budget shared by a sweep's workers: its accounting (the
 * first VG_MEMBUDGET_FREE bytes of a buffer free), refusals (a waiting
 * request over what can ever be granted, a non-waiting one over what is
 * free now), many threads taking and giving back without the charged
 * bytes ever passing the limit nor anyone waiting forever (alarm() turns
 * a hang into a failure), and a file's buffer given back after the file
 * by vg_buf_trim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "base/membudget.h"
#include "source/readfile.h"

#define MiB ((size_t)1 << 20)
#define FREE VG_MEMBUDGET_FREE

static uint64_t used(vg_membudget *b)
{
	vg_membudget_stats st;
	vg_membudget_stats_get(b, &st);
	return st.used;
}

static void test_accounting(void **state)
{
	(void)state;
	/* 10 MiB, two workers keeping 1 MiB each: a waiter can be granted
	 * 10 - 2 * (1 - 0.25) = 8.5 MiB at most */
	vg_membudget *b = vg_membudget_new(10 * MiB, MiB, 2);
	assert_non_null(b);
	assert_int_equal(vg_membudget_resize(b, 0, FREE, 1), 1);
	assert_int_equal(used(b), 0); /* the free part */
	assert_int_equal(vg_membudget_resize(b, FREE, 4 * MiB, 1), 1);
	assert_int_equal(used(b), 4 * MiB - FREE);
	/* over what can ever be granted to a waiter: refused at once */
	assert_int_equal(vg_membudget_resize(b, 0, 9 * MiB, 1), 0);
	/* without waiting: only what is free now */
	assert_int_equal(vg_membudget_resize(b, 0, 7 * MiB, 0), 0);
	assert_int_equal(vg_membudget_resize(b, 0, 6 * MiB, 0), 1);
	assert_int_equal(used(b), 4 * MiB - FREE + 6 * MiB - FREE);
	/* shrinking gives back, freeing gives all back */
	assert_int_equal(vg_membudget_resize(b, 6 * MiB, 2 * MiB, 0), 1);
	assert_int_equal(vg_membudget_resize(b, 2 * MiB, 0, 0), 1);
	assert_int_equal(vg_membudget_resize(b, 4 * MiB, 0, 0), 1);
	assert_int_equal(used(b), 0);
	vg_membudget_stats st;
	vg_membudget_stats_get(b, &st);
	assert_int_equal(st.limit, 10 * MiB);
	assert_int_equal(st.peak, 10 * MiB - 2 * FREE);
	assert_int_equal(st.refused, 2);
	assert_int_equal(vg_membudget_retained(b), MiB);
	vg_membudget_free(b);
	/* no budget: everything granted */
	assert_int_equal(vg_membudget_resize(NULL, 0, SIZE_MAX / 2, 1), 1);
}

struct load {
	vg_membudget *b;
	unsigned seed;
	int granted, refused;
};

static void *taker(void *arg)
{
	struct load *l = arg;
	for (int i = 0; i < 3000; i++) {
		/* keep a small buffer, grow to a random size, give it back */
		size_t keep = FREE + (size_t)(rand_r(&l->seed) % (int)MiB);
		size_t big = keep + (size_t)(rand_r(&l->seed) % (int)(12 * MiB));
		if (!vg_membudget_resize(l->b, 0, keep, 1)) {
			l->refused++;
			continue;
		}
		if (vg_membudget_resize(l->b, keep, big, 1)) {
			l->granted++;
			vg_membudget_resize(l->b, big, keep, 1);
		} else {
			l->refused++;
		}
		vg_membudget_resize(l->b, keep, 0, 1);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	alarm(60);
	/* 6 workers keeping up to 1.25 MiB: waiters granted up to 16 - 6 =
	 * 10 MiB; requests reach 13.25 MiB, so some are refused */
	vg_membudget *b = vg_membudget_new(16 * MiB, FREE + MiB, 6);
	assert_non_null(b);
	pthread_t th[6];
	struct load l[6];
	for (int i = 0; i < 6; i++) {
		l[i] = (struct load){b, 1000u + (unsigned)i, 0, 0};
		assert_int_equal(pthread_create(&th[i], NULL, taker, &l[i]), 0);
	}
	int granted = 0, refused = 0;
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		granted += l[i].granted;
		refused += l[i].refused;
	}
	vg_membudget_stats st;
	vg_membudget_stats_get(b, &st);
	assert_int_equal(st.used, 0);
	assert_true(st.peak <= 16 * MiB);
	assert_true(st.peak > 8 * MiB); /* it was used */
	assert_true(granted > 1000);
	assert_true(refused > 0);
	assert_int_equal(st.refused, (uint64_t)refused);
	vg_membudget_free(b);
	alarm(0);
}

static void test_buf_trim(void **state)
{
	(void)state;
	char dir[] = "/tmp/vigil-membudget.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/f", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	static uint8_t block[MiB];
	memset(block, 'a', sizeof block);
	for (int i = 0; i < 3; i++)
		assert_int_equal(write(fd, block, sizeof block), (ssize_t)sizeof block);
	close(fd);

	vg_membudget *b = vg_membudget_new(64 * MiB, 2 * MiB, 1);
	vg_read_opts ro = {.max = 128 * MiB, .memory = b, .follow_root = 1};
	vg_buf buf = {0};
	vg_read rd;
	assert_int_equal(vg_read_entry(NULL, NULL, path, &ro, &buf, &rd), 1);
	assert_true(rd.whole);
	assert_int_equal(rd.len, 3 * MiB);
	assert_int_equal(used(b), 3 * MiB + 1 - FREE);
	/* larger than a worker keeps: freed, given back */
	vg_buf_trim(&buf, b);
	assert_null(buf.data);
	assert_int_equal(buf.cap, 0);
	assert_int_equal(used(b), 0);

	/* over what the budget can ever hold: streamed, said so */
	vg_membudget *small = vg_membudget_new(2 * MiB, FREE, 1);
	ro.memory = small;
	assert_int_equal(vg_read_entry(NULL, NULL, path, &ro, &buf, &rd), 1);
	assert_false(rd.whole);
	assert_int_equal(rd.skip, VIGIL_SKIP_TOO_LARGE);
	assert_int_equal(rd.len, 3 * MiB);
	assert_non_null(rd.skip_detail);
	assert_non_null(strstr(rd.skip_detail, "--memory-limit"));
	assert_int_equal(used(small), 0); /* the chunk buffer is free */
	vg_buf_trim(&buf, small);
	assert_non_null(buf.data); /* within what a worker keeps */
	vg_buf_free(&buf);
	vg_membudget_free(small);
	vg_membudget_free(b);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accounting),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_buf_trim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
