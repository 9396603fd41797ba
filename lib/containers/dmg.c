/*
 * Apple disk images (UDIF, ".dmg"): the 512-byte "koly" trailer, the XML
 * property list's resource-fork/blkx partitions, each a "mish" table of
 * chunks (raw, zero, zlib, bzip2; ADC, LZFSE and LZMA are named, not
 * decoded). No Debian library reads UDIF, so this is hand-written on
 * formats/byteread.h with a libFuzzer harness (fuzz/fuzz_udif.c).
 *
 * Members: a partition holding HFS+ (signature at 1024) yields the
 * volume's files (hfs.c) with their paths inside the volume as names; an
 * APFS partition is one unreadable member; any other partition (partition
 * map, free space, a raw file system) is one member of its bytes under the
 * partition's Name. Partition bytes are read on demand: zero chunks cost a
 * memset, raw chunks a pread, and a compressed chunk is decompressed whole
 * into a small cache (DMG_CACHE entries of at most DMG_CHUNK_MAX bytes),
 * so neither streaming a partition nor the HFS+ reader's random access
 * ever holds the decompressed image.
 */
#include <bzlib.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/util.h"
#include "containers/dmg.h"
#include "containers/hfs.h"
#include "formats/byteread.h"

#define KOLY_SIZE 512
#define SECTOR 512u
#define CH_ZERO 0x00000000u
#define CH_RAW 0x00000001u
#define CH_IGNORE 0x00000002u
#define CH_ADC 0x80000004u
#define CH_ZLIB 0x80000005u
#define CH_BZIP2 0x80000006u
#define CH_LZFSE 0x80000007u
#define CH_LZMA 0x80000008u
#define CH_COMMENT 0x7ffffffeu
#define CH_END 0xffffffffu


typedef struct dmg_chunk {
	uint32_t type;
	uint64_t sector, count; /* in the partition, 512-byte sectors */
	uint64_t off, len;      /* in the image file */
} dmg_chunk;

typedef struct dmg_part {
	char *name;
	uint64_t sectors;
	dmg_chunk *ch;
	size_t nch;
	const char *unreadable; /* a codec vigil does not decode */
	char *bad;              /* why the table cannot be used */
} dmg_part;

typedef struct dmg_cache {
	size_t part, chunk;
	uint8_t *buf;
	size_t len;
	uint64_t tick; /* 0: empty */
} dmg_cache;

typedef struct dmg {
	vg_blob src;
	dmg_part *parts;
	size_t nparts, partcap;
	size_t ipart;   /* the next partition to look at */
	size_t cur;     /* the partition being read (raw or HFS+) */
	int raw;        /* the current member is partition cur's bytes */
	int raw_next;   /* partition ipart is to be yielded raw (its HFS+ failed) */
	uint64_t pos;
	vg_hfs *hfs;
	dmg_cache cache[DMG_CACHE];
	uint64_t tick;
	uint64_t work; /* bytes the cache may still decompress */
} dmg;

/* ---- the property list ---- */

static const char *find(const char *s, const char *e, const char *lit)
{
	size_t l = strlen(lit);
	for (; s && (size_t)(e - s) >= l; s++)
		if (*s == lit[0] && !memcmp(s, lit, l))
			return s;
	return NULL;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* base64 between s and e (whitespace skipped, '=' ends it) into a new
 * buffer. */
static uint8_t *b64_decode(const char *s, const char *e, size_t *n)
{
	uint8_t *out = malloc((size_t)(e - s) / 4 * 3 + 3);
	uint32_t acc = 0;
	int bits = 0;
	*n = 0;
	if (!out)
		return NULL;
	for (; s < e && *s != '='; s++) {
		int v = b64val((unsigned char)*s);
		if (v < 0)
			continue;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[(*n)++] = (uint8_t)(acc >> bits);
		}
	}
	return out;
}

/* An XML string with the predefined entities and character references
 * decoded (others left as written). */
