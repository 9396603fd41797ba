/* lib/rules_split.c: rule spans, required first bytes and size bounds,
 * file classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules_split.h"

/* The first bytes the only rule of text requires, as a string; "" for
 * none; "?" when the text was not understood. */
static const char *prefix_of(const char *text)
{
	static char out[5];
	struct vg_rule_list l;
	int rc = vg_rules_parse(text, strlen(text), &l);
	if (rc != 1 || l.n != 1) {
		vg_rule_list_free(&l);
		return "?";
	}
	memcpy(out, l.rules[0].prefix, l.rules[0].prefix_len);
	out[l.rules[0].prefix_len] = '\0';
	vg_rule_list_free(&l);
	return out;
}

#define COND(c) "rule r { strings: $a = \"x\" condition: " c " }"

static void test_prefix(void **state)
{
	(void)state;
	assert_string_equal(prefix_of(COND("uint16(0) == 0x5a4d")), "MZ");
	assert_string_equal(prefix_of(COND("uint16(0)==0x5A4D and $a")), "MZ");
	assert_string_equal(prefix_of(COND("$a and 0x5a4d == uint16(0)")), "MZ");
	assert_string_equal(prefix_of(COND("uint16be(0) == 0x4d5a and $a")), "MZ");
	assert_string_equal(prefix_of(COND("uint16(0) == 23117 and $a")), "MZ");
	assert_string_equal(prefix_of(COND("uint16(0x0) == 0x5a4d and $a")), "MZ");
	assert_string_equal(prefix_of(COND("uint32(0) == 0x464c457f and $a")), "\x7f" "ELF");
	assert_string_equal(prefix_of(COND("uint32be(0) == 0x7f454c46 and $a")), "\x7f" "ELF");
	assert_string_equal(prefix_of(COND("uint8(0) == 0x4d and $a")), "M");
	assert_string_equal(prefix_of(COND("uint8be(0) == 77 and $a")), "M");
	/* inside parentheses, in any conjunct */
	assert_string_equal(prefix_of(COND("(uint16(0) == 0x5a4d)")), "MZ");
	assert_string_equal(prefix_of(COND("$a and (filesize < 1MB and (uint16(0) == 0x5a4d))")), "MZ");
	assert_string_equal(prefix_of(COND("((($a and uint16(0) == 0x5a4d)))")), "MZ");
	assert_string_equal(prefix_of(COND("for any i in (1..2) : (i > 0) and uint16(0) == 0x5a4d")), "MZ");
	assert_string_equal(prefix_of(COND("pe.number_of_sections > 1 and uint16(0) == 0x5a4d")), "MZ");
}

static void test_no_prefix(void **state)
{
	(void)state;
	/* a top-level or: (MZ and $a) or $b does not require MZ */
	assert_string_equal(prefix_of(COND("uint16(0) == 0x5a4d or $a")), "");
	assert_string_equal(prefix_of(COND("uint16(0) == 0x5a4d and $a or $a")), "");
	assert_string_equal(prefix_of(COND("$a or (uint16(0) == 0x5a4d and $a)")), "");
	assert_string_equal(prefix_of(COND("(uint16(0) == 0x5a4d or $a) and $a")), "");
	/* negated, masked, other offsets, values that do not fit */
	assert_string_equal(prefix_of(COND("not uint16(0) == 0x5a4d and $a")), "");
	assert_string_equal(prefix_of(COND("not (uint16(0) == 0x5a4d) and $a")), "");
	assert_string_equal(prefix_of(COND("uint16(0) == 0x5a4d & 0xffff and $a")), "");
	assert_string_equal(prefix_of(COND("uint16(0) & 0xffff == 0x5a4d and $a")), "");
	assert_string_equal(prefix_of(COND("uint16(1) == 0x5a4d and $a")), "");
	assert_string_equal(prefix_of(COND("uint16(0) != 0x5a4d and $a")), "");
	assert_string_equal(prefix_of(COND("uint16(0) == 0x15a4d and $a")), "");
	assert_string_equal(prefix_of(COND("uint16(0) == 1KB and $a")), "");
	assert_string_equal(prefix_of(COND("uint16(0) == 0o55 and $a")), "");
	assert_string_equal(prefix_of(COND("uint16(@a) == 0x5a4d and $a")), "");
	assert_string_equal(prefix_of(COND("int16(0) == 0x5a4d and $a")), "");
	assert_string_equal(prefix_of(COND("$a at 0")), "");
	/* unbalanced: left alone */
	assert_string_equal(prefix_of(COND("(uint16(0) == 0x5a4d")), "");
}

