/*
 * The structural checkers known to the scan. Each looks at the magic itself
 * and returns at once when the bytes are not its format. Add a checker by
 * declaring it here and listing it in checks_table.c.
 */
#ifndef VIGIL_CHECKS_INTERNAL_H
#define VIGIL_CHECKS_INTERNAL_H

#include <vigil/checks.h>

typedef void (*vg_checker)(const uint8_t *buf, size_t len, vigil_emit_fn emit,
			   void *ctx);

/* Signed-PE tampering (lib/checks_pe.c). */
void vg_check_pe(const uint8_t *buf, size_t len, vigil_emit_fn emit, void *ctx);
/* The same checks on a PE the caller has parsed and, when ac is not NULL,
 * verified (`vigil inspect` has both; NULL: verified here). Does nothing
 * for an unsigned PE. */
struct vg_pe;
struct vg_authenticode;
void vg_check_pe_parsed(const uint8_t *buf, size_t len, const struct vg_pe *pe,
			const struct vg_authenticode *ac, vigil_emit_fn emit, void *ctx);
/* Data appended to ELF files (lib/checks_elf.c). */
void vg_check_elf(const uint8_t *buf, size_t len, vigil_emit_fn emit, void *ctx);

/* Broken Mach-O code signatures (lib/checks_macho.c). */
void vg_check_macho(const uint8_t *buf, size_t len, vigil_emit_fn emit, void *ctx);

/* NULL-terminated. */
extern const vg_checker vg_checkers[];

#endif
