/*
 * Electron asar archives (resources/app.asar): a Chromium Pickle holding a
 * JSON header, then the file data.
 *
 *   0   uint32 LE 4             size of the next field
 *   4   uint32 LE H             size of the header pickle
 *   8   uint32 LE P             the header pickle's payload size
 *   12  uint32 LE S             length of the JSON string
 *   16  S bytes                 {"files":{...}}, padded to 4
 *   8+H                         file data; "offset" counts from here
 *
 * An entry is a directory ({"files": {...}}), a symlink ({"link": "t"}) or
 * a file ({"offset": "123", "size": 456, "executable": true, "unpacked":
 * true, "integrity": {...}}). The layout has no Debian library (docs/
 * design.md): the fixed header is read with formats/byteread.h, the JSON
 * with jansson under bounds on its size, the directory depth and the entry
 * count; every offset and size is checked against the source.
 *
 * Members come out depth first in the header's order, directories
 * included. A file marked "unpacked" lives beside the archive in
 * <name>.unpacked/ and is a member whose bytes are unreadable, so that a
 * listing still shows it. Integrity records (SHA-256 of the whole file and
 * of each block, as Electron's ASAR integrity writes them) are checked
 * while a member is read to its end; a mismatch makes the final read()
 * return VG_C_DAMAGED with a message saying so.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "containers/container.h"
#include "formats/byteread.h"

#define ASAR_MAX_HEADER (64u << 20) /* bytes of JSON */
#define ASAR_MAX_DEPTH 256          /* directory levels */
#define ASAR_MAX_ENTRIES 1000000u   /* members of one archive */
#define ASAR_MAX_NAME 65536         /* bytes of one member's path */

typedef struct asar_frame {
	json_t *files; /* the directory's "files" object */
	void *iter;    /* next key, NULL before the first */
	size_t plen;   /* length of the directory's path in name */
	int started;
} asar_frame;

typedef struct asar {
	vg_blob src;
	json_t *root;
	uint64_t data_start;
	asar_frame stack[ASAR_MAX_DEPTH + 1];
	size_t depth;
	char *name;
	size_t entries;

	/* the current member */
	int readable;
	uint64_t off, size, pos;

	/* its integrity record, when verified */
	int verify;
	const char *bad; /* static text of the first mismatch, or NULL */
	EVP_MD_CTX *whole, *block;
	uint8_t want[32];
	json_t *blocks;
	uint64_t block_size, block_fill;
	int one_block; /* the file is one block: one digest serves both */
	size_t block_idx;
} asar;

static int probe_fields(const vg_blob *src, const uint8_t *head, size_t n,
			uint32_t *hsize, uint32_t *slen)
{
	uint32_t four, payload;
	if (!vg_le32(head, n, 0, &four) || four != 4 || !vg_le32(head, n, 4, hsize) ||
	    !vg_le32(head, n, 8, &payload) || !vg_le32(head, n, 12, slen))
		return 0;
	if (*hsize < 8 || (uint64_t)*hsize + 8 > src->size || payload > *hsize - 4 ||
	    payload < 4 || *slen > payload - 4)
		return 0;
	return 1;
}

static int asar_probe(const vg_blob *src, const uint8_t *head, size_t n,
		      const char *name)
{
	(void)name;
	uint32_t hsize, slen;
	static const char magic[] = "{\"files\"";
	if (!probe_fields(src, head, n, &hsize, &slen) || slen < sizeof magic - 1 ||
	    !vg_fits(n, 16, sizeof magic - 1))
		return 0;
	return memcmp(head + 16, magic, sizeof magic - 1) == 0;
}

static void asar_close(void *p)
{
	asar *a = p;
	if (!a)
		return;
	json_decref(a->root);
	EVP_MD_CTX_free(a->whole);
	EVP_MD_CTX_free(a->block);
	free(a->name);
	free(a);
}

