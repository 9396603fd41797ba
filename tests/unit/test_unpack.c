/*
 * The unpacking engine (containers/unpack.c) on a tiny in-memory fake
 * format, so that every path of the engine is reached without a real
 * archive: the display notation and chain of nested members, the depth
 * limit (level max_depth read, the next not opened), the expansion and
 * ratio budgets, the member-count and member-size limits, streaming of a
 * member larger than max_whole (and the spill of a streamed container), a
 * damaged member followed by good ones, a fatal container, and a container
 * claiming more members than it holds. Then the libarchive reader on a
 * tar built here byte by byte.
 *
 * The fake format: "FAKE", a 4-byte little-endian count of members it
 * claims, then per member: a type byte, a NUL-terminated name, a 4-byte
 * length and that many bytes. Types: 'F' file, 'L' symlink (bytes: its
 * target), 'E' encrypted, 'D' a damaged header (next() says DAMAGED),
 * 'R' bytes that fail half way (read() says DAMAGED), 'X' fatal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "containers/unpack.h"

/* ---- the fake reader ---- */

struct fake {
	vg_blob src;
	uint64_t off, claimed, seen;
	char name[64];
	uint8_t type;
	uint64_t left, len;
	char link[64];
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int fake_probe(const vg_blob *src, const uint8_t *h, size_t n,
		      const char *name)
{
	(void)src;
	(void)name;
	return n >= 8 && memcmp(h, "FAKE", 4) == 0;
}

static void *fake_open(const vg_blob *src, char err[VG_C_ERRLEN])
{
	uint8_t h[8];
	size_t got;
	if (vg_blob_pread(src, h, 8, 0, &got) || got < 8) {
		snprintf(err, VG_C_ERRLEN, "short header");
		return NULL;
	}
	struct fake *f = calloc(1, sizeof *f);
	f->src = *src;
	f->off = 8;
	f->claimed = le32(h + 4);
	return f;
}

static int fake_next(void *st, vg_member *m, char err[VG_C_ERRLEN])
{
	struct fake *f = st;
	f->off += f->left; /* skip what was not read */
	f->left = 0;
	if (f->seen == f->claimed)
		return VG_C_END;
	uint8_t b[1 + 64 + 4];
	size_t got;
	vg_blob_pread(&f->src, b, sizeof b, f->off, &got);
	if (got == 0) {
		snprintf(err, VG_C_ERRLEN, "claims %llu members, holds %llu",
			 (unsigned long long)f->claimed, (unsigned long long)f->seen);
		return VG_C_FATAL;
	}
	f->seen++;
	f->type = b[0];
	size_t nl = strnlen((const char *)b + 1, got - 1);
	if (nl >= sizeof f->name || 1 + nl + 1 + 4 > got) {
		snprintf(err, VG_C_ERRLEN, "bad member header");
		return VG_C_FATAL;
	}
	memcpy(f->name, b + 1, nl + 1);
	f->len = le32(b + 1 + nl + 1);
	f->off += 1 + nl + 1 + 4;
	f->left = f->len;
	m->name = f->name;
	m->size = f->len;
	m->type = VG_MEMBER_FILE;
	switch (f->type) {
	case 'L':
		m->type = VG_MEMBER_SYMLINK;
		vg_blob_pread(&f->src, f->link, f->len < 63 ? f->len : 63, f->off, &got);
		f->link[got] = '\0';
		m->link = f->link;
		break;
	case 'E':
		m->encrypted = 1;
		break;
	case 'D':
		snprintf(err, VG_C_ERRLEN, "damaged header of '%s'", f->name);
		return VG_C_DAMAGED;
	case 'X':
		snprintf(err, VG_C_ERRLEN, "fatal at '%s'", f->name);
		return VG_C_FATAL;
	}
	return VG_C_OK;
}

static int fake_read(void *st, uint8_t *buf, size_t cap, size_t *got,
		     char err[VG_C_ERRLEN])
{
	struct fake *f = st;
	*got = 0;
	if (f->type == 'R' && f->left <= f->len / 2) {
		snprintf(err, VG_C_ERRLEN, "data error in '%s'", f->name);
		return VG_C_DAMAGED;
	}
	if (!f->left)
		return VG_C_END;
	size_t n = cap < f->left ? cap : (size_t)f->left;
	if (f->type == 'R' && n > f->left - f->len / 2)
		n = (size_t)(f->left - f->len / 2);
	if (vg_blob_pread(&f->src, buf, n, f->off, got))
		return VG_C_FATAL;
	f->off += *got;
	f->left -= *got;
	return *got ? VG_C_OK : VG_C_END;
}

static void fake_close(void *st)
{
	free(st);
}

static const vg_container_ops fake_ops = {
	"fake", fake_probe, fake_open, fake_next, fake_read, fake_close,
};

static const vg_container_ops *fake_detect(const vg_blob *src,
					   const uint8_t *h, size_t n,
					   const char *name)
{
	return fake_probe(src, h, n, name) ? &fake_ops : NULL;
}

/* ---- building fake containers ---- */

struct bytes {
	uint8_t *p;
	size_t n;
};

static void put(struct bytes *b, const void *p, size_t n)
{
	b->p = realloc(b->p, b->n + n + 1);
	assert_non_null(b->p);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put32(struct bytes *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};
	put(b, x, 4);
}

static struct bytes fake_new(uint32_t claimed)
{
	struct bytes b = {0};
	put(&b, "FAKE", 4);
	put32(&b, claimed);
	return b;
}

static void fake_add(struct bytes *b, char type, const char *name,
		     const void *data, size_t n)
{
	put(b, &type, 1);
	put(b, name, strlen(name) + 1);
	put32(b, (uint32_t)n);
	put(b, data, n);
}

/* ---- recording the engine's records ---- */

#define MAXREC 64

struct rec {
	char path[256];
	size_t chain_len;
	char chain_last[64];
	vg_unpack_status status;
	vg_unpack_limit limit;
	int complete, whole, container;
	uint64_t bytes;
	char detail[300];
};

struct log {
	struct rec r[MAXREC];
	size_t n;
	uint64_t streamed_chunks, stream_begins;
};

static void on_item(void *ctx, const vg_unpack_item *it)
{
	struct log *l = ctx;
	assert_true(l->n < MAXREC);
	struct rec *r = &l->r[l->n++];
	snprintf(r->path, sizeof r->path, "%s", it->path);
	r->chain_len = it->chain_len;
	snprintf(r->chain_last, sizeof r->chain_last, "%s", it->chain[it->chain_len - 1]);
	r->status = it->status;
	r->limit = it->limit;
	r->complete = it->complete;
	r->whole = it->data != NULL;
	r->container = it->container;
	r->bytes = it->data ? it->len : it->streamed;
	snprintf(r->detail, sizeof r->detail, "%s", it->detail ? it->detail : "");
	assert_int_equal(it->depth, it->chain_len - 1);
	if (it->status != VG_UNPACK_OK)
		assert_non_null(it->detail);
}

static void on_begin(void *ctx)
{
	((struct log *)ctx)->stream_begins++;
}

static void on_chunk(void *ctx, const uint8_t *p, size_t n)
{
	(void)p;
	((struct log *)ctx)->streamed_chunks += n;
}

static int run(const vg_unpack_limits *lim, const struct bytes *b,
	       struct log *l, vg_unpack_stats *st)
{
	vg_unpack *u = vg_unpack_new(lim);
	assert_non_null(u);
	vg_unpack_set_detect(u, fake_detect);
	vg_unpack_cb cb = {on_begin, on_chunk, on_item, l};
	memset(l, 0, sizeof *l);
	memset(st, 0, sizeof *st);
	vg_blob src = vg_blob_mem(b->p, b->n);
	int rc = vg_unpack_run(u, &src, NULL, 0, "top.fake", &cb, st);
	vg_unpack_free(u);
	return rc;
}

/* ---- tests ---- */

static void test_not_a_container(void **state)
{
	(void)state;
	struct bytes b = {0};
	put(&b, "plain text, no container", 24);
	struct log l;
	vg_unpack_stats st;
	assert_int_equal(run(NULL, &b, &l, &st), 0);
	assert_int_equal(l.n, 0);
	free(b.p);
}

static void test_nested_notation(void **state)
{
	(void)state;
	struct bytes inner = fake_new(1), mid = fake_new(2), top = fake_new(2);
	fake_add(&inner, 'F', "x.dll", "MZinner", 7);
	fake_add(&mid, 'F', "readme", "hello", 5);
	fake_add(&mid, 'F', "c.fake", inner.p, inner.n);
	fake_add(&top, 'F', "/abs/b.fake", mid.p, mid.n);
	fake_add(&top, 'L', "link", "../../etc/passwd", 16);
	struct log l;
	vg_unpack_stats st;
	assert_int_equal(run(NULL, &top, &l, &st), 1);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.r[0].path, "top.fake!//abs/b.fake");
	assert_true(l.r[0].container);
	assert_string_equal(l.r[1].path, "top.fake!//abs/b.fake!/readme");
	assert_int_equal(l.r[1].chain_len, 3);
	assert_string_equal(l.r[2].path, "top.fake!//abs/b.fake!/c.fake");
	assert_string_equal(l.r[3].path, "top.fake!//abs/b.fake!/c.fake!/x.dll");
	assert_int_equal(l.r[3].chain_len, 4);
	assert_string_equal(l.r[3].chain_last, "x.dll");
	assert_int_equal(l.r[3].bytes, 7);
	assert_true(l.r[3].whole);
	assert_string_equal(l.r[4].path, "top.fake!/link");
	assert_int_equal(l.r[4].status, VG_UNPACK_SYMLINK);
	assert_non_null(strstr(l.r[4].detail, "../../etc/passwd"));
	assert_int_equal(st.containers, 3);
	assert_int_equal(st.members, 5);
	free(inner.p);
	free(mid.p);
	free(top.p);
}

