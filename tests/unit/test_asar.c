/*
 * The asar reader (containers/asar.c) through its ops on archives built
 * here byte by byte: member names, types, sizes and the SHA-256 of the
 * bytes read; integrity records that match and that do not; and damaged
 * archives (offsets and sizes past the end, negative and huge sizes,
 * headers bigger than the file, bad JSON, deep nesting, every truncation)
 * that must fail cleanly, never crash and never read outside the buffer
 * (ASan in the sanitizer build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "containers/container.h"
#include "formats/byteread.h"

extern const vg_container_ops vg_reader_asar;
static const vg_container_ops *R = &vg_reader_asar;

/* An asar of the JSON header json and the file data (dlen bytes). */
static uint8_t *mk(const char *json, const void *data, size_t dlen, size_t *len)
{
	uint32_t s = (uint32_t)strlen(json), pad = (s + 3) & ~3u;
	*len = 16 + pad + dlen;
	uint8_t *b = calloc(1, *len);
	assert_non_null(b);
	vg_put_le32(b, 4);
	vg_put_le32(b + 4, 8 + pad);
	vg_put_le32(b + 8, 4 + pad);
	vg_put_le32(b + 12, s);
	memcpy(b + 16, json, s);
	if (dlen)
		memcpy(b + 16 + pad, data, dlen);
	return b;
}