static void *asar_open(const vg_blob *src, char err[VG_C_ERRLEN])
{
	uint8_t h[16];
	size_t got = 0;
	int e = vg_blob_pread(src, h, sizeof h, 0, &got);
	uint32_t hsize, slen;
	if (e || got < sizeof h || !probe_fields(src, h, got, &hsize, &slen)) {
		snprintf(err, VG_C_ERRLEN, "%s",
			 e ? strerror(e) : "not an asar archive (bad header sizes)");
		return NULL;
	}
	if (slen > ASAR_MAX_HEADER) {
		snprintf(err, VG_C_ERRLEN,
			 "asar header of %u bytes: more than the %u MiB read", slen,
			 ASAR_MAX_HEADER >> 20);
		return NULL;
	}
	asar *a = calloc(1, sizeof *a);
	char *json = malloc(slen ? slen : 1);
	if (!a || !json) {
		free(a);
		free(json);
		snprintf(err, VG_C_ERRLEN, "out of memory");
		return NULL;
	}
	a->src = *src;
	a->data_start = 8 + (uint64_t)hsize;
	e = vg_blob_pread(src, json, slen, 16, &got);
	if (e || got != slen) {
		snprintf(err, VG_C_ERRLEN, "asar header: %s",
			 e ? strerror(e) : "truncated JSON");
		free(json);
		asar_close(a);
		return NULL;
	}
	json_error_t je;
	/* numbers as doubles, as Electron (JavaScript) reads them: a size too
	 * big for an integer is then one damaged entry, not a header jansson
	 * refuses */
	a->root = json_loadb(json, slen, JSON_DECODE_INT_AS_REAL, &je);
	free(json);
	json_t *files = a->root ? json_object_get(a->root, "files") : NULL;
	if (!json_is_object(files)) {
		if (!a->root)
			snprintf(err, VG_C_ERRLEN, "asar header: bad JSON at byte %d: %s",
				 je.position, je.text);
		else
			snprintf(err, VG_C_ERRLEN, "asar header: no \"files\" object");
		asar_close(a);
		return NULL;
	}
	a->name = malloc(ASAR_MAX_NAME + 1);
	if (!a->name) {
		snprintf(err, VG_C_ERRLEN, "out of memory");
		asar_close(a);
		return NULL;
	}
	a->name[0] = 0;
	a->stack[0].files = files;
	a->depth = 1;
	return a;
}

/* "123" or 123: a non-negative integer (below 2^63 when a number), else 0. */
static int get_u64(json_t *v, uint64_t *out)
{
	if (json_is_number(v)) {
		double d = json_number_value(v);
		if (!(d >= 0 && d < 9223372036854775808.0) || d != (double)(uint64_t)d)
			return 0;
		*out = (uint64_t)d;
		return 1;
	}
	const char *s = json_string_value(v);
	if (!s || !*s || strlen(s) > 20)
		return 0;
	uint64_t r = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		uint64_t d = (uint64_t)(*s - '0');
		if (r > (UINT64_MAX - d) / 10)
			return 0;
		r = r * 10 + d;
	}
	*out = r;
	return 1;
}

static int unhex32(const char *s, uint8_t out[32])
{
	if (!s || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 32; i++) {
		int v = 0;
		for (int j = 0; j < 2; j++) {
			int c = tolower((unsigned char)s[2 * i + j]);
			if (c >= '0' && c <= '9')
				v = v * 16 + c - '0';
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + c - 'a' + 10;
			else
				return 0;
		}
		out[i] = (uint8_t)v;
	}
	return 1;
}

/* Set up the check of an entry's integrity record; a record that is
 * present but unusable is itself reported at the end of the read. */
