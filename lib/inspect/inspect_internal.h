/*
 * Pieces of `vigil inspect` (lib/inspect*.c): each format adds its part of
 * the JSON model. Strings, times and digests go through the report
 * writers (report/json_write.h: vg_json_text, vg_json_textn, vg_json_time,
 * vg_json_hex), so that the model writes them as every other record does;
 * the helpers here are inspect's own.
 */
#ifndef VIGIL_INSPECT_INTERNAL_H
#define VIGIL_INSPECT_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include <vigil/checks.h>
#include <vigil/inspect.h>

#include "report/json_write.h"

/* Entropy rounded to 3 decimals; null when negative (not computed). */
json_t *vg_ij_entropy(double h);
/* The names of the bits set in bits (names[i] for bit i; NULL or "" for
 * unused bits), as an array of strings. */
json_t *vg_ij_flags(uint32_t bits, const char *const *names, size_t n);
/* Set key to v when v is not NULL (a failed allocation is left out). */
void vg_ij_set(json_t *obj, const char *key, json_t *v);

/* Architecture and type names; NULL when unknown. */
const char *vg_pe_machine_name(uint16_t machine);
const char *vg_pe_subsystem_name(uint16_t subsystem);
const char *vg_elf_machine_name(uint16_t machine);
const char *vg_macho_cpu_name(uint32_t cputype);
const char *vg_macho_filetype_name(uint32_t filetype);

/* Where the structural checks' findings go. The PE part runs the PE checks
 * itself, on its own parse and Authenticode result, and sets done. */
struct vg_inspect_checks {
	vigil_emit_fn emit;
	void *ctx;
	int done;
};

/*
 * The format's part of the model, set into obj ("pe", "elf", "macho").
 * Return VIGIL_OK, VIGIL_FAILED when the bytes are not that format after
 * all (obj gets "format_error"), VIGIL_FATAL when out of memory or (PE)
 * the CA file is unusable: *fatal_reason says which.
 */
int vg_inspect_pe(const uint8_t *buf, size_t len, const vigil_inspect_options *opt,
		  json_t *obj, const char **fatal_reason, struct vg_inspect_checks *checks);
int vg_inspect_elf(const uint8_t *buf, size_t len, json_t *obj);
int vg_inspect_macho(const uint8_t *buf, size_t len, json_t *obj);

#endif
