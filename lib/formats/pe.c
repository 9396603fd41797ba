/*
 * PE32/PE32+ parser for hostile input (see pe.h). Layout facts from the
 * Microsoft PE/COFF specification; every read goes through byteread.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formats/byteread.h"
#include "formats/pe.h"
#include "base/util.h"

#define ALIGN8(x) (((x) + 7) & ~(uint64_t)7)

/* Sum of the 16-bit little-endian words of b[from, to) (from even). */
static uint64_t word_sum(const uint8_t *b, size_t from, size_t to)
{
	uint64_t sum = 0;
	size_t i = from;
	for (; i + 1 < to; i += 2)
		sum += (uint64_t)b[i] | (uint64_t)b[i + 1] << 8;
	return sum;
}

/*
 * The ones'-complement sum of the file's words with the CheckSum field as
 * zero, folded to 16 bits, plus the file length. Folding once at the end
 * gives the same value as folding after every word: both are congruent mod
 * 0xffff, lie in 1..0xffff unless every word is zero, and then both are 0.
 */
uint32_t vg_pe_checksum(const uint8_t *buf, size_t len, uint64_t cks_off)
{
	size_t lo = cks_off < len ? (size_t)cks_off & ~(size_t)1 : len & ~(size_t)1;
	size_t hi = lo + 6 < len ? lo + 6 : len & ~(size_t)1;
	uint64_t sum = word_sum(buf, 0, lo) + word_sum(buf, hi, len);
	for (size_t i = lo; i + 1 < len && i < hi; i += 2) { /* the field's words */
		unsigned a = buf[i], c = buf[i + 1];
		if (i >= cks_off && i < cks_off + 4)
			a = 0;
		if (i + 1 >= cks_off && i + 1 < cks_off + 4)
			c = 0;
		sum += a | c << 8;
	}
	if (len & 1 && !(len - 1 >= cks_off && len - 1 < cks_off + 4))
		sum += buf[len - 1]; /* odd last byte */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint32_t)(sum + len);
}

vg_pe_der vg_der_header(const uint8_t *buf, size_t len, uint64_t off,
			uint64_t *hdr, uint64_t *body)
{
	if (!vg_fits(len, off, 2))
		return VG_PE_DER_BAD_LENGTH;
	if (buf[off] != 0x30)
		return VG_PE_DER_NOT_SEQUENCE;
	uint8_t l0 = buf[off + 1];
	uint64_t n = 0, h = 2;
	if (l0 < 0x80) {
		n = l0;
	} else if (l0 == 0x80) {
		return VG_PE_DER_INDEFINITE;
	} else {
		unsigned k = l0 & 0x7f;
		if (k > 4 || !vg_fits(len, off + 2, k))
			return VG_PE_DER_BAD_LENGTH;
		for (unsigned i = 0; i < k; i++)
			n = n << 8 | buf[off + 2 + i];
		h += k;
	}
	*hdr = h;
	*body = n;
	if (!vg_fits(len, off, h + n))
		return VG_PE_DER_PAST_ENTRY;
	return VG_PE_DER_OK;
}

int vg_pe_sniff(const uint8_t *buf, size_t len)
{
	uint32_t lfa;
	if (len < 0x40 || buf[0] != 'M' || buf[1] != 'Z' || !vg_le32(buf, len, 0x3c, &lfa))
		return 0;
	return vg_fits(len, lfa, 24) && memcmp(buf + lfa, "PE\0\0", 4) == 0;
}

/* Keep a copy of a string in pe's storage; NULL on allocation failure. */
static const char *keep(vg_pe *pe, char *s)
{
	if (!s)
		return NULL;
	if (!vg_grow(&pe->strs, &pe->strs_cap, pe->nstrs + 1, sizeof *pe->strs)) {
		free(s);
		return NULL;
	}
	pe->strs[pe->nstrs++] = s;
	return s;
}

