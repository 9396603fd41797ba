/*
 * lib/rules/: the compiled-rules cache's file format
 * (lib/rules/rules_cachefile.c) rejects every truncation and every flipped
 * bit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules_internal.h"

static void test_cachefile(void **state)
{
	(void)state;
	const char payload[] = "compiled rules";
	size_t plen = sizeof payload - 1, len = VG_CACHE_HEADER + plen;
	uint8_t file[VG_CACHE_HEADER + sizeof payload], copy[sizeof file + 1];
	const uint8_t *p;
	size_t n;
	assert_int_equal(vg_cachefile_header(VG_CACHE_RULES, payload, plen, file), 1);
	memcpy(file + VG_CACHE_HEADER, payload, plen);
	assert_int_equal(vg_cachefile_check(VG_CACHE_RULES, file, len, &p, &n), 1);
	assert_int_equal(n, plen);
	assert_memory_equal(p, payload, plen);
	/* another magic */
	assert_int_equal(vg_cachefile_check("vgyarc0\n", file, len, &p, &n), 0);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(vg_cachefile_check(VG_CACHE_RULES, file, cut, &p, &n), 0);
	memcpy(copy, file, len);
	copy[len] = 0;
	assert_int_equal(vg_cachefile_check(VG_CACHE_RULES, copy, len + 1, &p, &n), 0);
	for (size_t i = 0; i < len; i++)
		for (unsigned bit = 0; bit < 8; bit++) {
			memcpy(copy, file, len);
			copy[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(vg_cachefile_check(VG_CACHE_RULES, copy, len, &p, &n), 0);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cachefile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
