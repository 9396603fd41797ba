/* vigil_score_combine and vigil_score_level at their boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <vigil/finding.h>

static void test_combine(void **state)
{
	(void)state;
	assert_int_equal(vigil_score_combine(NULL, 0), 0);
	for (int s = 0; s <= 100; s++)
		assert_int_equal(vigil_score_combine(&s, 1), s); /* keeps own */
	int two[] = {50, 50};
	assert_int_equal(vigil_score_combine(two, 2), 75);
	int many[] = {90, 90, 90, 90, 90, 90};
	assert_int_equal(vigil_score_combine(many, 6), 100);
	int with0[] = {0, 70};
	assert_int_equal(vigil_score_combine(with0, 2), 70);
	int full[] = {100, 10};
	assert_int_equal(vigil_score_combine(full, 2), 100);
	int clamp[] = {-50, 150};
	assert_int_equal(vigil_score_combine(clamp, 2), 100);
	int neg[] = {-1};
	assert_int_equal(vigil_score_combine(neg, 1), 0);
	/* adding evidence never lowers the score and never passes 100 */
	int acc[40];
	int prev = 0;
	for (int i = 0; i < 40; i++) {
		acc[i] = (i * 37) % 101;
		int now = vigil_score_combine(acc, (size_t)i + 1);
		assert_true(now >= prev && now <= 100);
		prev = now;
	}
}

static void test_level(void **state)
{
	(void)state;
	assert_int_equal(vigil_score_level(0), VIGIL_LEVEL_NONE);
	assert_int_equal(vigil_score_level(39), VIGIL_LEVEL_NONE);
	assert_int_equal(vigil_score_level(40), VIGIL_LEVEL_NOTICE);
	assert_int_equal(vigil_score_level(59), VIGIL_LEVEL_NOTICE);
	assert_int_equal(vigil_score_level(60), VIGIL_LEVEL_WARNING);
	assert_int_equal(vigil_score_level(79), VIGIL_LEVEL_WARNING);
	assert_int_equal(vigil_score_level(80), VIGIL_LEVEL_ALERT);
	assert_int_equal(vigil_score_level(100), VIGIL_LEVEL_ALERT);
	assert_int_equal(vigil_score_level(-1), VIGIL_LEVEL_NONE);
	assert_string_equal(vigil_level_name(VIGIL_LEVEL_NONE), "none");
	assert_string_equal(vigil_level_name(VIGIL_LEVEL_NOTICE), "notice");
	assert_string_equal(vigil_level_name(VIGIL_LEVEL_WARNING), "warning");
	assert_string_equal(vigil_level_name(VIGIL_LEVEL_ALERT), "alert");
	assert_string_equal(vigil_level_name((vigil_level)99), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_combine),
		cmocka_unit_test(test_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