static void test_spans(void **state)
{
	(void)state;
	/* braces and keywords inside comments, strings, regexes and hex
	 * strings do not end or start a rule */
	const char *text =
		"import \"pe\"\n"
		"/* rule fake { condition: true } */\n"
		"// rule fake2 { }\n"
		"global private rule first : tag1 tag2 {\n"
		"  meta: note = \"} rule x {\" n = -1 ok = true\n"
		"  strings: $h = { 4D 5A [2-4] ( 90 | ?? ) // }\n }\n"
		"           $r = /a\\/b}{/is $s = \"\\\"}\" wide\n"
		"  condition: $h or $r or $s\n"
		"}\n"
		"rule second { condition: uint16(0) == 0x5a4d and first }\n";
	struct vg_rule_list l;
	assert_int_equal(vg_rules_parse(text, strlen(text), &l), 1);
	assert_int_equal(l.n, 2);
	const struct vg_rule_span *a = &l.rules[0], *b = &l.rules[1];
	assert_int_equal(a->start, strstr(text, "global private") - text);
	assert_int_equal(a->end, strstr(text, "}\nrule second") - text + 1);
	assert_true(a->global);
	assert_int_equal(a->name_len, 5);
	assert_memory_equal(text + a->name_off, "first", 5);
	assert_int_equal(a->prefix_len, 0);
	assert_false(b->global);
	assert_int_equal(b->start, strstr(text, "rule second") - text);
	assert_int_equal(b->end, strlen(text) - 1);
	assert_int_equal(b->prefix_len, 2);
	/* the condition identifiers include the referenced rule's name */
	int seen = 0;
	for (size_t i = 0; i < l.nidents; i++)
		seen |= l.idents[i].len == 5 && memcmp(text + l.idents[i].off, "first", 5) == 0;
	assert_true(seen);

	/* blanking keeps every newline, so line numbers stay */
	char *copy = strdup(text);
	assert_non_null(copy);
	vg_rule_blank(copy, a);
	size_t nl = 0, nl0 = 0;
	for (size_t i = 0; text[i]; i++) {
		nl0 += text[i] == '\n';
		nl += copy[i] == '\n';
		if (i >= a->start && i < a->end)
			assert_true(copy[i] == ' ' || copy[i] == '\n');
		else
			assert_int_equal(copy[i], text[i]);
	}
	assert_int_equal(nl, nl0);
	free(copy);
	vg_rule_list_free(&l);
}

static void test_not_understood(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"include \"other.yar\"\nrule r { condition: true }",
		"rule r { condition: true",
		"rule r { strings: $a = \"x condition: $a }",
		"rule r { strings: $a = /x condition: $a }",
		"rule r { strings: $a = { 4D 5A condition: $a }",
		"/* rule r { condition: true }",
		"rule r { strings: $a = \"x\" }",
		"rule { condition: true }",
		"rule r condition: true }",
		"private",
		"rule r { condition: { } }",
		"garbage rule r { condition: true }",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct vg_rule_list l;
		assert_int_equal(vg_rules_parse(bad[i], strlen(bad[i]), &l), 0);
		vg_rule_list_free(&l);
	}
	/* a NUL byte: YARA would not see what follows it */
	const char nul[] = "rule r { condition: true }\0rule s { condition: true }";
	struct vg_rule_list l;
	assert_int_equal(vg_rules_parse(nul, sizeof nul - 1, &l), 0);
	vg_rule_list_free(&l);
	/* deep nesting is bounded, not recursed without end */
	size_t depth = 100000;
	char *deep = malloc(2 * depth + 64);
	assert_non_null(deep);
	char *p = deep + sprintf(deep, "rule d { condition: ");
	memset(p, '(', depth);
	p += depth;
	p += sprintf(p, "uint16(0) == 0x5a4d");
	memset(p, ')', depth);
	strcpy(p + depth, " }");
	assert_int_equal(vg_rules_parse(deep, strlen(deep), &l), 1);
	vg_rule_list_free(&l);
	free(deep);
}

