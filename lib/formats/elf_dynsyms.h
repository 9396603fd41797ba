/*
 * The dynamic-linking facts of an ELF file that a release diff compares
 * (libelf, on a private copy of the bytes as in formats/elf.h): undefined
 * symbols of .dynsym (what the file imports), GNU IFUNC symbols of .dynsym
 * and .symtab, IRELATIVE relocations, DT_RPATH and DT_RUNPATH. Counts
 * are capped; strings are copied with a length cap.
 */
#ifndef VIGIL_FORMATS_ELF_DYNSYMS_H
#define VIGIL_FORMATS_ELF_DYNSYMS_H

#include <stddef.h>
#include <stdint.h>

#define VG_ELF_MAX_UNDEF 16384 /* undefined symbols kept */
#define VG_ELF_MAX_SYMS 1000000 /* symbols examined over all tables */
#define VG_ELF_MAX_RELOCS 4000000 /* relocations examined */

typedef struct vg_elf_dynsyms {
	char **undef;  /* names of undefined global or weak .dynsym symbols */
	size_t nundef;
	size_t undef_cap;
	int undef_capped;
	size_t nifunc;     /* STT_GNU_IFUNC symbols defined in the file */
	size_t nirelative; /* R_*_IRELATIVE relocations */
	char *rpath, *runpath; /* NULL when absent */
} vg_elf_dynsyms;

/* 0 (what could be read is in *out, possibly nothing), -1 out of memory.
 * Clear *out with vg_elf_dynsyms_clear either way. */
int vg_elf_dynsyms_read(const uint8_t *buf, size_t len, vg_elf_dynsyms *out);
void vg_elf_dynsyms_clear(vg_elf_dynsyms *d);

#endif
