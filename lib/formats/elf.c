/*
 * ELF anatomy: a bounds-checked header walk of our own (vg_elf_layout_read,
 * cheap enough for every file of a sweep) and libelf on a private copy for
 * the rest (see formats/elf.h for why the copy).
 */
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/entropy.h"
#include "formats/byteread.h"
#include "formats/elf.h"
#include "base/util.h"

#define EHDR32_SIZE 52
#define EHDR64_SIZE 64
#define PHDR32_SIZE 32
#define PHDR64_SIZE 56
#define SHDR32_SIZE 40
#define SHDR64_SIZE 64
#define XNUM 0xffffu /* PN_XNUM: the real count is in section 0's sh_info */

int vg_elf_sniff(const uint8_t *buf, size_t len)
{
	return len >= EHDR32_SIZE && buf[0] == 0x7f && buf[1] == 'E' &&
	       buf[2] == 'L' && buf[3] == 'F' && (buf[4] == 1 || buf[4] == 2) &&
	       (buf[5] == 1 || buf[5] == 2);
}

/* end = off + size, saturating: a huge value counts as past any file. */
static uint64_t end_of(uint64_t off, uint64_t size)
{
	return off > UINT64_MAX - size ? UINT64_MAX : off + size;
}

static void extend(vg_elf_layout *lay, uint64_t end)
{
	if (end > lay->data_end)
		lay->data_end = end;
}

/* An address or offset field: 4 bytes in ELF32, 8 in ELF64. */
static int rdaddr(const vg_bytes *w, int is64, uint64_t off, uint64_t *v)
{
	if (is64)
		return vg_rd64(w, off, v);
	uint32_t x;
	if (!vg_rd32(w, off, &x))
		return 0;
	*v = x;
	return 1;
}

/* Fields of section 0 that extended numbering uses; 0 when unreadable. */
static int section0(const vg_bytes *w, const vg_elf_layout *lay,
		    uint64_t *size, uint32_t *info)
{
	*size = 0;
	*info = 0;
	if (!lay->shoff || lay->shentsize < (lay->is64 ? SHDR64_SIZE : SHDR32_SIZE))
		return 0;
	if (!rdaddr(w, lay->is64, lay->shoff + (lay->is64 ? 32 : 20), size) ||
	    !vg_rd32(w, lay->shoff + (lay->is64 ? 44 : 28), info)) {
		*size = 0;
		*info = 0;
		return 0;
	}
	return 1;
}

static void walk_segments(const vg_bytes *w, vg_elf_layout *lay)
{
	uint64_t n = lay->phnum;
	if (!n)
		return;
	if (lay->phentsize < (lay->is64 ? PHDR64_SIZE : PHDR32_SIZE)) {
		lay->anomalies |= VG_ELF_ANOM_BAD_ENTSIZE;
		lay->complete = 0;
		return;
	}
	if (n > VG_ELF_MAX_SEGMENTS) {
		lay->anomalies |= VG_ELF_ANOM_SEGMENTS_CAPPED;
		lay->complete = 0;
		return;
	}
	uint64_t tsize = n * lay->phentsize; /* both capped: no overflow */
	extend(lay, end_of(lay->phoff, tsize));
	if (!vg_fits(w->len, lay->phoff, tsize)) {
		lay->anomalies |= VG_ELF_ANOM_PHDRS_PAST_EOF;
		lay->complete = 0;
		return;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p = lay->phoff + i * lay->phentsize, off, filesz;
		if (!rdaddr(w, lay->is64, p + (lay->is64 ? 8 : 4), &off) ||
		    !rdaddr(w, lay->is64, p + (lay->is64 ? 32 : 16), &filesz))
			continue; /* cannot happen: the table fits */
		if (!filesz)
			continue;
		uint64_t e = end_of(off, filesz);
		if (e > w->len)
			lay->anomalies |= VG_ELF_ANOM_SEGMENT_PAST_EOF;
		extend(lay, e);
	}
}

