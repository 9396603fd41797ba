/*
 * ELF (32/64-bit, either byte order) anatomy for hostile input.
 *
 *   vg_elf *elf;
 *   int st = vg_elf_parse(buf, len, &elf);
 *   if (st == VIGIL_FATAL)            -> out of memory, elf is NULL
 *   else if (st == VIGIL_FAILED)      -> not a usable ELF: elf->error says why
 *   else (VIGIL_OK, or VIGIL_WARN)    -> parsed; WARN when elf->anomalies != 0
 *   vg_elf_free(elf);
 *
 * Two layers:
 *  - vg_elf_layout() reads the file header and the program and section
 *    header tables with the bounds-checked readers of formats/byteread.h,
 *    without allocating or copying. It answers "where does the ELF's own
 *    data end", which the per-file sweep check needs on every ELF file.
 *  - vg_elf_parse() hands a private copy of buf to libelf (elf_memory) for
 *    the rest: segments, named sections, PT_INTERP, the dynamic section, the
 *    GNU build-id note. A copy because elf_memory() opens the memory as
 *    ELF_C_READ_MMAP_PRIVATE, which <libelf.h> documents as "memory is
 *    writable": libelf is allowed to modify it, and buf may be a read-only
 *    mapping that must stay untouched. (tests/unit/test_elf.c parses from
 *    read-only mappings; with 0.188 and the calls made here no write was
 *    seen, but the contract allows one.) Every count libelf reports is
 *    capped here, and every string it returns is copied with a length cap.
 *
 * The vg_elf owns everything it points to; nothing points into buf.
 */
#ifndef VIGIL_FORMATS_ELF_H
#define VIGIL_FORMATS_ELF_H

#include <stddef.h>
#include <stdint.h>

#include <vigil/common.h>

/* Caps on counts taken from the file. */
#define VG_ELF_MAX_SEGMENTS 4096
#define VG_ELF_MAX_SECTIONS 65536 /* objects built with -ffunction-sections have many */
#define VG_ELF_MAX_DYN 65536      /* dynamic entries examined */
#define VG_ELF_MAX_NEEDED 1024
#define VG_ELF_MAX_NOTES 4096     /* notes examined, over all note segments/sections */
#define VG_ELF_MAX_NAME 1024      /* bytes kept of any name or path */
#define VG_ELF_MAX_BUILD_ID 64

/* Anomaly bits: the file parsed, but something is off. */
enum {
	VG_ELF_ANOM_SEGMENTS_CAPPED = 1u << 0,
	VG_ELF_ANOM_SECTIONS_CAPPED = 1u << 1,
	VG_ELF_ANOM_PHDRS_PAST_EOF = 1u << 2, /* program header table outside the file */
	VG_ELF_ANOM_SHDRS_PAST_EOF = 1u << 3, /* section header table outside the file */
	VG_ELF_ANOM_SEGMENT_PAST_EOF = 1u << 4,
	VG_ELF_ANOM_SECTION_PAST_EOF = 1u << 5,
	VG_ELF_ANOM_BAD_ENTSIZE = 1u << 6,    /* e_phentsize / e_shentsize wrong for the class */
	VG_ELF_ANOM_BAD_STRTAB = 1u << 7,     /* a name or string could not be read */
	VG_ELF_ANOM_DYN_BAD = 1u << 8,        /* dynamic section unreadable or capped */
	VG_ELF_ANOM_NOTES_BAD = 1u << 9,
	VG_ELF_ANOM_INTERP_BAD = 1u << 10,
	VG_ELF_ANOM_LIBELF = 1u << 11,        /* libelf refused part of the file */
	VG_ELF_ANOM_ENTROPY_BUDGET = 1u << 12, /* sections' sizes passed the entropy
						  budget: later ones not computed */
};

typedef struct vg_elf_segment {
	uint32_t type;  /* PT_* */
	uint32_t flags; /* PF_R / PF_W / PF_X */
	uint64_t offset, vaddr, filesz, memsz;
} vg_elf_segment;

typedef struct vg_elf_section {
	char *name;     /* from .shstrtab; "" when unreadable */
	uint32_t type;  /* SHT_* */
	uint64_t flags; /* SHF_* */
	uint64_t offset, size;
	uint64_t addr;  /* sh_addr */
	double entropy; /* bits per byte over the bytes in the file; -1 for
			   SHT_NOBITS, a section that does not fit the file, or
			   one past the entropy budget (base/entropy.h) */
} vg_elf_section;

/* What vg_elf_layout() finds: header fields and where the data ends. */
typedef struct vg_elf_layout {
	int is64;       /* ELFCLASS64 */
	int big_endian; /* ELFDATA2MSB */
	uint16_t type, machine;
	uint64_t entry;
	uint64_t phoff, shoff;
	uint16_t phentsize, shentsize;
	uint64_t phnum, shnum; /* after extended numbering (PN_XNUM, e_shnum 0) */
	uint32_t anomalies;    /* VG_ELF_ANOM_* found on the way */
	int complete;          /* every header read (none past the file, no cap hit) */
	/*
	 * End of the last byte the ELF structures account for: the file header,
	 * both header tables, every segment's file bytes and every section's
	 * file bytes (SHT_NOBITS excluded). May exceed the file's length when
	 * the file is truncated.
	 */
	uint64_t data_end;
} vg_elf_layout;

typedef struct vg_elf {
	const char *error; /* static text, set when vg_elf_parse failed */
	uint32_t anomalies;
	vg_elf_layout layout;

	vg_elf_segment *segments;
	size_t nsegments;
	vg_elf_section *sections;
	size_t nsections;

	char *interp;  /* PT_INTERP, NULL when absent */
	char *soname;  /* DT_SONAME, NULL when absent */
	char **needed; /* DT_NEEDED, in file order */
	size_t nneeded;
	uint8_t build_id[VG_ELF_MAX_BUILD_ID]; /* NT_GNU_BUILD_ID descriptor */
	size_t build_id_len;                   /* 0 when absent */
	int build_id_truncated;                /* longer than VG_ELF_MAX_BUILD_ID */

	/* bytes after layout.data_end (0 when none) */
	uint64_t appended_off, appended_len;
} vg_elf;

/* Is this an ELF identification (magic, a known class and data encoding)?
 * Cheap; lets a sweep skip everything else at once. */
int vg_elf_sniff(const uint8_t *buf, size_t len);

/*
 * Read the headers of buf into *lay, allocating nothing. Returns VIGIL_OK,
 * VIGIL_WARN (some header table or entry lies outside the file, a cap was
 * hit: lay->complete is 0), or VIGIL_FAILED (not an ELF file; *err, if not
 * NULL, gets a static message).
 */
int vg_elf_layout_read(const uint8_t *buf, size_t len, vg_elf_layout *lay,
		       const char **err);

/* Parse buf; see the comment at the top. *out is NULL only on VIGIL_FATAL. */
int vg_elf_parse(const uint8_t *buf, size_t len, vg_elf **out);
void vg_elf_free(vg_elf *elf);

/* Names for display: "EXEC", "DYN"...; "LOAD", "INTERP"...; NULL when
 * unknown (print the number). */
const char *vg_elf_type_name(uint16_t type);
const char *vg_elf_segment_type_name(uint32_t type);

#endif