/* A chain of containers n deep, the innermost holding one file. */
static struct bytes nest(unsigned n)
{
	struct bytes b = fake_new(1);
	fake_add(&b, 'F', "leaf", "leafdata", 8);
	for (unsigned i = 1; i < n; i++) {
		struct bytes o = fake_new(1);
		fake_add(&o, 'F', "n.fake", b.p, b.n);
		free(b.p);
		b = o;
	}
	return b;
}

static void test_depth(void **state)
{
	(void)state;
	vg_unpack_limits lim;
	vg_unpack_limits_init(&lim);
	lim.max_depth = 3;
	struct log l;
	vg_unpack_stats st;
	/* 3 levels of containers: the leaf is at level 3, still read */
	struct bytes b = nest(3);
	run(&lim, &b, &l, &st);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.r[2].path, "top.fake!/n.fake!/n.fake!/leaf");
	assert_int_equal(l.r[2].status, VG_UNPACK_OK);
	assert_int_equal(st.limit_hits, 0);
	free(b.p);
	/* 4 levels: the container at level 3 is read but not opened */
	b = nest(4);
	run(&lim, &b, &l, &st);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.r[2].status, VG_UNPACK_LIMIT);
	assert_int_equal(l.r[2].limit, VG_LIMIT_DEPTH);
	assert_true(l.r[2].complete);
	assert_false(l.r[2].container);
	assert_int_equal(st.limit_hits, 1);
	free(b.p);
}