/* A NUL-terminated string at off (at most VG_PE_MAX_NAME bytes kept). */
static const char *keep_cstr(vg_pe *pe, const uint8_t *buf, size_t len, uint64_t off)
{
	if (off >= len)
		return NULL;
	size_t max = len - off < VG_PE_MAX_NAME ? len - off : VG_PE_MAX_NAME;
	const uint8_t *p = buf + off;
	const uint8_t *z = memchr(p, 0, max);
	return keep(pe, vg_strndup((const char *)p, z ? (size_t)(z - p) : max));
}

int vg_pe_rva_to_off(const vg_pe *pe, size_t len, uint32_t rva, uint64_t *off)
{
	if (rva < pe->size_of_headers) {
		if (rva >= len)
			return 0;
		*off = rva;
		return 1;
	}
	for (size_t i = 0; i < pe->nsections; i++) {
		const vg_pe_section *s = &pe->sections[i];
		uint64_t span = s->vsize > s->raw_size ? s->vsize : s->raw_size;
		if (rva >= s->vaddr && (uint64_t)rva < (uint64_t)s->vaddr + span) {
			uint64_t delta = rva - s->vaddr;
			if (delta >= s->raw_size)
				return 0; /* in the zero-filled tail, not in the file */
			uint64_t o = (uint64_t)s->raw_off + delta;
			if (o >= len)
				return 0;
			*off = o;
			return 1;
		}
	}
	return 0;
}

static int parse_headers(vg_pe *pe, const uint8_t *b, size_t len)
{
	uint32_t lfa;
	if (len < 0x40 || b[0] != 'M' || b[1] != 'Z') {
		pe->error = "no MZ header";
		return 0;
	}
	if (!vg_le32(b, len, 0x3c, &lfa) || !vg_fits(len, lfa, 24)) {
		pe->error = "e_lfanew points past the end of the file";
		return 0;
	}
	if (memcmp(b + lfa, "PE\0\0", 4) != 0) {
		pe->error = "no PE signature at e_lfanew";
		return 0;
	}
	pe->pe_off = lfa;
	uint64_t fh = (uint64_t)lfa + 4, opt = fh + 20;
	uint16_t optsize = 0, magic;
	vg_le16(b, len, fh, &pe->machine);
	vg_le16(b, len, fh + 2, &pe->nsections_declared);
	vg_le32(b, len, fh + 4, &pe->timestamp);
	vg_le16(b, len, fh + 16, &optsize);
	vg_le16(b, len, fh + 18, &pe->characteristics);
	if (!vg_le16(b, len, opt, &magic)) {
		pe->error = "truncated optional header";
		return 0;
	}
	if (magic != 0x10b && magic != 0x20b) {
		pe->error = "unknown optional header magic";
		return 0;
	}
	pe->pe32plus = magic == 0x20b;
	uint64_t dirbase = opt + (pe->pe32plus ? 112 : 96);
	if (!vg_fits(len, opt, dirbase - opt)) {
		pe->error = "truncated optional header";
		return 0;
	}
	vg_le32(b, len, opt + 16, &pe->entry_rva);
	if (pe->pe32plus) {
		vg_le64(b, len, opt + 24, &pe->image_base);
	} else {
		uint32_t ib;
		vg_le32(b, len, opt + 28, &ib);
		pe->image_base = ib;
	}
	vg_le32(b, len, opt + 36, &pe->file_alignment);
	vg_le32(b, len, opt + 56, &pe->size_of_image);
	vg_le32(b, len, opt + 60, &pe->size_of_headers);
	pe->checksum_off = opt + 64;
	vg_le32(b, len, opt + 64, &pe->checksum);
	vg_le16(b, len, opt + 68, &pe->subsystem);
	vg_le16(b, len, opt + 70, &pe->dll_characteristics);
	uint32_t nrva = 0;
	vg_le32(b, len, dirbase - 4, &nrva);
	/* directories exist only inside SizeOfOptionalHeader */
	uint64_t room = opt + optsize > dirbase ? (opt + optsize - dirbase) / 8 : 0;
	uint64_t nd = nrva < room ? nrva : room;
	if (nd > VG_PE_NDIRS) {
		pe->anomalies |= VG_PE_ANOM_DIRS_CAPPED;
		nd = VG_PE_NDIRS;
	}
	for (uint32_t i = 0; i < nd; i++) {
		if (!vg_le32(b, len, dirbase + 8 * i, &pe->dirs[i].addr) ||
		    !vg_le32(b, len, dirbase + 8 * i + 4, &pe->dirs[i].size))
			break;
		pe->ndirs = i + 1;
	}
	if (pe->ndirs > VG_PE_DIR_SECURITY)
		pe->secdir_off = dirbase + 8 * VG_PE_DIR_SECURITY;

	/* section table */
	uint64_t st = opt + optsize;
	size_t n = pe->nsections_declared;
	if (n > VG_PE_MAX_SECTIONS) {
		pe->anomalies |= VG_PE_ANOM_SECTIONS_CAPPED;
		n = VG_PE_MAX_SECTIONS;
	}
	if (!vg_fits(len, st, 40 * (uint64_t)n)) {
		pe->error = "truncated section table";
		return 0;
	}
	if (n) {
		pe->sections = calloc(n, sizeof *pe->sections);
		if (!pe->sections) {
			pe->error = "out of memory";
			return -1;
		}
	}
	pe->nsections = n;
	uint64_t end = pe->size_of_headers < len ? pe->size_of_headers : len;
	for (size_t i = 0; i < n; i++) {
		vg_pe_section *s = &pe->sections[i];
		uint64_t h = st + 40 * i;
		memcpy(s->name, b + h, 8);
		vg_le32(b, len, h + 8, &s->vsize);
		vg_le32(b, len, h + 12, &s->vaddr);
		vg_le32(b, len, h + 16, &s->raw_size);
		vg_le32(b, len, h + 20, &s->raw_off);
		vg_le32(b, len, h + 36, &s->characteristics);
		s->entropy = -1;
		if (!s->raw_size)
			continue;
		uint64_t e = (uint64_t)s->raw_off + s->raw_size;
		if (e > len) {
			pe->anomalies |= VG_PE_ANOM_SECTION_PAST_EOF;
			e = len;
		}
		if (e > end)
			end = e;
	}
	pe->sections_end = end;
	if (len > end) {
		pe->overlay_off = end;
		pe->overlay_len = len - end;
	}
	return 1;
}

