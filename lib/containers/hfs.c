/*
 * HFS+ / HFSX reader (hfs.h). Layout from Apple's TN1150 "HFS Plus Volume
 * Format"; all multi-byte values big-endian.
 *
 * open: volume header → extents-overflow leaf records (all, sorted, so a
 * fork's further extents are a binary search) → catalog header node → one
 * pass over the catalog's leaf chain collecting folders (ID, parent, name)
 * for paths. next: a second pass over the leaf chain, one member per
 * folder, file (data fork) and nonempty resource fork. Leaf chains are
 * guarded by a bitmap of visited nodes; every node number is checked
 * against the tree's node count and every extent against the volume.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "containers/hfs.h"
#include "formats/byteread.h"

#define HFS_EPOCH_DELTA 2082844800 /* 1904-01-01 to 1970-01-01, seconds */
#define CNID_ROOT_PARENT 1u
#define CNID_ROOT 2u
#define CNID_EXTENTS 3u
#define CNID_CATALOG 4u
#define REC_FOLDER 1
#define REC_FILE 2
#define FORK_DATA 0x00
#define FORK_RSRC 0xFF
#define UF_COMPRESSED_FLAG 0x20
#define FOURCC(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define LINK_TARGET_MAX 1024

typedef struct hfs_ext {
	uint32_t start, count;
} hfs_ext;

typedef struct hfs_fork {
	uint64_t size; /* logical bytes */
	hfs_ext *ex;
	size_t n, cap;
	uint64_t blocks; /* sum of the extents' counts */
	size_t hint;     /* the extent of the last read, and its first */
	uint64_t hint_base; /* logical block */
} hfs_fork;

typedef struct hfs_ovf {
	uint32_t file_id, start;
	uint8_t fork;
	hfs_ext ex[8];
} hfs_ovf;

typedef struct hfs_folder {
	uint32_t id, parent;
	size_t name; /* offset into the pool */
} hfs_folder;

typedef struct hfs_tree {
	hfs_fork fork;
	uint32_t node_size, total, first_leaf;
} hfs_tree;

struct vg_hfs {
	vg_hfs_pread_fn rd;
	void *ctx;
	uint64_t size;
	uint32_t bsize, total_blocks;
	hfs_ovf *ovf;
	size_t novf;
	hfs_tree cat;
	hfs_folder *fold;
	size_t nfold, foldcap;
	char *pool;
	size_t poollen, poolcap;
	/* the member pass */
	uint8_t *node;
	uint8_t *seen;
	uint32_t cur;
	uint16_t rec, nrec;
	int have_node, done;
	size_t members;
	/* the current member */
	char *name, *link;
	hfs_fork data;
	uint64_t pos;
	int readable;
	/* a resource fork to yield after the data fork */
	int rsrc_pending;
	uint8_t rsrc_fd[80];
	uint32_t rsrc_id;
	char *rsrc_base;
	int64_t rsrc_mtime;
	uint32_t rsrc_mode;
};


int vg_hfs_signature(const uint8_t *p, size_t n)
{
	uint16_t sig, ver;
	if (!vg_be16(p, n, 0, &sig) || !vg_be16(p, n, 2, &ver))
		return 0;
	return (sig == 0x482B && ver == 4) || (sig == 0x4858 && ver == 5);
}

/* ---- forks ---- */

static void fork_free(hfs_fork *f)
{
	free(f->ex);
	memset(f, 0, sizeof *f);
}

static int fork_add(vg_hfs *h, hfs_fork *f, uint32_t start, uint32_t count,
		    char err[VG_C_ERRLEN])
{
	if ((uint64_t)start + count > h->total_blocks ||
	    ((uint64_t)start + count) * h->bsize > h->size) {
		vg_c_seterr(err, "extent of blocks %u+%u lies past the volume (%u blocks, %llu bytes)",
		       start, count, h->total_blocks, (unsigned long long)h->size);
		return 0;
	}
	if (!vg_grow(&f->ex, &f->cap, f->n + 1, sizeof *f->ex)) {
		vg_c_seterr(err, "out of memory");
		return 0;
	}
	f->ex[f->n].start = start;
	f->ex[f->n].count = count;
	f->n++;
	f->blocks += count;
	return 1;
}