static char *xml_text(const char *s, const char *e)
{
	if (e - s > DMG_NAME_MAX)
		e = s + DMG_NAME_MAX;
	char *out = malloc((size_t)(e - s) * 2 + 1);
	size_t o = 0;
	if (!out)
		return NULL;
	static const struct {
		const char *ent;
		char c;
	} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
	while (s < e) {
		size_t i, done = 0;
		if (*s == '&') {
			for (i = 0; i < sizeof ents / sizeof ents[0]; i++) {
				size_t l = strlen(ents[i].ent);
				if ((size_t)(e - s) >= l && !memcmp(s, ents[i].ent, l)) {
					out[o++] = ents[i].c;
					s += l;
					done = 1;
					break;
				}
			}
			if (!done && e - s > 3 && s[1] == '#') {
				const char *p = s + 2;
				int hex = *p == 'x' || *p == 'X';
				unsigned long c = 0;
				if (hex)
					p++;
				const char *digits = p;
				while (p < e && p - digits < 8 &&
				       ((*p >= '0' && *p <= '9') ||
					(hex && ((*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))))) {
					int v = *p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10;
					c = c * (hex ? 16 : 10) + (unsigned long)v;
					p++;
				}
				if (p < e && *p == ';' && p > digits && c && c < 0x110000 &&
				    !(c >= 0xD800 && c < 0xE000)) {
					if (c < 0x80) {
						out[o++] = (char)c;
					} else if (c < 0x800) {
						out[o++] = (char)(0xC0 | c >> 6);
						out[o++] = (char)(0x80 | (c & 0x3F));
					} else if (c < 0x10000) {
						out[o++] = (char)(0xE0 | c >> 12);
						out[o++] = (char)(0x80 | (c >> 6 & 0x3F));
						out[o++] = (char)(0x80 | (c & 0x3F));
					} else {
						out[o++] = (char)(0xF0 | c >> 18);
						out[o++] = (char)(0x80 | (c >> 12 & 0x3F));
						out[o++] = (char)(0x80 | (c >> 6 & 0x3F));
						out[o++] = (char)(0x80 | (c & 0x3F));
					}
					s = p + 1;
					done = 1;
				}
			}
		}
		if (!done)
			out[o++] = *s++;
	}
	out[o] = '\0';
	return out;
}

/* The element that follows "<key>k</key>" inside [s, e): its text in
 * [*vs, *ve) when it is <tag>...</tag>. */
static int dict_value(const char *s, const char *e, const char *key,
		      const char *tag, const char **vs, const char **ve)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *k = find(s, e, key);
	if (!k)
		return 0;
	k += strlen(key);
	while (k < e && (*k == ' ' || *k == '\t' || *k == '\r' || *k == '\n'))
		k++;
	if ((size_t)(e - k) < strlen(open) || memcmp(k, open, strlen(open)))
		return 0;
	*vs = k + strlen(open);
	*ve = find(*vs, e, close);
	return *ve != NULL;
}

/* ---- one partition's block table ---- */

static const char *codec_text(uint32_t type)
{
	switch (type) {
	case CH_ADC:
		return "ADC-compressed chunks";
	case CH_LZFSE:
		return "LZFSE-compressed chunks";
	case CH_LZMA:
		return "LZMA-compressed chunks";
	default:
		return "chunks of an unknown type";
	}
}