static void test_classes(void **state)
{
	(void)state;
	assert_int_equal(vigil_file_class_of("MZ\x90", 3), VIGIL_FILE_MZ);
	assert_int_equal(vigil_file_class_of("\x7f" "ELF\2", 5), VIGIL_FILE_ELF);
	assert_int_equal(vigil_file_class_of("\x7f" "EL", 3), VIGIL_FILE_OTHER);
	assert_int_equal(vigil_file_class_of("M", 1), VIGIL_FILE_OTHER);
	assert_int_equal(vigil_file_class_of("", 0), VIGIL_FILE_OTHER);

	const uint8_t mz[] = "MZ", elf[] = "\x7f" "ELF", m[] = "M", e2[] = "\x7f" "E",
		      mzx[] = "MZ\x90\x00", php[] = "<?ph";
	assert_true(vg_file_class_allows(VIGIL_FILE_MZ, mz, 2));
	assert_true(vg_file_class_allows(VIGIL_FILE_MZ, mzx, 4));
	assert_true(vg_file_class_allows(VIGIL_FILE_MZ, m, 1));
	assert_false(vg_file_class_allows(VIGIL_FILE_MZ, elf, 4));
	assert_false(vg_file_class_allows(VIGIL_FILE_MZ, php, 4));
	assert_true(vg_file_class_allows(VIGIL_FILE_ELF, elf, 4));
	assert_true(vg_file_class_allows(VIGIL_FILE_ELF, e2, 2));
	assert_false(vg_file_class_allows(VIGIL_FILE_ELF, mz, 2));
	assert_false(vg_file_class_allows(VIGIL_FILE_ELF, m, 1));
	/* other files: anything a known magic does not begin */
	assert_false(vg_file_class_allows(VIGIL_FILE_OTHER, mz, 2));
	assert_false(vg_file_class_allows(VIGIL_FILE_OTHER, mzx, 4));
	assert_false(vg_file_class_allows(VIGIL_FILE_OTHER, elf, 4));
	assert_true(vg_file_class_allows(VIGIL_FILE_OTHER, m, 1));  /* "Mx" */
	assert_true(vg_file_class_allows(VIGIL_FILE_OTHER, e2, 2)); /* "\x7f" "Ex" */
	assert_true(vg_file_class_allows(VIGIL_FILE_OTHER, php, 4));
}

static int never(const char *name, size_t len, void *ctx)
{
	(void)name, (void)len, (void)ctx;
	return 0;
}

static int always(const char *name, size_t len, void *ctx)
{
	(void)name, (void)len, (void)ctx;
	return 1;
}

static void test_removable(void **state)
{
	(void)state;
	const char *text = "rule a { condition: uint16(0) == 0x5a4d }\n"
			   "global rule g { condition: uint16(0) == 0x5a4d }\n"
			   "rule n { condition: true }\n";
	struct vg_rule_list l;
	assert_int_equal(vg_rules_parse(text, strlen(text), &l), 1);
	assert_int_equal(l.n, 3);
	assert_true(vg_rule_removable(text, &l.rules[0], VIGIL_FILE_ELF, 0, never, NULL));
	assert_false(vg_rule_removable(text, &l.rules[0], VIGIL_FILE_MZ, 0, never, NULL));
	assert_false(vg_rule_removable(text, &l.rules[0], VIGIL_FILE_ELF, 0, always, NULL));
	assert_false(vg_rule_removable(text, &l.rules[1], VIGIL_FILE_ELF, 0, never, NULL));
	assert_false(vg_rule_removable(text, &l.rules[2], VIGIL_FILE_OTHER, 0, never, NULL));
	vg_rule_list_free(&l);
}

/* The size bound of the only rule of text: 0 for none, -1 when the text
 * was not understood. */
static long long below_of(const char *cond)
{
	char text[512];
	snprintf(text, sizeof text, "rule r { strings: $a = \"x\" condition: %s }", cond);
	struct vg_rule_list l;
	int rc = vg_rules_parse(text, strlen(text), &l);
	long long v = rc == 1 && l.n == 1 ? (long long)l.rules[0].below : -1;
	vg_rule_list_free(&l);
	return v;
}

