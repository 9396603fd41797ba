/* Loki's "filetype" external: a short name for a file's magic bytes. */
#ifndef VIGIL_FILETYPE_H
#define VIGIL_FILETYPE_H

#include <stddef.h>
#include <stdint.h>

/* "EXE", "ELF", "MACH-O", "PHP"... or "UNKNOWN", as Loki names them. */
const char *vg_filetype(const uint8_t *buf, size_t len);

#endif
