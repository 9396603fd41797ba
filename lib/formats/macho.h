/*
 * Mach-O anatomy for hostile input: thin 32/64-bit files of either byte
 * order and fat (universal) files with 32- or 64-bit fat headers.
 *
 *   vg_macho *m;
 *   int st = vg_macho_parse(buf, len, &m);
 *   if (st == VIGIL_FATAL)            -> out of memory, m is NULL
 *   else if (st == VIGIL_FAILED)      -> not a usable Mach-O: m->error says why
 *   else (VIGIL_OK, or VIGIL_WARN)    -> parsed; WARN when an anomaly bit is
 *                                        set on m or on one of its slices
 *   vg_macho_free(m);
 *
 * A thin file is one slice covering the whole buffer. A fat file has one
 * slice per architecture; a slice that is itself fat is not descended into
 * (no recursion on anything the file controls). Load commands are walked
 * with a count cap and each cmdsize is checked against the header's
 * sizeofcmds and the slice. When LC_CODE_SIGNATURE is present its SuperBlob
 * (big-endian) is parsed to the CodeDirectory: signing identifier, Team ID.
 *
 * Every read goes through formats/byteread.h. The vg_macho owns what it
 * points to; nothing points into buf.
 */
#ifndef VIGIL_FORMATS_MACHO_H
#define VIGIL_FORMATS_MACHO_H

#include <stddef.h>
#include <stdint.h>

#include <vigil/common.h>

/* Caps on counts taken from the file. */
/* Fat entries: more is refused as "not a fat file" (Java class files share
 * the 0xcafebabe magic, with a class version >= 45 where nfat_arch would be). */
#define VG_MACHO_MAX_ARCHS 32
#define VG_MACHO_MAX_CMDS 4096   /* load commands walked per slice */
#define VG_MACHO_MAX_DYLIBS 1024 /* linked dylibs kept per slice */
#define VG_MACHO_MAX_BLOBS 64    /* SuperBlob index entries examined */
#define VG_MACHO_MAX_NAME 1024   /* bytes kept of a path or identifier */

/* Magic numbers, as read in the file's own byte order. */
#define VG_MH_MAGIC 0xfeedfaceu
#define VG_MH_MAGIC_64 0xfeedfacfu
#define VG_FAT_MAGIC 0xcafebabeu
#define VG_FAT_MAGIC_64 0xcafebabfu

/* Load commands this parser knows. */
#define VG_LC_REQ_DYLD 0x80000000u
#define VG_LC_LOAD_DYLIB 0x0cu
#define VG_LC_ID_DYLIB 0x0du
#define VG_LC_LOAD_WEAK_DYLIB (0x18u | VG_LC_REQ_DYLD)
#define VG_LC_CODE_SIGNATURE 0x1du
#define VG_LC_REEXPORT_DYLIB (0x1fu | VG_LC_REQ_DYLD)
#define VG_LC_LAZY_LOAD_DYLIB 0x20u
#define VG_LC_LOAD_UPWARD_DYLIB (0x23u | VG_LC_REQ_DYLD)

/* Code signing (xnu's cs_blobs.h). */
#define VG_CSMAGIC_EMBEDDED_SIGNATURE 0xfade0cc0u
#define VG_CSMAGIC_CODEDIRECTORY 0xfade0c02u
#define VG_CSMAGIC_BLOBWRAPPER 0xfade0b01u /* CMS signature */
#define VG_CSSLOT_CODEDIRECTORY 0u
#define VG_CSSLOT_ALTERNATE_FIRST 0x1000u
#define VG_CSSLOT_ALTERNATE_LAST 0x1004u
#define VG_CSSLOT_SIGNATURESLOT 0x10000u
#define VG_CS_ADHOC 0x2u                  /* CodeDirectory flag */
#define VG_CS_SUPPORTSTEAMID 0x20200u     /* first version with teamOffset */