static void walk_sections(const vg_bytes *w, vg_elf_layout *lay)
{
	uint64_t n = lay->shnum;
	if (!n)
		return;
	if (lay->shentsize < (lay->is64 ? SHDR64_SIZE : SHDR32_SIZE)) {
		lay->anomalies |= VG_ELF_ANOM_BAD_ENTSIZE;
		lay->complete = 0;
		return;
	}
	if (n > VG_ELF_MAX_SECTIONS) {
		lay->anomalies |= VG_ELF_ANOM_SECTIONS_CAPPED;
		lay->complete = 0;
		return;
	}
	uint64_t tsize = n * lay->shentsize;
	extend(lay, end_of(lay->shoff, tsize));
	if (!vg_fits(w->len, lay->shoff, tsize)) {
		lay->anomalies |= VG_ELF_ANOM_SHDRS_PAST_EOF;
		lay->complete = 0;
		return;
	}
	for (uint64_t i = 1; i < n; i++) { /* section 0 holds no data */
		uint64_t s = lay->shoff + i * lay->shentsize, off, size;
		uint32_t type;
		if (!vg_rd32(w, s + 4, &type) ||
		    !rdaddr(w, lay->is64, s + (lay->is64 ? 24 : 16), &off) ||
		    !rdaddr(w, lay->is64, s + (lay->is64 ? 32 : 20), &size))
			continue;
		if (type == SHT_NOBITS || type == SHT_NULL || !size)
			continue;
		uint64_t e = end_of(off, size);
		if (e > w->len)
			lay->anomalies |= VG_ELF_ANOM_SECTION_PAST_EOF;
		extend(lay, e);
	}
}

int vg_elf_layout_read(const uint8_t *buf, size_t len, vg_elf_layout *lay,
		       const char **err)
{
	memset(lay, 0, sizeof *lay);
	if (!vg_elf_sniff(buf, len)) {
		if (err)
			*err = "not an ELF file";
		return VIGIL_FAILED;
	}
	vg_bytes w = {buf, len, buf[EI_DATA] == ELFDATA2MSB};
	lay->is64 = buf[EI_CLASS] == ELFCLASS64;
	lay->big_endian = w.big;
	size_t ehsize = lay->is64 ? EHDR64_SIZE : EHDR32_SIZE;
	uint16_t phnum16, shnum16;
	if (len < ehsize || !vg_rd16(&w, 16, &lay->type) || !vg_rd16(&w, 18, &lay->machine) ||
	    !rdaddr(&w, lay->is64, 24, &lay->entry) ||
	    !rdaddr(&w, lay->is64, lay->is64 ? 32 : 28, &lay->phoff) ||
	    !rdaddr(&w, lay->is64, lay->is64 ? 40 : 32, &lay->shoff) ||
	    !vg_rd16(&w, lay->is64 ? 54 : 42, &lay->phentsize) ||
	    !vg_rd16(&w, lay->is64 ? 56 : 44, &phnum16) ||
	    !vg_rd16(&w, lay->is64 ? 58 : 46, &lay->shentsize) ||
	    !vg_rd16(&w, lay->is64 ? 60 : 48, &shnum16)) {
		if (err)
			*err = "truncated ELF header";
		return VIGIL_FAILED;
	}
	lay->complete = 1;
	lay->data_end = ehsize;
	lay->phnum = phnum16;
	lay->shnum = shnum16;
	if (lay->shoff == 0)
		lay->shnum = 0; /* no section header table, whatever e_shnum says */
	if ((shnum16 == 0 && lay->shoff) || phnum16 == XNUM) {
		uint64_t size0;
		uint32_t info0;
		if (!section0(&w, lay, &size0, &info0)) {
			/* the counts are in a section 0 we cannot read */
			lay->anomalies |= VG_ELF_ANOM_SHDRS_PAST_EOF;
			lay->complete = 0;
		}
		if (shnum16 == 0 && lay->shoff)
			lay->shnum = size0;
		if (phnum16 == XNUM)
			lay->phnum = info0;
	}
	walk_segments(&w, lay);
	walk_sections(&w, lay);
	return lay->complete ? VIGIL_OK : VIGIL_WARN;
}

const char *vg_elf_type_name(uint16_t type)
{
	static const char *const names[] = {"NONE", "REL", "EXEC", "DYN", "CORE"};
	return type < sizeof names / sizeof names[0] ? names[type] : NULL;
}

const char *vg_elf_segment_type_name(uint32_t type)
{
	static const char *const names[] = {"NULL", "LOAD", "DYNAMIC", "INTERP",
					    "NOTE", "SHLIB", "PHDR", "TLS"};
	if (type < sizeof names / sizeof names[0])
		return names[type];
	switch (type) {
	case PT_GNU_EH_FRAME:
		return "GNU_EH_FRAME";
	case PT_GNU_STACK:
		return "GNU_STACK";
	case PT_GNU_RELRO:
		return "GNU_RELRO";
	case 0x6474e553:
		return "GNU_PROPERTY";
	default:
		return NULL;
	}
}

/* ---- libelf part ---- */

static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;
static int libelf_ready;

