/*
 * The facts of one component, from one read of its bytes: digest, size,
 * file type and, for PE, ELF and Mach-O, version, signature, imports,
 * sections, overlay, entry section, TLS callbacks, IFUNC, init_array,
 * RPATH, toolchain fingerprint, network strings, high-entropy bytes and
 * the capabilities the content table derives. The parsers are those of
 * lib/formats and lib/trust; the few PE structures they do not read (TLS
 * directory, CodeView debug record, Rich header) are read here with
 * formats/byteread.h (fuzz/fuzz_diff_facts.c).
 *
 * The facts are a JSON object, the very record a snapshot keeps, so that
 * a diff from a snapshot compares what a diff from the bytes compares.
 * Numbers are integers (entropy in thousandths of a bit) so that a
 * snapshot round trip cannot change them.
 */
#include <ctype.h>
#include <fuzzy.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "base/entropy.h"
#include "base/util.h"
#include "diff/diff_internal.h"
#include "formats/byteread.h"
#include "formats/elf.h"
#include "formats/elf_dynsyms.h"
#include "formats/filetype.h"
#include "formats/macho.h"
#include "formats/netstrings.h"
#include "formats/pe.h"
#include "report/json_write.h"
#include "trust/authenticode.h"

#define SCN_EXEC 0x20000000u
#define SCN_WRITE 0x80000000u
#define SCN_READ 0x40000000u
#define MAX_TLS_CALLBACKS 256
#define MAX_DEBUG_ENTRIES 64
#define ENTROPY_BLOCK 4096
#define ENTROPY_HIGH 7.2
#define MAX_IMPORTS 20000
#define SHT_INIT_ARRAY_ 14
#define PT_LOAD_ 1
#define PF_X_ 1
#define PF_W_ 2
#define LC_BUILD_VERSION_ 0x32u

int vg_diff_sha256(const uint8_t *p, size_t n, char out[65])
{
	uint8_t md[32];
	unsigned mdlen = 0;
	if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return 0;
	vg_hex(md, 32, out);
	return 1;
}

static void put(json_t *o, const char *k, json_t *v)
{
	/* a failed allocation loses a fact, never the record */
	if (v)
		json_object_set_new(o, k, v);
}

static json_t *milli(double h)
{
	return json_integer(h < 0 ? -1 : (json_int_t)(h * 1000.0 + 0.5));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A growing list of strings, sorted and made unique into a JSON array. */
struct strs {
	char **v;
	size_t n, cap;
	int oom;
};

static void strs_add(struct strs *s, char *owned)
{
	if (!owned || s->n >= MAX_IMPORTS || !vg_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v)) {
		if (!owned || s->n < MAX_IMPORTS)
			s->oom = 1;
		free(owned);
		return;
	}
	s->v[s->n++] = owned;
}

static json_t *strs_json(struct strs *s)
{
	json_t *a = json_array();
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, cmp_str);
	for (size_t i = 0; i < s->n; i++)
		if (a && (i == 0 || strcmp(s->v[i], s->v[i - 1])))
			json_array_append_new(a, vg_json_text(s->v[i]));
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
	return a;
}

static void lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* ---- strings: network indicators, capability strings, Mach-O symbols ---- */

struct strwalk {
	const vg_caps *caps;
	unsigned char *hits;
	struct strs *syms; /* Mach-O: identifier strings "_name" */
};