static int ovf_cmp_key(uint32_t id, uint8_t fork, uint32_t start, const hfs_ovf *o)
{
	if (id != o->file_id)
		return id < o->file_id ? -1 : 1;
	if (fork != o->fork)
		return fork < o->fork ? -1 : 1;
	if (start != o->start)
		return start < o->start ? -1 : 1;
	return 0;
}

static int ovf_cmp(const void *a, const void *b)
{
	const hfs_ovf *x = a;
	return ovf_cmp_key(x->file_id, x->fork, x->start, b);
}

static const hfs_ovf *ovf_find(const vg_hfs *h, uint32_t id, uint8_t fork,
			       uint32_t start)
{
	size_t lo = 0, hi = h->novf;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ovf_cmp_key(id, fork, start, &h->ovf[mid]);
		if (!c)
			return &h->ovf[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* A fork from its 80-byte HFSPlusForkData and the overflow records. */
static int fork_build(vg_hfs *h, const uint8_t *fd, uint32_t id, uint8_t forktype,
		      hfs_fork *f, char err[VG_C_ERRLEN])
{
	memset(f, 0, sizeof *f);
	uint64_t lsize;
	vg_be64(fd, 80, 0, &lsize);
	f->size = lsize;
	uint64_t need = lsize / h->bsize + (lsize % h->bsize != 0);
	for (int i = 0; i < 8 && f->blocks < need; i++) {
		uint32_t s, c;
		vg_be32(fd, 80, 16 + 8 * (uint64_t)i, &s);
		vg_be32(fd, 80, 20 + 8 * (uint64_t)i, &c);
		if (!c)
			break;
		if (!fork_add(h, f, s, c, err))
			goto fail;
	}
	while (f->blocks < need) {
		if (f->blocks > UINT32_MAX)
			break;
		const hfs_ovf *o = ovf_find(h, id, forktype, (uint32_t)f->blocks);
		if (!o)
			break;
		uint64_t before = f->blocks;
		for (int i = 0; i < 8 && f->blocks < need; i++) {
			if (!o->ex[i].count)
				break;
			if (!fork_add(h, f, o->ex[i].start, o->ex[i].count, err))
				goto fail;
		}
		if (f->blocks == before)
			break;
	}
	if (f->blocks < need) {
		vg_c_seterr(err, "fork of %llu bytes has extents for only %llu of its %llu blocks",
		       (unsigned long long)lsize, (unsigned long long)f->blocks,
		       (unsigned long long)need);
		goto fail;
	}
	return 1;
fail:
	fork_free(f);
	return 0;
}

/* Read n bytes of the fork at logical offset off (n within the fork). */
static int fork_pread(vg_hfs *h, hfs_fork *f, uint8_t *buf, size_t n,
		      uint64_t off, char err[VG_C_ERRLEN])
{
	while (n) {
		uint64_t blk = off / h->bsize;
		if (f->hint >= f->n || blk < f->hint_base) {
			f->hint = 0;
			f->hint_base = 0;
		}
		while (f->hint < f->n && blk >= f->hint_base + f->ex[f->hint].count) {
			f->hint_base += f->ex[f->hint].count;
			f->hint++;
		}
		if (f->hint >= f->n) {
			vg_c_seterr(err, "read past the fork's extents");
			return 0;
		}
		const hfs_ext *e = &f->ex[f->hint];
		uint64_t in_ext = off - f->hint_base * h->bsize;
		uint64_t left = (uint64_t)e->count * h->bsize - in_ext;
		size_t take = n < left ? n : (size_t)left;
		uint64_t phys = (uint64_t)e->start * h->bsize + in_ext;
		size_t got = 0;
		if (h->rd(h->ctx, buf, take, phys, &got, err))
			return 0;
		if (got != take) {
			vg_c_seterr(err, "extent at byte %llu lies past the end of the volume",
			       (unsigned long long)phys);
			return 0;
		}
		buf += take;
		off += take;
		n -= take;
	}
	return 1;
}

/* ---- B-trees ---- */

static int tree_open(vg_hfs *h, hfs_tree *t, const char *what,
		     char err[VG_C_ERRLEN])
{
	uint8_t hdr[14 + 106];
	if (t->fork.size < sizeof hdr) {
		vg_c_seterr(err, "HFS+ %s file of %llu bytes is too small", what,
		       (unsigned long long)t->fork.size);
		return 0;
	}
	if (!fork_pread(h, &t->fork, hdr, sizeof hdr, 0, err))
		return 0;
	uint16_t ns;
	int8_t kind = (int8_t)hdr[8];
	vg_be32(hdr, sizeof hdr, 14 + 10, &t->first_leaf);
	vg_be16(hdr, sizeof hdr, 14 + 18, &ns);
	vg_be32(hdr, sizeof hdr, 14 + 22, &t->total);
	t->node_size = ns;
	if (kind != 1) {
		vg_c_seterr(err, "HFS+ %s file: node 0 is not a header node", what);
		return 0;
	}
	if (ns < 512 || ns > 32768 || (ns & (ns - 1))) {
		vg_c_seterr(err, "HFS+ %s file: node size %u is not a power of two in 512..32768",
		       what, ns);
		return 0;
	}
	if (t->total > VG_HFS_MAX_NODES) {
		vg_c_seterr(err, "HFS+ %s file: %u nodes, more than the %u vigil reads", what,
		       t->total, VG_HFS_MAX_NODES);
		return 0;
	}
	if ((uint64_t)t->total * ns > t->fork.size) {
		vg_c_seterr(err, "HFS+ %s file: %u nodes of %u bytes do not fit in its %llu bytes",
		       what, t->total, ns, (unsigned long long)t->fork.size);
		return 0;
	}
	return 1;
}

/* Read leaf node num of t into buf (t->node_size bytes); its record count
 * in *nrec. */
static int leaf_read(vg_hfs *h, hfs_tree *t, uint32_t num, uint8_t *buf,
		     uint16_t *nrec, const char *what, char err[VG_C_ERRLEN])
{
	if (num == 0 || num >= t->total) {
		vg_c_seterr(err, "HFS+ %s node %u is not among its %u nodes", what, num,
		       t->total);
		return 0;
	}
	if (!fork_pread(h, &t->fork, buf, t->node_size, (uint64_t)num * t->node_size,
			err))
		return 0;
	if ((int8_t)buf[8] != -1) {
		vg_c_seterr(err, "HFS+ %s node %u in the leaf chain is not a leaf", what, num);
		return 0;
	}
	vg_be16(buf, t->node_size, 10, nrec);
	if ((size_t)*nrec * 2 + 2 + 14 > t->node_size) {
		vg_c_seterr(err, "HFS+ %s node %u claims %u records", what, num, *nrec);
		return 0;
	}
	return 1;
}

/* Record i of a node: its bytes in [*off, *off + *len). */
static int node_record(const hfs_tree *t, const uint8_t *node, uint16_t nrec,
		       uint16_t i, size_t *off, size_t *len)
{
	uint16_t o = 0;
	size_t limit = t->node_size - 2 * ((size_t)nrec + 1);
	vg_be16(node, t->node_size, t->node_size - 2 * ((size_t)i + 1), &o);
	if (o < 14 || o >= limit)
		return 0;
	*off = o;
	*len = limit - o;
	return 1;
}

static int bit_seen(uint8_t *bits, uint32_t n)
{
	int was = bits[n / 8] >> (n % 8) & 1;
	bits[n / 8] |= (uint8_t)(1u << (n % 8));
	return was;
}

/* Walk a leaf chain calling fn on each record (the pass of open()). */
typedef int (*rec_fn)(vg_hfs *h, const uint8_t *r, size_t len, char err[VG_C_ERRLEN]);

static int tree_walk(vg_hfs *h, hfs_tree *t, const char *what, rec_fn fn,
		     char err[VG_C_ERRLEN])
{
	uint8_t *node = malloc(t->node_size);
	uint8_t *seen = calloc((size_t)t->total / 8 + 1, 1);
	int ok = 0;
	if (!node || !seen) {
		vg_c_seterr(err, "out of memory");
		goto out;
	}
	uint32_t num = t->first_leaf;
	while (num) {
		uint16_t nrec;
		if (num < t->total && bit_seen(seen, num)) {
			vg_c_seterr(err, "HFS+ %s leaf chain loops at node %u", what, num);
			goto out;
		}
		if (!leaf_read(h, t, num, node, &nrec, what, err))
			goto out;
		for (uint16_t i = 0; i < nrec; i++) {
			size_t off, len;
			if (!node_record(t, node, nrec, i, &off, &len)) {
				vg_c_seterr(err, "HFS+ %s node %u: record %u lies outside the node",
				       what, num, i);
				goto out;
			}
			if (!fn(h, node + off, len, err))
				goto out;
		}
		vg_be32(node, t->node_size, 0, &num);
	}
	ok = 1;
out:
	free(node);
	free(seen);
	return ok;
}

static int ovf_rec(vg_hfs *h, const uint8_t *r, size_t len, char err[VG_C_ERRLEN])
{
	uint16_t klen;
	if (!vg_be16(r, len, 0, &klen) || klen < 10 || !vg_fits(len, 2 + (size_t)klen, 64))
		return 1; /* not an extent record: ignored */
	if (h->novf >= VG_HFS_MAX_OVERFLOW) {
		vg_c_seterr(err, "HFS+ extents-overflow file holds more than %u records",
		       VG_HFS_MAX_OVERFLOW);
		return 0;
	}
	size_t cap = h->novf;
	hfs_ovf *o = realloc(h->ovf, (cap + 1) * sizeof *o);
	if (!o) {
		vg_c_seterr(err, "out of memory");
		return 0;
	}
	h->ovf = o;
	o = &h->ovf[h->novf++];
	o->fork = r[2];
	vg_be32(r, len, 4, &o->file_id);
	vg_be32(r, len, 8, &o->start);
	for (int i = 0; i < 8; i++) {
		vg_be32(r, len, 2 + (size_t)klen + 8 * (size_t)i, &o->ex[i].start);
		vg_be32(r, len, 2 + (size_t)klen + 8 * (size_t)i + 4, &o->ex[i].count);
	}
	return 1;
}

/* ---- names ---- */

static size_t put_utf8(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* HFSUniStr255 at r[off] (length, then UTF-16BE units) into out (at least
 * 3 * 255 + 1 bytes) as UTF-8: unpaired surrogates and U+0000 (the private
 * metadata folder's name starts with four) become U+FFFD. 0 when the
 * string does not fit in len. */
static int uni_name(const uint8_t *r, size_t len, size_t off, char *out)
{
	uint16_t n;
	if (!vg_be16(r, len, off, &n) || n > 255 || !vg_fits(len, off + 2, 2 * (size_t)n))
		return 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t u = 0, u2 = 0;
		vg_be16(r, len, off + 2 + 2 * i, &u);
		uint32_t c = u;
		if (u >= 0xD800 && u < 0xDC00 && i + 1 < n &&
		    vg_be16(r, len, off + 4 + 2 * i, &u2) && u2 >= 0xDC00 && u2 < 0xE000) {
			c = 0x10000 + ((uint32_t)(u - 0xD800) << 10) + (u2 - 0xDC00);
			i++;
		} else if ((u >= 0xD800 && u < 0xE000) || u == 0) {
			c = 0xFFFD;
		}
		o += put_utf8(out + o, c);
	}
	out[o] = '\0';
	return 1;
}

static int fold_rec(vg_hfs *h, const uint8_t *r, size_t len, char err[VG_C_ERRLEN])
{
	uint16_t klen;
	int16_t type;
	uint16_t t16;
	char name[3 * 255 + 1];
	if (!vg_be16(r, len, 0, &klen) || klen < 6 || !vg_be16(r, len, 2 + (size_t)klen, &t16))
		return 1;
	type = (int16_t)t16;
	if (type != REC_FOLDER || !uni_name(r, len, 6, name))
		return 1;
	uint32_t parent, id;
	vg_be32(r, len, 2, &parent);
	if (!vg_be32(r, len, 2 + (size_t)klen + 8, &id))
		return 1;
	if (h->nfold >= VG_HFS_MAX_FOLDERS) {
		vg_c_seterr(err, "HFS+ catalog holds more than %u folders", VG_HFS_MAX_FOLDERS);
		return 0;
	}
	size_t nl = strlen(name) + 1;
	if (!vg_grow(&h->fold, &h->foldcap, h->nfold + 1, sizeof *h->fold) ||
	    !vg_grow(&h->pool, &h->poolcap, h->poollen + nl, 1)) {
		vg_c_seterr(err, "out of memory");
		return 0;
	}
	memcpy(h->pool + h->poollen, name, nl);
	h->fold[h->nfold].id = id;
	h->fold[h->nfold].parent = parent;
	h->fold[h->nfold].name = h->poollen;
	h->nfold++;
	h->poollen += nl;
	return 1;
}

static int fold_cmp(const void *a, const void *b)
{
	const hfs_folder *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const hfs_folder *fold_find(const vg_hfs *h, uint32_t id)
{
	hfs_folder key = {id, 0, 0};
	if (!h->nfold)
		return NULL; /* bsearch wants a base even for 0 */
	return bsearch(&key, h->fold, h->nfold, sizeof *h->fold, fold_cmp);
}

/* "a/b/name" from the folder chain above parent; NULL with err set. */
static char *make_path(vg_hfs *h, uint32_t parent, const char *name,
		       char err[VG_C_ERRLEN])
{
	const char *parts[VG_HFS_MAX_DEPTH];
	char missing[32] = "";
	size_t np = 0, total = strlen(name) + 1;
	uint32_t id = parent;
	while (id != CNID_ROOT && id != CNID_ROOT_PARENT) {
		if (np == VG_HFS_MAX_DEPTH) {
			vg_c_seterr(err, "HFS+ folder chain above '%s' loops or is deeper than %u",
			       name, VG_HFS_MAX_DEPTH);
			return NULL;
		}
		const hfs_folder *f = fold_find(h, id);
		if (!f) {
			/* a parent not in the catalog: say so in the path */
			snprintf(missing, sizeof missing, "(folder %u)", id);
			parts[np++] = missing;
			total += strlen(missing) + 1;
			break;
		}
		parts[np++] = h->pool + f->name;
		total += strlen(h->pool + f->name) + 1;
		id = f->parent;
	}
	char *p = malloc(total);
	if (!p) {
		vg_c_seterr(err, "out of memory");
		return NULL;
	}
	size_t o = 0;
	while (np) {
		const char *s = parts[--np];
		size_t l = strlen(s);
		memcpy(p + o, s, l);
		o += l;
		p[o++] = '/';
	}
	memcpy(p + o, name, strlen(name) + 1);
	return p;
}

/* ---- open / next / read ---- */

static void member_clear(vg_hfs *h)
{
	free(h->name);
	free(h->link);
	h->name = h->link = NULL;
	fork_free(&h->data);
	h->pos = 0;
	h->readable = 0;
}

vg_hfs *vg_hfs_open(vg_hfs_pread_fn rd, void *ctx, uint64_t size,
		    char err[VG_C_ERRLEN])
{
	uint8_t vh[512];
	size_t got = 0;
	err[0] = '\0';
	if (rd(ctx, vh, sizeof vh, 1024, &got, err))
		return NULL;
	if (got < sizeof vh || !vg_hfs_signature(vh, got)) {
		vg_c_seterr(err, "no HFS+ volume header at offset 1024");
		return NULL;
	}
	vg_hfs *h = calloc(1, sizeof *h);
	if (!h) {
		vg_c_seterr(err, "out of memory");
		return NULL;
	}
	h->rd = rd;
	h->ctx = ctx;
	h->size = size;
	vg_be32(vh, sizeof vh, 40, &h->bsize);
	vg_be32(vh, sizeof vh, 44, &h->total_blocks);
	if (h->bsize < 512 || h->bsize > (1u << 20) || (h->bsize & (h->bsize - 1))) {
		vg_c_seterr(err, "HFS+ block size %u is not a power of two in 512..1 MiB",
		       h->bsize);
		goto fail;
	}
	if (!h->total_blocks) {
		vg_c_seterr(err, "HFS+ volume of 0 blocks");
		goto fail;
	}
	/* the extents-overflow file has no overflow of its own */
	hfs_tree ext;
	memset(&ext, 0, sizeof ext);
	if (!fork_build(h, vh + 192, CNID_EXTENTS, FORK_DATA, &ext.fork, err)) {
		char e2[VG_C_ERRLEN];
		snprintf(e2, sizeof e2, "HFS+ extents-overflow file: %s", err);
		memcpy(err, e2, VG_C_ERRLEN);
		goto fail;
	}
	if (ext.fork.size) {
		int ok = tree_open(h, &ext, "extents-overflow", err) &&
			 (!ext.first_leaf ||
			  tree_walk(h, &ext, "extents-overflow", ovf_rec, err));
		fork_free(&ext.fork);
		if (!ok)
			goto fail;
		if (h->novf)
			qsort(h->ovf, h->novf, sizeof *h->ovf, ovf_cmp);
	}
	if (!fork_build(h, vh + 272, CNID_CATALOG, FORK_DATA, &h->cat.fork, err)) {
		char e2[VG_C_ERRLEN];
		snprintf(e2, sizeof e2, "HFS+ catalog file: %s", err);
		memcpy(err, e2, VG_C_ERRLEN);
		goto fail;
	}
	if (!tree_open(h, &h->cat, "catalog", err))
		goto fail;
	if (h->cat.first_leaf && !tree_walk(h, &h->cat, "catalog", fold_rec, err))
		goto fail;
	if (h->nfold)
		qsort(h->fold, h->nfold, sizeof *h->fold, fold_cmp);
	h->node = malloc(h->cat.node_size);
	h->seen = calloc((size_t)h->cat.total / 8 + 1, 1);
	if (!h->node || !h->seen) {
		vg_c_seterr(err, "out of memory");
		goto fail;
	}
	h->cur = h->cat.first_leaf;
	h->done = !h->cur;
	return h;
fail:
	vg_hfs_close(h);
	return NULL;
}

static void fill_common(vg_member *m, const uint8_t *d, size_t dl)
{
	uint32_t mt;
	uint16_t mode;
	memset(m, 0, sizeof *m);
	m->mtime = VG_MTIME_UNKNOWN;
	if (vg_be32(d, dl, 16, &mt) && mt)
		m->mtime = (int64_t)mt - HFS_EPOCH_DELTA;
	if (vg_be16(d, dl, 42, &mode))
		m->mode = mode;
}

/* A resource fork pending from the last file record. */
static int next_rsrc(vg_hfs *h, vg_member *m, char err[VG_C_ERRLEN])
{
	h->rsrc_pending = 0;
	m->name = h->name = vg_asprintf("%s/..namedfork/rsrc", h->rsrc_base);
	free(h->rsrc_base);
	h->rsrc_base = NULL;
	if (!h->name) {
		vg_c_seterr(err, "out of memory");
		return VG_C_FATAL;
	}
	m->mtime = h->rsrc_mtime;
	m->mode = h->rsrc_mode;
	m->type = VG_MEMBER_FILE;
	if (!fork_build(h, h->rsrc_fd, h->rsrc_id, FORK_RSRC, &h->data, err))
		return VG_C_DAMAGED;
	m->size = h->data.size;
	h->readable = 1;
	return VG_C_OK;
}

/* The member of one catalog record, or 0 when the record is no member. */
static int record_member(vg_hfs *h, const uint8_t *r, size_t len, vg_member *m,
			 char err[VG_C_ERRLEN])
{
	uint16_t klen, t16;
	char name[3 * 255 + 1];
	if (!vg_be16(r, len, 0, &klen) || klen < 6 || !vg_be16(r, len, 2 + (size_t)klen, &t16))
		return 0;
	int16_t type = (int16_t)t16;
	if (type != REC_FOLDER && type != REC_FILE)
		return 0;
	const uint8_t *d = r + 2 + klen;
	size_t dl = len - 2 - klen;
	uint32_t parent, id;
	vg_be32(r, len, 2, &parent);
	if (!vg_be32(d, dl, 8, &id) || (type == REC_FOLDER && id == CNID_ROOT))
		return 0;
	if (h->members >= VG_HFS_MAX_MEMBERS) {
		vg_c_seterr(err, "HFS+ catalog holds more than %u members", VG_HFS_MAX_MEMBERS);
		return VG_C_FATAL;
	}
	h->members++;
	if (!uni_name(r, len, 6, name)) {
		vg_c_seterr(err, "HFS+ catalog record of ID %u: name does not fit its record", id);
		return VG_C_DAMAGED;
	}
	fill_common(m, d, dl);
	h->name = make_path(h, parent, name, err);
	if (!h->name)
		return VG_C_DAMAGED;
	m->name = h->name;
	if (type == REC_FOLDER) {
		m->type = VG_MEMBER_DIR;
		m->size = 0;
		return VG_C_OK;
	}
	if (dl < 248) {
		vg_c_seterr(err, "HFS+ file record '%s' of %zu bytes is shorter than 248",
		       h->name, dl);
		return VG_C_DAMAGED;
	}
	uint32_t ftype, creator, special;
	vg_be32(d, dl, 48, &ftype);
	vg_be32(d, dl, 52, &creator);
	vg_be32(d, dl, 44, &special);
	uint64_t rsize;
	vg_be64(d, dl, 168, &rsize);
	if (rsize) {
		h->rsrc_pending = 1;
		memcpy(h->rsrc_fd, d + 168, 80);
		h->rsrc_id = id;
		h->rsrc_base = vg_strdup(h->name);
		h->rsrc_mtime = m->mtime;
		h->rsrc_mode = m->mode;
		if (!h->rsrc_base)
			h->rsrc_pending = 0;
	}
	if ((ftype == FOURCC('h', 'l', 'n', 'k') && creator == FOURCC('h', 'f', 's', '+')) ||
	    (ftype == FOURCC('f', 'd', 'r', 'p') && creator == FOURCC('M', 'A', 'C', 'S'))) {
		m->type = VG_MEMBER_HARDLINK;
		h->link = vg_asprintf("%s%u", ftype == FOURCC('h', 'l', 'n', 'k') ? "iNode" : "dir_",
				      special);
		m->link = h->link;
		m->size = 0;
		return VG_C_OK;
	}
	int is_link = (ftype == FOURCC('s', 'l', 'n', 'k') && creator == FOURCC('r', 'h', 'a', 'p')) ||
		      (m->mode & 0170000) == 0120000;
	if (!fork_build(h, d + 88, id, FORK_DATA, &h->data, err)) {
		char e2[VG_C_ERRLEN];
		snprintf(e2, sizeof e2, "HFS+ file '%s': %s", h->name, err);
		memcpy(err, e2, VG_C_ERRLEN);
		return VG_C_DAMAGED;
	}
	if (is_link) {
		size_t n = h->data.size < LINK_TARGET_MAX ? (size_t)h->data.size : LINK_TARGET_MAX;
		h->link = malloc(n + 1);
		if (!h->link) {
			vg_c_seterr(err, "out of memory");
			return VG_C_FATAL;
		}
		if (!fork_pread(h, &h->data, (uint8_t *)h->link, n, 0, err)) {
			char e2[VG_C_ERRLEN];
			snprintf(e2, sizeof e2, "HFS+ symlink '%s': %s", h->name, err);
			memcpy(err, e2, VG_C_ERRLEN);
			return VG_C_DAMAGED;
		}
		h->link[n] = '\0';
		m->type = VG_MEMBER_SYMLINK;
		m->link = h->link;
		m->size = 0;
		return VG_C_OK;
	}
	m->type = VG_MEMBER_FILE;
	m->size = h->data.size;
	if (d[41] & UF_COMPRESSED_FLAG) {
		m->unreadable = "HFS+ compressed file (decmpfs)";
		return VG_C_OK;
	}
	h->readable = 1;
	return VG_C_OK;
}

int vg_hfs_next(vg_hfs *h, vg_member *m, char err[VG_C_ERRLEN])
{
	member_clear(h);
	memset(m, 0, sizeof *m);
	m->mtime = VG_MTIME_UNKNOWN;
	err[0] = '\0';
	if (h->rsrc_pending)
		return next_rsrc(h, m, err);
	for (;;) {
		if (h->done)
			return VG_C_END;
		if (!h->have_node) {
			if (h->cur < h->cat.total && bit_seen(h->seen, h->cur)) {
				vg_c_seterr(err, "HFS+ catalog leaf chain loops at node %u", h->cur);
				h->done = 1;
				return VG_C_FATAL;
			}
			if (!leaf_read(h, &h->cat, h->cur, h->node, &h->nrec, "catalog", err)) {
				h->done = 1;
				return VG_C_FATAL;
			}
			h->have_node = 1;
			h->rec = 0;
		}
		if (h->rec >= h->nrec) {
			uint32_t next = 0;
			vg_be32(h->node, h->cat.node_size, 0, &next);
			h->have_node = 0;
			h->cur = next;
			h->done = !next;
			continue;
		}
		size_t off, len;
		uint16_t i = h->rec++;
		if (!node_record(&h->cat, h->node, h->nrec, i, &off, &len)) {
			vg_c_seterr(err, "HFS+ catalog node %u: record %u lies outside the node",
			       h->cur, i);
			h->done = 1;
			return VG_C_FATAL;
		}
		int st = record_member(h, h->node + off, len, m, err);
		if (st)
			return st;
		member_clear(h);
	}
}

int vg_hfs_read(vg_hfs *h, uint8_t *buf, size_t cap, size_t *got,
		char err[VG_C_ERRLEN])
{
	*got = 0;
	if (!h->readable || h->pos >= h->data.size)
		return VG_C_END;
	uint64_t left = h->data.size - h->pos;
	size_t n = cap < left ? cap : (size_t)left;
	if (!n)
		return VG_C_END;
	if (!fork_pread(h, &h->data, buf, n, h->pos, err)) {
		h->readable = 0;
		return VG_C_DAMAGED;
	}
	h->pos += n;
	*got = n;
	return VG_C_OK;
}

void vg_hfs_close(vg_hfs *h)
{
	if (!h)
		return;
	member_clear(h);
	free(h->rsrc_base);
	fork_free(&h->cat.fork);
	free(h->ovf);
	free(h->fold);
	free(h->pool);
	free(h->node);
	free(h->seen);
	free(h);
}

/* ---- the standalone reader ("hfs+") ---- */

static int blob_rd(void *ctx, void *buf, size_t n, uint64_t off, size_t *got,
		   char err[VG_C_ERRLEN])
{
	int e = vg_blob_pread(ctx, buf, n, off, got);
	if (e)
		vg_c_seterr(err, "read error: %s", strerror(e));
	return e;
}

static int hfs_probe(const vg_blob *src, const uint8_t *head, size_t n,
		     const char *name)
{
	return n > 1024 && vg_hfs_signature(head + 1024, n - 1024);
}

typedef struct hfs_reader {
	vg_blob src;
	vg_hfs *h;
} hfs_reader;

static void *hfs_open_op(const vg_blob *src, char err[VG_C_ERRLEN])
{
	hfs_reader *r = calloc(1, sizeof *r);
	if (!r) {
		vg_c_seterr(err, "out of memory");
		return NULL;
	}
	r->src = *src;
	r->h = vg_hfs_open(blob_rd, &r->src, src->size, err);
	if (!r->h) {
		free(r);
		return NULL;
	}
	return r;
}

static int hfs_next_op(void *st, vg_member *m, char err[VG_C_ERRLEN])
{
	return vg_hfs_next(((hfs_reader *)st)->h, m, err);
}

static int hfs_read_op(void *st, uint8_t *buf, size_t cap, size_t *got,
		       char err[VG_C_ERRLEN])
{
	return vg_hfs_read(((hfs_reader *)st)->h, buf, cap, got, err);
}

static void hfs_close_op(void *st)
{
	hfs_reader *r = st;
	if (!r)
		return;
	vg_hfs_close(r->h);
	free(r);
}

const vg_container_ops vg_reader_hfs = {
	"hfs+", hfs_probe, hfs_open_op, hfs_next_op, hfs_read_op, hfs_close_op,
};
