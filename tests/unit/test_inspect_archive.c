/*
 * vigil_inspect_members() and vigil_inspect_member() on a ustar file built
 * here (header written by hand: name, size, type, checksum), two members:
 * the tree's paths, sizes, SHA-256 and status; a member found by its path
 * and inspected as a file; a missing member; a file that is no container.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <vigil/inspect.h>

static char dir[4096], tarpath[4200], txtpath[4200];
static int errors;

static void on_diag(void *ctx, const vigil_diag *d)
{
	(void)ctx;
	if (d->severity == VIGIL_DIAG_ERROR)
		errors++;
}

static void tar_member(FILE *f, const char *name, const char *data)
{
	unsigned char h[512] = {0};
	size_t n = strlen(data);
	memcpy(h, name, strlen(name));
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)n);
	memcpy(h + 136, "00000000000", 11);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof h; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	fwrite(h, 1, sizeof h, f);
	unsigned char pad[512] = {0};
	fwrite(data, 1, n, f);
	fwrite(pad, 1, (512 - n % 512) % 512, f);
}

static int setup(void **state)
{
	(void)state;
	const char *tmp = getenv("VIGIL_TEST_TMP");
	snprintf(dir, sizeof dir, "%s/inspect_archive.XXXXXX", tmp ? tmp : "/tmp");
	if (tmp)
		(void)mkdir(tmp, 0755); /* may exist; e2e tests run as nobody pass through */
	if (!mkdtemp(dir))
		return -1;
	snprintf(tarpath, sizeof tarpath, "%s/t.tar", dir);
	snprintf(txtpath, sizeof txtpath, "%s/plain.txt", dir);
	FILE *f = fopen(tarpath, "wb");
	if (!f)
		return -1;
	tar_member(f, "a.txt", "hello\n");
	tar_member(f, "dir/b.txt", "second member\n");
	unsigned char end[1024] = {0};
	fwrite(end, 1, sizeof end, f);
	fclose(f);
	f = fopen(txtpath, "wb");
	if (!f)
		return -1;
	fputs("just text, no container\n", f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(tarpath);
	unlink(txtpath);
	rmdir(dir);
	return 0;
}

static json_t *member(json_t *a, const char *path)
{
	size_t i;
	json_t *o;
	json_array_foreach(a, i, o) {
		if (!strcmp(json_string_value(json_object_get(o, "path")), path))
			return o;
	}
	return NULL;
}

static void test_tree(void **state)
{
	(void)state;
	char *text = NULL, want[4300];
	assert_int_equal(vigil_inspect_members(tarpath, NULL, &text, on_diag, NULL), VIGIL_OK);
	assert_non_null(text);
	json_t *a = json_loads(text, 0, NULL);
	free(text);
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), 2);
	snprintf(want, sizeof want, "%s!/a.txt", tarpath);
	json_t *o = member(a, want);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "depth")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "size")), 6);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "ok");
	assert_string_equal(json_string_value(json_object_get(o, "type")), "file");
	/* sha256("hello\n") */
	assert_string_equal(json_string_value(json_object_get(o, "sha256")),
			    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
	assert_null(json_object_get(o, "binary"));
	snprintf(want, sizeof want, "%s!/dir/b.txt", tarpath);
	o = member(a, want);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "size")), 14);
	json_decref(a);
}

static void test_member(void **state)
{
	(void)state;
	char *text = NULL, want[4300];
	snprintf(want, sizeof want, "%s!/dir/b.txt", tarpath);
	assert_int_equal(vigil_inspect_member(tarpath, want, NULL, &text, on_diag, NULL),
			 VIGIL_OK);
	json_t *r = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "path")), want);
	assert_int_equal(json_integer_value(json_object_get(r, "size")), 14);
	json_decref(r);

	errors = 0;
	snprintf(want, sizeof want, "%s!/dir/none.txt", tarpath);
	assert_int_equal(vigil_inspect_member(tarpath, want, NULL, &text, on_diag, NULL),
			 VIGIL_FAILED);
	assert_null(text);
	assert_int_equal(errors, 1);
}

static void test_not_container(void **state)
{
	(void)state;
	char *text = (char *)"x";
	assert_int_equal(vigil_inspect_members(txtpath, NULL, &text, on_diag, NULL), VIGIL_OK);
	assert_null(text);
	errors = 0;
	char want[4300];
	snprintf(want, sizeof want, "%s!/x", txtpath);
	assert_int_equal(vigil_inspect_member(txtpath, want, NULL, &text, on_diag, NULL),
			 VIGIL_FAILED);
	assert_int_equal(errors, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_member),
		cmocka_unit_test(test_not_container),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