static void hex_sha256(const void *p, size_t n, char out[65])
{
	uint8_t md[32];
	unsigned int l = 0;
	assert_true(EVP_Digest(p, n, md, &l, EVP_sha256(), NULL));
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The listing of an archive: one line per member, "T size sha name",
 * with "! message name" for a damaged one; returns the final code. */
static int list(const uint8_t *b, size_t n, char *out, size_t cap)
{
	vg_blob src = vg_blob_mem(b, n);
	char err[VG_C_ERRLEN] = "";
	out[0] = 0;
	void *a = R->open(&src, err);
	if (!a) {
		snprintf(out, cap, "open: %s", err);
		return VG_C_FATAL;
	}
	vg_member m;
	int r;
	size_t used = 0;
	while ((r = R->next(a, &m, err)) != VG_C_END && r != VG_C_FATAL) {
		char line[512];
		if (r == VG_C_DAMAGED) {
			snprintf(line, sizeof line, "! %s %s\n", err, m.name ? m.name : "?");
		} else {
			char h[65] = "-";
			char t = m.type == VG_MEMBER_DIR       ? 'd'
				 : m.type == VG_MEMBER_SYMLINK ? 'l'
				 : m.unreadable                ? 'u'
							       : 'f';
			if (t == 'f') {
				uint8_t buf[7], *all = NULL; /* odd buffer: chunking */
				size_t got, tot = 0;
				while ((r = R->read(a, buf, sizeof buf, &got, err)) == VG_C_OK) {
					all = realloc(all, tot + got);
					memcpy(all + tot, buf, got);
					tot += got;
				}
				if (r != VG_C_END) {
					snprintf(line, sizeof line, "! %s %s\n", err, m.name);
					free(all);
					goto add;
				}
				assert_int_equal(tot, m.size);
				hex_sha256(all ? all : (uint8_t *)"", tot, h);
				h[8] = 0; /* short hashes keep the expectations readable */
				free(all);
			}
			snprintf(line, sizeof line, "%c %llu %s %s%s%s%s\n", t,
				 (unsigned long long)m.size, h, m.name,
				 m.link ? " -> " : "", m.link ? m.link : "",
				 (m.mode & 0111) && t == 'f' ? " x" : "");
		}
add:
		if (used + strlen(line) < cap) {
			memcpy(out + used, line, strlen(line) + 1);
			used += strlen(line);
		}
	}
	if (r == VG_C_FATAL)
		snprintf(out + used, cap - used, "fatal: %s\n", err);
	R->close(a);
	return r;
}

static int probe(const uint8_t *b, size_t n)
{
	vg_blob src = vg_blob_mem(b, n);
	return R->probe(&src, b, n < 65536 ? n : 65536, "x.asar");
}

/* sha256("hello") = 2cf24dba..., sha256("world!") = 711e9609... */
static const char data1[] = "helloworld!";
static const char json1[] =
	"{\"files\":{\"a.txt\":{\"size\":5,\"offset\":\"0\"},"
	"\"dir\":{\"files\":{\"sub\":{\"files\":{\"w\":{\"size\":6,\"offset\":\"5\","
	"\"executable\":true}}},\"native.node\":{\"size\":100,\"unpacked\":true}}},"
	"\"lnk\":{\"link\":\"dir/sub/w\"},\"empty\":{\"size\":0,\"offset\":\"11\"}}}";

static void test_members(void **state)
{
	(void)state;
	size_t n;
	uint8_t *b = mk(json1, data1, 11, &n);
	char out[4096];
	assert_true(probe(b, n));
	assert_int_equal(list(b, n, out, sizeof out), VG_C_END);
	assert_string_equal(out, "f 5 2cf24dba a.txt\n"
				 "d 0 - dir\n"
				 "d 0 - dir/sub\n"
				 "f 6 711e9609 dir/sub/w x\n"
				 "u 100 - dir/native.node\n"
				 "l 0 - lnk -> dir/sub/w\n"
				 "f 0 e3b0c442 empty\n");
	free(b);
}

/* Through a file descriptor as well as memory. */
static void test_fd(void **state)
{
	(void)state;
	size_t n;
	uint8_t *b = mk(json1, data1, 11, &n);
	char path[] = "/tmp/test_asar.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	vg_blob src = {NULL, fd, n};
	char err[VG_C_ERRLEN];
	void *a = R->open(&src, err);
	assert_non_null(a);
	vg_member m;
	assert_int_equal(R->next(a, &m, err), VG_C_OK);
	assert_string_equal(m.name, "a.txt");
	uint8_t buf[64];
	size_t got;
	assert_int_equal(R->read(a, buf, sizeof buf, &got, err), VG_C_OK);
	assert_int_equal(got, 5);
	assert_memory_equal(buf, "hello", 5);
	/* not read to its end: next() moves on */
	assert_int_equal(R->next(a, &m, err), VG_C_OK);
	assert_string_equal(m.name, "dir");
	R->close(a);
	close(fd);
	free(b);
}

#define H_HELLO "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
/* a well-formed SHA-256 that is not that of "hello" */
#define H_WRONG "f1ba7ef1ed2e2c4b4d4b0c5a2af1cd3e3db0a0da9e03ab3f2d1d5f9a07a7d2a3"

static void test_integrity(void **state)
{
	(void)state;
	char hel[65], lo[65], json[1024], out[2048];
	hex_sha256("hel", 3, hel);
	hex_sha256("lo", 2, lo);
	size_t n;
	/* whole-file and block hashes right (blocks of 3 bytes) */
	snprintf(json, sizeof json,
		 "{\"files\":{\"a\":{\"size\":5,\"offset\":\"0\",\"integrity\":{"
		 "\"algorithm\":\"SHA256\",\"hash\":\"%s\",\"blockSize\":3,"
		 "\"blocks\":[\"%s\",\"%s\"]}}}}",
		 H_HELLO, hel, lo);
	uint8_t *b = mk(json, "hello", 5, &n);
	assert_int_equal(list(b, n, out, sizeof out), VG_C_END);
	assert_string_equal(out, "f 5 2cf24dba a\n");
	/* one byte changed: the block hash says so at the member's end */
	b[n - 5] = 'j';
	list(b, n, out, sizeof out);
	assert_string_equal(out, "! integrity mismatch: a block's SHA-256 differs "
				 "from the header a\n");
	free(b);
	/* blocks right, whole-file hash wrong */
	snprintf(json, sizeof json,
		 "{\"files\":{\"a\":{\"size\":5,\"offset\":\"0\",\"integrity\":{"
		 "\"algorithm\":\"SHA256\",\"hash\":\"%s\",\"blockSize\":3,"
		 "\"blocks\":[\"%s\",\"%s\"]}},\"b\":{\"size\":0,\"offset\":\"0\"}}}",
		 H_WRONG, hel, lo);
	b = mk(json, "hello", 5, &n);
	list(b, n, out, sizeof out);
	assert_string_equal(out, "! integrity mismatch: the file's SHA-256 differs "
				 "from the header a\nf 0 e3b0c442 b\n");
	free(b);
	/* one block (blockSize over the size): one digest checks both, so a
	 * wrong block hash beside a right file hash is still caught */
	snprintf(json, sizeof json,
		 "{\"files\":{\"a\":{\"size\":5,\"offset\":\"0\",\"integrity\":{"
		 "\"algorithm\":\"SHA256\",\"hash\":\"%s\",\"blockSize\":8,"
		 "\"blocks\":[\"%s\"]}},\"b\":{\"size\":5,\"offset\":\"0\",\"integrity\":{"
		 "\"algorithm\":\"SHA256\",\"hash\":\"%s\",\"blockSize\":8,"
		 "\"blocks\":[\"%s\"]}}}}",
		 H_HELLO, H_HELLO, H_HELLO, hel);
	b = mk(json, "hello", 5, &n);
	list(b, n, out, sizeof out);
	assert_string_equal(out, "f 5 2cf24dba a\n"
				 "! integrity mismatch: a block's SHA-256 differs "
				 "from the header b\n");
	free(b);
	/* wrong block count, bad hex: the record is reported as malformed */
	snprintf(json, sizeof json,
		 "{\"files\":{\"a\":{\"size\":5,\"offset\":\"0\",\"integrity\":{"
		 "\"algorithm\":\"SHA256\",\"hash\":\"%s\",\"blockSize\":3,"
		 "\"blocks\":[\"%s\"]}},\"c\":{\"size\":5,\"offset\":\"0\",\"integrity\":{"
		 "\"algorithm\":\"SHA256\",\"hash\":\"zz\",\"blockSize\":3,\"blocks\":[]}},"
		 "\"d\":{\"size\":5,\"offset\":\"0\",\"integrity\":{\"algorithm\":\"MD5\"}}}}",
		 H_HELLO, hel);
	b = mk(json, "hello", 5, &n);
	list(b, n, out, sizeof out);
	assert_string_equal(out,
			    "! integrity record lists the wrong number of blocks a\n"
			    "! integrity record malformed (hash, blockSize or blocks) c\n"
			    "f 5 2cf24dba d\n");
	free(b);
}

static void test_damaged_members(void **state)
{
	(void)state;
	static const char json[] =
		"{\"files\":{"
		"\"past\":{\"size\":5,\"offset\":\"9\"},"
		"\"huge\":{\"size\":18446744073709551615,\"offset\":\"0\"},"
		"\"bigoff\":{\"size\":1,\"offset\":\"18446744073709551615\"},"
		"\"ovf\":{\"size\":1,\"offset\":\"99999999999999999999\"},"
		"\"neg\":{\"size\":-1,\"offset\":\"0\"},"
		"\"negoff\":{\"size\":1,\"offset\":\"-1\"},"
		"\"nosize\":{\"offset\":\"0\"},"
		"\"junk\":{\"size\":1,\"offset\":\"1x\"},"
		"\"notobj\":7,"
		"\"badfiles\":{\"files\":[1]},"
		"\"badlink\":{\"link\":3},"
		"\"ok\":{\"size\":5,\"offset\":\"0\"}}}";
	size_t n;
	uint8_t *b = mk(json, "hello", 5, &n);
	char out[4096];
	assert_int_equal(list(b, n, out, sizeof out), VG_C_END);
	assert_string_equal(
		out,
		"! asar file: offset 9 size 5 runs past the end of the archive past\n"
		"! asar file: size missing or not a non-negative integer huge\n"
		"! asar file: offset 18446744073709551615 size 1 runs past the end of the "
		"archive bigoff\n"
		"! asar file: offset missing or not a decimal number ovf\n"
		"! asar file: size missing or not a non-negative integer neg\n"
		"! asar file: offset missing or not a decimal number negoff\n"
		"! asar file: size missing or not a non-negative integer nosize\n"
		"! asar file: offset missing or not a decimal number junk\n"
		"! asar entry is not a JSON object notobj\n"
		"! asar directory: \"files\" is not an object badfiles\n"
		"! asar link: target is not a string badlink\n"
		"f 5 2cf24dba ok\n");
	free(b);
}

static void test_bad_headers(void **state)
{
	(void)state;
	size_t n;
	char out[1024];
	uint8_t *b = mk(json1, data1, 11, &n);
	/* header pickle bigger than the file */
	vg_put_le32(b + 4, (uint32_t)n);
	assert_false(probe(b, n));
	assert_int_equal(list(b, n, out, sizeof out), VG_C_FATAL);
	vg_put_le32(b + 4, 0xffffffffu);
	assert_int_equal(list(b, n, out, sizeof out), VG_C_FATAL);
	free(b);
	/* string longer than the payload */
	b = mk(json1, data1, 11, &n);
	vg_put_le32(b + 12, 0x7fffffff);
	assert_false(probe(b, n));
	assert_int_equal(list(b, n, out, sizeof out), VG_C_FATAL);
	free(b);
	/* a header over the 64 MiB bound: an asar, refused with a message */
	{
		size_t big = (64u << 20) + 64;
		uint8_t *h = calloc(1, big + 16);
		assert_non_null(h);
		vg_put_le32(h, 4);
		vg_put_le32(h + 4, (uint32_t)big + 8);
		vg_put_le32(h + 8, (uint32_t)big + 4);
		vg_put_le32(h + 12, (uint32_t)big);
		memcpy(h + 16, "{\"files\":{}}", 12);
		assert_true(probe(h, big + 16));
		assert_int_equal(list(h, big + 16, out, sizeof out), VG_C_FATAL);
		assert_string_equal(out, "open: asar header of 67108928 bytes: more than "
					 "the 64 MiB read");
		free(h);
	}
	/* not JSON, JSON without files, files not an object */
	const char *bad[] = {"{\"files\":{\"a\":", "{\"files\" : 1}",
			     "{\"nofiles\":{}}", "[1,2]", "{\"files\":{}} trailing"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		b = mk(bad[i], NULL, 0, &n);
		assert_int_equal(list(b, n, out, sizeof out), VG_C_FATAL);
		assert_non_null(strstr(out, "open: asar header:"));
		free(b);
	}
	/* an empty archive */
	b = mk("{\"files\":{}}", NULL, 0, &n);
	assert_true(probe(b, n));
	assert_int_equal(list(b, n, out, sizeof out), VG_C_END);
	assert_string_equal(out, "");
	free(b);
	/* not asar: wrong first word, too short */
	b = mk(json1, data1, 11, &n);
	b[0] = 5;
	assert_false(probe(b, n));
	assert_false(probe(b, 10));
	free(b);
}

/* Directories nested deeper than the reader enters, and deeper than
 * jansson parses: both fail cleanly. */
static void test_deep(void **state)
{
	(void)state;
	for (int depth = 300; depth <= 3000; depth += 2700) {
		size_t cap = (size_t)depth * 24 + 64, at = 0;
		char *j = malloc(cap);
		at += (size_t)snprintf(j + at, cap - at, "{\"files\":");
		for (int i = 0; i < depth; i++)
			at += (size_t)snprintf(j + at, cap - at, "{\"d\":{\"files\":");
		at += (size_t)snprintf(j + at, cap - at, "{}");
		for (int i = 0; i < depth; i++)
			at += (size_t)snprintf(j + at, cap - at, "}}");
		snprintf(j + at, cap - at, "}");
		size_t n;
		uint8_t *b = mk(j, NULL, 0, &n);
		size_t ocap = (size_t)depth * 1200 + 1024;
		char *out = malloc(ocap);
		int r = list(b, n, out, ocap);
		if (depth == 300) {
			assert_int_equal(r, VG_C_END);
			assert_non_null(strstr(out, "! asar directory nested too deep: not entered"));
		} else {
			assert_int_equal(r, VG_C_FATAL);
		}
		free(out);
		free(b);
		free(j);
	}
}

/* Every truncation and a flipped byte at every offset: no crash, no read
 * outside the buffer, and the code is one of the four. */
static void test_truncations(void **state)
{
	(void)state;
	size_t n;
	uint8_t *b = mk(json1, data1, 11, &n);
	char out[4096];
	for (size_t k = 0; k <= n; k++) {
		uint8_t *c = malloc(k ? k : 1);
		memcpy(c, b, k);
		if (probe(c, k) || k >= 16)
			list(c, k, out, sizeof out);
		free(c);
	}
	for (size_t k = 0; k < n; k++) {
		uint8_t *c = malloc(n);
		memcpy(c, b, n);
		c[k] ^= 0xff;
		probe(c, n);
		list(c, n, out, sizeof out);
		free(c);
	}
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_fd),
		cmocka_unit_test(test_integrity),
		cmocka_unit_test(test_damaged_members),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_deep),
		cmocka_unit_test(test_truncations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
