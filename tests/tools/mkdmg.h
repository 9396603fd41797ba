/*
 * The builder behind tests/tools/mkdmg.c, shared with tests/unit/test_dmg.c:
 * an HFS+ (or HFSX) volume written from TN1150's layout (volume header and
 * its alternate, allocation bitmap, extents-overflow and catalog B-trees
 * with header, index and leaf nodes chained by fLink, thread records) and
 * a UDIF image around it (koly trailer, XML plist, mish tables). Written
 * from the published layouts only; e2e/archives_dmg_oracle.sh checks the
 * output with 7-Zip and dmg2img, which were written independently.
 *
 * Catalog keys are sorted by parent ID, then name: HFSX binary order, or
 * for HFS+ an ASCII case fold (enough for the ASCII names the fixtures
 * use; the full Unicode fold table is not implemented).
 */
#ifndef VIGIL_TESTS_MKDMG_H
#define VIGIL_TESTS_MKDMG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <zlib.h>

enum { MK_FILE = 0, MK_DIR, MK_SYMLINK, MK_HARDLINK };

typedef struct mk_file {
	const char *path; /* "a/b/c": folders are made as needed */
	const uint8_t *data;
	size_t len;       /* a symlink: data is the target; a hard link: len is
			   * the iNode number */
	int type;
	int fragment;     /* one extent per block, gaps between: > 8 extents */
	const uint8_t *rsrc; /* a resource fork, or NULL */
	size_t rsrc_len;
	int compressed;   /* UF_COMPRESSED set (decmpfs) */
	uint8_t *owned;   /* data the tool allocated (freed at exit), or NULL */
} mk_file;

typedef struct mk_hfs_opts {
	uint32_t block;  /* 512 or 4096 */
	uint32_t node;   /* node size of both trees */
	int hfsx;
	const char *volname;
} mk_hfs_opts;

typedef struct mk_udif_opts {
	int bzip2; /* one chunk bzip2 */
	int adc;   /* one chunk typed ADC (the bytes stay raw) */
	int apfs;  /* put "NXSB" at byte 32 of the volume */
	uint32_t chunk_sectors;
	uint64_t free_sectors; /* a second partition of zeros */
	int koly_at_start;
} mk_udif_opts;

typedef struct mk_buf {
	uint8_t *b;
	size_t len, cap;
} mk_buf;

static void mk_need(mk_buf *m, size_t n)
{
	if (m->len + n <= m->cap)
		return;
	size_t c = m->cap ? m->cap : 4096;
	while (c < m->len + n)
		c *= 2;
	m->b = realloc(m->b, c);
	if (!m->b) {
		fprintf(stderr, "mkdmg: out of memory\n");
		exit(2);
	}
	memset(m->b + m->cap, 0, c - m->cap);
	m->cap = c;
}

