/*
 * The unpacking engine and every registered container reader on arbitrary
 * bytes, from memory and (the same bytes) from a file descriptor through
 * an unlinked temporary file, with small limits so that a run stays fast:
 * depth 4, 4 MiB expanded, 64 members, members held whole up to 64 KiB
 * (larger ones stream, and streamed containers spill). Seeds in
 * fuzz/corpus/unpack/ are hex text (fuzz/hexseed.h): small zip, tar,
 * cpio, ar, 7z, CAB, gzip made by the tools of the machine. Checks the
 * engine's invariants on every record: a path that starts with the
 * top-level name, a chain as long as the depth says, a detail for every
 * status but OK, bytes only for complete members.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "containers/unpack.h"
#include "fuzz.h"
#include "hexseed.h"

struct seen {
	uint64_t records, streamed;
};

static void on_chunk(void *ctx, const uint8_t *p, size_t n)
{
	struct seen *s = ctx;
	if (n && !p)
		abort();
	s->streamed += n;
}

static void on_item(void *ctx, const vg_unpack_item *it)
{
	struct seen *s = ctx;
	s->records++;
	if (!it->path || strncmp(it->path, "in", 2) != 0)
		abort();
	if (it->chain_len != it->depth + 1 || it->depth > 4 || !it->chain)
		abort();
	for (size_t i = 0; i < it->chain_len; i++)
		if (!it->chain[i])
			abort();
	if (it->status != VG_UNPACK_OK && !it->detail)
		abort();
	if (it->data && (!it->complete || it->len > (64u << 10)))
		abort();
	if (!it->member && it->status == VG_UNPACK_OK)
		abort();
}

static vg_unpack *engine(void)
{
	static vg_unpack *u;
	if (!u) {
		vg_unpack_limits lim;
		vg_unpack_limits_init(&lim);
		lim.max_depth = 4;
		lim.max_expanded = 4u << 20;
		lim.ratio_floor = 1u << 20;
		lim.max_members = 64;
		lim.max_member_size = 2u << 20;
		lim.max_whole = 64u << 10;
		u = vg_unpack_new(&lim);
	}
	return u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;
	vg_unpack *u = engine();
	if (!u)
		abort();
	struct seen s = {0};
	vg_unpack_cb cb = {NULL, on_chunk, on_item, &s};
	vg_unpack_stats st = {0};
	vg_blob src = vg_blob_mem(data, size);
	int rc = vg_unpack_run(u, &src, NULL, 0, "in", &cb, &st);
	if (rc == 0 && s.records)
		abort();
	/* the same bytes from a descriptor: readers must not depend on
	 * memory (seek and read callbacks on pread) */
	char tmpl[] = "/tmp/fuzz_unpack.XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd >= 0) {
		unlink(tmpl);
		if (write(fd, data, size) == (ssize_t)size) {
			struct seen s2 = {0};
			vg_unpack_cb cb2 = {NULL, on_chunk, on_item, &s2};
			vg_blob fsrc = {NULL, fd, size};
			int rc2 = vg_unpack_run(u, &fsrc, NULL, 0, "in", &cb2, &st);
			if (rc2 != rc)
				abort();
		}
		close(fd);
	}
	free(own);
	return 0;
}
