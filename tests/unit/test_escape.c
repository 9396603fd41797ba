/*
 * vigil_escape: control characters, backslash, DEL, C1 controls, bidi marks and invalid
 * UTF-8 come out as escapes; valid multi-byte UTF-8 is kept; the result is
 * always valid UTF-8 with no byte below 0x20 and no DEL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vigil/escape.h>

/* Independent UTF-8 validator (RFC 3629), for checking the output. */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			k = 1, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			k = 2, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			k = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

static void check_clean(const char *out)
{
	size_t n = strlen(out);
	assert_true(valid_utf8((const unsigned char *)out, n));
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)out[i];
		assert_true(c >= 0x20 && c != 0x7F);
	}
	/* no C1 control as a code point */
	for (size_t i = 0; i + 1 < n; i++)
		assert_false((unsigned char)out[i] == 0xC2 &&
			     (unsigned char)out[i + 1] < 0xA0);
}

static void expect(const char *in, size_t len, const char *want)
{
	char *out = vigil_escape(in, len);
	assert_non_null(out);
	assert_string_equal(out, want);
	check_clean(out);
	free(out);
}

static void test_controls(void **state)
{
	(void)state;
	expect("a\nb", 3, "a\\nb");
	expect("\t\r", 2, "\\t\\r");
	expect("\\", 1, "\\\\");
	expect("\x01\x1b[31m", 6, "\\x01\\x1b[31m");
	expect("\x7f", 1, "\\x7f");
	expect("a\0b", 3, "a\\x00b");
	expect("", 0, "");
	expect("plain/path.txt", 14, "plain/path.txt");
}

static void test_c1(void **state)
{
	(void)state;
	/* U+0085 NEL and U+009B CSI as UTF-8 */
	expect("\xC2\x85", 2, "\\xc2\\x85");
	expect("\xC2\x9B", 2, "\\xc2\\x9b");
	/* U+00A0 is printable-ish and kept */
	expect("\xC2\xA0", 2, "\xC2\xA0");
}

static void test_bidi(void **state)
{
	(void)state;
	/* U+202E RLO, U+2066 LRI, U+200F RLM, U+061C ALM: every byte escaped */
	expect("a\xE2\x80\xAE" "b", 5, "a\\xe2\\x80\\xaeb");
	expect("\xE2\x81\xA6", 3, "\\xe2\\x81\\xa6");
	expect("\xE2\x80\x8F", 3, "\\xe2\\x80\\x8f");
	expect("\xD8\x9C", 2, "\\xd8\\x9c");
	/* neighbours are kept: U+2029, U+2065, U+200D */
	expect("\xE2\x80\xA9", 3, "\xE2\x80\xA9");
	expect("\xE2\x81\xA5", 3, "\xE2\x81\xA5");
	expect("\xE2\x80\x8D", 3, "\xE2\x80\x8D");
}

static void test_needed(void **state)
{
	(void)state;
	assert_int_equal(vigil_escape_needed("plain \\ text \xC3\xA9", 15), 0);
	assert_int_equal(vigil_escape_needed("\x1b[31m", 5), 1);
	assert_int_equal(vigil_escape_needed("\xC2\x9B", 2), 1);
	assert_int_equal(vigil_escape_needed("\xE2\x80\xAE", 3), 1);
	assert_int_equal(vigil_escape_needed("\xFF", 1), 1);
	assert_int_equal(vigil_escape_needed("a\nb", 3), 1);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	expect("\x80", 1, "\\x80");                  /* lone continuation */
	expect("\xC0\xAF", 2, "\\xc0\\xaf");         /* overlong '/' */
	expect("\xE0\x80\xAF", 3, "\\xe0\\x80\\xaf"); /* overlong 3-byte */
	expect("\xED\xA0\x80", 3, "\\xed\\xa0\\x80"); /* surrogate D800 */
	expect("\xF4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	expect("ab\xE2\x82", 4, "ab\\xe2\\x82");     /* truncated at end */
	expect("\xFF\xFE", 2, "\\xff\\xfe");
}

static void test_valid_multibyte(void **state)
{
	(void)state;
	expect("caf\xC3\xA9", 5, "caf\xC3\xA9");
	expect("\xE2\x82\xAC", 3, "\xE2\x82\xAC");           /* euro */
	expect("\xF0\x9F\x98\x80", 4, "\xF0\x9F\x98\x80");   /* emoji */
	expect("\xE6\x97\xA5\n", 4, "\xE6\x97\xA5\\n");
}

/* Every 1-3 byte input: output clean, and never longer than 4x. */
static void test_exhaustive_short(void **state)
{
	(void)state;
	unsigned char b[3];
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned c = 0; c < 256; c++) {
			b[0] = (unsigned char)a;
			b[1] = (unsigned char)c;
			b[2] = 0x80;
			for (size_t len = 1; len <= 3; len++) {
				char *out = vigil_escape((const char *)b, len);
				assert_non_null(out);
				assert_true(strlen(out) <= 4 * len);
				check_clean(out);
				free(out);
			}
		}
	}
	/* random longer inputs */
	srand(12345);
	unsigned char r[64];
	for (int t = 0; t < 20000; t++) {
		size_t len = (size_t)(rand() % 64);
		for (size_t i = 0; i < len; i++)
			r[i] = (unsigned char)rand();
		char *out = vigil_escape((const char *)r, len);
		assert_non_null(out);
		check_clean(out);
		free(out);
	}
}

static void text_is(const char *in, size_t len, const char *want)
{
	char *out = vigil_escape_text(in, len);
	assert_non_null(out);
	assert_string_equal(out, want);
	check_clean(out);
	free(out);
}

static void test_text(void **state)
{
	(void)state;
	/* backslashes stay single: a Windows path or a regex reads as written */
	text_is("\\Windows\\[^\\]+\\.dll$", 20, "\\Windows\\[^\\]+\\.dll$");
	/* what a terminal acts on is still escaped */
	text_is("a\x1b[2Jb\n", 7, "a\\x1b[2Jb\\n");
	text_is("\xc2\x9b\xe2\x80\xae\xff\x7f", 7, "\\xc2\\x9b\\xe2\\x80\\xae\\xff\\x7f");
	text_is("caf\xc3\xa9", 5, "caf\xc3\xa9");
	assert_null(vigil_escape_text_str(NULL));
}

static void test_utf8(void **state)
{
	(void)state;
	assert_true(vigil_utf8_valid("a\x1b\xc2\x9b\xe2\x80\xae", 7));
	assert_false(vigil_utf8_valid("a\xff", 2));
	assert_false(vigil_utf8_valid("\xc0\xaf", 2));     /* overlong */
	assert_false(vigil_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	char *s = vigil_utf8_lossy("a\xff" "b\xe2\x82", 5);
	assert_string_equal(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
	/* C1 and bidi characters of JSON text as \u escapes, the rest kept */
	s = vigil_json_terminal_safe("{\"a\":\"x\xc2\x9b" "y\xe2\x80\xae" "z\xc3\xa9\\u001b\"}");
	assert_string_equal(s, "{\"a\":\"x\\u009by\\u202ez\xc3\xa9\\u001b\"}");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_bidi),
		cmocka_unit_test(test_needed),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_valid_multibyte),
		cmocka_unit_test(test_exhaustive_short),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