static void libelf_init(void)
{
	libelf_ready = elf_version(EV_CURRENT) != EV_NONE;
}

/* A copy of at most VG_ELF_MAX_NAME bytes of s (up to its NUL or n). */
static char *copy_name(const char *s, size_t n)
{
	if (n > VG_ELF_MAX_NAME)
		n = VG_ELF_MAX_NAME;
	return vg_strndup(s, strnlen(s, n));
}

/* The string at buf[off], which must end (NUL) before off + max and inside
 * the file; NULL (and *bad set) otherwise. */
static char *string_at(const uint8_t *buf, size_t len, uint64_t off,
		       uint64_t max, int *bad, int *oom)
{
	if (off >= len) {
		*bad = 1;
		return NULL;
	}
	uint64_t room = len - off;
	if (max < room)
		room = max;
	const void *nul = memchr(buf + off, 0, (size_t)room);
	if (!nul) {
		*bad = 1;
		return NULL;
	}
	char *s = copy_name((const char *)buf + off, (size_t)((const uint8_t *)nul - (buf + off)));
	if (!s)
		*oom = 1;
	return s;
}

static int parse_segments(vg_elf *e, Elf *elf, const uint8_t *buf, size_t len)
{
	size_t n;
	if (elf_getphdrnum(elf, &n) != 0) {
		e->anomalies |= VG_ELF_ANOM_LIBELF;
		return 0;
	}
	if (n > VG_ELF_MAX_SEGMENTS) {
		e->anomalies |= VG_ELF_ANOM_SEGMENTS_CAPPED;
		n = VG_ELF_MAX_SEGMENTS;
	}
	if (!n)
		return 0;
	e->segments = calloc(n, sizeof *e->segments);
	if (!e->segments)
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph)) {
			e->anomalies |= VG_ELF_ANOM_LIBELF;
			break;
		}
		vg_elf_segment *s = &e->segments[e->nsegments++];
		s->type = ph.p_type;
		s->flags = ph.p_flags;
		s->offset = ph.p_offset;
		s->vaddr = ph.p_vaddr;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		if (ph.p_type == PT_INTERP && !e->interp) {
			int bad = 0, oom = 0;
			e->interp = string_at(buf, len, ph.p_offset, ph.p_filesz, &bad, &oom);
			if (oom)
				return -1;
			if (bad)
				e->anomalies |= VG_ELF_ANOM_INTERP_BAD;
		}
	}
	return 0;
}

static int parse_sections(vg_elf *e, Elf *elf, const uint8_t *buf, size_t len)
{
	size_t n, strndx;
	if (elf_getshdrnum(elf, &n) != 0) {
		e->anomalies |= VG_ELF_ANOM_LIBELF;
		return 0;
	}
	if (n > VG_ELF_MAX_SECTIONS) {
		e->anomalies |= VG_ELF_ANOM_SECTIONS_CAPPED;
		n = VG_ELF_MAX_SECTIONS;
	}
	if (n <= 1)
		return 0;
	int have_names = elf_getshdrstrndx(elf, &strndx) == 0;
	e->sections = calloc(n - 1, sizeof *e->sections);
	if (!e->sections)
		return -1;
	uint64_t budget = (uint64_t)len + VG_ENTROPY_SLACK;
	for (size_t i = 1; i < n; i++) {
		GElf_Shdr sh;
		Elf_Scn *scn = elf_getscn(elf, i);
		if (!scn || !gelf_getshdr(scn, &sh)) {
			e->anomalies |= VG_ELF_ANOM_LIBELF;
			break;
		}
		vg_elf_section *s = &e->sections[e->nsections++];
		const char *name = have_names ? elf_strptr(elf, strndx, sh.sh_name) : NULL;
		if (!name)
			e->anomalies |= VG_ELF_ANOM_BAD_STRTAB;
		s->name = copy_name(name ? name : "", VG_ELF_MAX_NAME);
		if (!s->name)
			return -1;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->offset = sh.sh_offset;
		s->size = sh.sh_size;
		s->addr = sh.sh_addr;
		s->entropy = -1.0;
		if (sh.sh_type != SHT_NOBITS && vg_fits(len, sh.sh_offset, sh.sh_size)) {
			if (sh.sh_size > budget) {
				e->anomalies |= VG_ELF_ANOM_ENTROPY_BUDGET;
			} else {
				budget -= sh.sh_size;
				s->entropy = vg_entropy(buf + (sh.sh_size ? sh.sh_offset : 0),
							(size_t)sh.sh_size);
			}
		}
	}
	return 0;
}

