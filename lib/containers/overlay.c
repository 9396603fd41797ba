/*
 * Self-extracting PE installers: the archive a stub program carries in its
 * overlay (the bytes after the last section's raw data; in a signed file
 * the Authenticode certificate table comes after the archive and is left
 * out). The PE headers are parsed by formats/pe.c; the archive signatures
 * are read with formats/byteread.h (docs/design.md says why by hand).
 *
 * One member per archive found, its bytes a sub-range of the source read
 * with vg_blob_pread (never copied whole); the unpacking engine opens the
 * member with the reader for its format:
 *
 *   [overlay].7z    "7z\xBC\xAF\x27\x1C" and a valid start header, at the
 *                   overlay's start or after a 7-Zip SFX config block
 *                   (within its first 4 KiB): signature to end of header
 *   [overlay].cab   "MSCF" there: cbCabinet bytes
 *   [overlay].zip   an end-of-central-directory record in the overlay's
 *                   last 64 KiB + 22 bytes. Where the central directory's
 *                   offsets count from the zip's own first byte, the
 *                   member is the zip alone; where they count from the
 *                   start of the PE (Info-ZIP's `zip -A`, most SFX
 *                   builders), the member is the file from byte 0 to the
 *                   end of the zip, which libarchive's seekable zip reader
 *                   reads as is (it skips a prefix, but cannot read a zip
 *                   cut from a file its offsets were written for). Such a
 *                   member is itself a PE with a zip in its overlay: this
 *                   reader declines a source named "[overlay].zip", so it
 *                   does not nest into itself.
 *   [overlay].nsis  an NSIS first header (flags, 0xDEADBEEF,
 *                   "NullsoftInst", header and data sizes) at a 512-byte
 *                   boundary in the overlay's first 64 KiB: the compressed
 *                   data after it, unreadable (not decoded)
 *   [overlay].inno  an overlay starting "Inno Setup Setup Data (":
 *                   unreadable (not decoded)
 *
 * A declared size that runs past the end of the overlay gives a damaged
 * member; the others are still listed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "containers/container.h"
#include "formats/byteread.h"
#include "formats/pe.h"

#define OV_START_WINDOW 4096            /* 7z / CAB / Inno at the start */
#define OV_NSIS_WINDOW 65536            /* NSIS first header search */
#define OV_EOCD_WINDOW (65535 + 22)     /* zip comment + EOCD */
/* the probe's and the reader's buffer: room for the larger window */
#define OV_BUF (OV_EOCD_WINDOW > OV_NSIS_WINDOW ? OV_EOCD_WINDOW : OV_NSIS_WINDOW)
#define OV_MAX_MEMBERS 4

typedef struct ov_part {
	const char *name;
	uint64_t off, len;
	const char *unreadable;
	const char *damaged; /* static text, or NULL */
} ov_part;

typedef struct ov_scan {
	uint64_t start, end; /* the overlay, certificate table excluded */
	ov_part parts[OV_MAX_MEMBERS];
	size_t nparts;
} ov_scan;

typedef struct overlay {
	vg_blob src;
	ov_scan sc;
	size_t next;
	const ov_part *cur;
	uint64_t pos;
} overlay;

/* The overlay of the PE whose first n bytes are head: its start and end
 * in src; 0 when src is no PE or has no overlay. */
static int find_overlay(const vg_blob *src, const uint8_t *head, size_t n,
			uint64_t *start, uint64_t *end)
{
	if (!vg_pe_sniff(head, n))
		return 0;
	vg_pe *pe = NULL;
	int st = vg_pe_parse(head, n, 0, &pe);
	if (!pe || st == VIGIL_FAILED || st == VIGIL_FATAL) {
		vg_pe_free(pe);
		return 0;
	}
	/* head may hold only the headers: take the sections' extent from the
	 * table, against the source's real size */
	uint64_t e = pe->size_of_headers;
	for (size_t i = 0; i < pe->nsections; i++) {
		const vg_pe_section *s = &pe->sections[i];
		if (s->raw_size && (uint64_t)s->raw_off + s->raw_size > e)
			e = (uint64_t)s->raw_off + s->raw_size;
	}
	uint64_t stop = src->size;
	if (pe->ndirs > VG_PE_DIR_SECURITY && pe->dirs[VG_PE_DIR_SECURITY].size) {
		uint64_t c = pe->dirs[VG_PE_DIR_SECURITY].addr;
		if (c >= e && c < stop)
			stop = c; /* the archive precedes the certificate table */
	}
	vg_pe_free(pe);
	if (e >= stop)
		return 0;
	*start = e;
	*end = stop;
	return 1;
}