static void part_bad(dmg_part *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void part_bad(dmg_part *p, const char *fmt, ...)
{
	char buf[VG_C_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (!p->bad)
		p->bad = vg_strdup(buf);
}

static void mish_parse(dmg *d, dmg_part *p, const uint8_t *b, size_t n,
		       uint64_t fork_off)
{
	uint32_t magic, nch;
	uint64_t first, doff;
	if (!vg_be32(b, n, 0, &magic) || magic != 0x6D697368 /* mish */ ||
	    !vg_be32(b, n, 200, &nch)) {
		part_bad(p, "block table is not a mish table");
		return;
	}
	vg_be64(b, n, 8, &first);
	vg_be64(b, n, 16, &p->sectors);
	vg_be64(b, n, 24, &doff);
	(void)first;
	if (p->sectors > DMG_MAX_SECTORS) {
		part_bad(p, "partition of %llu sectors is larger than vigil reads",
			 (unsigned long long)p->sectors);
		return;
	}
	if (nch > (n - 204) / 40) {
		part_bad(p, "mish table claims %u chunks but has room for %zu", nch,
			 (n - 204) / 40);
		return;
	}
	p->ch = calloc(nch ? nch : 1, sizeof *p->ch);
	if (!p->ch) {
		part_bad(p, "out of memory");
		return;
	}
	uint64_t end = 0;
	for (uint32_t i = 0; i < nch; i++) {
		size_t o = 204 + 40 * (size_t)i;
		dmg_chunk c = {0, 0, 0, 0, 0};
		uint64_t coff = 0;
		vg_be32(b, n, o, &c.type);
		vg_be64(b, n, o + 8, &c.sector);
		vg_be64(b, n, o + 16, &c.count);
		vg_be64(b, n, o + 24, &coff);
		vg_be64(b, n, o + 32, &c.len);
		if (c.type == CH_END)
			break;
		if (c.type == CH_COMMENT || !c.count)
			continue;
		if (c.type != CH_ZERO && c.type != CH_RAW && c.type != CH_IGNORE &&
		    c.type != CH_ZLIB && c.type != CH_BZIP2) {
			if (!p->unreadable)
				p->unreadable = codec_text(c.type);
			continue;
		}
		if (c.sector > p->sectors || c.count > p->sectors - c.sector) {
			part_bad(p, "chunk %u (sectors %llu+%llu) lies past the partition's %llu sectors",
				 i, (unsigned long long)c.sector, (unsigned long long)c.count,
				 (unsigned long long)p->sectors);
			return;
		}
		if (c.sector < end) {
			part_bad(p, "chunk %u starts at sector %llu, inside the chunk before it",
				 i, (unsigned long long)c.sector);
			return;
		}
		end = c.sector + c.count;
		if (c.type == CH_ZERO || c.type == CH_IGNORE) {
			c.off = c.len = 0;
		} else {
			c.off = fork_off + doff + coff;
			if (c.off < coff || c.off > d->src.size || c.len > d->src.size - c.off) {
				part_bad(p, "chunk %u (bytes %llu+%llu) lies past the end of the image",
					 i, (unsigned long long)c.off, (unsigned long long)c.len);
				return;
			}
			if (c.type == CH_RAW && c.len < c.count * SECTOR) {
				part_bad(p, "raw chunk %u holds %llu bytes for %llu sectors", i,
					 (unsigned long long)c.len, (unsigned long long)c.count);
				return;
			}
			if (c.type != CH_RAW &&
			    (c.count > DMG_CHUNK_MAX / SECTOR || c.len > 2 * (uint64_t)DMG_CHUNK_MAX)) {
				part_bad(p, "compressed chunk %u of %llu sectors is larger than the %u MiB vigil decompresses",
					 i, (unsigned long long)c.count, DMG_CHUNK_MAX >> 20);
				return;
			}
		}
		p->ch[p->nch++] = c;
	}
}

static int plist_parse(dmg *d, const char *x, size_t xl, uint64_t fork_off,
		       char err[VG_C_ERRLEN])
{
	const char *e = x + xl;
	const char *s = find(x, e, "<key>resource-fork</key>");
	s = find(s, e, "<key>blkx</key>");
	s = find(s, e, "<array>");
	const char *ae = s ? find(s, e, "</array>") : NULL;
	if (!ae) {
		vg_c_seterr(err, "the property list has no resource-fork/blkx partition list");
		return 0;
	}
	for (;;) {
		const char *ds = find(s, ae, "<dict>");
		const char *de = ds ? find(ds, ae, "</dict>") : NULL;
		if (!de)
			break;
		if (d->nparts >= DMG_MAX_PARTS) {
			vg_c_seterr(err, "more than %u partitions", DMG_MAX_PARTS);
			return 0;
		}
		if (!vg_grow(&d->parts, &d->partcap, d->nparts + 1, sizeof *d->parts)) {
			vg_c_seterr(err, "out of memory");
			return 0;
		}
		dmg_part *p = &d->parts[d->nparts++];
		memset(p, 0, sizeof *p);
		const char *vs, *ve;
		if (dict_value(ds, de, "<key>Name</key>", "string", &vs, &ve) ||
		    dict_value(ds, de, "<key>CFName</key>", "string", &vs, &ve))
			p->name = xml_text(vs, ve);
		else
			p->name = vg_asprintf("partition %zu", d->nparts - 1);
		if (!p->name) {
			vg_c_seterr(err, "out of memory");
			return 0;
		}
		if (!dict_value(ds, de, "<key>Data</key>", "data", &vs, &ve)) {
			part_bad(p, "partition has no Data");
		} else {
			size_t n;
			uint8_t *b = b64_decode(vs, ve, &n);
			if (!b) {
				vg_c_seterr(err, "out of memory");
				return 0;
			}
			mish_parse(d, p, b, n, fork_off);
			free(b);
		}
		s = de;
	}
	return 1;
}

/* ---- partition bytes ---- */

static dmg_cache *cache_get(dmg *d, size_t pi, size_t ci, char err[VG_C_ERRLEN])
{
	dmg_cache *slot = &d->cache[0];
	for (int i = 0; i < DMG_CACHE; i++) {
		dmg_cache *c = &d->cache[i];
		if (c->tick && c->part == pi && c->chunk == ci) {
			c->tick = ++d->tick;
			return c;
		}
		if (c->tick < slot->tick)
			slot = c;
	}
	const dmg_chunk *ch = &d->parts[pi].ch[ci];
	size_t want = (size_t)(ch->count * SECTOR), inlen = (size_t)ch->len;
	if (want > d->work) {
		vg_c_seterr(err, "reading stopped: the chunk cache decompressed %u times the "
			    "bytes of the image's compressed chunks", DMG_WORK_FACTOR);
		return NULL;
	}
	d->work -= want;
	uint8_t *in = malloc(inlen ? inlen : 1);
	uint8_t *out = slot->buf && slot->len >= want ? slot->buf : NULL;
	if (!out) {
		free(slot->buf);
		slot->buf = NULL;
		slot->tick = 0;
		out = malloc(want);
		slot->buf = out;
	}
	slot->tick = 0;
	if (!in || !out) {
		free(in);
		vg_c_seterr(err, "out of memory");
		return NULL;
	}
	slot->len = want;
	size_t got;
	int e = vg_blob_pread(&d->src, in, inlen, ch->off, &got);
	if (e || got != inlen) {
		free(in);
		vg_c_seterr(err, "chunk at byte %llu: %s", (unsigned long long)ch->off,
		       e ? strerror(e) : "the image is shorter than its table says");
		return NULL;
	}
	int ok;
	size_t outlen = want;
	if (ch->type == CH_ZLIB) {
		uLongf ol = (uLongf)want;
		ok = uncompress(out, &ol, in, (uLong)inlen) == Z_OK;
		outlen = ol;
	} else {
		unsigned int ol = (unsigned int)want;
		ok = BZ2_bzBuffToBuffDecompress((char *)out, &ol, (char *)in,
						(unsigned int)inlen, 0, 0) == BZ_OK;
		outlen = ol;
	}
	free(in);
	if (!ok || outlen != want) {
		vg_c_seterr(err, "%s chunk at byte %llu does not decompress to its %zu bytes",
		       ch->type == CH_ZLIB ? "zlib" : "bzip2", (unsigned long long)ch->off,
		       want);
		return NULL;
	}
	slot->part = pi;
	slot->chunk = ci;
	slot->tick = ++d->tick;
	return slot;
}

/* The chunk holding sector s, or the first one after it (nch if none). */
static size_t chunk_at(const dmg_part *p, uint64_t s)
{
	size_t lo = 0, hi = p->nch;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->ch[mid].sector + p->ch[mid].count <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int part_pread(dmg *d, size_t pi, uint8_t *buf, size_t n, uint64_t off,
		      size_t *got, char err[VG_C_ERRLEN])
{
	const dmg_part *p = &d->parts[pi];
	uint64_t size = p->sectors * SECTOR;
	*got = 0;
	if (off >= size)
		return 0;
	if (n > size - off)
		n = (size_t)(size - off);
	while (n) {
		uint64_t s = off / SECTOR;
		size_t ci = chunk_at(p, s);
		const dmg_chunk *c = ci < p->nch ? &p->ch[ci] : NULL;
		size_t take;
		if (!c || s < c->sector) {
			/* not covered by any chunk: zeros */
			uint64_t until = c ? c->sector * SECTOR : size;
			take = until - off < n ? (size_t)(until - off) : n;
			memset(buf, 0, take);
		} else {
			uint64_t in = off - c->sector * SECTOR;
			uint64_t left = c->count * SECTOR - in;
			take = left < n ? (size_t)left : n;
			if (c->type == CH_ZERO || c->type == CH_IGNORE) {
				memset(buf, 0, take);
			} else if (c->type == CH_RAW) {
				size_t g;
				int e = vg_blob_pread(&d->src, buf, take, c->off + in, &g);
				if (e || g != take) {
					vg_c_seterr(err, "raw chunk at byte %llu: %s",
					       (unsigned long long)c->off,
					       e ? strerror(e) : "the image is shorter than its table says");
					return 1;
				}
			} else {
				dmg_cache *k = cache_get(d, pi, ci, err);
				if (!k)
					return 1;
				memcpy(buf, k->buf + in, take);
			}
		}
		buf += take;
		off += take;
		n -= take;
		*got += take;
	}
	return 0;
}

static int hfs_rd(void *ctx, void *buf, size_t n, uint64_t off, size_t *got,
		  char err[VG_C_ERRLEN])
{
	dmg *d = ctx;
	return part_pread(d, d->cur, buf, n, off, got, err);
}

/* ---- the reader ---- */

static int dmg_probe(const vg_blob *src, const uint8_t *head, size_t n,
		     const char *name)
{
	uint8_t m[4];
	size_t got;
	if (n >= 4 && !memcmp(head, "koly", 4))
		return 1;
	if (src->size < KOLY_SIZE ||
	    vg_blob_pread(src, m, 4, src->size - KOLY_SIZE, &got) || got != 4)
		return 0;
	return !memcmp(m, "koly", 4);
}

static void dmg_close(void *st)
{
	dmg *d = st;
	if (!d)
		return;
	vg_hfs_close(d->hfs);
	for (size_t i = 0; i < d->nparts; i++) {
		free(d->parts[i].name);
		free(d->parts[i].ch);
		free(d->parts[i].bad);
	}
	free(d->parts);
	for (int i = 0; i < DMG_CACHE; i++)
		free(d->cache[i].buf);
	free(d);
}

static void *dmg_open(const vg_blob *src, char err[VG_C_ERRLEN])
{
	uint8_t k[KOLY_SIZE];
	size_t got;
	int e;
	err[0] = '\0';
	if (src->size < KOLY_SIZE) {
		vg_c_seterr(err, "too small for a UDIF trailer");
		return NULL;
	}
	/* the trailer is at the end; an image with "koly" only at its start
	 * (a rare layout) is read from there */
	uint64_t at = src->size - KOLY_SIZE;
	e = vg_blob_pread(src, k, 4, at, &got);
	if (!e && (got != 4 || memcmp(k, "koly", 4)))
		at = 0;
	if (!e)
		e = vg_blob_pread(src, k, KOLY_SIZE, at, &got);
	if (e || got != KOLY_SIZE) {
		vg_c_seterr(err, "cannot read the UDIF trailer: %s", e ? strerror(e) : "short read");
		return NULL;
	}
	uint32_t ver, hsize;
	uint64_t fork_off, xoff, xlen;
	vg_be32(k, sizeof k, 4, &ver);
	vg_be32(k, sizeof k, 8, &hsize);
	vg_be64(k, sizeof k, 24, &fork_off);
	vg_be64(k, sizeof k, 216, &xoff);
	vg_be64(k, sizeof k, 224, &xlen);
	if (memcmp(k, "koly", 4) || ver != 4 || hsize != KOLY_SIZE) {
		vg_c_seterr(err, "UDIF trailer is not koly version 4 of 512 bytes");
		return NULL;
	}
	if (!xlen) {
		vg_c_seterr(err, "UDIF image without an XML property list (not read)");
		return NULL;
	}
	if (xlen > DMG_XML_MAX || xoff > src->size || xlen > src->size - xoff) {
		vg_c_seterr(err, "UDIF property list (bytes %llu+%llu) lies past the end of the image or is over %u MiB",
		       (unsigned long long)xoff, (unsigned long long)xlen, DMG_XML_MAX >> 20);
		return NULL;
	}
	dmg *d = calloc(1, sizeof *d);
	char *x = malloc((size_t)xlen);
	if (!d || !x) {
		free(d);
		free(x);
		vg_c_seterr(err, "out of memory");
		return NULL;
	}
	d->src = *src;
	e = vg_blob_pread(src, x, (size_t)xlen, xoff, &got);
	if (e || got != xlen) {
		vg_c_seterr(err, "cannot read the UDIF property list: %s",
		       e ? strerror(e) : "short read");
		free(x);
		dmg_close(d);
		return NULL;
	}
	int ok = plist_parse(d, x, (size_t)xlen, fork_off, err);
	free(x);
	if (!ok) {
		dmg_close(d);
		return NULL;
	}
	/* a budget for the cache: every compressed chunk decompressed a few
	 * times over, so that reads hopping between chunks cannot make a
	 * small image cost unbounded inflating */
	d->work = DMG_WORK_SLACK;
	for (size_t i = 0; i < d->nparts; i++)
		for (size_t j = 0; j < d->parts[i].nch; j++)
			if (d->parts[i].ch[j].type == CH_ZLIB || d->parts[i].ch[j].type == CH_BZIP2)
				d->work += DMG_WORK_FACTOR * d->parts[i].ch[j].count * SECTOR;
	return d;
}

static int dmg_next(void *st, vg_member *m, char err[VG_C_ERRLEN])
{
	dmg *d = st;
	err[0] = '\0';
	d->raw = 0;
	for (;;) {
		memset(m, 0, sizeof *m);
		m->mtime = VG_MTIME_UNKNOWN;
		if (d->hfs) {
			int r = vg_hfs_next(d->hfs, m, err);
			if (r == VG_C_OK || r == VG_C_DAMAGED)
				return r;
			vg_hfs_close(d->hfs);
			d->hfs = NULL;
			if (r == VG_C_FATAL) {
				char e2[VG_C_ERRLEN];
				snprintf(e2, sizeof e2, "%s: %s", d->parts[d->cur].name, err);
				memcpy(err, e2, VG_C_ERRLEN);
				m->name = d->parts[d->cur].name;
				return VG_C_DAMAGED;
			}
			continue;
		}
		if (d->ipart >= d->nparts)
			return VG_C_END;
		size_t pi = d->ipart;
		dmg_part *p = &d->parts[pi];
		m->name = p->name;
		m->size = p->sectors * SECTOR;
		m->type = VG_MEMBER_OTHER;
		if (p->bad) {
			d->ipart++;
			vg_c_seterr(err, "%s", p->bad);
			return VG_C_DAMAGED;
		}
		if (p->unreadable) {
			d->ipart++;
			m->unreadable = p->unreadable;
			return VG_C_OK;
		}
		uint8_t sig[8];
		size_t g1 = 0, g2 = 0;
		int apfs = 0, hfs = 0;
		d->cur = pi;
		if (!d->raw_next) {
			if (part_pread(d, pi, sig, 4, 32, &g1, err)) {
				d->ipart++;
				return VG_C_DAMAGED;
			}
			apfs = g1 == 4 && !memcmp(sig, "NXSB", 4);
			if (part_pread(d, pi, sig, 4, 1024, &g2, err)) {
				d->ipart++;
				return VG_C_DAMAGED;
			}
			/* an APFS container's superblock decides over stray bytes at 1024 */
			hfs = !apfs && g2 == 4 && vg_hfs_signature(sig, 4);
		}
		d->raw_next = 0;
		if (hfs) {
			d->hfs = vg_hfs_open(hfs_rd, d, m->size, err);
			if (d->hfs) {
				d->ipart++;
				continue;
			}
			/* the volume does not open: say why, then yield its bytes */
			char e2[VG_C_ERRLEN];
			snprintf(e2, sizeof e2, "%s: %s", p->name, err);
			memcpy(err, e2, VG_C_ERRLEN);
			d->raw_next = 1;
			return VG_C_DAMAGED;
		}
		d->ipart++;
		if (apfs) {
			m->unreadable = "APFS volume";
			return VG_C_OK;
		}
		m->type = VG_MEMBER_FILE;
		d->raw = 1;
		d->pos = 0;
		return VG_C_OK;
	}
}

static int dmg_read(void *st, uint8_t *buf, size_t cap, size_t *got,
		    char err[VG_C_ERRLEN])
{
	dmg *d = st;
	*got = 0;
	if (d->hfs)
		return vg_hfs_read(d->hfs, buf, cap, got, err);
	if (!d->raw)
		return VG_C_END;
	if (part_pread(d, d->cur, buf, cap, d->pos, got, err)) {
		d->raw = 0;
		return VG_C_DAMAGED;
	}
	if (!*got)
		return VG_C_END;
	d->pos += *got;
	return VG_C_OK;
}

const vg_container_ops vg_reader_dmg = {
	"dmg", dmg_probe, dmg_open, dmg_next, dmg_read, dmg_close,
};