static void test_damaged_then_continue(void **state)
{
	(void)state;
	uint8_t data[100];
	memset(data, 'a', sizeof data);
	struct bytes b = fake_new(4);
	fake_add(&b, 'D', "bad-header", "zz", 2);
	fake_add(&b, 'R', "bad-data", data, sizeof data);
	fake_add(&b, 'E', "secret", "xx", 2);
	fake_add(&b, 'F', "good", "fine", 4);
	struct log l;
	vg_unpack_stats st;
	run(NULL, &b, &l, &st);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.r[0].status, VG_UNPACK_DAMAGED);
	assert_string_equal(l.r[0].path, "top.fake!/bad-header");
	assert_int_equal(l.r[1].status, VG_UNPACK_DAMAGED);
	assert_false(l.r[1].complete);
	assert_non_null(strstr(l.r[1].detail, "data error in 'bad-data'"));
	assert_int_equal(l.r[2].status, VG_UNPACK_ENCRYPTED);
	assert_int_equal(l.r[3].status, VG_UNPACK_OK);
	assert_string_equal(l.r[3].path, "top.fake!/good");
	assert_int_equal(st.damaged, 2);
	free(b.p);
}

static void test_fatal_and_claims(void **state)
{
	(void)state;
	struct bytes b = fake_new(3);
	fake_add(&b, 'F', "one", "1", 1);
	fake_add(&b, 'X', "boom", "", 0);
	fake_add(&b, 'F', "never", "2", 1);
	struct log l;
	vg_unpack_stats st;
	run(NULL, &b, &l, &st);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.r[1].status, VG_UNPACK_BROKEN);
	assert_string_equal(l.r[1].path, "top.fake");
	assert_non_null(strstr(l.r[1].detail, "fatal at 'boom'"));
	assert_non_null(strstr(l.r[1].detail, "after member 'one'"));
	free(b.p);
	/* claims 1000 members, holds 2: ends with an error, no hang */
	b = fake_new(1000);
	fake_add(&b, 'F', "a", "1", 1);
	fake_add(&b, 'F', "b", "2", 1);
	run(NULL, &b, &l, &st);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.r[2].status, VG_UNPACK_BROKEN);
	assert_non_null(strstr(l.r[2].detail, "claims 1000 members, holds 2"));
	free(b.p);
	/* a run of damaged headers ends the container */
	b = fake_new(100);
	for (int i = 0; i < 100; i++)
		fake_add(&b, 'D', "d", "", 0);
	run(NULL, &b, &l, &st);
	assert_int_equal(l.n, 17);
	assert_int_equal(l.r[16].status, VG_UNPACK_BROKEN);
	free(b.p);
}