static int add_part(ov_scan *sc, const char *name, uint64_t off, uint64_t len,
		    const char *unreadable)
{
	if (sc->nparts == OV_MAX_MEMBERS)
		return 0;
	for (size_t i = 0; i < sc->nparts; i++) {
		const ov_part *p = &sc->parts[i];
		if (off < p->off + p->len && p->off < off + len)
			return 0; /* the same archive found twice */
	}
	ov_part *p = &sc->parts[sc->nparts++];
	p->name = name;
	p->off = off;
	p->len = len;
	p->unreadable = unreadable;
	p->damaged = NULL;
	if (off > sc->end || len > sc->end - off) {
		p->damaged = "its declared size runs past the end of the overlay";
		p->len = off < sc->end ? sc->end - off : 0;
	}
	return 1;
}

static const uint8_t sig7z[6] = {'7', 'z', 0xBC, 0xAF, 0x27, 0x1C};

/* Archives that start at the overlay's start (or just after an SFX
 * config block): w holds the overlay's first wn bytes. */
static void scan_start(ov_scan *sc, const uint8_t *w, size_t wn)
{
	for (size_t i = 0; i + 32 <= wn; i++) {
		if (w[i] == '7' && memcmp(w + i, sig7z, 6) == 0) {
			uint32_t crc = 0;
			uint64_t nho = 0, nhs = 0;
			vg_le32(w, wn, i + 8, &crc);
			vg_le64(w, wn, i + 12, &nho);
			vg_le64(w, wn, i + 20, &nhs);
			if (crc32(0, w + i + 12, 20) != crc)
				continue;
			uint64_t len = nho > UINT64_MAX - 32 - nhs ? UINT64_MAX
								     : 32 + nho + nhs;
			add_part(sc, "[overlay].7z", sc->start + i, len, NULL);
			return;
		}
		if (w[i] == 'M' && memcmp(w + i, "MSCF\0\0\0\0", 8) == 0) {
			uint32_t cb = 0;
			uint16_t ver = 0;
			vg_le32(w, wn, i + 8, &cb);
			vg_le16(w, wn, i + 24, &ver);
			if (cb < 36 || ver >> 8 != 1) /* CAB format 1.x */
				continue;
			add_part(sc, "[overlay].cab", sc->start + i, cb, NULL);
			return;
		}
		/* a non-7z SFX would have its archive right at the start; only
		 * 7-Zip's config block (text) may come first */
		if (i == 0 && memcmp(w, ";!@Install", 10) != 0)
			break;
	}
	static const char inno[] = "Inno Setup Setup Data (";
	if (wn >= sizeof inno - 1 && memcmp(w, inno, sizeof inno - 1) == 0)
		add_part(sc, "[overlay].inno", sc->start, sc->end - sc->start,
			 "Inno Setup data (compressed, not decoded)");
}

/* An NSIS first header at a 512-byte boundary of the file. */
static void scan_nsis(ov_scan *sc, const uint8_t *w, size_t wn)
{
	uint64_t first = (sc->start + 511) / 512 * 512;
	for (uint64_t p = first; p - sc->start + 28 <= wn; p += 512) {
		size_t i = (size_t)(p - sc->start);
		uint32_t flags = 0, sig = 0, hlen = 0, alen = 0;
		vg_le32(w, wn, i, &flags);
		vg_le32(w, wn, i + 4, &sig);
		if (sig != 0xDEADBEEF || memcmp(w + i + 8, "NullsoftInst", 12) != 0)
			continue;
		vg_le32(w, wn, i + 20, &hlen);
		vg_le32(w, wn, i + 24, &alen);
		if (flags > 0xff || alen < 28)
			continue;
		add_part(sc, "[overlay].nsis", p + 28, (uint64_t)alen - 28,
			 "NSIS data (compressed, not decoded)");
		return;
	}
}

/* A zip whose end-of-central-directory record lies in the overlay's last
 * bytes: w holds the wn bytes that end at sc->end. */
static void scan_zip(const vg_blob *src, ov_scan *sc, const uint8_t *w,
		     size_t wn)
{
	(void)src;
	uint64_t wbase = sc->end - wn;
	for (size_t k = wn >= 22 ? wn - 22 + 1 : 0; k-- > 0;) {
		if (w[k] != 'P' || memcmp(w + k, "PK\5\6", 4) != 0)
			continue;
		uint16_t clen = 0;
		uint32_t cdsize = 0, cdoff = 0;
		vg_le16(w, wn, k + 20, &clen);
		vg_le32(w, wn, k + 12, &cdsize);
		vg_le32(w, wn, k + 16, &cdoff);
		if (k + 22 + (size_t)clen > wn)
			continue; /* the comment would run past the overlay */
		uint64_t eocd = wbase + k, zend = eocd + 22 + clen;
		if (cdoff == 0xFFFFFFFF || cdsize > eocd) {
			add_part(sc, "[overlay].zip", 0, zend, NULL); /* zip64 */
			return;
		}
		uint64_t cd = eocd - cdsize;
		if (cd >= cdoff && cd - cdoff >= sc->start && cd - cdoff < eocd)
			add_part(sc, "[overlay].zip", cd - cdoff, zend - (cd - cdoff), NULL);
		else
			add_part(sc, "[overlay].zip", 0, zend, NULL);
		return;
	}
}

