/*
 * PE32 / PE32+ parser for hostile input.
 *
 *   vg_pe *pe;
 *   int st = vg_pe_parse(buf, len, VG_PE_ALL, &pe);
 *   if (st == VIGIL_FATAL)            -> out of memory, pe is NULL
 *   else if (st == VIGIL_FAILED)      -> not a usable PE: pe->error says why
 *   else (VIGIL_OK, or VIGIL_WARN)    -> parsed; WARN when pe->anomalies != 0
 *   vg_pe_free(pe);
 *
 * The parser never reads outside buf (every read goes through
 * formats/byteread.h), never recurses, and caps every count (sections,
 * imports, exports, resource nodes, certificates) so that a crafted file
 * costs at most a bounded amount of time and memory; hitting a cap sets an
 * anomaly bit and keeps what was read so far. buf must stay valid while pe is
 * used: vg_pe copies strings but keeps offsets into buf, not pointers.
 *
 * `what` selects the costly parts; headers, data directories, sections and
 * the certificate table walk are always parsed (they are cheap). A scan that
 * only wants the signature checks passes 0.
 */
#ifndef VIGIL_FORMATS_PE_H
#define VIGIL_FORMATS_PE_H

#include <stddef.h>
#include <stdint.h>

#include "base/entropy.h"

#include <vigil/common.h>

enum {
	VG_PE_ENTROPY = 1 << 0,  /* Shannon entropy of each section */
	VG_PE_IMPORTS = 1 << 1,
	VG_PE_EXPORTS = 1 << 2,
	VG_PE_VERSION = 1 << 3,  /* version resource strings */
	VG_PE_ALL = 0xff,
};

/* Caps on counts taken from the file. */
#define VG_PE_MAX_SECTIONS 96        /* the Windows loader's own limit */
#define VG_PE_MAX_IMPORT_DLLS 1024
#define VG_PE_MAX_IMPORTS 16384      /* functions, over all DLLs */
#define VG_PE_MAX_EXPORTS 16384
#define VG_PE_MAX_RES_NODES 4096     /* directory entries visited */
#define VG_PE_MAX_RES_DEPTH 3        /* type / name / language */
#define VG_PE_MAX_CERTS 16           /* WIN_CERTIFICATE entries */
#define VG_PE_MAX_NAME 256           /* bytes of any name or string kept */

/* Data directory indexes. */
enum {
	VG_PE_DIR_EXPORT = 0,
	VG_PE_DIR_IMPORT = 1,
	VG_PE_DIR_RESOURCE = 2,
	VG_PE_DIR_SECURITY = 4, /* its address is a file offset, not an RVA */
	VG_PE_DIR_DEBUG = 6,
	VG_PE_NDIRS = 16,
};

/* Anomaly bits: the file parsed, but something is off. */
enum {
	VG_PE_ANOM_SECTIONS_CAPPED = 1u << 0, /* more sections than the cap */
	VG_PE_ANOM_SECTION_PAST_EOF = 1u << 1, /* raw data runs past the file */
	VG_PE_ANOM_IMPORTS_CAPPED = 1u << 2,
	VG_PE_ANOM_IMPORTS_BAD = 1u << 3,     /* an import RVA does not map */
	VG_PE_ANOM_EXPORTS_CAPPED = 1u << 4,
	VG_PE_ANOM_EXPORTS_BAD = 1u << 5,
	VG_PE_ANOM_RES_LOOP = 1u << 6,        /* a directory seen twice */
	VG_PE_ANOM_RES_CAPPED = 1u << 7,      /* node cap or depth cap hit */
	VG_PE_ANOM_RES_BAD = 1u << 8,
	VG_PE_ANOM_VERSION_BAD = 1u << 9,
	/* certificate table (data directory 4) */
	VG_PE_ANOM_CERT_PAST_EOF = 1u << 10,  /* directory points outside the file */
	VG_PE_ANOM_CERT_UNALIGNED = 1u << 11, /* table offset not 8-byte aligned */
	VG_PE_ANOM_CERT_SIZE = 1u << 12,      /* entry lengths do not add up to the size */
	VG_PE_ANOM_CERT_CAPPED = 1u << 13,
	VG_PE_ANOM_CERT_IN_IMAGE = 1u << 14,  /* table overlaps headers or sections */
	VG_PE_ANOM_DIRS_CAPPED = 1u << 15,    /* NumberOfRvaAndSizes > 16 */
	VG_PE_ANOM_ENTROPY_BUDGET = 1u << 16, /* sections' sizes passed the entropy
						 budget: later ones not computed */
};

typedef struct vg_pe_dir {
	uint32_t addr; /* RVA; a file offset for the security directory */
	uint32_t size;
} vg_pe_dir;

typedef struct vg_pe_section {
	char name[9]; /* NUL-terminated, raw bytes (may be non-printable) */
	uint32_t vaddr, vsize;
	uint32_t raw_off, raw_size;
	uint32_t characteristics;
	double entropy; /* bits per byte over the raw data in the file; -1 if not computed */
} vg_pe_section;