static int on_string(void *ctx, const char *s, size_t n, uint64_t off, int utf16)
{
	struct strwalk *w = ctx;
	(void)off;
	if (w->syms && !utf16 && n >= 3 && s[0] == '_' && isalpha((unsigned char)s[1])) {
		size_t i = 1;
		while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$'))
			i++;
		if (i == n)
			strs_add(w->syms, vg_strdup(s + 1));
	}
	if (!w->caps || !w->caps->nstrings || !w->hits)
		return 0;
	char low[VG_STRINGS_MAX_RUN + 1];
	size_t k = n < VG_STRINGS_MAX_RUN ? n : VG_STRINGS_MAX_RUN;
	for (size_t i = 0; i < k; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[k] = '\0';
	for (size_t i = 0; i < w->caps->ncaps; i++) {
		const vg_capline *l = &w->caps->caps[i];
		for (size_t t = 0; t < l->nterms; t++)
			if (l->terms[t].kind == VG_TERM_STRING && !w->hits[l->terms[t].string_index] &&
			    strstr(low, l->terms[t].pat))
				w->hits[l->terms[t].string_index] = 1;
	}
	return 0;
}

/*
 * An IPv4-shaped string that is not an address: in 0.0.0.0/8 (this host,
 * 0.0.0.0 the bind-all), or under the object-identifier arcs that X.500,
 * X.509 and crypto libraries spell out as text (2.5.4.N attribute types,
 * 2.5.29.N extensions, 1.3.101.N curves, 1.3.6.N, 1.3.14.N, 1.3.132.N).
 */
static int not_an_address(const char *ip)
{
	static const char *const arcs[] = {"0.", "2.5.4.", "2.5.29.", "1.3.101.", "1.3.6.",
					   "1.3.14.", "1.3.132."};
	for (size_t i = 0; i < sizeof arcs / sizeof *arcs; i++)
		if (!strncmp(ip, arcs[i], strlen(arcs[i])))
			return 1;
	return 0;
}

/* skip_off, skip_len: bytes whose strings are no network indicators (a
 * PE's version resource, where "1.2.3.4" is FileVersion) */
static void network(json_t *o, const uint8_t *buf, size_t len, uint64_t skip_off,
		    uint64_t skip_len)
{
	vg_netstrings *ns = NULL;
	if (vg_netstrings_extract(buf, len, 0, &ns) == VIGIL_FATAL || !ns)
		return;
	struct strs kinds[3] = {{0}};
	for (size_t i = 0; i < ns->n; i++) {
		const vg_netstr *it = &ns->items[i];
		if (it->kind > VG_NETSTR_IPV4)
			continue;
		if (it->kind == VG_NETSTR_IPV4 &&
		    (not_an_address(it->value) ||
		     (skip_len && it->offset >= skip_off && it->offset - skip_off < skip_len)))
			continue;
		strs_add(&kinds[it->kind], vg_strdup(it->value));
	}
	put(o, "urls", strs_json(&kinds[VG_NETSTR_URL]));
	put(o, "domains", strs_json(&kinds[VG_NETSTR_DOMAIN]));
	put(o, "ips", strs_json(&kinds[VG_NETSTR_IPV4]));
	vg_netstrings_free(ns);
}

static uint64_t high_entropy_bytes(const uint8_t *buf, size_t len)
{
	uint64_t n = 0;
	for (size_t off = 0; off + ENTROPY_BLOCK <= len; off += ENTROPY_BLOCK)
		if (vg_entropy(buf + off, ENTROPY_BLOCK) >= ENTROPY_HIGH)
			n += ENTROPY_BLOCK;
	return n;
}

/* ---- PE ---- */

static json_t *rwx(int r, int w, int x)
{
	char f[4] = {r ? 'r' : '-', w ? 'w' : '-', x ? 'x' : '-', '\0'};
	return json_string(f);
}

static unsigned pe_tls_callbacks(const uint8_t *b, size_t len, const vg_pe *pe)
{
	enum { DIR_TLS = 9 };
	if (pe->ndirs <= DIR_TLS || !pe->dirs[DIR_TLS].addr)
		return 0;
	uint64_t off, cbva = 0;
	if (!vg_pe_rva_to_off(pe, len, pe->dirs[DIR_TLS].addr, &off))
		return 0;
	if (pe->pe32plus) {
		if (!vg_le64(b, len, off + 24, &cbva))
			return 0;
	} else {
		uint32_t v;
		if (!vg_le32(b, len, off + 12, &v))
			return 0;
		cbva = v;
	}
	if (cbva <= pe->image_base || cbva - pe->image_base > UINT32_MAX)
		return 0;
	if (!vg_pe_rva_to_off(pe, len, (uint32_t)(cbva - pe->image_base), &off))
		return 0;
	unsigned n = 0, step = pe->pe32plus ? 8 : 4;
	for (; n < MAX_TLS_CALLBACKS; n++, off += step) {
		uint64_t p = 0;
		uint32_t p32;
		if (pe->pe32plus ? !vg_le64(b, len, off, &p) : !vg_le32(b, len, off, &p32))
			break;
		if (!pe->pe32plus)
			p = p32;
		if (!p)
			break;
	}
	return n;
}

/* The first CodeView (RSDS) record's PDB path, or NULL. */
static char *pe_pdb(const uint8_t *b, size_t len, const vg_pe *pe)
{
	const vg_pe_dir *d = &pe->dirs[VG_PE_DIR_DEBUG];
	uint64_t off;
	if (pe->ndirs <= VG_PE_DIR_DEBUG || !d->addr || !vg_pe_rva_to_off(pe, len, d->addr, &off))
		return NULL;
	for (uint32_t i = 0; i < d->size / 28 && i < MAX_DEBUG_ENTRIES; i++) {
		uint32_t type, size, ptr, magic;
		uint64_t e = off + (uint64_t)i * 28;
		if (!vg_le32(b, len, e + 12, &type) || !vg_le32(b, len, e + 16, &size) ||
		    !vg_le32(b, len, e + 24, &ptr))
			return NULL;
		if (type != 2 || size < 25 || !vg_le32(b, len, ptr, &magic) ||
		    magic != 0x53445352u /* "RSDS" */ || !vg_fits(len, ptr, size))
			continue;
		const char *s = (const char *)b + ptr + 24;
		size_t n = strnlen(s, size - 24);
		return vg_strndup(s, n < VG_PE_MAX_NAME ? n : VG_PE_MAX_NAME);
	}
	return NULL;
}

/* A short digest of the Rich header (the linker's build tools), or NULL. */
static char *pe_rich(const uint8_t *b, size_t len, const vg_pe *pe)
{
	for (uint64_t off = 0x80; off + 8 <= pe->pe_off && vg_fits(len, off, 8); off += 4) {
		if (memcmp(b + off, "Rich", 4) != 0)
			continue;
		char hex[65];
		if (!vg_diff_sha256(b + 0x80, (size_t)(off + 8 - 0x80), hex))
			return NULL;
		hex[16] = '\0';
		return vg_strdup(hex);
	}
	return NULL;
}

static void pe_signature(json_t *o, const uint8_t *buf, size_t len, const vg_pe *pe)
{
	if (!pe->signed_)
		return;
	json_t *s = json_object();
	if (!s)
		return;
	uint64_t slack = 0;
	for (size_t i = 0; i < pe->ncerts; i++) {
		const vg_pe_cert *c = &pe->certs[i];
		uint64_t extra = c->slack_len > c->pad_allowed ? c->slack_len - c->pad_allowed : 0;
		slack += extra > c->slack_nonzero ? extra : c->slack_nonzero;
	}
	put(s, "cert_table", json_integer((json_int_t)pe->cert_size));
	put(s, "cert_slack", json_integer((json_int_t)slack));
	vg_authenticode ac;
	int st = vg_authenticode_verify(buf, len, pe, NULL, &ac);
	const vg_ac_sig *g = st != VIGIL_FATAL && ac.nsigs ? &ac.sigs[0] : NULL;
	if (g) {
		put(s, "signer", vg_json_text(g->subject ? g->subject : ""));
		put(s, "issuer", vg_json_text(g->issuer ? g->issuer : ""));
		put(s, "serial", vg_json_text(g->serial ? g->serial : ""));
		put(s, "thumbprint", json_string(g->thumbprint_sha1));
		if (g->thumbprint_sha256[0])
			put(s, "thumbprint_sha256", json_string(g->thumbprint_sha256));
		put(s, "digest_match", json_integer(g->digest_match));
		put(s, "intact", json_integer(g->intact));
		put(s, "timestamp", json_boolean(g->timestamp != VG_AC_TS_NONE));
		put(s, "self_signed", json_boolean(g->subject && g->issuer &&
						   !strcmp(g->subject, g->issuer)));
	} else {
		put(s, "error", vg_json_text(st == VIGIL_FATAL || !ac.error ? "unreadable" : ac.error));
	}
	if (st != VIGIL_FATAL)
		vg_authenticode_clear(&ac);
	put(o, "signature", s);
}

static void pe_facts(json_t *o, const uint8_t *buf, size_t len, const vg_pe *pe,
		     struct strs *imports)
{
	put(o, "format", json_string("pe"));
	put(o, "dll", json_boolean(pe->characteristics & 0x2000));
	if (pe->file_version)
		put(o, "version", vg_json_text(pe->file_version));
	if (pe->product_version)
		put(o, "product_version", vg_json_text(pe->product_version));
	if (pe->company_name)
		put(o, "company", vg_json_text(pe->company_name));
	for (size_t i = 0; i < pe->nimports; i++) {
		const vg_pe_import *im = &pe->imports[i];
		char *dll = vg_strdup(im->dll ? im->dll : "?");
		lower(dll);
		char *s = !dll ? NULL : im->name ? vg_asprintf("%s!%s", dll, im->name)
			  : vg_asprintf("%s!#%u", dll, (unsigned)im->ordinal);
		free(dll);
		strs_add(imports, s);
	}
	put(o, "exports", json_integer((json_int_t)pe->nexports));
	json_t *secs = json_array();
	const char *entry = NULL;
	for (size_t i = 0; secs && i < pe->nsections; i++) {
		const vg_pe_section *s = &pe->sections[i];
		json_t *x = json_object();
		if (!x)
			break;
		uint32_t c = s->characteristics;
		put(x, "name", vg_json_textn(s->name, strnlen(s->name, 8)));
		put(x, "size", json_integer(s->raw_size > s->vsize ? s->raw_size : s->vsize));
		put(x, "entropy", milli(s->entropy));
		put(x, "flags", rwx(c & SCN_READ, c & SCN_WRITE, c & SCN_EXEC));
		json_array_append_new(secs, x);
		uint32_t span = s->vsize ? s->vsize : s->raw_size;
		if (!entry && pe->entry_rva >= s->vaddr && pe->entry_rva - s->vaddr < span)
			entry = s->name;
	}
	put(o, "sections", secs);
	if (entry)
		put(o, "entry_section", vg_json_textn(entry, strnlen(entry, 8)));
	uint64_t overlay = pe->overlay_len;
	if (pe->signed_ && pe->cert_off >= pe->overlay_off)
		overlay -= pe->cert_size < overlay ? pe->cert_size : overlay;
	put(o, "overlay", json_integer((json_int_t)overlay));
	put(o, "tls_callbacks", json_integer(pe_tls_callbacks(buf, len, pe)));
	char *pdb = pe_pdb(buf, len, pe), *rich = pe_rich(buf, len, pe);
	char *tc = vg_asprintf("pdb=%s;rich=%s", pdb ? pdb : "", rich ? rich : "");
	if (tc && (pdb || rich))
		put(o, "toolchain", vg_json_text(tc));
	free(tc);
	free(pdb);
	free(rich);
	pe_signature(o, buf, len, pe);
}

/* ---- ELF ---- */

static void elf_facts(json_t *o, const uint8_t *buf, size_t len, const vg_elf *e,
		      struct strs *imports)
{
	put(o, "format", json_string("elf"));
	if (e->soname)
		put(o, "version", vg_json_text(e->soname));
	for (size_t i = 0; i < e->nneeded; i++)
		strs_add(imports, vg_asprintf("needed:%s", e->needed[i]));
	vg_elf_dynsyms d;
	int rc = vg_elf_dynsyms_read(buf, len, &d);
	if (rc == 0) {
		for (size_t i = 0; i < d.nundef; i++)
			strs_add(imports, vg_strdup(d.undef[i]));
		put(o, "ifunc", json_integer((json_int_t)(d.nifunc + d.nirelative)));
		const char *rp = d.runpath ? d.runpath : d.rpath;
		if (rp)
			put(o, "rpath", vg_json_text(rp));
	}
	vg_elf_dynsyms_clear(&d);
	json_t *secs = json_array();
	uint64_t init_array = 0;
	const char *entry = NULL;
	for (size_t i = 0; secs && i < e->nsections; i++) {
		const vg_elf_section *s = &e->sections[i];
		if (s->type == SHT_INIT_ARRAY_)
			init_array += s->size;
		if (!(s->flags & 2)) /* SHF_ALLOC: what is loaded */
			continue;
		/* the section holding e_entry (a shared library's is often 0:
		 * none) */
		if (!entry && e->layout.entry && e->layout.entry >= s->addr &&
		    e->layout.entry - s->addr < s->size && s->type != 8 /* SHT_NOBITS */)
			entry = s->name;
		json_t *x = json_object();
		if (!x)
			break;
		put(x, "name", vg_json_text(s->name));
		put(x, "size", json_integer((json_int_t)s->size));
		put(x, "entropy", milli(s->entropy));
		put(x, "flags", rwx(1, s->flags & 1, s->flags & 4));
		json_array_append_new(secs, x);
	}
	/* writable and executable load segments are sections too, for the
	 * WX signal: a linker script or a patched header makes them */
	for (size_t i = 0; secs && i < e->nsegments; i++) {
		const vg_elf_segment *g = &e->segments[i];
		if (g->type != PT_LOAD_ || (g->flags & (PF_W_ | PF_X_)) != (PF_W_ | PF_X_))
			continue;
		json_t *x = json_object();
		char name[32];
		snprintf(name, sizeof name, "LOAD#%zu", i);
		if (!x)
			break;
		put(x, "name", json_string(name));
		put(x, "size", json_integer((json_int_t)g->memsz));
		put(x, "entropy", json_integer(-1));
		put(x, "flags", rwx(g->flags & 4, 1, 1));
		json_array_append_new(secs, x);
	}
	put(o, "sections", secs);
	if (entry && *entry)
		put(o, "entry_section", vg_json_text(entry));
	put(o, "init_array", json_integer((json_int_t)init_array));
	put(o, "overlay", json_integer((json_int_t)e->appended_len));
	for (size_t i = 0; i < e->nsections; i++) {
		const vg_elf_section *s = &e->sections[i];
		if (strcmp(s->name, ".comment") || !vg_fits(len, s->offset, s->size))
			continue;
		char tc[512];
		size_t k = 0;
		for (uint64_t j = 0; j < s->size && k + 1 < sizeof tc; j++) {
			char c = (char)buf[s->offset + j];
			tc[k++] = c ? (isprint((unsigned char)c) ? c : '?') : ';';
		}
		while (k && tc[k - 1] == ';')
			k--;
		tc[k] = '\0';
		put(o, "toolchain", vg_json_text(tc));
		break;
	}
}

/* ---- Mach-O ---- */

#define LC_SEGMENT_ 0x1u
#define LC_SYMTAB_ 0x2u
#define LC_SEGMENT_64_ 0x19u
#define LC_MAIN_ 0x80000028u
#define MAX_MACHO_SYMS 1000000u

static int mread32(const vg_macho_slice *s, const uint8_t *b, size_t len, uint64_t at,
		   uint32_t *v)
{
	return s->big_endian ? vg_be32(b, len, at, v) : vg_le32(b, len, at, v);
}

static int mread64(const vg_macho_slice *s, const uint8_t *b, size_t len, uint64_t at,
		   uint64_t *v)
{
	uint32_t lo, hi;
	if (!mread32(s, b, len, at, &lo) || !mread32(s, b, len, at + 4, &hi))
		return 0;
	*v = s->big_endian ? ((uint64_t)lo << 32 | hi) : ((uint64_t)hi << 32 | lo);
	return 1;
}

/* The undefined external symbols of the slice's LC_SYMTAB (what it
 * imports), without their leading '_'. */
static void macho_undefined(const uint8_t *b, size_t len, const vg_macho_slice *s,
			    uint64_t at, struct strs *imports)
{
	uint32_t symoff, nsyms, stroff, strsize;
	if (!mread32(s, b, len, at + 8, &symoff) || !mread32(s, b, len, at + 12, &nsyms) ||
	    !mread32(s, b, len, at + 16, &stroff) || !mread32(s, b, len, at + 20, &strsize))
		return;
	uint64_t ent = s->is64 ? 16 : 12, base = s->offset;
	if (!vg_fits(len, base + stroff, strsize))
		return;
	const char *strs = (const char *)b + base + stroff;
	for (uint32_t i = 0; i < nsyms && i < MAX_MACHO_SYMS; i++) {
		uint64_t e = base + symoff + (uint64_t)i * ent;
		uint32_t strx;
		if (!vg_fits(len, e, ent) || !mread32(s, b, len, e, &strx))
			break;
		uint8_t type = b[e + 4];
		/* N_STAB none, N_TYPE N_UNDF, N_EXT */
		if ((type & 0xe0) || (type & 0x0e) || !(type & 0x01) || strx >= strsize)
			continue;
		const char *nm = strs + strx;
		size_t n = strnlen(nm, strsize - strx);
		if (n && *nm == '_') {
			nm++;
			n--;
		}
		if (n && n < strsize - strx)
			strs_add(imports, vg_strndup(nm, n < VG_PE_MAX_NAME ? n : VG_PE_MAX_NAME));
	}
}

/* The section holding file offset off (LC_SEGMENT/LC_SEGMENT_64), or
 * NULL; name gets "segment,section". */
static int macho_section_at(const uint8_t *b, size_t len, const vg_macho_slice *s,
			    uint64_t off, char name[40])
{
	for (uint32_t i = 0; i < s->ncmds_walked; i++) {
		uint32_t cmd = s->cmds[i].cmd, nsects;
		if (cmd != LC_SEGMENT_ && cmd != LC_SEGMENT_64_)
			continue;
		int w = cmd == LC_SEGMENT_64_;
		uint64_t at = s->offset + s->cmds[i].offset;
		uint64_t hdr = w ? 72 : 56, sect = w ? 80 : 68;
		if (!mread32(s, b, len, at + (w ? 64 : 48), &nsects))
			continue;
		for (uint32_t k = 0; k < nsects && k < 256; k++) {
			uint64_t x = at + hdr + (uint64_t)k * sect;
			uint64_t size = 0;
			uint32_t fo, sz32;
			if (!vg_fits(len, x, sect) || x + sect > at + s->cmds[i].cmdsize)
				break;
			if (w ? !mread64(s, b, len, x + 40, &size) : !mread32(s, b, len, x + 36, &sz32))
				break;
			if (!w)
				size = sz32;
			if (!mread32(s, b, len, x + (w ? 48 : 40), &fo))
				break;
			if (fo && off >= fo && off - fo < size) {
				snprintf(name, 40, "%.16s,%.16s", (const char *)b + x + 16,
					 (const char *)b + x);
				for (char *c = name; *c; c++)
					if (!isprint((unsigned char)*c))
						*c = '?';
				return 1;
			}
		}
	}
	return 0;
}

static void macho_facts(json_t *o, const uint8_t *buf, size_t len, const vg_macho *m,
			struct strs *imports)
{
	put(o, "format", json_string("macho"));
	const vg_macho_slice *s0 = m->nslices ? &m->slices[0] : NULL;
	for (size_t i = 0; i < m->nslices; i++) {
		const vg_macho_slice *s = &m->slices[i];
		for (size_t j = 0; j < s->ndylibs; j++)
			strs_add(imports, vg_asprintf("dylib:%s", s->dylibs[j].name));
	}
	if (!s0)
		return;
	if (s0->id_dylib)
		put(o, "version", vg_json_text(s0->id_dylib));
	if (s0->cs.present) {
		json_t *sig = json_object();
		if (sig) {
			int adhoc = s0->cs.has_cd && (s0->cs.cd_flags & VG_CS_ADHOC);
			const char *who = s0->cs.team_id ? s0->cs.team_id : s0->cs.identifier;
			if (!adhoc && who)
				put(sig, "signer", vg_json_text(who));
			put(sig, "ad_hoc", json_boolean(adhoc));
			if (s0->cs.identifier)
				put(sig, "identifier", vg_json_text(s0->cs.identifier));
			put(o, "signature", sig);
		}
	}
	for (uint32_t i = 0; i < s0->ncmds_walked; i++) {
		uint64_t at = s0->offset + s0->cmds[i].offset;
		uint64_t entryoff;
		char sec[40];
		if (s0->cmds[i].cmd == LC_SYMTAB_) {
			macho_undefined(buf, len, s0, at, imports);
		} else if (s0->cmds[i].cmd == LC_MAIN_ && mread64(s0, buf, len, at + 8, &entryoff) &&
			   macho_section_at(buf, len, s0, entryoff, sec)) {
			put(o, "entry_section", vg_json_text(sec));
		}
	}
	for (uint32_t i = 0; i < s0->ncmds_walked; i++) {
		if (s0->cmds[i].cmd != LC_BUILD_VERSION_)
			continue;
		uint64_t at = s0->offset + s0->cmds[i].offset;
		uint32_t v[3];
		int ok = 1;
		for (int k = 0; k < 3 && ok; k++)
			ok = s0->big_endian ? vg_be32(buf, len, at + 8 + 4 * (uint64_t)k, &v[k])
					    : vg_le32(buf, len, at + 8 + 4 * (uint64_t)k, &v[k]);
		if (ok) {
			char tc[64];
			snprintf(tc, sizeof tc, "platform=%u;minos=%08x;sdk=%08x", v[0], v[1], v[2]);
			put(o, "toolchain", json_string(tc));
		}
		break;
	}
}

json_t *vg_diff_facts(const uint8_t *buf, size_t len, const vg_caps *caps)
{
	json_t *o = json_object();
	char hex[65];
	if (!o)
		return NULL;
	put(o, "size", json_integer((json_int_t)len));
	if (vg_diff_sha256(buf, len, hex))
		put(o, "sha256", json_string(hex));
	put(o, "filetype", json_string(vg_filetype(buf, len)));
	struct strs imports = {0}, syms = {0};
	int exe = 0, macho = 0;
	uint64_t vr_off = 0, vr_len = 0;
	if (vg_pe_sniff(buf, len)) {
		vg_pe *pe = NULL;
		int st = vg_pe_parse(buf, len, VG_PE_ALL, &pe);
		if (pe && st != VIGIL_FAILED && st != VIGIL_FATAL) {
			pe_facts(o, buf, len, pe, &imports);
			vr_off = pe->version_off;
			vr_len = pe->version_size;
			exe = 1;
		}
		vg_pe_free(pe);
	} else if (vg_elf_sniff(buf, len)) {
		vg_elf *e = NULL;
		int st = vg_elf_parse(buf, len, &e);
		if (e && st != VIGIL_FAILED && st != VIGIL_FATAL) {
			elf_facts(o, buf, len, e, &imports);
			exe = 1;
		}
		vg_elf_free(e);
	} else if (vg_macho_sniff(buf, len)) {
		vg_macho *m = NULL;
		int st = vg_macho_parse(buf, len, &m);
		if (m && st != VIGIL_FAILED && st != VIGIL_FATAL) {
			macho_facts(o, buf, len, m, &imports);
			exe = macho = 1;
		}
		vg_macho_free(m);
	}
	if (!exe) {
		put(o, "format", json_string("data"));
		return o;
	}
	unsigned char *hits = caps && caps->nstrings ? calloc(caps->nstrings, 1) : NULL;
	/* Mach-O imports are the symbol table's undefined symbols
	 * (macho_undefined), not every "_name" string */
	struct strwalk w = {caps, hits, NULL};
	(void)macho;
	if (hits)
		vg_strings_each(buf, len, 4, on_string, &w);
	for (size_t i = 0; i < syms.n; i++) {
		strs_add(&imports, syms.v[i]);
		syms.v[i] = NULL;
	}
	free(syms.v);
	json_t *imp = strs_json(&imports);
	json_t *cap = json_array();
	if (imp && cap && caps)
		vg_caps_derive(caps, imp, hits, cap);
	free(hits);
	put(o, "imports", imp);
	put(o, "capabilities", cap);
	network(o, buf, len, vr_off, vr_len);
	put(o, "high_entropy", json_integer((json_int_t)high_entropy_bytes(buf, len)));
	/* for renames by similarity (diff_compare.c) */
	char fz[FUZZY_MAX_RESULT];
	if (len <= UINT32_MAX && fuzzy_hash_buf(buf, (uint32_t)len, fz) == 0)
		put(o, "ssdeep", vg_json_text(fz));
	return o;
}