/* Debug directory: only whether a REPRO entry says TimeDateStamp is a hash
 * of the build (MSVC /Brepro), not a time. At most 16 entries looked at. */
static void parse_debug(vg_pe *pe, const uint8_t *b, size_t len)
{
	uint64_t d;
	if (pe->ndirs <= VG_PE_DIR_DEBUG || !pe->dirs[VG_PE_DIR_DEBUG].size ||
	    !vg_pe_rva_to_off(pe, len, pe->dirs[VG_PE_DIR_DEBUG].addr, &d))
		return;
	uint32_t n = pe->dirs[VG_PE_DIR_DEBUG].size / 28;
	for (uint32_t i = 0; i < n && i < 16; i++) {
		uint32_t type;
		if (!vg_le32(b, len, d + 28 * (uint64_t)i + 12, &type))
			return;
		if (type == 16)
			pe->reproducible = 1;
	}
}

static int parse_certs(vg_pe *pe, const uint8_t *b, size_t len)
{
	if (pe->ndirs <= VG_PE_DIR_SECURITY || !pe->dirs[VG_PE_DIR_SECURITY].size)
		return 1;
	pe->signed_ = 1;
	uint64_t off = pe->dirs[VG_PE_DIR_SECURITY].addr;
	uint64_t end = off + pe->dirs[VG_PE_DIR_SECURITY].size;
	pe->cert_off = off;
	pe->cert_size = pe->dirs[VG_PE_DIR_SECURITY].size;
	if (off % 8)
		pe->anomalies |= VG_PE_ANOM_CERT_UNALIGNED;
	if (end > len) {
		pe->anomalies |= VG_PE_ANOM_CERT_PAST_EOF;
		if (off >= len)
			return 1;
		end = len; /* walk what is there */
	} else if (len > end) {
		pe->after_cert_off = end;
		pe->after_cert_len = len - end;
	}
	if (off < pe->sections_end)
		pe->anomalies |= VG_PE_ANOM_CERT_IN_IMAGE;
	uint64_t pos = off, last_end = off;
	while (pos < end) {
		if (pe->ncerts == VG_PE_MAX_CERTS) {
			pe->anomalies |= VG_PE_ANOM_CERT_CAPPED;
			return 1;
		}
		uint32_t l;
		vg_pe_cert c = {.offset = pos};
		if (end - pos < 8 || !vg_le32(b, len, pos, &l)) {
			pe->anomalies |= VG_PE_ANOM_CERT_SIZE; /* leftover bytes */
			return 1;
		}
		vg_le16(b, len, pos + 4, &c.revision);
		vg_le16(b, len, pos + 6, &c.type);
		c.length = l;
		if (l < 8 || l > end - pos) {
			pe->anomalies |= VG_PE_ANOM_CERT_SIZE;
			if (l < 8)
				return 1;
		}
		uint64_t eend = l > end - pos ? end : pos + l;
		uint64_t next = ALIGN8(pos + l - off) + off;
		uint64_t slack_end = next < end ? next : end;
		if (c.type != 2) {
			c.der = VG_PE_DER_NOT_PKCS;
		} else {
			uint64_t hdr = 0, body = 0;
			c.der = vg_der_header(b, eend, pos + 8, &hdr, &body);
			if (c.der == VG_PE_DER_OK) {
				c.der_off = pos + 8;
				c.der_len = hdr + body;
				uint64_t dend = c.der_off + c.der_len;
				c.pad_allowed = ALIGN8(dend - pos) - (dend - pos);
				c.slack_off = dend;
				c.slack_len = slack_end > dend ? slack_end - dend : 0;
				for (uint64_t i = dend; i < slack_end; i++)
					c.slack_nonzero += b[i] != 0;
			}
		}
		if (!pe->certs && !(pe->certs = calloc(VG_PE_MAX_CERTS, sizeof *pe->certs)))
			return -1;
		pe->certs[pe->ncerts++] = c;
		last_end = eend;
		pos = next;
	}
	/* the last entry's alignment padding may be left out of the size: it
	 * could hide nothing; anything else that does not add up is flagged */
	if (pos != end && last_end != end && !(pe->anomalies & VG_PE_ANOM_CERT_PAST_EOF))
		pe->anomalies |= VG_PE_ANOM_CERT_SIZE;
	return 1;
}