static void test_limits(void **state)
{
	(void)state;
	vg_unpack_limits lim;
	uint8_t big[4096];
	memset(big, 0, sizeof big);
	struct log l;
	vg_unpack_stats st;

	/* members per container */
	vg_unpack_limits_init(&lim);
	lim.max_members = 2;
	struct bytes b = fake_new(5);
	for (int i = 0; i < 5; i++)
		fake_add(&b, 'F', "m", "x", 1);
	run(&lim, &b, &l, &st);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.r[2].limit, VG_LIMIT_MEMBERS);
	assert_string_equal(l.r[2].path, "top.fake");
	free(b.p);

	/* member size: declared larger, not read */
	vg_unpack_limits_init(&lim);
	lim.max_member_size = 1000;
	b = fake_new(2);
	fake_add(&b, 'F', "big", big, sizeof big);
	fake_add(&b, 'F', "small", "s", 1);
	run(&lim, &b, &l, &st);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.r[0].limit, VG_LIMIT_MEMBER_SIZE);
	assert_false(l.r[0].complete);
	assert_int_equal(l.r[1].status, VG_UNPACK_OK);

	/* the expansion budget stops the whole file */
	vg_unpack_limits_init(&lim);
	lim.max_expanded = 6000;
	run(&lim, &b, &l, &st); /* 4097 bytes: within */
	assert_int_equal(st.limit_hits, 0);
	struct bytes c = fake_new(3);
	fake_add(&c, 'F', "a", big, sizeof big);
	fake_add(&c, 'F', "b", big, sizeof big);
	fake_add(&c, 'F', "c", "c", 1);
	run(&lim, &c, &l, &st);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.r[1].limit, VG_LIMIT_EXPANDED);
	assert_true(st.bytes_expanded <= 6000 + 4096);

	/* the ratio: 2 bytes per byte of the file, floor 100 */
	vg_unpack_limits_init(&lim);
	lim.max_ratio = 2;
	lim.ratio_floor = 100;
	run(&lim, &c, &l, &st); /* 8193 expanded of a 8.2 KB file: fine */
	assert_int_equal(st.limit_hits, 0);
	struct bytes inner = fake_new(4);
	for (int i = 0; i < 4; i++)
		fake_add(&inner, 'F', "z", big, sizeof big);
	struct bytes outer = fake_new(1);
	fake_add(&outer, 'F', "in.fake", inner.p, inner.n);
	lim.max_ratio = 1;
	run(&lim, &outer, &l, &st);
	assert_int_equal(st.limit_hits, 1);
	assert_int_equal(l.r[l.n - 1].limit, VG_LIMIT_RATIO);
	free(b.p);
	free(c.p);
	free(inner.p);
	free(outer.p);
}