static void mk_put(mk_buf *m, const void *p, size_t n)
{
	mk_need(m, n);
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void mk_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void mk_be32(uint8_t *b, uint32_t v)
{
	mk_be16(b, (uint16_t)(v >> 16));
	mk_be16(b + 2, (uint16_t)v);
}

static void mk_be64(uint8_t *b, uint64_t v)
{
	mk_be32(b, (uint32_t)(v >> 32));
	mk_be32(b + 4, (uint32_t)v);
}

/* ---- HFS+ ---- */

typedef struct mk_rec {
	uint32_t parent;
	char name[256]; /* ASCII */
	uint8_t data[248];
	size_t dlen;
} mk_rec;

typedef struct mk_vol {
	mk_hfs_opts o;
	mk_buf img;
	uint32_t next_block, total;
	mk_rec *recs;
	size_t nrec;
	uint32_t next_id;
	uint32_t nfiles, nfolders;
	uint8_t ovf[64 * 4]; /* up to 4 overflow records */
	uint32_t ovf_id[4], ovf_start[4];
	int novf;
	/* folder IDs by path */
	char **fpath;
	uint32_t *fid;
	size_t nf;
} mk_vol;

static int mk_fold(int c, int hfsx)
{
	return !hfsx && c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int mk_rec_cmp(const void *a, const void *b, void *hfsx);
static int mk_hfsx_flag;
static int mk_rec_cmp_q(const void *a, const void *b)
{
	return mk_rec_cmp(a, b, &mk_hfsx_flag);
}

static int mk_rec_cmp(const void *a, const void *b, void *hfsx)
{
	const mk_rec *x = a, *y = b;
	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	size_t i = 0;
	for (;; i++) {
		int cx = (unsigned char)x->name[i], cy = (unsigned char)y->name[i];
		if (!cx || !cy)
			return cx ? 1 : cy ? -1 : 0;
		cx = mk_fold(cx, *(int *)hfsx);
		cy = mk_fold(cy, *(int *)hfsx);
		if (cx != cy)
			return cx < cy ? -1 : 1;
	}
}

static mk_rec *mk_addrec(mk_vol *v, uint32_t parent, const char *name)
{
	v->recs = realloc(v->recs, (v->nrec + 1) * sizeof *v->recs);
	mk_rec *r = &v->recs[v->nrec++];
	memset(r, 0, sizeof *r);
	r->parent = parent;
	snprintf(r->name, sizeof r->name, "%s", name);
	return r;
}

/* Allocate n blocks (zeroed) at the end of the image; returns the first. */
static uint32_t mk_alloc(mk_vol *v, uint32_t n)
{
	uint32_t s = v->next_block;
	v->next_block += n;
	mk_need(&v->img, (size_t)v->next_block * v->o.block - v->img.len);
	v->img.len = (size_t)v->next_block * v->o.block;
	return s;
}

static uint32_t mk_blocks(const mk_vol *v, size_t len)
{
	return (uint32_t)((len + v->o.block - 1) / v->o.block);
}

/* Write bytes as a fork: forkdata (80 bytes) filled in; fragment: one
 * extent per block with a free block between, extents past 8 go to the
 * overflow records. */
static void mk_fork(mk_vol *v, uint8_t *fd, uint32_t id, const uint8_t *p,
		    size_t len, int fragment)
{
	uint32_t nb = mk_blocks(v, len);
	memset(fd, 0, 80);
	mk_be64(fd, len);
	mk_be32(fd + 12, nb);
	if (!nb)
		return;
	if (!fragment) {
		uint32_t s = mk_alloc(v, nb);
		memcpy(v->img.b + (size_t)s * v->o.block, p, len);
		mk_be32(fd + 16, s);
		mk_be32(fd + 20, nb);
		return;
	}
	for (uint32_t i = 0; i < nb; i++) {
		uint32_t s = mk_alloc(v, 1);
		mk_alloc(v, 1); /* the gap */
		size_t o = (size_t)i * v->o.block;
		size_t n = len - o < v->o.block ? len - o : v->o.block;
		memcpy(v->img.b + (size_t)s * v->o.block, p + o, n);
		uint8_t *e;
		if (i < 8) {
			e = fd + 16 + 8 * i;
		} else {
			int r = (int)(i - 8) / 8;
			if (r >= 4) {
				fprintf(stderr, "mkdmg: fragmented file too long\n");
				exit(2);
			}
			if (r >= v->novf) {
				v->novf = r + 1;
				v->ovf_id[r] = id;
				v->ovf_start[r] = 8 + 8 * (uint32_t)r;
			}
			e = v->ovf + 64 * r + 8 * ((i - 8) % 8);
		}
		mk_be32(e, s);
		mk_be32(e + 4, 1);
	}
}

static void mk_key_name(uint8_t *k, size_t *klen, uint32_t parent, const char *name)
{
	size_t n = strlen(name);
	mk_be16(k, (uint16_t)(6 + 2 * n));
	mk_be32(k + 2, parent);
	mk_be16(k + 6, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		mk_be16(k + 8 + 2 * i, (unsigned char)name[i]);
	*klen = 8 + 2 * n;
}

static void mk_thread(mk_vol *v, int type, uint32_t id, uint32_t parent, const char *name)
{
	mk_rec *t = mk_addrec(v, id, "");
	size_t n = strlen(name);
	mk_be16(t->data, (uint16_t)type);
	mk_be32(t->data + 4, parent);
	mk_be16(t->data + 8, (uint16_t)n);
	for (size_t i = 0; i < n; i++)
		mk_be16(t->data + 10 + 2 * i, (unsigned char)name[i]);
	t->dlen = 10 + 2 * n;
}

static uint32_t mk_folder(mk_vol *v, const char *path)
{
	if (!*path)
		return 2;
	for (size_t i = 0; i < v->nf; i++)
		if (!strcmp(v->fpath[i], path))
			return v->fid[i];
	char *dup = strdup(path);
	char *slash = strrchr(dup, '/');
	uint32_t parent = 2;
	const char *name = dup;
	if (slash) {
		*slash = '\0';
		parent = mk_folder(v, dup);
		name = slash + 1;
	}
	uint32_t id = v->next_id++;
	mk_rec *r = mk_addrec(v, parent, name);
	mk_be16(r->data, 1);
	mk_be32(r->data + 8, id);
	mk_be32(r->data + 16, 3786825600u); /* 2023-12-31 in HFS time */
	mk_be16(r->data + 42, 040755);
	r->dlen = 88;
	mk_thread(v, 3, id, parent, name);
	v->nfolders++;
	v->fpath = realloc(v->fpath, (v->nf + 1) * sizeof *v->fpath);
	v->fid = realloc(v->fid, (v->nf + 1) * sizeof *v->fid);
	v->fpath[v->nf] = strdup(path);
	v->fid[v->nf++] = id;
	free(dup);
	return id;
}

static void mk_addfile(mk_vol *v, const mk_file *f)
{
	if (f->type == MK_DIR) {
		mk_folder(v, f->path);
		return;
	}
	char *dup = strdup(f->path);
	char *slash = strrchr(dup, '/');
	uint32_t parent = 2;
	const char *name = dup;
	if (slash) {
		*slash = '\0';
		parent = mk_folder(v, dup);
		name = slash + 1;
	}
	uint32_t id = v->next_id++;
	mk_rec *r = mk_addrec(v, parent, name);
	uint8_t *d = r->data;
	mk_be16(d, 2);
	mk_be32(d + 8, id);
	mk_be32(d + 16, 3786825600u);
	if (f->type == MK_SYMLINK) {
		mk_be16(d + 42, 0120755);
		memcpy(d + 48, "slnkrhap", 8);
	} else if (f->type == MK_HARDLINK) {
		/* the link's record; its iNode file in the private folder is not
		 * written (the readers never follow links) */
		mk_be16(d + 42, 0100644);
		mk_be32(d + 44, (uint32_t)f->len);
		memcpy(d + 48, "hlnkhfs+", 8);
		r->dlen = 248;
		mk_fork(v, d + 88, id, NULL, 0, 0);
		mk_thread(v, 4, id, parent, name);
		v->nfiles++;
		free(dup);
		return;
	} else {
		mk_be16(d + 42, 0100644);
	}
	if (f->compressed)
		d[41] = 0x20;
	r->dlen = 248;
	mk_fork(v, d + 88, id, f->data, f->len, f->fragment);
	if (f->rsrc)
		mk_fork(v, d + 168, id, f->rsrc, f->rsrc_len, 0);
	mk_thread(v, 4, id, parent, name);
	v->nfiles++;
	free(dup);
}

/* A node's records from parts; returns the free offset. */
static void mk_node(uint8_t *node, uint32_t size, uint32_t flink, int8_t kind,
		    uint8_t height, const uint8_t *const *recs, const size_t *lens,
		    size_t n)
{
	memset(node, 0, size);
	mk_be32(node, flink);
	node[8] = (uint8_t)kind;
	node[9] = height;
	mk_be16(node + 10, (uint16_t)n);
	size_t off = 14;
	for (size_t i = 0; i < n; i++) {
		mk_be16(node + size - 2 * (i + 1), (uint16_t)off);
		memcpy(node + off, recs[i], lens[i]);
		off += lens[i];
	}
	mk_be16(node + size - 2 * (n + 1), (uint16_t)off);
}

static void mk_header_node(uint8_t *node, uint32_t size, uint16_t depth,
			   uint32_t root, uint32_t leafrecs, uint32_t first,
			   uint32_t last, uint16_t maxkey, uint32_t total,
			   uint8_t cmp, uint32_t attrs)
{
	uint8_t hr[106] = {0}, user[128] = {0};
	uint8_t *map = calloc(1, size - 256);
	mk_be16(hr, depth);
	mk_be32(hr + 2, root);
	mk_be32(hr + 6, leafrecs);
	mk_be32(hr + 10, first);
	mk_be32(hr + 14, last);
	mk_be16(hr + 18, (uint16_t)size);
	mk_be16(hr + 20, maxkey);
	mk_be32(hr + 22, total);
	mk_be32(hr + 26, 0);
	mk_be32(hr + 32, size);
	hr[37] = cmp;
	mk_be32(hr + 38, attrs);
	for (uint32_t i = 0; i < total && i / 8 < size - 256; i++)
		map[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	const uint8_t *recs[3] = {hr, user, map};
	size_t lens[3] = {106, 128, size - 256};
	mk_node(node, size, 0, 1, 0, recs, lens, 3);
	free(map);
}

/* Build the volume; the caller frees *out. */
static void mk_hfs(const mk_file *files, size_t n, const mk_hfs_opts *o,
		   uint8_t **out, size_t *outlen)
{
	mk_vol v;
	memset(&v, 0, sizeof v);
	v.o = *o;
	if (!v.o.volname)
		v.o.volname = "3CX Desktop App";
	v.next_id = 16;
	uint32_t bs = v.o.block, ns = v.o.node;
	mk_alloc(&v, (uint32_t)(2048 / bs ? 2048 / bs : 1)); /* boot + header */
	/* root */
	mk_rec *root = mk_addrec(&v, 1, v.o.volname);
	mk_be16(root->data, 1);
	mk_be32(root->data + 8, 2);
	mk_be16(root->data + 42, 040755);
	root->dlen = 88;
	mk_thread(&v, 3, 2, 1, v.o.volname);
	for (size_t i = 0; i < n; i++)
		mk_addfile(&v, &files[i]);
	mk_hfsx_flag = v.o.hfsx;
	qsort(v.recs, v.nrec, sizeof *v.recs, mk_rec_cmp_q);

	/* catalog leaves: records packed in node order */
	uint8_t *cat = NULL;
	size_t ncat = 1; /* header */
	uint32_t *leaf_first = calloc(v.nrec + 1, sizeof *leaf_first);
	size_t nleaf = 0;
	{
		size_t i = 0;
		while (i < v.nrec) {
			size_t used = 14 + 2, j = i;
			while (j < v.nrec) {
				size_t rl = 8 + 2 * strlen(v.recs[j].name) + v.recs[j].dlen;
				if (used + rl + 2 > ns)
					break;
				used += rl + 2;
				j++;
			}
			if (j == i) {
				fprintf(stderr, "mkdmg: node size too small for a record\n");
				exit(2);
			}
			leaf_first[nleaf++] = (uint32_t)i;
			i = j;
		}
		leaf_first[nleaf] = (uint32_t)v.nrec;
	}
	int index = nleaf > 1;
	ncat = 1 + nleaf + (size_t)index;
	cat = calloc(ncat, ns);
	for (size_t l = 0; l < nleaf; l++) {
		size_t a = leaf_first[l], b = leaf_first[l + 1];
		const uint8_t **recs = calloc(b - a, sizeof *recs);
		size_t *lens = calloc(b - a, sizeof *lens);
		uint8_t **bufs = calloc(b - a, sizeof *bufs);
		for (size_t k = a; k < b; k++) {
			size_t kl;
			bufs[k - a] = calloc(1, 600);
			mk_key_name(bufs[k - a], &kl, v.recs[k].parent, v.recs[k].name);
			memcpy(bufs[k - a] + kl, v.recs[k].data, v.recs[k].dlen);
			recs[k - a] = bufs[k - a];
			lens[k - a] = kl + v.recs[k].dlen;
		}
		uint32_t num = (uint32_t)(1 + l);
		mk_node(cat + (size_t)num * ns, ns, l + 1 < nleaf ? num + 1 : 0, -1, 1,
			recs, lens, b - a);
		/* bLink */
		mk_be32(cat + (size_t)num * ns + 4, l ? num - 1 : 0);
		for (size_t k = 0; k < b - a; k++)
			free(bufs[k]);
		free(bufs);
		free(recs);
		free(lens);
	}
	uint32_t rootnode = 1;
	if (index) {
		const uint8_t **recs = calloc(nleaf, sizeof *recs);
		size_t *lens = calloc(nleaf, sizeof *lens);
		uint8_t **bufs = calloc(nleaf, sizeof *bufs);
		for (size_t l = 0; l < nleaf; l++) {
			size_t kl;
			const mk_rec *r = &v.recs[leaf_first[l]];
			bufs[l] = calloc(1, 600);
			mk_key_name(bufs[l], &kl, r->parent, r->name);
			mk_be32(bufs[l] + kl, (uint32_t)(1 + l));
			recs[l] = bufs[l];
			lens[l] = kl + 4;
		}
		rootnode = (uint32_t)(1 + nleaf);
		mk_node(cat + (size_t)rootnode * ns, ns, 0, 0, 2, recs, lens, nleaf);
		for (size_t l = 0; l < nleaf; l++)
			free(bufs[l]);
		free(bufs);
		free(recs);
		free(lens);
	}
	mk_header_node(cat, ns, (uint16_t)(index ? 2 : 1), rootnode, (uint32_t)v.nrec,
		       1, (uint32_t)nleaf, 516, (uint32_t)ncat,
		       v.o.hfsx ? 0xBC : 0xCF, 6);

	/* extents overflow: header + one leaf with the records */
	size_t next = v.novf ? 2 : 1;
	uint8_t *ext = calloc(next, ns);
	if (v.novf) {
		uint8_t recb[4][76];
		const uint8_t *recs[4];
		size_t lens[4];
		for (int r = 0; r < v.novf; r++) {
			memset(recb[r], 0, 76);
			mk_be16(recb[r], 10);
			recb[r][2] = 0;
			mk_be32(recb[r] + 4, v.ovf_id[r]);
			mk_be32(recb[r] + 8, v.ovf_start[r]);
			memcpy(recb[r] + 12, v.ovf + 64 * r, 64);
			recs[r] = recb[r];
			lens[r] = 76;
		}
		mk_node(ext + ns, ns, 0, -1, 1, recs, lens, (size_t)v.novf);
	}
	mk_header_node(ext, ns, (uint16_t)(v.novf ? 1 : 0), v.novf ? 1 : 0,
		       (uint32_t)v.novf, v.novf ? 1 : 0, v.novf ? 1 : 0, 10,
		       (uint32_t)next, 0, 2);

	uint8_t vh[512] = {0};
	mk_fork(&v, vh + 192, 3, ext, next * ns, 0);
	mk_fork(&v, vh + 272, 4, cat, ncat * ns, 0);
	free(ext);
	free(cat);
	/* allocation bitmap, then the last block(s) for the alternate header */
	uint32_t tail = (uint32_t)(1024 / bs ? 1024 / bs : 1) + 1;
	uint32_t guess = v.next_block + tail + 1;
	uint32_t bm_blocks = mk_blocks(&v, (guess + 7) / 8 + 64);
	uint32_t bm = mk_alloc(&v, bm_blocks);
	uint32_t total = v.next_block + tail;
	mk_alloc(&v, tail);
	v.total = total;
	uint8_t *bitmap = v.img.b + (size_t)bm * bs;
	for (uint32_t i = 0; i < total; i++)
		bitmap[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	/* the gaps of fragmented files stay allocated: simpler, still valid */
	mk_be64(vh + 112, (uint64_t)bm_blocks * bs);
	mk_be32(vh + 112 + 12, bm_blocks);
	mk_be32(vh + 112 + 16, bm);
	mk_be32(vh + 112 + 20, bm_blocks);

	memcpy(vh, v.o.hfsx ? "HX" : "H+", 2);
	mk_be16(vh + 2, v.o.hfsx ? 5 : 4);
	mk_be32(vh + 4, 0x100); /* unmounted cleanly */
	memcpy(vh + 8, "10.0", 4);
	mk_be32(vh + 16, 3786825600u);
	mk_be32(vh + 20, 3786825600u);
	mk_be32(vh + 32, v.nfiles);
	mk_be32(vh + 36, v.nfolders);
	mk_be32(vh + 40, bs);
	mk_be32(vh + 44, total);
	mk_be32(vh + 48, 0);
	mk_be32(vh + 52, total);
	mk_be32(vh + 56, bs);
	mk_be32(vh + 60, bs);
	mk_be32(vh + 64, v.next_id);
	mk_be64(vh + 72, 1);
	memcpy(v.img.b + 1024, vh, 512);
	memcpy(v.img.b + v.img.len - 1024, vh, 512);

	for (size_t i = 0; i < v.nf; i++)
		free(v.fpath[i]);
	free(v.fpath);
	free(v.fid);
	free(v.recs);
	free(leaf_first);
	*out = v.img.b;
	*outlen = v.img.len;
}

/* ---- UDIF ---- */

static const char mk_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void mk_base64(mk_buf *x, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {mk_b64[v >> 18 & 63], mk_b64[v >> 12 & 63],
			     i + 1 < n ? mk_b64[v >> 6 & 63] : '=',
			     i + 2 < n ? mk_b64[v & 63] : '='};
		mk_put(x, q, 4);
		if (i % 51 == 48)
			mk_put(x, "\n\t\t\t\t", 5);
	}
}

static int mk_allzero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Append one partition's chunks to the data fork; its mish table in *mish. */
static void mk_partition(mk_buf *df, const uint8_t *p, uint64_t sectors,
			 uint64_t first, const mk_udif_opts *o, int zeros, mk_buf *mish)
{
	uint32_t cs = o->chunk_sectors ? o->chunk_sectors : 8;
	uint64_t nch = zeros ? 1 : (sectors + cs - 1) / cs;
	uint8_t h[204] = {0};
	memcpy(h, "mish", 4);
	mk_be32(h + 4, 1);
	mk_be64(h + 8, first);
	mk_be64(h + 16, sectors);
	mk_be32(h + 32, cs + 8);
	mk_be32(h + 200, (uint32_t)nch + 1);
	mk_put(mish, h, sizeof h);
	int used_bz = 0, used_adc = 0, used_raw = 0;
	for (uint64_t i = 0; i < nch; i++) {
		uint8_t c[40] = {0};
		uint64_t s = i * cs, cnt = zeros ? sectors : (sectors - s < cs ? sectors - s : cs);
		const uint8_t *src = zeros ? NULL : p + s * 512;
		size_t n = (size_t)cnt * 512;
		uint32_t type;
		uint64_t off = df->len, clen = 0;
		if (zeros || mk_allzero(src, n)) {
			type = i % 2 ? 0x00000000 : 0x00000002;
		} else if (!used_raw && i > 0) {
			type = 1;
			used_raw = 1;
			mk_put(df, src, n);
			clen = n;
		} else if (o->adc && !used_adc && i > 2) {
			type = 0x80000004;
			used_adc = 1;
			mk_put(df, src, n);
			clen = n;
		} else if (o->bzip2 && !used_bz && i > 0) {
			unsigned int ol = (unsigned int)(n + n / 100 + 600);
			mk_need(df, ol);
			if (BZ2_bzBuffToBuffCompress((char *)df->b + df->len, &ol, (char *)src,
						     (unsigned int)n, 9, 0, 0) != BZ_OK)
				exit(2);
			type = 0x80000006;
			used_bz = 1;
			df->len += ol;
			clen = ol;
		} else {
			uLongf ol = compressBound((uLong)n);
			mk_need(df, ol);
			if (compress2(df->b + df->len, &ol, src, (uLong)n, 9) != Z_OK)
				exit(2);
			type = 0x80000005;
			df->len += ol;
			clen = ol;
		}
		mk_be32(c, type);
		mk_be64(c + 8, s);
		mk_be64(c + 16, cnt);
		mk_be64(c + 24, off);
		mk_be64(c + 32, clen);
		mk_put(mish, c, 40);
	}
	uint8_t end[40] = {0};
	mk_be32(end, 0xffffffffu);
	mk_be64(end + 8, sectors);
	mk_be64(end + 24, df->len);
	mk_put(mish, end, 40);
}

static void mk_plist_part(mk_buf *x, const char *name, int id, const mk_buf *mish)
{
	char t[512];
	snprintf(t, sizeof t,
		 "\t\t\t<dict>\n\t\t\t\t<key>Attributes</key>\n\t\t\t\t<string>0x0050</string>\n"
		 "\t\t\t\t<key>CFName</key>\n\t\t\t\t<string>%s</string>\n"
		 "\t\t\t\t<key>Data</key>\n\t\t\t\t<data>\n\t\t\t\t",
		 name);
	mk_put(x, t, strlen(t));
	mk_base64(x, mish->b, mish->len);
	snprintf(t, sizeof t,
		 "\n\t\t\t\t</data>\n\t\t\t\t<key>ID</key>\n\t\t\t\t<string>%d</string>\n"
		 "\t\t\t\t<key>Name</key>\n\t\t\t\t<string>%s</string>\n\t\t\t</dict>\n",
		 id, name);
	mk_put(x, t, strlen(t));
}

/* The UDIF image of vol (a multiple of 512 bytes); the caller frees *out. */
static void mk_udif(const uint8_t *vol, size_t vlen, const mk_udif_opts *o,
		    uint8_t **out, size_t *outlen)
{
	mk_buf df = {0}, x = {0}, m0 = {0}, m1 = {0};
	uint8_t *v = malloc(vlen);
	memcpy(v, vol, vlen);
	if (o->apfs)
		memcpy(v + 32, "NXSB", 4);
	if (o->koly_at_start)
		mk_need(&df, 512), df.len = 512;
	uint64_t sectors = vlen / 512;
	mk_partition(&df, v, sectors, 0, o, 0, &m0);
	if (o->free_sectors)
		mk_partition(&df, NULL, o->free_sectors, sectors, o, 1, &m1);
	free(v);
	const char *head =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
		"\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
		"<plist version=\"1.0\">\n<dict>\n\t<key>resource-fork</key>\n\t<dict>\n"
		"\t\t<key>blkx</key>\n\t\t<array>\n";
	mk_put(&x, head, strlen(head));
	mk_plist_part(&x, o->apfs ? "disk image (Apple_APFS : 0)" : "disk image (Apple_HFS : 0)", 0, &m0);
	if (o->free_sectors)
		mk_plist_part(&x, "free space (Apple_Free : 1)", 1, &m1);
	const char *tail = "\t\t</array>\n\t</dict>\n</dict>\n</plist>\n";
	mk_put(&x, tail, strlen(tail));

	uint8_t k[512] = {0};
	memcpy(k, "koly", 4);
	mk_be32(k + 4, 4);
	mk_be32(k + 8, 512);
	mk_be32(k + 12, 1);
	mk_be64(k + 24, 0);
	mk_be64(k + 32, df.len);
	mk_be32(k + 56, 1);
	mk_be32(k + 60, 1);
	memcpy(k + 64, "vigil-test-image", 16);
	mk_be64(k + 216, df.len);
	mk_be64(k + 224, x.len);
	mk_be32(k + 488, 1);
	mk_be64(k + 492, sectors + o->free_sectors);
	mk_buf img = {0};
	mk_put(&img, df.b, df.len);
	mk_put(&img, x.b, x.len);
	if (o->koly_at_start)
		memcpy(img.b, k, 512);
	else
		mk_put(&img, k, 512);
	free(df.b);
	free(x.b);
	free(m0.b);
	free(m1.b);
	*out = img.b;
	*outlen = img.len;
}

#endif