static int parse_imports(vg_pe *pe, const uint8_t *b, size_t len)
{
	if (pe->ndirs <= VG_PE_DIR_IMPORT || !pe->dirs[VG_PE_DIR_IMPORT].addr)
		return 1;
	uint64_t d;
	if (!vg_pe_rva_to_off(pe, len, pe->dirs[VG_PE_DIR_IMPORT].addr, &d)) {
		pe->anomalies |= VG_PE_ANOM_IMPORTS_BAD;
		return 1;
	}
	size_t cap = 0;
	unsigned tsize = pe->pe32plus ? 8 : 4;
	for (size_t k = 0;; k++, d += 20) {
		uint32_t oft, name, ft;
		if (!vg_le32(b, len, d, &oft) || !vg_le32(b, len, d + 12, &name) ||
		    !vg_le32(b, len, d + 16, &ft)) {
			pe->anomalies |= VG_PE_ANOM_IMPORTS_BAD;
			return 1;
		}
		if (!name && !ft)
			return 1; /* the terminating descriptor */
		if (k == VG_PE_MAX_IMPORT_DLLS) {
			pe->anomalies |= VG_PE_ANOM_IMPORTS_CAPPED;
			return 1;
		}
		uint64_t o;
		const char *dll = NULL;
		if (vg_pe_rva_to_off(pe, len, name, &o))
			dll = keep_cstr(pe, b, len, o);
		if (!dll) {
			pe->anomalies |= VG_PE_ANOM_IMPORTS_BAD;
			continue;
		}
		pe->nimport_dlls++;
		uint64_t t;
		if (!vg_pe_rva_to_off(pe, len, oft ? oft : ft, &t)) {
			pe->anomalies |= VG_PE_ANOM_IMPORTS_BAD;
			continue;
		}
		for (;; t += tsize) {
			uint64_t v;
			uint32_t v32;
			if (pe->pe32plus ? !vg_le64(b, len, t, &v)
					 : !vg_le32(b, len, t, &v32)) {
				pe->anomalies |= VG_PE_ANOM_IMPORTS_BAD;
				break;
			}
			if (!pe->pe32plus)
				v = v32;
			if (!v)
				break;
			if (pe->nimports == VG_PE_MAX_IMPORTS) {
				pe->anomalies |= VG_PE_ANOM_IMPORTS_CAPPED;
				return 1;
			}
			if (!vg_grow(&pe->imports, &cap, pe->nimports + 1, sizeof *pe->imports))
				return -1;
			vg_pe_import *im = &pe->imports[pe->nimports++];
			memset(im, 0, sizeof *im);
			im->dll = dll;
			uint64_t ordflag = pe->pe32plus ? (uint64_t)1 << 63 : (uint64_t)1 << 31;
			if (v & ordflag) {
				im->by_ordinal = 1;
				im->ordinal = (uint16_t)v;
				continue;
			}
			uint64_t h;
			if (vg_pe_rva_to_off(pe, len, (uint32_t)(v & 0x7fffffff), &h) &&
			    vg_le16(b, len, h, &im->ordinal))
				im->name = keep_cstr(pe, b, len, h + 2);
			if (!im->name)
				pe->anomalies |= VG_PE_ANOM_IMPORTS_BAD;
		}
	}
}