/* Look for archives in src's overlay; 0 when there is none (or no
 * overlay). buf has room for OV_BUF bytes. */
static int scan_overlay(const vg_blob *src, const uint8_t *head, size_t n,
			ov_scan *sc, uint8_t *buf)
{
	memset(sc, 0, sizeof *sc);
	if (!find_overlay(src, head, n, &sc->start, &sc->end))
		return 0;
	uint64_t len = sc->end - sc->start;
	size_t got = 0;
	size_t want = len < OV_NSIS_WINDOW ? (size_t)len : OV_NSIS_WINDOW;
	if (vg_blob_pread(src, buf, want, sc->start, &got) == 0 && got) {
		scan_start(sc, buf, got < OV_START_WINDOW ? got : OV_START_WINDOW);
		if (!sc->nparts)
			scan_nsis(sc, buf, got);
	}
	want = len < OV_EOCD_WINDOW ? (size_t)len : OV_EOCD_WINDOW;
	if (vg_blob_pread(src, buf, want, sc->end - want, &got) == 0 && got == want)
		scan_zip(src, sc, buf, got);
	return sc->nparts != 0;
}

static int overlay_probe(const vg_blob *src, const uint8_t *head, size_t n,
			 const char *name)
{
	/* this reader's own member of a zip whose offsets count from the PE's
	 * start is the PE up to the zip's end: not opened again (above) */
	if (name && strcmp(name, "[overlay].zip") == 0)
		return 0;
	if (!vg_pe_sniff(head, n))
		return 0;
	uint8_t *buf = malloc(OV_BUF);
	if (!buf)
		return 0;
	ov_scan sc;
	int r = scan_overlay(src, head, n, &sc, buf);
	free(buf);
	return r;
}

static void *overlay_open(const vg_blob *src, char err[VG_C_ERRLEN])
{
	overlay *o = calloc(1, sizeof *o);
	uint8_t *buf = malloc(OV_BUF);
	uint8_t *head = malloc(65536);
	if (!o || !buf || !head) {
		snprintf(err, VG_C_ERRLEN, "out of memory");
		goto fail;
	}
	size_t n = 0;
	int e = vg_blob_pread(src, head, 65536, 0, &n);
	if (e) {
		snprintf(err, VG_C_ERRLEN, "%s", strerror(e));
		goto fail;
	}
	if (!scan_overlay(src, head, n, &o->sc, buf)) {
		snprintf(err, VG_C_ERRLEN, "no archive in the PE overlay");
		goto fail;
	}
	o->src = *src;
	free(buf);
	free(head);
	return o;
fail:
	free(o);
	free(buf);
	free(head);
	return NULL;
}

static int overlay_next(void *p, vg_member *m, char err[VG_C_ERRLEN])
{
	overlay *o = p;
	memset(m, 0, sizeof *m);
	m->mtime = VG_MTIME_UNKNOWN;
	o->cur = NULL;
	if (o->next == o->sc.nparts)
		return VG_C_END;
	const ov_part *pt = &o->sc.parts[o->next++];
	m->name = pt->name;
	m->type = VG_MEMBER_FILE;
	m->size = pt->len;
	m->mode = S_IFREG | 0644;
	m->unreadable = pt->unreadable;
	if (pt->damaged) {
		snprintf(err, VG_C_ERRLEN, "%s: %s", pt->name, pt->damaged);
		return VG_C_DAMAGED;
	}
	if (!pt->unreadable)
		o->cur = pt;
	o->pos = 0;
	return VG_C_OK;
}

static int overlay_read(void *p, uint8_t *buf, size_t cap, size_t *got,
			char err[VG_C_ERRLEN])
{
	overlay *o = p;
	*got = 0;
	if (!o->cur || o->pos == o->cur->len)
		return VG_C_END;
	size_t want = cap;
	if (want > o->cur->len - o->pos)
		want = (size_t)(o->cur->len - o->pos);
	int e = vg_blob_pread(&o->src, buf, want, o->cur->off + o->pos, got);
	if (e || *got == 0) {
		snprintf(err, VG_C_ERRLEN, "%s: %s", o->cur->name,
			 e ? strerror(e) : "the file ended early");
		o->cur = NULL;
		return VG_C_DAMAGED;
	}
	o->pos += *got;
	return VG_C_OK;
}

static void overlay_close(void *p)
{
	free(p);
}

const vg_container_ops vg_reader_pe_overlay = {
	"pe-overlay", overlay_probe, overlay_open, overlay_next, overlay_read,
	overlay_close,
};