/* Map a virtual address to a file offset through the PT_LOAD segments. */
static int vaddr_to_off(const vg_elf *e, uint64_t va, uint64_t *off, uint64_t *room)
{
	for (size_t i = 0; i < e->nsegments; i++) {
		const vg_elf_segment *s = &e->segments[i];
		if (s->type != PT_LOAD || va < s->vaddr || va - s->vaddr >= s->filesz)
			continue;
		*off = s->offset + (va - s->vaddr);
		*room = s->filesz - (va - s->vaddr);
		return 1;
	}
	return 0;
}

/* DT_NEEDED and DT_SONAME from PT_DYNAMIC, which is what the loader reads
 * (section headers are optional and may lie). */
static int parse_dynamic(vg_elf *e, Elf *elf, const uint8_t *buf, size_t len)
{
	const vg_elf_segment *dyn = NULL;
	for (size_t i = 0; i < e->nsegments && !dyn; i++)
		if (e->segments[i].type == PT_DYNAMIC)
			dyn = &e->segments[i];
	if (!dyn || !dyn->filesz)
		return 0;
	size_t entsize = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
	if (!entsize)
		return 0;
	uint64_t size = dyn->filesz;
	if (size / entsize > VG_ELF_MAX_DYN) {
		e->anomalies |= VG_ELF_ANOM_DYN_BAD;
		size = (uint64_t)VG_ELF_MAX_DYN * entsize;
	}
	if (!vg_fits(len, dyn->offset, size)) {
		e->anomalies |= VG_ELF_ANOM_DYN_BAD;
		return 0;
	}
	Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)dyn->offset, (size_t)size, ELF_T_DYN);
	if (!d) {
		e->anomalies |= VG_ELF_ANOM_DYN_BAD;
		return 0;
	}
	size_t n = d->d_size / entsize;
	uint64_t strtab = 0, strsz = UINT64_MAX, soname = 0;
	int have_strtab = 0, have_soname = 0;
	size_t nneeded = 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Dyn dd;
		if (!gelf_getdyn(d, (int)i, &dd) || dd.d_tag == DT_NULL)
			break;
		if (dd.d_tag == DT_STRTAB) {
			strtab = dd.d_un.d_ptr;
			have_strtab = 1;
		} else if (dd.d_tag == DT_STRSZ) {
			strsz = dd.d_un.d_val;
		} else if (dd.d_tag == DT_SONAME) {
			soname = dd.d_un.d_val;
			have_soname = 1;
		} else if (dd.d_tag == DT_NEEDED) {
			nneeded++;
		}
	}
	if (!have_strtab)
		return 0;
	uint64_t stroff, room;
	if (!vaddr_to_off(e, strtab, &stroff, &room)) {
		e->anomalies |= VG_ELF_ANOM_DYN_BAD;
		return 0;
	}
	if (strsz < room)
		room = strsz;
	int bad = 0, oom = 0;
	if (have_soname) {
		if (soname < room)
			e->soname = string_at(buf, len, stroff + soname, room - soname, &bad, &oom);
		else
			bad = 1;
	}
	if (nneeded > VG_ELF_MAX_NEEDED) {
		e->anomalies |= VG_ELF_ANOM_DYN_BAD;
		nneeded = VG_ELF_MAX_NEEDED;
	}
	if (nneeded && !oom && !(e->needed = calloc(nneeded, sizeof *e->needed)))
		oom = 1;
	for (size_t i = 0; i < n && !oom && e->nneeded < nneeded; i++) {
		GElf_Dyn dd;
		if (!gelf_getdyn(d, (int)i, &dd) || dd.d_tag == DT_NULL)
			break;
		if (dd.d_tag != DT_NEEDED)
			continue;
		if (dd.d_un.d_val >= room) {
			bad = 1;
			continue;
		}
		char *s = string_at(buf, len, stroff + dd.d_un.d_val, room - dd.d_un.d_val,
				    &bad, &oom);
		if (s)
			e->needed[e->nneeded++] = s;
	}
	if (bad)
		e->anomalies |= VG_ELF_ANOM_BAD_STRTAB;
	return oom ? -1 : 0;
}