static void test_streaming_and_spill(void **state)
{
	(void)state;
	vg_unpack_limits lim;
	vg_unpack_limits_init(&lim);
	lim.max_whole = 1000;
	uint8_t big[5000];
	memset(big, 'q', sizeof big);
	struct bytes inner = fake_new(2);
	fake_add(&inner, 'F', "pad", big, sizeof big);
	fake_add(&inner, 'F', "deep", "found", 5);
	struct bytes top = fake_new(1);
	fake_add(&top, 'F', "large.fake", inner.p, inner.n);
	struct log l;
	vg_unpack_stats st;
	run(&lim, &top, &l, &st);
	assert_int_equal(l.n, 3);
	/* the container streamed (and spilled), then opened from the spill */
	assert_true(l.r[0].complete);
	assert_false(l.r[0].whole);
	assert_true(l.r[0].container);
	assert_int_equal(l.r[0].bytes, inner.n);
	assert_false(l.r[1].whole);
	assert_int_equal(l.r[1].bytes, sizeof big);
	assert_string_equal(l.r[2].path, "top.fake!/large.fake!/deep");
	assert_true(l.r[2].whole);
	assert_int_equal(l.stream_begins, 2);
	assert_int_equal(l.streamed_chunks, inner.n + sizeof big);
	/* the same streamed container at the deepest level: read, hashed,
	 * not opened, and said so */
	lim.max_depth = 1;
	run(&lim, &top, &l, &st);
	assert_int_equal(l.n, 1);
	assert_true(l.r[0].complete);
	assert_int_equal(l.r[0].status, VG_UNPACK_LIMIT);
	assert_int_equal(l.r[0].limit, VG_LIMIT_DEPTH);
	free(inner.p);
	free(top.p);
}

/* ---- libarchive's reader ---- */

static void octal(char *f, size_t w, unsigned long v)
{
	snprintf(f, w, "%0*lo", (int)w - 1, v);
}

/* A ustar header for a file of n bytes. */
static void tar_header(uint8_t h[512], const char *name, size_t n, char type)
{
	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	octal((char *)h + 100, 8, 0644);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, n);
	octal((char *)h + 136, 12, 0);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned long sum = 0;
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06lo", sum);
}

static void test_libarchive_tar(void **state)
{
	(void)state;
	uint8_t t[512 * 6];
	memset(t, 0, sizeof t);
	tar_header(t, "a/evil.dll", 5, '0');
	memcpy(t + 512, "MZabc", 5);
	tar_header(t + 1024, "../up", 3, '0');
	memcpy(t + 1536, "abc", 3);
	vg_blob src = vg_blob_mem(t, sizeof t);
	assert_non_null(vg_container_detect(&src, t, sizeof t, "x"));
	vg_unpack *u = vg_unpack_new(NULL);
	struct log l;
	memset(&l, 0, sizeof l);
	vg_unpack_cb cb = {on_begin, on_chunk, on_item, &l};
	vg_unpack_stats st = {0};
	assert_int_equal(vg_unpack_run(u, &src, NULL, 0, "t.tar", &cb, &st), 1);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.r[0].path, "t.tar!/a/evil.dll");
	assert_int_equal(l.r[0].bytes, 5);
	assert_string_equal(l.r[1].path, "t.tar!/../up");
	/* the same tar cut in the middle of the first member's data */
	memset(&l, 0, sizeof l);
	src = vg_blob_mem(t, 514);
	assert_int_equal(vg_unpack_run(u, &src, NULL, 0, "cut.tar", &cb, &st), 1);
	assert_true(l.n >= 1);
	assert_int_equal(l.r[0].status, VG_UNPACK_DAMAGED);
	/* text and ELF are no containers */
	static const uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	src = vg_blob_mem(elf, sizeof elf);
	assert_null(vg_container_detect(&src, elf, sizeof elf, "x.tar"));
	vg_unpack_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_container),
		cmocka_unit_test(test_nested_notation),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_damaged_then_continue),
		cmocka_unit_test(test_fatal_and_claims),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_streaming_and_spill),
		cmocka_unit_test(test_libarchive_tar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
