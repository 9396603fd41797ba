/* Dynamic-linking facts of an ELF file through libelf (elf_dynsyms.h). */
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "formats/elf_dynsyms.h"

#define NAME_MAX_KEPT 256
#ifndef STT_GNU_IFUNC
#define STT_GNU_IFUNC 10
#endif

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int ready;

static void init(void)
{
	ready = elf_version(EV_CURRENT) != EV_NONE;
}

static int is_irelative(unsigned machine, unsigned type)
{
	switch (machine) {
	case EM_X86_64: return type == 37;
	case EM_386: return type == 42;
	case EM_AARCH64: return type == 1032;
	case EM_ARM: return type == 160;
	case EM_PPC64: return type == 248;
	default: return 0;
	}
}

static char *copy(const char *s)
{
	return s ? vg_strndup(s, strnlen(s, NAME_MAX_KEPT)) : NULL;
}

/* The versions an ELF file needs (.gnu.version_r): version index ->
 * name, for the undefined symbols' "name@VERSION". */
#define VERSION_SLOTS 0x8000
struct versions {
	Elf_Data *versym;      /* .gnu.version: one index per .dynsym entry */
	const char **name;     /* [VERSION_SLOTS], NULL when no .gnu.version_r */
};

static int read_verneed(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct versions *v)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || v->name)
		return 0;
	if (!(v->name = calloc(VERSION_SLOTS, sizeof *v->name)))
		return -1;
	size_t off = 0;
	/* at most sh_info entries (and as many as fit), each with its aux list */
	for (unsigned i = 0; i < sh->sh_info && i < 4096 && off < data->d_size; i++) {
		GElf_Verneed vn;
		if (!gelf_getverneed(data, (int)off, &vn))
			break;
		size_t aoff = off + vn.vn_aux;
		for (unsigned k = 0; k < vn.vn_cnt && k < 4096 && aoff < data->d_size; k++) {
			GElf_Vernaux va;
			if (!gelf_getvernaux(data, (int)aoff, &va))
				break;
			unsigned idx = va.vna_other & 0x7fffu;
			const char *nm = elf_strptr(elf, sh->sh_link, va.vna_name);
			if (idx >= 2 && nm && *nm && !v->name[idx])
				v->name[idx] = nm;
			if (!va.vna_next)
				break;
			aoff += va.vna_next;
		}
		if (!vn.vn_next)
			break;
		off += vn.vn_next;
	}
	return 0;
}

static int symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, vg_elf_dynsyms *d,
		   size_t *budget, const struct versions *v)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !sh->sh_entsize)
		return 0;
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 1; i < n && *budget; i++, (*budget)--) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			break;
		int type = GELF_ST_TYPE(sym.st_info), bind = GELF_ST_BIND(sym.st_info);
		if (type == STT_GNU_IFUNC && sym.st_shndx != SHN_UNDEF)
			d->nifunc++;
		if (sh->sh_type != SHT_DYNSYM || sym.st_shndx != SHN_UNDEF ||
		    (bind != STB_GLOBAL && bind != STB_WEAK))
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (d->nundef >= VG_ELF_MAX_UNDEF) {
			d->undef_capped = 1;
			continue;
		}
		if (!vg_grow(&d->undef, &d->undef_cap, d->nundef + 1, sizeof *d->undef))
			return -1;
		GElf_Versym vs;
		const char *ver = NULL;
		if (v && v->versym && v->name && gelf_getversym(v->versym, (int)i, &vs))
			ver = v->name[vs & 0x7fffu];
		char *kept = copy(name);
		if (kept && ver) {
			char *both = vg_asprintf("%s@%s", kept, ver);
			free(kept);
			kept = both;
		}
		if (!(d->undef[d->nundef] = kept))
			return -1;
		d->nundef++;
	}
	return 0;
}

static void relocs(Elf_Scn *scn, const GElf_Shdr *sh, unsigned machine,
		   vg_elf_dynsyms *d, size_t *budget)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !sh->sh_entsize)
		return;
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < n && *budget; i++, (*budget)--) {
		uint64_t info;
		if (sh->sh_type == SHT_RELA) {
			GElf_Rela r;
			if (!gelf_getrela(data, (int)i, &r))
				return;
			info = r.r_info;
		} else {
			GElf_Rel r;
			if (!gelf_getrel(data, (int)i, &r))
				return;
			info = r.r_info;
		}
		/* gelf hands 32-bit r_info over in the 64-bit layout */
		unsigned type = (unsigned)GELF_R_TYPE(info);
		if (is_irelative(machine, type))
			d->nirelative++;
	}
}

static int dynamic(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, vg_elf_dynsyms *d)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !sh->sh_entsize)
		return 0;
	size_t n = sh->sh_size / sh->sh_entsize;
	for (size_t i = 0; i < n && i < 65536; i++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		char **slot = dyn.d_tag == DT_RPATH ? &d->rpath
			      : dyn.d_tag == DT_RUNPATH ? &d->runpath : NULL;
		if (!slot || *slot)
			continue;
		const char *s = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val);
		if (s && !(*slot = copy(s)))
			return -1;
	}
	return 0;
}

int vg_elf_dynsyms_read(const uint8_t *buf, size_t len, vg_elf_dynsyms *d)
{
	memset(d, 0, sizeof *d);
	pthread_once(&once, init);
	if (!ready || len == 0)
		return 0;
	char *mem = malloc(len);
	if (!mem)
		return -1;
	memcpy(mem, buf, len);
	Elf *elf = elf_memory(mem, len);
	int rc = 0;
	GElf_Ehdr eh;
	if (elf && elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh)) {
		size_t sym_budget = VG_ELF_MAX_SYMS, rel_budget = VG_ELF_MAX_RELOCS;
		Elf_Scn *scn = NULL, *dynsym = NULL;
		GElf_Shdr dynsym_sh;
		struct versions v = {NULL, NULL};
		size_t nscn = 0;
		while (rc == 0 && (scn = elf_nextscn(elf, scn)) && nscn++ < 65536) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
			    sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
				continue;
			/* .dynsym once the version tables are known (below) */
			if (sh.sh_type == SHT_DYNSYM && !dynsym) {
				dynsym = scn;
				dynsym_sh = sh;
			} else if (sh.sh_type == SHT_GNU_versym && !v.versym)
				v.versym = elf_getdata(scn, NULL);
			else if (sh.sh_type == SHT_GNU_verneed)
				rc = read_verneed(elf, scn, &sh, &v);
			else if (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB)
				rc = symbols(elf, scn, &sh, d, &sym_budget, NULL);
			else if (sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL)
				relocs(scn, &sh, eh.e_machine, d, &rel_budget);
			else if (sh.sh_type == SHT_DYNAMIC)
				rc = dynamic(elf, scn, &sh, d);
		}
		if (rc == 0 && dynsym)
			rc = symbols(elf, dynsym, &dynsym_sh, d, &sym_budget, &v);
		free(v.name);
	}
	if (elf)
		elf_end(elf);
	free(mem);
	return rc;
}

void vg_elf_dynsyms_clear(vg_elf_dynsyms *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nundef; i++)
		free(d->undef[i]);
	free(d->undef);
	free(d->rpath);
	free(d->runpath);
	memset(d, 0, sizeof *d);
}