/* Look for NT_GNU_BUILD_ID in one block of notes; counts toward *budget. */
static void scan_notes(vg_elf *e, Elf_Data *d, size_t *budget)
{
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	while (*budget && off < d->d_size) {
		size_t next = gelf_getnote(d, off, &nh, &name_off, &desc_off);
		if (!next || next <= off) {
			if (off < d->d_size)
				e->anomalies |= VG_ELF_ANOM_NOTES_BAD;
			return;
		}
		(*budget)--;
		off = next;
		/* gelf_getnote checked that name and desc lie inside d */
		if (e->build_id_len || nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
		    memcmp((const char *)d->d_buf + name_off, "GNU", 4) != 0 ||
		    nh.n_descsz == 0)
			continue;
		size_t n = nh.n_descsz;
		if (n > VG_ELF_MAX_BUILD_ID) {
			n = VG_ELF_MAX_BUILD_ID;
			e->build_id_truncated = 1;
		}
		memcpy(e->build_id, (const uint8_t *)d->d_buf + desc_off, n);
		e->build_id_len = n;
	}
	if (!*budget)
		e->anomalies |= VG_ELF_ANOM_NOTES_BAD;
}

/* The build-id from PT_NOTE segments, or from SHT_NOTE sections when the
 * file has no program headers (relocatable objects). */
static void parse_notes(vg_elf *e, Elf *elf, size_t len)
{
	size_t budget = VG_ELF_MAX_NOTES;
	int had_segment = 0;
	for (size_t i = 0; i < e->nsegments && !e->build_id_len && budget; i++) {
		const vg_elf_segment *s = &e->segments[i];
		if (s->type != PT_NOTE || !s->filesz)
			continue;
		had_segment = 1;
		if (!vg_fits(len, s->offset, s->filesz)) {
			e->anomalies |= VG_ELF_ANOM_NOTES_BAD;
			continue;
		}
		GElf_Phdr ph;
		int nhdr8 = gelf_getphdr(elf, (int)i, &ph) && ph.p_align == 8;
		Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)s->offset, (size_t)s->filesz,
						   nhdr8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (!d) {
			e->anomalies |= VG_ELF_ANOM_NOTES_BAD;
			continue;
		}
		scan_notes(e, d, &budget);
	}
	if (had_segment)
		return;
	Elf_Scn *scn = NULL;
	size_t seen = 0;
	while (!e->build_id_len && budget && seen++ < VG_ELF_MAX_SECTIONS &&
	       (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		if (!vg_fits(len, sh.sh_offset, sh.sh_size)) {
			e->anomalies |= VG_ELF_ANOM_NOTES_BAD;
			continue;
		}
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d) {
			e->anomalies |= VG_ELF_ANOM_NOTES_BAD;
			continue;
		}
		scan_notes(e, d, &budget);
	}
}

int vg_elf_parse(const uint8_t *buf, size_t len, vg_elf **out)
{
	vg_elf *e = calloc(1, sizeof *e);
	*out = e;
	if (!e)
		return VIGIL_FATAL;
	int st = vg_elf_layout_read(buf, len, &e->layout, &e->error);
	if (st == VIGIL_FAILED)
		return VIGIL_FAILED;
	e->anomalies = e->layout.anomalies;
	if (e->layout.complete && e->layout.data_end < len) {
		e->appended_off = e->layout.data_end;
		e->appended_len = len - e->layout.data_end;
	}

	pthread_once(&libelf_once, libelf_init);
	if (!libelf_ready) {
		e->anomalies |= VG_ELF_ANOM_LIBELF;
		return VIGIL_WARN;
	}
	/* libelf may write into memory it is given: give it its own copy. */
	char *copy = malloc(len);
	if (!copy)
		goto oom;
	memcpy(copy, buf, len);
	Elf *elf = elf_memory(copy, len);
	int rc = 0;
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		e->anomalies |= VG_ELF_ANOM_LIBELF;
	} else {
		rc = parse_segments(e, elf, buf, len);
		if (!rc)
			rc = parse_sections(e, elf, buf, len);
		if (!rc)
			rc = parse_dynamic(e, elf, buf, len);
		if (!rc)
			parse_notes(e, elf, len);
	}
	if (elf)
		elf_end(elf);
	free(copy);
	if (rc < 0)
		goto oom;
	return e->anomalies ? VIGIL_WARN : VIGIL_OK;
oom:
	vg_elf_free(e);
	*out = NULL;
	return VIGIL_FATAL;
}

void vg_elf_free(vg_elf *e)
{
	if (!e)
		return;
	free(e->segments);
	for (size_t i = 0; i < e->nsections; i++)
		free(e->sections[i].name);
	free(e->sections);
	for (size_t i = 0; i < e->nneeded; i++)
		free(e->needed[i]);
	free(e->needed);
	free(e->interp);
	free(e->soname);
	free(e);
}
