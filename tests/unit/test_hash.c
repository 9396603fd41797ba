/*
 * The scan's digests: vigil_scanner_run with report_all on files of known
 * content, compared with OpenSSL's one-shot EVP_Digest computed here; and a
 * file larger than max_size is still hashed, with skip reason too-large;
 * the same without checks or rules (files not kept while read);
 * and vg_digests_update fed pieces of every awkward length (it cuts them
 * into cache-sized pieces of its own) gives the one-shot digests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_files.h"
#include <openssl/evp.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vigil/scan.h>

#include "base/digest.h"

/* not a multiple of the read size or the digests' piece */
#define BIG ((3u << 20) + 12345)

static char dir[1024];
static unsigned char *big;

struct file {
	const char *name;
	const unsigned char *data;
	size_t len;
	int seen;
	vigil_skip skip;
	/* copied from the result; checked on the main thread, since the
	 * callback may run on a worker where cmocka cannot fail a test */
	int hashed;
	uint64_t size;
	uint8_t md5[16], sha1[20], sha256[32];
};
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct file files[3];

static void write_file(const char *name, const void *data, size_t len)
{
	char p[2048];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	test_write_file(p, data, len);
}

static void digest(const EVP_MD *md, const void *d, size_t n, unsigned char *out,
		   size_t want)
{
	unsigned int len = 0;
	assert_int_equal(EVP_Digest(d, n, out, &len, md, NULL), 1);
	assert_int_equal(len, want);
}

static void on_file(void *ctx, const vigil_file_result *r)
{
	(void)ctx;
	const char *base = strrchr(r->path, '/');
	base = base ? base + 1 : r->path;
	for (int i = 0; i < 3; i++) {
		if (strcmp(base, files[i].name) != 0)
			continue;
		pthread_mutex_lock(&lock);
		files[i].seen++;
		files[i].skip = r->skip;
		files[i].hashed = r->hashed;
		files[i].size = r->size;
		memcpy(files[i].md5, r->md5, 16);
		memcpy(files[i].sha1, r->sha1, 20);
		memcpy(files[i].sha256, r->sha256, 32);
		pthread_mutex_unlock(&lock);
	}
}

static int setup(void **state)
{
	(void)state;
	test_scratch_path("hash", dir, sizeof dir);
	if (mkdir(dir, 0700) != 0)
		return -1;
	big = malloc(BIG);
	if (!big)
		return -1;
	/* a pattern with no short period, so misplaced chunks show */
	for (size_t i = 0; i < BIG; i++)
		big[i] = (unsigned char)((i * 2654435761u) >> 13);
	files[0] = (struct file){.name = "empty", .data = (const unsigned char *)"", .len = 0};
	files[1] = (struct file){.name = "abc", .data = (const unsigned char *)"abc", .len = 3};
	files[2] = (struct file){.name = "big", .data = big, .len = BIG};
	for (int i = 0; i < 3; i++)
		write_file(files[i].name, files[i].data, files[i].len);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[2200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	(void)system(cmd);
	free(big);
	return 0;
}

static void scan(uint64_t max_size, int no_checks)
{
	for (int i = 0; i < 3; i++) {
		files[i].seen = 0;
		files[i].skip = VIGIL_SKIP_NONE;
	}
	vigil_scan_options o = {0};
	o.threads = 2;
	o.report_all = 1;
	o.max_size = max_size;
	o.no_checks = no_checks;
	vigil_iocs *iocs = vigil_iocs_create();
	assert_non_null(iocs);
	/* two threads share it: the scanner takes a sealed set */
	assert_int_equal(vigil_iocs_seal(iocs), VIGIL_OK);
	vigil_scanner *s = vigil_scanner_create(&o, iocs, NULL);
	assert_non_null(s);
	vigil_scanner_set_callback(s, on_file, NULL);
	const char *roots[] = {dir};
	int rc = vigil_scanner_run(s, roots, 1);
	assert_true(rc == VIGIL_OK || rc == VIGIL_WARN);
	vigil_scanner_destroy(s);
	vigil_iocs_destroy(iocs);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(files[i].seen, 1);
		assert_true(files[i].hashed);
		assert_int_equal(files[i].size, files[i].len);
		unsigned char d[32];
		digest(EVP_md5(), files[i].data, files[i].len, d, 16);
		assert_memory_equal(files[i].md5, d, 16);
		digest(EVP_sha1(), files[i].data, files[i].len, d, 20);
		assert_memory_equal(files[i].sha1, d, 20);
		digest(EVP_sha256(), files[i].data, files[i].len, d, 32);
		assert_memory_equal(files[i].sha256, d, 32);
	}
}

static void test_digests(void **state)
{
	(void)state;
	scan(0, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(files[i].skip, VIGIL_SKIP_NONE);
}

/* No rules and no checks: files are read in pieces and not kept. */
static void test_digests_only(void **state)
{
	(void)state;
	scan(0, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(files[i].skip, VIGIL_SKIP_NONE);
	scan(1u << 20, 1);
	assert_int_equal(files[2].skip, VIGIL_SKIP_TOO_LARGE);
	assert_int_equal(files[1].skip, VIGIL_SKIP_NONE);
}

static void test_too_large_still_hashed(void **state)
{
	(void)state;
	scan(1u << 20, 0);
	assert_int_equal(files[2].skip, VIGIL_SKIP_TOO_LARGE);
	assert_int_equal(files[1].skip, VIGIL_SKIP_NONE);
	assert_int_equal(files[0].skip, VIGIL_SKIP_NONE);
}

static void test_update_lengths(void **state)
{
	(void)state;
	/* around 64, 128 and 256 KiB and 1 MiB: whatever piece size is used */
	const size_t lens[] = {0, 1, 63, 64, 65535, 65536, 65537, 131071, 131072,
			       131073, 262145, 1048575, 1048577};
	vg_digests *d = vg_digests_new();
	assert_non_null(d);
	assert_true(vg_digests_init(d));
	size_t off = 0;
	for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
		assert_true(off + lens[i] <= BIG);
		vg_digests_update(d, big + off, lens[i]);
		off += lens[i];
	}
	unsigned char md5[16], sha1[20], sha256[32], want[32];
	assert_true(vg_digests_final(d, md5, sha1, sha256));
	digest(EVP_md5(), big, off, want, 16);
	assert_memory_equal(md5, want, 16);
	digest(EVP_sha1(), big, off, want, 20);
	assert_memory_equal(sha1, want, 20);
	digest(EVP_sha256(), big, off, want, 32);
	assert_memory_equal(sha256, want, 32);
	/* the same bytes in one call */
	assert_true(vg_digests_buffer(d, big, off, md5, sha1, sha256));
	assert_memory_equal(sha256, want, 32);
	vg_digests_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_digests_only),
		cmocka_unit_test(test_too_large_still_hashed),
		cmocka_unit_test(test_update_lengths),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