static void test_size_bound(void **state)
{
	(void)state;
	assert_int_equal(below_of("filesize < 100"), 100);
	assert_int_equal(below_of("filesize <= 100"), 101);
	assert_int_equal(below_of("100 > filesize"), 100);
	assert_int_equal(below_of("100 >= filesize"), 101);
	assert_int_equal(below_of("filesize < 0x100"), 256);
	assert_int_equal(below_of("filesize < 2KB"), 2048);
	assert_int_equal(below_of("filesize < 1MB and $a"), 1 << 20);
	/* the smallest bound of the conjuncts, inside parentheses too */
	assert_int_equal(below_of("$a and (filesize < 500KB and filesize < 3MB) and filesize < 1MB"),
			 500 << 10);
	assert_int_equal(below_of("((filesize < 7)) and $a"), 7);
	/* not a bound the file must keep */
	assert_int_equal(below_of("filesize < 1MB or $a"), 0);
	assert_int_equal(below_of("not filesize < 1MB and $a"), 0);
	assert_int_equal(below_of("filesize > 1MB and $a"), 0);
	assert_int_equal(below_of("filesize < 1MB == true"), 0);
	assert_int_equal(below_of("filesize < 1MB | 1 and $a"), 0);
	assert_int_equal(below_of("filesize < 1 * 1024 and $a"), 0);
	assert_int_equal(below_of("filesize < 10kb and $a"), 0);
	assert_int_equal(below_of("filesize < 0x10KB and $a"), 0);
	assert_int_equal(below_of("filesize - 1 < 100 and $a"), 0);
	assert_int_equal(below_of("filesize < 99999999999999999999 and $a"), 0);
	assert_int_equal(below_of("for any i in (1..#a) : (filesize < 5) and $a"), 0);

	const char *text = "rule s { condition: filesize < 1MB }\n"
			   "rule t { condition: filesize <= 1MB }\n";
	struct vg_rule_list l;
	assert_int_equal(vg_rules_parse(text, strlen(text), &l), 1);
	assert_false(vg_rule_removable(text, &l.rules[0], VIGIL_FILE_MZ, (1 << 20) - 1, never, NULL));
	assert_true(vg_rule_removable(text, &l.rules[0], VIGIL_FILE_MZ, 1 << 20, never, NULL));
	assert_false(vg_rule_removable(text, &l.rules[0], VIGIL_FILE_MZ, 1 << 20, always, NULL));
	assert_false(vg_rule_removable(text, &l.rules[1], VIGIL_FILE_MZ, 1 << 20, never, NULL));
	vg_rule_list_free(&l);
}

/* Imports no rule left in the text names are blanked, the others kept. */
static void test_unused_imports(void **state)
{
	(void)state;
	const char *src = "import \"pe\"\nimport \"math\"\n// import \"elf\"\n"
			  "rule a { condition: uint16(0) == 0x5a4d and pe.is_pe }\n"
			  "rule b { condition: math.entropy(0, filesize) > 7 }\n"
			  "rule c { strings: $s = \"import \\\"pe\\\"\" condition: $s }\n";
	struct vg_rule_list l;
	assert_int_equal(vg_rules_parse(src, strlen(src), &l), 1);
	char *copy = strdup(src);
	assert_non_null(copy);
	/* nothing left out: every import is used or in a comment */
	assert_int_equal(vg_blank_unused_imports(copy, strlen(copy), &l), 1);
	assert_non_null(strstr(copy, "import \"pe\""));
	assert_non_null(strstr(copy, "import \"math\""));
	assert_null(strstr(copy, "// import \"elf\""));
	/* rule a left out: pe unused, the string in rule c untouched */
	strcpy(copy, src);
	vg_rule_blank(copy, &l.rules[0]);
	assert_int_equal(vg_blank_unused_imports(copy, strlen(copy), &l), 2);
	assert_null(strstr(copy, "import \"pe\"\n"));
	assert_non_null(strstr(copy, "import \"math\""));
	assert_non_null(strstr(copy, "$s = \"import \\\"pe\\\"\""));
	free(copy);
	vg_rule_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),	   cmocka_unit_test(test_no_prefix),
		cmocka_unit_test(test_spans),	   cmocka_unit_test(test_not_understood),
		cmocka_unit_test(test_classes),	   cmocka_unit_test(test_removable),
		cmocka_unit_test(test_size_bound), cmocka_unit_test(test_unused_imports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
