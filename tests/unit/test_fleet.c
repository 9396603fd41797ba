/*
 * Fleet mode without a server: COPY's text format as the push writes it
 * (escapes, bytea, NULL, text that is not UTF-8), the host id (salted
 * hash of the machine id, refused when empty or missing, the override's
 * rules), an unreachable database told apart (VIGIL_FAILED) with no
 * password in the diagnostic, and the schema's least-privilege pieces.
 * The server side is tested for real by tests/e2e/fleet_*.sh.
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

#include <vigil/vigil.h>

#include "fleet/fleet_internal.h"

static char *take(struct vg_copybuf *b)
{
	assert_false(b->oom);
	char *s = malloc(b->n + 1);
	assert_non_null(s);
	memcpy(s, b->p, b->n);
	s[b->n] = '\0';
	vg_copy_free(b);
	return s;
}

static void test_copy_text(void **state)
{
	(void)state;
	struct vg_copybuf b = {0};
	/* COPY's own escapes of raw text */
	vg_copy_text(&b, "a\tb\nc\\d\re", 0, '\t');
	vg_copy_text(&b, "plain", 1, '\n');
	char *s = take(&b);
	assert_string_equal(s, "a\\tb\\nc\\\\d\\re\tplain\n");
	free(s);
	/* display text (utf8 set): controls become vigil_escape()'s \t, \n,
	 * whose backslashes COPY then escapes: the server stores "a\tb" as
	 * the four characters a, backslash, t, b */
	vg_copy_text(&b, "a\tb\nc", 1, '\n');
	s = take(&b);
	assert_string_equal(s, "a\\\\tb\\\\nc\n");
	free(s);
	/* not UTF-8: escaped by vigil_escape first, then for COPY */
	vg_copy_text(&b, "bad\xffname", 1, '\n');
	s = take(&b);
	assert_string_equal(s, "bad\\\\xffname\n");
	free(s);
	/* NULL is the empty string; \N is only written on purpose */
	vg_copy_text(&b, NULL, 1, '\t');
	vg_copy_null(&b, '\n');
	s = take(&b);
	assert_string_equal(s, "\t\\N\n");
	free(s);
}

static void test_copy_bytea_int(void **state)
{
	(void)state;
	struct vg_copybuf b = {0};
	vg_copy_bytea(&b, "A\xff\t/", 4, '\t');
	vg_copy_int(&b, -42, '\t');
	vg_copy_int(&b, 9223372036854775807LL, '\n');
	char *s = take(&b);
	assert_string_equal(s, "\\\\x41ff092f\t-42\t9223372036854775807\n");
	free(s);
	/* long keys cross the hex chunk */
	char key[700];
	memset(key, 'z', sizeof key);
	vg_copy_bytea(&b, key, sizeof key, '\n');
	s = take(&b);
	assert_int_equal(strlen(s), 3 + 2 * sizeof key + 1);
	for (size_t i = 0; i < sizeof key; i++)
		assert_memory_equal(s + 3 + 2 * i, "7a", 2);
	free(s);
}

static void test_host_id(void **state)
{
	(void)state;
	char path[512], id[33], other[33];
	test_scratch_path("fleet-machine-id", path, sizeof path);
	test_write_file(path, "abc123\n", 7);
	assert_int_equal(vigil_fleet_machine_host_id(path, id), VIGIL_OK);
	/* SHA-256 of "vigil-fleet-host-id-1\nabc123", first 32 hex digits
	 * (computed apart, with sha256sum) */
	assert_string_equal(id, "6937f3173fbfcabf385a508055a735be");
	assert_null(strstr(id, "abc123"));
	test_write_file(path, "abc124", 6);
	assert_int_equal(vigil_fleet_machine_host_id(path, other), VIGIL_OK);
	assert_string_not_equal(id, other);
	test_write_file(path, " \n", 2);
	assert_int_equal(vigil_fleet_machine_host_id(path, id), VIGIL_FATAL);
	unlink(path);
	assert_int_equal(vigil_fleet_machine_host_id(path, id), VIGIL_FATAL);
	assert_true(vigil_fleet_host_id_valid("web-01.example_2"));
	assert_true(vigil_fleet_host_id_valid(other));
	assert_false(vigil_fleet_host_id_valid(""));
	assert_false(vigil_fleet_host_id_valid(NULL));
	assert_false(vigil_fleet_host_id_valid("a b"));
	assert_false(vigil_fleet_host_id_valid("a'b"));
	assert_false(vigil_fleet_host_id_valid("123456789012345678901234567890123456789012345678901"));
}

struct diag_log {
	char all[4096];
	unsigned errors;
};

static void on_diag(void *ctx, const vigil_diag *d)
{
	struct diag_log *l = ctx;
	size_t n = strlen(l->all);
	snprintf(l->all + n, sizeof l->all - n, "%s\n", d->message);
	if (d->severity == VIGIL_DIAG_ERROR)
		l->errors++;
}

static void test_unreachable(void **state)
{
	(void)state;
	vigil_fleet_options o;
	vigil_fleet_options_init(&o);
	o.db = "postgresql://someone:secretpw@/postgres?host=/nonexistent-vigil-dir&port=1";
	o.host_id = "h1";
	o.connect_timeout_s = 2;
	struct diag_log l = {{0}, 0};
	vigil_fleet *f = (vigil_fleet *)1;
	assert_int_equal(vigil_fleet_connect(&o, on_diag, &l, &f), VIGIL_FAILED);
	assert_null(f);
	assert_int_equal(l.errors, 1);
	assert_non_null(strstr(l.all, "cannot be reached"));
	assert_null(strstr(l.all, "secretpw"));
	/* a bad host id is refused before any connection */
	o.host_id = "no spaces";
	l.all[0] = '\0';
	assert_int_equal(vigil_fleet_connect(&o, on_diag, &l, &f), VIGIL_FATAL);
	assert_non_null(strstr(l.all, "host id"));
	/* a connection string libpq cannot parse: refused, not spooled */
	o.host_id = "h1";
	o.db = "postgresql://[broken";
	assert_int_equal(vigil_fleet_connect(&o, on_diag, &l, &f), VIGIL_FATAL);
	vigil_fleet_close(NULL);
}

static void test_schema(void **state)
{
	(void)state;
	const char *s = vigil_fleet_schema_sql();
	/* the pieces the trust model stands on (docs/design.md) */
	assert_non_null(strstr(s, "ENABLE ROW LEVEL SECURITY"));
	assert_non_null(strstr(s, "WHERE role_name = session_user"));
	assert_non_null(strstr(s, "GRANT SELECT, INSERT ON vigil.sweeps, vigil.file_history, vigil.findings TO vigil_ingest"));
	assert_null(strstr(s, "SUPERUSER"));
	assert_null(strstr(s, "BYPASSRLS"));
	assert_null(strstr(s, "GRANT ALL"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_text),
		cmocka_unit_test(test_copy_bytea_int),
		cmocka_unit_test(test_host_id),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