typedef struct vg_pe_import {
	const char *dll;  /* strings point into vg_pe's own storage */
	const char *name; /* NULL when imported by ordinal */
	uint16_t ordinal; /* when by ordinal; else the hint */
	int by_ordinal;
} vg_pe_import;

typedef struct vg_pe_export {
	const char *name; /* NULL when exported by ordinal only */
	uint32_t ordinal;
	uint32_t rva;
} vg_pe_export;

/* DER parsing state of the PKCS#7 inside a WIN_CERTIFICATE. */
typedef enum vg_pe_der {
	VG_PE_DER_OK = 0,
	VG_PE_DER_NOT_SEQUENCE,  /* first byte is not 0x30 */
	VG_PE_DER_INDEFINITE,    /* BER indefinite length (0x80) */
	VG_PE_DER_BAD_LENGTH,    /* length form unusable (over 4 bytes, truncated) */
	VG_PE_DER_PAST_ENTRY,    /* the length runs past dwLength */
	VG_PE_DER_NOT_PKCS,      /* wCertificateType is not PKCS_SIGNED_DATA */
} vg_pe_der;

typedef struct vg_pe_cert {
	uint64_t offset;   /* of the WIN_CERTIFICATE header in the file */
	uint32_t length;   /* dwLength, header included */
	uint16_t revision; /* 0x0100 or 0x0200 */
	uint16_t type;     /* 2 = PKCS_SIGNED_DATA */
	vg_pe_der der;
	uint64_t der_off, der_len; /* the PKCS#7 DER (tag and length included) */
	/*
	 * Slack: the bytes from the end of the DER to the start of the next
	 * entry (or the end of the table), i.e. what Authenticode ignores.
	 * pad_allowed is how much of it the 8-byte alignment explains.
	 */
	uint64_t slack_off, slack_len, pad_allowed;
	uint64_t slack_nonzero; /* count of non-zero slack bytes */
} vg_pe_cert;

typedef struct vg_pe {
	const char *error; /* static text, set when vg_pe_parse failed */
	uint32_t anomalies;

	/* headers */
	uint32_t pe_off; /* e_lfanew */
	uint16_t machine, nsections_declared, characteristics;
	uint32_t timestamp; /* linker TimeDateStamp, seconds since 1970 */
	int reproducible;   /* a debug entry of type REPRO (16): timestamp is a hash */
	int pe32plus;
	uint16_t subsystem, dll_characteristics;
	uint64_t image_base;
	uint32_t entry_rva, size_of_image, size_of_headers, file_alignment;
	uint32_t checksum;     /* the header field */
	uint64_t checksum_off; /* file offset of that field */
	uint64_t secdir_off;   /* file offset of data directory 4's entry, 0 if absent */
	uint32_t ndirs;        /* directories present (at most 16 kept) */
	vg_pe_dir dirs[VG_PE_NDIRS];

	vg_pe_section *sections;
	size_t nsections;

	vg_pe_import *imports;
	size_t nimports;
	size_t nimport_dlls;
	vg_pe_export *exports;
	size_t nexports;
	const char *export_dll_name;

	size_t nresources; /* leaves of the resource tree (up to the caps) */
	/* version resource strings (UTF-8); NULL when absent */
	const char *company_name, *product_name, *file_version, *original_filename;
	const char *product_version;
	/* the file bytes of the version resource read (0, 0 when none) */
	uint64_t version_off, version_size;

	/* certificate table */
	int signed_; /* the security directory is non-empty */
	uint64_t cert_off, cert_size;
	vg_pe_cert *certs;
	size_t ncerts;

	/* overlay: bytes after the end of the last section's raw data */
	uint64_t sections_end;
	uint64_t overlay_off, overlay_len;
	/* bytes after the end of the certificate table (0 when unsigned) */
	uint64_t after_cert_off, after_cert_len;

	/* private: string storage */
	char **strs;
	size_t nstrs, strs_cap;
} vg_pe;

/* Parse buf; see the comment at the top. *out is NULL only on VIGIL_FATAL. */
int vg_pe_parse(const uint8_t *buf, size_t len, unsigned what, vg_pe **out);
void vg_pe_free(vg_pe *pe);

/* Is this the start of a PE ("MZ" and a plausible e_lfanew with "PE\0\0")?
 * Cheap; lets a sweep skip everything else at once. */
int vg_pe_sniff(const uint8_t *buf, size_t len);

/* Map an RVA to a file offset; 0 if it maps nowhere inside the file. */
int vg_pe_rva_to_off(const vg_pe *pe, size_t len, uint32_t rva, uint64_t *off);

/* The PE checksum (as in the optional header) of buf, the field at
 * checksum_off counted as zero. */
uint32_t vg_pe_checksum(const uint8_t *buf, size_t len, uint64_t checksum_off);


/*
 * Read a DER tag-and-length header at buf[off]: sets *hdr (header bytes) and
 * *body (content length). Definite lengths only, at most 4 length bytes.
 * Returns a vg_pe_der code (VG_PE_DER_OK when well formed and inside len).
 */
vg_pe_der vg_der_header(const uint8_t *buf, size_t len, uint64_t off,
			uint64_t *hdr, uint64_t *body);

#endif