/* Anomaly bits. */
enum {
	VG_MACHO_ANOM_SLICE_PAST_EOF = 1u << 1,  /* a fat entry outside the file */
	VG_MACHO_ANOM_SLICE_NESTED = 1u << 2,    /* a slice is fat or not Mach-O */
	VG_MACHO_ANOM_CMDS_CAPPED = 1u << 3,
	VG_MACHO_ANOM_CMDS_PAST_END = 1u << 4,   /* sizeofcmds or a command runs past the slice */
	VG_MACHO_ANOM_CMDSIZE_BAD = 1u << 5,     /* cmdsize < 8, misaligned, or past sizeofcmds */
	VG_MACHO_ANOM_DYLIB_BAD = 1u << 6,       /* a dylib name outside its command */
	VG_MACHO_ANOM_DYLIBS_CAPPED = 1u << 7,
	VG_MACHO_ANOM_CS_PAST_END = 1u << 8,     /* LC_CODE_SIGNATURE data outside the slice */
	VG_MACHO_ANOM_CS_BAD = 1u << 9,          /* SuperBlob or CodeDirectory malformed */
	VG_MACHO_ANOM_CS_DUP = 1u << 10,         /* more than one LC_CODE_SIGNATURE */
};

typedef struct vg_macho_dylib {
	uint32_t cmd; /* VG_LC_LOAD_DYLIB, ..._WEAK_, ..._REEXPORT_, ..._LAZY_LOAD_, ..._UPWARD_ */
	char *name;
	uint32_t current_version, compat_version; /* xxxx.yy.zz packed */
} vg_macho_dylib;

typedef struct vg_macho_codesig {
	int present;               /* LC_CODE_SIGNATURE seen */
	uint32_t dataoff, datasize; /* from the command, relative to the slice */
	int superblob_ok;          /* magic, length and index parsed */
	uint32_t nblobs;           /* index entries declared */
	int has_cms;               /* a CMS blob wrapper slot (non ad-hoc) */
	int has_cd;                /* a CodeDirectory was found and parsed */
	uint32_t cd_version, cd_flags;
	uint8_t cd_hash_type;
	char *identifier;          /* signing identifier, NULL when unreadable */
	char *team_id;             /* NULL when absent (older version, 0 offset) */
} vg_macho_codesig;

typedef struct vg_macho_cmd {
	uint32_t cmd, cmdsize;
	uint64_t offset; /* in the slice */
} vg_macho_cmd;

typedef struct vg_macho_slice {
	uint64_t offset, size; /* in the file */
	uint32_t anomalies;
	int is64, big_endian;
	uint32_t cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags;
	uint32_t ncmds_walked;
	vg_macho_cmd *cmds; /* the ncmds_walked commands, in file order */
	char *id_dylib; /* LC_ID_DYLIB install name, NULL when absent */
	vg_macho_dylib *dylibs;
	size_t ndylibs;
	vg_macho_codesig cs;
} vg_macho_slice;

typedef struct vg_macho {
	const char *error; /* static text, set when vg_macho_parse failed */
	uint32_t anomalies;
	int fat, fat64;
	uint32_t nfat_arch; /* as declared */
	vg_macho_slice *slices;
	size_t nslices;
} vg_macho;

/* Is this a thin Mach-O header or a plausible fat header? Cheap. */
int vg_macho_sniff(const uint8_t *buf, size_t len);

/* Parse buf; see the comment at the top. *out is NULL only on VIGIL_FATAL. */
int vg_macho_parse(const uint8_t *buf, size_t len, vg_macho **out);
void vg_macho_free(vg_macho *m);

/* "LC_LOAD_DYLIB"... for the dylib commands above; NULL otherwise. */
const char *vg_macho_dylib_cmd_name(uint32_t cmd);

/* "LC_SEGMENT_64", "LC_MAIN"... for common load commands; NULL otherwise. */
const char *vg_macho_cmd_name(uint32_t cmd);

#endif