static int parse_exports(vg_pe *pe, const uint8_t *b, size_t len)
{
	if (pe->ndirs <= VG_PE_DIR_EXPORT || !pe->dirs[VG_PE_DIR_EXPORT].addr)
		return 1;
	uint64_t d;
	uint32_t name = 0, base = 0, nf = 0, nn = 0, af = 0, an = 0, ao = 0;
	if (!vg_pe_rva_to_off(pe, len, pe->dirs[VG_PE_DIR_EXPORT].addr, &d) ||
	    !vg_fits(len, d, 40)) {
		pe->anomalies |= VG_PE_ANOM_EXPORTS_BAD;
		return 1;
	}
	vg_le32(b, len, d + 12, &name);
	vg_le32(b, len, d + 16, &base);
	vg_le32(b, len, d + 20, &nf);
	vg_le32(b, len, d + 24, &nn);
	vg_le32(b, len, d + 28, &af);
	vg_le32(b, len, d + 32, &an);
	vg_le32(b, len, d + 36, &ao);
	uint64_t o;
	if (vg_pe_rva_to_off(pe, len, name, &o))
		pe->export_dll_name = keep_cstr(pe, b, len, o);
	if (nf > VG_PE_MAX_EXPORTS) {
		pe->anomalies |= VG_PE_ANOM_EXPORTS_CAPPED;
		nf = VG_PE_MAX_EXPORTS;
	}
	if (nn > VG_PE_MAX_EXPORTS) {
		pe->anomalies |= VG_PE_ANOM_EXPORTS_CAPPED;
		nn = VG_PE_MAX_EXPORTS;
	}
	if (!nf)
		return 1;
	vg_pe_export *ex = calloc(nf, sizeof *ex);
	if (!ex)
		return -1;
	uint64_t fo = 0, no = 0, oo = 0;
	int have_f = vg_pe_rva_to_off(pe, len, af, &fo);
	int have_n = nn && vg_pe_rva_to_off(pe, len, an, &no) &&
		     vg_pe_rva_to_off(pe, len, ao, &oo);
	if (!have_f || (nn && !have_n))
		pe->anomalies |= VG_PE_ANOM_EXPORTS_BAD;
	for (uint32_t i = 0; i < nf; i++) {
		ex[i].ordinal = base + i;
		if (have_f && !vg_le32(b, len, fo + 4 * (uint64_t)i, &ex[i].rva)) {
			pe->anomalies |= VG_PE_ANOM_EXPORTS_BAD;
			have_f = 0;
		}
	}
	for (uint32_t i = 0; have_n && i < nn; i++) {
		uint16_t idx;
		uint32_t nrva;
		if (!vg_le16(b, len, oo + 2 * (uint64_t)i, &idx) ||
		    !vg_le32(b, len, no + 4 * (uint64_t)i, &nrva)) {
			pe->anomalies |= VG_PE_ANOM_EXPORTS_BAD;
			break;
		}
		if (idx < nf && !ex[idx].name && vg_pe_rva_to_off(pe, len, nrva, &o))
			ex[idx].name = keep_cstr(pe, b, len, o);
	}
	size_t k = 0;
	for (uint32_t i = 0; i < nf; i++)
		if (ex[i].rva || ex[i].name)
			ex[k++] = ex[i];
	pe->exports = ex;
	pe->nexports = k;
	return 1;
}