static void integrity_start(asar *a, json_t *integ)
{
	a->verify = 0;
	a->bad = NULL;
	if (!json_is_object(integ))
		return;
	const char *alg = json_string_value(json_object_get(integ, "algorithm"));
	if (!alg || strcmp(alg, "SHA256") != 0)
		return; /* the only algorithm Electron writes; others unverified */
	a->verify = 1;
	a->blocks = json_object_get(integ, "blocks");
	if (!unhex32(json_string_value(json_object_get(integ, "hash")), a->want) ||
	    !get_u64(json_object_get(integ, "blockSize"), &a->block_size) ||
	    json_is_string(json_object_get(integ, "blockSize")) || !a->block_size ||
	    !json_is_array(a->blocks)) {
		a->bad = "integrity record malformed (hash, blockSize or blocks)";
		return;
	}
	uint64_t nblocks = a->size / a->block_size + (a->size % a->block_size != 0);
	if (nblocks == 0)
		nblocks = 1; /* an empty file has one block, the hash of nothing */
	if (json_array_size(a->blocks) != nblocks) {
		a->bad = "integrity record lists the wrong number of blocks";
		return;
	}
	/* a file of one block (most of an app's files, with Electron's 4 MiB
	 * blocks) has one digest for the file and the block */
	if ((!a->whole && !(a->whole = EVP_MD_CTX_new())) ||
	    (!a->block && !(a->block = EVP_MD_CTX_new())) ||
	    !EVP_DigestInit_ex(a->whole, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(a->block, EVP_sha256(), NULL)) {
		a->verify = 0; /* cannot check: say nothing rather than guess */
		return;
	}
	a->block_fill = 0;
	a->block_idx = 0;
	a->one_block = nblocks == 1;
}

static void block_done(asar *a)
{
	uint8_t md[32], want[32];
	unsigned int mdlen = 0;
	if (!EVP_DigestFinal_ex(a->block, md, &mdlen) ||
	    !EVP_DigestInit_ex(a->block, EVP_sha256(), NULL)) {
		a->verify = 0;
		return;
	}
	json_t *w = json_array_get(a->blocks, a->block_idx++);
	if (!unhex32(json_string_value(w), want))
		a->bad = "integrity record malformed (a block hash)";
	else if (memcmp(md, want, 32) != 0)
		a->bad = "integrity mismatch: a block's SHA-256 differs from the header";
	a->block_fill = 0;
}

static void integrity_update(asar *a, const uint8_t *p, size_t n)
{
	if (!a->verify || a->bad)
		return;
	if (!EVP_DigestUpdate(a->whole, p, n)) {
		a->verify = 0;
		return;
	}
	if (a->one_block)
		return;
	while (n && !a->bad && a->verify) {
		uint64_t room = a->block_size - a->block_fill;
		size_t k = n < room ? n : (size_t)room;
		if (!EVP_DigestUpdate(a->block, p, k)) {
			a->verify = 0;
			return;
		}
		a->block_fill += k;
		p += k;
		n -= k;
		if (a->block_fill == a->block_size)
			block_done(a);
	}
}

/* At the member's end: NULL, or the static text of what did not match. */
static const char *integrity_end(asar *a)
{
	if (!a->verify)
		return NULL;
	a->verify = 0;
	if (a->bad)
		return a->bad;
	if (!a->one_block && a->block_fill)
		block_done(a);
	if (a->bad)
		return a->bad;
	uint8_t md[32], want[32];
	unsigned int mdlen = 0;
	if (!EVP_DigestFinal_ex(a->whole, md, &mdlen))
		return NULL;
	if (a->one_block) {
		if (!unhex32(json_string_value(json_array_get(a->blocks, 0)), want))
			return "integrity record malformed (a block hash)";
		if (memcmp(md, want, 32) != 0)
			return "integrity mismatch: a block's SHA-256 differs from the header";
	}
	if (memcmp(md, a->want, 32) != 0)
		return "integrity mismatch: the file's SHA-256 differs from the header";
	return NULL;
}

static int damaged(vg_member *m, char err[VG_C_ERRLEN], const char *what)
{
	m->type = VG_MEMBER_OTHER;
	snprintf(err, VG_C_ERRLEN, "%s", what);
	return VG_C_DAMAGED;
}

static int asar_next(void *p, vg_member *m, char err[VG_C_ERRLEN])
{
	asar *a = p;
	memset(m, 0, sizeof *m);
	m->size = VG_SIZE_UNKNOWN;
	m->mtime = VG_MTIME_UNKNOWN;
	a->readable = 0;
	a->verify = 0;
	for (;;) {
		if (!a->depth)
			return VG_C_END;
		asar_frame *f = &a->stack[a->depth - 1];
		f->iter = f->started ? json_object_iter_next(f->files, f->iter)
				     : json_object_iter(f->files);
		f->started = 1;
		if (f->iter)
			break;
		a->depth--;
	}
	if (++a->entries > ASAR_MAX_ENTRIES) {
		snprintf(err, VG_C_ERRLEN, "asar header: more than %u entries",
			 ASAR_MAX_ENTRIES);
		return VG_C_FATAL;
	}
	asar_frame *f = &a->stack[a->depth - 1];
	const char *key = json_object_iter_key(f->iter);
	json_t *e = json_object_iter_value(f->iter);
	size_t klen = strlen(key);
	if (f->plen + 1 + klen > ASAR_MAX_NAME) {
		snprintf(err, VG_C_ERRLEN, "asar header: a path longer than %d bytes",
			 ASAR_MAX_NAME);
		return VG_C_FATAL;
	}
	size_t at = f->plen;
	if (at)
		a->name[at++] = '/';
	memcpy(a->name + at, key, klen);
	a->name[at + klen] = 0;
	m->name = a->name;

	if (!json_is_object(e))
		return damaged(m, err, "asar entry is not a JSON object");
	json_t *files = json_object_get(e, "files");
	if (files) {
		if (!json_is_object(files))
			return damaged(m, err, "asar directory: \"files\" is not an object");
		if (a->depth > ASAR_MAX_DEPTH)
			return damaged(m, err, "asar directory nested too deep: not entered");
		asar_frame *c = &a->stack[a->depth++];
		c->files = files;
		c->iter = NULL;
		c->started = 0;
		c->plen = at + klen;
		m->type = VG_MEMBER_DIR;
		m->mode = S_IFDIR | 0755;
		m->size = 0;
		return VG_C_OK;
	}
	json_t *link = json_object_get(e, "link");
	if (link) {
		if (!json_is_string(link))
			return damaged(m, err, "asar link: target is not a string");
		m->type = VG_MEMBER_SYMLINK;
		m->mode = S_IFLNK | 0777;
		m->link = json_string_value(link);
		m->size = 0;
		return VG_C_OK;
	}
	uint64_t size;
	if (!get_u64(json_object_get(e, "size"), &size))
		return damaged(m, err, "asar file: size missing or not a non-negative integer");
	m->type = VG_MEMBER_FILE;
	m->size = size;
	m->mode = S_IFREG |
		  (json_is_true(json_object_get(e, "executable")) ? 0755 : 0644);
	if (json_is_true(json_object_get(e, "unpacked"))) {
		m->unreadable = "unpacked (stored outside the archive)";
		return VG_C_OK;
	}
	uint64_t off;
	if (!get_u64(json_object_get(e, "offset"), &off))
		return damaged(m, err, "asar file: offset missing or not a decimal number");
	if (off > a->src.size || a->data_start > a->src.size - off ||
	    size > a->src.size - off - a->data_start) {
		snprintf(err, VG_C_ERRLEN,
			 "asar file: offset %llu size %llu runs past the end of the archive",
			 (unsigned long long)off, (unsigned long long)size);
		m->type = VG_MEMBER_OTHER;
		return VG_C_DAMAGED;
	}
	a->readable = 1;
	a->off = a->data_start + off;
	a->size = size;
	a->pos = 0;
	integrity_start(a, json_object_get(e, "integrity"));
	return VG_C_OK;
}

static int asar_read(void *p, uint8_t *buf, size_t cap, size_t *got,
		     char err[VG_C_ERRLEN])
{
	asar *a = p;
	*got = 0;
	if (!a->readable)
		return VG_C_END;
	if (a->pos == a->size) {
		a->readable = 0;
		const char *bad = integrity_end(a);
		if (bad) {
			snprintf(err, VG_C_ERRLEN, "%s", bad);
			return VG_C_DAMAGED;
		}
		return VG_C_END;
	}
	size_t want = cap;
	if (want > a->size - a->pos)
		want = (size_t)(a->size - a->pos);
	int e = vg_blob_pread(&a->src, buf, want, a->off + a->pos, got);
	if (e || *got == 0) {
		a->readable = 0;
		snprintf(err, VG_C_ERRLEN, "asar file data: %s",
			 e ? strerror(e) : "the archive ended early");
		return VG_C_DAMAGED;
	}
	integrity_update(a, buf, *got);
	a->pos += *got;
	return VG_C_OK;
}

const vg_container_ops vg_reader_asar = {
	"asar", asar_probe, asar_open, asar_next, asar_read, asar_close,
};