/* UTF-16LE (n code units at off) to a new UTF-8 string, capped. */
static char *utf16_to_utf8(const uint8_t *b, size_t len, uint64_t off, size_t n)
{
	char out[VG_PE_MAX_NAME + 4];
	size_t k = 0;
	for (size_t i = 0; i < n && k + 4 < VG_PE_MAX_NAME; i++) {
		uint16_t u;
		if (!vg_le16(b, len, off + 2 * i, &u) || !u)
			break;
		uint32_t cp = u;
		if (u >= 0xd800 && u < 0xdc00) {
			uint16_t lo;
			if (i + 1 < n && vg_le16(b, len, off + 2 * (i + 1), &lo) &&
			    lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + (((uint32_t)u - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				cp = 0xfffd;
			}
		} else if (u >= 0xdc00 && u < 0xe000) {
			cp = 0xfffd;
		}
		if (cp < 0x80) {
			out[k++] = (char)cp;
		} else if (cp < 0x800) {
			out[k++] = (char)(0xc0 | cp >> 6);
			out[k++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[k++] = (char)(0xe0 | cp >> 12);
			out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[k++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[k++] = (char)(0xf0 | cp >> 18);
			out[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
			out[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			out[k++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return vg_strndup(out, k);
}

/* One VS_VERSIONINFO-style block: wLength, wValueLength, wType, szKey. */
struct vblock {
	uint64_t end;      /* first byte after the block */
	uint64_t value;    /* offset of the value */
	uint16_t vlen;     /* wValueLength (bytes, or WCHARs for text) */
	uint16_t type;     /* 1 = text */
	uint64_t children; /* offset of the first child */
	char key[32];
};

/* Read the block at pos (rel. to base, 4-aligned offsets) within limit. */
static int read_block(const uint8_t *b, uint64_t limit, uint64_t base, uint64_t pos,
		      struct vblock *v)
{
	uint16_t wl;
	if (!vg_le16(b, limit, pos, &wl) || wl < 6 || !vg_fits(limit, pos, wl))
		return 0;
	vg_le16(b, limit, pos + 2, &v->vlen);
	vg_le16(b, limit, pos + 4, &v->type);
	v->end = pos + wl;
	uint64_t k = pos + 6;
	size_t n = 0;
	for (;; k += 2) {
		uint16_t u;
		if (!vg_le16(b, v->end, k, &u))
			return 0;
		if (!u)
			break;
		if (n + 1 < sizeof v->key)
			v->key[n++] = u < 0x80 ? (char)u : '?';
	}
	v->key[n] = '\0';
	k += 2;
	v->value = base + ((k - base + 3) & ~(uint64_t)3);
	uint64_t vbytes = v->type == 1 ? 2 * (uint64_t)v->vlen : v->vlen;
	uint64_t after = v->value + vbytes;
	v->children = base + ((after - base + 3) & ~(uint64_t)3);
	return 1;
}

static void parse_version(vg_pe *pe, const uint8_t *b, size_t len, uint64_t off,
			  uint64_t size)
{
	if (!vg_fits(len, off, size)) {
		pe->anomalies |= VG_PE_ANOM_VERSION_BAD;
		return;
	}
	uint64_t lim = off + size;
	pe->version_off = off;
	pe->version_size = size;
	struct vblock top, sfi, tab, str;
	unsigned budget = 1024; /* blocks visited, against crafted sizes */
	if (!read_block(b, lim, off, off, &top) || strcmp(top.key, "VS_VERSION_INFO")) {
		pe->anomalies |= VG_PE_ANOM_VERSION_BAD;
		return;
	}
	/* three fixed levels: StringFileInfo > string table > strings */
	for (uint64_t p = top.children; p < top.end && budget; budget--) {
		if (!read_block(b, top.end, off, p, &sfi))
			break;
		if (!strcmp(sfi.key, "StringFileInfo")) {
			for (uint64_t q = sfi.children; q < sfi.end && budget; budget--) {
				if (!read_block(b, sfi.end, off, q, &tab))
					break;
				for (uint64_t r = tab.children; r < tab.end && budget; budget--) {
					if (!read_block(b, tab.end, off, r, &str))
						break;
					const char **slot = NULL;
					if (!strcmp(str.key, "CompanyName"))
						slot = &pe->company_name;
					else if (!strcmp(str.key, "ProductName"))
						slot = &pe->product_name;
					else if (!strcmp(str.key, "FileVersion"))
						slot = &pe->file_version;
					else if (!strcmp(str.key, "ProductVersion"))
						slot = &pe->product_version;
					else if (!strcmp(str.key, "OriginalFilename"))
						slot = &pe->original_filename;
					if (slot && !*slot && str.vlen)
						*slot = keep(pe, utf16_to_utf8(b, str.end, str.value,
									       str.vlen));
					r = off + ((str.end - off + 3) & ~(uint64_t)3);
				}
				q = off + ((tab.end - off + 3) & ~(uint64_t)3);
			}
		}
		p = off + ((sfi.end - off + 3) & ~(uint64_t)3);
	}
}

/* Walk the resource tree iteratively (explicit stack, depth and node caps,
 * a directory that is its own ancestor is a loop), count the leaves and
 * parse the first RT_VERSION (16) leaf. */
static void parse_resources(vg_pe *pe, const uint8_t *b, size_t len)
{
	if (pe->ndirs <= VG_PE_DIR_RESOURCE || !pe->dirs[VG_PE_DIR_RESOURCE].addr)
		return;
	uint64_t base;
	if (!vg_pe_rva_to_off(pe, len, pe->dirs[VG_PE_DIR_RESOURCE].addr, &base)) {
		pe->anomalies |= VG_PE_ANOM_RES_BAD;
		return;
	}
	struct frame {
		uint64_t dir;   /* offset of the directory */
		uint32_t next;  /* index of the next entry to visit */
		uint32_t count; /* entries in it */
		uint32_t type;  /* resource type id on this path (level 0 id) */
	} stack[VG_PE_MAX_RES_DEPTH];
	int depth = 0;
	unsigned nodes = 0;
	uint64_t vers_off = 0, vers_size = 0;
	uint16_t nn, ni;
	if (!vg_le16(b, len, base + 12, &nn) || !vg_le16(b, len, base + 14, &ni)) {
		pe->anomalies |= VG_PE_ANOM_RES_BAD;
		return;
	}
	stack[0] = (struct frame){base, 0, (uint32_t)nn + ni, 0};
	while (depth >= 0) {
		struct frame *f = &stack[depth];
		if (f->next >= f->count) {
			depth--;
			continue;
		}
		if (++nodes > VG_PE_MAX_RES_NODES) {
			pe->anomalies |= VG_PE_ANOM_RES_CAPPED;
			break;
		}
		uint64_t e = f->dir + 16 + 8 * (uint64_t)f->next++;
		uint32_t id, to;
		if (!vg_le32(b, len, e, &id) || !vg_le32(b, len, e + 4, &to)) {
			pe->anomalies |= VG_PE_ANOM_RES_BAD;
			f->next = f->count;
			continue;
		}
		uint32_t type = depth == 0 ? ((id & 0x80000000u) ? 0 : id) : f->type;
		uint64_t target = base + (to & 0x7fffffffu);
		if (to & 0x80000000u) {
			int loop = 0;
			for (int i = 0; i <= depth; i++)
				loop |= stack[i].dir == target;
			if (loop) {
				pe->anomalies |= VG_PE_ANOM_RES_LOOP;
				continue;
			}
			if (depth + 1 >= VG_PE_MAX_RES_DEPTH) {
				pe->anomalies |= VG_PE_ANOM_RES_CAPPED;
				continue;
			}
			if (!vg_le16(b, len, target + 12, &nn) ||
			    !vg_le16(b, len, target + 14, &ni)) {
				pe->anomalies |= VG_PE_ANOM_RES_BAD;
				continue;
			}
			stack[++depth] = (struct frame){target, 0, (uint32_t)nn + ni, type};
			continue;
		}
		uint32_t rva, size;
		if (!vg_le32(b, len, target, &rva) || !vg_le32(b, len, target + 4, &size)) {
			pe->anomalies |= VG_PE_ANOM_RES_BAD;
			continue;
		}
		pe->nresources++;
		uint64_t o;
		if (type == 16 && !vers_size && vg_pe_rva_to_off(pe, len, rva, &o)) {
			vers_off = o;
			vers_size = size;
		}
	}
	if (vers_size)
		parse_version(pe, b, len, vers_off, vers_size);
}

int vg_pe_parse(const uint8_t *buf, size_t len, unsigned what, vg_pe **out)
{
	vg_pe *pe = calloc(1, sizeof *pe);
	*out = pe;
	if (!pe)
		return VIGIL_FATAL;
	int r = parse_headers(pe, buf, len);
	if (r < 0)
		goto oom;
	if (r == 0)
		return VIGIL_FAILED;
	if (parse_certs(pe, buf, len) < 0)
		goto oom;
	parse_debug(pe, buf, len);
	if (what & VG_PE_ENTROPY) {
		uint64_t budget = (uint64_t)len + VG_ENTROPY_SLACK;
		for (size_t i = 0; i < pe->nsections; i++) {
			vg_pe_section *s = &pe->sections[i];
			uint64_t n = s->raw_size;
			if (s->raw_off >= len)
				n = 0;
			else if (n > len - s->raw_off)
				n = len - s->raw_off;
			if (n > budget) {
				pe->anomalies |= VG_PE_ANOM_ENTROPY_BUDGET;
				continue; /* stays -1: not computed */
			}
			budget -= n;
			s->entropy = vg_entropy(buf + (n ? s->raw_off : 0), (size_t)n);
		}
	}
	if ((what & VG_PE_IMPORTS) && parse_imports(pe, buf, len) < 0)
		goto oom;
	if ((what & VG_PE_EXPORTS) && parse_exports(pe, buf, len) < 0)
		goto oom;
	if (what & VG_PE_VERSION)
		parse_resources(pe, buf, len);
	return pe->anomalies ? VIGIL_WARN : VIGIL_OK;
oom:
	vg_pe_free(pe);
	*out = NULL;
	return VIGIL_FATAL;
}

void vg_pe_free(vg_pe *pe)
{
	if (!pe)
		return;
	for (size_t i = 0; i < pe->nstrs; i++)
		free(pe->strs[i]);
	free(pe->strs);
	free(pe->sections);
	free(pe->imports);
	free(pe->exports);
	free(pe->certs);
	free(pe);
}
